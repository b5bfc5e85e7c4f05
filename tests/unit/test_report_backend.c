/*
 * The model against Linux in the report (harness/report/report_backend.c,
 * report_tables_backend.c): points of kvm and libvirt paired by every other parameter,
 * the ratios of their medians and the geometric mean, a point on one backend only left
 * out and counted, NaN and zero medians giving no ratio; and, from a store built here
 * with runs of both backends (no Linux booted), report.html and report.md with the
 * model / Linux tables, saying TCG only when the manifest does.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend/backend.h"
#include "report/report.h"
#include "store/store.h"
#include "store_helpers.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KVM BACKEND_KVM
#define LIBVIRT BACKEND_LIBVIRT

#define assert_has(s, phrase)                                                             \
	do {                                                                              \
		if (!strstr((s), (phrase)))                                               \
			fail_msg("output lacks \"%s\":\n%s", (phrase), (s));              \
	} while (0)
#define assert_lacks(s, phrase)                                                           \
	do {                                                                              \
		if (strstr((s), (phrase)))                                                \
			fail_msg("output has \"%s\":\n%s", (phrase), (s));                \
	} while (0)

static struct sample_stats st_of(size_t n, double median, double min, double max)
{
	return (struct sample_stats){ .n = n, .mean = median, .median = median, .min = min, .max = max };
}

/* ---- Pairing, on hand-made reports ---- */

static char *params3[] = { "vcpus", "backend", "memory" };

/* Points of report r from values[n][3], all with done runs but where done is 0. */
static struct report report_of(int64_t (*values)[3], struct report_point *pts, size_t n, const size_t *done)
{
	for (size_t i = 0; i < n; i++)
		pts[i] = (struct report_point){ .id = 10 + i, .values = values[i], .nr_done = done ? done[i] : 3 };
	return (struct report){ .params = params3, .nr_params = 3, .points = pts, .nr_points = n, .x = 0, .lines = -1 };
}

static void test_pairs_match_every_other_parameter(void **state)
{
	(void)state;
	int64_t v[][3] = {
		{ 1, LIBVIRT, 64 }, /* 0: kvm's twin is 3, whatever the order of the points */
		{ 1, KVM, 128 },    /* 1: libvirt has 1 and 128 nowhere: alone */
		{ 2, KVM, 64 },     /* 2: twin 5 */
		{ 1, KVM, 64 },     /* 3: twin 0 */
		{ 2, LIBVIRT, 128 }, /* 4: same vcpus as 2, another memory: alone */
		{ 2, LIBVIRT, 64 }, /* 5: twin 2 */
	};
	struct report_point pts[ARRAY_SIZE(v)];
	struct report r = report_of(v, pts, ARRAY_SIZE(v), NULL);
	char err[256];
	assert_int_equal(report_backend_param(&r), 1);
	assert_int_equal(report_backends_pair(&r, err, sizeof(err)), 0);
	assert_int_equal(r.nr_pairs, 2);
	/* In the points' order (no sort given: as stored), kvm's point first. */
	assert_int_equal(r.pairs[0].kvm, 2);
	assert_int_equal(r.pairs[0].libvirt, 5);
	assert_int_equal(r.pairs[1].kvm, 3);
	assert_int_equal(r.pairs[1].libvirt, 0);
	assert_int_equal(r.nr_unpaired, 2);
	assert_true(report_point_on_libvirt(&r, 1, 0));
	assert_false(report_point_on_libvirt(&r, 1, 3));
	free(r.pairs);
}

