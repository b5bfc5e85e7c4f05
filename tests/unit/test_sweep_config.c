/*
 * Sweep configs and their plans: parsing (every section, ranges with units, zip,
 * include, ${VAR}), constraint expressions (precedence, errors with their column),
 * grid expansion (cartesian product, zip pairing, constraints), the run order (seeded,
 * reproducible, different for another seed, every point exactly `repeat` times), and
 * the broken corpus: each .ini file of tests/sweep-corpus/bad/ fails with the message and the
 * file:line its first line announces ("# expect: FILE:LINE: phrase"). Run from the
 * repository root, as `make check` does.
 */
#include <jansson.h>
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

#include "corpus.h"
#include "helpers.h"
#include "sweep/config.h"
#include "sweep/expr.h"
#include "sweep/grid.h"
#include "sweep/plan_print.h"
#include "sweep/point_workload.h"
#include "sweep/preflight.h"
#include "report/report.h"
#include "util/knob.h"

#define GOOD "tests/sweep-corpus/good/"
#define BAD "tests/sweep-corpus/bad/"
#define MIB (1ll << 20)
#define GIB (1ll << 30)

static void load_ok(const char *path, struct sweep_config *c)
{
	char err[1024] = "";

	if (sweep_config_load(path, c, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
}

static void plan_ok(const struct sweep_config *c, struct sweep_plan *p)
{
	char err[1024] = "";

	if (sweep_plan(c, p, err, sizeof(err)))
		fail_msg("%s: %s", c->path, err);
}

/* Writes text to a temporary config and loads it; returns the load's result. */
static int load_text(const char *text, struct sweep_config *c, char *err, size_t errlen)
{
	char path[] = "/tmp/test_sweep_config.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	int r = sweep_config_load(path, c, err, errlen);
	unlink(path);
	return r;
}

static void load_text_ok(const char *text, struct sweep_config *c)
{
	char err[1024] = "";

	if (load_text(text, c, err, sizeof(err)))
		fail_msg("%s\n---\n%s", err, text);
}

static void test_full(void **state)
{
	(void)state;
	struct sweep_config c;

	load_ok(GOOD "full.ini", &c);
	assert_string_equal(c.name, "full-example");
	assert_int_equal(c.repeat, 2);
	assert_int_equal(c.seed, 42);
	assert_int_equal(c.order, SWEEP_ORDER_SEQUENTIAL);
	assert_int_equal(c.timeout_ns, 90ull * 1000000000ull);
	assert_int_equal(c.jobs, 2);
	assert_int_equal(c.mem_size, 256 * MIB);
	assert_int_equal(c.nr_cpus, 4);
	assert_int_equal(c.hz, 1000);
	assert_int_equal(c.nr_disks, 2);
	assert_string_equal(c.disks[0].path, "/var/tmp/vmsweep-test-a.img");
	assert_int_equal(c.disks[0].size, GIB);
	assert_int_equal(c.disks[1].engine, DISK_ENGINE_SYNC);
	assert_int_equal(c.blk_poll_ns, 20000);
	assert_int_equal(c.knobs[VMS_KNOB_duration_ms], 1000);
	assert_int_equal(c.knobs[VMS_KNOB_softlockup_panic], 1);
	assert_int_equal(c.knobs[VMS_KNOB_spin_ms], knob_table[VMS_KNOB_spin_ms].def);
	assert_int_equal(c.nr_job_files, 1);
	assert_string_equal(c.job_files[0].path, GOOD "job.fio"); /* relative to the config */
	assert_int_equal(c.job_files[0].line, 21);

	assert_int_equal(c.nr_params, 2);
	assert_string_equal(c.params[0].name, "blk_queue_depth");
	assert_int_equal(c.params[0].kind, SWEEP_PARAM_KNOB);
	assert_int_equal(c.params[0].knob, VMS_KNOB_blk_queue_depth);
	static const int64_t qd[] = { 1, 4, 8, 12, 16, 128 };
	assert_int_equal(c.params[0].nr_values, 6);
	assert_memory_equal(c.params[0].values, qd, sizeof(qd));
	assert_int_equal(c.params[0].line, 24);
	assert_int_equal(c.params[1].nr_values, 2);
	assert_int_equal(c.nr_constraints, 1);
	assert_string_equal(c.constraints[0].text, "blk_completion != poll || blk_queue_depth <= 16");
	assert_int_equal(c.constraints[0].line, 28);

	assert_int_equal(c.nr_metrics, 2);
	assert_string_equal(c.metrics[0], "write_iops");
	assert_string_equal(c.metrics[1], "write_clat_p99_us");
	assert_int_equal(c.report_x, 0);
	assert_int_equal(c.report_lines, 1);

	/* 6 x 2 grid; blk_completion=poll keeps the 5 depths <= 16 */
	struct sweep_plan p;
	plan_ok(&c, &p);
	assert_int_equal(p.nr_grid, 12);
	assert_int_equal(p.nr_points, 11);
	assert_int_equal(p.nr_filtered, 1);
	assert_int_equal(p.nr_runs, 22);
	sweep_plan_free(&p);
	sweep_config_free(&c);
}

static void test_defaults(void **state)
{
	(void)state;
	struct sweep_config c;
	struct sweep_plan p;

	load_ok(GOOD "minimal.ini", &c);
	assert_string_equal(c.name, "minimal"); /* the file's name */
	assert_int_equal(c.repeat, 10);
	assert_int_equal(c.seed, 1);
	assert_int_equal(c.order, SWEEP_ORDER_RANDOM);
	assert_int_equal(c.jobs, 1);
	assert_int_equal(c.mem_size, 128 * MIB);
	assert_int_equal(c.nr_cpus, 2);
	assert_int_equal(c.hz, 250);
	assert_int_equal(c.nr_params, 0);
	assert_int_equal(c.nr_job_files, 0);
	assert_int_equal(c.report_x, -1);
	plan_ok(&c, &p);
	assert_int_equal(p.nr_points, 1);
	assert_int_equal(p.nr_runs, 10);
	sweep_plan_free(&p);
	sweep_config_free(&c);
}

static void test_ranges_with_units(void **state)
{
	(void)state;
	struct sweep_config c;
	struct sweep_plan p;
	static const int64_t mem[] = { 64 * MIB, 128 * MIB, 192 * MIB, 256 * MIB, GIB };
	static const int64_t dur[] = { 500, 750, 1000 };
	static const int64_t spin[] = { 1, 3, 6, 9 };

	load_ok(GOOD "ranges.ini", &c);
	assert_int_equal(c.nr_params, 3);
	assert_int_equal(c.params[0].kind, SWEEP_PARAM_MEMORY);
	assert_int_equal(c.params[0].nr_values, 5);
	assert_memory_equal(c.params[0].values, mem, sizeof(mem));
	assert_int_equal(c.params[1].nr_values, 3);
	assert_memory_equal(c.params[1].values, dur, sizeof(dur));
	assert_int_equal(c.params[2].nr_values, 4);
	assert_memory_equal(c.params[2].values, spin, sizeof(spin));
	plan_ok(&c, &p);
	assert_int_equal(p.nr_grid, 5 * 3 * 4);
	assert_int_equal(p.nr_points, 60);
	sweep_plan_free(&p);
	sweep_config_free(&c);

	/* END is included only when a step lands on it */
	load_text_ok("[params]\ntasks_per_cpu = 5..40 step 10\n", &c);
	static const int64_t t[] = { 5, 15, 25, 35 };
	assert_int_equal(c.params[0].nr_values, 4);
	assert_memory_equal(c.params[0].values, t, sizeof(t));
	sweep_config_free(&c);
}

/* The last parameter varies fastest; the product has every combination once. */
static void test_cartesian(void **state)
{
	(void)state;
	struct sweep_config c;
	struct sweep_plan p;

	load_text_ok("[sweep]\nrepeat = 1\norder = sequential\n"
		     "[params]\nvcpus = 1, 2\nhz = 100, 250, 1000\nspin_ms = 1..4 step 1\n",
		     &c);
	plan_ok(&c, &p);
	assert_int_equal(p.nr_params, 3);
	assert_int_equal(p.nr_grid, 24);
	assert_int_equal(p.nr_points, 24);
	assert_int_equal(p.nr_filtered, 0);
	const int64_t *v = sweep_plan_point(&p, 0);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 100);
	assert_int_equal(v[2], 1);
	v = sweep_plan_point(&p, 1);
	assert_int_equal(v[2], 2);
	v = sweep_plan_point(&p, 4);
	assert_int_equal(v[1], 250);
	assert_int_equal(v[2], 1);
	v = sweep_plan_point(&p, 23);
	assert_int_equal(v[0], 2);
	assert_int_equal(v[1], 1000);
	assert_int_equal(v[2], 4);
	for (size_t i = 0; i < 24; i++)
		for (size_t j = 0; j < i; j++)
			assert_memory_not_equal(sweep_plan_point(&p, i), sweep_plan_point(&p, j), 3 * sizeof(int64_t));
	sweep_plan_free(&p);
	sweep_config_free(&c);
}

static void test_zip(void **state)
{
	(void)state;
	struct sweep_config c;
	struct sweep_plan p;

	load_ok(GOOD "zip.ini", &c);
	assert_int_equal(c.nr_zips, 2);
	assert_int_equal(c.params[0].zip, 0); /* memory */
	assert_int_equal(c.params[1].zip, -1); /* hz */
	assert_int_equal(c.params[2].zip, 0); /* vcpus */
	assert_int_equal(c.params[3].zip, 1);
	assert_int_equal(c.params[4].zip, 1);
	plan_ok(&c, &p);
	/* (memory, vcpus) x hz x (spin_ms, sleep_ms): 3 x 2 x 2, not 3 x 2 x 3 x 2 x 2 */
	assert_int_equal(p.nr_points, 12);
	for (size_t i = 0; i < p.nr_points; i++) {
		const int64_t *v = sweep_plan_point(&p, i);
		int64_t want_cpus = v[0] == 64 * MIB ? 1 : v[0] == 128 * MIB ? 2 : 4;
		assert_int_equal(v[2], want_cpus);
		assert_int_equal(v[4], v[3] == 1 ? 4 : 8);
	}
	/* memory's factor first, then hz, then the spin/sleep pair */
	assert_int_equal(sweep_plan_point(&p, 0)[0], 64 * MIB);
	assert_int_equal(sweep_plan_point(&p, 1)[3], 2);
	assert_int_equal(sweep_plan_point(&p, 2)[1], 250);
	assert_int_equal(sweep_plan_point(&p, 4)[0], 128 * MIB);
	sweep_plan_free(&p);
	sweep_config_free(&c);
}

static void test_constraints_filter(void **state)
{
	(void)state;
	struct sweep_config c;
	struct sweep_plan p;
	static const int64_t want[][2] = { { 32 * MIB, 1 },  { 64 * MIB, 1 },	{ 64 * MIB, 2 },  { 96 * MIB, 1 },
					   { 96 * MIB, 2 },  { 128 * MIB, 1 }, { 128 * MIB, 2 }, { 128 * MIB, 4 } };

	load_ok(GOOD "constraints.ini", &c);
	assert_int_equal(c.nr_constraints, 3);
	plan_ok(&c, &p);
	assert_int_equal(p.nr_grid, 16);
	assert_int_equal(p.nr_points, 8);
	assert_int_equal(p.nr_filtered, 8);
	for (size_t i = 0; i < 8; i++)
		assert_memory_equal(sweep_plan_point(&p, i), want[i], sizeof(want[i]));
	sweep_plan_free(&p);
	sweep_config_free(&c);
}

static int64_t eval(const char *text, int64_t a, int64_t b)
{
	static const char *const names[] = { "a", "b" };
	const int64_t vals[] = { a, b };
	struct sweep_expr *e;
	char cause[256] = "";
	unsigned col = 0;
	int64_t r;

	if (sweep_expr_parse(text, names, 2, &e, &col, cause, sizeof(cause)))
		fail_msg("'%s': column %u: %s", text, col, cause);
	if (sweep_expr_eval(e, vals, &r, cause, sizeof(cause)))
		fail_msg("'%s': %s", text, cause);
	sweep_expr_free(e);
	return r;
}

static void test_expr_precedence(void **state)
{
	(void)state;
	assert_int_equal(eval("a + b * 3", 1, 2), 7);
	assert_int_equal(eval("(a + b) * 3", 1, 2), 9);
	assert_int_equal(eval("a - b - 1", 10, 3), 6); /* left to right */
	assert_int_equal(eval("a / b / 2", 20, 2), 5);
	assert_int_equal(eval("-a + b", 3, 5), 2);
	assert_int_equal(eval("- -a", 3, 0), 3);
	assert_int_equal(eval("+a", 3, 0), 3);
	assert_int_equal(eval("!a", 0, 0), 1);
	assert_int_equal(eval("!a + 1", 5, 0), 1); /* unary binds tighter */
	assert_int_equal(eval("a < b == b < a", 1, 2), 0); /* relational before equality */
	assert_int_equal(eval("a + 1 < b * 2", 3, 2), 0);
	assert_int_equal(eval("a == 1 || b == 1 && a == 2", 1, 0), 1); /* && before || */
	assert_int_equal(eval("(a == 1 || b == 1) && a == 2", 1, 1), 0);
	assert_int_equal(eval("a != b && !(a > b)", 1, 2), 1);
	assert_int_equal(eval("a >= 64M", 64 * MIB, 0), 1);
	assert_int_equal(eval("a >= 64M", 64 * MIB - 1, 0), 0);
	assert_int_equal(eval("a <= 1G / 4", 256 * MIB, 0), 1);
	assert_int_equal(eval("a == 0x10", 16, 0), 1);
	assert_int_equal(eval("a / -2", 7, 0), -3); /* C's truncation */
	/* short-circuit: the division by zero is not evaluated */
	assert_int_equal(eval("b == 0 || a / b > 1", 5, 0), 1);
	assert_int_equal(eval("b != 0 && a / b > 1", 5, 0), 0);
}

static void expr_fails(const char *text, unsigned want_col, const char *phrase)
{
	static const char *const names[] = { "dirty_ratio", "vcpus" };
	struct sweep_expr *e = (void *)1;
	char cause[256] = "";
	unsigned col = 0;

	if (sweep_expr_parse(text, names, 2, &e, &col, cause, sizeof(cause)) == 0)
		fail_msg("'%s' parsed", text);
	assert_null(e);
	if (col != want_col || !strstr(cause, phrase))
		fail_msg("'%s': column %u: %s (want column %u: %s)", text, col, cause, want_col, phrase);
}

static void test_expr_errors(void **state)
{
	(void)state;
	expr_fails("", 1, "empty constraint");
	expr_fails("dirty_raito < 2", 1, "unknown parameter 'dirty_raito' (did you mean 'dirty_ratio'?)");
	expr_fails("vcpus < (2 + 1", 15, "expected ')' to close the '(' at column 9");
	expr_fails("vcpus < 2)", 10, "unexpected ')'");
	expr_fails("vcpus <", 8, "found the end of the line");
	expr_fails("vcpus = 2", 7, "'=' is not a comparison");
	expr_fails("vcpus & 2", 7, "write '&&'");
	expr_fails("vcpus | 2", 7, "write '||'");
	expr_fails("vcpus < 2 % 3", 11, "unexpected character '%'");
	expr_fails("1 < vcpus < 4", 11, "chained comparison");
	expr_fails("vcpus == 1 == 1", 12, "chained comparison");
	expr_fails("1 + 2 < 4", 1, "refers to no parameter");
	expr_fails("vcpus < 12Q", 9, "unknown unit 'Q'");
	expr_fails("vcpus < 99999999999999999999", 9, "too large");
	expr_fails("vcpus vcpus", 7, "unexpected 'vcpus' after a complete expression");

	/* nesting is bounded */
	char deep[300];
	memset(deep, '(', 100);
	strcpy(deep + 100, "vcpus");
	memset(deep + 105, ')', 100);
	deep[205] = '\0';
	expr_fails(deep, 65, "nested more than 64 deep");

	/* evaluation errors name the column */
	static const char *const names[] = { "a" };
	struct sweep_expr *e;
	char cause[256];
	int64_t r, big = INT64_MAX;
	assert_int_equal(sweep_expr_parse("a * 2 > 0", names, 1, &e, NULL, cause, sizeof(cause)), 0);
	assert_int_equal(sweep_expr_eval(e, &big, &r, cause, sizeof(cause)), -1);
	assert_non_null(strstr(cause, "overflow at column 3"));
	sweep_expr_free(e);
	assert_int_equal(sweep_expr_parse("10 / a", names, 1, &e, NULL, cause, sizeof(cause)), 0);
	int64_t zero = 0;
	assert_int_equal(sweep_expr_eval(e, &zero, &r, cause, sizeof(cause)), -1);
	assert_non_null(strstr(cause, "division by zero at column 4"));
	assert_true(sweep_expr_uses(e, 0));
	sweep_expr_free(e);
}

/* The constraint's column is counted in the file's line, indentation included. */
static void test_constraint_column_in_file(void **state)
{
	(void)state;
	struct sweep_config c;
	char err[1024] = "";

	assert_int_equal(load_text("[params]\nvcpus = 1, 2\n[constraints]\n\t  vcpus < )\n", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":4: constraint 'vcpus < )': column 12: expected a number"));
	sweep_config_free(&c);
}

static const char order_cfg[] = "[sweep]\nrepeat = 4\nseed = %d\norder = %s\n"
				"[params]\nvcpus = 1, 2, 4\nhz = 100, 250\n";

static void load_order(int seed, const char *order, struct sweep_config *c, struct sweep_plan *p)
{
	char text[512];

	snprintf(text, sizeof(text), order_cfg, seed, order);
	load_text_ok(text, c);
	plan_ok(c, p);
}

static void test_every_run_once(void **state)
{
	(void)state;
	struct sweep_config c;
	struct sweep_plan p;

	load_order(7, "random", &c, &p);
	assert_int_equal(p.nr_points, 6);
	assert_int_equal(p.nr_runs, 24);
	unsigned seen[6][4] = { { 0 } };
	for (size_t i = 0; i < p.nr_runs; i++) {
		assert_int_equal(p.runs[i].index, i);
		assert_true(p.runs[i].point < 6);
		assert_true(p.runs[i].rep < 4);
		seen[p.runs[i].point][p.runs[i].rep]++;
		assert_true(p.runs[i].seed <= (uint64_t)INT64_MAX);
		for (size_t j = 0; j < i; j++)
			assert_true(p.runs[i].seed != p.runs[j].seed);
	}
	for (size_t pt = 0; pt < 6; pt++)
		for (unsigned r = 0; r < 4; r++)
			assert_int_equal(seen[pt][r], 1);
	sweep_plan_free(&p);
	sweep_config_free(&c);
}

static bool same_order(const struct sweep_plan *a, const struct sweep_plan *b)
{
	if (a->nr_runs != b->nr_runs)
		return false;
	for (size_t i = 0; i < a->nr_runs; i++)
		if (a->runs[i].point != b->runs[i].point || a->runs[i].rep != b->runs[i].rep)
			return false;
	return true;
}

static void test_seeded_order(void **state)
{
	(void)state;
	struct sweep_config c1, c2, c3, cs;
	struct sweep_plan p1, p2, p3, ps;

	load_order(7, "random", &c1, &p1);
	load_order(7, "random", &c2, &p2);
	load_order(8, "random", &c3, &p3);
	load_order(7, "sequential", &cs, &ps);
	/* the same config plans the same runs with the same seeds */
	assert_true(same_order(&p1, &p2));
	for (size_t i = 0; i < p1.nr_runs; i++)
		assert_int_equal(p1.runs[i].seed, p2.runs[i].seed);
	/* another seed, another order and other run seeds */
	assert_false(same_order(&p1, &p3));
	assert_true(p1.runs[0].seed != p3.runs[0].seed || p1.runs[0].point != p3.runs[0].point);
	/* random is not sequential; sequential is point by point */
	assert_false(same_order(&p1, &ps));
	for (size_t i = 0; i < ps.nr_runs; i++) {
		assert_int_equal(ps.runs[i].point, i / 4);
		assert_int_equal(ps.runs[i].rep, i % 4);
	}
	/* a run's seed belongs to its point and repetition, not to its place in the order */
	for (size_t i = 0; i < p1.nr_runs; i++)
		for (size_t j = 0; j < ps.nr_runs; j++)
			if (ps.runs[j].point == p1.runs[i].point && ps.runs[j].rep == p1.runs[i].rep)
				assert_int_equal(ps.runs[j].seed, p1.runs[i].seed);
	sweep_plan_free(&p1);
	sweep_plan_free(&p2);
	sweep_plan_free(&p3);
	sweep_plan_free(&ps);
	sweep_config_free(&c1);
	sweep_config_free(&c2);
	sweep_config_free(&c3);
	sweep_config_free(&cs);
}

/* repeat = auto: its defaults, max_repeat runs planned per point, and in random order
 * round by round (every point's repetition r before any point's r + 1), each round
 * shuffled; the run seeds those of a fixed repeat. */
static void test_repeat_auto(void **state)
{
	(void)state;
	struct sweep_config a, d, f;
	struct sweep_plan pa, pf;

	load_text_ok("[sweep]\nrepeat = auto\nci_metric = boot.total_ns\n[params]\nvcpus = 1, 2\n", &d);
	assert_true(d.auto_repeat.on);
	assert_int_equal(d.auto_repeat.min, 3);
	assert_int_equal(d.auto_repeat.max, 20);
	assert_int_equal(d.repeat, 20);
	assert_true(fabs(d.auto_repeat.ci - 0.02) < 1e-12);
	sweep_config_free(&d);

	load_text_ok("[sweep]\nseed = 3\nrepeat = auto\nmin_repeat = 2\nmax_repeat = 5\nci = 0.5%\n"
		     "ci_metric = write.iops, write.clat_ns.p99\n[params]\nvcpus = 1, 2, 3, 4\nhz = 100, 250\n",
		     &a);
	assert_int_equal(a.auto_repeat.min, 2);
	assert_int_equal(a.auto_repeat.nr_metrics, 2);
	assert_string_equal(a.auto_repeat.metrics[1], "write.clat_ns.p99");
	assert_true(fabs(a.auto_repeat.ci - 0.005) < 1e-12);
	plan_ok(&a, &pa);
	assert_int_equal(pa.nr_points, 8);
	assert_int_equal(pa.nr_runs, 40);
	bool shuffled = false;
	for (size_t i = 0; i < pa.nr_runs; i++) {
		assert_int_equal(pa.runs[i].rep, i / 8);
		shuffled |= pa.runs[i].point != i % 8;
		for (size_t j = i / 8 * 8; j < i; j++) /* each point once a round */
			assert_true(pa.runs[j].point != pa.runs[i].point);
	}
	assert_true(shuffled);
	load_text_ok("[sweep]\nseed = 3\nrepeat = 5\norder = sequential\n[params]\nvcpus = 1, 2, 3, 4\nhz = 100, 250\n",
		     &f);
	plan_ok(&f, &pf);
	for (size_t i = 0; i < pa.nr_runs; i++)
		assert_int_equal(pa.runs[i].seed, pf.runs[pa.runs[i].point * 5 + pa.runs[i].rep].seed);
	sweep_plan_free(&pa);
	sweep_plan_free(&pf);
	sweep_config_free(&a);
	sweep_config_free(&f);
}

/* Adding a value keeps the seeds of the points that were already there. */
static void test_seeds_stable(void **state)
{
	(void)state;
	struct sweep_config a, b;
	struct sweep_plan pa, pb;

	load_text_ok("[sweep]\norder = sequential\n[params]\nvcpus = 1, 2\n", &a);
	load_text_ok("[sweep]\norder = sequential\n[params]\nvcpus = 1, 2, 4\n", &b);
	plan_ok(&a, &pa);
	plan_ok(&b, &pb);
	for (size_t i = 0; i < pa.nr_runs; i++)
		assert_int_equal(pa.runs[i].seed, pb.runs[i].seed);
	sweep_plan_free(&pa);
	sweep_plan_free(&pb);
	sweep_config_free(&a);
	sweep_config_free(&b);
}

static void test_point_apply(void **state)
{
	(void)state;
	struct sweep_config c;
	struct sweep_plan p;
	struct vm_config vm;

	load_text_ok("[sweep]\norder = sequential\ntimeout = 5s\n"
		     "[guest]\nhz = 100\nspin_ms = 7\ndisk = /var/tmp/x.img,size=1G\n"
		     "[params]\nmemory = 64M, 1G\nvcpus = 3\ntasks_per_cpu = 2\n",
		     &c);
	plan_ok(&c, &p);
	memset(&vm, 0xa5, sizeof(vm));
	vm.kernel_path = "kernel";
	sweep_point_apply(&c, &p, 1, &vm);
	assert_int_equal(vm.mem_size, GIB);
	assert_int_equal(vm.nr_cpus, 3);
	assert_int_equal(vm.hz, 100);
	assert_true(vm.prefault);
	assert_int_equal(vm.timeout_ns, 5000000000ull);
	assert_int_equal(vm.knobs[VMS_KNOB_tasks_per_cpu], 2);
	assert_int_equal(vm.knobs[VMS_KNOB_spin_ms], 7);
	assert_int_equal(vm.knobs[VMS_KNOB_sleep_ms], knob_table[VMS_KNOB_sleep_ms].def);
	assert_int_equal(vm.nr_disks, 1);
	assert_string_equal(vm.disks[0].path, "/var/tmp/x.img");
	assert_string_equal(vm.kernel_path, "kernel"); /* the caller's */
	sweep_run_apply(&c, &p, 0, &vm);
	assert_int_equal(vm.mem_size, 64 * MIB);
	assert_int_equal(vm.seed, p.runs[0].seed);
	sweep_plan_free(&p);
	sweep_config_free(&c);
}

static void test_include_and_env(void **state)
{
	(void)state;
	struct sweep_config c;

	load_ok(GOOD "include.ini", &c);
	assert_int_equal(c.mem_size, 96 * MIB);
	assert_int_equal(c.hz, 100);
	sweep_config_free(&c);

	setenv("VMSWEEP_TEST_SEED", "99", 1);
	setenv("VMSWEEP_TEST_VCPUS", "8", 1);
	load_ok(GOOD "env.ini", &c);
	assert_int_equal(c.seed, 99);
	assert_int_equal(c.params[0].values[1], 8);
	sweep_config_free(&c);
	unsetenv("VMSWEEP_TEST_SEED");
	unsetenv("VMSWEEP_TEST_VCPUS");
}

/* configs/: the demo and the nightly example load, and the demo is small. */
static void test_shipped_configs(void **state)
{
	(void)state;
	struct sweep_config c;
	struct sweep_plan p;

	load_ok("configs/quick.ini", &c); /* the demo: journal_mode x dirty_ratio x watermark_model */
	plan_ok(&c, &p);
	assert_int_equal(p.nr_points, 12);
	assert_int_equal(p.nr_runs, 36);
	assert_int_equal(c.nr_job_files, 1);
	sweep_plan_free(&p);
	sweep_config_free(&c);
	load_ok("configs/wakeup.ini", &c);
	plan_ok(&c, &p);
	assert_int_equal(p.nr_points, 6);
	assert_int_equal(p.nr_runs, 18);
	assert_int_equal(c.nr_job_files, 0); /* the built-in workload */
	sweep_plan_free(&p);
	sweep_config_free(&c);
	load_ok("configs/nightly.ini", &c);
	assert_int_equal(c.nr_job_files, 1);
	plan_ok(&c, &p);
	assert_true(p.nr_filtered > 0);
	sweep_plan_free(&p);
	sweep_config_free(&c);
}

static void test_plan_output(void **state)
{
	(void)state;
	struct sweep_config c;
	struct sweep_plan p;
	char *buf = NULL;
	size_t len = 0;

	load_ok(GOOD "constraints.ini", &c);
	plan_ok(&c, &p);
	FILE *f = open_memstream(&buf, &len);
	sweep_plan_print(f, &c, &p);
	fclose(f);
	assert_non_null(strstr(buf, "run  point  rep                 seed  memory  vcpus\n"));
	assert_non_null(strstr(buf, "  128M      4\n"));
	assert_non_null(strstr(buf, "8 points (8 of 16 grid points filtered out by the constraints) x 1 repetition = 8 runs"));
	free(buf);

	f = open_memstream(&buf, &len);
	assert_int_equal(sweep_plan_print_json(f, &c, &p), 0);
	fclose(f);
	json_error_t jerr;
	json_t *root = json_loads(buf, 0, &jerr);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "counts"), "runs")), 8);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "counts"), "filtered")), 8);
	json_t *runs = json_object_get(root, "runs");
	assert_int_equal(json_array_size(runs), 8);
	json_t *r0 = json_array_get(runs, 0);
	assert_int_equal(json_integer_value(json_object_get(r0, "seed")), (json_int_t)p.runs[0].seed);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r0, "values"), "memory")),
			 sweep_plan_point(&p, p.runs[0].point)[0]);
	json_decref(root);
	free(buf);
	sweep_plan_free(&p);
	sweep_config_free(&c);
}

