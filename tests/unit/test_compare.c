/*
 * `vmsweep compare` on synthetic stores whose answer is known: identical sweeps (noise
 * only) change nothing and exit 0; a throughput 20 % lower and a latency 20 % lower are
 * worse and better, and exit 1; a shift buried in noise is inconclusive; a point only one
 * sweep has is missing; the manifests' differences are listed.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "compare/compare.h"
#include "store_helpers.h"

#define REPS 5
static const char *const params[] = { "memory" };

/* Noise of a run: a fixed pattern of +-1 (x spread) around the mean, so tests are exact. */
static const double pattern[REPS] = { -1, 0.5, 0, -0.5, 1 };

/* A sweep: points of memory 64M and 128M (and 256M when extra), REPS runs each, with
 * fio.j.write.iops = iops * (1 + spread * pattern) and a p99 latency likewise. */
static void sweep_make(char *dir, double iops, double lat, double spread, bool extra, const char *build)
{
	struct store *s;
	char err[512] = "";
	int64_t values[3] = { 64 << 20, 128 << 20, 256 << 20 };
	size_t nr_points = extra ? 3 : 2;
	struct store_plan_run plan[3 * REPS];
	strcpy(dir, "/tmp/test_compare.XXXXXX");
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < nr_points * REPS; i++)
		plan[i] = (struct store_plan_run){ i / REPS, i % REPS, i };
	if (store_open(dir, true, &s, err, sizeof(err)) ||
	    plan_write(s, 1, params, nr_points, values, nr_points * REPS, plan, err, sizeof(err)) ||
	    store_manifest_set(s, "harness_build_id", build, err, sizeof(err)))
		fail_msg("%s", err);
	for (size_t i = 0; i < nr_points * REPS; i++) {
		struct store_run r = { .status = STORE_DONE, .started = 1, .ended = 2, .wall_ms = 1000 };
		double k = 1 + spread * pattern[i % REPS] * (i / REPS ? -1 : 1); /* the two points' noise differs */
		assert_int_equal(store_run_metric(&r, "fio.j.write.iops", iops * k), 0);
		assert_int_equal(store_run_metric(&r, "fio.j.write.clat_p99_ns", lat * k), 0);
		assert_int_equal(store_run_metric(&r, "vmstat.pgscan_kswapd", 1000), 0);
		if (store_run_record(s, i, &r, err, sizeof(err)))
			fail_msg("%s", err);
		store_run_free(&r);
	}
	store_close(s);
}

static int run_compare(const char *base, const char *new, const char *extra_arg, char **out)
{
	char path[] = "/tmp/test_compare_out.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char *argv[] = { "compare", (char *)base, (char *)new, "--format", "json", "--out", path, (char *)extra_arg, NULL };
	int argc = extra_arg ? 8 : 7;
	int rc = cmd_compare(argc, argv);
	FILE *f = fdopen(fd, "r");
	size_t len = 0;
	*out = NULL;
	FILE *m = open_memstream(out, &len);
	for (int ch; (ch = fgetc(f)) != EOF;)
		fputc(ch, m);
	fclose(m);
	fclose(f);
	unlink(path);
	return rc;
}

/* The verdict of a cell in the JSON output: the metric's and point's cell. */
static void verdict_is(const char *json, const char *point, const char *metric, const char *want)
{
	char key[256];
	snprintf(key, sizeof(key), "\"point\": \"%s\",\n      \"metric\": \"%s\"", point, metric);
	const char *cell = strstr(json, key);
	if (!cell)
		fail_msg("no cell %s / %s in\n%s", point, metric, json);
	const char *v = strstr(cell, "\"verdict\": \"");
	assert_non_null(v);
	v += strlen("\"verdict\": \"");
	if (strncmp(v, want, strlen(want)) || v[strlen(want)] != '"')
		fail_msg("%s / %s: verdict %.20s, want %s", point, metric, v, want);
}

static void test_identical_sweeps_change_nothing(void **state)
{
	char a[64], b[64], *out;
	(void)state;
	sweep_make(a, 10000, 2e6, 0.01, false, "build1");
	sweep_make(b, 10000, 2e6, 0.01, false, "build1");
	assert_int_equal(run_compare(a, b, NULL, &out), 0);
	verdict_is(out, "memory=64M", "fio.j.write.iops", "no change");
	verdict_is(out, "memory=128M", "fio.j.write.clat_p99_ns", "no change");
	assert_non_null(strstr(out, "\"manifest_differences\": {}"));
	free(out);
	tree_remove(a);
	tree_remove(b);
}

