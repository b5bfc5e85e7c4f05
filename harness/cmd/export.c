/* vmsweep export DIR [--format csv|json]: one row per run with its parameters and metrics, on stdout. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "store/store.h"

int cmd_export(int argc, char **argv)
{
	const char *dir = NULL, *format = "csv";
	char err[1024];
	struct store *s;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			format = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: vmsweep export DIR [--format csv|json]\n"
			       "       vmsweep export --list-metrics\n"
			       "Writes every run of the sweep in DIR (its point's parameters, status and metrics) to stdout.\n"
			       "--list-metrics lists the metrics a run can carry and what they mean ('*': a job's,\n"
			       "disk's or zone's name, or a vmstat counter's).\n");
			return 0;
		} else if (!strcmp(argv[i], "--list-metrics")) {
			metric_docs_print(stdout);
			return 0;
		} else if (!dir && argv[i][0] != '-')
			dir = argv[i];
		else {
			fprintf(stderr, "vmsweep export: unexpected argument '%s' (see vmsweep export --help)\n", argv[i]);
			return 2;
		}
	}
	if (!dir || (strcmp(format, "csv") && strcmp(format, "json"))) {
		fprintf(stderr, "vmsweep export: %s\n", dir ? "--format: expected csv or json" : "which sweep directory?");
		return 2;
	}
	if (store_open(dir, false, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsweep export: %s\n", err);
		return 1;
	}
	int r = store_export(s, format, stdout, err, sizeof(err));
	if (r != 0)
		fprintf(stderr, "vmsweep export: %s\n", err);
	store_close(s);
	return r ? 1 : 0;
}
