/* What the store tests share: the plan written from arrays, a run's metrics, scratch directories. */
#ifndef VMSWEEP_TESTS_STORE_HELPERS_H
#define VMSWEEP_TESTS_STORE_HELPERS_H
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* store_plan_write of one struct store_plan made of these; the run ids discarded. */
int plan_write(struct store *s, size_t nr_params, const char *const *names, size_t nr_points, const int64_t *values,
	       size_t nr_runs, const struct store_plan_run *runs, char *err, size_t errlen);
/* A run's metric by name, NULL if it has none; its value, failing the test if it has none. */
const struct store_metric *run_metric(const struct store_run *r, const char *name);
double run_metric_is(const struct store_run *r, const char *name);
/* rm -rf dir: a test's scratch directory. */
void tree_remove(const char *dir);
/* A one-integer query's answer (printf-style SQL), failing the test on any error. */
int64_t store_query(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* cmocka setup and teardown: *state a fresh mkdtemp directory, removed after the test. */
int scratch_dir_setup(void **state);
int scratch_dir_teardown(void **state);
#endif
