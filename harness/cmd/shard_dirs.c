/* Where a sharded sweep's stores are; see shard_dirs.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/shard_dirs.h"
#include "store/store.h"
#include "util/error.h"

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
		if (*n == cap) {
			struct shard_dir *more = realloc(*out, (cap = cap ? 2 * cap : 64) * sizeof(**out));
			if (!more) {
				closedir(d);
				free(*out);
				*out = NULL;
				*n = 0;
				return errorf(err, errlen, "out of memory");
			}
			*out = more;
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
