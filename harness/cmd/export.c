/*
 * vmsweep export DIR [--format csv|json] [--where EXPR] [--metrics LIST]: one row per
 * run with its parameters, its own columns (seed, wall time, cause, ...) and its
 * metrics, on stdout (store/export.h). Exit status: 0, 1 (no store, a host error),
 * 2 (bad usage: an option, an expression or a name the sweep does not have).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "store/export.h"
#include "store/store.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmsweep export DIR [--format csv|json] [--where EXPR] [--metrics LIST]\n"
		"       vmsweep export --list-metrics\n"
		"Writes the runs of the sweep in DIR to stdout, one row each: run, point, rep, status,\n"
		"the point's parameters (knobs of words as their words: watermark_model=2.6), then the\n"
		"value columns: seed (unsigned 64-bit; a string in JSON), wall_ms, started and ended\n"
		"(Unix seconds), exit_status, cause (why a failed run failed), and every metric.\n"
		"\n"
		"  --format csv|json  CSV with a header (the default), or a JSON array of objects\n"
		"  --where EXPR       only the runs for which EXPR holds: comparisons NAME OP VALUE\n"
		"                     (OP: == != < <= > >=) joined with && || ! and parentheses, on\n"
		"                     parameters, run, point, rep, status, seed, wall_ms, started,\n"
		"                     ended, exit_status, cause (a pattern) and metrics, e.g.\n"
		"                     'dirty_ratio >= 20 && status == done', 'cause == \"timeout*\"'\n"
		"  --metrics LIST     only these value columns, in this order: comma-separated names\n"
		"                     or fnmatch patterns, e.g. 'fio.*.write.iops,wall_ms'\n"
		"  --list-metrics     the metrics a run can carry and what they mean ('*': a job's,\n"
		"                     disk's or zone's name, or a vmstat counter's)\n"
		"A value a run does not have is an empty CSV cell and a key left out in JSON; a\n"
		"comparison with it is false. Unknown names and patterns that match nothing are errors.\n");
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "where", required_argument, NULL, 'w' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "list-metrics", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct export_options o = { .format = "csv" };
	const char *dir = NULL;
	char err[2048];
	struct store *s;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.format = optarg;
			break;
		case 'w':
			o.where = optarg;
			break;
		case 'm':
			o.metrics = optarg;
			break;
		case 'L':
			metric_docs_print(stdout);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "vmsweep export: %s needs a value\n", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "vmsweep export: unknown option '%s' (see vmsweep export --help)\n",
				argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		dir = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "vmsweep export: unexpected argument '%s' (see vmsweep export --help)\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (strcmp(o.format, "csv") && strcmp(o.format, "json")) {
		fprintf(stderr, "vmsweep export: --format %s: expected csv or json\n", o.format);
		return EXIT_USAGE;
	}
	if (!dir) {
		fprintf(stderr, "vmsweep export: which sweep directory? (vmsweep export DIR)\n");
		return EXIT_USAGE;
	}
	if (store_open(dir, false, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsweep export: %s\n", err);
		return EXIT_HOST;
	}
	int r = store_export_select(s, &o, stdout, err, sizeof(err));
	if (r)
		fprintf(stderr, "vmsweep export: %s\n", err);
	store_close(s);
	return r == EXPORT_BAD_OPTION ? EXIT_USAGE : r ? EXIT_HOST : 0;
}
