/*
 * vmsweep history DIR... [--metric NAME]... [--out DIR2]: a metric's course over a series
 * of sweeps (harness/compare/history.c). Exit status: 0, 1 a host error (gnuplot, a file),
 * 2 bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "compare/compare.h"

#define METRICS_MAX 64

static void usage(FILE *f)
{
	fprintf(f, "usage: vmsweep history DIR DIR... [--metric NAME]... [--out DIR2]\n"
		   "A metric's course over a series of sweeps (nightly runs of one config, in the order\n"
		   "given): per metric a figure of each point's mean with its 95 %% band, sweep by sweep,\n"
		   "and in DIR2/history.md a table of the means and each point's drift per sweep (a\n"
		   "least-squares line through the means, relative to the first, with its 95 %% interval;\n"
		   "'drifts' when that excludes 0). Points are matched by their parameter values, as\n"
		   "`vmsweep compare` matches them. DIR2 is the last DIR by default.\n"
		   "  --metric NAME  as `vmsweep report --metric`; default: the first sweep's [report]\n"
		   "                 metrics, else the report's defaults\n"
		   "  --out DIR2     where history.md and the figures go\n");
}

int cmd_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "metric", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *metrics[METRICS_MAX], *dirs[COMPARE_SWEEPS_MAX], *out = NULL;
	size_t nr_metrics = 0, nr_dirs = 0;
	static struct compare c;
	char err[1024];
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			if (nr_metrics == METRICS_MAX) {
				fprintf(stderr, "vmsweep history: more than %d --metric\n", METRICS_MAX);
				return EXIT_USAGE;
			}
			metrics[nr_metrics++] = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "vmsweep history: %s needs a value\n", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "vmsweep history: unknown option '%s' (see vmsweep history --help)\n", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	for (; optind < argc; optind++) {
		if (nr_dirs == COMPARE_SWEEPS_MAX) {
			fprintf(stderr, "vmsweep history: at most %d sweeps\n", COMPARE_SWEEPS_MAX);
			return EXIT_USAGE;
		}
		dirs[nr_dirs++] = argv[optind];
	}
	if (nr_dirs < 2) {
		fprintf(stderr, "vmsweep history: a series of two sweeps at least (vmsweep history DIR DIR...)\n");
		return EXIT_USAGE;
	}
	memset(&c, 0, sizeof(c));
	rc = compare_load(&c, dirs, nr_dirs, metrics, nr_metrics, err, sizeof(err));
	if (!rc)
		rc = history_write(&c, out ? out : dirs[nr_dirs - 1], err, sizeof(err));
	if (rc)
		fprintf(stderr, "vmsweep history: %s\n", err);
	else
		printf("%s/history.md\n", out ? out : dirs[nr_dirs - 1]);
	compare_free(&c);
	return rc == 2 ? EXIT_USAGE : rc ? EXIT_HOST : 0;
}