static void test_worse_and_better(void **state)
{
	char a[64], b[64], *out;
	(void)state;
	sweep_make(a, 10000, 2e6, 0.01, false, "build1");
	sweep_make(b, 8000, 1.6e6, 0.01, false, "build2"); /* 20 % fewer IOPS, 20 % less latency */
	assert_int_equal(run_compare(a, b, NULL, &out), 1);
	verdict_is(out, "memory=64M", "fio.j.write.iops", "worse");
	verdict_is(out, "memory=128M", "fio.j.write.iops", "worse");
	verdict_is(out, "memory=64M", "fio.j.write.clat_p99_ns", "better");
	assert_non_null(strstr(out, "\"harness_build_id\": [\n      \"build1\",\n      \"build2\"\n    ]"));
	free(out);
	/* the other way round, the IOPS alone: better, and nothing worse */
	assert_int_equal(run_compare(b, a, "--metric=fio.j.write.iops", &out), 0);
	verdict_is(out, "memory=64M", "fio.j.write.iops", "better");
	free(out);
	tree_remove(a);
	tree_remove(b);
}

static void test_noise_is_inconclusive(void **state)
{
	char a[64], b[64], *out;
	(void)state;
	sweep_make(a, 10000, 2e6, 0.3, false, "build1");
	sweep_make(b, 9000, 2e6, 0.3, false, "build1"); /* 10 % down in +-30 % noise */
	assert_int_equal(run_compare(a, b, "--metric=fio.j.write.iops", &out), 0);
	verdict_is(out, "memory=64M", "fio.j.write.iops", "inconclusive");
	free(out);
	tree_remove(a);
	tree_remove(b);
}

static void test_missing_points_and_threshold(void **state)
{
	char a[64], b[64], *out;
	(void)state;
	sweep_make(a, 10000, 2e6, 0.01, true, "build1");
	sweep_make(b, 9700, 2e6, 0.01, false, "build1"); /* 3 % down: under the 5 % threshold */
	assert_int_equal(run_compare(a, b, "--metric=fio.j.write.iops", &out), 0);
	verdict_is(out, "memory=256M", "fio.j.write.iops", "missing");
	verdict_is(out, "memory=64M", "fio.j.write.iops", "no change");
	free(out);
	/* with a 1 % threshold the same 3 % is a change */
	char *argv[] = { "compare", a, b, "--metric", "fio.j.write.iops", "--threshold", "1%", "--format", "md",
			 "--out", "/dev/null", NULL };
	assert_int_equal(cmd_compare(11, argv), 1);
	tree_remove(a);
	tree_remove(b);
}

/* history: a throughput falling 3 % a sweep drifts; a flat one does not; the figure is drawn. */
static void test_history_drift(void **state)
{
	char dirs[4][64], flat[4][64], out[] = "/tmp/test_history.XXXXXX", path[128];
	(void)state;
	assert_non_null(mkdtemp(out));
	for (int k = 0; k < 4; k++) {
		sweep_make(dirs[k], 10000 * (1 - 0.03 * k), 2e6, 0.005, false, "b");
		sweep_make(flat[k], 10000, 2e6, 0.005, false, "b");
	}
	char *argv[] = { "history", dirs[0], dirs[1], dirs[2], dirs[3], "--metric", "fio.j.write.iops", "--out", out, NULL };
	assert_int_equal(cmd_history(9, argv), 0);
	snprintf(path, sizeof(path), "%s/history.md", out);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char text[8192];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	if (!strstr(text, "| memory=64M |") || !strstr(text, "-3.00 % [") || !strstr(text, "drifts |"))
		fail_msg("no drift of -3 %% a sweep in:\n%s", text);
	snprintf(path, sizeof(path), "%s/history-fio.j.write.iops.svg", out);
	assert_int_equal(access(path, R_OK), 0);
	char *flat_argv[] = { "history", flat[0], flat[1], flat[2], flat[3], "--metric", "fio.j.write.iops", "--out", out, NULL };
	assert_int_equal(cmd_history(9, flat_argv), 0);
	snprintf(path, sizeof(path), "%s/history.md", out);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	if (strstr(text, "drifts |"))
		fail_msg("a flat series drifts:\n%s", text);
	char *one[] = { "history", flat[0], NULL };
	assert_int_equal(cmd_history(2, one), 2);
	for (int k = 0; k < 4; k++) {
		tree_remove(dirs[k]);
		tree_remove(flat[k]);
	}
	tree_remove(out);
}

static void test_bad_usage(void **state)
{
	char a[64];
	(void)state;
	sweep_make(a, 10000, 2e6, 0.01, false, "build1");
	char *one[] = { "compare", a, NULL };
	assert_int_equal(cmd_compare(2, one), 2);
	char *nodir[] = { "compare", a, "/nonexistent/sweep", NULL };
	assert_int_equal(cmd_compare(3, nodir), 2);
	char *thr[] = { "compare", a, a, "--threshold", "150%", NULL };
	assert_int_equal(cmd_compare(5, thr), 2);
	char *metric[] = { "compare", a, a, "--metric", "fio.nosuch.iops", NULL };
	assert_int_equal(cmd_compare(5, metric), 2);
	tree_remove(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical_sweeps_change_nothing),
		cmocka_unit_test(test_worse_and_better),
		cmocka_unit_test(test_noise_is_inconclusive),
		cmocka_unit_test(test_missing_points_and_threshold),
		cmocka_unit_test(test_history_drift),
		cmocka_unit_test(test_bad_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
