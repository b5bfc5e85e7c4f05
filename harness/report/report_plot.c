/*
 * The report's figures: each metric against x with one line per value of the other
 * parameters (lines first) and 95 % confidence intervals as error bars; a sweep of both
 * backends draws libvirt's line of a point dashed, in the colour of kvm's, whatever
 * lines says, so that model and Linux sit side by side; a heat map of
 * each metric when exactly two parameters are swept; then the latency CDFs and a run's
 * time series (report_plot_latency.c). Data go to plots/NAME.dat beside the figures,
 * so a figure can be redrawn or checked by hand.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/plot_internal.h"
#include "util/error.h"

#define XTICS_MAX 16 /* x values labelled one by one up to this many */
#define CELL_LABELS_MAX 144 /* heat map cells that get their value written in */

void plot_name(char *buf, size_t len, const char *prefix, const char *what)
{
	snprintf(buf, len, "%s-%s", prefix, what);
	for (char *p = buf + strlen(prefix) + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '-'))
			*p = '_';
}

FILE *plot_data_open(const struct plot_ctx *c, const char *name, char *path, size_t len, char *err, size_t errlen)
{
	snprintf(path, len, "%s/%s.dat", c->dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		errorf(err, errlen, "%s: %s", path, strerror(errno));
	return f;
}

int plot_data_close(FILE *f, const char *path, char *err, size_t errlen)
{
	if (ferror(f) | fclose(f))
		return errorf(err, errlen, "%s: write error", path);
	return 0;
}

FILE *plot_body_open(char **buf, size_t *len)
{
	*buf = NULL;
	FILE *b = open_memstream(buf, len);
	if (b)
		fputs("set grid\nset style textbox opaque noborder\n", b);
	return b;
}

int plot_draw(const struct plot_ctx *c, const char *name, FILE *body, char **buf, const char *caption, char *err,
	      size_t errlen)
{
	struct report *r = c->r;
	if (fclose(body)) {
		free(*buf);
		*buf = NULL;
		return errorf(err, errlen, "out of memory");
	}
	int ret = gnuplot_figure(c->gp, c->dir, name, *buf, err, errlen);
	free(*buf);
	*buf = NULL;
	if (ret)
		return -1;
	struct report_figure *f = realloc(r->figures, (r->nr_figures + 1) * sizeof(*f));
	if (!f)
		return errorf(err, errlen, "out of memory");
	r->figures = f;
	f[r->nr_figures].name = strdup(name);
	f[r->nr_figures].caption = strdup(caption);
	r->nr_figures++;
	if (!f[r->nr_figures - 1].name || !f[r->nr_figures - 1].caption)
		return errorf(err, errlen, "out of memory");
	return 0;
}

void plot_range(FILE *b, const char *axis, double lo, double hi, bool logscale)
{
	if (logscale) {
		fprintf(b, "set %srange [%.12g:%.12g]\n", axis, lo / 1.2, hi * 1.2);
		return;
	}
	double pad = (hi - lo) * 0.06;
	if (pad == 0)
		pad = lo ? fabs(lo) * 0.1 : 1;
	fprintf(b, "set %srange [%.12g:%.12g]\n", axis, lo - pad, hi + pad);
}

/* A parameter's values on an axis: memory in MiB, the rest as they are. */
static double axis_value(const struct report *r, int param, int64_t v)
{
	return !strcmp(r->params[param], "memory") ? (double)v / (1 << 20) : (double)v;
}

static void axis_label(FILE *b, const struct report *r, const char *axis, int param)
{
	fprintf(b, "set %slabel ", axis);
	gnuplot_quote(b, r->params[param]);
	if (!strcmp(r->params[param], "memory"))
		fputs(" . ' (MiB)'", b);
	fputc('\n', b);
}

static int int64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* The distinct values of param over the points, sorted; *n of them (malloc'd). */
static int64_t *values_distinct(const struct report *r, int param, size_t *n)
{
	int64_t *v = malloc((r->nr_points ? r->nr_points : 1) * sizeof(*v));
	*n = 0;
	if (!v)
		return NULL;
	for (size_t p = 0; p < r->nr_points; p++)
		v[p] = r->points[p].values[param];
	qsort(v, r->nr_points, sizeof(*v), int64_cmp);
	for (size_t p = 0; p < r->nr_points; p++)
		if (!*n || v[*n - 1] != v[p])
			v[(*n)++] = v[p];
	return v;
}

/* Tics at each value when they are few ("64M" for memory); log scale when they spread. */
static void axis_tics(FILE *b, const struct report *r, const char *axis, int param, const int64_t *v, size_t n,
		      bool *logscale)
{
	*logscale = n >= 3 && v[0] > 0 && (double)v[n - 1] / (double)v[0] >= 16;
	if (*logscale)
		fprintf(b, "set logscale %s 2\n", axis);
	if (n > XTICS_MAX)
		return;
	fprintf(b, "set %stics (", axis);
	for (size_t i = 0; i < n; i++) {
		char s[32];
		report_value_format(r, (size_t)param, v[i], s, sizeof(s));
		fprintf(b, "%s'%s' %.12g", i ? ", " : "", s, axis_value(r, param, v[i]));
	}
	fputs(")\n", b);
}

/*
 * The parameters that tell a metric figure's curves apart: all but x, and but those
 * x determines (zipped with it, as vcpus with memory), which would otherwise make a
 * curve of every point.
 */
struct curves {
	const struct report *r;
	bool *key; /* [nr_params] */
	size_t k; /* for xk_cmp */
	int backend; /* the backend parameter when it tells curves apart (a key), else -1 */
};

static int xk_cmp(const void *a, const void *b, void *arg)
{
	const struct curves *cv = arg;
	const int64_t *va = cv->r->points[*(const size_t *)a].values, *vb = cv->r->points[*(const size_t *)b].values;
	int x = cv->r->x;
	if (va[x] != vb[x])
		return va[x] < vb[x] ? -1 : 1;
	return va[cv->k] < vb[cv->k] ? -1 : va[cv->k] > vb[cv->k];
}

/* cv->key, using order[] as scratch; -1 when out of memory. */
static int curves_init(struct curves *cv, const struct report *r, size_t *order)
{
	cv->r = r;
	if (!(cv->key = calloc(r->nr_params, sizeof(*cv->key))))
		return -1;
	for (size_t k = 0; k < r->nr_params; k++) {
		if ((int)k == r->x)
			continue;
		for (size_t i = 0; i < r->nr_points; i++)
			order[i] = i;
		cv->k = k;
		qsort_r(order, r->nr_points, sizeof(*order), xk_cmp, cv);
		for (size_t i = 1; i < r->nr_points && !cv->key[k]; i++) {
			const int64_t *a = r->points[order[i - 1]].values, *b = r->points[order[i]].values;
			cv->key[k] = a[r->x] == b[r->x] && a[k] != b[k];
		}
	}
	cv->backend = report_backend_param(r);
	if (cv->backend >= 0 && !cv->key[cv->backend])
		cv->backend = -1;
	return 0;
}

/* Curves first (the lines parameter, then the other keys, the backend last so that a
 * point's kvm and libvirt curves follow each other), x within a curve. */
static int point_cmp(const void *a, const void *b, void *arg)
{
	const struct curves *cv = arg;
	const struct report *r = cv->r;
	const int64_t *va = r->points[*(const size_t *)a].values, *vb = r->points[*(const size_t *)b].values;
	if (r->lines >= 0 && r->lines != cv->backend && cv->key[r->lines] && va[r->lines] != vb[r->lines])
		return va[r->lines] < vb[r->lines] ? -1 : 1;
	for (size_t k = 0; k < r->nr_params; k++)
		if (cv->key[k] && (int)k != cv->backend && va[k] != vb[k])
			return va[k] < vb[k] ? -1 : 1;
	if (cv->backend >= 0 && va[cv->backend] != vb[cv->backend])
		return va[cv->backend] < vb[cv->backend] ? -1 : 1;
	return va[r->x] < vb[r->x] ? -1 : va[r->x] > vb[r->x];
}

/* Whether p and q are on one curve; but_backend: but for their backend (one colour). */
static bool same_curve(const struct curves *cv, size_t p, size_t q, bool but_backend)
{
	for (size_t k = 0; k < cv->r->nr_params; k++)
		if (cv->key[k] && !(but_backend && (int)k == cv->backend) &&
		    cv->r->points[p].values[k] != cv->r->points[q].values[k])
			return false;
	return true;
}

/* "vcpus=2 hz=100": the curve's parameters, lines first, and its backend after a slash
 * ("vcpus=2 / libvirt"); p SIZE_MAX: their names, "vcpus, hz, backend". */
static void curve_title(const struct curves *cv, size_t p, char *buf, size_t len)
{
	const struct report *r = cv->r;
	size_t off = 0;
	buf[0] = '\0';
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < r->nr_params && off < len; k++) {
			char v[32];
			if (!cv->key[k] || (int)k == cv->backend || (pass == 0) != ((int)k == r->lines))
				continue;
			if (p == SIZE_MAX) {
				off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "", r->params[k]);
				continue;
			}
			report_value_format(r, k, r->points[p].values[k], v, sizeof(v));
			off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "", r->params[k], v);
		}
	if (cv->backend < 0 || off >= len)
		return;
	if (p == SIZE_MAX) {
		snprintf(buf + off, len - off, "%s%s", off ? ", " : "", r->params[cv->backend]);
		return;
	}
	char v[32];
	report_value_format(r, (size_t)cv->backend, r->points[p].values[cv->backend], v, sizeof(v));
	snprintf(buf + off, len - off, "%s%s", off ? " / " : "", v);
}

