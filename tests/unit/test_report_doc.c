/*
 * The report's documents (harness/report/report_html.c, report_md.c, the tables they
 * share in report_tables.c) from a hand-made struct report, byte for byte: escaping,
 * NaN cells, a failed point, planned runs, consoles, multi-line manifest values, an
 * embedded figure; and the empty report.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/report.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Every test writes into one directory, which holds the figure report.html embeds. */
static char dir[] = "/tmp/test_report_doc.XXXXXX";
static const char *const dir_files[] = { "plots/wakeup_p99_us.png", "plots", "report.md", "report.html" };

static int dir_make(void **state)
{
	char path[64];
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/plots", dir);
	if (mkdir(path, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, dir_files[0]);
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	/* Any bytes: the figure is embedded, not read; 7 of them to end in base64 padding. */
	fputs("\x89PNG\r\nx", f);
	return fclose(f);
}

static int dir_remove(void **state)
{
	char path[64];
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(dir_files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, dir_files[i]);
		remove(path);
	}
	return rmdir(dir);
}

/* The file at path against want; on a mismatch, the first differing byte and both
 * texts from there. */
static char *file_read(const char *path);

static void text_assert(const char *path, const char *want)
{
	char *got = file_read(path);
	size_t i = 0;
	while (got[i] && got[i] == want[i])
		i++;
	if (got[i] != want[i])
		fail_msg("%s differs at byte %zu:\n--- got:\n%s\n--- want:\n%s", path, i, got + i, want + i);
	free(got);
}

static int64_t values[2][2] = { { 1, 64 << 20 }, { 2, 1 << 30 } };
static char *params[] = { "vcpus", "memory" };
static struct report_point points[] = {
	{ .id = 1, .values = values[0], .nr_done = 3 },
	{ .id = 2, .values = values[1], .nr_done = 1, .nr_failed = 1, .nr_planned = 1 },
};
static struct sample_stats wakeup_st[] = {
	{ .n = 3, .mean = 12.5, .median = 12, .stddev = 1.5, .cv = 0.12, .ci95_lo = 8.774, .ci95_hi = 16.226,
	  .min = 11, .max = 14 },
	/* One value: no spread, no interval. */
	{ .n = 1, .mean = 20, .median = 20, .stddev = NAN, .cv = NAN, .ci95_lo = NAN, .ci95_hi = NAN, .min = 20,
	  .max = 20 },
};
static struct sample_stats loops_st[] = {
	{ .n = 3, .mean = 448500, .median = 448000, .stddev = 2000, .cv = 0.00446, .ci95_lo = 443532,
	  .ci95_hi = 453468, .min = 446500, .max = 451000 },
	{ .n = 0, .mean = NAN, .median = NAN, .stddev = NAN, .cv = NAN, .ci95_lo = NAN, .ci95_hi = NAN, .min = NAN,
	  .max = NAN },
};
static struct report_metric metrics[] = {
	{ .label = "wakeup_p99_us", .source = "wakeup_ns.p99", .scale = 0.001, .st = wakeup_st },
	{ .label = "loops|<all>", .source = "cpu.work_loops", .scale = 1, .st = loops_st },
};
static uint64_t pcts[2][STATS_NR_PCTS] = { { 9000, 15000, 20500, 31000 }, { 0 } };
static uint64_t samples[] = { 1200, 0 };
static size_t hist_runs[] = { 3, 0 };
static struct report_hist hists[] = {
	{ .name = "wakeup_ns", .pcts = pcts, .samples = samples, .nr_runs = hist_runs },
};
static struct report_failed failed[] = {
	{ .run = 6, .point_idx = 1, .rep = 2, .exit_status = 3, .cause = "timeout | <late> & \"slow\"",
	  .console = "boot\npanic: ``` fence ````\n" },
	{ .run = 7, .point_idx = 1, .rep = 3, .exit_status = 1, .cause = "crashed" },
};
static struct report_kv manifest[] = {
	{ .key = "config", .value = "[params]\nvcpus = 1, 2\n" },
	{ .key = "host", .value = "kvm & <x86_64>" },
};
static struct report_figure figures[] = {
	{ .name = "wakeup_p99_us", .caption = "wakeup \"p99\" <us> by memory" },
};

