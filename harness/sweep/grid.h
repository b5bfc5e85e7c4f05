/*
 * A sweep config's plan: the points of its grid and the runs that measure them.
 *
 * Points: the cartesian product over the parameters, where a zip group counts as one
 * factor whose values are taken together, in the order written with the last factor
 * varying fastest (as nested loops in the order of [params]); then the points that
 * fail a constraint are dropped. Each point is a vector of values in parameter order.
 *
 * Runs: every point `repeat` times. order=sequential runs point 0's repetitions, then
 * point 1's, ...; order=random shuffles that list (Fisher-Yates) with splitmix64 seeded
 * with [sweep] seed, so that drift over a night biases no parameter value and the same
 * config plans the same order. Each run's own seed (the guest's --seed) is a splitmix64
 * hash of the sweep seed, the point's parameter names and values, and the repetition:
 * the same point keeps its seeds when other values are added to the grid.
 */
#ifndef SWEEP_GRID_H
#define SWEEP_GRID_H
#include <stddef.h>
#include <stdint.h>

#include "sweep/config.h"
#include "vmm/vm.h"

struct sweep_run {
	size_t index; /* position in the order of execution */
	size_t point; /* index into the plan's points */
	unsigned rep; /* 0 .. repeat-1 */
	uint64_t seed; /* below 2^63, as `vmsweep boot --seed` takes it */
};

struct sweep_plan {
	size_t nr_params;
	size_t nr_grid; /* points before the constraints */
	size_t nr_filtered; /* dropped by the constraints */
	size_t nr_points; /* nr_grid - nr_filtered */
	int64_t *values; /* nr_points x nr_params */
	size_t nr_runs; /* nr_points x repeat */
	struct sweep_run *runs; /* in the order of execution */
};

/*
 * Expands c into *p. 0, or -1 with err naming file:line (a constraint that divides by
 * zero at some point; a grid larger than SWEEP_GRID_MAX; no point left after the
 * constraints). Free p with sweep_plan_free either way.
 */
int sweep_plan(const struct sweep_config *c, struct sweep_plan *p, char *err, size_t errlen);

void sweep_plan_free(struct sweep_plan *p);

/* The values of point i, nr_params of them in parameter order. */
static inline const int64_t *sweep_plan_point(const struct sweep_plan *p, size_t i)
{
	return p->values + i * p->nr_params;
}

/*
 * Fills vm from [guest] and [sweep] (memory, vCPUs, HZ, knobs, disks, blk_poll_ns,
 * timeout, prefault on) and then the point's parameters. Leaves the fields of one
 * process's run to the caller: kernel_path, seed, verbose, console, stop_requested
 * and workload.
 */
void sweep_point_apply(const struct sweep_config *c, const struct sweep_plan *p, size_t point, struct vm_config *vm);

/* sweep_point_apply for the run's point, and the run's seed. */
void sweep_run_apply(const struct sweep_config *c, const struct sweep_plan *p, size_t run, struct vm_config *vm);

/* splitmix64 (Steele, Lea, Flood 2014), as in Vigna's reference: advances *state
 * and returns the next output. */
uint64_t splitmix64_next(uint64_t *state);

#endif
