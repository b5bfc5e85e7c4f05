/* `vmsweep run`: the runner (run.c) and the store it fills (run_store.c). */
#ifndef CMD_RUN_H
#define CMD_RUN_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"
#include "sweep/config.h"
#include "sweep/grid.h"
#include "sweep/run_inputs.h"
#include "sweep/shard.h"
#include "vmsweep/workload.h"

struct fio_json_opts;

struct sweep_ctx {
	const struct sweep_config *cfg;
	const struct sweep_plan *plan;
	struct store *store;
	struct sweep_build build;
	struct vms_workload **workloads; /* per point: what it runs (NULL: the built-in workload) */
	size_t *workload_sizes;
	struct fio_json_opts **json_opts; /* per point: its job file's options for fio's JSON */
	char kernel[4096];
	const char *dir; /* the results directory */
	char **inputs; /* per point: what determines its runs */
	size_t *run_ids; /* per plan run: its id in the store */
	bool force; /* --force: resume although what determines the runs changed */
	bool grows; /* the plan grows by design (capacity's probes): no word of it */
	struct noise_baseline noise_base; /* the calibration loop and the clock at the sweep's start (sweep/noise.h) */
	unsigned nr_workers;
	struct sweep_shard shard; /* run --shard I/N (count 0: the whole sweep) */
	const char *plan_digest; /* --plan-digest: the plan the shard must run (NULL: any) */
	size_t shard_runs; /* the plan runs that are the shard's, */
	char *shard_text; /* their ids as ranges, */
	unsigned *shard_of; /* and every plan run's shard */
	char digest[17]; /* run_plan_digest */

	pthread_mutex_t lock; /* next, store_error */
	size_t *pending, nr_pending, next; /* plan run indexes still to run, in plan order */
	atomic_size_t done, failed, skipped, running; /* skipped: repeat = auto did not need them */
	char store_error[1100]; /* the first run that could not be stored */
};

/*
 * Opens (creating) the store in dir and makes it hold this sweep: the plan written or
 * grown, every recorded run checked against what the config gives now (refused unless
 * ctx->force, which records the change in the manifest), the manifest written, and
 * ctx->pending filled. -1 with err; *usage set when the refusal is the config's fault.
 */
int run_store_setup(struct sweep_ctx *ctx, const char *dir, bool *usage, char *err, size_t errlen);
void run_store_free(struct sweep_ctx *ctx);

/* repeat = auto (run_repeat.c): 1 when plan run `run` is needed, 0 when its point's
 * intervals are narrow enough already (why: the evidence, for the run's cause), -1 with err. */
int run_repeat_needed(struct sweep_ctx *ctx, size_t run, char *why, size_t len, char *err, size_t errlen);

/* run --shard (run_shard.c). prepare, in run_store_setup before anything is written:
 * adopts the shard a shard store holds when none is given (and refuses a shard's
 * directory run whole); refuses another shard, a grown plan, a plan other than
 * ctx->plan_digest or the one the store began with, a block device; computes the shard's
 * runs. *usage when the refusal is the config's or options' fault. record, after the plan
 * is written: the shard in the manifest, the rollback journal, ctx->pending cut to the
 * shard's runs. */
int run_shard_prepare(struct sweep_ctx *ctx, size_t nr_new, bool *usage, char *err, size_t errlen);
int run_shard_record(struct sweep_ctx *ctx, char *err, size_t errlen);
/* A digest of what determines the plan's runs: parameters, points, each point's inputs
 * (sweep/run_inputs.h: the build, the job files, the VM), repetitions and seeds. */
void run_plan_digest(const struct sweep_ctx *ctx, char out[17]);
/* Before a shard's first run (run_host_check.c): this machine has KVM, and CPUs for jobs
 * runs at a time that are idle now. -1 with err naming the node. */
int run_shard_host_check(unsigned jobs, char *err, size_t errlen);

/* The build id of the guest kernel ELF at kernel ("unknown" when unreadable). */
void run_guest_build_id(const char *kernel, char out[41]);
/* The config path a store was made with (absolute), malloc'd into *path. */
int run_store_config_path(const char *dir, char **path, char *err, size_t errlen);
/* The runner, for `vmsweep capacity` (run.c): each point's workload compiled into ctx;
 * the pending runs run, ctx->nr_workers at a time, until done or stopped (Ctrl-C: runs
 * stay pending). */
int compile_workloads(const struct sweep_config *cfg, const struct sweep_plan *plan, struct sweep_ctx *ctx,
		      char *err, size_t errlen);
void runs_execute(struct sweep_ctx *ctx);
/* What compile_workloads made, freed (ctx->plan still valid). */
void release_workloads(struct sweep_ctx *ctx);
/* The backends the sweep's points use, set up (run_backends.c): -1 with err. */
int run_backends_begin(struct sweep_ctx *ctx, char *err, size_t errlen);
void run_backends_end(const struct sweep_ctx *ctx);
#endif