static struct report full_report(void)
{
	return (struct report){
		.name = "demo <&> sweep|1",
		.params = params,
		.nr_params = ARRAY_SIZE(params),
		.points = points,
		.nr_points = ARRAY_SIZE(points),
		.nr_runs = 6,
		.nr_done = 4,
		.nr_failed = 1,
		.nr_planned = 1,
		.manifest = manifest,
		.nr_manifest = ARRAY_SIZE(manifest),
		.metrics = metrics,
		.nr_metrics = ARRAY_SIZE(metrics),
		.hists = hists,
		.nr_hists = ARRAY_SIZE(hists),
		.failed = failed,
		.nr_failed_runs = ARRAY_SIZE(failed),
		.series_run = -1,
		.x = 1,
		.lines = 0,
		.figures = figures,
		.nr_figures = ARRAY_SIZE(figures),
	};
}

/* What neither document can be short of: no metric, histogram, failure or figure. */
static struct report empty_report(void)
{
	return (struct report){
		.name = "empty",
		.params = params,
		.nr_params = 1,
		.points = points,
		.nr_points = 1,
		.nr_runs = 3,
		.nr_done = 3,
		.series_run = -1,
		.x = -1,
		.lines = -1,
	};
}

/* What every report.html opens with, up to its summary. */
#define HTML_HEAD(name)                                                                                        \
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>vmsweep report: " name  \
	"</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:1em auto;padding:0 "             \
	"1em;color:#222}table{border-collapse:collapse;margin:.5em 0;font-size:90%}th,td{border:1px solid "    \
	"#ccc;padding:2px 6px;text-align:right;vertical-align:top}th{background:#f3f3f3}table.kv th,table.kv " \
	"td{text-align:left}pre{text-align:left;font-size:85%;white-space:pre-wrap;margin:0}.bad{color:#b00;"  \
	"text-align:left}.note{color:#555;font-size:90%}figure{margin:1em 0}figcaption{font-size:90%;"         \
	"color:#444;max-width:800px}</style>\n</head>\n<body>\n<h1>vmsweep report: " name "</h1>\n"

/* The documents as written before their tables were shared (report_tables.c): any
 * change to them is a change to what users read. */
