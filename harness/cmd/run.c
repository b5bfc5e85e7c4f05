/*
 * vmsweep run CONFIG [--jobs N] [--out DIR] | --resume DIR CONFIG: runs every planned
 * run not yet in the store, N at a time, each worker pinned to its own host CPUs, and
 * records each finished run in one transaction (store_run_record), so that a sweep
 * killed at any moment resumes with every run recorded exactly once. Ctrl-C stops
 * after the runs in flight; a second Ctrl-C stops those too (they stay planned).
 */
#include <elf.h>
#include <errno.h>
#include <link.h>
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

#include "cmd/cmd.h"
#include "fio/job_compile.h"
#include "store/store.h"
#include "sweep/config.h"
#include "sweep/grid.h"
#include "util/error.h"
#include "util/signals.h"
#include "vmm/elf_load.h"
#include "vmm/vm.h"

struct sweep_ctx {
	const struct sweep_config *cfg;
	const struct sweep_plan *plan;
	struct store *store;
	const struct vms_workload *workload;
	size_t workload_size;
	char kernel[4096];
	pthread_mutex_t lock; /* next */
	size_t *pending, nr_pending, next;
	atomic_size_t done, failed, running;
	unsigned nr_workers;
};

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

/* Worker i of n gets its own slice of the host's CPUs; its vCPU and I/O threads inherit it. */
static void worker_pin(unsigned i, unsigned n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 2 || cpus < 2)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	long per = cpus / n > 0 ? cpus / n : 1;
	for (long c = (long)i * per; c < ((long)i + 1) * per && c < cpus; c++)
		CPU_SET((int)c, &set);
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

static void run_one(struct sweep_ctx *ctx, unsigned worker, size_t run, struct vm_result *res)
{
	struct vm_config vm;
	struct store_run rec = { 0 };
	char err[1024];
	double t0 = wall_now();

	memset(&vm, 0, sizeof(vm));
	sweep_run_apply(ctx->cfg, ctx->plan, run, &vm);
	vm.kernel_path = ctx->kernel;
	vm.workload = ctx->workload;
	vm.workload_size = ctx->workload_size;
	vm.stop_requested = &stop_runs;
	/* Parallel runs must not share a disk image: worker w uses PATH.wN. */
	for (unsigned d = 0; ctx->nr_workers > 1 && d < vm.nr_disks; d++) {
		char path[sizeof(vm.disks[d].path)];
		snprintf(path, sizeof(path), "%.4080s.w%u", vm.disks[d].path, worker);
		memcpy(vm.disks[d].path, path, sizeof(path));
	}
	if (vm_run(&vm, res, err, sizeof(err)) != 0) {
		rec.status = STORE_FAILED;
		snprintf(rec.cause, sizeof(rec.cause), "host: %.600s", err);
		rec.exit_status = 1;
	} else if (res->status == VM_INTERRUPTED) {
		vm_result_free(res);
		return; /* stays planned: a resume runs it again */
	} else if (store_run_from_vm_result(res, ctx->workload, &rec) != 0) {
		rec.status = STORE_FAILED;
		snprintf(rec.cause, sizeof(rec.cause), "host: out of memory converting the results");
	}
	rec.started = t0;
	rec.ended = wall_now();
	rec.wall_ms = (rec.ended - t0) * 1e3;
	if (store_run_record(ctx->store, run, &rec, err, sizeof(err)) != 0)
		fprintf(stderr, "\nvmsweep run: run %zu: %s\n", run, err);
	atomic_fetch_add(rec.status == STORE_DONE ? &ctx->done : &ctx->failed, 1);
	store_run_free(&rec);
	vm_result_free(res);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct vm_result *res = calloc(1, sizeof(*res));
	size_t run;

	worker_pin(w->index, w->ctx->nr_workers);
	while (res && next_run(w->ctx, &run)) {
		atomic_fetch_add(&w->ctx->running, 1);
		run_one(w->ctx, w->index, run, res);
		atomic_fetch_sub(&w->ctx->running, 1);
	}
	free(res);
	return NULL;
}

/* done/total, failures, elapsed, ETA from the runs so far: on a terminal one line
 * rewritten; otherwise a line every 10 s. */
static void progress_show(struct sweep_ctx *ctx, double t0, bool tty, bool final)
{
	size_t done = atomic_load(&ctx->done), failed = atomic_load(&ctx->failed), n = done + failed;
	double elapsed = wall_now() - t0;
	double eta = n ? elapsed / (double)n * (double)(ctx->nr_pending - n) : 0;
	fprintf(stderr, "%s%zu/%zu runs, %zu failed, %.0f s elapsed, ETA %.0f s%s%s", tty ? "\r" : "", n,
		ctx->nr_pending, failed, elapsed, eta, stop_level ? " (stopping)" : "", tty && !final ? "   " : "\n");
	fflush(stderr);
}

