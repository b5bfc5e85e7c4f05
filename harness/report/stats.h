/*
 * Statistics of one sweep point over its repetitions, the
 * Welch test behind `vmsweep compare`, and latency percentiles of merged histograms.
 * GSL supplies the t distribution, so intervals and p-values need no tables.
 */
#ifndef VMSWEEP_REPORT_STATS_H
#define VMSWEEP_REPORT_STATS_H
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sample_stats {
	size_t n;		/* values used: NaNs are not counted */
	double mean, median;
	double stddev;		/* sample (n - 1); NAN when n < 2 */
	double cv;		/* stddev / mean; NAN when mean is 0 or stddev is NAN */
	double ci95_lo, ci95_hi; /* mean -+ t(0.975, n-1) * stddev / sqrt(n); NAN when n < 2 */
	bool ci95_clipped;	/* ci95_lo was below 0 and is 0 (stats_ci_clip) */
	double min, max;
};

/* Fewer values than this give no interval worth printing: with 2, t(0.975, 1) = 12.7
 * makes it 9 standard deviations wide, and with 1 there is none. */
#define STATS_CI_MIN_N 3

/*
 * Fills out from values[n]. NaN values (a repetition that produced no number) are
 * skipped and not counted. With no value left every field but n (0) is NAN; with one,
 * mean = median = min = max and the spread fields are NAN.
 */
void stats_compute(const double *values, size_t n, struct sample_stats *out);

/* Whether s's interval means something: n >= STATS_CI_MIN_N and a finite interval. The
 * documents print "n<3" instead of the others. */
static inline bool stats_ci_meaningful(const struct sample_stats *s)
{
	return s->n >= STATS_CI_MIN_N && !isnan(s->ci95_lo) && !isnan(s->ci95_hi);
}

/* The interval's half-width as a share of the mean (repeat = auto's measure): 0 for a
 * constant sample, NAN without an interval. */
static inline double stats_ci95_rel_half(const struct sample_stats *s)
{
	double half = (s->ci95_hi - s->ci95_lo) / 2;
	return isnan(half) ? NAN : half == 0 ? 0 : half / fabs(s->mean);
}

/*
 * For a quantity that cannot be negative (a latency, IOPS, a bandwidth, a count), whose
 * values in s were all >= 0: a lower end of the interval below 0 becomes 0 and
 * ci95_clipped says so, for the documents to mark it. The t interval is symmetric and
 * knows nothing of the bound; printed as it is, it would claim the mean may be negative.
 * Values below 0 (s->min < 0) say the quantity is signed after all: s is left alone.
 */
void stats_ci_clip(struct sample_stats *s);

/*
 * Welch's t-test (unequal variances) for `vmsweep compare`: the two-sided p-value that
 * a and b have the same mean. NaNs are skipped as in stats_compute. NAN when either
 * sample has fewer than 2 values or holds an infinity. When both samples are constant
 * the test degenerates: 1 if their means are equal, 0 otherwise.
 */
double stats_welch_p(const double *a, size_t na, const double *b, size_t nb);

/* Whether a difference is significant at alpha; a NAN p (untestable) never is. */
static inline bool stats_significant(double p, double alpha)
{
	return p < alpha;
}

/* The percentiles the report shows: p50, p90, p99, p99.9. */
#define STATS_NR_PCTS 4
extern const double stats_report_pcts[STATS_NR_PCTS];

/*
 * out[i] = percentile pcts[i] of the merged fio histogram counts[nr] (uint64 counts,
 * see util/hist_stats.h), exactly as hist_percentile64 gives it; 0 for an empty
 * histogram.
 */
void stats_hist_percentiles(const uint64_t *counts, unsigned nr, const double *pcts, size_t npcts,
			    uint64_t *out);

#endif