static const char want_md_full[] =
	"# vmsweep report: demo <&> sweep|1\n"
	"\n"
	"2 points: 6 runs, 4 done, 1 failed, **1 still planned** (`vmsweep run CONFIG --resume DIR` runs them).\n"
	"\n"
	"## Points\n"
	"\n"
	"| point | vcpus | memory | n | failed | wakeup_p99_us (wakeup_ns.p99 / 1000) | CV | loops\\|<all> "
		"(cpu.work_loops) | CV |\n"
	"|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
	"| 1 | 1 | 64M | 3 | 0 | 12.5 ± 3.726 | 12.0 % | 448500 ± 4968 | 0.45 % |\n"
	"| 2 | 2 | 1G | 1+ | 1 | 20 (n<3) | - | - | - |\n"
	"\n"
	"n: done runs (+: some still planned). Mean ± half the 95 % confidence interval (Student's t) over "
		"each point's done runs; CV: standard deviation / mean. n<3: fewer than 3 runs, too few for the "
		"interval to mean anything. (0† .. hi): the interval reached below zero, which a count, time, rate or "
		"size cannot; it is shown clipped at 0.\n"
	"\n"
	"## Latency percentiles (us)\n"
	"\n"
	"From the histograms of each point's done runs merged (fio's buckets).\n"
	"\n"
	"### wakeup_ns\n"
	"\n"
	"| point | vcpus | memory | runs | samples | p50 | p90 | p99 | p99.9 |\n"
	"|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
	"| 1 | 1 | 64M | 3 | 1200 | 9 | 15 | 20.5 | 31 |\n"
	"| 2 | 2 | 1G | 0 | 0 | - | - | - | - |\n"
	"\n"
	"## Figures\n"
	"\n"
	"![wakeup_p99_us](plots/wakeup_p99_us.png)\n"
	"\n"
	"wakeup \"p99\" <us> by memory ([SVG](plots/wakeup_p99_us.svg), [PDF](plots/wakeup_p99_us.pdf), [its gnuplot script](plots/wakeup_p99_us.gp))\n"
	"\n"
	"## Failed runs\n"
	"\n"
	"| run | point | parameters | repetition | exit status | cause |\n"
	"|---:|---:|---|---:|---:|---|\n"
	"| 6 | 2 | vcpus=2 memory=1G | 2 | 3 | timeout \\| <late> & \"slow\" |\n"
	"| 7 | 2 | vcpus=2 memory=1G | 3 | 1 | crashed |\n"
	"\n"
	"Console of run 6:\n"
	"\n"
	"`````\n"
	"boot\n"
	"panic: ``` fence ````\n"
	"`````\n"
	"\n"
	"## Statistics by metric\n"
	"\n"
	"95 % CI: Student's t over each point's done runs; n<3 and 0† as in the points' table.\n"
	"\n"
	"### wakeup_p99_us\n"
	"\n"
	"| point | vcpus | memory | n | mean | median | stddev | CV | 95 % CI | min | max |\n"
	"|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
	"| 1 | 1 | 64M | 3 | 12.5 | 12 | 1.5 | 12.0 % | 8.774 .. 16.23 | 11 | 14 |\n"
	"| 2 | 2 | 1G | 1 | 20 | 20 | - | - | n<3 | 20 | 20 |\n"
	"\n"
	"### loops|<all>\n"
	"\n"
	"| point | vcpus | memory | n | mean | median | stddev | CV | 95 % CI | min | max |\n"
	"|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
	"| 1 | 1 | 64M | 3 | 448500 | 448000 | 2000 | 0.45 % | 443532 .. 453468 | 446500 | 451000 |\n"
	"| 2 | 2 | 1G | 0 | - | - | - | - | - | - | - |\n"
	"\n"
	"## Manifest\n"
	"\n"
	"| key | value |\n"
	"|---|---|\n"
	"| host | kvm & <x86_64> |\n"
	"\n"
	"config:\n"
	"\n"
	"```\n"
	"[params]\n"
	"vcpus = 1, 2\n"
	"```\n"
	"\n";