static void test_bad_corpus(void **state)
{
	(void)state;
	char *names[256];
	size_t n = corpus_list(BAD, ".ini", names, 256);

	if (n < 15)
		fail_msg("only %zu bad configs in " BAD ", want at least 15", n);
	unsetenv("VMSWEEP_TEST_UNSET");
	for (size_t i = 0; i < n; i++) {
		struct corpus_expect e;
		char err[1024] = "";
		struct sweep_config c;

		corpus_expect_read(&e, BAD, names[i]);
		if (sweep_config_load(e.path, &c, err, sizeof(err)) == 0)
			fail_msg("%s: loaded, but should fail with \"%s\"", e.path, e.phrase);
		sweep_config_free(&c);
		corpus_expect_check(&e, err);
		free(names[i]);
	}
}

static void test_good_corpus(void **state)
{
	(void)state;
	char *names[64];
	size_t n = corpus_list(GOOD, ".ini", names, 64);

	assert_true(n >= 6);
	setenv("VMSWEEP_TEST_SEED", "5", 1);
	setenv("VMSWEEP_TEST_VCPUS", "4", 1);
	for (size_t i = 0; i < n; i++) {
		char path[512];
		struct sweep_config c;
		struct sweep_plan p;
		snprintf(path, sizeof(path), GOOD "%s", names[i]);
		load_ok(path, &c);
		plan_ok(&c, &p);
		assert_true(p.nr_runs >= 1);
		sweep_plan_free(&p);
		sweep_config_free(&c);
		free(names[i]);
	}
	unsetenv("VMSWEEP_TEST_SEED");
	unsetenv("VMSWEEP_TEST_VCPUS");
}

