/*
 * What determines a run, as text: one "key=value" line for each thing that changes what
 * the guest does (the harness and guest builds, the workload, the VM and its knobs as
 * resolved for the point; not the seed, which the plan holds, nor the timeout, which
 * ends a run but does not change it). Every recorded run stores its text, and a resume
 * compares it with what the config gives now, so a sweep directory holds one
 * experiment: a job file edited, [guest] memory changed or the guest rebuilt is named,
 * not silently mixed in.
 */
#ifndef SWEEP_RUN_INPUTS_H
#define SWEEP_RUN_INPUTS_H
#include <stddef.h>

#include "sweep/config.h"
#include "sweep/grid.h"

/* What the runs of one `vmsweep run` share. */
struct sweep_build {
	char harness_build_id[41];
	char guest_build_id[41];
};

/* The inputs text of point's runs, which run wl (the point's compiled workload, NULL for
 * the built-in one), malloc'd; NULL when out of memory or the job file cannot be read
 * (err says which). */
char *sweep_point_inputs(const struct sweep_config *c, const struct sweep_plan *p, size_t point,
			 const struct sweep_build *b, const void *wl, size_t wl_size, char *err, size_t errlen);

/* What differs between two inputs texts, as "key: A there, B here; ..." (the first few
 * keys, then how many more), leaving out the keys in ignore (space-separated, or NULL).
 * Returns the number of keys that differ (those left out not counted). */
size_t run_inputs_diff(const char *there, const char *here, const char *ignore, char *buf, size_t len);
#endif