static const char want_html_full[] =
	HTML_HEAD("demo &lt;&amp;&gt; sweep|1")
	"<p>2 points &times; their repetitions: 6 runs, 4 done, 1 failed, <b>1 still planned</b> (the sweep "
		"did not finish: <code>vmsweep run CONFIG --resume DIR</code> runs them). Figures: x = memory, one "
		"line per vcpus.</p>\n"
	"<p><a href=\"#points\">points</a> &middot; <a href=\"#latency\">latency</a> &middot; <a "
		"href=\"#figures\">figures</a> &middot; <a href=\"#failed\">failed runs</a> &middot; <a "
		"href=\"#stats\">statistics</a> &middot; <a href=\"#manifest\">manifest</a></p>\n"
	"<h2 id=\"points\">Points</h2>\n"
	"<table>\n"
	"<thead><tr><th>point</th><th>vcpus</th><th>memory</th><th>n</th><th>failed</th><th>wakeup_p99_us<br>"
		"<small>wakeup_ns.p99 / 1000</small><br><small>mean &plusmn; 95 % "
		"CI</small></th><th>CV</th><th>loops|&lt;all&gt;<br><small>cpu.work_loops</small><br><small>mean "
		"&plusmn; 95 % CI</small></th><th>CV</th></tr></thead>\n"
	"<tbody>\n"
	"<tr><td>1</td><td>1</td><td>64M</td><td>3</td><td>0</td><td>12.5 &plusmn; 3.726</td><td>12.0 "
		"%</td><td>448500 &plusmn; 4968</td><td>0.45 %</td></tr>\n"
	"<tr><td>2</td><td>2</td><td>1G</td><td>1+</td><td "
		"class=\"bad\">1</td><td>20 (n&lt;3)</td><td>-</td><td>-</td><td>-</td></tr>\n"
	"</tbody></table>\n"
	"<p class=\"note\">n: done runs (+: some still planned). Mean over the done runs of each point; "
		"&plusmn; half the 95 % confidence interval (Student's t, n - 1 degrees of freedom); CV: standard "
		"deviation / mean. n&lt;3: fewer than 3 runs, too few for the interval to mean anything. (0&dagger; "
		".. hi): the interval reached below zero, which a count, time, rate or size cannot; it is shown "
		"clipped at 0.</p>\n"
	"<h2 id=\"latency\">Latency percentiles</h2>\n"
	"<p class=\"note\">From the histograms of each point's done runs merged (fio's buckets, percentiles as "
		"fio computes them), in microseconds.</p>\n"
	"<h3>wakeup_ns</h3>\n"
	"<table>\n"
	"<thead><tr><th>point</th><th>vcpus</th><th>memory</th><th>runs</th><th>samples</th><th>p50</th><th>p"
		"90</th><th>p99</th><th>p99.9</th></tr></thead>\n"
	"<tbody>\n"
	"<tr><td>1</td><td>1</td><td>64M</td><td>3</td><td>1200</td><td>9</td><td>15</td><td>20.5</td><td>31<"
		"/td></tr>\n"
	"<tr><td>2</td><td>2</td><td>1G</td><td>0</td><td>0</td><td>-</td><td>-</td><td>-</td><td>-</td></tr>\n"
	"</tbody></table>\n"
	"<h2 id=\"figures\">Figures</h2>\n"
	"<figure>\n"
	"<img width=\"800\" height=\"500\" alt=\"wakeup &quot;p99&quot; &lt;us&gt; by memory\" "
		"src=\"data:image/png;base64,iVBORw0KeA==\">\n"
	"<figcaption>wakeup &quot;p99&quot; &lt;us&gt; by memory <a "
		"href=\"plots/wakeup_p99_us.svg\">SVG</a>, <a href=\"plots/wakeup_p99_us.pdf\">PDF</a>, <a href=\"plots/wakeup_p99_us.gp\">its gnuplot script</a></figcaption>\n"
	"</figure>\n"
	"<h2 id=\"failed\">Failed runs</h2>\n"
	"<table>\n"
	"<thead><tr><th>run</th><th>point</th><th>parameters</th><th>repetition</th><th>exit "
		"status</th><th>cause</th></tr></thead>\n"
	"<tbody>\n"
	"<tr><td>6</td><td>2</td><td>vcpus=2 memory=1G</td><td>2</td><td>3</td><td class=\"bad\">timeout | "
		"&lt;late&gt; &amp; &quot;slow&quot;</td></tr>\n"
	"<tr><td></td><td colspan=\"5\"><details><summary>console</summary><pre>boot\n"
	"panic: ``` fence ````\n"
	"</pre></details></td></tr>\n"
	"<tr><td>7</td><td>2</td><td>vcpus=2 memory=1G</td><td>3</td><td>1</td><td "
		"class=\"bad\">crashed</td></tr>\n"
	"</tbody></table>\n"
	"<h2 id=\"stats\">Statistics by metric</h2>\n"
	"<p class=\"note\">95 % CI: Student's t over each point's done runs; n&lt;3 and 0&dagger; as in the "
		"points' table.</p>\n"
	"<details><summary>wakeup_p99_us</summary>\n"
	"<table>\n"
	"<thead><tr><th>point</th><th>vcpus</th><th>memory</th><th>n</th><th>mean</th><th>median</th><th>stdd"
		"ev</th><th>CV</th><th>95 % CI</th><th>min</th><th>max</th></tr></thead>\n"
	"<tbody>\n"
	"<tr><td>1</td><td>1</td><td>64M</td><td>3</td><td>12.5</td><td>12</td><td>1.5</td><td>12.0 "
		"%</td><td>8.774 .. 16.23</td><td>11</td><td>14</td></tr>\n"
	"<tr><td>2</td><td>2</td><td>1G</td><td>1</td><td>20</td><td>20</td><td>-</td><td>-</td><td>n&lt;3"
		"</td><td>20</td><td>20</td></tr>\n"
	"</tbody></table>\n"
	"</details>\n"
	"<details><summary>loops|&lt;all&gt;</summary>\n"
	"<table>\n"
	"<thead><tr><th>point</th><th>vcpus</th><th>memory</th><th>n</th><th>mean</th><th>median</th><th>stdd"
		"ev</th><th>CV</th><th>95 % CI</th><th>min</th><th>max</th></tr></thead>\n"
	"<tbody>\n"
	"<tr><td>1</td><td>1</td><td>64M</td><td>3</td><td>448500</td><td>448000</td><td>2000</td><td>0.45 "
		"%</td><td>443532 .. 453468</td><td>446500</td><td>451000</td></tr>\n"
	"<tr><td>2</td><td>2</td><td>1G</td><td>0</td><td>-</td><td>-</td><td>-</td><td>-</td><td>-"
		"</td><td>-</td><td>-</td></tr>\n"
	"</tbody></table>\n"
	"</details>\n"
	"<h2 id=\"manifest\">Manifest</h2>\n"
	"<p class=\"note\">What a re-run needs: the config and job files as run, the seeds, the host, its KVM "
		"capabilities, the builds.</p>\n"
	"<table class=\"kv\">\n"
	"<tr><th>config</th><td><pre>[params]\n"
	"vcpus = 1, 2\n"
	"</pre></td></tr>\n"
	"<tr><th>host</th><td>kvm &amp; &lt;x86_64&gt;</td></tr>\n"
	"</table>\n"
	"</body>\n"
	"</html>\n";

