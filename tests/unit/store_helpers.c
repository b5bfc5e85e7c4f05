/* The store's plan written from arrays, as most store tests make it. */
#include <stdlib.h>

#include "store_helpers.h"
#include "util/error.h"

int plan_write(struct store *s, size_t nr_params, const char *const *names, size_t nr_points, const int64_t *values,
	       size_t nr_runs, const struct store_plan_run *runs, char *err, size_t errlen)
{
	struct store_plan p = { nr_params, names, nr_points, values, nr_runs, runs };
	size_t *ids = calloc(nr_runs + 1, sizeof(*ids));
	int r = ids ? store_plan_write(s, &p, ids, err, errlen) : errorf(err, errlen, "out of memory");
	free(ids);
	return r;
}
