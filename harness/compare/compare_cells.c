/*
 * Each cell of a comparison: the medians of the two points' done runs, the relative
 * change of the median with the Hodges-Lehmann interval (distribution-free: repetitions
 * on a busy host have outliers, not normal tails), a two-sample test, Holm's correction
 * over every cell tested, and the verdict that follows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "report/stats.h"
#include "report/stats_rank.h"
#include "store/query.h"
#include "util/error.h"


struct values_arg {
	struct compare_sweep *sw;
	char *err;
};

static long point_index(const struct report *r, size_t id)
{
	size_t lo = 0, hi = r->nr_points;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->points[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nr_points && r->points[lo].id == id ? (long)lo : -1;
}

static int value_take(void *arg, size_t point, double value, char *err, size_t errlen)
{
	struct compare_sweep *sw = arg;
	long p = point_index(&sw->r, point);
	if (p < 0 || isnan(value))
		return 0;
	double *v = realloc(sw->values[p], (sw->nr_values[p] + 1) * sizeof(*v));
	if (!v)
		return errorf(err, errlen, "out of memory");
	sw->values[p] = v;
	v[sw->nr_values[p]++] = value;
	return 0;
}

void compare_values_free(struct compare_sweep *sw)
{
	for (size_t p = 0; sw->values && p < sw->r.nr_points; p++)
		free(sw->values[p]);
	free(sw->values);
	free(sw->nr_values);
	sw->values = NULL;
	sw->nr_values = NULL;
}

int compare_values_read(struct compare_sweep *sw, const char *metric, char *err, size_t errlen)
{
	size_t n = sw->r.nr_points ? sw->r.nr_points : 1;
	if (!(sw->values = calloc(n, sizeof(*sw->values))) || !(sw->nr_values = calloc(n, sizeof(*sw->nr_values))))
		return errorf(err, errlen, "out of memory");
	return store_metric_values_read(sw->store, metric, value_take, sw, err, errlen);
}

static double median(const double *v, size_t n)
{
	struct sample_stats st;
	stats_compute(v, n, &st);
	return st.median;
}

/*
 * auto: Mann-Whitney U, which an outlier run does not sway, when it can reject at all:
 * its smallest p (no overlap: 2 / C(m + n, m)) times the family's size (Holm's factor for
 * the smallest p) is below alpha. With fewer runs (3 against 3: 0.1 at best) or a large
 * family, Welch's t, which can.
 */
static enum compare_test test_choose(const struct compare *c, size_t na, size_t nb, size_t family)
{
	if (c->opt.test != COMPARE_TEST_AUTO)
		return c->opt.test;
	double p_min = 2 * mann_whitney_cdf(na, nb, 0);
	return !isnan(p_min) && p_min * (double)family < c->opt.alpha ? COMPARE_TEST_MWU : COMPARE_TEST_WELCH;
}

static void cell_fill(const struct compare *c, struct compare_cell *cell, const double *a, size_t na, const double *b,
		      size_t nb, size_t family)
{
	memset(cell, 0, sizeof(*cell));
	cell->n_base = na;
	cell->n_new = nb;
	cell->median_base = cell->median_new = cell->change = cell->lo = cell->hi = NAN;
	cell->achieved = cell->p = cell->p_adjusted = NAN;
	cell->verdict = VERDICT_MISSING;
	if (na)
		cell->median_base = median(a, na);
	if (nb)
		cell->median_new = median(b, nb);
	if (!na || !nb)
		return;
	double scale = fabs(cell->median_base), shift, lo, hi;
	if (scale > 0)
		cell->change = (cell->median_new - cell->median_base) / scale;
	else
		cell->change = cell->median_new == cell->median_base ? 0 : NAN;
	if (!hodges_lehmann(a, na, b, nb, c->opt.conf, &shift, &lo, &hi, &cell->achieved) && scale > 0) {
		cell->lo = lo / scale;
		cell->hi = hi / scale;
	} else if (scale == 0 && cell->change == 0) {
		cell->lo = cell->hi = 0;
	}
	cell->test = test_choose(c, na, nb, family);
	if (cell->test == COMPARE_TEST_MWU) {
		struct mann_whitney mw;
		mann_whitney_u(a, na, b, nb, &mw);
		cell->p = mw.p;
	} else {
		cell->p = stats_welch_p(a, na, b, nb);
	}
	cell->verdict = VERDICT_INCONCLUSIVE;
}

