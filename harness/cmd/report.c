/*
 * vmsweep report DIR [--out DIR2] [--metric NAME]... [--x PARAM] [--lines PARAM]:
 * reads the sweep's store, computes each point's statistics, draws the figures with
 * gnuplot into DIR2/plots/, writes DIR2/report.html and report.md (DIR2 defaults to
 * DIR) and prints the path of report.html. The metrics and axes not given come from
 * the [report] section of the config stored in the manifest, else from what the store
 * holds. Exit status: 0, 1 (no store, a host error, gnuplot failed), 2 (bad usage, a
 * metric or parameter the sweep does not have).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "report/report.h"
#include "store/store.h"
#include "util/error.h"
#include "util/suggest.h"

#define METRICS_MAX 64

struct report_args {
	const char *dir, *out, *x, *lines;
	const char *metrics[METRICS_MAX];
	size_t nr_metrics;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vmsweep report DIR [--out DIR2] [--metric NAME]... [--x PARAM] [--lines PARAM]\n"
		   "Statistics of each point of the sweep in DIR over its repetitions (mean, median,\n"
		   "stddev, CV, 95%% confidence interval; latency percentiles from the merged\n"
		   "histograms), gnuplot figures (SVG and PNG) in DIR2/plots/, and DIR2/report.html\n"
		   "(self-contained) and report.md. Prints the path of report.html. DIR2 is DIR by default.\n"
		   "A point of fewer than 3 runs shows n<3 for its interval; an interval that reaches below\n"
		   "0, which no metric can, is clipped at 0 and marked with a dagger. Knobs of words show\n"
		   "their words (watermark_model 2.6, not 1).\n"
		   "\n"
		   "  --out DIR2     where report.html, report.md and plots/ go\n"
		   "  --metric NAME  a metric to tabulate and draw against x; repeatable. A store name\n"
		   "                 (wakeup_ns.p99, fio.JOB.write.iops; `vmsweep export DIR` lists them)\n"
		   "                 or its last words with a unit: wakeup_p99_us, write_iops, work_loops\n"
		   "  --x PARAM      the parameter on the x axis\n"
		   "  --lines PARAM  one line per value of this parameter (none: no such split)\n"
		   "Defaults: the [report] section of the sweep's config; else wakeup_ns.p99,\n"
		   "boot_us.done and fio's IOPS and p99 latencies, x the first parameter, lines the second.\n"
		   "A sweep of both backends (backend = kvm, libvirt) draws libvirt's lines dashed beside\n"
		   "kvm's in every figure (backend is the default x or lines only when nothing else is),\n"
		   "and adds a model / Linux table: per metric the ratios of the medians of the points\n"
		   "that ran on both.\n");
}

/* 1 when it printed the help, -1 on bad usage. */
static int args_parse(int argc, char **argv, struct report_args *a)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "metric", required_argument, NULL, 'm' },
		{ "x", required_argument, NULL, 'x' },
		{ "lines", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	memset(a, 0, sizeof(*a));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->out = optarg;
			break;
		case 'x':
			a->x = optarg;
			break;
		case 'l':
			a->lines = optarg;
			break;
		case 'm':
			if (a->nr_metrics == METRICS_MAX) {
				fprintf(stderr, "vmsweep report: more than %d --metric\n", METRICS_MAX);
				return -1;
			}
			a->metrics[a->nr_metrics++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "vmsweep report: %s needs a value\n", argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "vmsweep report: unknown option '%s' (see vmsweep report --help)\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc)
		a->dir = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "vmsweep report: unexpected argument '%s' (see vmsweep report --help)\n", argv[optind]);
		return -1;
	}
	if (!a->dir) {
		fprintf(stderr, "vmsweep report: which sweep directory? (vmsweep report DIR)\n");
		return -1;
	}
	return 0;
}

/* Index of a parameter given on the command line, or -1 with the message printed. */
static int param_arg(const struct report *r, const char *opt, const char *name)
{
	int k = report_param_find(r, name);
	if (k >= 0)
		return k;
	const char *hint = name_suggest(name, (const char *const *)r->params, r->nr_params);
	fprintf(stderr, "vmsweep report: %s %s: not a parameter of this sweep", opt, name);
	if (hint)
		fprintf(stderr, " (did you mean '%s'?)", hint);
	if (!r->nr_params)
		fprintf(stderr, "; it sweeps no parameter\n");
	else {
		fprintf(stderr, "; swept:");
		for (size_t i = 0; i < r->nr_params; i++)
			fprintf(stderr, "%s %s", i ? "," : "", r->params[i]);
		fputc('\n', stderr);
	}
	return -1;
}