static int plot_metric(const struct plot_ctx *c, const struct report_metric *m, char *err, size_t errlen)
{
	struct report *r = c->r;
	char name[200], path[4096], *buf = NULL, src[300], caption[1024];
	size_t len, nx, *order = malloc(r->nr_points * sizeof(*order));
	int64_t *xs = values_distinct(r, r->x, &nx);
	double ylo = INFINITY, yhi = -INFINITY;
	int ret = -1;
	FILE *d = NULL, *b = NULL;
	struct curves cv = { 0 };
	if (!order || !xs || curves_init(&cv, r, order)) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < r->nr_points; i++)
		order[i] = i;
	qsort_r(order, r->nr_points, sizeof(*order), point_cmp, &cv);

	plot_name(name, sizeof(name), "metric", m->label);
	if (!(d = plot_data_open(c, name, path, sizeof(path), err, errlen)) || !(b = plot_body_open(&buf, &len))) {
		if (d)
			errorf(err, errlen, "out of memory");
		goto out;
	}
	report_metric_source(m, src, sizeof(src));
	fputs("set title ", b);
	gnuplot_quote(b, m->label);
	char sub[400];
	snprintf(sub, sizeof(sub), "%s%s%s: mean and 95 %% CI over each point's runs", *src ? " (" : "", src,
		 *src ? ")" : "");
	fputs(" . ", b);
	gnuplot_quote(b, sub);
	fputc('\n', b);
	axis_label(b, r, "x", r->x);
	fputs("set ylabel ", b);
	gnuplot_quote(b, m->label);
	fputs("\nset key outside right top\nset bars small\n", b);
	bool logx;
	axis_tics(b, r, "x", r->x, xs, nx, &logx);
	plot_range(b, "x", axis_value(r, r->x, xs[0]), axis_value(r, r->x, xs[nx - 1]), logx);
	/* The y range before the plot command: set after it, only the PNG would have it. */
	for (size_t p = 0; p < r->nr_points; p++) {
		const struct sample_stats *s = &m->st[p];
		if (!s->n || isnan(s->mean))
			continue;
		ylo = fmin(ylo, stats_ci_meaningful(s) ? s->ci95_lo : s->mean);
		yhi = fmax(yhi, stats_ci_meaningful(s) ? s->ci95_hi : s->mean);
	}
	if (ylo > yhi)
		ylo = yhi = 0;
	plot_range(b, "y", ylo, yhi, false);

	size_t curves = 0, colour = 0, coloured = SIZE_MAX; /* coloured: a point of the colour's curves */
	for (size_t i = 0; i < r->nr_points;) {
		size_t j = i, rows = 0;
		char title[512];
		curve_title(&cv, order[i], title, sizeof(title));
		for (; j < r->nr_points && same_curve(&cv, order[i], order[j], false); j++) {
			const struct sample_stats *s = &m->st[order[j]];
			if (!s->n || isnan(s->mean))
				continue;
			/* Under 3 runs no interval is worth a bar (stats_ci_meaningful): it shrinks to
			 * the mean rather than stretch the axis 9 standard deviations. */
			bool bar = stats_ci_meaningful(s);
			double lo = bar ? s->ci95_lo : s->mean, hi = bar ? s->ci95_hi : s->mean;
			fprintf(d, "%.12g %.12g %.12g %.12g\n", axis_value(r, r->x, r->points[order[j]].values[r->x]),
				s->mean, lo, hi);
			rows++;
		}
		if (rows) {
			fprintf(d, "\n\n");
			if (curves)
				fputs(", ''", b);
			else {
				fputs("plot ", b);
				gnuplot_quote(b, path);
			}
			fprintf(b, " index %zu using 1:2:3:4 with yerrorlines lw 2", curves);
			if (cv.backend >= 0) {
				bool dashed = report_point_on_libvirt(r, cv.backend, order[i]);
				if (coloured != SIZE_MAX && !same_curve(&cv, coloured, order[i], true))
					colour++;
				coloured = order[i];
				/* Linux's curve in the colour of the model's, dashed, with open marks. */
				fprintf(b, " lc %zu dt %d pt %d", colour % 8 + 1, dashed ? 2 : 1, dashed ? 6 : 7);
			} else {
				fputs(" pt 7", b);
			}
			fputs(" ps 0.8 title ", b);
			gnuplot_quote(b, *title ? title : m->label);
			curves++;
		}
		i = j;
	}
	fputc('\n', b);
	if (plot_data_close(d, path, err, errlen)) {
		d = NULL;
		goto out;
	}
	d = NULL;
	if (!curves) {
		/* No point has a value: nothing to draw (the tables say n = 0). */
		unlink(path);
		fclose(b);
		b = NULL;
		ret = 0;
		goto out;
	}
	char per[300];
	curve_title(&cv, SIZE_MAX, per, sizeof(per));
	snprintf(caption, sizeof(caption),
		 "%s%s%s%s against %s%s%s%s: mean of each point's runs, error bars the 95 %% confidence interval "
		 "(Student's t; none under 3 runs%s).",
		 m->label, *src ? " (" : "", src, *src ? ")" : "", r->params[r->x],
		 *per ? ", one line per value of " : "", per,
		 cv.backend >= 0 ? " (libvirt's dashed, in the colour of kvm's)" : "",
		 m->nonnegative ? "; clipped at 0" : "");
	ret = plot_draw(c, name, b, &buf, caption, err, errlen);
	b = NULL;
