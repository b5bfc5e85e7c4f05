/*
 * report.html: one self-contained file (PNG figures embedded as data: URIs, styles
 * inline) that can be mailed or archived alone; SVG files are linked beside it.
 * Written to a temporary name and renamed (report_file_write), so a reader never sees
 * half a report.
 */
#include <errno.h>
#include <string.h>

#include "report/report_tables.h"
#include "util/error.h"

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

static void html_title_write(FILE *f, const char *title, bool folded)
{
	fputs(folded ? "<details><summary>" : "<h3>", f);
	esc(f, title);
	fputs(folded ? "</summary>\n" : "</h3>\n", f);
}

static const struct report_format_ops html_ops = {
	.text_write = esc, .title_write = html_title_write,
	.head_begin = "<table>\n<thead><tr>", .head_end = "</tr></thead>\n<tbody>\n",
	.row_begin = "<tr>", .row_end = "</tr>\n",
	.table_end = "</tbody></table>\n", .fold_end = "</details>\n",
	.head_cell = "<th>", .head_cell_end = "</th>",
	.cell = "<td>", .cell_end = "</td>", .bad_cell = "<td class=\"bad\">",
	.note_begin = "<br><small>", .note_end = "</small>",
	.plus_minus = " &plusmn; ", .clip_mark = "&dagger;",
	.mean_note = "<br><small>mean &plusmn; 95 % CI</small>",
	.apart_mark = " &ne;", .no_ratio = "&mdash;",
};

