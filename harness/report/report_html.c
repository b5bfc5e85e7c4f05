/*
 * report.html: one self-contained file (PNG figures embedded as data: URIs, styles
 * inline) that can be mailed or archived alone; SVG files are linked beside it.
 * Written to a temporary name and renamed, so a reader never sees half a report.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report.h"
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

static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '&')
			fputs("&amp;", f);
		else if (ch == '<')
			fputs("&lt;", f);
		else if (ch == '>')
			fputs("&gt;", f);
		else if (ch == '"')
			fputs("&quot;", f);
		else if (ch < 0x20 && ch != '\n' && ch != '\t')
			fputc('?', f);
		else
			fputc(ch, f);
	}
}

static void num(FILE *f, double v)
{
	char b[64];
	report_num_format(v, b, sizeof(b));
	fputs(b, f);
}

/* The file at path in base64; -1 when it cannot be read. */
static int base64_file(FILE *out, const char *path)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char in[3 * 1024];
	size_t n;
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	while ((n = fread(in, 1, sizeof(in), f)) > 0) {
		for (size_t i = 0; i < n; i += 3) {
			unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
				     (i + 2 < n ? in[i + 2] : 0);
			fputc(tab[v >> 18 & 63], out);
			fputc(tab[v >> 12 & 63], out);
			fputc(i + 1 < n ? tab[v >> 6 & 63] : '=', out);
			fputc(i + 2 < n ? tab[v & 63] : '=', out);
		}
		if (n < sizeof(in))
			break; /* a short read is the end: a chunk is a multiple of 3 otherwise */
	}
	int bad = ferror(f);
	fclose(f);
	return bad ? -1 : 0;
}

static void params_cells(FILE *f, const struct report *r, size_t p)
{
	for (size_t k = 0; k < r->nr_params; k++) {
		char v[32];
		report_value_format(r, k, r->points[p].values[k], v, sizeof(v));
		fputs("<td>", f);
		esc(f, v);
		fputs("</td>", f);
	}
}

static void params_heads(FILE *f, const struct report *r)
{
	fputs("<th>point</th>", f);
	for (size_t k = 0; k < r->nr_params; k++) {
		fputs("<th>", f);
		esc(f, r->params[k]);
		fputs("</th>", f);
	}
}

