/*
 * `vmsweep history DIR...`: a metric's course over a series of sweeps (nightly runs of one
 * config), so that a slow drift shows, which night-to-night comparisons miss: each point
 * a line of its means with the 95 % band of its runs, one figure per metric; a table of the
 * means; and each point's drift per sweep, the slope of a least-squares line through its
 * means (GSL) relative to the first, with the slope's 95 % interval.
 */
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare/compare.h"
#include "report/gnuplot.h"
#include "report/plot_internal.h"
#include "report/stats.h"
#include "util/error.h"

struct drift {
	double per_sweep, lo, hi; /* relative to the first sweep's mean; NAN when under 3 sweeps */
};

/* Slope of mean[k] on k (sweeps with a mean), relative to ref, with its t interval. */
static struct drift drift_fit(const double *mean, size_t n, double ref)
{
	struct drift d = { NAN, NAN, NAN };
	double x[COMPARE_SWEEPS_MAX], y[COMPARE_SWEEPS_MAX], c0, c1, cov00, cov01, cov11, sumsq;
	size_t m = 0;
	for (size_t k = 0; k < n; k++)
		if (!isnan(mean[k])) {
			x[m] = (double)k;
			y[m++] = mean[k];
		}
	if (m < 3 || !(fabs(ref) > 0) || gsl_fit_linear(x, 1, y, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &sumsq))
		return d;
	double half = gsl_cdf_tdist_Qinv(0.025, (double)(m - 2)) * sqrt(cov11);
	d.per_sweep = c1 / fabs(ref);
	d.lo = (c1 - half) / fabs(ref);
	d.hi = (c1 + half) / fabs(ref);
	return d;
}

static const char *sweep_tag(const struct compare_sweep *sw)
{
	const char *slash = strrchr(sw->dir, '/');
	return slash && slash[1] ? slash + 1 : sw->dir;
}

