/*
 * vmsweep submit CONFIG --slurm [...] | --resume DIR: a sweep on a cluster's Slurm, as
 * a job array whose tasks each run a shard of the plan (`vmsweep run --shard I/N`) into
 * their own store under DIR, and a report job after them (afterok) that merges the
 * shards and writes the report. The plan is written into DIR first (DIR/results.sqlite,
 * as `vmsweep run` would), with each shard's runs in the manifest (shard.<I>.runs), so
 * that `vmsweep status` knows what each shard owes and --resume resubmits only the
 * shards that still owe runs (a cancelled or failed task, a node that died).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/run.h"
#include "cmd/shard_dirs.h"
#include "cmd/slurm.h"
#include "cmd/submit.h"
#include "cmd/sweep_checks.h"
#include "sweep/shard.h"
#include "util/dir_lock.h"
#include "util/error.h"
#include "util/id_ranges.h"
#include "util/results_dir.h"
#include "vmm/vm.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmsweep submit CONFIG --slurm [--shards N] [--partition P] [--nodes-per-task K]\n"
		"                      [--max-parallel M] [--jobs J] [--cpus-per-task C] [--time T]\n"
		"                      [--sbatch-arg ARG]... [--out DIR] [--dry-run]\n"
		"       vmsweep submit --resume DIR [--dry-run]\n"
		"Runs the sweep CONFIG on a Slurm cluster: writes the plan into DIR (default\n"
		"results/NAME-DATE-TIME, which every node must see at the same path, as the config,\n"
		"its job files and this vmsweep), then a job array (DIR/%s/sweep.sbatch) whose task\n"
		"T runs shard T of the plan (vmsweep run --shard T/N) into DIR/%s/T, and a report\n"
		"job (DIR/%s/report.sbatch) that, once every task succeeded, merges the shards into\n"
		"DIR/results.sqlite and writes the report. Each task first checks that its node has\n"
		"KVM and idle CPUs. Follow with vmsweep status DIR.\n"
		"  --shards N          shards (default: about an hour of runs each, at most the runs)\n"
		"  --nodes-per-task K  nodes per array task, one shard on each (N/K tasks)\n"
		"  --max-parallel M    array tasks running at once (sbatch --array=...%%M)\n"
		"  --jobs J            runs at a time in each shard (default: [sweep] jobs, else 1)\n"
		"  --cpus-per-task C   CPUs each shard asks for (default: J x the largest vcpus)\n"
		"  --partition P, --time T   as sbatch's; --sbatch-arg ARG: any other, e.g. --exclusive\n"
		"  --dry-run           write the plan and scripts, print the array's script, submit\n"
		"                      nothing\n"
		"  --resume DIR        resubmit the array tasks whose shards still owe runs, as their\n"
		"                      stores say, and a report job after them (refused while a\n"
		"                      task of the sweep is queued or running)\n"
		"Exit status: 0 submitted, 1 Slurm or the host refused, 2 a bad option or config.\n",
		SLURM_SUBDIR, SHARDS_SUBDIR, SLURM_SUBDIR);
}

static int parse_count(const char *opt, const char *v, unsigned max, unsigned *out)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || n < 1 || n > max) {
		fprintf(stderr, "vmsweep submit: %s %s: expected 1..%u\n", opt, v, max);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

/* Appends id to the comma-separated list under key. */
static int manifest_append(struct store *s, const char *key, const char *id, char *err, size_t errlen)
{
	char *was = NULL, *now = NULL;
	if (store_manifest_get(s, key, &was, err, errlen))
		return -1;
	int r = asprintf(&now, "%s%s%s", was ? was : "", was ? "," : "", id) < 0 ? errorf(err, errlen, "out of memory") :
			store_manifest_set(s, key, now, err, errlen);
	free(was);
	free(now);
	return r;
}

