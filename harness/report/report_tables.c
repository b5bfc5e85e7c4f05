/* The tables report.html and report.md share, in the markup each one's ops give
 * (report_tables.h), and the file both are written to. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "report/report_tables.h"
#include "util/error.h"

void report_num_format(double v, char *buf, size_t len)
{
	double a = fabs(v);
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (a == 0)
		snprintf(buf, len, "0");
	else if (a >= 1e4 && a < 1e12)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 1e-3 && a < 1e4)
		snprintf(buf, len, "%.4g", v);
	else
		snprintf(buf, len, "%.3e", v);
}

/* One decimal from 1 % up; below, two significant digits, so that a steady metric's
 * small CV (0.0004) reads 0.040 % rather than a 0.0 % that claims no spread at all. */
void report_cv_format(double cv, char *buf, size_t len)
{
	double p = 100 * cv, a = fabs(p);
	if (isnan(cv))
		snprintf(buf, len, "-");
	else if (a == 0)
		snprintf(buf, len, "0 %%");
	else if (a >= 1 || isinf(a))
		snprintf(buf, len, "%.1f %%", p);
	else if (a >= 1e-9)
		snprintf(buf, len, "%.*f %%", 1 - (int)floor(log10(a)), p);
	else
		snprintf(buf, len, "%.1e %%", p);
}

static void num_write(const struct report_table *t, double v)
{
	char b[64];
	report_num_format(v, b, sizeof(b));
	fputs(b, t->f);
}

void report_table_head(struct report_table *t, const char *label)
{
	fputs(t->ops->head_cell, t->f);
	t->ops->text_write(t->f, label);
	fputs(t->ops->head_cell_end, t->f);
	t->columns++;
}

void report_table_head_end(const struct report_table *t)
{
	fputs(t->ops->head_end, t->f);
	if (t->ops->rule_write)
		t->ops->rule_write(t->f, t->columns);
}

void report_table_cell_printf(const struct report_table *t, bool bad, const char *fmt, ...)
{
	va_list ap;
	fputs(bad ? t->ops->bad_cell : t->ops->cell, t->f);
	va_start(ap, fmt);
	vfprintf(t->f, fmt, ap);
	va_end(ap);
	fputs(t->ops->cell_end, t->f);
}

void report_table_num_cell(const struct report_table *t, double v)
{
	fputs(t->ops->cell, t->f);
	num_write(t, v);
	fputs(t->ops->cell_end, t->f);
}

static void cv_cell_write(const struct report_table *t, double cv)
{
	char b[64];
	report_cv_format(cv, b, sizeof(b));
	report_table_cell_printf(t, false, "%s", b);
}

/* "n<3": an interval of too few runs to mean anything. */
static void few_write(const struct report_table *t)
{
	char b[16];
	snprintf(b, sizeof(b), "n<%d", STATS_CI_MIN_N);
	t->ops->text_write(t->f, b);
}

/* "8.774 .. 16.23", and "0† .. 5" when clipped at 0. */
static void ci_write(const struct report_table *t, const struct sample_stats *s)
{
	num_write(t, s->ci95_lo);
	if (s->ci95_clipped)
		fputs(t->ops->clip_mark, t->f);
	fputs(" .. ", t->f);
	num_write(t, s->ci95_hi);
}

/* A point's mean and its interval: "12.5 ± 3.726", "2 (0† .. 5)", "20 (n<3)", "-". */
static void mean_cell_write(const struct report_table *t, const struct sample_stats *s)
{
	fputs(t->ops->cell, t->f);
	num_write(t, s->mean);
	if (!s->n || isnan(s->mean)) {
		/* no value: the mean's "-" says it */
	} else if (!stats_ci_meaningful(s)) {
		fputs(" (", t->f);
		few_write(t);
		fputs(")", t->f);
	} else if (s->ci95_clipped) {
		fputs(" (", t->f);
		ci_write(t, s);
		fputs(")", t->f);
	} else {
		fputs(t->ops->plus_minus, t->f);
		num_write(t, (s->ci95_hi - s->ci95_lo) / 2);
	}
	fputs(t->ops->cell_end, t->f);
}

/* Every table starts with the point and its parameters, head and rows alike. */
static void params_head_begin(struct report_table *t, const struct report *r)
{
	fputs(t->ops->head_begin, t->f);
	report_table_head(t, "point");
	for (size_t k = 0; k < r->nr_params; k++)
		report_table_head(t, r->params[k]);
}


/* The point in table row row: by value when the report sorted them (report_load). */
static size_t point_shown(const struct report *r, size_t row)
{
	return r->shown ? r->shown[row] : row;
}

static void params_row_begin(const struct report_table *t, const struct report *r, size_t p)
{
	fputs(t->ops->row_begin, t->f);
	report_table_cell_printf(t, false, "%zu", r->points[p].id);
	for (size_t k = 0; k < r->nr_params; k++) {
		char v[32];
		report_value_format(r, k, r->points[p].values[k], v, sizeof(v));
		report_table_cell_printf(t, false, "%s", v); /* digits and a unit letter: nothing to quote */
	}
}