out:
	if (d)
		fclose(d);
	if (b)
		fclose(b);
	free(buf);
	free(order);
	free(xs);
	free(cv.key);
	return ret;
}

/* Index of v in sorted xs[n] (it is there: xs are the points' values). */
static size_t value_index(const int64_t *xs, size_t n, int64_t v)
{
	const int64_t *at = bsearch(&v, xs, n, sizeof(*xs), int64_cmp);
	return at ? (size_t)(at - xs) : 0;
}

static void index_tics(FILE *b, const struct report *r, const char *axis, int param, const int64_t *v, size_t n)
{
	size_t step = n > XTICS_MAX ? (n + XTICS_MAX - 1) / XTICS_MAX : 1;
	fprintf(b, "set %stics (", axis);
	for (size_t i = 0; i < n; i += step) {
		char s[32];
		report_value_format(r, (size_t)param, v[i], s, sizeof(s));
		fprintf(b, "%s'%s' %zu", i ? ", " : "", s, i);
	}
	fputs(")\n", b);
}

/* Cells at the values' ranks (with image wants a regular grid; values such as 1, 2, 4
 * are not one); NaN cells stay blank. */
static int plot_heat(const struct plot_ctx *c, const struct report_metric *m, char *err, size_t errlen)
{
	struct report *r = c->r;
	char name[200], path[4096], *buf = NULL, caption[1024];
	size_t nx, ny, len;
	int64_t *xs = values_distinct(r, r->x, &nx), *ys = values_distinct(r, r->lines, &ny);
	double *cell = xs && ys ? malloc(nx * ny * sizeof(*cell)) : NULL;
	size_t valid = 0;
	int ret = -1;
	FILE *d, *b = NULL;
	if (!cell) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nx * ny; i++)
		cell[i] = NAN;
	for (size_t p = 0; p < r->nr_points; p++) {
		size_t i = value_index(xs, nx, r->points[p].values[r->x]),
		       j = value_index(ys, ny, r->points[p].values[r->lines]);
		cell[j * nx + i] = m->st[p].n ? m->st[p].mean : NAN;
		valid += m->st[p].n && !isnan(m->st[p].mean);
	}
	if (!valid) {
		ret = 0;
		goto out;
	}
	plot_name(name, sizeof(name), "heat", m->label);
	if (!(d = plot_data_open(c, name, path, sizeof(path), err, errlen)))
		goto out;
	for (size_t j = 0; j < ny; j++) {
		for (size_t i = 0; i < nx; i++)
			fprintf(d, "%zu %zu %.12g\n", i, j, cell[j * nx + i]);
		fputc('\n', d);
	}
	fputs("\n\n", d); /* index 1: the values written in the cells */
	for (size_t j = 0; j < ny; j++)
		for (size_t i = 0; i < nx; i++)
			if (!isnan(cell[j * nx + i])) {
				char v[64];
				report_num_format(cell[j * nx + i], v, sizeof(v));
				fprintf(d, "%zu %zu %s\n", i, j, v);
			}
	if (plot_data_close(d, path, err, errlen))
		goto out;
	if (!(b = plot_body_open(&buf, &len))) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	fputs("set title ", b);
	gnuplot_quote(b, m->label);
	fputs(" . ': mean of each point''s runs'\nunset grid\nset tics out nomirror\n", b);
	fputs("set palette defined (0 '#ffffcc', 1 '#a1dab4', 2 '#41b6c4', 3 '#2c7fb8', 4 '#253494')\n", b);
	{ /* one value everywhere (a counter that stayed 0): gnuplot would warn of an empty colour range */
		double lo = INFINITY, hi = -INFINITY;
		for (size_t i = 0; i < nx * ny; i++)
			if (!isnan(cell[i]))
				lo = fmin(lo, cell[i]), hi = fmax(hi, cell[i]);
		if (lo == hi)
			fprintf(b, "set cbrange [%.12g:%.12g]\n", lo - (lo ? fabs(lo) * 0.1 : 1), hi + (hi ? fabs(hi) * 0.1 : 1));
	}
	fputs("set object 1 rectangle from graph 0, graph 0 to graph 1, graph 1 behind fc rgb '#eeeeee' fs solid "
	      "noborder\n",
	      b);
	fputs("set xlabel ", b);
	gnuplot_quote(b, r->params[r->x]);
	fputs("\nset ylabel ", b);
	gnuplot_quote(b, r->params[r->lines]);
	fputc('\n', b);
	index_tics(b, r, "x", r->x, xs, nx);
	index_tics(b, r, "y", r->lines, ys, ny);
	fprintf(b, "set xrange [-0.5:%zu.5]\nset yrange [-0.5:%zu.5]\nplot ", nx - 1, ny - 1);
	gnuplot_quote(b, path);
	fputs(" index 0 using 1:2:3 with image notitle", b);
	if (nx * ny <= CELL_LABELS_MAX)
		fputs(", '' index 1 using 1:2:3 with labels boxed notitle", b);
	fputc('\n', b);
	snprintf(caption, sizeof(caption),
		 "%s over %s x %s: the mean of each point's runs (grey: no point or no value).", m->label,
		 r->params[r->x], r->params[r->lines]);
	ret = plot_draw(c, name, b, &buf, caption, err, errlen);
	b = NULL;
