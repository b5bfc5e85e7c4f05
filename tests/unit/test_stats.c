/* The report's statistics (harness/report/stats.c) against values computed by hand or
 * independently (reference digits from mpmath at 40 digits). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_sf_gamma.h>

#include "helpers.h"
#include "report/stats.h"
#include "util/hist_stats.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))


static const double textbook[] = { 2, 4, 4, 4, 5, 5, 7, 9 };

static void test_known_values(void **state)
{
	struct sample_stats s;
	(void)state;

	stats_compute(textbook, ARRAY_SIZE(textbook), &s);
	assert_int_equal(s.n, 8);
	assert_close(s.mean, 5.0, 1e-15);
	assert_close(s.median, 4.5, 1e-15);
	/* Sample stddev: sqrt(32 / 7), not the population's 2. */
	assert_close(s.stddev, 2.138089935299395, 1e-14);
	assert_close(s.stddev, sqrt(32.0 / 7.0), 1e-15);
	assert_close(s.min, 2.0, 0);
	assert_close(s.max, 9.0, 0);
	assert_true(s.ci95_lo < s.mean && s.mean < s.ci95_hi);
}

static void test_median_odd_and_unsorted(void **state)
{
	static const double v[] = { 9, 1, 5, 3, 7 };
	struct sample_stats s;
	(void)state;

	stats_compute(v, ARRAY_SIZE(v), &s);
	assert_close(s.median, 5.0, 0);
	assert_close(s.min, 1.0, 0);
	assert_close(s.max, 9.0, 0);
	/* The caller's array is left as it was (the sort works on a copy). */
	assert_close(v[0], 9.0, 0);
}

static void test_single_value(void **state)
{
	static const double v[] = { 42.5 };
	struct sample_stats s;
	(void)state;

	stats_compute(v, 1, &s);
	assert_int_equal(s.n, 1);
	assert_close(s.mean, 42.5, 0);
	assert_close(s.median, 42.5, 0);
	assert_close(s.min, 42.5, 0);
	assert_close(s.max, 42.5, 0);
	assert_true(isnan(s.stddev));
	assert_true(isnan(s.cv));
	assert_true(isnan(s.ci95_lo));
	assert_true(isnan(s.ci95_hi));
}

static void test_empty(void **state)
{
	static const double nans[] = { NAN, NAN };
	struct sample_stats s;
	(void)state;

	stats_compute(NULL, 0, &s);
	assert_int_equal(s.n, 0);
	assert_true(isnan(s.mean) && isnan(s.median) && isnan(s.stddev) && isnan(s.cv));
	assert_true(isnan(s.ci95_lo) && isnan(s.ci95_hi) && isnan(s.min) && isnan(s.max));

	stats_compute(nans, ARRAY_SIZE(nans), &s);
	assert_int_equal(s.n, 0);
	assert_true(isnan(s.mean) && isnan(s.median) && isnan(s.min));
}

static void test_ci_student_t(void **state)
{
	static const double v[] = { 10.1, 9.8, 10.4, 10.0, 9.7, 10.3, 10.2, 9.9, 10.6, 10.0 };
	struct sample_stats s;
	(void)state;

	stats_compute(v, ARRAY_SIZE(v), &s);
	assert_int_equal(s.n, 10);
	assert_close(s.mean, 10.1, 1e-14);
	assert_close(s.stddev, 0.27888667551135852, 1e-13);
	/* By hand: t(0.975, 9) = 2.262157 from a table, half width t * s / sqrt(10). */
	double half = 2.262157 * s.stddev / sqrt(10.0);
	assert_close(s.ci95_lo, s.mean - half, 1e-7);
	assert_close(s.ci95_hi, s.mean + half, 1e-7);
	/* And to full precision. */
	assert_close(s.ci95_lo, 9.9004964906897498, 1e-13);
	assert_close(s.ci95_hi, 10.299503509310250, 1e-13);
	/* A normal approximation (1.96) would give a narrower interval. */
	assert_true(s.ci95_hi - s.mean > 1.96 * s.stddev / sqrt(10.0) * 1.1);

	/* n = 2: t(0.975, 1) = 12.706205, the widest a sweep with repeat 2 gets. */
	static const double two[] = { 1.0, 3.0 };
	stats_compute(two, 2, &s);
	assert_close(s.stddev, sqrt(2.0), 1e-15);
	assert_close(s.ci95_hi - s.mean, 12.706204736174705, 1e-12); /* t * sqrt(2) / sqrt(2) */
}