static void test_point_on_one_backend_is_left_out_and_counted(void **state)
{
	(void)state;
	int64_t v[][3] = {
		{ 1, KVM, 64 }, { 1, LIBVIRT, 64 }, /* a pair */
		{ 2, KVM, 64 }, { 2, LIBVIRT, 64 }, /* libvirt's runs all failed: kvm's alone */
		{ 4, KVM, 64 },                     /* no libvirt point at all */
		{ 8, LIBVIRT, 64 },                 /* no kvm point at all */
		{ 16, KVM, 64 }, { 16, LIBVIRT, 64 }, /* neither has a done run: not counted */
	};
	size_t done[] = { 3, 3, 3, 0, 1, 2, 0, 0 };
	struct report_point pts[ARRAY_SIZE(v)];
	struct report r = report_of(v, pts, ARRAY_SIZE(v), done);
	char err[256];
	assert_int_equal(report_backends_pair(&r, err, sizeof(err)), 0);
	assert_int_equal(r.nr_pairs, 1);
	assert_int_equal(r.pairs[0].kvm, 0);
	assert_int_equal(r.pairs[0].libvirt, 1);
	assert_int_equal(r.nr_unpaired, 3); /* 2, 4 and 5 */
	free(r.pairs);
}

static void test_one_backend_only_compares_nothing(void **state)
{
	(void)state;
	int64_t v[][3] = { { 1, KVM, 64 }, { 2, KVM, 64 } };
	struct report_point pts[ARRAY_SIZE(v)];
	struct report r = report_of(v, pts, ARRAY_SIZE(v), NULL);
	char err[256];
	assert_int_equal(report_backend_param(&r), -1);
	assert_int_equal(report_backends_pair(&r, err, sizeof(err)), 0);
	assert_int_equal(r.nr_pairs, 0);
	assert_int_equal(r.nr_unpaired, 0);
	assert_null(r.pairs);
	r.params = (char *[]){ "vcpus", "hz", "memory" }; /* no backend parameter at all */
	assert_int_equal(report_backend_param(&r), -1);
}

/* ---- Ratios and their geometric mean ---- */

static void test_ratio_of_medians_and_apart_ranges(void **state)
{
	(void)state;
	struct report_ratio q;
	struct sample_stats k = st_of(3, 110, 100, 120), l = st_of(3, 55, 50, 60);
	report_ratio_compute(&k, &l, &q);
	assert_float_equal(q.kvm, 110, 0);
	assert_float_equal(q.libvirt, 55, 0);
	assert_float_equal(q.ratio, 2, 1e-12);
	assert_true(q.apart);
	l = st_of(3, 105, 90, 100); /* touching at 100: they overlap */
	report_ratio_compute(&k, &l, &q);
	assert_float_equal(q.ratio, 110.0 / 105, 1e-12);
	assert_false(q.apart);
	l = st_of(1, 130, 130, 130); /* one run, above kvm's range */
	report_ratio_compute(&k, &l, &q);
	assert_true(q.apart);
}

static void test_nan_and_zero_medians_give_no_ratio(void **state)
{
	(void)state;
	struct report_ratio q;
	struct sample_stats k = st_of(3, 5, 5, 5), zero = st_of(3, 0, 0, 0),
			    none = { .n = 0, .median = NAN, .min = NAN, .max = NAN };
	report_ratio_compute(&k, &zero, &q); /* 5 / 0: no division */
	assert_true(isnan(q.ratio));
	assert_float_equal(q.libvirt, 0, 0);
	assert_true(q.apart); /* the ranges do not overlap all the same */
	report_ratio_compute(&zero, &k, &q); /* 0 / 5: 0 has no logarithm */
	assert_true(isnan(q.ratio));
	report_ratio_compute(&zero, &zero, &q);
	assert_true(isnan(q.ratio));
	assert_false(q.apart);
	report_ratio_compute(&k, &none, &q);
	assert_true(isnan(q.libvirt));
	assert_true(isnan(q.ratio));
	assert_false(q.apart);
	/* A median of NaN with n > 0 cannot come from stats_compute, but is no ratio either. */
	struct sample_stats nan_median = st_of(2, NAN, NAN, NAN);
	report_ratio_compute(&nan_median, &k, &q);
	assert_true(isnan(q.ratio));
	assert_false(q.apart);
}

