/* report.md: the report's tables in Markdown, its figures linked as plots/NAME.png, for
 * a repository or a wiki page. */
#include <string.h>

#include "report/report_tables.h"

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

static void md_title_write(FILE *f, const char *title, bool folded)
{
	(void)folded; /* Markdown cannot fold */
	fprintf(f, "### %s\n\n", title);
}

static void md_rule_write(FILE *f, size_t columns)
{
	fputc('|', f);
	for (size_t i = 0; i < columns; i++)
		fputs("---:|", f);
	fputc('\n', f);
}

/* Each row opens with a bar that each of its cells then closes. */
static const struct report_format_ops md_ops = {
	.text_write = cell, .title_write = md_title_write, .rule_write = md_rule_write,
	.head_begin = "|", .head_end = "\n",
	.row_begin = "|", .row_end = "\n",
	.table_end = "\n", .fold_end = "",
	.head_cell = " ", .head_cell_end = " |",
	.cell = " ", .cell_end = " |", .bad_cell = " ",
	.note_begin = " (", .note_end = ")",
	.plus_minus = " ± ", .clip_mark = "†", .mean_note = "",
	.apart_mark = " ≠", .no_ratio = "—",
};

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

/* The model against Linux, when the sweep ran both backends. */
static void backends(FILE *f, const struct report *r)
{
	if (report_backend_param(r) < 0)
		return;
	fputs("## Model / Linux\n\n", f);
	if (!r->nr_pairs) {
		fprintf(f, "No point has done runs on both backends (%zu on one only): nothing to compare.\n\n",
			r->nr_unpaired);
		return;
	}
	fputs("kvm: vmsweep's model kernel on its own VMM; libvirt: Debian's Linux running the same job with the "
	      "same knobs. Points of each backend with every other parameter equal are compared (points: kvm / "
	      "libvirt): the median of each one's done runs, and their ratio kvm / libvirt, whose geometric mean "
	      "over the points sums up each metric. ≠: the two points' runs do not overlap (min .. max); —: no "
	      "ratio (a median missing or 0).",
	      f);
	if (r->nr_unpaired)
		fprintf(f, " Left out: %zu point%s with done runs on one backend only.", r->nr_unpaired,
			r->nr_unpaired == 1 ? "" : "s");
	if (report_backend_tcg(r))
		fputs(" **The Linux guest ran under QEMU's TCG** (manifest libvirt.domain_type): its timings are "
		      "emulated, so time-based metrics (latencies, rates, durations) compare shapes, not values.",
		      f);
	fputs("\n\n", f);
	report_backends_write(&md_ops, f, r);
}

static int md_body_write(FILE *f, const struct report *r, const char *plots_dir, char *err, size_t errlen)
{
	(void)plots_dir; /* figures are linked, not embedded */
	(void)err;
	(void)errlen;
	fprintf(f, "# vmsweep report: %s\n\n%zu points: %zu runs, %zu done, %zu failed", r->name, r->nr_points,
		r->nr_runs, r->nr_done, r->nr_failed);
	if (r->nr_planned)
		fprintf(f, ", **%zu still planned** (`vmsweep run CONFIG --resume DIR` runs them)", r->nr_planned);
	if (r->nr_skipped)
		fprintf(f, "; %zu more not needed (repeat = auto: see Repetitions)", r->nr_skipped);
	fputs(".\n\n## Points\n\n", f);
	report_points_write(&md_ops, f, r);
	fputs("n: done runs (+: some still planned). Mean ± half the 95 % confidence interval (Student's t) over "
	      "each point's done runs; CV: standard deviation / mean. n<3: fewer than 3 runs, too few for the "
	      "interval to mean anything. (0† .. hi): the interval reached below zero, which a count, time, rate or "
	      "size cannot; it is shown clipped at 0.\n\n",
	      f);
	backends(f, r);
	if (r->nr_noisy || r->nr_retried)
		fprintf(f, "## Noise\n\nThe noise sentinels ([sweep] noise_*) ran %zu run%s again for being noisy; %zu "
			   "stayed noisy after their retries and are recorded so (metric noise.noisy): their numbers "
			   "were taken on a busy host.\n\n",
			r->nr_retried, r->nr_retried == 1 ? "" : "s", r->nr_noisy);
	report_noise_write(&md_ops, f, r);
	if (report_repeat_any(r))
		fprintf(f, "## Repetitions\n\nrepeat = auto: each point ran until the 95 %% interval of %s%s was within "
			   "%.3g %% of the mean, %u to %u runs; the runs it did not need were not run (not needed). "
			   "%zu point%s did not reach the target.\n\n",
			r->repeat_metrics[0], r->nr_repeat_metrics > 1 ? " and the other metrics below" : "",
			100 * r->repeat_ci, r->repeat_min, r->repeat_max, report_repeat_unmet(r),
			report_repeat_unmet(r) == 1 ? "" : "s");
	report_repeat_write(&md_ops, f, r);
	if (r->capacity) {
		char intro[2048];
		report_capacity_intro(r, intro, sizeof(intro));
		fprintf(f, "## Capacity\n\n%s\n\n", intro);
	}
	report_capacity_write(&md_ops, f, r);
	if (report_eras_any(r))
		fputs("## Memory-manager eras\n\nWhat the runs' watermark, kswapd and reclaim eras reproduce of the "
		      "kernels they are named after, and what they take from today's kernel.\n\n",
		      f);
	report_eras_write(&md_ops, f, r);
	if (r->nr_hists)
		fputs("## Latency percentiles (us)\n\nFrom the histograms of each point's done runs merged (fio's "
		      "buckets).\n\n",
		      f);
	report_latency_write(&md_ops, f, r);
	fputs("## Figures\n\n", f);
	if (!r->nr_figures)
		fputs("No figure: no metric has a value.\n\n", f);
	for (size_t i = 0; i < r->nr_figures; i++)
		fprintf(f, "![%s](plots/%s.png)\n\n%s ([SVG](plots/%s.svg), [PDF](plots/%s.pdf), [its gnuplot script](plots/%s.gp))\n\n",
			r->figures[i].name, r->figures[i].name, r->figures[i].caption, r->figures[i].name, r->figures[i].name,
			r->figures[i].name);
	failed_runs(f, r);
	if (r->nr_metrics)
		fputs("## Statistics by metric\n\n95 % CI: Student's t over each point's done runs; n<3 and 0† as in "
		      "the points' table.\n\n",
		      f);
	report_stats_write(&md_ops, f, r);
	manifest(f, r);
	return 0;
}

int report_md_write(const struct report *r, const char *path, char *err, size_t errlen)
{
	return report_file_write(r, path, md_body_write, NULL, err, errlen);
}
