/*
 * A sweep cut into shards, for running on several machines (`vmsweep run --shard I/N`,
 * `vmsweep submit --slurm`). Each shard takes a share of the plan's runs, kept in the
 * plan's order, so that each shard's runs are as randomised as the whole sweep's; the
 * shares are balanced by expected run time (sweep_point_seconds), assigned greedily in
 * plan order to the shard with the least time so far. The assignment depends on the
 * config alone, so every machine computes the same one. With repeat = auto a point's
 * runs all go to one shard: the decision to stop needs the point's earlier runs.
 */
#ifndef SWEEP_SHARD_H
#define SWEEP_SHARD_H
#include <stddef.h>

#include "sweep/config.h"
#include "sweep/grid.h"

#define SWEEP_SHARDS_MAX 10000

struct sweep_shard {
	unsigned index; /* 0-based, as Slurm's SLURM_ARRAY_TASK_ID of --array=0-(N-1) */
	unsigned count; /* 0: not sharded */
};

/* "I/N" with 0 <= I < N <= SWEEP_SHARDS_MAX; -1 with err quoting text. */
int sweep_shard_parse(const char *text, struct sweep_shard *out, char *err, size_t errlen);

/* shard_of[r] (r a plan run index) for count shards; wl[point] the compiled workloads
 * (NULL entries or wl NULL: the built-in one); loads[k], if not NULL, shard k's expected
 * seconds (under repeat = auto, at max_repeat). -1 with err (out of memory). */
int sweep_shard_assign(const struct sweep_config *c, const struct sweep_plan *p, const void *const *wl, unsigned count,
		       unsigned *shard_of, double *loads, char *err, size_t errlen);
#endif