/* A latency of mostly small values and one large: the t interval reaches below 0. */
static void test_ci_clipped_at_zero(void **state)
{
	static const double v[] = { 1, 1, 1, 30 };
	static const double signed_v[] = { -5, 1, 1, 30 };
	struct sample_stats s;
	(void)state;

	stats_compute(v, ARRAY_SIZE(v), &s);
	double hi = s.ci95_hi;
	assert_true(s.ci95_lo < 0);
	assert_false(s.ci95_clipped);
	stats_ci_clip(&s);
	assert_close(s.ci95_lo, 0.0, 0);
	assert_true(s.ci95_clipped);
	assert_close(s.ci95_hi, hi, 0); /* the upper end is the t interval's */
	assert_true(stats_ci_meaningful(&s));

	/* Above 0 already: nothing to clip. */
	stats_compute(textbook, ARRAY_SIZE(textbook), &s);
	double lo = s.ci95_lo;
	stats_ci_clip(&s);
	assert_close(s.ci95_lo, lo, 0);
	assert_false(s.ci95_clipped);

	/* A negative value: the quantity is signed after all, and its interval stays whole. */
	stats_compute(signed_v, ARRAY_SIZE(signed_v), &s);
	lo = s.ci95_lo;
	stats_ci_clip(&s);
	assert_close(s.ci95_lo, lo, 0);
	assert_false(s.ci95_clipped);

	/* A recomputation clears the mark. */
	stats_compute(v, ARRAY_SIZE(v), &s);
	assert_false(s.ci95_clipped);
}

/* Under 3 values no interval is meaningful, though 2 give one (12.7 times as wide as
 * the standard error). */
static void test_ci_meaningful(void **state)
{
	static const double v[] = { 1, 2, 3 };
	struct sample_stats s;
	(void)state;

	for (size_t n = 0; n <= 3; n++) {
		stats_compute(v, n, &s);
		assert_int_equal(stats_ci_meaningful(&s), n >= STATS_CI_MIN_N);
	}
	assert_int_equal(STATS_CI_MIN_N, 3);
}

static void test_cv(void **state)
{
	static const double zero_mean[] = { -1, 1, -2, 2 };
	static const double constant[] = { 3, 3, 3 };
	struct sample_stats s;
	(void)state;

	stats_compute(textbook, ARRAY_SIZE(textbook), &s);
	assert_close(s.cv, sqrt(32.0 / 7.0) / 5.0, 1e-15);
	assert_close(s.cv, 0.42761798705987902, 1e-14);

	stats_compute(zero_mean, ARRAY_SIZE(zero_mean), &s);
	assert_close(s.mean, 0.0, 0);
	assert_true(isnan(s.cv));

	/* No spread: everything collapses onto the value, cv 0. */
	stats_compute(constant, ARRAY_SIZE(constant), &s);
	assert_close(s.stddev, 0.0, 0);
	assert_close(s.cv, 0.0, 0);
	assert_close(s.ci95_lo, 3.0, 0);
	assert_close(s.ci95_hi, 3.0, 0);
}

static void test_nan_skipped(void **state)
{
	static const double with_nans[] = { NAN, 2, 4, NAN, 4, 4, 5, 5, 7, 9, NAN };
	struct sample_stats s, ref;
	(void)state;

	stats_compute(textbook, ARRAY_SIZE(textbook), &ref);
	stats_compute(with_nans, ARRAY_SIZE(with_nans), &s);
	assert_int_equal(s.n, 8);
	assert_close(s.mean, ref.mean, 0);
	assert_close(s.median, ref.median, 0);
	assert_close(s.stddev, ref.stddev, 0);
	assert_close(s.cv, ref.cv, 0);
	assert_close(s.ci95_lo, ref.ci95_lo, 0);
	assert_close(s.ci95_hi, ref.ci95_hi, 0);
	assert_close(s.min, ref.min, 0);
	assert_close(s.max, ref.max, 0);

	/* One real value among NaNs is a single value, not a spread. */
	static const double one[] = { NAN, 7, NAN };
	stats_compute(one, ARRAY_SIZE(one), &s);
	assert_int_equal(s.n, 1);
	assert_close(s.mean, 7.0, 0);
	assert_true(isnan(s.stddev) && isnan(s.ci95_lo));
}

/* The textbook Welch test, written out here independently of stats.c: t, the
 * Welch-Satterthwaite df, and the two-sided p as the regularized incomplete beta
 * I_{df/(df+t^2)}(df/2, 1/2) (not GSL's t CDF, which stats.c uses). */