/* The scripts into DIR/slurm/, made absolute; the array's printed with --dry-run. */
static int scripts_write(const struct submit_script *sc, bool print, char *err, size_t errlen)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", sc->dir, SLURM_SUBDIR);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/logs", sc->dir, SLURM_SUBDIR);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	for (int which = 0; which < 2; which++) {
		snprintf(path, sizeof(path), "%s/%s/%s", sc->dir, SLURM_SUBDIR, which ? "report.sbatch" : "sweep.sbatch");
		FILE *f = fopen(path, "w");
		if (!f)
			return errorf(err, errlen, "%s: %s", path, strerror(errno));
		(which ? submit_script_report : submit_script_array)(f, sc);
		if (fclose(f))
			return errorf(err, errlen, "%s: %s", path, strerror(errno));
		if (print && !which)
			submit_script_array(stdout, sc);
	}
	return 0;
}

int submit_jobs(struct store *s, const struct submit_script *sc, const char *tasks, char *err, size_t errlen)
{
	char script[PATH_MAX + 64], array[64], report[64], dep[96];
	const char *args[1];
	size_t nr = 0;
	char *array_arg = NULL;

	if (tasks) {
		if (asprintf(&array_arg, "--array=%s%s%u", tasks, sc->max_parallel ? "%" : "", sc->max_parallel) < 0)
			return errorf(err, errlen, "out of memory");
		if (!sc->max_parallel)
			array_arg[strlen(array_arg) - 1] = 0; /* the %u of 0 */
		args[nr++] = array_arg;
	}
	snprintf(script, sizeof(script), "%s/%s/sweep.sbatch", sc->dir, SLURM_SUBDIR);
	int r = slurm_sbatch(script, args, nr, array, sizeof(array), err, errlen);
	free(array_arg);
	if (r || manifest_append(s, "slurm.array_jobs", array, err, errlen))
		return -1;
	snprintf(script, sizeof(script), "%s/%s/report.sbatch", sc->dir, SLURM_SUBDIR);
	snprintf(dep, sizeof(dep), "--dependency=afterok:%s", array);
	args[0] = dep;
	if (slurm_sbatch(script, args, 1, report, sizeof(report), err, errlen) ||
	    store_manifest_set(s, "slurm.report_job", report, err, errlen))
		return -1;
	fprintf(stderr, "vmsweep submit: submitted job array %s (%s), and report job %s after it (afterok)\n", array,
		tasks ? tasks : "every shard", report);
	fprintf(stderr, "vmsweep submit: follow it with: vmsweep status %s\n", sc->dir);
	printf("%s\n", sc->dir);
	return 0;
}

/* The default: about an hour of runs per shard, at least 1, at most one per run (or per
 * point, whose runs stay together under repeat = auto). */
static unsigned shards_default(const struct sweep_config *cfg, const struct sweep_plan *plan, double seconds)
{
	double n = seconds / 3600.0 + 0.999;
	size_t units = cfg->auto_repeat.on ? plan->nr_points : plan->nr_runs;
	if (n > (double)units)
		n = (double)units;
	if (n > SWEEP_SHARDS_MAX)
		n = SWEEP_SHARDS_MAX;
	return n < 1 ? 1 : (unsigned)n;
}

/* Each shard's runs into the manifest (shard.<I>.runs); the longest shard's expected time
 * and the fewest runs a shard has. One pass over the runs, whatever the shards. */
