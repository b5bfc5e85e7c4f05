/*
 * The rank statistics behind `vmsweep compare` (harness/report/stats_rank.c) against
 * reference values: p-values from SciPy 1.10.1's mannwhitneyu(a, b, alternative=
 * 'two-sided') (its 'auto' method: exact when the smaller sample has at most 8 values and
 * there are no ties), and the Hodges-Lehmann shifts, intervals and U's distribution by
 * enumerating every arrangement of the two samples in Python (R's wilcox.test rule for
 * the interval: qwilcox(0.025), the whole range when that is 0).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "report/stats_rank.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))


static const double apart_a[] = { 1.1, 2.3, 3.0 }, apart_b[] = { 4.2, 5.5, 6.1 };
static const double five_a[] = { 10.2, 11.5, 9.8, 12.1, 10.9 }, five_b[] = { 11.8, 12.6, 13.1, 10.5, 12.9 };
static const double six_a[] = { 5.01, 5.22, 4.87, 5.35, 5.12, 4.99 };
static const double twenty_b[] = { 5.31, 5.44, 5.28, 5.61, 5.05, 5.49, 5.38, 5.57, 5.26, 5.41,
				   5.66, 5.33, 5.47, 5.18, 5.52, 5.39, 5.29, 5.58, 5.45, 5.36 };
static const double tied_a[] = { 3, 4, 4, 5, 5, 5, 6, 6, 7, 8 }, tied_b[] = { 4, 5, 6, 6, 7, 7, 7, 8, 8, 9, 9, 10 };

static void test_u_distribution(void **state)
{
	(void)state;
	assert_close(mann_whitney_cdf(5, 5, 3), 0.027777777777777776, 1e-12);
	assert_close(mann_whitney_cdf(3, 4, 5), 0.42857142857142855, 1e-12);
	assert_close(mann_whitney_cdf(3, 3, 0), 1.0 / 20, 1e-12);
	assert_close(mann_whitney_cdf(3, 3, 9), 1, 0);
	assert_close(mann_whitney_cdf(3, 3, -1), 0, 0);
	/* symmetric about m n / 2 */
	assert_close(mann_whitney_cdf(7, 4, 27) , 1 - mann_whitney_cdf(7, 4, 0), 1e-12);
	assert_true(isnan(mann_whitney_cdf(0, 4, 1)));
	assert_true(isnan(mann_whitney_cdf(201, 4, 1)));
}

static void test_mann_whitney_exact(void **state)
{
	struct mann_whitney r;
	(void)state;
	mann_whitney_u(apart_a, N(apart_a), apart_b, N(apart_b), &r);
	assert_true(r.exact);
	assert_close(r.u, 0, 0);
	assert_close(r.p, 0.1, 1e-12); /* 3 against 3 can do no better than 2/20 */
	mann_whitney_u(five_a, N(five_a), five_b, N(five_b), &r);
	assert_true(r.exact);
	assert_close(r.u, 4, 0);
	assert_close(r.p, 0.09523809523809523, 1e-12);
	mann_whitney_u(six_a, N(six_a), twenty_b, N(twenty_b), &r);
	assert_true(r.exact); /* the smaller sample decides */
	assert_close(r.u, 10, 0);
	assert_close(r.p, 0.0010858706510880425, 1e-9);
	/* the order of the samples changes U, not p */
	mann_whitney_u(twenty_b, N(twenty_b), six_a, N(six_a), &r);
	assert_close(r.u, 110, 0);
	assert_close(r.p, 0.0010858706510880425, 1e-9);
}

static void test_mann_whitney_ties(void **state)
{
	struct mann_whitney r;
	(void)state;
	mann_whitney_u(tied_a, N(tied_a), tied_b, N(tied_b), &r);
	assert_false(r.exact);
	assert_close(r.u, 25, 0);
	assert_close(r.p, 0.02142942021077425, 1e-9);
	/* identical samples: no evidence at all */
	mann_whitney_u(tied_a, N(tied_a), tied_a, N(tied_a), &r);
	assert_close(r.p, 1, 0);
	/* NaNs are runs without the number: skipped */
	const double with_nan[] = { 1.1, NAN, 2.3, 3.0 };
	mann_whitney_u(with_nan, N(with_nan), apart_b, N(apart_b), &r);
	assert_close(r.p, 0.1, 1e-12);
	mann_whitney_u(with_nan, 0, apart_b, N(apart_b), &r);
	assert_true(isnan(r.p));
}

static void test_hodges_lehmann(void **state)
{
	double shift, lo, hi, achieved;
	(void)state;
	assert_int_equal(hodges_lehmann(five_a, N(five_a), five_b, N(five_b), 0.95, &shift, &lo, &hi, &achieved), 0);
	assert_close(shift, 1.4, 1e-12);
	assert_close(lo, -0.4, 1e-12);
	assert_close(hi, 2.9, 1e-12);
	assert_close(achieved, 0.9682539682539683, 1e-12);
	/* 3 against 3 cannot reach 95 %: the whole range, and the confidence it has */
	assert_int_equal(hodges_lehmann(apart_a, N(apart_a), apart_b, N(apart_b), 0.95, &shift, &lo, &hi, &achieved),
			 0);
	assert_close(shift, 3.1, 1e-12);
	assert_close(lo, 1.2, 1e-12);
	assert_close(hi, 5.0, 1e-12);
	assert_close(achieved, 0.9, 1e-12);
	assert_int_equal(hodges_lehmann(apart_a, 0, apart_b, N(apart_b), 0.95, &shift, &lo, &hi, &achieved), -1);
	/* with ties, the normal rule: the interval still holds the shift */
	assert_int_equal(hodges_lehmann(tied_a, N(tied_a), tied_b, N(tied_b), 0.95, &shift, &lo, &hi, &achieved), 0);
	assert_close(shift, 2, 1e-12);
	assert_true(lo <= shift && shift <= hi && lo >= 0 && hi <= 4); /* d(30) and d(91) of the 120 */
}

static void test_holm(void **state)
{
	const double p[] = { 0.01, 0.04, 0.03, 0.005, NAN };
	double adj[N(p)];
	(void)state;
	holm_adjust(p, N(p), adj);
	/* sorted 0.005 x4, 0.01 x3, 0.03 x2, 0.04 x1 (kept at 0.06: never below an earlier one) */
	assert_close(adj[0], 0.03, 1e-12);
	assert_close(adj[1], 0.06, 1e-12);
	assert_close(adj[2], 0.06, 1e-12);
	assert_close(adj[3], 0.02, 1e-12);
	assert_true(isnan(adj[4]));
	const double big[] = { 0.5, 0.6 };
	double adj2[2];
	holm_adjust(big, 2, adj2);
	assert_close(adj2[0], 1, 0);
	assert_close(adj2[1], 1, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u_distribution),
		cmocka_unit_test(test_mann_whitney_exact),
		cmocka_unit_test(test_mann_whitney_ties),
		cmocka_unit_test(test_hodges_lehmann),
		cmocka_unit_test(test_holm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
