/*
 * vmsweep compare BASE NEW [NEW2 ...]: what changed between sweeps (harness/compare/).
 * Exit status: 0 when nothing got worse, 1 when something did, 2 on an error (bad usage,
 * a directory without a store), so that cron and CI can act on it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "compare/compare.h"
#include "util/error.h"

#define COMPARE_EXIT_WORSE 1
#define COMPARE_EXIT_ERROR 2
#define METRICS_MAX 64

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmsweep compare BASE NEW [NEW2 ...] [--metric NAME]... [--threshold 5%%] [--alpha 0.05]\n"
		"                       [--test auto|mwu|welch] [--format text|md|html|json] [--out FILE]\n"
		"Compares sweeps point by point (points of equal parameter values; the base's points in\n"
		"its report's order): for each metric the medians of each point's done runs, the change\n"
		"of the median relative to the base's with the Hodges-Lehmann interval, a two-sample\n"
		"test with Holm's correction over every comparison, and a verdict: worse, better, changed\n"
		"(a metric with no better direction), no change, inconclusive or missing. The manifests'\n"
		"differences (builds, host, kernel, config) come first. More than one NEW: one column\n"
		"group per sweep, each against BASE.\n"
		"\n"
		"  --metric NAME     a metric to compare (as `vmsweep report --metric`); repeatable.\n"
		"                    Default: BASE's [report] metrics, else the report's defaults\n"
		"  --threshold X     the smallest change that counts, of the base median (5%%, or 0.05)\n"
		"  --alpha A         significance level after Holm's correction (0.05)\n"
		"  --test T          auto (Mann-Whitney U where its smallest p, corrected, can be significant:\n"
		"                    5 runs a side for a few comparisons; else Welch's t), mwu or welch\n"
		"  --format F        text (default), md, html or json\n"
		"  --out FILE        write there instead of standard output\n"
		"Exit status: 0 nothing got worse, 1 something did, 2 an error.\n");
}

struct compare_args {
	const char *dirs[COMPARE_SWEEPS_MAX + 1];
	size_t nr_dirs;
	const char *metrics[METRICS_MAX];
	size_t nr_metrics;
	const char *format, *out;
	struct compare_options opt;
};

/* "5%", "5 %", "0.05": a fraction in (0, 1). */
static int fraction_parse(const char *opt, const char *v, bool percent_ok, double *out)
{
	char *end;
	double x = strtod(v, &end);
	while (*end == ' ')
		end++;
	if (percent_ok && *end == '%') {
		x /= 100;
		end++;
	}
	if (end == v || *end || !(x > 0 && x < 1)) {
		fprintf(stderr, "vmsweep compare: %s %s: expected a fraction between 0 and 1%s\n", opt, v,
			percent_ok ? " (0.05) or a percentage (5%)" : " (0.05)");
		return -1;
	}
	*out = x;
	return 0;
}

static int args_parse(int argc, char **argv, struct compare_args *a)
{
	static const struct option opts[] = {
		{ "metric", required_argument, NULL, 'm' }, { "threshold", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },  { "test", required_argument, NULL, 'T' },
		{ "format", required_argument, NULL, 'f' }, { "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },	    { NULL, 0, NULL, 0 },
	};
	int c;
	memset(a, 0, sizeof(*a));
	a->format = "text";
	a->opt = (struct compare_options){ .threshold = 0.05, .alpha = 0.05, .conf = 0.95, .test = COMPARE_TEST_AUTO };
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (a->nr_metrics == METRICS_MAX) {
				fprintf(stderr, "vmsweep compare: more than %d --metric\n", METRICS_MAX);
				return -1;
			}
			a->metrics[a->nr_metrics++] = optarg;
			break;
		case 't':
			if (fraction_parse("--threshold", optarg, true, &a->opt.threshold))
				return -1;
			break;
		case 'a':
			if (fraction_parse("--alpha", optarg, false, &a->opt.alpha))
				return -1;
			break;
		case 'T':
			if (!strcmp(optarg, "auto"))
				a->opt.test = COMPARE_TEST_AUTO;
			else if (!strcmp(optarg, "mwu"))
				a->opt.test = COMPARE_TEST_MWU;
			else if (!strcmp(optarg, "welch"))
				a->opt.test = COMPARE_TEST_WELCH;
			else {
				fprintf(stderr, "vmsweep compare: --test %s: expected auto, mwu or welch\n", optarg);
				return -1;
			}
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "md") && strcmp(optarg, "html") && strcmp(optarg, "json")) {
				fprintf(stderr, "vmsweep compare: --format %s: expected text, md, html or json\n", optarg);
				return -1;
			}
			a->format = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "vmsweep compare: %s needs a value\n", argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "vmsweep compare: unknown option '%s' (see vmsweep compare --help)\n",
				argv[optind - 1]);
			return -1;
		}
	}
	for (; optind < argc; optind++) {
		if (a->nr_dirs == COMPARE_SWEEPS_MAX) {
			fprintf(stderr, "vmsweep compare: at most %d sweeps\n", COMPARE_SWEEPS_MAX);
			return -1;
		}
		a->dirs[a->nr_dirs++] = argv[optind];
	}
	if (a->nr_dirs < 2) {
		fprintf(stderr, "vmsweep compare: which sweeps? (vmsweep compare BASE NEW)\n");
		return -1;
	}
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_args a;
	static struct compare c; /* large: the sweeps' reports */
	char err[1024];
	int rc = args_parse(argc, argv, &a);
	if (rc)
		return rc > 0 ? 0 : COMPARE_EXIT_ERROR;
	memset(&c, 0, sizeof(c));
	c.opt = a.opt;
	rc = compare_load(&c, a.dirs, a.nr_dirs, a.metrics, a.nr_metrics, err, sizeof(err));
	if (!rc)
		rc = compare_compute(&c, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "vmsweep compare: %s\n", err);
		compare_free(&c);
		return COMPARE_EXIT_ERROR;
	}
	FILE *f = a.out ? fopen(a.out, "w") : stdout;
	if (!f) {
		fprintf(stderr, "vmsweep compare: %s: cannot write it\n", a.out);
		compare_free(&c);
		return COMPARE_EXIT_ERROR;
	}
	rc = !strcmp(a.format, "json") ? compare_json_write(f, &c) : compare_write(f, &c, a.format);
	if ((a.out && fclose(f)) || rc) {
		fprintf(stderr, "vmsweep compare: %s: writing failed\n", a.out ? a.out : "standard output");
		compare_free(&c);
		return COMPARE_EXIT_ERROR;
	}
	rc = c.nr_verdict[VERDICT_WORSE] ? COMPARE_EXIT_WORSE : 0;
	compare_free(&c);
	return rc;
}