/* One metric: the data file, the figure, its table and drifts in md. */
static int metric_history(struct compare *c, size_t m, const struct gnuplot *gp, const char *out, FILE *md, char *err,
			  size_t errlen)
{
	size_t ns = c->nr_sweeps;
	struct sample_stats *st = calloc(c->nr_rows * ns, sizeof(*st));
	char name[300], path[4400];
	int rc = 0;
	if (!st)
		return errorf(err, errlen, "out of memory");
	for (size_t s = 0; s < ns && !rc; s++) {
		struct compare_sweep *sw = &c->sweeps[s];
		if ((rc = compare_values_read(sw, c->metrics[m].name, err, errlen)))
			break;
		for (size_t row = 0; row < c->nr_rows; row++) {
			size_t p = c->rows[row].point[s];
			if (p == COMPARE_NONE)
				stats_compute(NULL, 0, &st[row * ns + s]);
			else
				stats_compute(sw->values[p], sw->nr_values[p], &st[row * ns + s]);
		}
		compare_values_free(sw);
	}
	plot_name(name, sizeof(name), "history", c->metrics[m].name); /* the report's file names */
	snprintf(path, sizeof(path), "%s/%s.dat", out, name);
	FILE *d = rc ? NULL : fopen(path, "w");
	if (!rc && !d)
		rc = errorf(err, errlen, "%s: %s", path, strerror(errno));
	char *body = NULL;
	size_t blen = 0;
	FILE *b = rc ? NULL : open_memstream(&body, &blen);
	if (b) {
		fputs("set grid\nset key outside right top\nset style fill transparent solid 0.2 noborder\nset title ", b);
		gnuplot_quote(b, c->metrics[m].name);
		fputs("\nset xlabel 'sweep'\nset ylabel ", b);
		gnuplot_quote(b, c->metrics[m].name);
		fprintf(b, "\nset xrange [-0.5:%zu.5]\nset xtics rotate by -30 (", ns - 1);
		for (size_t s = 0; s < ns; s++) {
			fputs(s ? ", " : "", b);
			gnuplot_quote(b, sweep_tag(&c->sweeps[s]));
			fprintf(b, " %zu", s);
		}
		fputs(")\nplot ", b);
	}
	fprintf(md, "## %s\n\n| point |", c->metrics[m].name);
	for (size_t s = 0; s < ns; s++)
		fprintf(md, " %s |", sweep_tag(&c->sweeps[s]));
	fputs(" drift per sweep [95 % CI] |\n|---|", md);
	for (size_t s = 0; s <= ns; s++)
		fputs("---|", md);
	fputc('\n', md);
	for (size_t row = 0; d && b && row < c->nr_rows; row++) {
		double mean[COMPARE_SWEEPS_MAX];
		fprintf(md, "| %s |", c->rows[row].label);
		for (size_t s = 0; s < ns; s++) {
			const struct sample_stats *x = &st[row * ns + s];
			mean[s] = x->n ? x->mean : NAN;
			if (!x->n)
				fputs(" - |", md);
			else if (stats_ci_meaningful(x))
				fprintf(md, " %.4g ± %.2g |", x->mean, (x->ci95_hi - x->ci95_lo) / 2);
			else
				fprintf(md, " %.4g (n<3) |", x->mean);
			if (x->n)
				fprintf(d, "%zu %.12g %.12g %.12g\n", s, x->mean, stats_ci_meaningful(x) ? x->ci95_lo : x->mean,
					stats_ci_meaningful(x) ? x->ci95_hi : x->mean);
		}
		fprintf(d, "\n\n");
		struct drift dr = drift_fit(mean, ns, mean[0]);
		if (isnan(dr.per_sweep))
			fputs(" - |\n", md);
		else
			fprintf(md, " %+.2f %% [%+.2f, %+.2f]%s |\n", 100 * dr.per_sweep, 100 * dr.lo, 100 * dr.hi,
				dr.lo > 0 || dr.hi < 0 ? " drifts" : "");
		fputs(row ? ", " : "", b);
		gnuplot_quote(b, path);
		fprintf(b, " index %zu using 1:3:4 with filledcurves lc %zu notitle, '' index %zu using 1:2 with "
			   "linespoints lc %zu lw 2 pt 7 title ",
			row, row % 8 + 1, row, row % 8 + 1);
		gnuplot_quote(b, c->rows[row].label);
	}
	fputs("\n", md);
	if (d && (ferror(d) | fclose(d)) && !rc)
		rc = errorf(err, errlen, "%s: write error", path);
	if (b) {
		fputc('\n', b);
		fclose(b);
		if (!rc && gnuplot_figure(gp, out, name, body, err, errlen))
			rc = -1;
		fprintf(md, "![%s](%s.svg)\n\n", c->metrics[m].name, name);
	}
	free(body);
	free(st);
	return rc;
}

int history_write(struct compare *c, const char *out, char *err, size_t errlen)
{
	struct gnuplot gp;
	char path[4200];
	if (mkdir(out, 0777) && errno != EEXIST)
		return errorf(err, errlen, "%s: %s", out, strerror(errno));
	if (gnuplot_probe(&gp, err, errlen))
		return -1;
	snprintf(path, sizeof(path), "%s/history.md", out);
	FILE *md = fopen(path, "w");
	if (!md)
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	fprintf(md, "# vmsweep history: %zu sweeps\n\nEach point's mean over its done runs ± half the 95 %% interval "
		    "(Student's t), sweep by sweep, from %s to %s. Drift: the slope of a least-squares line through "
		    "the means, per sweep, relative to the first sweep's mean, with the slope's 95 %% interval; "
		    "*drifts* when the interval excludes 0.\n\n",
		c->nr_sweeps, c->sweeps[0].dir, c->sweeps[c->nr_sweeps - 1].dir);
	int rc = 0;
	for (size_t m = 0; m < c->nr_metrics && !rc; m++)
		rc = metric_history(c, m, &gp, out, md, err, errlen);
	if ((ferror(md) | fclose(md)) && !rc)
		rc = errorf(err, errlen, "%s: write error", path);
	return rc;
}
