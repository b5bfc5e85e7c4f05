/*
 * Reading a store back for the report (harness/store/query.c): a store of two points and
 * five runs (two done, two failed, one still planned), and what each query returns of
 * it: the report's counts, names, values, failed runs and time series, with the done
 * runs told from the others. Each test works in its own mkdtemp directory.
 */
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "store/query.h"
#include "store_helpers.h"
#include "util/error.h"

struct fixture {
	char dir[32];
	struct store *s;
};


/*
 * Parameters vcpus, memory; point 0 = (1, 64M), point 1 = (2, 128M).
 *   run 0: point 0 rep 0, done: z.first = 1.5, a.second = NaN; histogram wakeup_ns
 *   run 1: point 1 rep 0, failed, with a console: z.first = 99; histogram failed_only;
 *          series s
 *   run 2: point 1 rep 1, done: z.first = 2.5, b.third = 7; histograms wakeup_ns,
 *          alpha_ns; series cpu.1.x (recorded out of time order) and cpu.0.x
 *   run 3: point 0 rep 1, planned
 *   run 4: point 0 rep 2, failed, no cause and no console
 * Run 2 is recorded last, so a test can look at the store before it (record_upto).
 */
#define NR_RUNS 5
static const char *const params[] = { "vcpus", "memory" };
static const int64_t values[] = { 1, 64 << 20, 2, 128 << 20 };
static const struct store_plan_run plan[NR_RUNS] = { { 0, 0, 11 }, { 1, 0, 12 }, { 1, 1, 13 }, { 0, 1, 14 },
						     { 0, 2, 15 } };

static void record(struct store *s, size_t id)
{
	struct store_run r = { 0 };
	char err[512] = "";
	r.status = id == 1 || id == 4 ? STORE_FAILED : STORE_DONE;
	if (id == 0) {
		assert_int_equal(store_run_metric(&r, "z.first", 1.5), 0);
		assert_int_equal(store_run_metric(&r, "a.second", NAN), 0);
		assert_non_null(store_run_hist(&r, "wakeup_ns"));
	} else if (id == 1) {
		snprintf(r.cause, sizeof(r.cause), "panic: requested");
		r.exit_status = 3;
		assert_non_null(r.console = strdup("line 1\nline 2\n"));
		r.console_len = strlen(r.console);
		assert_int_equal(store_run_metric(&r, "z.first", 99), 0);
		assert_non_null(store_run_hist(&r, "failed_only"));
		assert_int_equal(store_run_sample(&r, "s", 1, 1), 0);
	} else if (id == 2) {
		assert_int_equal(store_run_metric(&r, "z.first", 2.5), 0);
		assert_int_equal(store_run_metric(&r, "b.third", 7), 0);
		struct store_hist *h = store_run_hist(&r, "wakeup_ns");
		assert_non_null(h);
		h->counts[3] = 5;
		assert_non_null(store_run_hist(&r, "alpha_ns"));
		assert_int_equal(store_run_sample(&r, "cpu.1.x", 2000000, 1), 0);
		assert_int_equal(store_run_sample(&r, "cpu.1.x", 1000000, NAN), 0);
		assert_int_equal(store_run_sample(&r, "cpu.0.x", 5, 3), 0);
	}
	if (store_run_record(s, id, &r, err, sizeof(err)))
		fail_msg("record run %zu: %s", id, err);
	store_run_free(&r);
}

static void record_upto(struct store *s, bool with_run_2)
{
	record(s, 0);
	record(s, 1);
	record(s, 4);
	if (with_run_2)
		record(s, 2);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[512] = "";
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_store_query.XXXXXX");
	if (!mkdtemp(f->dir) || store_open(f->dir, true, &f->s, err, sizeof(err)) ||
	    plan_write(f->s, 2, params, 2, values, NR_RUNS, plan, err, sizeof(err))) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->s);
	tree_remove(f->dir);
	free(f);
	return 0;
}

/* ---- Callbacks that keep what they are given ---- */

#define ROWS_MAX 8
struct rows {
	size_t n;
	size_t point[ROWS_MAX];
	double value[ROWS_MAX];
	int64_t t_ns[ROWS_MAX];
	char name[ROWS_MAX][32];
	struct store_failed_run failed[ROWS_MAX];
	char *cause[ROWS_MAX], *console[ROWS_MAX];
	int stop_at; /* row at which to fail, -1: none */
};

static int value_keep(void *arg, size_t point, double value, char *err, size_t errlen)
{
	struct rows *r = arg;
	if ((int)r->n == r->stop_at)
		return errorf(err, errlen, "stopped at row %zu", r->n);
	assert_true(r->n < ROWS_MAX);
	r->point[r->n] = point;
	r->value[r->n++] = value;
	return 0;
}

