/*
 * A comparison as text (aligned columns, for a terminal and a cron mail), Markdown or
 * HTML: the sweeps and how they were compared, the manifests' differences, one table per
 * metric (a row per point, for each later sweep its median, change with interval, adjusted
 * p and verdict), and the count of verdicts. Each table is built as strings first and laid
 * out by the format.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"

enum fmt { FMT_TEXT, FMT_MD, FMT_HTML };

#define CELL_MAX 96

struct table {
	size_t cols, rows;
	char (*cell)[CELL_MAX]; /* [rows][cols]; row 0 the head */
};

const char *compare_verdict_name(enum compare_verdict v)
{
	static const char *const names[] = { "missing", "inconclusive", "no change", "better", "worse", "changed" };
	return v <= VERDICT_CHANGED ? names[v] : "?";
}

const char *compare_test_name(enum compare_test t)
{
	return t == COMPARE_TEST_MWU ? "Mann-Whitney U" : t == COMPARE_TEST_WELCH ? "Welch's t" : "auto";
}

static void html_text(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
}

static void md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
}

static void table_write(FILE *f, enum fmt fmt, const struct table *t)
{
	size_t width[16] = { 0 };
	for (size_t r = 0; r < t->rows; r++)
		for (size_t k = 0; k < t->cols && k < 16; k++)
			if (strlen(t->cell[r * t->cols + k]) > width[k])
				width[k] = strlen(t->cell[r * t->cols + k]);
	if (fmt == FMT_HTML)
		fputs("<table>\n", f);
	for (size_t r = 0; r < t->rows; r++) {
		if (fmt == FMT_HTML)
			fputs("<tr>", f);
		for (size_t k = 0; k < t->cols; k++) {
			const char *s = t->cell[r * t->cols + k];
			if (fmt == FMT_TEXT)
				fprintf(f, k ? "  %*s" : "%-*s", (int)width[k], s);
			else if (fmt == FMT_MD) {
				fputs("| ", f);
				md_text(f, s);
				fputc(' ', f);
			} else {
				fputs(r ? "<td>" : "<th>", f);
				html_text(f, s);
				fputs(r ? "</td>" : "</th>", f);
			}
		}
		fputs(fmt == FMT_MD ? "|\n" : fmt == FMT_HTML ? "</tr>\n" : "\n", f);
		if (fmt == FMT_MD && r == 0) {
			for (size_t k = 0; k < t->cols; k++)
				fputs(k ? "---|" : "|---|", f);
			fputc('\n', f);
		}
	}
	fputs(fmt == FMT_HTML ? "</table>\n" : "\n", f);
}

static void num(char *buf, double v)
{
	if (isnan(v))
		snprintf(buf, CELL_MAX, "-");
	else if (fabs(v) >= 1e4 && fabs(v) < 1e12)
		snprintf(buf, CELL_MAX, "%.0f", v);
	else
		snprintf(buf, CELL_MAX, "%.4g", v);
}

static void change_text(char *buf, const struct compare_cell *cell, double conf)
{
	if (isnan(cell->change))
		snprintf(buf, CELL_MAX, "-");
	else if (isnan(cell->lo))
		snprintf(buf, CELL_MAX, "%+.1f %%", 100 * cell->change);
	else
		snprintf(buf, CELL_MAX, "%+.1f %% [%+.1f, %+.1f]%s", 100 * cell->change, 100 * cell->lo, 100 * cell->hi,
			 cell->achieved < conf - 1e-9 ? "*" : "");
}

static void p_text(char *buf, const struct compare_cell *cell)
{
	if (isnan(cell->p))
		snprintf(buf, CELL_MAX, "-");
	else
		snprintf(buf, CELL_MAX, "%.2g (%.2g) %s", cell->p, cell->p_adjusted,
			 cell->test == COMPARE_TEST_MWU ? "U" : "t");
}

