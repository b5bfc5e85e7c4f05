/*
 * vmsweep run CONFIG [--jobs N] [--out DIR] | --resume DIR [CONFIG]: runs every planned
 * run not yet in the store, N at a time, each worker pinned to its own host CPUs, and
 * records each finished run in one transaction (store_run_record), so that a sweep
 * killed at any moment resumes with every run recorded exactly once. One process at a
 * time writes a directory (util/dir_lock.h). Ctrl-C stops after the runs in flight; a
 * second Ctrl-C stops those too (they stay planned). A run that cannot be stored (a
 * full disk) stops the sweep the same way: nothing more is run only to be lost.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/backend.h"
#include "cmd/cmd.h"
#include "cmd/run.h"
#include "cmd/run_files.h"
#include "fio/fio_json.h"
#include "fio/fio_json_opts.h"
#include "fio/job_compile.h"
#include "fio/sparse_reads.h"
#include "sweep/run_disks.h"
#include "sweep/point_workload.h"
#include "cmd/sweep_checks.h"
#include "records/fio.h"
#include "util/dir_lock.h"
#include "util/error.h"
#include "util/results_dir.h"
#include "util/signals.h"
#include "sweep/noise.h"
#include <math.h>
#include "vmm/vm.h"

struct worker {
	struct sweep_ctx *ctx;
	unsigned index;
	pthread_t thread;
};

static volatile int stop_level; /* 1: start no new run; 2: stop the runs in flight */
static volatile int stop_runs; /* what vm_run watches */

static void on_stop_signal(int sig)
{
	(void)sig;
	if (++stop_level >= 2)
		stop_runs = 1;
}

static double wall_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Worker i of n gets its own slice of the CPUs the process may use (all of the host's,
 * or what a batch system gave the task); its vCPU and I/O threads inherit it. */
static void worker_pin(unsigned i, unsigned n)
{
	cpu_set_t mine, set;
	int cpu[CPU_SETSIZE], nr = 0;
	if (n < 2 || sched_getaffinity(0, sizeof(mine), &mine))
		return;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &mine))
			cpu[nr++] = c;
	if (nr < 2)
		return;
	int per = nr / (int)n > 0 ? nr / (int)n : 1;
	CPU_ZERO(&set);
	for (int k = (int)i * per; k < ((int)i + 1) * per && k < nr; k++)
		CPU_SET(cpu[k], &set);
	if (CPU_COUNT(&set))
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static bool next_run(struct sweep_ctx *ctx, size_t *run)
{
	bool ok = false;
	pthread_mutex_lock(&ctx->lock);
	if (!stop_level && ctx->next < ctx->nr_pending) {
		*run = ctx->pending[ctx->next++];
		ok = true;
	}
	pthread_mutex_unlock(&ctx->lock);
	return ok;
}

/* The first store error stops the sweep: later runs would be measured and then lost. */
static void store_failed(struct sweep_ctx *ctx, size_t run, const char *err)
{
	pthread_mutex_lock(&ctx->lock);
	if (!ctx->store_error[0])
		snprintf(ctx->store_error, sizeof(ctx->store_error), "run %zu: %.990s", ctx->run_ids[run], err);
	stop_level = stop_level ? stop_level : 1;
	pthread_mutex_unlock(&ctx->lock);
}

/* The run's noise sentinels as metrics, NAN ones left out. */
static void noise_record(struct store_run *rec, const struct noise_run *n, unsigned retries, bool noisy)
{
	const struct {
		const char *name;
		double v;
	} m[] = { { "noise.others_cpu_pct", 100 * n->others_cpu }, { "noise.steal_pct", 100 * n->steal },
		  { "noise.calibration_pct", 100 * n->calibration }, { "noise.load1", n->load1 },
		  { "noise.cpu_mhz", n->cpu_mhz }, { "noise.cpu_freq_drop_pct", 100 * n->cpu_freq_drop },
		  { "noise.retries", retries }, { "noise.noisy", noisy } };
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!isnan(m[i].v))
			store_run_metric(rec, m[i].name, m[i].v);
}

