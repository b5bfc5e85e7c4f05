/*
 * `vmsweep export` on a hand-made store (harness/store/export.c, export_columns.c,
 * export_where.c): the run columns (a failed run's status, cause and exit status; seeds
 * above 2^63 as unsigned numbers), word knobs as words, the rows --where keeps and the
 * columns --metrics names, byte for byte, and the errors for what is wrong in either.
 * Each test works in its own mkdtemp directory.
 */
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "helpers.h"
#include "store/export.h"
#include "store/store.h"
#include "store_helpers.h"

struct fixture {
	char dir[32];
	struct store *s;
};

/*
 * Parameters watermark_model (a knob of words: 0 is 2.4, 1 is 2.6, 2 is modern),
 * memory, tasks_per_cpu; point 0 = (2.4, 64M, 1), 1 = (modern, 128M, 2), 2 = (2.6, 64M, 4).
 *   run 0: point 0 rep 0, seed 11, done: fio.a.write.iops 100, fio.a.read.iops 50,
 *          wakeup_ns.p99 1000
 *   run 1: point 1 rep 0, seed 2^64 - 1, failed (timeout, exit status 7): fio.a.write.iops 7
 *   run 2: point 2 rep 0, seed 2^63, done: fio.a.write.iops 300, wakeup_ns.p99 NaN,
 *          fio.b.write.iops 30
 *   run 3: point 0 rep 1, seed 42, planned
 */
#define NR_RUNS 4
static const char *const params[] = { "watermark_model", "memory", "tasks_per_cpu" };
static const int64_t values[] = { 0, 64 << 20, 1, 2, 128 << 20, 2, 1, 64 << 20, 4 };
static const struct store_plan_run plan[NR_RUNS] = {
	{ 0, 0, 11 }, { 1, 0, UINT64_MAX }, { 2, 0, 1ull << 63 }, { 0, 1, 42 }
};