static void heading(FILE *f, enum fmt fmt, int level, const char *text)
{
	if (fmt == FMT_HTML) {
		fprintf(f, "<h%d>", level);
		html_text(f, text);
		fprintf(f, "</h%d>\n", level);
	} else if (fmt == FMT_MD) {
		fprintf(f, "%s %s\n\n", level == 1 ? "#" : "##", text);
	} else {
		fprintf(f, "%s%s\n", level == 1 ? "" : "== ", text);
	}
}

static void para(FILE *f, enum fmt fmt, const char *text)
{
	if (fmt == FMT_HTML) {
		fputs("<p>", f);
		html_text(f, text);
		fputs("</p>\n", f);
	} else {
		fprintf(f, "%s\n\n", text);
	}
}

/* A manifest value in a cell: its first line, and how many more. */
static void value_cell(char *buf, const char *v)
{
	if (!v) {
		snprintf(buf, CELL_MAX, "(none)");
		return;
	}
	const char *nl = strchr(v, '\n');
	size_t lines = 0;
	for (const char *p = v; *p; p++)
		lines += *p == '\n';
	if (nl)
		snprintf(buf, CELL_MAX, "%.40s... (%zu lines)", v, lines + 1);
	else
		snprintf(buf, CELL_MAX, "%.60s", v);
}

static int diffs_write(FILE *f, enum fmt fmt, const struct compare *c)
{
	struct table t = { .cols = c->nr_sweeps + 1, .rows = c->nr_diffs + 1 };
	heading(f, fmt, 2, "Manifest differences");
	if (!c->nr_diffs) {
		para(f, fmt, "None: the same builds, host and configuration.");
		return 0;
	}
	if (!(t.cell = calloc(t.cols * t.rows, sizeof(*t.cell))))
		return -1;
	snprintf(t.cell[0], CELL_MAX, "key");
	for (size_t s = 0; s < c->nr_sweeps; s++)
		snprintf(t.cell[s + 1], CELL_MAX, "%s", s ? c->sweeps[s].dir : "base");
	for (size_t d = 0; d < c->nr_diffs; d++) {
		snprintf(t.cell[(d + 1) * t.cols], CELL_MAX, "%s", c->diffs[d].key);
		for (size_t s = 0; s < c->nr_sweeps; s++)
			value_cell(t.cell[(d + 1) * t.cols + s + 1], c->diffs[d].values[s]);
	}
	table_write(f, fmt, &t);
	free(t.cell);
	return 0;
}

static int metric_write(FILE *f, enum fmt fmt, const struct compare *c, size_t m)
{
	size_t later = c->nr_sweeps - 1;
	struct table t = { .cols = 2 + 4 * later, .rows = c->nr_rows + 1 };
	char title[512];
	const struct compare_metric *cm = &c->metrics[m];

	snprintf(title, sizeof(title), "%s (%s)", cm->name,
		 cm->better > 0 ? "higher is better" : cm->better < 0 ? "lower is better" : "no better direction");
	heading(f, fmt, 2, title);
	if (!(t.cell = calloc(t.cols * t.rows, sizeof(*t.cell))))
		return -1;
	snprintf(t.cell[0], CELL_MAX, "point");
	snprintf(t.cell[1], CELL_MAX, "base");
	for (size_t s = 1; s <= later; s++) {
		const char *tag = later > 1 ? c->sweeps[s].dir : "new";
		snprintf(t.cell[2 + 4 * (s - 1)], CELL_MAX, "%s", tag);
		snprintf(t.cell[3 + 4 * (s - 1)], CELL_MAX, "change [%.0f %% CI]", 100 * c->opt.conf);
		snprintf(t.cell[4 + 4 * (s - 1)], CELL_MAX, "p (Holm)");
		snprintf(t.cell[5 + 4 * (s - 1)], CELL_MAX, "verdict");
	}
	for (size_t row = 0; row < c->nr_rows; row++) {
		char (*r)[CELL_MAX] = &t.cell[(row + 1) * t.cols];
		snprintf(r[0], CELL_MAX, "%.*s", CELL_MAX - 1, c->rows[row].label);
		num(r[1], compare_cell(c, row, m, 1)->median_base);
		for (size_t s = 1; s <= later; s++) {
			const struct compare_cell *cell = compare_cell(c, row, m, s);
			char n[CELL_MAX];
			num(n, cell->median_new);
			snprintf(r[2 + 4 * (s - 1)], CELL_MAX, "%s", n);
			change_text(r[3 + 4 * (s - 1)], cell, c->opt.conf);
			p_text(r[4 + 4 * (s - 1)], cell);
			snprintf(r[5 + 4 * (s - 1)], CELL_MAX, "%s%s", compare_verdict_name(cell->verdict),
				 cell->verdict == VERDICT_WORSE ? " !" : "");
		}
	}
	table_write(f, fmt, &t);
	free(t.cell);
	return 0;
}