static double textbook_welch_p(const double *a, size_t na, const double *b, size_t nb)
{
	double ma = 0, mb = 0, va = 0, vb = 0;
	for (size_t i = 0; i < na; i++)
		ma += a[i] / (double)na;
	for (size_t i = 0; i < nb; i++)
		mb += b[i] / (double)nb;
	for (size_t i = 0; i < na; i++)
		va += (a[i] - ma) * (a[i] - ma) / (double)(na - 1);
	for (size_t i = 0; i < nb; i++)
		vb += (b[i] - mb) * (b[i] - mb) / (double)(nb - 1);
	double sa = va / (double)na, sb = vb / (double)nb;
	double t = (ma - mb) / sqrt(sa + sb);
	double df = (sa + sb) * (sa + sb) / (sa * sa / (double)(na - 1) + sb * sb / (double)(nb - 1));
	return gsl_sf_beta_inc(df / 2.0, 0.5, df / (df + t * t));
}

static const double slow[] = { 20.0, 22.0, 19.0, 21.0, 23.0, 20.5 };
static const double fast[] = { 25.0, 27.0, 26.0, 28.0, 24.0, 26.5, 25.5 };

static void test_welch_different(void **state)
{
	(void)state;
	double p = stats_welch_p(slow, ARRAY_SIZE(slow), fast, ARRAY_SIZE(fast));
	/* t = -6.6164, df = 10.378 (Welch-Satterthwaite). */
	assert_close(p, 4.9941234344628351e-05, 1e-9);
	assert_close(p, textbook_welch_p(slow, ARRAY_SIZE(slow), fast, ARRAY_SIZE(fast)), 1e-9);
	assert_true(stats_significant(p, 0.05));
	assert_true(stats_significant(p, 0.001));
	/* Two-sided: the order of the samples does not matter. */
	assert_close(stats_welch_p(fast, ARRAY_SIZE(fast), slow, ARRAY_SIZE(slow)), p, 1e-15);
}

static void test_welch_not_significant(void **state)
{
	static const double a[] = { 10.1, 9.8, 10.4, 10.0, 9.7 };
	static const double b[] = { 10.2, 10.0, 10.5, 9.9, 10.3, 10.1 };
	(void)state;
	double p = stats_welch_p(a, ARRAY_SIZE(a), b, ARRAY_SIZE(b));
	/* t = -1.1043, df = 7.5909. */
	assert_close(p, 0.30322779772608309, 1e-9);
	assert_close(p, textbook_welch_p(a, ARRAY_SIZE(a), b, ARRAY_SIZE(b)), 1e-9);
	assert_false(stats_significant(p, 0.05));
}

static void test_welch_identical(void **state)
{
	static const double c1[] = { 5, 5, 5 }, c2[] = { 5, 5, 5, 5 }, c3[] = { 6, 6, 6 };
	(void)state;

	/* Identical samples: t = 0, p = 1. */
	assert_close(stats_welch_p(slow, ARRAY_SIZE(slow), slow, ARRAY_SIZE(slow)), 1.0, 1e-15);
	assert_false(stats_significant(stats_welch_p(slow, ARRAY_SIZE(slow), slow, ARRAY_SIZE(slow)), 0.05));
	/* Constant samples: 0/0 in t, settled as no difference / certain difference. */
	assert_close(stats_welch_p(c1, ARRAY_SIZE(c1), c2, ARRAY_SIZE(c2)), 1.0, 0);
	assert_close(stats_welch_p(c1, ARRAY_SIZE(c1), c3, ARRAY_SIZE(c3)), 0.0, 0);
	/* One constant sample against a noisy one is an ordinary test (df = nb - 1). */
	double p = stats_welch_p(c1, ARRAY_SIZE(c1), slow, ARRAY_SIZE(slow));
	assert_close(p, textbook_welch_p(c1, ARRAY_SIZE(c1), slow, ARRAY_SIZE(slow)), 1e-9);
}