static const char want_md_empty[] =
	"# vmsweep report: empty\n"
	"\n"
	"1 points: 3 runs, 3 done, 0 failed.\n"
	"\n"
	"## Points\n"
	"\n"
	"| point | vcpus | n | failed |\n"
	"|---:|---:|---:|---:|\n"
	"| 1 | 1 | 3 | 0 |\n"
	"\n"
	"n: done runs (+: some still planned). Mean ± half the 95 % confidence interval (Student's t) over "
		"each point's done runs; CV: standard deviation / mean. n<3: fewer than 3 runs, too few for the "
		"interval to mean anything. (0† .. hi): the interval reached below zero, which a count, time, rate or "
		"size cannot; it is shown clipped at 0.\n"
	"\n"
	"## Figures\n"
	"\n"
	"No figure: no metric has a value.\n"
	"\n"
	"## Failed runs\n"
	"\n"
	"None.\n"
	"\n"
	"## Manifest\n"
	"\n"
	"| key | value |\n"
	"|---|---|\n"
	"\n";

static const char want_html_empty[] =
	HTML_HEAD("empty")
	"<p>1 points &times; their repetitions: 3 runs, 3 done, 0 failed.</p>\n"
	"<p><a href=\"#points\">points</a> &middot; <a href=\"#latency\">latency</a> &middot; <a "
		"href=\"#figures\">figures</a> &middot; <a href=\"#failed\">failed runs</a> &middot; <a "
		"href=\"#stats\">statistics</a> &middot; <a href=\"#manifest\">manifest</a></p>\n"
	"<h2 id=\"points\">Points</h2>\n"
	"<table>\n"
	"<thead><tr><th>point</th><th>vcpus</th><th>n</th><th>failed</th></tr></thead>\n"
	"<tbody>\n"
	"<tr><td>1</td><td>1</td><td>3</td><td>0</td></tr>\n"
	"</tbody></table>\n"
	"<p class=\"note\">n: done runs (+: some still planned). Mean over the done runs of each point; "
		"&plusmn; half the 95 % confidence interval (Student's t, n - 1 degrees of freedom); CV: standard "
		"deviation / mean. n&lt;3: fewer than 3 runs, too few for the interval to mean anything. (0&dagger; "
		".. hi): the interval reached below zero, which a count, time, rate or size cannot; it is shown "
		"clipped at 0.</p>\n"
	"<h2 id=\"figures\">Figures</h2>\n"
	"<p>No figure: no metric has a value.</p>\n"
	"<h2 id=\"failed\">Failed runs</h2>\n"
	"<p>None.</p>\n"
	"<h2 id=\"manifest\">Manifest</h2>\n"
	"<p class=\"note\">What a re-run needs: the config and job files as run, the seeds, the host, its KVM "
		"capabilities, the builds.</p>\n"
	"<table class=\"kv\">\n"
	"</table>\n"
	"</body>\n"
	"</html>\n";

