/*
 * The plan of one round of a capacity search: the probes so far (and every point the
 * store holds already, so that a search run again into its directory takes up what
 * it measured) as points of the config with the load as its last parameter, each
 * with its own number of runs. Seeds and order come from sweep_plan (sweep/grid.h), so
 * a probe's runs have the seeds a sweep of that load would give them.
 */
#ifndef CAPACITY_ROUND_PLAN_H
#define CAPACITY_ROUND_PLAN_H
#include <stddef.h>
#include <stdint.h>

#include "sweep/grid.h"

/* A point wanted in the plan: a base point of the other parameters, a load, its runs. */
struct round_want {
	size_t base; /* index into the base plan's points */
	int64_t load;
	unsigned runs;
};

/*
 * *out: the wanted points (in the order of w), and their runs in sweep_plan's order.
 * cfg's last parameter is the load; its values and cfg->repeat are changed for the
 * call and put back. 0, or -1 with err.
 */
int round_plan_build(struct sweep_config *cfg, const struct sweep_plan *base, const struct round_want *w, size_t nw,
		     struct sweep_plan *out, char *err, size_t errlen);
#endif