static void test_geometric_mean(void **state)
{
	(void)state;
	struct report_geomean g = { 0 };
	assert_true(isnan(report_geomean_value(&g))); /* none: no mean, shown as no ratio */
	report_geomean_add(&g, 2);
	report_geomean_add(&g, 0.5);
	report_geomean_add(&g, 1);
	assert_int_equal(g.n, 3);
	assert_float_equal(report_geomean_value(&g), 1, 1e-12);
	/* Not counted: no ratio, a zero, an infinity, a negative. */
	report_geomean_add(&g, NAN);
	report_geomean_add(&g, 0);
	report_geomean_add(&g, INFINITY);
	report_geomean_add(&g, -2);
	assert_int_equal(g.n, 3);
	g = (struct report_geomean){ 0 };
	report_geomean_add(&g, 2);
	report_geomean_add(&g, 8);
	assert_float_equal(report_geomean_value(&g), 4, 1e-12);
}

/* ---- A store of both backends, and the documents ---- */

/*
 * backend, dirty_ratio; 3 runs a point, run id = point * 3 + rep:
 *   0 kvm 10, 1 libvirt 10: iops medians 110 / 55 (ranges apart), pgscan 5 / 0
 *   2 kvm 20, 3 libvirt 20: iops 210 / 420 (apart), pgscan 8 / 2
 *   4 libvirt 5, 5 kvm 5:   iops 11 / 11 (overlap), pgscan 0 / 0
 *   6 kvm 40: alone; 7 kvm 30, 8 libvirt 30: libvirt's runs failed, kvm's alone
 *   wakeup_ns.p99: kvm's only, as our guest's wake-up latency is.
 */
static const char *const store_params[] = { "backend", "dirty_ratio" };
static const int64_t store_values[] = { KVM, 10, LIBVIRT, 10, KVM, 20, LIBVIRT, 20, LIBVIRT, 5,
					KVM, 5,  KVM, 40,    KVM, 30, LIBVIRT, 30 };
#define NR_POINTS 9
#define REPS 3
static const double iops[NR_POINTS][REPS] = { { 100, 110, 120 }, { 50, 55, 60 }, { 200, 210, 220 },
					       { 400, 420, 440 }, { 10, 11, 12 }, { 12, 11, 10 },
					       { 7, 7, 7 },       { 9, 9, 9 },    { 0 } };
static const double pgscan[NR_POINTS] = { 5, 0, 8, 2, 0, 0, 1, 1, 0 };

struct fixture {
	char dir[40];
	struct store *s;
	struct report r;
};

static void store_fill(struct store *s, const char *domain_type)
{
	struct store_plan_run runs[NR_POINTS * REPS];
	char err[512] = "";
	for (size_t i = 0; i < ARRAY_SIZE(runs); i++)
		runs[i] = (struct store_plan_run){ i / REPS, (unsigned)(i % REPS), 1000 + i };
	if (plan_write(s, 2, store_params, NR_POINTS, store_values, ARRAY_SIZE(runs), runs, err, sizeof(err)))
		fail_msg("plan: %s", err);
	for (size_t i = 0; i < ARRAY_SIZE(runs); i++) {
		size_t p = i / REPS;
		struct store_run run = { 0 };
		run.status = p == 8 ? STORE_FAILED : STORE_DONE;
		if (p == 8)
			snprintf(run.cause, sizeof(run.cause), "libvirt: domain did not start");
		else {
			assert_int_equal(store_run_metric(&run, "fio.j.write.iops", iops[p][i % REPS]), 0);
			assert_int_equal(store_run_metric(&run, "vmstat.pgscan_direct", pgscan[p]), 0);
			if (store_values[2 * p] == KVM)
				assert_int_equal(store_run_metric(&run, "wakeup_ns.p99", 40000), 0);
		}
		if (store_run_record(s, i, &run, err, sizeof(err)))
			fail_msg("record run %zu: %s", i, err);
		store_run_free(&run);
	}
	if (domain_type && store_manifest_set(s, "libvirt.domain_type", domain_type, err, sizeof(err)))
		fail_msg("manifest: %s", err);
}

