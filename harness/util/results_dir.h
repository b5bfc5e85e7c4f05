/* Where a command that runs guests writes its store: --out, or a new dated directory. */
#ifndef UTIL_RESULTS_DIR_H
#define UTIL_RESULTS_DIR_H
#include <stddef.h>

/* dir = out when given, else results/NAME-DATE-TIME (results/ made when missing); the
 * directory made when missing. -1 with err. */
int results_dir_make(const char *out, const char *name, char *dir, size_t len, char *err, size_t errlen);
#endif
