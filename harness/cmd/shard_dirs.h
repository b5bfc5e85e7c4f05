/*
 * The layout of a sweep run as shards (`vmsweep submit`, `merge`, `status`):
 *   DIR/results.sqlite           the plan, and every run once merged
 *   DIR/shards/<I>/              shard I's own store and run files (`run --shard I/N`)
 *   DIR/slurm/                   the batch scripts, and the tasks' logs in logs/
 */
#ifndef CMD_SHARD_DIRS_H
#define CMD_SHARD_DIRS_H
#include <stddef.h>

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
#endif
