/*
 * Per-point statistics over repetitions, Welch's t-test and histogram percentiles.
 * Moments come from gsl_stats_* (running, numerically stable algorithms) and the
 * t distribution from gsl_cdf_tdist_*, so that small samples (3 repetitions) get the
 * wide intervals they deserve rather than a normal approximation.
 */
#include "report/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "util/hist_stats.h"

const double stats_report_pcts[STATS_NR_PCTS] = { 50.0, 90.0, 99.0, 99.9 };

/* The non-NaN values of v[n], in a new buffer (*m of them). The functions here return
 * no error, and a sweep's repetitions are few: running out of memory for a copy of
 * them is not a state worth reporting numbers from, so abort. */
static double *copy_non_nan(const double *v, size_t n, size_t *m)
{
	double *c = malloc((n ? n : 1) * sizeof(*c));
	if (!c) {
		fprintf(stderr, "vmsweep: stats: out of memory for %zu values\n", n);
		abort();
	}
	*m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			c[(*m)++] = v[i];
	return c;
}

void stats_compute(const double *values, size_t n, struct sample_stats *out)
{
	size_t m;
	double *v = copy_non_nan(values, n, &m);

	out->n = m;
	out->mean = out->median = out->stddev = out->cv = NAN;
	out->ci95_lo = out->ci95_hi = out->min = out->max = NAN;
	out->ci95_clipped = false;
	if (!m) {
		free(v);
		return;
	}

	/* gsl_stats_median_from_sorted_data needs sorted data; min and max come free. */
	gsl_sort(v, 1, m);
	out->min = v[0];
	out->max = v[m - 1];
	out->median = gsl_stats_median_from_sorted_data(v, 1, m);
	out->mean = gsl_stats_mean(v, 1, m);
	/* One value has no spread: GSL would divide 0 by n - 1 = 0. */
	if (m >= 2) {
		out->stddev = gsl_stats_sd_m(v, 1, m, out->mean);
		double half = gsl_cdf_tdist_Pinv(0.975, (double)(m - 1)) * out->stddev / sqrt((double)m);
		out->ci95_lo = out->mean - half;
		out->ci95_hi = out->mean + half;
		if (out->mean != 0.0)
			out->cv = out->stddev / out->mean;
	}
	free(v);
}

void stats_ci_clip(struct sample_stats *s)
{
	if (s->ci95_lo < 0 && s->min >= 0) {
		s->ci95_lo = 0;
		s->ci95_clipped = true;
	}
}

/* Welch's test on NaN-free samples. */
static double welch_p(const double *a, size_t na, const double *b, size_t nb)
{
	if (na < 2 || nb < 2)
		return NAN;
	double mean_a = gsl_stats_mean(a, 1, na), mean_b = gsl_stats_mean(b, 1, nb);
	double sa = gsl_stats_variance_m(a, 1, na, mean_a) / (double)na;
	double sb = gsl_stats_variance_m(b, 1, nb, mean_b) / (double)nb;
	double se2 = sa + sb;
	if (!isfinite(mean_a) || !isfinite(mean_b) || !isfinite(se2))
		return NAN;
	/* Two constant samples: no noise, so any difference is certain. */
	if (se2 == 0.0)
		return mean_a == mean_b ? 1.0 : 0.0;
	double t = (mean_a - mean_b) / sqrt(se2);
	/* Welch-Satterthwaite df, written with the shares sa/se2 and sb/se2 (which sum to 1)
	 * so that squaring tiny variances cannot underflow to 0/0. */
	double ra = sa / se2, rb = sb / se2;
	double df = 1.0 / (ra * ra / (double)(na - 1) + rb * rb / (double)(nb - 1));
	/* Q of |t| rather than 1 - P: keeps small p-values instead of rounding them to 0. */
	double p = 2.0 * gsl_cdf_tdist_Q(fabs(t), df);
	return p > 1.0 ? 1.0 : p;
}

double stats_welch_p(const double *a, size_t na, const double *b, size_t nb)
{
	size_t ma, mb;
	double *va = copy_non_nan(a, na, &ma), *vb = copy_non_nan(b, nb, &mb);
	double p = welch_p(va, ma, vb, mb);
	free(va);
	free(vb);
	return p;
}

void stats_hist_percentiles(const uint64_t *counts, unsigned nr, const double *pcts, size_t npcts,
			    uint64_t *out)
{
	/* hist_percentile64 walks fio's way; reusing it keeps the report equal to fio. */
	for (size_t i = 0; i < npcts; i++)
		out[i] = hist_percentile64(counts, nr, pcts[i]);
}
