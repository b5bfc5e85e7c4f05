/* The results directory of a run; see results_dir.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util/error.h"
#include "util/results_dir.h"

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
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return errorf(err, errlen, "%s: %s", dir, strerror(errno));
	return 0;
}