static int failed_keep(void *arg, const struct store_failed_run *f, char *err, size_t errlen)
{
	struct rows *r = arg;
	(void)err;
	(void)errlen;
	assert_true(r->n < ROWS_MAX);
	r->failed[r->n] = *f;
	/* The strings are the callback's only while it runs. */
	assert_non_null(r->cause[r->n] = strdup(f->cause));
	r->console[r->n] = f->console ? strdup(f->console) : NULL;
	r->n++;
	return 0;
}

static int sample_keep(void *arg, const char *series, int64_t t_ns, double value, char *err, size_t errlen)
{
	struct rows *r = arg;
	(void)err;
	(void)errlen;
	assert_true(r->n < ROWS_MAX);
	snprintf(r->name[r->n], sizeof(r->name[r->n]), "%s", series);
	r->t_ns[r->n] = t_ns;
	r->value[r->n++] = value;
	return 0;
}

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->cause[i]);
		free(r->console[i]);
	}
}

/* ---- Tests ---- */

static void test_points_count_runs_by_status(void **state)
{
	struct fixture *f = *state;
	struct store_point *p = NULL;
	char **names = NULL, err[512] = "";
	size_t n = 0;

	record_upto(f->s, true);
	assert_int_equal(store_params_list(f->s, &names, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "vcpus");
	assert_string_equal(names[1], "memory");
	store_names_free(names, n);

	assert_int_equal(store_points_list(f->s, 2, &p, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].id, 0);
	assert_int_equal(p[0].values[0], 1);
	assert_int_equal(p[0].values[1], 64 << 20);
	assert_int_equal(p[0].nr_done, 1);
	assert_int_equal(p[0].nr_failed, 1);
	assert_int_equal(p[0].nr_planned, 1);
	assert_int_equal(p[1].id, 1);
	assert_int_equal(p[1].values[0], 2);
	assert_int_equal(p[1].values[1], 128 << 20);
	assert_int_equal(p[1].nr_done, 1);
	assert_int_equal(p[1].nr_failed, 1);
	assert_int_equal(p[1].nr_planned, 0);
	store_points_free(p, n);

	/* Fewer parameters asked for: the others are left out, not written past the end. */
	assert_int_equal(store_points_list(f->s, 1, &p, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(p[1].values[0], 2);
	store_points_free(p, n);
}

static void test_an_empty_store_lists_nothing(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct store_point *p = (void *)1;
	char **names = (void *)1, dir[64], err[512] = "";
	size_t n = 1;
	int64_t run = 0;

	snprintf(dir, sizeof(dir), "%s/empty", f->dir);
	assert_int_equal(store_open(dir, true, &s, err, sizeof(err)), 0);
	assert_int_equal(store_params_list(s, &names, &n, err, sizeof(err)), 0);
	assert_null(names);
	assert_int_equal(n, 0);
	n = 1;
	assert_int_equal(store_points_list(s, 0, &p, &n, err, sizeof(err)), 0);
	assert_null(p);
	assert_int_equal(n, 0);
	assert_int_equal(store_series_run_find(s, &run, err, sizeof(err)), 0);
	assert_int_equal(run, -1);
	store_close(s);
}

static void test_manifest_in_key_order(void **state)
{
	struct fixture *f = *state;
	struct store_kv *kv = NULL;
	char err[512] = "";
	size_t n = 0;
	bool config = false;

	assert_int_equal(store_manifest_set(f->s, "config", "[sweep]\nname = q\n", err, sizeof(err)), 0);
	assert_int_equal(store_manifest_set(f->s, "a_first", "", err, sizeof(err)), 0);
	assert_int_equal(store_manifest_list(f->s, &kv, &n, err, sizeof(err)), 0);
	assert_true(n >= 3); /* and "created", set when the store was made */
	assert_string_equal(kv[0].key, "a_first");
	assert_string_equal(kv[0].value, "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_true(strcmp(kv[i - 1].key, kv[i].key) < 0);
		if (!strcmp(kv[i].key, "config")) {
			assert_string_equal(kv[i].value, "[sweep]\nname = q\n");
			config = true;
		}
	}
	assert_true(config);
	store_manifest_free(kv, n);
}

static void test_metric_and_hist_names(void **state)
{
	struct fixture *f = *state;
	char **names = NULL, err[512] = "";
	size_t n = 0;

	record_upto(f->s, true);
	/* As first recorded, not sorted: the order export's columns have. */
	assert_int_equal(store_metric_names_list(f->s, &names, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "z.first");
	assert_string_equal(names[1], "a.second");
	assert_string_equal(names[2], "b.third");
	store_names_free(names, n);

	/* Of done runs only (failed_only is a failed run's), sorted. */
	assert_int_equal(store_hist_names_list(f->s, &names, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "alpha_ns");
	assert_string_equal(names[1], "wakeup_ns");
	store_names_free(names, n);
}

static void test_metric_values_of_done_runs_by_point(void **state)
{
	struct fixture *f = *state;
	struct rows r = { .stop_at = -1 };
	char err[512] = "";

	record_upto(f->s, true);
	/* Run 1's 99 is a failed run's. */
	assert_int_equal(store_metric_values_read(f->s, "z.first", value_keep, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.point[0], 0);
	assert_true(r.value[0] == 1.5);
	assert_int_equal(r.point[1], 1);
	assert_true(r.value[1] == 2.5);

	r.n = 0;
	assert_int_equal(store_metric_values_read(f->s, "a.second", value_keep, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 1);
	assert_true(isnan(r.value[0]));

	r.n = 0;
	assert_int_equal(store_metric_values_read(f->s, "nonesuch", value_keep, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 0);
}

static void test_a_callback_error_ends_the_query(void **state)
{
	struct fixture *f = *state;
	struct rows r = { .stop_at = 1 };
	char err[512] = "";
	size_t point = 9;
	unsigned rep = 9;

	record_upto(f->s, true);
	assert_int_equal(store_metric_values_read(f->s, "z.first", value_keep, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "stopped at row 1");
	assert_int_equal(r.n, 1);
	/* The lock was let go: the store still answers. */
	assert_int_equal(store_run_get(f->s, 3, &point, &rep, err, sizeof(err)), 1);
	assert_int_equal(point, 0);
	assert_int_equal(rep, 1);
	assert_int_equal(store_run_get(f->s, 99, &point, &rep, err, sizeof(err)), 0);
}

static void test_failed_runs_with_cause_and_console(void **state)
{
	struct fixture *f = *state;
	struct rows r = { .stop_at = -1 };
	char err[512] = "";

	record_upto(f->s, true);
	assert_int_equal(store_failed_runs_read(f->s, failed_keep, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.failed[0].run, 1);
	assert_int_equal(r.failed[0].point, 1);
	assert_int_equal(r.failed[0].rep, 0);
	assert_int_equal(r.failed[0].exit_status, 3);
	assert_string_equal(r.cause[0], "panic: requested");
	assert_string_equal(r.console[0], "line 1\nline 2\n");
	assert_int_equal(r.failed[1].run, 4);
	assert_int_equal(r.failed[1].point, 0);
	assert_int_equal(r.failed[1].rep, 2);
	assert_int_equal(r.failed[1].exit_status, 0);
	assert_string_equal(r.cause[1], "");
	assert_null(r.console[1]);
	rows_free(&r);
}

static void test_series_of_the_first_done_run(void **state)
{
	struct fixture *f = *state;
	struct rows r = { .stop_at = -1 };
	char err[512] = "";
	int64_t run = 0;

	/* Only failed run 1 has a series yet. */
	record_upto(f->s, false);
	assert_int_equal(store_series_run_find(f->s, &run, err, sizeof(err)), 0);
	assert_int_equal(run, -1);
	record(f->s, 2);
	assert_int_equal(store_series_run_find(f->s, &run, err, sizeof(err)), 0);
	assert_int_equal(run, 2);

	/* By series name, then time; the NaN sample kept as NaN. */
	assert_int_equal(store_series_read(f->s, 2, sample_keep, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.name[0], "cpu.0.x");
	assert_int_equal(r.t_ns[0], 5);
	assert_true(r.value[0] == 3);
	assert_string_equal(r.name[1], "cpu.1.x");
	assert_int_equal(r.t_ns[1], 1000000);
	assert_true(isnan(r.value[1]));
	assert_string_equal(r.name[2], "cpu.1.x");
	assert_int_equal(r.t_ns[2], 2000000);
	assert_true(r.value[2] == 1);

	r.n = 0;
	assert_int_equal(store_series_read(f->s, 3, sample_keep, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 0);
}

/* A database error names the store and what SQLite said. */
static void test_errors_name_the_store(void **state)
{
	struct fixture *f = *state;
	struct rows r = { .stop_at = -1 };
	char err[512] = "", path[64];
	sqlite3 *db;

	record_upto(f->s, true);
	snprintf(path, sizeof(path), "%s/%s", f->dir, STORE_FILE);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE console", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_failed_runs_read(f->s, failed_keep, &r, err, sizeof(err)), -1);
	assert_err_has(err, path);
	assert_err_has(err, "no such table: console");
	assert_int_equal(r.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_points_count_runs_by_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_an_empty_store_lists_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_in_key_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metric_and_hist_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metric_values_of_done_runs_by_point, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_callback_error_ends_the_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_runs_with_cause_and_console, setup, teardown),
		cmocka_unit_test_setup_teardown(test_series_of_the_first_done_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_name_the_store, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