static int compile_workload(const struct sweep_config *cfg, struct sweep_ctx *ctx, char *err, size_t errlen)
{
	struct vms_workload *wl = NULL;
	size_t size = 0;

	if (!cfg->nr_job_files)
		return 0;
	if (cfg->nr_job_files > 1)
		return errorf(err, errlen, "%s: one job file per sweep for now ([workload] lists %zu)", cfg->path,
			      cfg->nr_job_files);
	if (fio_compile_for_disks(cfg->job_files[0].path, cfg->disks, cfg->nr_disks, &wl, &size, err, errlen) != 0)
		return -1;
	ctx->workload = wl;
	ctx->workload_size = size;
	return 0;
}

/* The harness's own GNU build id, from its ELF notes: which vmsweep produced the results. */
static int build_id_note(struct dl_phdr_info *info, size_t size, void *data)
{
	char *out = data;
	(void)size;
	if (info->dlpi_name && info->dlpi_name[0])
		return 0; /* the main program only */
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *n = (const void *)p;
			const uint8_t *name = p + sizeof(*n), *desc = name + ((n->n_namesz + 3) & ~3u);
			if (desc + n->n_descsz > end)
				break;
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && !memcmp(name, "GNU", 4)) {
				for (unsigned k = 0; k < n->n_descsz && k < 20; k++)
					sprintf(out + 2 * k, "%02x", desc[k]);
				return 1;
			}
			p = desc + ((n->n_descsz + 3) & ~3u);
		}
	}
	return 0;
}

/* A file's text into the manifest under key. */
static int manifest_file(struct store *s, const char *key, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL, buf[4096];
	size_t len = 0, n;
	if (!f)
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	FILE *m = open_memstream(&text, &len);
	while (m && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	if (m)
		fclose(m);
	fclose(f);
	int r = text ? store_manifest_set(s, key, text, err, errlen) : errorf(err, errlen, "out of memory");
	free(text);
	return r;
}

static int store_setup(struct sweep_ctx *ctx, const char *dir, char *err, size_t errlen)
{
	const struct sweep_config *cfg = ctx->cfg;
	const struct sweep_plan *plan = ctx->plan;
	struct store_plan_run *runs = calloc(plan->nr_runs ? plan->nr_runs : 1, sizeof(*runs));
	const char **names = calloc(cfg->nr_params ? cfg->nr_params : 1, sizeof(*names));
	char seed[32];
	int r = -1;

	if (!runs || !names)
		goto out;
	if (store_open(dir, true, &ctx->store, err, errlen) != 0)
		goto out;
	for (size_t i = 0; i < cfg->nr_params; i++)
		names[i] = cfg->params[i].name;
	for (size_t i = 0; i < plan->nr_runs; i++)
		runs[i] = (struct store_plan_run){ plan->runs[i].point, plan->runs[i].rep, plan->runs[i].seed };
	if (store_plan_write(ctx->store, cfg->nr_params, names, plan->nr_points, plan->values, plan->nr_runs, runs, err,
			     errlen) != 0)
		goto out;
	/* The manifest: what a re-run needs, the config and job files themselves included. */
	if (manifest_file(ctx->store, "config", cfg->path, err, errlen) != 0)
		goto out;
	for (size_t i = 0; i < cfg->nr_job_files; i++) {
		char key[64];
		snprintf(key, sizeof(key), "job_file.%zu", i);
		if (store_manifest_set(ctx->store, key, cfg->job_files[i].path, err, errlen) != 0 ||
		    (snprintf(key, sizeof(key), "job.%zu", i), manifest_file(ctx->store, key, cfg->job_files[i].path, err, errlen)) != 0)
			goto out;
	}
	char build_id[41] = "unknown";
	dl_iterate_phdr(build_id_note, build_id);
	if (store_manifest_set(ctx->store, "harness_build_id", build_id, err, errlen) != 0)
		goto out;
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)cfg->seed);
	/* The guest's build id: which kernel produced these numbers. */
	uint8_t *elf = NULL;
	size_t elf_size = 0;
	struct elf_image img;
	char why[256];
	if (elf_read_file(ctx->kernel, &elf, &elf_size, why, sizeof(why)) == 0 &&
	    elf_parse(elf, elf_size, VMS_MAX_MEM, &img, why, sizeof(why)) == 0) {
		store_manifest_set(ctx->store, "guest_build_id", img.build_id, err, errlen);
		elf_image_free(&img);
	}
	free(elf);
	if (store_manifest_set(ctx->store, "config_path", cfg->path, err, errlen) != 0 ||
	    store_manifest_set(ctx->store, "seed", seed, err, errlen) != 0 ||
	    store_manifest_set(ctx->store, "kernel_path", ctx->kernel, err, errlen) != 0 ||
	    store_manifest_host(ctx->store, err, errlen) != 0)
		goto out;
	r = store_runs_pending(ctx->store, &ctx->pending, &ctx->nr_pending, err, errlen);