/* Both documents of r, figures from plots, against what they must be. */
static void docs_assert(const struct report *r, const char *plots, const char *want_md, const char *want_html)
{
	char path[64], err[256];
	snprintf(path, sizeof(path), "%s/report.md", dir);
	assert_int_equal(report_md_write(r, path, err, sizeof(err)), 0);
	text_assert(path, want_md);
	snprintf(path, sizeof(path), "%s/report.html", dir);
	assert_int_equal(report_html_write(r, path, plots, err, sizeof(err)), 0);
	text_assert(path, want_html);
}

static void test_full(void **state)
{
	char plots[64];
	struct report r = full_report();
	(void)state;
	snprintf(plots, sizeof(plots), "%s/plots", dir);
	docs_assert(&r, plots, want_md_full, want_html_full);
}

static void test_empty(void **state)
{
	struct report r = empty_report();
	(void)state;
	docs_assert(&r, "/nonexistent", want_md_empty, want_html_empty);
}

/* The text of the file at path, malloc'd. */
static char *file_read(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "rb"), *m = open_memstream(&text, &len);
	assert_non_null(f);
	assert_non_null(m);
	for (int c; (c = fgetc(f)) != EOF;)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return text;
}

static void has(const char *text, const char *phrase)
{
	if (!strstr(text, phrase))
		fail_msg("no \"%s\" in:\n%s", phrase, text);
}

/*
 * The marks: an interval clipped at 0, one of 2 runs (n<3), a tiny CV with its digits,
 * and a knob of words shown by its words (watermark_model 1 is 2.6.10, 2 is 4.6).
 */
static void test_marks(void **state)
{
	static int64_t wm[2][1] = { { 1 }, { 2 } };
	static char *wm_params[] = { "watermark_model" };
	static struct report_point wm_points[] = {
		{ .id = 0, .values = wm[0], .nr_done = 4 },
		{ .id = 1, .values = wm[1], .nr_done = 2 },
	};
	/* Point 0: mean 2, t interval -1 .. 5, clipped by stats_ci_clip; CV 4e-6. */
	static struct sample_stats st[] = {
		{ .n = 4, .mean = 2, .median = 2, .stddev = 0.000008, .cv = 0.000004, .ci95_lo = 0, .ci95_hi = 5,
		  .ci95_clipped = true, .min = 0, .max = 4 },
		{ .n = 2, .mean = 10, .median = 10, .stddev = 0.1, .cv = 0.01, .ci95_lo = 9.1, .ci95_hi = 10.9,
		  .min = 9.9, .max = 10.1 },
	};
	static struct report_metric m[] = { { .label = "allocstall", .source = "vmstat.allocstall", .scale = 1,
					      .nonnegative = true, .st = st } };
	struct report r = { .name = "marks", .params = wm_params, .nr_params = 1, .points = wm_points,
			    .nr_points = 2, .nr_runs = 6, .nr_done = 6, .metrics = m, .nr_metrics = 1,
			    .series_run = -1, .x = 0, .lines = -1 };
	char path[64], err[256];
	(void)state;
	snprintf(path, sizeof(path), "%s/report.md", dir);
	assert_int_equal(report_md_write(&r, path, err, sizeof(err)), 0);
	char *md = file_read(path);
	has(md, "| 0 | 2.6.10 | 4 | 0 | 2 (0† .. 5) | 0.00040 % |\n");
	has(md, "| 1 | 4.6 | 2 | 0 | 10 (n<3) | 1.0 % |\n");
	has(md, "| 0 | 2.6.10 | 4 | 2 | 2 | 8.000e-06 | 0.00040 % | 0† .. 5 | 0 | 4 |\n");
	has(md, "| 1 | 4.6 | 2 | 10 | 10 | 0.1 | 1.0 % | n<3 | 9.9 | 10.1 |\n");
	has(md, "(0† .. hi): the interval reached below zero");
	free(md);
	snprintf(path, sizeof(path), "%s/report.html", dir);
	assert_int_equal(report_html_write(&r, path, "/nonexistent", err, sizeof(err)), 0);
	char *html = file_read(path);
	has(html, "<tr><td>0</td><td>2.6.10</td><td>4</td><td>0</td><td>2 (0&dagger; .. 5)</td><td>0.00040 %</td></tr>");
	has(html, "<td>4.6</td><td>2</td><td>0</td><td>10 (n&lt;3)</td>");
	has(html, "<td>0&dagger; .. 5</td>");
	free(html);
	/* Every metric a run carries today is one that cannot be negative. */
	assert_true(report_metric_nonnegative("fio.job.write.iops"));
	assert_true(report_metric_nonnegative("wakeup_ns.p99"));
}

