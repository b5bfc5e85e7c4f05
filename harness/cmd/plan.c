/* `vmsweep plan`: reads a sweep config and prints its plan, as a table or JSON. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "sweep/point_workload.h"
#include "sweep/plan_print.h"
#include "cmd/sweep_checks.h"


static void plan_usage(FILE *f)
{
	fprintf(f, "usage: vmsweep plan [--json] CONFIG\n"
		   "Reads a sweep config (configs/README.md) and prints its runs without running them:\n"
		   "one line per run in the order they would run (run, point, repetition, the guest's\n"
		   "seed, each parameter's value), then the counts: grid points, points filtered out\n"
		   "by the constraints, points left and runs.\n"
		   "\n"
		   "  --json      print the same as JSON on stdout\n"
		   "  -h, --help  this text\n"
		   "\n"
		   "Exit status: 0 printed, 1 host error, 2 bad option or config (the error names the\n"
		   "config's file and line).\n");
}

/* What the run would hit before its first boot, and how long it should take. */
static int plan_preflight(const struct sweep_config *c, const struct sweep_plan *p, struct sweep_estimate *est,
			  char *err, size_t errlen)
{
	struct vms_workload **wls = NULL;
	size_t *sizes = NULL;
	int r = sweep_workloads_compile(c, p, &wls, &sizes, err, errlen);
	if (!r)
		r = sweep_checks(c, p, c->jobs, (const void *const *)wls, "vmsweep plan: ", est, err, errlen);
	sweep_workloads_free(wls, sizes, p->nr_points);
	return r;
}

int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct sweep_config c;
	struct sweep_plan p;
	char err[1024];
	bool json = false;
	int opt, code = 0;

	optind = 0; /* getopt again from the start: main may have used it */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h') {
			plan_usage(stdout);
			return 0;
		}
		if (opt == 'j') {
			json = true;
			continue;
		}
		fprintf(stderr, "vmsweep plan: unknown option '%s' (see vmsweep plan --help)\n", argv[optind - 1]);
		return EXIT_USAGE;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vmsweep plan: %s (see vmsweep plan --help)\n",
			optind == argc ? "expected a config file" : "expected one config file");
		return EXIT_USAGE;
	}
	if (sweep_config_load(argv[optind], &c, err, sizeof(err))) {
		fprintf(stderr, "vmsweep plan: %s\n", err);
		sweep_config_free(&c);
		return EXIT_USAGE;
	}
	struct sweep_estimate est;
	if (sweep_plan(&c, &p, err, sizeof(err)) || plan_preflight(&c, &p, &est, err, sizeof(err))) {
		fprintf(stderr, "vmsweep plan: %s\n", err);
		code = EXIT_USAGE;
	} else if (json) {
		if (sweep_plan_print_json(stdout, &c, &p)) {
			fprintf(stderr, "vmsweep plan: out of memory\n");
			code = EXIT_HOST;
		}
	} else {
		char d[64];
		sweep_plan_print(stdout, &c, &p);
		printf("expected duration: %s%s at %u run%s at a time\n", est.lower_bound ? "at least " : "",
		       duration_format(est.seconds, d, sizeof(d)), c.jobs ? c.jobs : 1, c.jobs > 1 ? "s" : "");
	}
	sweep_plan_free(&p);
	sweep_config_free(&c);
	return code;
}
