/*
 * A sweep cut into shards: the run-id ranges of the manifest, --shard's parsing, and
 * the assignment: every run in exactly one shard, the shards' expected times balanced,
 * the same assignment each time it is computed, a point's runs together under repeat =
 * auto.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sweep/config.h"
#include "sweep/grid.h"
#include "sweep/preflight.h"
#include "sweep/shard.h"
#include "util/id_ranges.h"

static void ranges_round_trip(const size_t *ids, size_t n, const char *text)
{
	char *t = id_ranges_format(ids, n), err[256];
	size_t *back, m;
	assert_non_null(t);
	assert_string_equal(t, text);
	assert_int_equal(id_ranges_parse(t, &back, &m, err, sizeof(err)), 0);
	assert_int_equal(m, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(back[i], ids[i]);
	free(back);
	free(t);
}

static void test_id_ranges(void **state)
{
	(void)state;
	static const size_t a[] = { 0, 1, 2, 5, 7, 8, 100 }, b[] = { 3 };
	char err[256];
	size_t *ids, n;

	ranges_round_trip(a, 7, "0-2,5,7-8,100");
	ranges_round_trip(b, 1, "3");
	ranges_round_trip(NULL, 0, "");
	static const char *const bad[] = { "1,", "a", "3-1", "1-", "2,2", "5,3", "1;2", "-1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		if (id_ranges_parse(bad[i], &ids, &n, err, sizeof(err)) != -1)
			fail_msg("'%s' was accepted", bad[i]);
		assert_non_null(strstr(err, "'"));
	}
}

static void test_shard_parse(void **state)
{
	(void)state;
	struct sweep_shard s;
	char err[256];
	assert_int_equal(sweep_shard_parse("0/4", &s, err, sizeof(err)), 0);
	assert_int_equal(s.index, 0);
	assert_int_equal(s.count, 4);
	assert_int_equal(sweep_shard_parse("3/4", &s, err, sizeof(err)), 0);
	assert_int_equal(sweep_shard_parse("4/4", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "numbered from 0"));
	assert_int_equal(sweep_shard_parse("0/0", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "N must be 1.."));
	static const char *const bad[] = { "1", "/4", "1/", "a/4", "1/4x", "-1/4", "1 /4" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sweep_shard_parse(bad[i], &s, err, sizeof(err)) != -1)
			fail_msg("'%s' was accepted", bad[i]);
		assert_non_null(strstr(err, "expected I/N"));
	}
}

static void load_text(const char *text, struct sweep_config *c, struct sweep_plan *p)
{
	char path[] = "/tmp/test_shard.XXXXXX", err[1024] = "";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	memset(c, 0, sizeof(*c));
	memset(p, 0, sizeof(*p));
	if (sweep_config_load(path, c, err, sizeof(err)) || sweep_plan(c, p, err, sizeof(err)))
		fail_msg("%s", err);
	unlink(path);
}

/* Runs of very different lengths (20 ms to 2 s) over 4 shards. */
static void test_assign_balanced(void **state)
{
	(void)state;
	struct sweep_config c;
	struct sweep_plan p;
	load_text("[sweep]\nrepeat = 7\nseed = 11\n[params]\nduration_ms = 20, 200, 2000\nvcpus = 1, 2\n", &c, &p);
	unsigned *a = malloc(p.nr_runs * sizeof(*a)), *b = malloc(p.nr_runs * sizeof(*b));
	double load[4] = { 0 }, longest = 0;
	size_t count[4] = { 0 };
	char err[256];
	assert_int_equal(sweep_shard_assign(&c, &p, NULL, 4, a, NULL, err, sizeof(err)), 0);
	assert_int_equal(sweep_shard_assign(&c, &p, NULL, 4, b, NULL, err, sizeof(err)), 0);
	assert_memory_equal(a, b, p.nr_runs * sizeof(*a)); /* every node computes the same */
	for (size_t r = 0; r < p.nr_runs; r++) {
		bool bound;
		double s = sweep_point_seconds(&c, &p, p.runs[r].point, NULL, &bound) + SWEEP_RUN_OVERHEAD_S;
		assert_true(a[r] < 4);
		load[a[r]] += s;
		count[a[r]]++;
		longest = s > longest ? s : longest;
	}
	double lo = load[0], hi = load[0];
	for (int k = 0; k < 4; k++) {
		lo = load[k] < lo ? load[k] : lo;
		hi = load[k] > hi ? load[k] : hi;
		assert_true(count[k] > 0);
	}
	/* greedy to the least loaded: no shard ends more than one run's time behind another */
	if (hi - lo > longest)
		fail_msg("shard loads %.2f..%.2f s differ by more than the longest run, %.2f s", lo, hi, longest);
	/* and counting runs instead would not be balanced: the test has teeth */
	assert_true(count[0] != count[1] || count[1] != count[2] || count[2] != count[3]);
	free(a);
	free(b);
	sweep_plan_free(&p);
	sweep_config_free(&c);
}

/* repeat = auto decides from a point's earlier runs: they must all be in one shard. */
static void test_assign_auto_keeps_points(void **state)
{
	(void)state;
	struct sweep_config c;
	struct sweep_plan p;
	load_text("[sweep]\nrepeat = auto\nmax_repeat = 6\nci_metric = boot.total_ns\nseed = 5\n[params]\n"
		  "vcpus = 1, 2\nhz = 100, 250, 1000\n",
		  &c, &p);
	unsigned *a = malloc(p.nr_runs * sizeof(*a)), shard_of_point[16];
	char err[256];
	memset(shard_of_point, 0xff, sizeof(shard_of_point));
	assert_int_equal(sweep_shard_assign(&c, &p, NULL, 3, a, NULL, err, sizeof(err)), 0);
	size_t per[3] = { 0 };
	for (size_t r = 0; r < p.nr_runs; r++) {
		size_t pt = p.runs[r].point;
		if (shard_of_point[pt] == 0xffffffffu)
			shard_of_point[pt] = a[r];
		assert_int_equal(a[r], shard_of_point[pt]);
		per[a[r]]++;
	}
	assert_int_equal(per[0], 2 * 6); /* 6 points of equal cost: 2 each */
	assert_int_equal(per[1], 2 * 6);
	assert_int_equal(per[2], 2 * 6);
	free(a);
	sweep_plan_free(&p);
	sweep_config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_ranges),
		cmocka_unit_test(test_shard_parse),
		cmocka_unit_test(test_assign_balanced),
		cmocka_unit_test(test_assign_auto_keeps_points),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
