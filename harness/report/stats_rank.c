/* Rank statistics: see stats_rank.h. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/stats_rank.h"

#define EXACT_MAX 200 /* mann_whitney_cdf's sizes: m * n coefficients */
#define MWU_EXACT_MAX 8 /* SciPy's rule: exact when the smaller sample is at most this */
#define HL_EXACT_MAX 50 /* R's rule: exact intervals below this size */

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* The non-NaN values of v[n], sorted, in a new array (NULL when out of memory or none). */
static double *sorted_copy(const double *v, size_t n, size_t *m)
{
	double *out = malloc((n ? n : 1) * sizeof(*out));
	*m = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			out[(*m)++] = v[i];
	qsort(out, *m, sizeof(*out), cmp_double);
	return out;
}

/*
 * The number of arrangements of m and n values with U = k, for every k in 0..m*n: the
 * coefficients of the Gaussian binomial [m+n choose m](q) = prod_i (1 - q^(n+i)) / (1 - q^i),
 * multiplied and divided one factor at a time (each quotient is again a polynomial).
 */
static double *u_counts(size_t m, size_t n)
{
	size_t deg = m * n;
	double *c = calloc(deg + 1, sizeof(*c));
	if (!c)
		return NULL;
	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		for (size_t k = deg; k >= n + i; k--) /* times (1 - q^(n+i)) */
			c[k] -= c[k - n - i];
		for (size_t k = i; k <= deg; k++) /* over (1 - q^i) */
			c[k] += c[k - i];
	}
	return c;
}

double mann_whitney_cdf(size_t m, size_t n, double u)
{
	if (!m || !n || m > EXACT_MAX || n > EXACT_MAX || isnan(u))
		return NAN;
	if (u < 0)
		return 0;
	if (u >= (double)(m * n))
		return 1;
	double *c = u_counts(m, n), below = 0, total = 0;
	if (!c)
		return NAN;
	for (size_t k = 0; k <= m * n; k++) {
		total += c[k];
		if ((double)k <= u)
			below += c[k];
	}
	free(c);
	return below / total;
}

/* U of a against b (both sorted), ties counting 1/2, and whether there were ties. */
static double u_statistic(const double *a, size_t na, const double *b, size_t nb, bool *ties)
{
	double u = 0;
	size_t lo = 0, hi = 0; /* b[0..lo) < x, b[lo..hi) == x */
	*ties = false;
	for (size_t i = 0; i < na; i++) {
		while (lo < nb && b[lo] < a[i])
			lo++;
		if (hi < lo)
			hi = lo;
		while (hi < nb && b[hi] == a[i])
			hi++;
		u += (double)lo + 0.5 * (double)(hi - lo);
		*ties |= hi > lo || (i && a[i] == a[i - 1]);
	}
	for (size_t j = 1; j < nb; j++)
		*ties |= b[j] == b[j - 1];
	return u;
}

/* sum(t^3 - t) over the groups of tied values of a and b together (both sorted). */
static double tie_term(const double *a, size_t na, const double *b, size_t nb)
{
	double term = 0;
	size_t i = 0, j = 0;
	while (i < na || j < nb) {
		double x = j >= nb || (i < na && a[i] <= b[j]) ? a[i] : b[j], t = 0;
		while (i < na && a[i] == x)
			i++, t++;
		while (j < nb && b[j] == x)
			j++, t++;
		term += t * t * t - t;
	}
	return term;
}

void mann_whitney_u(const double *a, size_t na, const double *b, size_t nb, struct mann_whitney *out)
{
	size_t m, n;
	double *x = sorted_copy(a, na, &m), *y = sorted_copy(b, nb, &n);
	bool ties;

	memset(out, 0, sizeof(*out));
	out->p = NAN;
	if (!x || !y || !m || !n)
		goto done;
	out->u = u_statistic(x, m, y, n, &ties);
	double mn = (double)m * (double)n, big = fmax(out->u, mn - out->u);
	if ((m <= MWU_EXACT_MAX || n <= MWU_EXACT_MAX) && !ties) {
		/* 2 P(U >= big) = 2 P(U <= mn - big), by symmetry */
		out->exact = true;
		out->p = 2 * mann_whitney_cdf(m, n, mn - big);
	} else {
		double N = (double)(m + n), s = sqrt(mn / 12 * ((N + 1) - tie_term(x, m, y, n) / (N * (N - 1))));
		out->p = s > 0 ? 2 * gsl_cdf_ugaussian_Q((big - mn / 2 - 0.5) / s) : 1;
	}
	if (out->p > 1)
		out->p = 1;
done:
	free(x);
	free(y);
}

int hodges_lehmann(const double *a, size_t na, const double *b, size_t nb, double conf, double *shift, double *lo,
		   double *hi, double *achieved)
{
	size_t m, n, k, nd;
	double *x = sorted_copy(a, na, &m), *y = sorted_copy(b, nb, &n), *d = NULL;
	int ret = -1;
	bool ties;

	if (!x || !y || !m || !n || !(d = malloc(m * n * sizeof(*d))))
		goto done;
	nd = m * n;
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < n; j++)
			d[i * n + j] = y[j] - x[i];
	qsort(d, nd, sizeof(*d), cmp_double);
	*shift = nd % 2 ? d[nd / 2] : (d[nd / 2 - 1] + d[nd / 2]) / 2;
	u_statistic(x, m, y, n, &ties);
	double alpha = 1 - conf;
	if (m < HL_EXACT_MAX && n < HL_EXACT_MAX && !ties) {
		/* qwilcox(alpha / 2): the smallest k with P(U <= k) >= alpha / 2 */
		for (k = 0; k < nd && mann_whitney_cdf(m, n, (double)k) < alpha / 2; k++)
			;
		if (k == 0)
			k = 1; /* as R: conf not reachable, the whole range */
		*achieved = 1 - 2 * mann_whitney_cdf(m, n, (double)k - 1);
	} else {
		double z = gsl_cdf_ugaussian_Qinv(alpha / 2), mn = (double)nd;
		double kk = floor(mn / 2 - z * sqrt(mn * (double)(m + n + 1) / 12));
		k = kk < 1 ? 1 : (size_t)kk;
		*achieved = k == 1 && kk < 1 ? 1 - 2 * gsl_cdf_ugaussian_P((0.5 - mn / 2) /
									    sqrt(mn * (double)(m + n + 1) / 12))
					     : conf;
	}
	*lo = d[k - 1];
	*hi = d[nd - k];
	ret = 0;
done:
	free(x);
	free(y);
	free(d);
	return ret;
}

struct p_index {
	double p;
	size_t i;
};

static int cmp_p(const void *x, const void *y)
{
	return cmp_double(&((const struct p_index *)x)->p, &((const struct p_index *)y)->p);
}

void holm_adjust(const double *p, size_t n, double *adjusted)
{
	struct p_index *v = malloc((n ? n : 1) * sizeof(*v));
	size_t m = 0;
	double run = 0;

	for (size_t i = 0; i < n; i++) {
		adjusted[i] = NAN;
		if (v && !isnan(p[i]))
			v[m++] = (struct p_index){ p[i], i };
	}
	if (!v)
		return;
	qsort(v, m, sizeof(*v), cmp_p);
	/* step down: the j-th smallest times (m - j), never below an earlier one, at most 1 */
	for (size_t j = 0; j < m; j++) {
		double a = fmin(1, (double)(m - j) * v[j].p);
		run = fmax(run, a);
		adjusted[v[j].i] = run;
	}
	free(v);
}
