/* report.md: the report's tables in Markdown, its figures linked as plots/NAME.png, for
 * a repository or a wiki page. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report.h"
#include "util/error.h"

/* A table cell: '|' would end it, a newline the row. */
static void cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void num(FILE *f, double v)
{
	char b[64];
	report_num_format(v, b, sizeof(b));
	fputs(b, f);
}

static void params_head(FILE *f, const struct report *r)
{
	fputs("| point |", f);
	for (size_t k = 0; k < r->nr_params; k++) {
		fputc(' ', f);
		cell(f, r->params[k]);
		fputs(" |", f);
	}
}

static void params_row(FILE *f, const struct report *r, size_t p)
{
	fprintf(f, "| %zu |", r->points[p].id);
	for (size_t k = 0; k < r->nr_params; k++) {
		char v[32];
		report_value_format(r, k, r->points[p].values[k], v, sizeof(v));
		fprintf(f, " %s |", v);
	}
}

static void rule(FILE *f, size_t columns)
{
	fputc('|', f);
	for (size_t i = 0; i < columns; i++)
		fputs("---:|", f);
	fputc('\n', f);
}

static void cv(FILE *f, double v)
{
	if (isnan(v))
		fputs("-", f);
	else
		fprintf(f, "%.1f %%", 100 * v);
}

static void points_table(FILE *f, const struct report *r)
{
	char src[300];
	fputs("## Points\n\n", f);
	params_head(f, r);
	fputs(" n | failed |", f);
	for (size_t i = 0; i < r->nr_metrics; i++) {
		report_metric_source(&r->metrics[i], src, sizeof(src));
		fputc(' ', f);
		cell(f, r->metrics[i].label);
		if (*src) {
			fputs(" (", f);
			cell(f, src);
			fputc(')', f);
		}
		fputs(" | CV |", f);
	}
	fputc('\n', f);
	rule(f, 1 + r->nr_params + 2 + 2 * r->nr_metrics);
	for (size_t p = 0; p < r->nr_points; p++) {
		const struct report_point *pt = &r->points[p];
		params_row(f, r, p);
		fprintf(f, " %zu%s | %zu |", pt->nr_done, pt->nr_planned ? "+" : "", pt->nr_failed);
		for (size_t i = 0; i < r->nr_metrics; i++) {
			const struct sample_stats *s = &r->metrics[i].st[p];
			fputc(' ', f);
			num(f, s->mean);
			if (!isnan(s->ci95_hi)) {
				fputs(" ± ", f);
				num(f, (s->ci95_hi - s->ci95_lo) / 2);
			}
			fputs(" | ", f);
			cv(f, s->cv);
			fputs(" |", f);
		}
		fputc('\n', f);
	}
	fputs("\nn: done runs (+: some still planned). Mean ± half the 95 % confidence interval (Student's t) "
	      "over each point's done runs; CV: standard deviation / mean.\n\n",
	      f);
}

static void latency_tables(FILE *f, const struct report *r)
{
	if (!r->nr_hists)
		return;
	fputs("## Latency percentiles (us)\n\nFrom the histograms of each point's done runs merged (fio's "
	      "buckets).\n\n",
	      f);
	for (size_t i = 0; i < r->nr_hists; i++) {
		const struct report_hist *h = &r->hists[i];
		fprintf(f, "### %s\n\n", h->name);
		params_head(f, r);
		fputs(" runs | samples | p50 | p90 | p99 | p99.9 |\n", f);
		rule(f, 1 + r->nr_params + 6);
		for (size_t p = 0; p < r->nr_points; p++) {
			params_row(f, r, p);
			fprintf(f, " %zu | %llu |", h->nr_runs[p], (unsigned long long)h->samples[p]);
			for (unsigned k = 0; k < STATS_NR_PCTS; k++) {
				fputc(' ', f);
				num(f, h->samples[p] ? (double)h->pcts[p][k] / 1000 : NAN);
				fputs(" |", f);
			}
			fputc('\n', f);
		}
		fputc('\n', f);
	}
}