static void test_welch_edge_cases(void **state)
{
	static const double one[] = { 1.0 }, with_nans[] = { NAN, 20.0, 22.0, 19.0, NAN, 21.0, 23.0, 20.5 };
	static const double inf[] = { 1.0, INFINITY, 2.0 };
	(void)state;

	/* Fewer than 2 values: no variance, no test. */
	assert_true(isnan(stats_welch_p(one, 1, fast, ARRAY_SIZE(fast))));
	assert_true(isnan(stats_welch_p(fast, ARRAY_SIZE(fast), NULL, 0)));
	assert_false(stats_significant(stats_welch_p(one, 1, fast, ARRAY_SIZE(fast)), 0.05));
	/* NaNs are skipped: the same p as without them. */
	assert_close(stats_welch_p(with_nans, ARRAY_SIZE(with_nans), fast, ARRAY_SIZE(fast)),
		     stats_welch_p(slow, ARRAY_SIZE(slow), fast, ARRAY_SIZE(fast)), 1e-15);
	assert_true(isnan(stats_welch_p(inf, ARRAY_SIZE(inf), fast, ARRAY_SIZE(fast))));
	/* Very far apart: a tiny p, not rounded to 0 by 1 - P. */
	static const double far[] = { 1000.0, 1001.0, 1000.5, 999.5 };
	double p = stats_welch_p(far, ARRAY_SIZE(far), slow, ARRAY_SIZE(slow));
	assert_true(p > 0.0 && p < 1e-9);
	assert_close(p, textbook_welch_p(far, ARRAY_SIZE(far), slow, ARRAY_SIZE(slow)), 1e-6);
}

/* Deterministic samples (xorshift64*), so a failure reproduces. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static void test_hist_percentiles_merged(void **state)
{
	uint32_t *runs = calloc(3 * (size_t)VMS_HIST_NR, sizeof(*runs));
	uint64_t *merged = calloc(VMS_HIST_NR, sizeof(*merged));
	uint64_t out[STATS_NR_PCTS], seed = 0x243f6a8885a308d3ull;
	(void)state;
	assert_non_null(runs);
	assert_non_null(merged);

	/* Three repetitions with different latency ranges (ns), merged as the report does. */
	for (unsigned r = 0; r < 3; r++) {
		for (int i = 0; i < 20000 * (int)(r + 1); i++) {
			uint64_t ns = 2000 + rng_next(&seed) % (50000u << r);
			runs[r * VMS_HIST_NR + vms_hist_index(ns)]++;
		}
		hist_merge(merged, runs + r * VMS_HIST_NR, VMS_HIST_NR);
	}
	assert_int_equal(hist_total64(merged, VMS_HIST_NR), 120000);

	stats_hist_percentiles(merged, VMS_HIST_NR, stats_report_pcts, STATS_NR_PCTS, out);
	for (unsigned i = 0; i < STATS_NR_PCTS; i++)
		assert_int_equal(out[i], hist_percentile64(merged, VMS_HIST_NR, stats_report_pcts[i]));
	assert_true(out[0] <= out[1] && out[1] <= out[2] && out[2] <= out[3]);
	assert_true(out[0] > 2000 && out[3] < 2000 + (50000u << 2) + 2000);

	free(runs);
	free(merged);
}

static void test_hist_percentiles_exact(void **state)
{
	uint64_t counts[VMS_HIST_NR] = { 0 }, out[STATS_NR_PCTS];
	(void)state;

	/* The report's percentiles are p50, p90, p99, p99.9. */
	assert_close(stats_report_pcts[0], 50.0, 0);
	assert_close(stats_report_pcts[1], 90.0, 0);
	assert_close(stats_report_pcts[2], 99.0, 0);
	assert_close(stats_report_pcts[3], 99.9, 0);

	/* 1..100 once each, all in exact buckets: fio's first bucket reaching p% of 100. */
	for (uint64_t v = 1; v <= 100; v++)
		counts[vms_hist_index(v)]++;
	stats_hist_percentiles(counts, VMS_HIST_NR, stats_report_pcts, STATS_NR_PCTS, out);
	assert_int_equal(out[0], 50);
	assert_int_equal(out[1], 90);
	assert_int_equal(out[2], 99);
	assert_int_equal(out[3], 100);

	/* An empty histogram gives 0, as hist_percentile64 does. */
	memset(counts, 0, sizeof(counts));
	stats_hist_percentiles(counts, VMS_HIST_NR, stats_report_pcts, STATS_NR_PCTS, out);
	for (unsigned i = 0; i < STATS_NR_PCTS; i++)
		assert_int_equal(out[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_values),
		cmocka_unit_test(test_median_odd_and_unsorted),
		cmocka_unit_test(test_single_value),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_ci_student_t),
		cmocka_unit_test(test_ci_clipped_at_zero),
		cmocka_unit_test(test_ci_meaningful),
		cmocka_unit_test(test_cv),
		cmocka_unit_test(test_nan_skipped),
		cmocka_unit_test(test_welch_different),
		cmocka_unit_test(test_welch_not_significant),
		cmocka_unit_test(test_welch_identical),
		cmocka_unit_test(test_welch_edge_cases),
		cmocka_unit_test(test_hist_percentiles_merged),
		cmocka_unit_test(test_hist_percentiles_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
