/*
 * Rank statistics for comparing two small samples (a nightly sweep's repetitions of one
 * point against the last good one's): the Mann-Whitney U test, the Hodges-Lehmann shift
 * with its distribution-free interval, and Holm's step-down correction over a family of
 * tests. They assume nothing about the shape of the distributions, which repetitions on
 * a noisy host do not have (a slow outlier is common, a normal tail is not). The test
 * agrees with SciPy 1.10's mannwhitneyu (method 'auto', use_continuity=True), the exact
 * interval with R's wilcox.test(conf.int = TRUE) rule: tests/unit/test_stats_rank.c holds
 * values computed with SciPy and by enumerating every arrangement.
 */
#ifndef VMSWEEP_REPORT_STATS_RANK_H
#define VMSWEEP_REPORT_STATS_RANK_H
#include <stdbool.h>
#include <stddef.h>

struct mann_whitney {
	double u; /* U of sample a: pairs (a_i, b_j) with a_i > b_j, ties counting 1/2 */
	double p; /* two-sided; NAN when a sample is empty */
	bool exact; /* from U's exact distribution (no ties, the smaller sample under 8), else the
		     * normal approximation with tie correction and continuity correction */
};

/* a[na] against b[nb]; NaNs are skipped. */
void mann_whitney_u(const double *a, size_t na, const double *b, size_t nb, struct mann_whitney *out);

/*
 * The Hodges-Lehmann estimate of the shift b - a (the median of the na x nb differences
 * b_j - a_i) and its interval at confidence conf (0.95): the differences of rank k and
 * na*nb + 1 - k, k from U's distribution (R's wilcox.test(b, a, conf.int = TRUE) rule:
 * exact for samples without ties of under 50; otherwise k from the normal approximation,
 * the textbook rule, where R solves for the interval numerically). Samples too small for
 * conf (3 against 3 cannot reach 95 %) get, as in R, the whole range of differences, and
 * *achieved is the confidence that range has: the caller compares it with conf. Returns -1
 * when a sample is empty, else 0.
 */
int hodges_lehmann(const double *a, size_t na, const double *b, size_t nb, double conf, double *shift, double *lo,
		   double *hi, double *achieved);

/* Holm-Bonferroni: adjusted[i] for p[i] of n tests (NAN stays NAN and is not counted). */
void holm_adjust(const double *p, size_t n, double *adjusted);

/* P(U <= u) for samples of m and n without ties: the exact distribution (m, n <= 200). */
double mann_whitney_cdf(size_t m, size_t n, double u);
#endif