static void points_table(FILE *f, const struct report *r)
{
	char src[300];
	fputs("<h2 id=\"points\">Points</h2>\n<table>\n<thead><tr>", f);
	params_heads(f, r);
	fputs("<th>n</th><th>failed</th>", f);
	for (size_t i = 0; i < r->nr_metrics; i++) {
		report_metric_source(&r->metrics[i], src, sizeof(src));
		fputs("<th>", f);
		esc(f, r->metrics[i].label);
		if (*src) {
			fputs("<br><small>", f);
			esc(f, src);
			fputs("</small>", f);
		}
		fputs("<br><small>mean &plusmn; 95 % CI</small></th><th>CV</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t p = 0; p < r->nr_points; p++) {
		const struct report_point *pt = &r->points[p];
		fprintf(f, "<tr><td>%zu</td>", pt->id);
		params_cells(f, r, p);
		fprintf(f, "<td>%zu%s</td><td%s>%zu</td>", pt->nr_done, pt->nr_planned ? "+" : "",
			pt->nr_failed ? " class=\"bad\"" : "", pt->nr_failed);
		for (size_t i = 0; i < r->nr_metrics; i++) {
			const struct sample_stats *s = &r->metrics[i].st[p];
			fputs("<td>", f);
			num(f, s->mean);
			if (!isnan(s->ci95_hi)) {
				fputs(" &plusmn; ", f);
				num(f, (s->ci95_hi - s->ci95_lo) / 2);
			}
			fputs("</td><td>", f);
			if (isnan(s->cv))
				fputs("-", f);
			else
				fprintf(f, "%.1f %%", 100 * s->cv);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n<p class=\"note\">n: done runs (+: some still planned). Mean over the done runs "
	      "of each point; &plusmn; half the 95 % confidence interval (Student's t, n - 1 degrees of freedom); "
	      "CV: standard deviation / mean.</p>\n",
	      f);
}

static void latency_tables(FILE *f, const struct report *r)
{
	if (!r->nr_hists)
		return;
	fputs("<h2 id=\"latency\">Latency percentiles</h2>\n<p class=\"note\">From the histograms of each point's "
	      "done runs merged (fio's buckets, percentiles as fio computes them), in microseconds.</p>\n",
	      f);
	for (size_t i = 0; i < r->nr_hists; i++) {
		const struct report_hist *h = &r->hists[i];
		fputs("<h3>", f);
		esc(f, h->name);
		fputs("</h3>\n<table>\n<thead><tr>", f);
		params_heads(f, r);
		fputs("<th>runs</th><th>samples</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th></tr></thead>\n"
		      "<tbody>\n",
		      f);
		for (size_t p = 0; p < r->nr_points; p++) {
			fprintf(f, "<tr><td>%zu</td>", r->points[p].id);
			params_cells(f, r, p);
			fprintf(f, "<td>%zu</td><td>%llu</td>", h->nr_runs[p], (unsigned long long)h->samples[p]);
			for (unsigned k = 0; k < STATS_NR_PCTS; k++) {
				fputs("<td>", f);
				num(f, h->samples[p] ? (double)h->pcts[p][k] / 1000 : NAN);
				fputs("</td>", f);
			}
			fputs("</tr>\n", f);
		}
		fputs("</tbody></table>\n", f);
	}
}

static int figures(FILE *f, const struct report *r, const char *plots_dir, char *err, size_t errlen)
{
	char path[4096];
	fputs("<h2 id=\"figures\">Figures</h2>\n", f);
	if (!r->nr_figures)
		fputs("<p>No figure: no metric has a value.</p>\n", f);
	for (size_t i = 0; i < r->nr_figures; i++) {
		const struct report_figure *fig = &r->figures[i];
		snprintf(path, sizeof(path), "%s/%s.png", plots_dir, fig->name);
		fputs("<figure>\n<img width=\"800\" height=\"500\" alt=\"", f);
		esc(f, fig->caption);
		fputs("\" src=\"data:image/png;base64,", f);
		if (base64_file(f, path))
			return errorf(err, errlen, "%s: %s", path, strerror(errno));
		fputs("\">\n<figcaption>", f);
		esc(f, fig->caption);
		fputs(" <a href=\"plots/", f);
		esc(f, fig->name);
		fputs(".svg\">SVG</a></figcaption>\n</figure>\n", f);
	}
	return 0;
}

static void failed_runs(FILE *f, const struct report *r)
{
	fputs("<h2 id=\"failed\">Failed runs</h2>\n", f);
	if (!r->nr_failed_runs) {
		fputs("<p>None.</p>\n", f);
		return;
	}
	fputs("<table>\n<thead><tr><th>run</th><th>point</th><th>parameters</th><th>repetition</th><th>exit "
	      "status</th><th>cause</th></tr></thead>\n<tbody>\n",
	      f);
	for (size_t i = 0; i < r->nr_failed_runs; i++) {
		const struct report_failed *fr = &r->failed[i];
		char params[512];
		report_point_label(r, fr->point_idx, -1, params, sizeof(params));
		fprintf(f, "<tr><td>%zu</td><td>%zu</td><td>", fr->run, r->points[fr->point_idx].id);
		esc(f, params);
		fprintf(f, "</td><td>%u</td><td>%d</td><td class=\"bad\">", fr->rep, fr->exit_status);
		esc(f, fr->cause);
		fputs("</td></tr>\n", f);
		if (fr->console) {
			fputs("<tr><td></td><td colspan=\"5\"><details><summary>console</summary><pre>", f);
			esc(f, fr->console);
			fputs("</pre></details></td></tr>\n", f);
		}
	}
	fputs("</tbody></table>\n", f);
}

static void stats_details(FILE *f, const struct report *r)
{
	if (!r->nr_metrics)
		return;
	fputs("<h2 id=\"stats\">Statistics by metric</h2>\n", f);
	for (size_t i = 0; i < r->nr_metrics; i++) {
		const struct report_metric *m = &r->metrics[i];
		fputs("<details><summary>", f);
		esc(f, m->label);
		fputs("</summary>\n<table>\n<thead><tr>", f);
		params_heads(f, r);
		fputs("<th>n</th><th>mean</th><th>median</th><th>stddev</th><th>CV</th><th>95 % CI</th><th>min</th>"
		      "<th>max</th></tr></thead>\n<tbody>\n",
		      f);
		for (size_t p = 0; p < r->nr_points; p++) {
			const struct sample_stats *s = &m->st[p];
			fprintf(f, "<tr><td>%zu</td>", r->points[p].id);
			params_cells(f, r, p);
			fprintf(f, "<td>%zu</td>", s->n);
			const double v[] = { s->mean, s->median, s->stddev };
			for (size_t k = 0; k < 3; k++) {
				fputs("<td>", f);
				num(f, v[k]);
				fputs("</td>", f);
			}
			fputs(isnan(s->cv) ? "<td>-" : "<td>", f);
			if (!isnan(s->cv))
				fprintf(f, "%.1f %%", 100 * s->cv);
			fputs("</td><td>", f);
			num(f, s->ci95_lo);
			fputs(" .. ", f);
			num(f, s->ci95_hi);
			fputs("</td><td>", f);
			num(f, s->min);
			fputs("</td><td>", f);
			num(f, s->max);
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody></table>\n</details>\n", f);
	}
}

static void manifest(FILE *f, const struct report *r)
{
	fputs("<h2 id=\"manifest\">Manifest</h2>\n<p class=\"note\">What a re-run needs: the config and job files "
	      "as run, the seeds, the host, its KVM capabilities, the builds.</p>\n<table class=\"kv\">\n",
	      f);
	for (size_t i = 0; i < r->nr_manifest; i++) {
		const struct report_kv *kv = &r->manifest[i];
		fputs("<tr><th>", f);
		esc(f, kv->key);
		fputs(strchr(kv->value, '\n') ? "</th><td><pre>" : "</th><td>", f);
		esc(f, kv->value);
		fputs(strchr(kv->value, '\n') ? "</pre></td></tr>\n" : "</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static const char style[] = "body{font-family:sans-serif;max-width:1200px;margin:1em auto;padding:0 1em;color:#222}"
			    "table{border-collapse:collapse;margin:.5em 0;font-size:90%}"
			    "th,td{border:1px solid #ccc;padding:2px 6px;text-align:right;vertical-align:top}"
			    "th{background:#f3f3f3}table.kv th,table.kv td{text-align:left}"
			    "pre{text-align:left;font-size:85%;white-space:pre-wrap;margin:0}"
			    ".bad{color:#b00;text-align:left}.note{color:#555;font-size:90%}"
			    "figure{margin:1em 0}figcaption{font-size:90%;color:#444;max-width:800px}";

int report_html_write(const struct report *r, const char *path, const char *plots_dir, char *err, size_t errlen)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return errorf(err, errlen, "%s: %s", tmp, strerror(errno));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>vmsweep report: ", f);
	esc(f, r->name);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>vmsweep report: ", style);
	esc(f, r->name);
	fprintf(f, "</h1>\n<p>%zu points &times; their repetitions: %zu runs, %zu done, %zu failed", r->nr_points,
		r->nr_runs, r->nr_done, r->nr_failed);
	if (r->nr_planned)
		fprintf(f,
			", <b>%zu still planned</b> (the sweep did not finish: <code>vmsweep run CONFIG --resume "
			"DIR</code> runs them)",
			r->nr_planned);
	fputs(".", f);
	if (r->x >= 0) {
		fputs(" Figures: x = ", f);
		esc(f, r->params[r->x]);
		if (r->lines >= 0) {
			fputs(", one line per ", f);
			esc(f, r->params[r->lines]);
		}
		fputs(".", f);
	}
	fputs("</p>\n<p><a href=\"#points\">points</a> &middot; <a href=\"#latency\">latency</a> &middot; <a "
	      "href=\"#figures\">figures</a> &middot; <a href=\"#failed\">failed runs</a> &middot; <a "
	      "href=\"#stats\">statistics</a> &middot; <a href=\"#manifest\">manifest</a></p>\n",
	      f);
	points_table(f, r);
	latency_tables(f, r);
	if (figures(f, r, plots_dir, err, errlen)) {
		fclose(f);
		unlink(tmp);
		return -1;
	}
	failed_runs(f, r);
	stats_details(f, r);
	manifest(f, r);
	fputs("</body>\n</html>\n", f);
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