/* A sweep of old eras says which parts of them are today's kernel, in both documents. */
static void test_eras(void **state)
{
	struct report r = { .name = "eras", .params = params, .nr_params = 2, .points = points, .nr_points = 2,
			    .series_run = -1, .x = -1, .lines = -1 };
	char path[64], err[256];
	(void)state;
	r.eras_seen[1] = 1u << 0 | 1u << 2; /* kswapd_model 2.4 and 4.8 */
	r.eras_seen[2] = 1u << 1; /* reclaim_model 5.9 */
	snprintf(path, sizeof(path), "%s/report.md", dir);
	assert_int_equal(report_md_write(&r, path, err, sizeof(err)), 0);
	char *md = file_read(path);
	has(md, "## Memory-manager eras\n");
	has(md, "| kswapd_model | 2.4 | 2.4's kswapd: woken by an allocation below low");
	has(md, "| what it scans: the node's split anon/file LRU lists (4.8+), unmapping by reverse map");
	has(md, "| kswapd_model | 4.8 | 4.8 on: node-based balance_pgdat");
	has(md, "| reclaim_model | 5.9 | 5.9 on (6.1)");
	assert_null(strstr(md, "| watermark_model |"));
	free(md);
	snprintf(path, sizeof(path), "%s/report.html", dir);
	assert_int_equal(report_html_write(&r, path, "/nonexistent", err, sizeof(err)), 0);
	char *html = file_read(path);
	has(html, "<h2 id=\"eras\">Memory-manager eras</h2>");
	has(html, "<td>kswapd_model</td><td>2.4</td>");
	free(html);
	/* No era recorded (a sweep of Linux runs, or before #19): no section. */
	memset(r.eras_seen, 0, sizeof(r.eras_seen));
	snprintf(path, sizeof(path), "%s/report.md", dir);
	assert_int_equal(report_md_write(&r, path, err, sizeof(err)), 0);
	md = file_read(path);
	assert_null(strstr(md, "Memory-manager eras"));
	free(md);
}

static void test_cv_format(void **state)
{
	static const struct {
		double cv;
		const char *want;
	} cases[] = {
		{ 0.12, "12.0 %" },     { 0.01, "1.0 %" },	  { 0.00446, "0.45 %" }, { 0.0004, "0.040 %" },
		{ 0.000004, "0.00040 %" }, { 0, "0 %" },	  { -0.05, "-5.0 %" },   { 1e-13, "1.0e-11 %" },
		{ NAN, "-" },
	};
	char b[32];
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		report_cv_format(cases[i].cv, b, sizeof(b));
		if (strcmp(b, cases[i].want))
			fail_msg("CV %g: \"%s\", want \"%s\"", cases[i].cv, b, cases[i].want);
	}
}

/* A figure that cannot be read fails the report and leaves no file, whole or half. */
static void test_html_missing_figure(void **state)
{
	char path[64], err[256] = "";
	struct report r = full_report();
	(void)state;
	snprintf(path, sizeof(path), "%s/missing.html", dir);
	assert_int_equal(report_html_write(&r, path, "/nonexistent", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/wakeup_p99_us.png"));
	assert_int_equal(access(path, F_OK), -1);
	strcat(path, ".tmp");
	assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_html_missing_figure),
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_eras),
		cmocka_unit_test(test_cv_format),
	};
	return cmocka_run_group_tests(tests, dir_make, dir_remove);
}