static void run_one(struct sweep_ctx *ctx, unsigned worker, size_t run)
{
	struct vm_config vm;
	struct store_run rec = { 0 };
	char err[1024];
	double t0 = wall_now();
	const struct noise_limits *limits = &ctx->cfg->noise;
	struct noise_sample before, after;
	struct noise_run noise;
	unsigned retries = 0;
	bool noisy;
again:
	noise_sample_take(&before);

	memset(&vm, 0, sizeof(vm));
	sweep_run_apply(ctx->cfg, ctx->plan, run, &vm);
	vm.kernel_path = ctx->kernel;
	size_t point = ctx->plan->runs[run].point;
	vm.workload = ctx->workloads[point];
	vm.workload_size = ctx->workload_sizes[point];
	vm.stop_requested = &stop_runs;
	const struct backend_ops *be = backend_get(vm.backend);
	struct backend_run br = { .vm = &vm, .wl = ctx->workloads[point],
				  .job_path = sweep_point_job(ctx->cfg, ctx->plan, point), .json_opts = ctx->json_opts[point],
				  .files_dir = ctx->dir, .run_id = ctx->run_ids[run], .rec = &rec };
	int shard = ctx->shard.count ? (int)ctx->shard.index : -1;
	/* A fresh copy of each file system's image; parallel runs do not share a raw one */
	if (be->check(&vm, br.wl, err, sizeof(err)) != 0 ||
	    sweep_run_disks(&vm, shard, worker, ctx->nr_workers, err, sizeof(err)) != 0 ||
	    be->run(&br, err, sizeof(err)) != 0) {
		if (br.files_failed) {
			store_failed(ctx, run, err);
			return;
		}
		store_run_free(&rec);
		memset(&rec, 0, sizeof(rec));
		rec.status = STORE_FAILED;
		snprintf(rec.cause, sizeof(rec.cause), "host: %.600s", err);
		rec.exit_status = 1;
	} else if (br.interrupted) {
		return; /* stays planned: a resume runs it again */
	}
	/* libvirt's QEMU runs outside this process: its CPU time is not the others' */
	noise_sample_take(&after);
	noise_run_compute(&before, &after, &ctx->noise_base, vm.backend == BACKEND_KVM, &noise);
	noisy = noise_limits_any(limits) && rec.status == STORE_DONE &&
		noise_run_noisy(limits, &noise, err, sizeof(err));
	if (noisy && retries < limits->retries && !stop_level) {
		fprintf(stderr, "vmsweep run: run %zu is noisy (%s): running it again\n", ctx->run_ids[run], err);
		store_run_free(&rec);
		memset(&rec, 0, sizeof(rec));
		retries++;
		t0 = wall_now();
		goto again;
	}
	if (noisy)
		fprintf(stderr, "vmsweep run: run %zu is still noisy after %u retries (%s): recorded as noisy\n",
			ctx->run_ids[run], retries, err);
	noise_record(&rec, &noise, retries, noisy);
	rec.started = t0;
	rec.ended = wall_now();
	rec.wall_ms = (rec.ended - t0) * 1e3;
	rec.inputs = ctx->inputs[point];
	if (store_run_record(ctx->store, ctx->run_ids[run], &rec, err, sizeof(err)) != 0)
		store_failed(ctx, run, err);
	else
		atomic_fetch_add(rec.status == STORE_DONE ? &ctx->done : &ctx->failed, 1);
	store_run_free(&rec);
}