/* What a run would hit is found before the first boot; the expected duration adds up. */
static void test_preflight(void **state)
{
	(void)state;
	struct sweep_config c;
	struct sweep_plan p;
	struct sweep_estimate est;
	char err[1024] = "";

	load_text_ok("[sweep]\nrepeat = 2\ntimeout = 5s\n[params]\nduration_ms = 500, 1000, 1500\n", &c);
	plan_ok(&c, &p);
	assert_int_equal(sweep_preflight(&c, &p, 1, NULL, NULL, "", &est, err, sizeof(err)), 0);
	assert_true(fabs(est.seconds - 2 * (0.5 + 1.0 + 1.5 + 3 * SWEEP_RUN_OVERHEAD_S)) < 1e-9);
	assert_false(est.lower_bound);
	assert_int_equal(sweep_preflight(&c, &p, 2, NULL, NULL, "", &est, err, sizeof(err)), 0);
	assert_true(fabs(est.seconds - (0.5 + 1.0 + 1.5 + 3 * SWEEP_RUN_OVERHEAD_S)) < 1e-9);
	sweep_plan_free(&p);
	sweep_config_free(&c);

	load_text_ok("[sweep]\ntimeout = 1s\n[params]\nduration_ms = 500, 2000\n", &c);
	plan_ok(&c, &p);
	assert_int_equal(sweep_preflight(&c, &p, 1, NULL, NULL, "", &est, err, sizeof(err)), -1);
	assert_err_has(err, ":2: timeout 1 s is shorter than duration_ms 2 s");
	sweep_plan_free(&p);
	sweep_config_free(&c);

	/* Far more memory than any host has: named at the parameter's line. */
	load_text_ok("[sweep]\nrepeat = 1\n[params]\nmemory = 64M, 64G\n", &c);
	plan_ok(&c, &p);
	assert_int_equal(sweep_preflight(&c, &p, 64, NULL, NULL, "", &est, err, sizeof(err)), -1);
	assert_err_has(err, ":4: memory 65536 MiB (the largest point) x 64 at a time is more than the host has");
	sweep_plan_free(&p);
	sweep_config_free(&c);

	/* [report] metrics are checked against the metric tables, by the report's rules. */
	assert_int_equal(report_metric_name_check("write_iops", err, sizeof(err)), 0);
	assert_int_equal(report_metric_name_check("wakeup_p99_us", err, sizeof(err)), 0);
	assert_int_equal(report_metric_name_check("fio.seqwrite.write.clat_p99_ns", err, sizeof(err)), 0);
	assert_int_equal(report_metric_name_check("write_iosp", err, sizeof(err)), -1);
	assert_err_has(err, "metric 'write_iosp' matches no metric a run records (did you mean 'write_ios'?)");
	assert_int_equal(report_metric_name_check("pause_p99_ms", err, sizeof(err)), 0);
	assert_int_equal(report_metric_name_check("writen_by_fsync", err, sizeof(err)), -1);
	assert_err_has(err, "(did you mean 'written_by_fsync'?)");

	char job[4096], text[8400];
	assert_non_null(realpath("tests/fio-corpus/good/defaults.fio", job));
	snprintf(text, sizeof(text), "[guest]\ndisk = /tmp/x.img,size=1M\n[workload]\njob = %s\njob = %s\n", job, job);
	assert_int_equal(load_text(text, &c, err, sizeof(err)), -1);
	assert_err_has(err, ":5: job = ");
	assert_err_has(err, "one job file per sweep (the first is at line 4)");
	sweep_config_free(&c);
}