static void stats_tables(FILE *f, const struct report *r)
{
	for (size_t i = 0; i < r->nr_metrics; i++) {
		const struct report_metric *m = &r->metrics[i];
		fprintf(f, "### %s\n\n", m->label);
		params_head(f, r);
		fputs(" n | mean | median | stddev | CV | 95 % CI | min | max |\n", f);
		rule(f, 1 + r->nr_params + 8);
		for (size_t p = 0; p < r->nr_points; p++) {
			const struct sample_stats *s = &m->st[p];
			params_row(f, r, p);
			fprintf(f, " %zu | ", s->n);
			num(f, s->mean);
			fputs(" | ", f);
			num(f, s->median);
			fputs(" | ", f);
			num(f, s->stddev);
			fputs(" | ", f);
			cv(f, s->cv);
			fputs(" | ", f);
			num(f, s->ci95_lo);
			fputs(" .. ", f);
			num(f, s->ci95_hi);
			fputs(" | ", f);
			num(f, s->min);
			fputs(" | ", f);
			num(f, s->max);
			fputs(" |\n", f);
		}
		fputc('\n', f);
	}
}

/* A fence longer than any run of backquotes in the text. */
static void code_block(FILE *f, const char *text)
{
	size_t run = 0, longest = 0;
	for (const char *p = text; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	size_t n = longest < 3 ? 3 : longest + 1;
	for (size_t i = 0; i < n; i++)
		fputc('`', f);
	fprintf(f, "\n%s%s", text, *text && text[strlen(text) - 1] == '\n' ? "" : "\n");
	for (size_t i = 0; i < n; i++)
		fputc('`', f);
	fputs("\n\n", f);
}

static void failed_runs(FILE *f, const struct report *r)
{
	fputs("## Failed runs\n\n", f);
	if (!r->nr_failed_runs) {
		fputs("None.\n\n", f);
		return;
	}
	fputs("| run | point | parameters | repetition | exit status | cause |\n|---:|---:|---|---:|---:|---|\n", f);
	for (size_t i = 0; i < r->nr_failed_runs; i++) {
		const struct report_failed *fr = &r->failed[i];
		char params[512];
		report_point_label(r, fr->point_idx, -1, params, sizeof(params));
		fprintf(f, "| %zu | %zu | %s | %u | %d | ", fr->run, r->points[fr->point_idx].id, params, fr->rep,
			fr->exit_status);
		cell(f, fr->cause);
		fputs(" |\n", f);
	}
	fputc('\n', f);
	for (size_t i = 0; i < r->nr_failed_runs; i++)
		if (r->failed[i].console) {
			fprintf(f, "Console of run %zu:\n\n", r->failed[i].run);
			code_block(f, r->failed[i].console);
		}
}

static void manifest(FILE *f, const struct report *r)
{
	fputs("## Manifest\n\n| key | value |\n|---|---|\n", f);
	for (size_t i = 0; i < r->nr_manifest; i++)
		if (!strchr(r->manifest[i].value, '\n')) {
			fputs("| ", f);
			cell(f, r->manifest[i].key);
			fputs(" | ", f);
			cell(f, r->manifest[i].value);
			fputs(" |\n", f);
		}
	fputc('\n', f);
	for (size_t i = 0; i < r->nr_manifest; i++)
		if (strchr(r->manifest[i].value, '\n')) {
			fprintf(f, "%s:\n\n", r->manifest[i].key);
			code_block(f, r->manifest[i].value);
		}
}

int report_md_write(const struct report *r, const char *path, char *err, size_t errlen)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return errorf(err, errlen, "%s: %s", tmp, strerror(errno));
	fprintf(f, "# vmsweep report: %s\n\n%zu points: %zu runs, %zu done, %zu failed", r->name, r->nr_points,
		r->nr_runs, r->nr_done, r->nr_failed);
	if (r->nr_planned)
		fprintf(f, ", **%zu still planned** (`vmsweep run CONFIG --resume DIR` runs them)", r->nr_planned);
	fputs(".\n\n", f);
	points_table(f, r);
	latency_tables(f, r);
	fputs("## Figures\n\n", f);
	if (!r->nr_figures)
		fputs("No figure: no metric has a value.\n\n", f);
	for (size_t i = 0; i < r->nr_figures; i++)
		fprintf(f, "![%s](plots/%s.png)\n\n%s ([SVG](plots/%s.svg))\n\n", r->figures[i].name,
			r->figures[i].name, r->figures[i].caption, r->figures[i].name);
	failed_runs(f, r);
	if (r->nr_metrics)
		fputs("## Statistics by metric\n\n", f);
	stats_tables(f, r);
	manifest(f, r);
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
