/*
 * Latency figures from the merged histograms: a CDF, and its tail 1 - CDF on a log
 * axis, where p99 and p99.9 can be read.
 * Histograms are fio's buckets summed over a point's runs, so the curves are exact;
 * a bucket is drawn at fio's value for it (vms_hist_value), in microseconds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/plot_internal.h"
#include "store/store.h"
#include "util/error.h"

#define CURVES_PER_POINT_MAX 8 /* beyond that, one curve per value of x */

struct lat_range {
	double xlo, xhi; /* us, > 0 */
	double tail_lo; /* smallest 1 - F drawn */
	size_t curves, tail_curves; /* drawn in each figure */
};

/* Sums histogram name over the points idx[n] into acc. */
static int hist_sum(const struct plot_ctx *c, const char *name, const size_t *idx, size_t n, uint64_t *acc,
		    uint64_t *tmp, char *err, size_t errlen)
{
	size_t runs;
	memset(acc, 0, VMS_HIST_NR * sizeof(*acc));
	for (size_t i = 0; i < n; i++) {
		if (store_hist_merge_point(c->r->store, c->r->points[idx[i]].id, name, tmp, &runs, err, errlen))
			return -1;
		for (unsigned b = 0; b < VMS_HIST_NR; b++)
			acc[b] += tmp[b];
	}
	return 0;
}

static void title_write(FILE *b, size_t index, const char *title, uint64_t total)
{
	fprintf(b, "%zu\t", index);
	gnuplot_quote(b, title);
	fprintf(b, " . ', n=%llu'\n", (unsigned long long)total);
}

/* One curve in each data file that has a point of it: nothing when the histogram is
 * empty, no CDF when every sample is 0 (a log axis has no place for it: writeback's
 * pauses can all be 0 ns) and no tail when the samples share one bucket. gnuplot
 * refuses a curve without a point, and the report with it. */
static void curve_write(FILE *cdf, FILE *tail, FILE *b, FILE *bt, const char *title, const uint64_t *h,
			struct lat_range *lr)
{
	uint64_t total = 0, cum = 0;
	size_t in_cdf = 0, in_tail = 0;
	for (unsigned i = 0; i < VMS_HIST_NR; i++)
		total += h[i];
	if (!total)
		return;
	for (unsigned i = 0; i < VMS_HIST_NR; i++) {
		if (!h[i])
			continue;
		cum += h[i];
		double us = (double)vms_hist_value(i) / 1000, left = (double)(total - cum) / (double)total;
		if (us <= 0)
			continue; /* the 0 ns bucket has no place on a log axis */
		fprintf(cdf, "%.6g %.9g\n", us, (double)cum / (double)total);
		in_cdf++;
		if (left > 0) {
			fprintf(tail, "%.6g %.9g\n", us, left);
			in_tail++;
		}
		lr->xlo = fmin(lr->xlo, us);
		lr->xhi = fmax(lr->xhi, us);
		if (left > 0)
			lr->tail_lo = fmin(lr->tail_lo, left);
	}
	if (in_cdf) {
		fputs("\n\n", cdf);
		title_write(b, lr->curves++, title, total);
	}
	if (in_tail) {
		fputs("\n\n", tail);
		title_write(bt, lr->tail_curves++, title, total);
	}
}

/* body: settings common to both figures; titles: "index\ttitle" lines, one per curve of data. */
static int lat_draw(const struct plot_ctx *c, const char *kind, const char *hist, const char *data, const char *titles,
		    size_t curves, const struct lat_range *lr, char *err, size_t errlen)
{
	char name[200], *buf, caption[512];
	size_t len;
	bool tail = !strcmp(kind, "tail");
	bool logx = lr->xhi / lr->xlo >= 10;
	FILE *b = plot_body_open(&buf, &len);
	if (!b)
		return errorf(err, errlen, "out of memory");
	plot_name(name, sizeof(name), kind, hist);
	fputs("set title ", b);
	gnuplot_quote(b, hist);
	fprintf(b, " . ': latency %s, each point''s runs merged'\n", tail ? "tail (1 - CDF)" : "CDF");
	/* Below: point labels are long, and a key beside would squeeze the plot. */
	fputs("set xlabel 'latency (us)'\nset key outside below font ',9'\nset mxtics\n", b);
	if (logx)
		fputs("set logscale x 10\n", b);
	plot_range(b, "x", lr->xlo, lr->xhi, logx);
	if (tail) {
		double lo = pow(10, floor(log10(lr->tail_lo)));
		fprintf(b,
			"set ylabel 'fraction of samples above'\nset logscale y 10\nset format y '%%g'\n"
			"set yrange [%.12g:1.2]\n",
			lo);
		if (lo < 0.01)
			fputs("set arrow from graph 0, first 0.01 to graph 1, first 0.01 nohead dt 2 lc rgb '#888888'\n"
			      "set label 'p99' at graph 0.01, first 0.013\n",
			      b);
		if (lo < 0.001)
			fputs("set arrow from graph 0, first 0.001 to graph 1, first 0.001 nohead dt 2 lc rgb "
			      "'#888888'\n"
			      "set label 'p99.9' at graph 0.01, first 0.0013\n",
			      b);
	} else {
		fputs("set ylabel 'fraction of samples at or below'\nset yrange [0:1.02]\n"
		      "set arrow from graph 0, first 0.99 to graph 1, first 0.99 nohead dt 2 lc rgb '#888888'\n"
		      "set label 'p99' at graph 0.01, first 0.965\n",
		      b);
	}
	const char *t = titles;
	for (size_t i = 0; i < curves; i++) {
		const char *tab = strchr(t, '\t'), *nl = strchr(t, '\n');
		if (i)
			fputs(", ''", b);
		else {
			fputs("plot ", b);
			gnuplot_quote(b, data);
		}
		fprintf(b, " index %zu using 1:2 with steps lw 2 title %.*s", i, (int)(nl - tab - 1), tab + 1);
		t = nl + 1;
	}
	fputc('\n', b);
	snprintf(caption, sizeof(caption),
		 "%s %s: the histograms of each point's done runs merged (fio's buckets, so exactly), in us.", hist,
		 tail ? "latency tail, 1 - CDF on a log scale (p99 and p99.9 where the dashed lines cross)"
		      : "latency CDF");
	return plot_draw(c, name, b, &buf, caption, err, errlen);
}