static int fixture_make(void **state, const char *domain_type)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[512] = "";
	bool matched;
	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_report_backend.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	if (store_open(f->dir, true, &f->s, err, sizeof(err)))
		fail_msg("store: %s", err);
	store_fill(f->s, domain_type);
	if (report_load(&f->r, f->s, f->dir, err, sizeof(err)))
		fail_msg("load: %s", err);
	static const char *const names[] = { "fio.j.write.iops", "vmstat.pgscan_direct", "wakeup_ns.p99" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		assert_int_equal(report_metric_add(&f->r, names[i], &matched, err, sizeof(err)), 0);
		assert_true(matched);
	}
	if (report_metrics_compute(&f->r, err, sizeof(err)))
		fail_msg("compute: %s", err);
	f->r.x = 1;
	f->r.lines = -1;
	*state = f;
	return 0;
}

static int setup_tcg(void **state)
{
	return fixture_make(state, "qemu (TCG: no usable /dev/kvm with VMX or SVM)");
}

static int setup_kvm(void **state)
{
	return fixture_make(state, "kvm (KVM)");
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	report_free(&f->r);
	store_close(f->s);
	tree_remove(f->dir);
	free(f);
	return 0;
}

static char *file_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	assert_non_null(f);
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* report.html (html) or report.md of the fixture's report, read back. */
static char *doc_write(struct fixture *f, bool html)
{
	char path[96], plots[96], err[512] = "";
	snprintf(path, sizeof(path), "%s/report.%s", f->dir, html ? "html" : "md");
	snprintf(plots, sizeof(plots), "%s/plots", f->dir);
	int rc = html ? report_html_write(&f->r, path, plots, err, sizeof(err))
		      : report_md_write(&f->r, path, err, sizeof(err));
	if (rc)
		fail_msg("%s: %s", path, err);
	return file_read(path);
}

static void test_store_pairs(void **state)
{
	struct fixture *f = *state;
	struct report *r = &f->r;
	/* By the tables' order: kvm's points by dirty_ratio, 5, 10, 20. */
	assert_int_equal(r->nr_pairs, 3);
	assert_int_equal(r->points[r->pairs[0].kvm].id, 5);
	assert_int_equal(r->points[r->pairs[0].libvirt].id, 4);
	assert_int_equal(r->points[r->pairs[1].kvm].id, 0);
	assert_int_equal(r->points[r->pairs[1].libvirt].id, 1);
	assert_int_equal(r->points[r->pairs[2].kvm].id, 2);
	assert_int_equal(r->points[r->pairs[2].libvirt].id, 3);
	assert_int_equal(r->nr_unpaired, 2); /* kvm 40, and kvm 30 whose twin only failed */
	struct report_geomean g = { 0 };
	for (size_t i = 0; i < r->nr_pairs; i++) {
		struct report_ratio q;
		report_ratio_compute(&r->metrics[0].st[r->pairs[i].kvm], &r->metrics[0].st[r->pairs[i].libvirt], &q);
		report_geomean_add(&g, q.ratio);
	}
	assert_int_equal(g.n, 3); /* 1, 2, 0.5 */
	assert_float_equal(report_geomean_value(&g), 1, 1e-12);
}