out:
	free(runs);
	free(names);
	return r;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vmsweep run CONFIG [--jobs N] [--out DIR]\n"
		   "       vmsweep run CONFIG --resume DIR\n"
		   "Runs the sweep CONFIG (configs/README.md) into DIR/results.sqlite (default\n"
		   "results/NAME-DATE-TIME). Runs already recorded there are not run again: after a\n"
		   "crash or Ctrl-C, --resume DIR finishes the sweep. Ctrl-C stops after the runs in\n"
		   "flight; a second Ctrl-C stops those too.\n"
		   "  --jobs N     runs at a time, each pinned to its share of the host's CPUs (default:\n"
		   "               [sweep] jobs); parallel runs use their own disk images PATH.wN\n"
		   "Exit status: 0 every run recorded (failed runs are results too), 1 host error,\n"
		   "2 bad config or option, 130 interrupted (resume with --resume).\n");
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "jobs", required_argument, NULL, 'j' }, { "out", required_argument, NULL, 'o' },
		{ "resume", required_argument, NULL, 'r' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct sweep_config cfg;
	struct sweep_plan plan;
	struct sweep_ctx ctx = { .cfg = &cfg, .plan = &plan };
	const char *out = NULL, *resume = NULL;
	char err[1024], dir[4096];
	long jobs = 0;
	int opt, rc = 1;

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
				return 2;
			}
			break;
		case 'o': out = optarg; break;
		case 'r': resume = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1 || (out && resume)) {
		usage(stderr);
		return 2;
	}
	if (sweep_config_load(argv[optind], &cfg, err, sizeof(err)) != 0 || sweep_plan(&cfg, &plan, err, sizeof(err)) != 0 ||
	    compile_workload(&cfg, &ctx, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsweep run: %s\n", err);
		rc = 2;
		goto out;
	}
	if (resume) {
		snprintf(dir, sizeof(dir), "%s", resume);
		struct stat st;
		if (stat(dir, &st) != 0) {
			fprintf(stderr, "vmsweep run: --resume %s: %s\n", dir, strerror(errno));
			goto out;
		}
	} else if (out) {
		snprintf(dir, sizeof(dir), "%s", out);
	} else {
		char stamp[32];
		time_t now = time(NULL);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&now));
		mkdir("results", 0755);
		snprintf(dir, sizeof(dir), "results/%s-%s", cfg.name, stamp);
	}
	if (!resume && mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "vmsweep run: %s: %s\n", dir, strerror(errno));
		goto out;
	}
	vm_default_kernel_path(ctx.kernel, sizeof(ctx.kernel));
	if (store_setup(&ctx, dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsweep run: %s\n", err);
		goto out;
	}
	ctx.nr_workers = (unsigned)(jobs ? jobs : cfg.jobs ? cfg.jobs : 1);
	pthread_mutex_init(&ctx.lock, NULL);
	fprintf(stderr, "vmsweep run: sweep %s: %zu points x %u = %zu runs, %zu to do, %u at a time -> %s\n", cfg.name,
		plan.nr_points, cfg.repeat, plan.nr_runs, ctx.nr_pending, ctx.nr_workers, dir);

	stop_signals_catch(on_stop_signal, NULL);
	struct worker *w = calloc(ctx.nr_workers, sizeof(*w));
	double t0 = wall_now(), last = 0;
	bool tty = isatty(STDERR_FILENO);
	for (unsigned i = 0; w && i < ctx.nr_workers; i++) {
		w[i] = (struct worker){ .ctx = &ctx, .index = i };
		pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
	}
	while (w) {
		size_t n = atomic_load(&ctx.done) + atomic_load(&ctx.failed);
		bool idle = !atomic_load(&ctx.running);
		if ((n >= ctx.nr_pending || stop_level) && idle && (ctx.next >= ctx.nr_pending || stop_level))
			break;
		if (wall_now() - last >= (tty ? 0.5 : 10.0)) {
			progress_show(&ctx, t0, tty, false);
			last = wall_now();
		}
		usleep(100000);
	}
	for (unsigned i = 0; w && i < ctx.nr_workers; i++)
		pthread_join(w[i].thread, NULL);
	free(w);
	progress_show(&ctx, t0, tty, true);
	size_t left = 0, *ids = NULL;
	store_runs_pending(ctx.store, &ids, &left, err, sizeof(err));
	free(ids);
	fprintf(stderr, "vmsweep run: %zu runs recorded (%zu failed), %zu left%s; results in %s\n",
		atomic_load(&ctx.done) + atomic_load(&ctx.failed), atomic_load(&ctx.failed), left,
		left ? " (finish with: vmsweep run CONFIG --resume DIR)" : "", store_path(ctx.store));
	printf("%s\n", dir);
	rc = left ? (stop_level ? 130 : 1) : 0;
out:
	if (ctx.store)
		store_close(ctx.store);
	free(ctx.pending);
	free((void *)ctx.workload);
	sweep_plan_free(&plan);
	sweep_config_free(&cfg);
	return rc;
}
