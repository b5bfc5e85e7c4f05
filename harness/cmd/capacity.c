/*
 * vmsweep capacity CONFIG --slo 'METRIC < VALUE [and ...]' --load NAME=LIGHT..HEAVY:
 * for every point of the config's [params], the largest load that meets the SLO, by a
 * bisection whose probes are runs of the sweep (capacity/search.h, capacity/slo.h),
 * stored in DIR/results.sqlite as a sweep's are (store/capacity.h), so that `vmsweep
 * report DIR` shows them with a Capacity section.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capacity/capacity.h"
#include "cmd/cmd.h"
#include "sweep/noise.h"
#include "sweep/plan_print.h"
#include "sweep/run_disks.h"
#include "util/dir_lock.h"
#include "util/error.h"
#include "util/results_dir.h"

#define DEFAULT_RESOLUTION 0.05
#define DEFAULT_RUNS 3
#define DEFAULT_MAX_RUNS 9
#define DEFAULT_ACHIEVED 0.95

static void usage(FILE *f)
{
	fprintf(f, "usage: vmsweep capacity CONFIG --slo 'METRIC < VALUE [and METRIC > VALUE ...]'\n"
		   "                        --load NAME=LIGHT..HEAVY [--resolution R] [--confidence C]\n"
		   "                        [--runs N] [--max-runs M] [--jobs N] [--out DIR]\n"
		   "For every point of CONFIG's [params], the largest load NAME that meets the SLO, found\n"
		   "by bisection: each probe is a point of the sweep at a load the search chose, run\n"
		   "--runs times, and passes when every condition holds with the stated confidence (a\n"
		   "one-sided t bound on the mean of the per-run metric over the probe's runs; with k\n"
		   "conditions each at 1 - (1 - C) / k). An inconclusive probe gets 2 more runs, up to\n"
		   "--max-runs, and then counts as failing. A load that passes is assumed to pass at\n"
		   "every smaller load (monotonicity). The answer is the largest passing load L and the\n"
		   "smallest failing load F, F within the resolution of L.\n"
		   "  --slo TEXT        conditions joined by 'and'; a metric as the store names it\n"
		   "                    (`vmsweep export --list-metrics`), fio's without 'fio.<job>.'\n"
		   "                    when the job is the only one (write.clat_p99_ns; write.clat_ns.p99\n"
		   "                    says the same); values with units: ns us ms s, k M G, Ki Mi Gi, %%\n"
		   "  --load NAME=A..B  an fio option a sweep varies (rate_iops, rate, thinktime) or a\n"
		   "                    guest knob, from the lightest load A to the heaviest B\n"
		   "                    (thinktime=10ms..100us: B < A, searched down)\n"
		   "  --resolution R    a share of the answer (5%%, the default) or a step in the\n"
		   "                    load's unit (100)\n"
		   "  --confidence C    of the SLO at a passing load (default 95%%)\n"
		   "  --achieved A      a rate load (rate_iops, rate) passes only where every fio job\n"
		   "                    direction reached A of it (iops, bw_bytes; default %.0f%%, 0: not\n"
		   "                    asked): a throttled writer meets a latency SLO by doing less\n"
		   "  --runs N          runs of each probe first (default %d); --max-runs M (default %d)\n"
		   "  --jobs N          runs at a time (default: [sweep] jobs)\n"
		   "  --out DIR         the store (default results/NAME-capacity-DATE-TIME); the same\n"
		   "                    command again into DIR goes on where it stopped\n"
		   "The probes are stored as a sweep's points and runs, the answers and their evidence\n"
		   "beside them (tables capacity*); `vmsweep report DIR` shows them.\n"
		   "Exit status: 0 every search ended, 1 host error, 2 bad option or config, 130\n"
		   "interrupted.\n",
		   100 * DEFAULT_ACHIEVED, DEFAULT_RUNS, DEFAULT_MAX_RUNS);
}

static int fraction_parse(const char *opt, const char *text, double *v, char *err, size_t errlen)
{
	char *end;
	*v = strtod(text, &end);
	if (end == text || (*end && strcmp(end, "%")) || !isfinite(*v))
		return errorf(err, errlen, "%s %s: expected a percentage such as 95%%", opt, text);
	if (*end == '%' || *v > 1)
		*v /= 100;
	return 0;
}

static int unsigned_parse(const char *opt, const char *text, unsigned min, unsigned max, unsigned *v, char *err,
			  size_t errlen)
{
	char *end;
	long x = strtol(text, &end, 10);
	if (end == text || *end || x < (long)min || x > (long)max)
		return errorf(err, errlen, "%s %s: expected %u..%u", opt, text, min, max);
	*v = (unsigned)x;
	return 0;
}

struct args {
	const char *config, *slo, *load, *resolution, *out;
	double confidence, achieved;
	unsigned runs, max_runs, jobs;
};

/* 1: --help, 0: go on, -1: err */
static int args_parse(int argc, char **argv, struct args *a, char *err, size_t errlen)
{
	static const struct option opts[] = {
		{ "slo", required_argument, NULL, 's' },	{ "load", required_argument, NULL, 'l' },
		{ "resolution", required_argument, NULL, 'r' }, { "confidence", required_argument, NULL, 'c' },
		{ "runs", required_argument, NULL, 'n' },	{ "max-runs", required_argument, NULL, 'm' },
		{ "jobs", required_argument, NULL, 'j' },	{ "out", required_argument, NULL, 'o' },
		{ "achieved", required_argument, NULL, 'a' },	{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	*a = (struct args){ .confidence = 0.95, .achieved = DEFAULT_ACHIEVED, .runs = DEFAULT_RUNS, .max_runs = DEFAULT_MAX_RUNS };
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': a->slo = optarg; break;
		case 'l': a->load = optarg; break;
		case 'r': a->resolution = optarg; break;
		case 'o': a->out = optarg; break;
		case 'c':
			if (fraction_parse("--confidence", optarg, &a->confidence, err, errlen))
				return -1;
			if (a->confidence < 0.5 || a->confidence >= 1)
				return errorf(err, errlen, "--confidence %s: expected 50%%..99.99%%", optarg);
			break;
		case 'a':
			if (fraction_parse("--achieved", optarg, &a->achieved, err, errlen))
				return -1;
			if (a->achieved < 0 || a->achieved > 1)
				return errorf(err, errlen, "--achieved %s: expected 0%%..100%% (0: not asked)", optarg);
			break;
		case 'n':
			if (unsigned_parse("--runs", optarg, 2, 1000, &a->runs, err, errlen))
				return -1;
			break;
		case 'm':
			if (unsigned_parse("--max-runs", optarg, 2, 1000, &a->max_runs, err, errlen))
				return -1;
			break;
		case 'j':
			if (unsigned_parse("--jobs", optarg, 1, 64, &a->jobs, err, errlen))
				return -1;
			break;
		case 'h': return 1;
		default:
			return errorf(err, errlen, "%s: unknown option or missing value (vmsweep capacity --help)",
				      argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return errorf(err, errlen, argc - optind ? "one CONFIG, not %d" : "no CONFIG given%.0d", argc - optind);
	a->config = argv[optind];
	if (!a->slo)
		return errorf(err, errlen, "--slo is missing: e.g. --slo 'write.clat_p99_ns < 10ms'");
	if (!a->load)
		return errorf(err, errlen, "--load is missing: e.g. --load rate_iops=100..20000");
	if (a->max_runs < a->runs)
		return errorf(err, errlen, "--max-runs %u is below --runs %u", a->max_runs, a->runs);
	return 0;
}

/* --resolution: "5%" relative, else a step in the load's unit. */
static int resolution_parse(struct capacity *c, const char *text, char *err, size_t errlen)
{
	c->range = (struct capacity_range){ .min = c->load.min, .max = c->load.max };
	if (!text || strchr(text, '%')) {
		double r = DEFAULT_RESOLUTION;
		if (text && fraction_parse("--resolution", text, &r, err, errlen))
			return -1;
		if (r <= 0 || r > 1)
			return errorf(err, errlen, "--resolution %s: expected above 0 %% and at most 100 %%", text);
		c->range.rel = r;
		snprintf(c->resolution_text, sizeof(c->resolution_text), "%g%%", 100 * r);
		return 0;
	}
	if (load_step_parse(&c->load, text, &c->range.step, err, errlen))
		return -1;
	snprintf(c->resolution_text, sizeof(c->resolution_text), "%lld", (long long)c->range.step);
	return 0;
}

/* The answers, one line per base: the bracket L..F. */
static void answers_print(const struct capacity *c)
{
	char a[64], b[64], label[512];
	printf("capacity: the %s %s that meets %s (%s, resolution %s)\n", c->load.reversed ? "smallest" : "largest",
	       c->load.name, c->slo_text,
	       c->load.reversed ? "searched down" : "searched up", c->resolution_text);
	printf("%-40s %16s %16s %7s  %s\n", "point", c->load.reversed ? "smallest passing" : "largest passing",
	       c->load.reversed ? "largest failing" : "smallest failing", "probes", "status");
	for (size_t i = 0; i < c->base.nr_points; i++) {
		bool hp, hf;
		int64_t p, f;
		enum capacity_status st;
		capacity_answer(c, i, &hp, &p, &hf, &f, &st);
		capacity_base_label(c, i, label, sizeof(label));
		printf("%-40s %16s %16s %7zu  %s%s\n", label, hp ? load_value_format(&c->cfg, p, a, sizeof(a)) : "-",
		       hf ? load_value_format(&c->cfg, f, b, sizeof(b)) : "-", c->bases[i].search.nr_probes,
		       capacity_status_name(st), c->bases[i].search.nonmonotone ? " (not monotone: see the report)" : "");
	}
}

int cmd_capacity(int argc, char **argv)
{
	struct args a;
	struct capacity c;
	char err[2600], dir[4096];
	int rc = EXIT_USAGE, lock = -1;
	bool usage_error = false;

	memset(&c, 0, sizeof(c));
	int pr = args_parse(argc, argv, &a, err, sizeof(err));
	if (pr > 0) {
		usage(stdout);
		return 0;
	}
	if (pr < 0) {
		fprintf(stderr, "vmsweep capacity: %s\n", err);
		return EXIT_USAGE;
	}
	c.confidence = a.confidence;
	c.achieved = a.achieved;
	c.runs = a.runs;
	c.max_runs = a.max_runs;
	if (slo_parse(a.slo, &c.slo, err, sizeof(err)) || load_spec_parse(a.load, &c.load, err, sizeof(err)) ||
	    sweep_config_load(a.config, &c.cfg, err, sizeof(err)) || sweep_plan(&c.cfg, &c.base, err, sizeof(err)) ||
	    load_param_append(&c.cfg, &c.load, err, sizeof(err)) || resolution_parse(&c, a.resolution, err, sizeof(err)))
		goto fail;
	/* the search repeats each probe itself: a config's repeat = auto has no say here */
	c.cfg.auto_repeat.on = false;
	slo_format(&c.slo, c.slo_text, sizeof(c.slo_text));
	c.jobs = a.jobs ? a.jobs : c.cfg.jobs ? c.cfg.jobs : 1;
	if (!(c.bases = calloc(c.base.nr_points + 1, sizeof(*c.bases)))) {
		snprintf(err, sizeof(err), "out of memory");
		rc = EXIT_HOST;
		goto fail;
	}
	rc = EXIT_HOST;
	char name[SWEEP_NAME_MAX + 16];
	snprintf(name, sizeof(name), "%s-capacity", c.cfg.name);
	if (results_dir_make(a.out, name, dir, sizeof(dir), err, sizeof(err)))
		goto fail;
	c.dir = dir;
	char holder[512];
	snprintf(holder, sizeof(holder), "vmsweep capacity %s", a.config);
	if ((lock = dir_lock_take(dir, holder, err, sizeof(err))) < 0)
		goto fail;
	if (sweep_disks_prepare(c.cfg.disks, c.cfg.nr_disks, err, sizeof(err)))
		goto fail;
	noise_baseline_take(&c.noise_base);
	fprintf(stderr, "vmsweep capacity: %zu point%s, %s from %lld to %lld, SLO %s -> %s\n", c.base.nr_points,
		c.base.nr_points == 1 ? "" : "s", c.load.name, (long long)c.load.light, (long long)c.load.heavy,
		c.slo_text, dir);
	int r = capacity_rounds_run(&c, &usage_error, err, sizeof(err));
	if (r < 0) {
		rc = usage_error ? EXIT_USAGE : EXIT_HOST;
		goto fail;
	}
	if (r == EXIT_INTERRUPTED) {
		fprintf(stderr, "vmsweep capacity: interrupted; the same command with --out %s goes on\n", dir);
		rc = EXIT_INTERRUPTED;
		goto out;
	}
	answers_print(&c);
	printf("%s\n", dir);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "vmsweep capacity: %s\n", err);
out:
	dir_lock_release(lock);
	free(c.bases);
	free(c.probes);
	sweep_plan_free(&c.base);
	sweep_config_free(&c.cfg);
	return rc;
}