/* fio options and job files as parameters: parsed, set in each point's workload over the
 * file's own options, named in plan's table; the errors name the line. */
static void test_fio_params(void **state)
{
	(void)state;
	struct sweep_config c;
	struct sweep_plan p;
	char err[1024] = "", job_a[] = "/tmp/test_sweep_config.a.XXXXXX", job_b[] = "/tmp/test_sweep_config.b.XXXXXX";
	char text[4096];
	static const char fio_a[] = "[a]\nfilename=/dev/vda\ndirect=1\nioengine=libaio\nrw=write\niodepth=2\nbs=8k\n";
	static const char fio_b[] = "[b]\nfilename=/dev/vda\ndirect=1\nioengine=libaio\nrw=read\n";
	int fa = mkstemp(job_a), fb = mkstemp(job_b);
	assert_true(fa >= 0 && fb >= 0);
	assert_int_equal(write(fa, fio_a, strlen(fio_a)), (ssize_t)strlen(fio_a));
	assert_int_equal(write(fb, fio_b, strlen(fio_b)), (ssize_t)strlen(fio_b));
	close(fa);
	close(fb);

	snprintf(text, sizeof(text),
		 "[sweep]\nrepeat = 1\norder = sequential\n[guest]\ndisk = /tmp/x.img,size=16M\n[workload]\njob = %s\n"
		 "[params]\nfio.iodepth = 1, 4..12 step 4\nfio.rw = randread, randwrite\nfio.bs = 4k, 1m\n",
		 job_a);
	load_text_ok(text, &c);
	assert_int_equal(c.params[0].kind, SWEEP_PARAM_FIO);
	assert_int_equal(c.params[0].nr_values, 4);
	assert_int_equal(c.params[0].values[3], 12);
	assert_int_equal(c.params[1].values[0], VMS_RW_RANDREAD);
	assert_int_equal(c.params[2].values[1], 1 << 20);
	plan_ok(&c, &p);
	assert_int_equal(p.nr_points, 16);
	/* The last point: iodepth 12, randwrite, 1m; the file's iodepth=2 and bs=8k overridden. */
	struct vms_workload *wl = NULL;
	size_t size = 0;
	assert_int_equal(sweep_point_workload(&c, &p, 15, &wl, &size, err, sizeof(err)), 0);
	assert_non_null(wl);
	assert_int_equal(wl->jobs[0].iodepth, 12);
	assert_int_equal(wl->jobs[0].rw, VMS_RW_RANDWRITE);
	assert_int_equal(wl->jobs[0].bs[1], 1 << 20);
	free(wl);
	char buf[32];
	assert_string_equal(sweep_value_format(&c.params[1], VMS_RW_RANDWRITE, buf, sizeof(buf)), "randwrite");
	assert_string_equal(sweep_value_format(&c.params[2], 1 << 20, buf, sizeof(buf)), "1m");
	sweep_plan_free(&p);
	sweep_config_free(&c);

	/* Job files as one axis: each point runs its own. */
	snprintf(text, sizeof(text), "[sweep]\nrepeat = 1\norder = sequential\n[guest]\ndisk = /tmp/x.img,size=16M\n"
				     "[params]\njob = %s, %s\nfio.iodepth = 1, 8\n", job_a, job_b);
	load_text_ok(text, &c);
	plan_ok(&c, &p);
	assert_int_equal(p.nr_points, 4);
	assert_int_equal(sweep_point_workload(&c, &p, 3, &wl, &size, err, sizeof(err)), 0);
	assert_string_equal(wl->jobs[0].name, "b");
	assert_int_equal(wl->jobs[0].iodepth, 8);
	free(wl);
	assert_string_equal(sweep_value_format(&c.params[0], 1, buf, sizeof(buf)), strrchr(job_b, '/') + 1);
	sweep_plan_free(&p);
	sweep_config_free(&c);

	/* Errors, at their lines. */
	assert_int_equal(load_text("[params]\nfio.iodeph = 1, 2\n", &c, err, sizeof(err)), -1);
	assert_err_has(err, ":2: [params] fio.iodeph: not an fio option a sweep varies (did you mean 'fio.iodepth'?)");
	sweep_config_free(&c);
	assert_int_equal(load_text("[params]\nfio.iodepth = 1, 2\n", &c, err, sizeof(err)), -1);
	assert_err_has(err, ":2: [params] fio.iodepth: no job file to set it in");
	sweep_config_free(&c);
	snprintf(text, sizeof(text), "[guest]\ndisk = /tmp/x.img,size=16M\n[workload]\njob = %s\n[params]\nfio.rw = 1..2 step 1\n",
		 job_a);
	assert_int_equal(load_text(text, &c, err, sizeof(err)), -1);
	assert_err_has(err, ":6: [params] fio.rw: '1': expected read, write, randread, randwrite, readwrite or randrw");
	sweep_config_free(&c);
	snprintf(text, sizeof(text), "[guest]\ndisk = /tmp/x.img,size=16M\n[workload]\njob = %s\n[params]\njob = %s\n",
		 job_a, job_b);
	assert_int_equal(load_text(text, &c, err, sizeof(err)), -1);
	assert_err_has(err, ":6: [params] job: also set in [workload] at line 4");
	sweep_config_free(&c);
	unlink(job_a);
	unlink(job_b);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct sweep_config c;
	char err[512] = "";

	assert_int_equal(sweep_config_load("/nonexistent/x.ini", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/x.ini: cannot open: No such file"));
	sweep_config_free(&c);
}

/* A short error buffer is cut, not overrun. */
static void test_short_error_buffer(void **state)
{
	(void)state;
	struct sweep_config c;
	char err[16];

	memset(err, 'x', sizeof(err));
	assert_int_equal(sweep_config_load(BAD "unknown-key.ini", &c, err, 8), -1);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(err[8], 'x');
	sweep_config_free(&c);
	assert_int_equal(sweep_config_load(BAD "constraint-paren.ini", &c, NULL, 0), -1);
	sweep_config_free(&c);
}

/* A sweep's runs share an image: fs=ext3 is taken, what only one run can have is refused, named. */
static void test_disk_fs_in_a_sweep(void **state)
{
	struct sweep_config c;
	char err[1024] = "";
	(void)state;

	load_text_ok("[guest]\ndisk = /tmp/test_sweep_fs_none.img,size=64M,fs=ext3\n", &c);
	assert_int_equal(c.disks[0].fs, DISK_FS_EXT3);
	sweep_config_free(&c);
	assert_int_equal(load_text("[guest]\ndisk = /tmp/x.img,size=1M,log=/tmp/x.log\n", &c, err, sizeof(err)), -1);
	assert_err_has(err, ":2: disk = /tmp/x.img,size=1M,log=/tmp/x.log: log= records one run's writes, and every run "
			    "of a sweep would write it again (use it with vmsweep boot)");
	sweep_config_free(&c);
	assert_int_equal(load_text("[guest]\ndisk = /tmp/x.img,size=64M,fs=ext3,mkfs=-J size=8\n", &c, err, sizeof(err)),
			 -1);
	assert_err_has(err, "mkfs= makes a new image, and a resumed sweep must find the one it began with (make it first with mkfs.ext3 -b "
			    "4096 -J size=8 /tmp/x.img, then give fs=ext3 alone)");
	sweep_config_free(&c);
	assert_int_equal(load_text("[guest]\ndisk = /tmp/x.img,size=64M,fs=ext3,fsck\n", &c, err, sizeof(err)), -1);
	assert_err_has(err, "fsck is reported by vmsweep boot --json (disks[].fsck); a sweep does not store it");
	sweep_config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_ranges_with_units),
		cmocka_unit_test(test_cartesian),
		cmocka_unit_test(test_zip),
		cmocka_unit_test(test_constraints_filter),
		cmocka_unit_test(test_expr_precedence),
		cmocka_unit_test(test_expr_errors),
		cmocka_unit_test(test_constraint_column_in_file),
		cmocka_unit_test(test_every_run_once),
		cmocka_unit_test(test_seeded_order),
		cmocka_unit_test(test_seeds_stable),
		cmocka_unit_test(test_repeat_auto),
		cmocka_unit_test(test_point_apply),
		cmocka_unit_test(test_include_and_env),
		cmocka_unit_test(test_shipped_configs),
		cmocka_unit_test(test_plan_output),
		cmocka_unit_test(test_bad_corpus),
		cmocka_unit_test(test_good_corpus),
		cmocka_unit_test(test_preflight),
		cmocka_unit_test(test_fio_params),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_short_error_buffer),
		cmocka_unit_test(test_disk_fs_in_a_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