/* repeat = auto: a run its point does not need is recorded as skipped, with the evidence. */
static bool run_needed(struct sweep_ctx *ctx, size_t run)
{
	struct store_run rec = { .status = STORE_SKIPPED };
	char err[1024];
	int need = run_repeat_needed(ctx, run, rec.cause, sizeof(rec.cause), err, sizeof(err));

	if (need < 0) {
		store_failed(ctx, run, err);
		return false;
	}
	if (need)
		return true;
	rec.inputs = ctx->inputs[ctx->plan->runs[run].point];
	if (store_run_record(ctx->store, ctx->run_ids[run], &rec, err, sizeof(err)) != 0)
		store_failed(ctx, run, err);
	else
		atomic_fetch_add(&ctx->skipped, 1);
	return false;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	size_t run;

	worker_pin(w->index, w->ctx->nr_workers);
	while (next_run(w->ctx, &run)) {
		atomic_fetch_add(&w->ctx->running, 1);
		if (run_needed(w->ctx, run))
			run_one(w->ctx, w->index, run);
		atomic_fetch_sub(&w->ctx->running, 1);
	}
	return NULL;
}

/* done/total, failures, elapsed, ETA from the runs so far: on a terminal one line
 * rewritten; otherwise a line every 10 s. */
static void progress_show(struct sweep_ctx *ctx, double t0, bool tty, bool final)
{
	size_t done = atomic_load(&ctx->done), failed = atomic_load(&ctx->failed), n = done + failed;
	size_t skipped = atomic_load(&ctx->skipped);
	double elapsed = wall_now() - t0;
	/* with repeat = auto, an upper bound: the runs still to come may not be needed */
	double eta = n ? elapsed / (double)n * (double)(ctx->nr_pending - n - skipped) : 0;
	char not_needed[64] = "";
	if (skipped)
		snprintf(not_needed, sizeof(not_needed), ", %zu not needed", skipped);
	fprintf(stderr, "%s%zu/%zu runs, %zu failed%s, %.0f s elapsed, ETA %s%.0f s%s%s", tty ? "\r" : "", n + skipped,
		ctx->nr_pending, failed, not_needed, elapsed, ctx->cfg->auto_repeat.on ? "at most " : "", eta,
		stop_level ? " (stopping)" : "", tty && !final ? "   " : "\n");
	fflush(stderr);
}

/* Each point's workload, compiled once; a read job on a sparse image is warned about. */
int compile_workloads(const struct sweep_config *cfg, const struct sweep_plan *plan, struct sweep_ctx *ctx,
			     char *err, size_t errlen)
{
	if (sweep_workloads_compile(cfg, plan, &ctx->workloads, &ctx->workload_sizes, err, errlen))
		return -1;
	if (!(ctx->json_opts = calloc(plan->nr_points + 1, sizeof(*ctx->json_opts))))
		return errorf(err, errlen, "out of memory");
	for (size_t i = 0; i < plan->nr_points; i++)
		if (sweep_point_json_opts(cfg, plan, i, ctx->workloads[i], &ctx->json_opts[i], err, errlen))
			return -1;
	for (size_t i = 0; i < plan->nr_points; i++)
		if (sparse_reads_warn(ctx->workloads[i], cfg->disks, cfg->nr_disks, stderr, "vmsweep run: "))
			break;
	return 0;
}