/* The model against Linux, when the sweep ran both backends. */
static void backends(FILE *f, const struct report *r)
{
	if (report_backend_param(r) < 0)
		return;
	fputs("<h2 id=\"backends\">Model / Linux</h2>\n", f);
	if (!r->nr_pairs) {
		fprintf(f, "<p>No point has done runs on both backends (%zu on one only): nothing to compare.</p>\n",
			r->nr_unpaired);
		return;
	}
	fputs("<p class=\"note\">kvm: vmsweep's model kernel on its own VMM; libvirt: Debian's Linux running the "
	      "same job with the same knobs. Points of each backend with every other parameter equal are compared "
	      "(points: kvm / libvirt): the median of each one's done runs, and their ratio kvm / libvirt, whose "
	      "geometric mean over the points sums up each metric. &ne;: the two points' runs do not overlap (min "
	      ".. max); &mdash;: no ratio (a median missing or 0).",
	      f);
	if (r->nr_unpaired)
		fprintf(f, " Left out: %zu point%s with done runs on one backend only.", r->nr_unpaired,
			r->nr_unpaired == 1 ? "" : "s");
	if (report_backend_tcg(r))
		fputs(" <b>The Linux guest ran under QEMU's TCG</b> (manifest libvirt.domain_type): its timings are "
		      "emulated, so time-based metrics (latencies, rates, durations) compare shapes, not values.",
		      f);
	fputs("</p>\n", f);
	report_backends_write(&html_ops, f, r);
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
		static const char *const kinds[][2] = { { "svg", "SVG" }, { "pdf", "PDF" }, { "gp", "its gnuplot script" } };
		for (size_t k = 0; k < 3; k++) {
			fputs(k ? ", <a href=\"plots/" : " <a href=\"plots/", f);
			esc(f, fig->name);
			fprintf(f, ".%s\">%s</a>", kinds[k][0], kinds[k][1]);
		}
		fputs("</figcaption>\n</figure>\n", f);
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

static int html_body_write(FILE *f, const struct report *r, const char *plots_dir, char *err, size_t errlen)
{
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
	if (r->nr_skipped)
		fprintf(f, "; %zu more not needed (repeat = auto: see Repetitions)", r->nr_skipped);
	fputs(".", f);
	if (r->x >= 0) {
		fputs(" Figures: x = ", f);
		esc(f, r->params[r->x]);
		if (r->lines >= 0) {
			fputs(", one line per ", f);
			esc(f, r->params[r->lines]);
		}
		if (report_backend_param(r) >= 0 && report_backend_param(r) != r->x)
			fputs(", libvirt dashed", f);
		fputs(".", f);
	}
	fputs("</p>\n<p><a href=\"#points\">points</a> &middot; ", f);
	if (report_backend_param(r) >= 0)
		fputs("<a href=\"#backends\">model / Linux</a> &middot; ", f);
	fputs("<a href=\"#latency\">latency</a> &middot; <a "
	      "href=\"#figures\">figures</a> &middot; <a href=\"#failed\">failed runs</a> &middot; <a "
	      "href=\"#stats\">statistics</a> &middot; <a href=\"#manifest\">manifest</a></p>\n",
	      f);
	fputs("<h2 id=\"points\">Points</h2>\n", f);
	report_points_write(&html_ops, f, r);
	fputs("<p class=\"note\">n: done runs (+: some still planned). Mean over the done runs of each point; "
	      "&plusmn; half the 95 % confidence interval (Student's t, n - 1 degrees of freedom); CV: standard "
	      "deviation / mean. n&lt;3: fewer than 3 runs, too few for the interval to mean anything. (0&dagger; "
	      ".. hi): the interval reached below zero, which a count, time, rate or size cannot; it is shown "
	      "clipped at 0.</p>\n",
	      f);
	backends(f, r);
	if (r->nr_noisy || r->nr_retried)
		fprintf(f, "<h2 id=\"noise\">Noise</h2>\n<p class=\"note\">The noise sentinels ([sweep] noise_*) ran %zu "
			   "run%s again for being noisy; %zu stayed noisy after their retries and are recorded so "
			   "(metric noise.noisy): their numbers were taken on a busy host.</p>\n",
			r->nr_retried, r->nr_retried == 1 ? "" : "s", r->nr_noisy);
	report_noise_write(&html_ops, f, r);
	if (report_repeat_any(r)) {
		fputs("<h2 id=\"repetitions\">Repetitions</h2>\n<p class=\"note\">repeat = auto: each point ran until the "
		      "95 % interval of ", f);
		esc(f, r->repeat_metrics[0]);
		fprintf(f, "%s was within %.3g %% of the mean, %u to %u runs; the runs it did not need were not run "
			   "(not needed). %zu point%s did not reach the target.</p>\n",
			r->nr_repeat_metrics > 1 ? " and the other metrics below" : "", 100 * r->repeat_ci, r->repeat_min,
			r->repeat_max, report_repeat_unmet(r), report_repeat_unmet(r) == 1 ? "" : "s");
	}
	report_repeat_write(&html_ops, f, r);
	if (r->capacity) {
		char intro[2048];
		report_capacity_intro(r, intro, sizeof(intro));
		fputs("<h2 id=\"capacity\">Capacity</h2>\n<p class=\"note\">", f);
		esc(f, intro);
		fputs("</p>\n", f);
	}
	report_capacity_write(&html_ops, f, r);
	if (report_eras_any(r))
		fputs("<h2 id=\"eras\">Memory-manager eras</h2>\n<p class=\"note\">What the runs' watermark, kswapd "
		      "and reclaim eras reproduce of the kernels they are named after, and what they take from today's "
		      "kernel.</p>\n",
		      f);
	report_eras_write(&html_ops, f, r);
	if (r->nr_hists)
		fputs("<h2 id=\"latency\">Latency percentiles</h2>\n<p class=\"note\">From the histograms of each "
		      "point's done runs merged (fio's buckets, percentiles as fio computes them), in "
		      "microseconds.</p>\n",
		      f);
	report_latency_write(&html_ops, f, r);
	if (figures(f, r, plots_dir, err, errlen))
		return -1;
	failed_runs(f, r);
	if (r->nr_metrics)
		fputs("<h2 id=\"stats\">Statistics by metric</h2>\n<p class=\"note\">95 % CI: Student's t over each "
		      "point's done runs; n&lt;3 and 0&dagger; as in the points' table.</p>\n",
		      f);
	report_stats_write(&html_ops, f, r);
	manifest(f, r);
	fputs("</body>\n</html>\n", f);
	return 0;
}

int report_html_write(const struct report *r, const char *path, const char *plots_dir, char *err, size_t errlen)
{
	return report_file_write(r, path, html_body_write, plots_dir, err, errlen);
}
