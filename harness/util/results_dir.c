/* The results directory of a run; see results_dir.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util/error.h"
#include "util/results_dir.h"

/* mkdir -p: --out may name a directory under one not made yet (DIR/shards/3). */
static int mkdir_parents(const char *dir)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int results_dir_make(const char *out, const char *name, char *dir, size_t len, char *err, size_t errlen)
{
	if (out) {
		snprintf(dir, len, "%s", out);
	} else {
		char stamp[32];
		time_t now = time(NULL);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&now));
		mkdir("results", 0755);
		snprintf(dir, len, "results/%s-%s", name, stamp);
	}
	if (mkdir_parents(dir) != 0)
		return errorf(err, errlen, "%s: %s", dir, strerror(errno));
	return 0;
}
