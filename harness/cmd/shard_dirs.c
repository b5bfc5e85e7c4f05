/* Where a sharded sweep's stores are; see shard_dirs.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/shard_dirs.h"
#include "store/store.h"
#include "util/array.h"
#include "util/error.h"
#include "util/id_ranges.h"

void shard_dir_path(const char *dir, unsigned index, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%u", dir, SHARDS_SUBDIR, index);
}

static int by_index(const void *a, const void *b)
{
	unsigned x = ((const struct shard_dir *)a)->index, y = ((const struct shard_dir *)b)->index;
	return x < y ? -1 : x > y;
}

int shard_dirs_list(const char *dir, struct shard_dir **out, size_t *n, char *err, size_t errlen)
{
	char path[4096];
	size_t cap = 0;
	struct dirent *e;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, SHARDS_SUBDIR);
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : errorf(err, errlen, "%s: %s", path, strerror(errno));
	while ((e = readdir(d))) {
		char *end, store[4200];
		struct stat st;
		unsigned long i = strtoul(e->d_name, &end, 10);
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || *end || i >= 100000)
			continue;
		if (snprintf(store, sizeof(store), "%s/%s/%s", path, e->d_name, STORE_FILE) >= (int)sizeof(store) ||
		    stat(store, &st) != 0)
			continue;
		if (array_grow((void **)out, &cap, *n + 1, sizeof(**out))) {
			closedir(d);
			free(*out);
			*out = NULL;
			*n = 0;
			return errorf(err, errlen, "out of memory");
		}
		(*out)[*n].index = (unsigned)i;
		if (snprintf((*out)[*n].path, sizeof((*out)[*n].path), "%s/%s", path, e->d_name) <
		    (int)sizeof((*out)[*n].path))
			(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof(**out), by_index);
	return 0;
}

int shard_count_runs(struct store *dir_store, const char *dir, unsigned i, const enum store_status *merged,
		     size_t nr_merged, struct shard_count *c, char *err, size_t errlen)
{
	char key[64], *runs = NULL, path[4200], why[512];
	size_t *ids = NULL, n = 0, nr_st = 0;
	enum store_status *st = NULL;
	struct store *shard = NULL;
	struct stat sb;

	memset(c, 0, sizeof(*c));
	snprintf(key, sizeof(key), "shard.%u.runs", i);
	if (store_manifest_get(dir_store, key, &runs, err, errlen))
		return -1;
	if (!runs)
		return errorf(err, errlen, "%s: its manifest has no %s", store_path(dir_store), key);
	int r = id_ranges_parse(runs, &ids, &n, err, errlen);
	free(runs);
	if (r)
		return -1;
	shard_dir_path(dir, i, path, sizeof(path));
	char file[4300];
	snprintf(file, sizeof(file), "%s/%s", path, STORE_FILE);
	if (stat(file, &sb) == 0 && sb.st_size > 0) {
		if (store_open_readonly(path, &shard, why, sizeof(why)) ||
		    store_run_statuses(shard, &st, &nr_st, why, sizeof(why)))
			c->unreadable = true;
		store_close(shard);
	}
	c->runs = n;
	for (size_t k = 0; k < n; k++) {
		enum store_status v = st && ids[k] < nr_st ? st[ids[k]] : STORE_PLANNED;
		c->done += v == STORE_DONE;
		c->failed += v == STORE_FAILED;
		c->skipped += v == STORE_SKIPPED;
		c->missing += v == STORE_PLANNED;
		c->merged += merged && ids[k] < nr_merged && merged[ids[k]] != STORE_PLANNED;
	}
	free(ids);
	free(st);
	return 0;
}