void report_points_write(const struct report_format_ops *ops, FILE *f, const struct report *r)
{
	struct report_table t = { ops, f, 0 };
	char src[300];
	params_head_begin(&t, r);
	report_table_head(&t, "n");
	report_table_head(&t, "failed");
	for (size_t i = 0; i < r->nr_metrics; i++) {
		report_metric_source(&r->metrics[i], src, sizeof(src));
		fputs(ops->head_cell, f);
		ops->text_write(f, r->metrics[i].label);
		if (*src) {
			fputs(ops->note_begin, f);
			ops->text_write(f, src);
			fputs(ops->note_end, f);
		}
		fputs(ops->mean_note, f);
		fputs(ops->head_cell_end, f);
		t.columns++;
		report_table_head(&t, "CV");
	}
	report_table_head_end(&t);
	for (size_t row = 0; row < r->nr_points; row++) {
		size_t p = point_shown(r, row);
		const struct report_point *pt = &r->points[p];
		params_row_begin(&t, r, p);
		report_table_cell_printf(&t, false, "%zu%s", pt->nr_done, pt->nr_planned ? "+" : "");
		report_table_cell_printf(&t, pt->nr_failed != 0, "%zu", pt->nr_failed);
		for (size_t i = 0; i < r->nr_metrics; i++) {
			mean_cell_write(&t, &r->metrics[i].st[p]);
			cv_cell_write(&t, r->metrics[i].st[p].cv);
		}
		fputs(ops->row_end, f);
	}
	fputs(ops->table_end, f);
}

void report_latency_write(const struct report_format_ops *ops, FILE *f, const struct report *r)
{
	static const char *const pct_heads[STATS_NR_PCTS] = { "p50", "p90", "p99", "p99.9" };
	for (size_t i = 0; i < r->nr_hists; i++) {
		const struct report_hist *h = &r->hists[i];
		struct report_table t = { ops, f, 0 };
		ops->title_write(f, h->name, false);
		params_head_begin(&t, r);
		report_table_head(&t, "runs");
		report_table_head(&t, "samples");
		for (unsigned k = 0; k < STATS_NR_PCTS; k++)
			report_table_head(&t, pct_heads[k]);
		report_table_head_end(&t);
		for (size_t row = 0; row < r->nr_points; row++) {
			size_t p = point_shown(r, row);
			params_row_begin(&t, r, p);
			report_table_cell_printf(&t, false, "%zu", h->nr_runs[p]);
			report_table_cell_printf(&t, false, "%llu", (unsigned long long)h->samples[p]);
			for (unsigned k = 0; k < STATS_NR_PCTS; k++)
				report_table_num_cell(&t, h->samples[p] ? (double)h->pcts[p][k] / 1000 : NAN);
			fputs(ops->row_end, f);
		}
		fputs(ops->table_end, f);
	}
}

void report_stats_write(const struct report_format_ops *ops, FILE *f, const struct report *r)
{
	static const char *const heads[] = { "n", "mean", "median", "stddev", "CV", "95 % CI", "min", "max" };
	for (size_t i = 0; i < r->nr_metrics; i++) {
		const struct report_metric *m = &r->metrics[i];
		struct report_table t = { ops, f, 0 };
		/* Folded: the points table has every metric's mean already. */
		ops->title_write(f, m->label, true);
		params_head_begin(&t, r);
		for (size_t k = 0; k < sizeof(heads) / sizeof(heads[0]); k++)
			report_table_head(&t, heads[k]);
		report_table_head_end(&t);
		for (size_t row = 0; row < r->nr_points; row++) {
			size_t p = point_shown(r, row);
			const struct sample_stats *s = &m->st[p];
			params_row_begin(&t, r, p);
			report_table_cell_printf(&t, false, "%zu", s->n);
			report_table_num_cell(&t, s->mean);
			report_table_num_cell(&t, s->median);
			report_table_num_cell(&t, s->stddev);
			cv_cell_write(&t, s->cv);
			fputs(ops->cell, f);
			if (!s->n)
				fputs("-", f);
			else if (!stats_ci_meaningful(s))
				few_write(&t);
			else
				ci_write(&t, s);
			fputs(ops->cell_end, f);
			report_table_num_cell(&t, s->min);
			report_table_num_cell(&t, s->max);
			fputs(ops->row_end, f);
		}
		fputs(ops->table_end, f);
		fputs(ops->fold_end, f);
	}
}

int report_file_write(const struct report *r, const char *path, report_body_fn body, const char *plots_dir,
		      char *err, size_t errlen)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return errorf(err, errlen, "%s: %s", tmp, strerror(errno));
	if (body(f, r, plots_dir, err, errlen)) {
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (ferror(f) | fclose(f)) {
		unlink(tmp);
		return errorf(err, errlen, "%s: write error", tmp);
	}
	if (rename(tmp, path)) {
		unlink(tmp);
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	}
	return 0;
}