out:
	if (b)
		fclose(b);
	free(buf);
	free(cell);
	free(xs);
	free(ys);
	return ret;
}

/* A previous report's figures, which another choice of metrics would leave behind. */
static void plots_clean(const char *dir)
{
	static const char *const prefixes[] = { "metric-", "heat-", "cdf-", "tail-", "series-" };
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *dot = strrchr(e->d_name, '.');
		if (!dot || (strcmp(dot, ".svg") && strcmp(dot, ".png") && strcmp(dot, ".dat") && strcmp(dot, ".pdf") &&
			     strcmp(dot, ".gp")))
			continue;
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
			if (!strncmp(e->d_name, prefixes[i], strlen(prefixes[i]))) {
				char path[4096];
				snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
				unlink(path);
				break;
			}
	}
	closedir(d);
}

int report_plots_make(struct report *r, const char *plots_dir, char *err, size_t errlen)
{
	struct gnuplot gp;
	struct plot_ctx c = { .r = r, .gp = &gp, .dir = plots_dir };
	if (mkdir(plots_dir, 0777) && errno != EEXIST)
		return errorf(err, errlen, "%s: %s", plots_dir, strerror(errno));
	plots_clean(plots_dir);
	if (gnuplot_probe(&gp, err, errlen))
		return -1;
	for (size_t i = 0; i < r->nr_metrics; i++)
		if (r->x >= 0 && plot_metric(&c, &r->metrics[i], err, errlen))
			return -1;
	/* A heat map needs a plane: two parameters, each with at least two values. */
	size_t nx = 0, ny = 0;
	/* Not of kvm against libvirt: its colours would set the model's times against TCG's,
	 * and the line figures and the model / Linux tables compare them already. */
	int backend = report_backend_param(r);
	if (r->nr_params == 2 && r->x >= 0 && r->lines >= 0 && backend != r->x && backend != r->lines) {
		free(values_distinct(r, r->x, &nx));
		free(values_distinct(r, r->lines, &ny));
	}
	for (size_t i = 0; nx >= 2 && ny >= 2 && i < r->nr_metrics; i++)
		if (plot_heat(&c, &r->metrics[i], err, errlen))
			return -1;
	return plot_latency(&c, err, errlen) || plot_series(&c, err, errlen) || report_capacity_plot(&c, err, errlen) ? -1 : 0;
}