static void verdict_decide(const struct compare *c, struct compare_cell *cell, int better)
{
	double t = c->opt.threshold;
	if (cell->verdict == VERDICT_MISSING || isnan(cell->change))
		return;
	bool significant = stats_significant(cell->p_adjusted, c->opt.alpha);
	bool within = !isnan(cell->lo) && cell->lo >= -t && cell->hi <= t;
	if (significant && fabs(cell->change) >= t) {
		if (!better)
			cell->verdict = VERDICT_CHANGED;
		else
			cell->verdict = (cell->change > 0) == (better > 0) ? VERDICT_BETTER : VERDICT_WORSE;
	} else if (within || (significant && fabs(cell->change) < t)) {
		cell->verdict = VERDICT_SAME;
	}
}

/* Every cell of every metric; family: the cells testable (>= 2 runs a side), counted
 * in a first pass (fill NULL) so that the tests know it. */
static int cells_walk(struct compare *c, size_t *family, bool fill, char *err, size_t errlen)
{
	for (size_t m = 0; m < c->nr_metrics; m++) {
		int rc = 0;
		for (size_t s = 0; s < c->nr_sweeps && !rc; s++)
			rc = compare_values_read(&c->sweeps[s], c->metrics[m].name, err, errlen);
		for (size_t row = 0; row < c->nr_rows && !rc; row++) {
			const struct compare_row *rw = &c->rows[row];
			const struct compare_sweep *base = &c->sweeps[0];
			size_t na = base->nr_values[rw->point[0]];
			for (size_t s = 1; s < c->nr_sweeps; s++) {
				const struct compare_sweep *sw = &c->sweeps[s];
				size_t p = rw->point[s], nb = p == COMPARE_NONE ? 0 : sw->nr_values[p];
				if (!fill)
					*family += na >= 2 && nb >= 2;
				else
					cell_fill(c, compare_cell(c, row, m, s), base->values[rw->point[0]], na,
						  p == COMPARE_NONE ? NULL : sw->values[p], nb, *family);
			}
		}
		for (size_t s = 0; s < c->nr_sweeps; s++)
			compare_values_free(&c->sweeps[s]);
		if (rc)
			return -1;
	}
	return 0;
}

int compare_compute(struct compare *c, char *err, size_t errlen)
{
	size_t per_row = c->nr_metrics * (c->nr_sweeps - 1), n = c->nr_rows * per_row, family = 0;
	if (!(c->cells = calloc(n ? n : 1, sizeof(*c->cells))))
		return errorf(err, errlen, "out of memory");
	if (cells_walk(c, &family, false, err, errlen) || cells_walk(c, &family, true, err, errlen))
		return -1;
	/* Holm over the family: every cell tested, all metrics, points and sweeps. */
	double *p = malloc((n ? n : 1) * sizeof(*p)), *adj = malloc((n ? n : 1) * sizeof(*adj));
	if (!p || !adj) {
		free(p);
		free(adj);
		return errorf(err, errlen, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		p[i] = c->cells[i].p;
	holm_adjust(p, n, adj);
	for (size_t i = 0; i < n; i++) {
		c->cells[i].p_adjusted = adj[i];
		verdict_decide(c, &c->cells[i], c->metrics[(i / (c->nr_sweeps - 1)) % c->nr_metrics].better);
		c->nr_verdict[c->cells[i].verdict]++;
	}
	free(p);
	free(adj);
	return 0;
}