static int shards_record(struct sweep_ctx *ctx, unsigned shards, double *longest, size_t *fewest, char *err,
			 size_t errlen)
{
	const struct sweep_plan *plan = ctx->plan;
	unsigned *shard_of = malloc((plan->nr_runs + 1) * sizeof(*shard_of));
	size_t *ids = malloc((plan->nr_runs + 1) * sizeof(*ids)), *start = calloc(shards + 1, sizeof(*start));
	double *loads = calloc(shards, sizeof(*loads));
	int r = -1;

	*longest = 0;
	*fewest = SIZE_MAX;
	if (!shard_of || !ids || !start || !loads) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	if (sweep_shard_assign(ctx->cfg, plan, (const void *const *)ctx->workloads, shards, shard_of, loads, err, errlen))
		goto out;
	/* the runs grouped by shard, each group in plan order: a new store numbers runs in
	 * plan order, so each group's ids ascend */
	for (size_t i = 0; i < plan->nr_runs; i++)
		start[shard_of[i] + 1]++;
	for (unsigned k = 0; k < shards; k++)
		start[k + 1] += start[k];
	for (size_t i = 0; i < plan->nr_runs; i++)
		ids[start[shard_of[i]]++] = ctx->run_ids[i];
	for (unsigned k = 0; k < shards; k++) {
		size_t first = k ? start[k - 1] : 0, n = start[k] - first;
		char key[64], *text = id_ranges_format(ids + first, n);
		snprintf(key, sizeof(key), "shard.%u.runs", k);
		int e = text ? store_manifest_set(ctx->store, key, text, err, errlen) : errorf(err, errlen, "out of memory");
		free(text);
		if (e)
			goto out;
		*longest = loads[k] > *longest ? loads[k] : *longest;
		*fewest = n < *fewest ? n : *fewest;
	}
	r = 0;
out:
	free(shard_of);
	free(ids);
	free(start);
	free(loads);
	return r;
}

/* A directory submitted before is refused before anything in it is written: --resume
 * finishes it. */
static int submitted_before(const char *dir, char *err, size_t errlen)
{
	struct store *s = NULL;
	char *jobs = NULL, path[PATH_MAX + 32];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, STORE_FILE);
	if (stat(path, &st) != 0 || st.st_size == 0)
		return 0;
	if (store_open_readonly(dir, &s, err, errlen) || store_manifest_get(s, "slurm.array_jobs", &jobs, err, errlen)) {
		store_close(s);
		return -1;
	}
	store_close(s);
	int r = jobs ? errorf(err, errlen, "%s was submitted already (job %s): follow it with vmsweep status %s, finish"
					   " it with vmsweep submit --resume %s", dir, jobs, dir, dir) : 0;
	free(jobs);
	return r;
}