static void record(struct store *s, size_t id)
{
	struct store_run r = { 0 };
	char err[512] = "";
	r.status = id == 1 ? STORE_FAILED : STORE_DONE;
	r.started = 1700000000.5 + (double)id;
	r.ended = r.started + 0.75;
	r.wall_ms = 750 + (double)id;
	if (id == 0) {
		assert_int_equal(store_run_metric(&r, "fio.a.write.iops", 100), 0);
		assert_int_equal(store_run_metric(&r, "fio.a.read.iops", 50), 0);
		assert_int_equal(store_run_metric(&r, "wakeup_ns.p99", 1000), 0);
	} else if (id == 1) {
		snprintf(r.cause, sizeof(r.cause), "timeout: no progress, \"stuck\"");
		r.exit_status = 7;
		assert_int_equal(store_run_metric(&r, "fio.a.write.iops", 7), 0);
	} else {
		assert_int_equal(store_run_metric(&r, "fio.a.write.iops", 300), 0);
		assert_int_equal(store_run_metric(&r, "wakeup_ns.p99", NAN), 0);
		assert_int_equal(store_run_metric(&r, "fio.b.write.iops", 30), 0);
	}
	if (store_run_record(s, id, &r, err, sizeof(err)))
		fail_msg("record run %zu: %s", id, err);
	store_run_free(&r);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[512] = "";
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_export.XXXXXX");
	if (!mkdtemp(f->dir) || store_open(f->dir, true, &f->s, err, sizeof(err)) ||
	    plan_write(f->s, 3, params, 3, values, NR_RUNS, plan, err, sizeof(err))) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	for (size_t id = 0; id < 3; id++)
		record(f->s, id);
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

/* The export with these options: its return value, the text in *out (malloc'd), the
 * error in err. */
static int export_run(struct store *s, const char *format, const char *where, const char *metrics, char **out,
		      char *err, size_t errlen)
{
	struct export_options o = { .format = format, .where = where, .metrics = metrics };
	size_t len;
	FILE *f = open_memstream(out, &len);
	assert_non_null(f);
	err[0] = '\0';
	int r = store_export_select(s, &o, f, err, errlen);
	fclose(f);
	return r;
}

/* The CSV export of these options, which must succeed, against want. */
static void csv_assert(struct store *s, const char *where, const char *metrics, const char *want)
{
	char *got, err[1024];
	if (export_run(s, "csv", where, metrics, &got, err, sizeof(err)))
		fail_msg("export --where '%s' --metrics '%s': %s", where ? where : "", metrics ? metrics : "", err);
	if (strcmp(got, want))
		fail_msg("export --where '%s' --metrics '%s':\n--- got:\n%s--- want:\n%s", where ? where : "",
			 metrics ? metrics : "", got, want);
	free(got);
}

/* The export of these options must fail as a bad option, write nothing, and say phrase. */
static void bad_assert(struct store *s, const char *where, const char *metrics, const char *phrase)
{
	char *got, err[1024];
	assert_int_equal(export_run(s, "csv", where, metrics, &got, err, sizeof(err)), EXPORT_BAD_OPTION);
	assert_string_equal(got, "");
	assert_err_has(err, phrase);
	free(got);
}

static void where_bad(struct store *s, const char *where, const char *phrase)
{
	bad_assert(s, where, NULL, phrase);
}

static void test_every_column_csv(void **state)
{
	struct fixture *f = *state;
	csv_assert(f->s, NULL, NULL,
		   "run,point,rep,status,watermark_model,memory,tasks_per_cpu,seed,wall_ms,started,ended,exit_status,"
		   "cause,fio.a.write.iops,fio.a.read.iops,wakeup_ns.p99,fio.b.write.iops\n"
		   "0,0,0,done,2.4,67108864,1,11,750,1700000000.5,1700000001.25,0,,100,50,1000,\n"
		   "1,1,0,failed,4.6,134217728,2,18446744073709551615,751,1700000001.5,1700000002.25,7,"
		   "\"timeout: no progress, \"\"stuck\"\"\",7,,,\n"
		   "2,2,0,done,2.6.10,67108864,4,9223372036854775808,752,1700000002.5,1700000003.25,0,,300,,,30\n"
		   "3,0,1,planned,2.4,67108864,1,42,,,,,,,,,\n");
}

static void test_every_column_json(void **state)
{
	struct fixture *f = *state;
	char *got, err[512];
	json_error_t jerr;
	assert_int_equal(export_run(f->s, "json", NULL, NULL, &got, err, sizeof(err)), 0);
	json_t *doc = json_loads(got, 0, &jerr);
	if (!doc)
		fail_msg("%s at line %d:\n%s", jerr.text, jerr.line, got);
	assert_int_equal(json_array_size(doc), NR_RUNS);
	json_t *failed = json_array_get(doc, 1), *planned = json_array_get(doc, 3);
	assert_string_equal(json_string_value(json_object_get(failed, "status")), "failed");
	assert_string_equal(json_string_value(json_object_get(failed, "cause")), "timeout: no progress, \"stuck\"");
	assert_int_equal(json_integer_value(json_object_get(failed, "exit_status")), 7);
	/* Seeds are strings of the unsigned digits: 2^64 - 1 would not fit a JSON integer
	 * that jansson (or jq 1.6) reads back. */
	assert_string_equal(json_string_value(json_object_get(failed, "seed")), "18446744073709551615");
	assert_string_equal(json_string_value(json_object_get(json_array_get(doc, 2), "seed")),
			    "9223372036854775808");
	assert_string_equal(json_string_value(json_object_get(failed, "watermark_model")), "4.6");
	assert_int_equal(json_integer_value(json_object_get(failed, "memory")), 128 << 20);
	assert_true(json_number_value(json_object_get(failed, "wall_ms")) == 751);
	assert_true(json_number_value(json_object_get(failed, "started")) == 1700000001.5);
	/* What a run does not have is left out: a done run's cause, a planned run's times. */
	assert_null(json_object_get(json_array_get(doc, 0), "cause"));
	assert_null(json_object_get(json_array_get(doc, 2), "wakeup_ns.p99")); /* NaN */
	assert_null(json_object_get(planned, "wall_ms"));
	assert_null(json_object_get(planned, "exit_status"));
	assert_string_equal(json_string_value(json_object_get(planned, "seed")), "42");
	assert_int_equal(json_object_size(planned), 4 + 3 + 1);
	json_decref(doc);
	free(got);
}

static void test_metrics_select_columns(void **state)
{
	struct fixture *f = *state;
	/* In the list's order, each once; a pattern's matches in the order first recorded. */
	csv_assert(f->s, NULL, "fio.*.write.iops, seed,fio.a.write.iops",
		   "run,point,rep,status,watermark_model,memory,tasks_per_cpu,fio.a.write.iops,fio.b.write.iops,seed\n"
		   "0,0,0,done,2.4,67108864,1,100,,11\n"
		   "1,1,0,failed,4.6,134217728,2,7,,18446744073709551615\n"
		   "2,2,0,done,2.6.10,67108864,4,300,30,9223372036854775808\n"
		   "3,0,1,planned,2.4,67108864,1,,,42\n");
	/* The columns every row has may be named: they are there already. */
	csv_assert(f->s, "run == 0", "status,memory,cause,wall_ms",
		   "run,point,rep,status,watermark_model,memory,tasks_per_cpu,cause,wall_ms\n"
		   "0,0,0,done,2.4,67108864,1,,750\n");
	csv_assert(f->s, "run == 1", "*_ms,?xit_status",
		   "run,point,rep,status,watermark_model,memory,tasks_per_cpu,wall_ms,exit_status\n"
		   "1,1,0,failed,4.6,134217728,2,751,7\n");
}

static void test_metrics_errors(void **state)
{
	struct fixture *f = *state;
	bad_assert(f->s, NULL, "fio.*.write.iosp",
		   "--metrics fio.*.write.iosp: 'fio.*.write.iosp' matches no column of this sweep (did you mean "
		   "'fio.*.write.iops'?)");
	bad_assert(f->s, NULL, "seed,wal_ms", "unknown column 'wal_ms' (did you mean 'wall_ms'?)");
	bad_assert(f->s, NULL, "vmstat.pswpin", "metric 'vmstat.pswpin' is in no run of this sweep");
	bad_assert(f->s, NULL, "mem.*", "'mem.*' matches no column of this sweep; its value columns: seed, wall_ms");
	bad_assert(f->s, NULL, "seed,,cause", "an empty name in the list");
	bad_assert(f->s, NULL, "", "an empty name in the list");
}

/* The run ids of the CSV export of where, as "0,2". */
static void where_assert(struct store *s, const char *where, const char *want)
{
	char *got, err[1024], ids[64] = "";
	size_t off = 0;
	if (export_run(s, "csv", where, "seed", &got, err, sizeof(err)))
		fail_msg("--where '%s': %s", where, err);
	for (char *line = strchr(got, '\n'); line && line[1]; line = strchr(line + 1, '\n'))
		off += (size_t)snprintf(ids + off, sizeof(ids) - off, "%s%d", off ? "," : "", atoi(line + 1));
	if (strcmp(ids, want))
		fail_msg("--where '%s': runs %s, want %s", where, ids, want);
	free(got);
}

static void test_where_selects_runs(void **state)
{
	struct fixture *f = *state;
	where_assert(f->s, "status == done", "0,2");
	where_assert(f->s, "status==failed", "1");
	where_assert(f->s, "watermark_model == modern", "1");
	where_assert(f->s, "watermark_model != 2.4 && status != planned", "1,2");
	where_assert(f->s, "watermark_model == '2.6'", "2");
	where_assert(f->s, "memory >= 128M", "1");
	where_assert(f->s, "tasks_per_cpu < 4 && exit_status == 0", "0");
	/* Seeds compare as the unsigned numbers they are. */
	where_assert(f->s, "seed == 18446744073709551615", "1");
	where_assert(f->s, "seed == 0xffffffffffffffff", "1");
	where_assert(f->s, "seed > 9223372036854775807", "1,2");
	where_assert(f->s, "seed < 100", "0,3");
	where_assert(f->s, "fio.a.write.iops > 50", "0,2");
	where_assert(f->s, "wall_ms >= 751 && started < 1700000002", "1");
	/* A value the run lacks (NaN, not recorded, planned) fails every comparison. */
	where_assert(f->s, "wakeup_ns.p99 > 0 || wakeup_ns.p99 <= 0", "0");
	where_assert(f->s, "fio.b.write.iops != 1", "2");
	where_assert(f->s, "!(wall_ms > 0)", "3");
	where_assert(f->s, "cause == 'timeout*'", "1");
	where_assert(f->s, "cause == \"\"", "0,2,3");
	where_assert(f->s, "(rep == 1 || point == 2) && !(status == failed)", "2,3");
	where_assert(f->s, "status == done && point == 1 || run == 3", "3"); /* && binds tighter */
	where_assert(f->s, "run > 10", "");
}

static void test_where_errors(void **state)
{
	struct fixture *f = *state;
	where_bad(f->s, "status == don", "--where 'status == don': column 11: status: 'don' is not a status (did "
					  "you mean 'done'?)");
	where_bad(f->s, "tasks_per_cpus == 1", "column 1: unknown name 'tasks_per_cpus' (did you mean "
						"'tasks_per_cpu'?)");
	where_bad(f->s, "vcpus == 1", "unknown name 'vcpus': not a parameter of this sweep (watermark_model, "
				       "memory, tasks_per_cpu)");
	where_bad(f->s, "vmstat.pswpin > 0", "metric 'vmstat.pswpin' is in no run of this sweep");
	where_bad(f->s, "4 > tasks_per_cpu", "expected a name, found '4'");
	where_bad(f->s, "watermark_model < modern", "'<' orders numbers: watermark_model takes == or !=");
	where_bad(f->s, "cause >= 'x'", "cause takes == or !=");
	where_bad(f->s, "watermark_model == moden", "watermark_model: 'moden': expected one of 2.4, 2.6.10, 4.6, "
						     "2.6.0");
	where_bad(f->s, "tasks_per_cpu == 1ms", "tasks_per_cpu: '1ms'");
	where_bad(f->s, "memory = 64M", "'=' is not a comparison: write '=='");
	where_bad(f->s, "status == done & rep == 0", "'&' alone is not an operator: write '&&'");
	where_bad(f->s, "status == done &&", "column 18: expected a name, '!' or '(', found the end");
	where_bad(f->s, "(status == done", "expected ')' to close the '(' at column 1, found the end");
	where_bad(f->s, "status == done rep == 0", "unexpected 'rep' after a complete comparison");
	where_bad(f->s, "status done", "expected a comparison (==, !=, <, <=, >, >=) after 'status', found 'done'");
	where_bad(f->s, "status ==", "expected a value after 'status ==', found the end");
	where_bad(f->s, "seed == -1", "seed: '-1': expected an unsigned integer");
	where_bad(f->s, "seed == 18446744073709551616", "larger than 2^64 - 1");
	where_bad(f->s, "wall_ms > fast", "wall_ms: 'fast': expected a number");
	where_bad(f->s, "cause == 'x", "the quote ' is not closed");
	where_bad(f->s, "  ", "an empty expression");
}

static void test_format_refused(void **state)
{
	struct fixture *f = *state;
	char *got, err[512];
	assert_int_equal(export_run(f->s, "xml", NULL, NULL, &got, err, sizeof(err)), EXPORT_BAD_OPTION);
	assert_err_has(err, "--format xml: unknown format (csv or json)");
	assert_string_equal(got, "");
	free(got);
	/* A filter that keeps nothing is no error: JSON's array is empty. */
	assert_int_equal(export_run(f->s, "json", "run > 9", NULL, &got, err, sizeof(err)), 0);
	assert_string_equal(got, "[]\n");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_column_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_column_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_select_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_where_selects_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_where_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