static int metrics_choose(struct report *r, const struct report_args *a, char *err, size_t errlen)
{
	bool matched;
	for (size_t i = 0; i < a->nr_metrics; i++) {
		if (report_metric_add(r, a->metrics[i], &matched, err, errlen))
			return -1;
		if (!matched) {
			report_metric_missing(r, a->metrics[i], err, errlen);
			return EXIT_USAGE;
		}
	}
	/* The config's names were not checked against a store when it ran: one missing
	 * (a job that never wrote) costs its column, not the report. */
	for (size_t i = 0; !a->nr_metrics && i < r->nr_cfg_metrics; i++) {
		if (report_metric_add(r, r->cfg_metrics[i], &matched, err, errlen))
			return -1;
		if (!matched) {
			report_metric_missing(r, r->cfg_metrics[i], err, errlen);
			fprintf(stderr, "vmsweep report: warning: [report] metrics: %s\n", err);
		}
	}
	return r->nr_metrics ? 0 : report_metrics_default(r, err, errlen);
}

/* The first parameter that is not skip, nor -- while another is left -- the backend: the
 * figures draw libvirt's lines dashed beside kvm's anyway (report_plot.c), and an x axis
 * of two backends would draw no curve at all. -1 when none. */
static int axis_default(const struct report *r, int skip)
{
	int backend = report_param_find(r, "backend"), fallback = -1;
	for (size_t k = 0; k < r->nr_params; k++) {
		if ((int)k == skip)
			continue;
		if ((int)k != backend)
			return (int)k;
		fallback = (int)k;
	}
	return fallback;
}

static int axes_choose(struct report *r, const struct report_args *a)
{
	r->x = axis_default(r, -1);
	if (a->x && (r->x = param_arg(r, "--x", a->x)) < 0)
		return EXIT_USAGE;
	if (!a->x && r->cfg_x && report_param_find(r, r->cfg_x) >= 0)
		r->x = report_param_find(r, r->cfg_x);
	if (a->lines && !strcmp(a->lines, "none"))
		return 0;
	if (a->lines) {
		if ((r->lines = param_arg(r, "--lines", a->lines)) < 0)
			return EXIT_USAGE;
		if (r->lines == r->x) {
			fprintf(stderr, "vmsweep report: --lines %s is also the x axis: choose another (or none)\n",
				a->lines);
			return EXIT_USAGE;
		}
		return 0;
	}
	int cfg = r->cfg_lines ? report_param_find(r, r->cfg_lines) : -1;
	r->lines = cfg >= 0 && cfg != r->x ? cfg : axis_default(r, r->x);
	return 0;
}

static int report_make(struct report *r, const struct report_args *a, char *err, size_t errlen)
{
	const char *out = a->out ? a->out : a->dir;
	char plots[4096], html[4096], md[4096];
	if ((size_t)snprintf(plots, sizeof(plots), "%s/plots", out) >= sizeof(plots) ||
	    (size_t)snprintf(html, sizeof(html), "%s/report.html", out) >= sizeof(html) ||
	    (size_t)snprintf(md, sizeof(md), "%s/report.md", out) >= sizeof(md))
		return errorf(err, errlen, "%s: path too long", out);
	if (mkdir(out, 0777) && errno != EEXIST)
		return errorf(err, errlen, "%s: %s", out, strerror(errno));
	if (report_metrics_compute(r, err, errlen) || report_plots_make(r, plots, err, errlen) ||
	    report_html_write(r, html, plots, err, errlen) || report_md_write(r, md, err, errlen))
		return -1;
	printf("%s\n", html);
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a;
	struct report r;
	struct store *s;
	char err[2048] = "";
	int rc = args_parse(argc, argv, &a);
	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	/* gnuplot exiting early must fail the figure, not kill the report on a write. */
	signal(SIGPIPE, SIG_IGN);
	if (store_open(a.dir, false, &s, err, sizeof(err))) {
		fprintf(stderr, "vmsweep report: %s\n", err);
		return 1;
	}
	rc = report_load(&r, s, a.dir, err, sizeof(err)) ? 1 : 0;
	if (!rc && (rc = metrics_choose(&r, &a, err, sizeof(err))) < 0)
		rc = 1;
	if (!rc) {
		err[0] = '\0'; /* the warnings' */
		rc = axes_choose(&r, &a);
	}
	if (!rc && report_make(&r, &a, err, sizeof(err)))
		rc = 1;
	if (rc && *err)
		fprintf(stderr, "vmsweep report: %s\n", err);
	report_free(&r);
	store_close(s);
	return rc;
}
