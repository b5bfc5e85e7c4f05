/*
 * The layout of a sweep run as shards (`vmsweep submit`, `merge`, `status`):
 *   DIR/results.sqlite           the plan, and every run once merged
 *   DIR/shards/<I>/              shard I's own store and run files (`run --shard I/N`)
 *   DIR/slurm/                   the batch scripts, and the tasks' logs in logs/
 */
#ifndef CMD_SHARD_DIRS_H
#define CMD_SHARD_DIRS_H
#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

#define SHARDS_SUBDIR "shards"
#define SLURM_SUBDIR "slurm"

/* DIR/shards/<I> */
void shard_dir_path(const char *dir, unsigned index, char *buf, size_t len);

struct shard_dir {
	unsigned index;
	char path[4096];
};
/* The shard directories under DIR/shards that hold a store, by index, malloc'd into
 * *out (NULL when none). Names that are not an index are left out. -1 with err. */
int shard_dirs_list(const char *dir, struct shard_dir **out, size_t *n, char *err, size_t errlen);

/* Where a shard of a submitted sweep stands. */
struct shard_count {
	size_t runs; /* its own (DIR's manifest, shard.<I>.runs) */
	size_t done, failed, skipped, missing; /* as its store has them (none yet: all missing) */
	size_t merged; /* of them recorded in DIR's store */
	bool unreadable; /* its store exists but cannot be read: counted missing */
};

/* Shard i's runs counted: dir_store is DIR's (its manifest, and its statuses in merged[],
 * nr_merged of them; merged NULL: not counted); the shard's store is opened read-only.
 * -1 with err when DIR's manifest lacks the shard. */
int shard_count_runs(struct store *dir_store, const char *dir, unsigned i, const enum store_status *merged,
		     size_t nr_merged, struct shard_count *c, char *err, size_t errlen);
#endif