void release_workloads(struct sweep_ctx *ctx)
{
	size_t n = ctx->plan->nr_points;
	sweep_workloads_free(ctx->workloads, ctx->workload_sizes, n);
	for (size_t i = 0; ctx->json_opts && i < n; i++)
		fio_json_opts_free(ctx->json_opts[i]);
	free(ctx->json_opts);
	ctx->workloads = NULL;
	ctx->workload_sizes = NULL;
	ctx->json_opts = NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vmsweep run CONFIG [--jobs N] [--out DIR] [--shard I/N] [--allow-failed]\n"
		   "       vmsweep run --resume DIR [CONFIG] [--force] [--allow-failed]\n"
		   "Runs the sweep CONFIG (configs/README.md) into DIR/results.sqlite (default\n"
		   "results/NAME-DATE-TIME). Runs already recorded there are not run again: after a\n"
		   "crash or Ctrl-C, --resume DIR finishes the sweep, with the config the directory was\n"
		   "made with unless another is given. A resume may grow the sweep (values added to a\n"
		   "parameter, repeat raised); it refuses a config, job file or build that would make\n"
		   "the recorded runs differ from the new ones, and names what changed. One process at\n"
		   "a time runs in a directory. Ctrl-C stops after the runs in flight; a second Ctrl-C\n"
		   "stops those too.\n"
		   "  --jobs N        runs at a time, each pinned to its share of the host's CPUs\n"
		   "                  (default: [sweep] jobs); parallel runs use their own disk\n"
		   "                  images PATH.wN\n"
		   "A disk with fs= is made once (mkfs.ext3) when its image does not exist, and each\n"
		   "run boots a fresh copy of it, PATH.wN (N: the worker), so that no run sees what\n"
		   "another left on the file system.\n"
		   "  --shard I/N     run only shard I of N (0 <= I < N) of the sweep: its share of\n"
		   "                  the runs, balanced by expected run time, in the plan's order.\n"
		   "                  Each shard has its own DIR; `vmsweep merge` joins them. What\n"
		   "                  `vmsweep submit --slurm` runs on each node\n"
		   "  --check-node    before the first run, check that this node has KVM, and CPUs\n"
		   "                  for --jobs runs that are idle now (a batch task's first step)\n"
		   "  --plan-digest D the plan the shard must run, as `vmsweep submit` gives it:\n"
		   "                  refused when the config, a job file or vmsweep changed since\n"
		   "  --force         resume although what determines the runs changed; the change\n"
		   "                  is recorded in the manifest (forced.<time>)\n"
		   "  --allow-failed  exit 0 when runs failed (they are recorded with their cause)\n"
		   "Exit status: 0 every run recorded and none failed, 1 host error (a store that\n"
		   "cannot be written: what was stored is kept), 2 bad config or option or a refused\n"
		   "resume, 3 some runs failed (recorded; see `vmsweep report`), 130 interrupted\n"
		   "(resume with --resume).\n");
}

/* The directory the results go to: --resume's, --out's, or results/NAME-DATE-TIME. */
static int results_dir(const struct sweep_config *cfg, const char *out, const char *resume, char *dir, size_t len)
{
	struct stat st;
	if (resume) {
		snprintf(dir, len, "%s", resume);
		if (stat(dir, &st) != 0) {
			fprintf(stderr, "vmsweep run: --resume %s: %s\n", dir, strerror(errno));
			return -1;
		}
		return 0;
	}
	char err[4200];
	if (results_dir_make(out, cfg->name, dir, len, err, sizeof(err))) {
		fprintf(stderr, "vmsweep run: %s\n", err);
		return -1;
	}
	return 0;
}

/* Runs the pending runs on nr_workers threads, showing progress, until done or stopped. */
void runs_execute(struct sweep_ctx *ctx)
{
	struct worker *w = calloc(ctx->nr_workers, sizeof(*w));
	double t0 = wall_now(), last = 0;
	bool tty = isatty(STDERR_FILENO);

	pthread_mutex_init(&ctx->lock, NULL);
	stop_signals_catch(on_stop_signal, NULL);
	for (unsigned i = 0; w && i < ctx->nr_workers; i++) {
		w[i] = (struct worker){ .ctx = ctx, .index = i };
		pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
	}
	while (w) {
		size_t n = atomic_load(&ctx->done) + atomic_load(&ctx->failed) + atomic_load(&ctx->skipped);
		bool idle = !atomic_load(&ctx->running);
		if ((n >= ctx->nr_pending || stop_level) && idle && (ctx->next >= ctx->nr_pending || stop_level))
			break;
		if (wall_now() - last >= (tty ? 0.5 : 10.0)) {
			progress_show(ctx, t0, tty, false);
			last = wall_now();
		}
		usleep(100000);
	}
	for (unsigned i = 0; w && i < ctx->nr_workers; i++)
		pthread_join(w[i].thread, NULL);
	free(w);
	progress_show(ctx, t0, tty, true);
	pthread_mutex_destroy(&ctx->lock);
}

