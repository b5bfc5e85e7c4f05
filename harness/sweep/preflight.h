/*
 * What `vmsweep run` would hit, found before the first boot (and by `vmsweep plan`): a
 * timeout shorter than the job's runtime, guest memory the host cannot pre-fault, more
 * runs at a time than host CPUs; and how long the sweep should take.
 */
#ifndef SWEEP_PREFLIGHT_H
#define SWEEP_PREFLIGHT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sweep/config.h"
#include "sweep/grid.h"

struct sweep_estimate {
	double seconds; /* expected wall time of the whole sweep, at `jobs` runs at a time */
	bool lower_bound; /* some job ends when its size is done: it takes at least that */
};

/* Boot, teardown and storing one run, on top of its workload (measured: `make bench`). */
#define SWEEP_RUN_OVERHEAD_S 0.15

/*
 * Checks every point of p run jobs at a time, point i running wl[i] (a struct
 * vms_workload; NULL, or wl NULL: the built-in one): -1 with err naming the config
 * line for what would fail every such run;
 * warnings (what runs but measures less well) are printed to warn with prefix.
 * est, if not NULL, gets the expected duration.
 */
int sweep_preflight(const struct sweep_config *c, const struct sweep_plan *p, unsigned jobs, const void *const *wl,
		    FILE *warn, const char *prefix, struct sweep_estimate *est, char *err, size_t errlen);

/* A run of point's expected time without SWEEP_RUN_OVERHEAD_S, from the config alone (so
 * every host computes the same): the workload's ramp + runtime per stonewall group (wl, a
 * struct vms_workload), else duration_ms. *size_bound: some job ends when its size is
 * done, so this is only what the timed jobs take. */
double sweep_point_seconds(const struct sweep_config *c, const struct sweep_plan *p, size_t point, const void *wl,
			   bool *size_bound);

/* "2 h 05 min", "3 min 20 s", "12 s" */
const char *duration_format(double seconds, char *buf, size_t len);
#endif