static int x_cmp(const void *a, const void *b, void *arg)
{
	const struct report *r = arg;
	int64_t x = r->points[*(const size_t *)a].values[r->x], y = r->points[*(const size_t *)b].values[r->x];
	return x < y ? -1 : x > y;
}

static int plot_hist(const struct plot_ctx *c, const struct report_hist *h, size_t *idx, uint64_t *acc, uint64_t *tmp,
		     char *err, size_t errlen)
{
	struct report *r = c->r;
	char name[200], cdf_path[4096], tail_path[4096], *titles = NULL, *tail_titles = NULL, title[512];
	size_t len, tail_len;
	struct lat_range lr = { INFINITY, -INFINITY, INFINITY, 0, 0 };
	int ret = -1;
	FILE *cdf = NULL, *tail = NULL, *b = open_memstream(&titles, &len), *bt = open_memstream(&tail_titles, &tail_len);
	plot_name(name, sizeof(name), "cdf", h->name);
	if (!b || !bt || !(cdf = plot_data_open(c, name, cdf_path, sizeof(cdf_path), err, errlen)))
		goto out;
	plot_name(name, sizeof(name), "tail", h->name);
	if (!(tail = plot_data_open(c, name, tail_path, sizeof(tail_path), err, errlen)))
		goto out;
	if (r->nr_points <= CURVES_PER_POINT_MAX || r->x < 0) {
		for (size_t p = 0; p < r->nr_points; p++) {
			report_point_label(r, p, -1, title, sizeof(title));
			if (hist_sum(c, h->name, &p, 1, acc, tmp, err, errlen))
				goto out;
			curve_write(cdf, tail, b, bt, *title ? title : h->name, acc, &lr);
		}
	} else {
		/* Points by value of x: sorting their indexes groups them. */
		for (size_t p = 0; p < r->nr_points; p++)
			idx[p] = p;
		qsort_r(idx, r->nr_points, sizeof(*idx), x_cmp, r);
		for (size_t i = 0, j; i < r->nr_points; i = j) {
			int64_t v = r->points[idx[i]].values[r->x];
			char val[32];
			for (j = i; j < r->nr_points && r->points[idx[j]].values[r->x] == v; j++)
				;
			report_value_format(r, (size_t)r->x, v, val, sizeof(val));
			snprintf(title, sizeof(title), "%s=%s", r->params[r->x], val);
			if (hist_sum(c, h->name, idx + i, j - i, acc, tmp, err, errlen))
				goto out;
			curve_write(cdf, tail, b, bt, title, acc, &lr);
		}
	}
	int c1 = fclose(b), c2 = fclose(bt);
	b = bt = NULL;
	if (c1 || c2) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	int e1 = plot_data_close(cdf, cdf_path, err, errlen), e2 = plot_data_close(tail, tail_path, err, errlen);
	cdf = tail = NULL;
	if (e1 || e2)
		goto out;
	if (!lr.curves || !isfinite(lr.xlo)) {
		ret = 0;
		goto out;
	}
	if (lat_draw(c, "cdf", h->name, cdf_path, titles, lr.curves, &lr, err, errlen))
		goto out;
	/* A tail needs samples above the first bucket. */
	ret = lr.tail_curves && isfinite(lr.tail_lo)
		      ? lat_draw(c, "tail", h->name, tail_path, tail_titles, lr.tail_curves, &lr, err, errlen)
		      : 0;
out:
	if (b)
		fclose(b);
	if (bt)
		fclose(bt);
	if (cdf)
		fclose(cdf);
	if (tail)
		fclose(tail);
	free(titles);
	free(tail_titles);
	return ret;
}

int plot_latency(const struct plot_ctx *c, char *err, size_t errlen)
{
	size_t *idx = malloc((c->r->nr_points ? c->r->nr_points : 1) * sizeof(*idx));
	uint64_t *acc = malloc(VMS_HIST_NR * sizeof(*acc)), *tmp = malloc(VMS_HIST_NR * sizeof(*tmp));
	int ret = idx && acc && tmp ? 0 : errorf(err, errlen, "out of memory");
	for (size_t i = 0; !ret && i < c->r->nr_hists; i++)
		ret = plot_hist(c, &c->r->hists[i], idx, acc, tmp, err, errlen);
	free(idx);
	free(acc);
	free(tmp);
	return ret;
}