/* The closing lines, and the exit status they explain. */
static int run_summary(struct sweep_ctx *ctx, const char *dir, const char *config, bool allow_failed)
{
	size_t left = 0, *ids = NULL, failed = atomic_load(&ctx->failed);
	char err[1024], cmd[8400];

	if (ctx->shard.count) /* the other shards' runs are not this one's to do */
		left = ctx->nr_pending - atomic_load(&ctx->done) - failed - atomic_load(&ctx->skipped);
	else if (store_runs_pending(ctx->store, &ids, &left, err, sizeof(err)))
		fprintf(stderr, "vmsweep run: %s\n", err);
	free(ids);
	char real_dir[4096], real_config[4096];
	if (!realpath(dir, real_dir))
		snprintf(real_dir, sizeof(real_dir), "%s", dir);
	if (config && !realpath(config, real_config))
		snprintf(real_config, sizeof(real_config), "%s", config);
	snprintf(cmd, sizeof(cmd), "vmsweep run --resume %s%s%s", real_dir, config ? " " : "", config ? real_config : "");
	size_t skipped = atomic_load(&ctx->skipped);
	char not_needed[96] = "";
	if (skipped)
		snprintf(not_needed, sizeof(not_needed), ", %zu not needed (repeat = auto)", skipped);
	fprintf(stderr, "vmsweep run: %zu runs recorded (%zu failed%s), %zu left; results in %s\n",
		atomic_load(&ctx->done) + failed, failed, not_needed, left, store_path(ctx->store));
	if (ctx->store_error[0]) {
		fprintf(stderr, "vmsweep run: stopped: %s\nvmsweep run: the runs stored are kept; once that is fixed,"
				" finish with: %s\n",
			ctx->store_error, cmd);
	} else if (left) {
		fprintf(stderr, "vmsweep run: finish with: %s\n", cmd);
	}
	if (failed && !allow_failed)
		fprintf(stderr, "vmsweep run: %zu run%s failed (their causes: vmsweep report %s)%s\n", failed,
			failed == 1 ? "" : "s", dir, left || ctx->store_error[0] ? "" : "; --allow-failed exits 0");
	printf("%s\n", dir);
	if (ctx->store_error[0])
		return EXIT_HOST;
	if (left)
		return stop_level ? EXIT_INTERRUPTED : EXIT_HOST;
	return failed && !allow_failed ? EXIT_RUNS_FAILED : 0;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "jobs", required_argument, NULL, 'j' },   { "out", required_argument, NULL, 'o' },
		{ "resume", required_argument, NULL, 'r' }, { "force", no_argument, NULL, 'f' },
		{ "allow-failed", no_argument, NULL, 'a' }, { "help", no_argument, NULL, 'h' },
		{ "shard", required_argument, NULL, 's' }, { "plan-digest", required_argument, NULL, 'D' },
		{ "check-node", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct sweep_config cfg;
	struct sweep_plan plan;
	struct sweep_ctx ctx = { .cfg = &cfg, .plan = &plan };
	const char *out = NULL, *resume = NULL;
	char err[2600], dir[4096], *stored_config = NULL;
	bool allow_failed = false, usage_error = false, check_node = false;
	long jobs = 0;
	int opt, rc = EXIT_HOST, lock = -1;

	memset(&cfg, 0, sizeof(cfg));
	memset(&plan, 0, sizeof(plan));
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;
		switch (opt) {
		case 'j':
			jobs = strtol(optarg, &end, 10);
			if (*end || jobs < 1 || jobs > 64) {
				fprintf(stderr, "vmsweep run: --jobs %s: expected 1..64\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o': out = optarg; break;
		case 'r': resume = optarg; break;
		case 'f': ctx.force = true; break;
		case 'a': allow_failed = true; break;
		case 'D': ctx.plan_digest = optarg; break;
		case 'N': check_node = true; break;
		case 's':
			if (sweep_shard_parse(optarg, &ctx.shard, err, sizeof(err))) {
				fprintf(stderr, "vmsweep run: %s\n", err);
				return EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind > 1 || (argc - optind == 0 && !resume) || (out && resume) || (ctx.force && !resume)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *config = optind < argc ? argv[optind] : NULL;
	if (!config && run_store_config_path(resume, &stored_config, err, sizeof(err))) {
		fprintf(stderr, "vmsweep run: --resume %s: %s\n", resume, err);
		return EXIT_USAGE;
	}
	if (!config)
		fprintf(stderr, "vmsweep run: resuming %s with the config it was made with, %s\n", resume,
			config = stored_config);
	if (sweep_config_load(config, &cfg, err, sizeof(err)) != 0 || sweep_plan(&cfg, &plan, err, sizeof(err)) != 0 ||
	    compile_workloads(&cfg, &plan, &ctx, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsweep run: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (results_dir(&cfg, out, resume, dir, sizeof(dir)))
		goto out;
	char holder[512];
	snprintf(holder, sizeof(holder), "vmsweep run %s", config);
	if ((lock = dir_lock_take(dir, holder, err, sizeof(err))) < 0) {
		fprintf(stderr, "vmsweep run: %s\n", err);
		goto out;
	}
	ctx.nr_workers = (unsigned)(jobs ? jobs : cfg.jobs ? cfg.jobs : 1);
	struct sweep_estimate est;
	if (sweep_checks(&cfg, &plan, ctx.nr_workers, (const void *const *)ctx.workloads, "vmsweep run: ", &est, err,
			    sizeof(err))) {
		fprintf(stderr, "vmsweep run: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	vm_default_kernel_path(ctx.kernel, sizeof(ctx.kernel));
	ctx.dir = dir;
	noise_baseline_take(&ctx.noise_base); /* the sentinels' baseline: the quiet host the sweep starts on */
	if (sweep_disks_prepare(cfg.disks, cfg.nr_disks, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsweep run: %s\n", err);
		goto out;
	}
	/* a batch task's node, before its store is touched: a node that cannot run the shard
	 * leaves no trace in it */
	if (check_node && run_shard_host_check(ctx.nr_workers, err, sizeof(err))) {
		fprintf(stderr, "vmsweep run: %s\n", err);
		goto out;
	}
	if (run_store_setup(&ctx, dir, &usage_error, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsweep run: %s\n", err);
		rc = usage_error ? EXIT_USAGE : EXIT_HOST;
		goto out;
	}
	if (cfg.auto_repeat.on)
		fprintf(stderr,
			"vmsweep run: sweep %s: %zu points x %u..%u (repeat = auto: until %s's 95 %% interval is within "
			"%.3g %% of the mean%s) = at most %zu runs, %zu to do, %u at a time -> %s\n",
			cfg.name, plan.nr_points, cfg.auto_repeat.min, cfg.auto_repeat.max, cfg.auto_repeat.metrics[0],
			100 * cfg.auto_repeat.ci, cfg.auto_repeat.nr_metrics > 1 ? " and the other ci_metrics" : "", plan.nr_runs,
			ctx.nr_pending, ctx.nr_workers, dir);
	else if (ctx.shard.count)
		fprintf(stderr, "vmsweep run: sweep %s, shard %u/%u: %zu of its %zu runs, %zu to do, %u at a time -> %s\n",
			cfg.name, ctx.shard.index, ctx.shard.count, ctx.shard_runs, plan.nr_runs, ctx.nr_pending,
			ctx.nr_workers, dir);
	else
		fprintf(stderr, "vmsweep run: sweep %s: %zu points x %u = %zu runs, %zu to do, %u at a time -> %s\n",
			cfg.name, plan.nr_points, cfg.repeat, plan.nr_runs, ctx.nr_pending, ctx.nr_workers, dir);
	if (ctx.nr_pending && run_backends_begin(&ctx, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsweep run: %s\n", err);
		run_backends_end(&ctx);
		goto out;
	}
	runs_execute(&ctx);
	run_backends_end(&ctx);
	rc = run_summary(&ctx, dir, stored_config ? NULL : config, allow_failed);
out:
	run_store_free(&ctx);
	dir_lock_release(lock);
	release_workloads(&ctx);
	free(stored_config);
	sweep_plan_free(&plan);
	sweep_config_free(&cfg);
	return rc;
}