static int submit_new(const char *config, const struct submit_opts *o)
{
	struct sweep_config cfg;
	struct sweep_plan plan;
	struct sweep_ctx ctx = { .cfg = &cfg, .plan = &plan };
	char err[2600], dir[PATH_MAX], real_dir[PATH_MAX], real_config[PATH_MAX], self[PATH_MAX], cwd[PATH_MAX], buf[64];
	int rc = EXIT_USAGE, lock = -1;
	bool usage_error = false;

	err[0] = 0;
	memset(&cfg, 0, sizeof(cfg));
	memset(&plan, 0, sizeof(plan));
	/* By its real path, as the tasks load it: a job file's path is relative to it, and the
	 * plan's digest holds the paths */
	if (!realpath(config, real_config)) {
		fprintf(stderr, "vmsweep submit: %s: %s\n", config, strerror(errno));
		return EXIT_USAGE;
	}
	if (sweep_config_load(real_config, &cfg, err, sizeof(err)) || sweep_plan(&cfg, &plan, err, sizeof(err)) ||
	    compile_workloads(&cfg, &plan, &ctx, err, sizeof(err)))
		goto fail;
	ctx.nr_workers = o->jobs ? o->jobs : cfg.jobs ? cfg.jobs : 1;
	struct sweep_estimate est;
	if (sweep_checks(&cfg, &plan, 1, (const void *const *)ctx.workloads, "vmsweep submit: ", &est, err, sizeof(err)))
		goto fail;
	rc = EXIT_HOST;
	if (results_dir_make(o->out, cfg.name, dir, sizeof(dir), err, sizeof(err)) || !realpath(dir, real_dir) ||
	    !realpath("/proc/self/exe", self) || !getcwd(cwd, sizeof(cwd))) {
		if (!err[0])
			errorf(err, sizeof(err), "%s: %s", dir, strerror(errno));
		goto fail;
	}
	/* DIR goes into #SBATCH lines, which sbatch splits at blanks and does not unquote */
	if (real_dir[strcspn(real_dir, " \t\n\"'\\")]) {
		errorf(err, sizeof(err), "%s: a results directory with blanks, quotes or backslashes cannot go into the batch"
					 " script's #SBATCH lines: choose another (--out)", real_dir);
		rc = EXIT_USAGE;
		goto fail;
	}
	if ((lock = dir_lock_take(real_dir, "vmsweep submit", err, sizeof(err))) < 0 ||
	    submitted_before(real_dir, err, sizeof(err))) {
		rc = lock < 0 ? EXIT_HOST : EXIT_USAGE;
		goto fail;
	}
	vm_default_kernel_path(ctx.kernel, sizeof(ctx.kernel));
	ctx.dir = real_dir;
	if (run_store_setup(&ctx, real_dir, &usage_error, err, sizeof(err))) {
		rc = usage_error ? EXIT_USAGE : EXIT_HOST;
		goto fail;
	}
	/* The submitting host is not where the runs run: merge fills these in from the shards.
	 * The directory's store is read and written from the login node and the report job's
	 * node: the rollback journal, as a shard's (WAL needs one host). */
	for (size_t i = 0; store_host_keys[i]; i++)
		if (store_manifest_delete(ctx.store, store_host_keys[i], err, sizeof(err)))
			goto fail;
	char digest[17];
	run_plan_digest(&ctx, digest);
	if (store_manifest_delete(ctx.store, "disk.*.host", err, sizeof(err)) ||
	    store_manifest_set(ctx.store, "plan.digest", digest, err, sizeof(err)) ||
	    store_manifest_set(ctx.store, "slurm.chdir", cwd, err, sizeof(err)) ||
	    store_journal_rollback(ctx.store, err, sizeof(err)))
		goto fail;
	unsigned k = o->nodes_per_task ? o->nodes_per_task : 1;
	unsigned shards = o->shards ? o->shards : shards_default(&cfg, &plan, est.seconds / ctx.nr_workers);
	unsigned tasks = (shards + k - 1) / k;
	shards = tasks * k;
	double longest;
	size_t fewest;
	if (shards_record(&ctx, shards, &longest, &fewest, err, sizeof(err)))
		goto fail;
	snprintf(buf, sizeof(buf), "%u", shards);
	if (store_manifest_set(ctx.store, "shards", buf, err, sizeof(err)))
		goto fail;
	snprintf(buf, sizeof(buf), "%u", k);
	if (store_manifest_set(ctx.store, "slurm.nodes_per_task", buf, err, sizeof(err)))
		goto fail;
	snprintf(buf, sizeof(buf), "%u", o->max_parallel);
	if (store_manifest_set(ctx.store, "slurm.max_parallel", buf, err, sizeof(err)))
		goto fail;
	/* What each shard asks of its node: CPUs for its runs' vCPUs, memory for their RAM. */
	unsigned max_cpus = 1;
	uint64_t max_mem = 0;
	for (size_t i = 0; i < plan.nr_points; i++) {
		struct vm_config vm;
		memset(&vm, 0, sizeof(vm));
		sweep_point_apply(&cfg, &plan, i, &vm);
		max_cpus = vm.nr_cpus > max_cpus ? vm.nr_cpus : max_cpus;
		max_mem = vm.mem_size > max_mem ? vm.mem_size : max_mem;
	}
	struct submit_script sc = {
		.vmsweep = self, .config = real_config, .dir = real_dir, .chdir = cwd, .name = cfg.name, .digest = digest,
		.nr_tasks = tasks,
		.nodes_per_task = k, .max_parallel = o->max_parallel, .jobs = ctx.nr_workers,
		.cpus_per_task = o->cpus_per_task ? o->cpus_per_task : ctx.nr_workers * max_cpus,
		.mem_mb = (unsigned long long)(ctx.nr_workers * (max_mem >> 20)) + 512, .partition = o->partition,
		.time = o->time, .extra = o->extra, .nr_extra = o->nr_extra,
	};
	if (scripts_write(&sc, o->dry_run, err, sizeof(err)))
		goto fail;
	fprintf(stderr, "vmsweep submit: sweep %s: %zu runs in %u shard%s (%zu or more each; the longest expected to"
			" take %s at %u at a time) -> %s\n",
		cfg.name, plan.nr_runs, shards, shards == 1 ? "" : "s", fewest,
		duration_format(longest / ctx.nr_workers, buf, sizeof(buf)), ctx.nr_workers, real_dir);
	if (o->dry_run) {
		fprintf(stderr, "vmsweep submit: dry run: nothing submitted; the scripts are in %s/%s/ (sbatch them, or"
				" vmsweep submit --resume %s)\n",
			real_dir, SLURM_SUBDIR, real_dir);
		rc = 0;
		goto out;
	}
	if (submit_jobs(ctx.store, &sc, NULL, err, sizeof(err)))
		goto fail;
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "vmsweep submit: %s\n", err);
out:
	run_store_free(&ctx);
	dir_lock_release(lock);
	release_workloads(&ctx);
	sweep_plan_free(&plan);
	sweep_config_free(&cfg);
	return rc;
}