int compare_write(FILE *f, const struct compare *c, const char *format)
{
	enum fmt fmt = !strcmp(format, "md") ? FMT_MD : !strcmp(format, "html") ? FMT_HTML : FMT_TEXT;
	char line[4096];
	size_t tested = 0, off;

	for (size_t i = 0; i < c->nr_rows * c->nr_metrics * (c->nr_sweeps - 1); i++)
		tested += !isnan(c->cells[i].p);
	if (fmt == FMT_HTML)
		fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>vmsweep "
		      "compare</title><style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:"
		      "1px solid #ccc;padding:2px 6px;text-align:right}td:first-child{text-align:left}</style></head>"
		      "\n<body>\n",
		      f);
	heading(f, fmt, 1, "vmsweep compare");
	off = (size_t)snprintf(line, sizeof(line), "Base %s (%zu runs done)", c->sweeps[0].dir, c->sweeps[0].r.nr_done);
	for (size_t s = 1; s < c->nr_sweeps && off < sizeof(line); s++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s %s (%zu done, %zu points not in the base)",
					s == 1 ? " against" : ",", c->sweeps[s].dir, c->sweeps[s].r.nr_done,
					c->nr_unmatched[s]);
	para(f, fmt, line);
	snprintf(line, sizeof(line),
		 "A change counts when it is at least %.3g %% of the base median and significant at %.3g after Holm's "
		 "correction over the %zu comparisons tested; no change when the %.0f %% interval of the change (the "
		 "Hodges-Lehmann shift of the runs, over the base median) lies within +-%.3g %%; inconclusive "
		 "otherwise. Test: %s%s. *: too few runs for a %.0f %% interval: the range of all differences.",
		 100 * c->opt.threshold, c->opt.alpha, tested, 100 * c->opt.conf, 100 * c->opt.threshold,
		 compare_test_name(c->opt.test),
		 c->opt.test == COMPARE_TEST_AUTO ? " (Mann-Whitney U (U) where it can reject after Holm's correction, else "
						   "Welch's t (t))"
						 : "",
		 100 * c->opt.conf);
	para(f, fmt, line);
	if (diffs_write(f, fmt, c))
		return -1;
	for (size_t m = 0; m < c->nr_metrics; m++)
		if (metric_write(f, fmt, c, m))
			return -1;
	snprintf(line, sizeof(line), "Summary: %zu worse, %zu better, %zu changed (no better direction), %zu no change, "
				     "%zu inconclusive, %zu missing.",
		 c->nr_verdict[VERDICT_WORSE], c->nr_verdict[VERDICT_BETTER], c->nr_verdict[VERDICT_CHANGED],
		 c->nr_verdict[VERDICT_SAME], c->nr_verdict[VERDICT_INCONCLUSIVE], c->nr_verdict[VERDICT_MISSING]);
	para(f, fmt, line);
	if (fmt == FMT_HTML)
		fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}