static void test_store_markdown(void **state)
{
	struct fixture *f = *state;
	char *md = doc_write(f, false);
	assert_has(md, "## Model / Linux\n\n");
	assert_has(md, "Left out: 2 points with done runs on one backend only.");
	assert_has(md, "**The Linux guest ran under QEMU's TCG** (manifest libvirt.domain_type): its timings are "
		       "emulated, so time-based metrics (latencies, rates, durations) compare shapes, not values.");
	assert_has(md, "| metric | points compared | kvm / libvirt (geometric mean) | ranges apart |\n"
		       "|---:|---:|---:|---:|\n"
		       "| fio.j.write.iops | 3 of 3 | 1 | 2 |\n"
		       "| vmstat.pgscan_direct | 1 of 3 | 4 | 2 |\n"
		       "| wakeup_ns.p99 | 0 of 3 | — | 0 |\n");
	assert_has(md, "### fio.j.write.iops\n\n"
		       "| points | dirty_ratio | kvm median | libvirt median | kvm / libvirt |\n"
		       "|---:|---:|---:|---:|---:|\n"
		       "| 5 / 4 | 5 | 11 | 11 | 1 |\n"
		       "| 0 / 1 | 10 | 110 | 55 | 2 ≠ |\n"
		       "| 2 / 3 | 20 | 210 | 420 | 0.5 ≠ |\n"
		       "| geometric mean |  |  |  | 1 |\n");
	assert_has(md, "### vmstat.pgscan_direct\n\n"
		       "| points | dirty_ratio | kvm median | libvirt median | kvm / libvirt |\n"
		       "|---:|---:|---:|---:|---:|\n"
		       "| 5 / 4 | 5 | 0 | 0 | — |\n"
		       "| 0 / 1 | 10 | 5 | 0 | — ≠ |\n"
		       "| 2 / 3 | 20 | 8 | 2 | 4 ≠ |\n"
		       "| geometric mean |  |  |  | 4 |\n");
	/* A metric only one backend records has its summary row, no table of pairs. */
	assert_lacks(md, "### wakeup_ns.p99\n\n| points");
	/* The section sits between the points and the figures. */
	assert_true(strstr(md, "## Points") < strstr(md, "## Model / Linux"));
	assert_true(strstr(md, "## Model / Linux") < strstr(md, "## Figures"));
	free(md);
}

static void test_store_html(void **state)
{
	struct fixture *f = *state;
	char *html = doc_write(f, true);
	assert_has(html, "<a href=\"#backends\">model / Linux</a>");
	assert_has(html, "Figures: x = dirty_ratio, libvirt dashed.");
	assert_has(html, "<h2 id=\"backends\">Model / Linux</h2>\n<p class=\"note\">");
	assert_has(html, "<b>The Linux guest ran under QEMU's TCG</b>");
	assert_has(html, "<tr><td>fio.j.write.iops</td><td>3 of 3</td><td>1</td><td>2</td></tr>\n");
	assert_has(html, "<tr><td>wakeup_ns.p99</td><td>0 of 3</td><td>&mdash;</td><td>0</td></tr>\n");
	assert_has(html, "<details><summary>fio.j.write.iops</summary>\n<table>\n<thead><tr><th>points</th><th>"
			 "dirty_ratio</th><th>kvm median</th><th>libvirt median</th><th>kvm / libvirt</th></tr>"
			 "</thead>\n");
	assert_has(html, "<tr><td>0 / 1</td><td>10</td><td>110</td><td>55</td><td>2 &ne;</td></tr>\n");
	assert_has(html, "<tr><td>0 / 1</td><td>10</td><td>5</td><td>0</td><td>&mdash; &ne;</td></tr>\n");
	assert_has(html, "<tr><td>geometric mean</td><td></td><td></td><td></td><td>4</td></tr>\n");
	free(html);
}

/* Under KVM the Linux guest's timings are real: no word of TCG. */
static void test_store_kvm_domain_says_no_tcg(void **state)
{
	struct fixture *f = *state;
	assert_false(report_backend_tcg(&f->r));
	char *md = doc_write(f, false), *html = doc_write(f, true);
	assert_has(md, "## Model / Linux");
	assert_lacks(md, "TCG");
	assert_has(html, "<h2 id=\"backends\">");
	assert_lacks(html, "TCG");
	free(md);
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairs_match_every_other_parameter),
		cmocka_unit_test(test_point_on_one_backend_is_left_out_and_counted),
		cmocka_unit_test(test_one_backend_only_compares_nothing),
		cmocka_unit_test(test_ratio_of_medians_and_apart_ranges),
		cmocka_unit_test(test_nan_and_zero_medians_give_no_ratio),
		cmocka_unit_test(test_geometric_mean),
		cmocka_unit_test_setup_teardown(test_store_pairs, setup_tcg, teardown),
		cmocka_unit_test_setup_teardown(test_store_markdown, setup_tcg, teardown),
		cmocka_unit_test_setup_teardown(test_store_html, setup_tcg, teardown),
		cmocka_unit_test_setup_teardown(test_store_kvm_domain_says_no_tcg, setup_kvm, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