int cmd_submit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "slurm", no_argument, NULL, 'S' },		{ "shards", required_argument, NULL, 'n' },
		{ "partition", required_argument, NULL, 'p' },	{ "nodes-per-task", required_argument, NULL, 'k' },
		{ "max-parallel", required_argument, NULL, 'm' }, { "jobs", required_argument, NULL, 'j' },
		{ "cpus-per-task", required_argument, NULL, 'c' }, { "time", required_argument, NULL, 't' },
		{ "sbatch-arg", required_argument, NULL, 'a' }, { "out", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'd' },		{ "resume", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },		{ NULL, 0, NULL, 0 },
	};
	struct submit_opts o = { 0 };
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'S': o.slurm = true; break;
		case 'n': if (parse_count("--shards", optarg, SWEEP_SHARDS_MAX, &o.shards)) return EXIT_USAGE; break;
		case 'k': if (parse_count("--nodes-per-task", optarg, 1024, &o.nodes_per_task)) return EXIT_USAGE; break;
		case 'm': if (parse_count("--max-parallel", optarg, SWEEP_SHARDS_MAX, &o.max_parallel)) return EXIT_USAGE; break;
		case 'j': if (parse_count("--jobs", optarg, 64, &o.jobs)) return EXIT_USAGE; break;
		case 'c': if (parse_count("--cpus-per-task", optarg, 4096, &o.cpus_per_task)) return EXIT_USAGE; break;
		case 'p': o.partition = optarg; break;
		case 't': o.time = optarg; break;
		case 'o': o.out = optarg; break;
		case 'd': o.dry_run = true; break;
		case 'r': o.resume = optarg; break;
		case 'a':
			if (o.nr_extra == SUBMIT_SBATCH_ARGS_MAX || optarg[0] != '-' || strchr(optarg, '\n')) {
				fprintf(stderr, "vmsweep submit: --sbatch-arg %s: %s\n", optarg,
					optarg[0] != '-' || strchr(optarg, '\n') ? "expected one sbatch option, e.g. --exclusive" :
					"too many (16 at most)");
				return EXIT_USAGE;
			}
			o.extra[o.nr_extra++] = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (o.resume) {
		if (argc != optind || o.out || o.shards || o.nodes_per_task || o.max_parallel || o.jobs || o.cpus_per_task ||
		    o.partition || o.time || o.nr_extra) {
			fprintf(stderr, "vmsweep submit: --resume DIR takes only --dry-run: the sweep keeps the settings it was"
					" submitted with (DIR/%s/sweep.sbatch)\n",
				SLURM_SUBDIR);
			return EXIT_USAGE;
		}
		return submit_resume(&o);
	}
	if (argc - optind != 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!o.slurm) {
		fprintf(stderr, "vmsweep submit: say where to: --slurm (the one batch system supported)\n");
		return EXIT_USAGE;
	}
	return submit_new(argv[optind], &o);
}
