/*
 * The results store of a sweep: one SQLite database per sweep directory,
 * DIR/results.sqlite, that the sqlite3 command reads as it is.
 *
 * Tables (schema version STORE_SCHEMA_VERSION in PRAGMA user_version):
 *   manifest(key, value)                 what a re-run needs: build ids, config and job
 *                                        files' text, host kernel, CPU, KVM caps, seeds
 *   params(idx, name)                    the swept parameters, in order
 *   points(id), point_values(point, param, value)
 *   runs(id, point, rep, seed, status, cause, started, ended, wall_ms, exit_status, inputs)
 *                                        ids in the order of execution (a grown sweep's
 *                                        new runs after the old); status 'planned',
 *                                        'done', 'failed' or 'skipped' (repeat = auto:
 *                                        not needed, the cause says why); started/ended
 *                                        Unix seconds;
 *                                        inputs: what determined it, in
 *   run_inputs(id, text)                 one row per distinct text (sweep/run_inputs.h)
 *   metrics(run, name, value)            one number per run and name (see below)
 *   histograms(run, name, nr_buckets, counts)
 *                                        fio's buckets as uint64 little-endian, so
 *                                        repetitions merge exactly by adding counts
 *   timeseries(run, series, t_ns, value)
 *   console(run, text)                   failed runs only
 *
 * Seeds are uint64 stored bit for bit in SQLite's int64 (a seed >= 2^63 reads negative
 * in sqlite3). A run is recorded in one transaction, so a process killed at any moment
 * leaves each run either wholly recorded or still 'planned'.
 *
 * Errors follow the host's convention (util/error.h): -1 and a message in err.
 * One struct store may be shared by threads: its calls are serialised.
 */
#ifndef VMSWEEP_STORE_H
#define VMSWEEP_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <vmsweep/hist.h>

#define STORE_FILE "results.sqlite"
#define STORE_SCHEMA_VERSION 3
#define STORE_NAME_MAX 96 /* metric, histogram and series names, with the NUL */

struct store;
struct vm_result;
struct vms_workload;

/*
 * Opens DIR/results.sqlite. create: make DIR and the database if missing (an existing
 * store is opened as it is: store_plan_write then tells a resume from another sweep);
 * otherwise a missing store is an error. Foreign keys, a busy timeout; WAL for a store it
 * makes (an existing one keeps its journal mode).
 */
int store_open(const char *dir, bool create, struct store **s, char *err, size_t errlen);
void store_close(struct store *s);
/* DIR/results.sqlite as it is, read-only: nothing written, not even the journal mode (a
 * shard store that another process, perhaps on another host, is writing). -1 with err
 * when missing, unreadable, or of another schema version. */
int store_open_readonly(const char *dir, struct store **s, char *err, size_t errlen);
/* The store kept in SQLite's rollback journal (synchronous FULL) from now on, rather than
 * WAL: WAL needs every process that opens the file on one host, which a shard store on a
 * cluster's shared file system cannot promise. */
int store_journal_rollback(struct store *s, char *err, size_t errlen);
/* DIR/results.sqlite */
const char *store_path(const struct store *s);

/* Inserts or replaces. "created" is set when the database is made. */
int store_manifest_set(struct store *s, const char *key, const char *value, char *err, size_t errlen);
/* The keys matching a GLOB pattern ("disk.*.host") removed. */
int store_manifest_delete(struct store *s, const char *pattern, char *err, size_t errlen);
/* *value is malloc'd, or NULL when the key is absent (still 0). */
int store_manifest_get(struct store *s, const char *key, char **value, char *err, size_t errlen);
/* host_kernel (uname), cpu_model (/proc/cpuinfo), host_cpus, kvm_caps: what the host
 * contributes to the manifest. */
int store_manifest_host(struct store *s, char *err, size_t errlen);

/* ---- The plan ---- */
struct store_plan_run {
	size_t point;
	unsigned rep;
	uint64_t seed;
};

struct store_plan {
	size_t nr_params;
	const char *const *names;
	size_t nr_points;
	const int64_t *values; /* values[point * nr_params + param] */
	size_t nr_runs;
	const struct store_plan_run *runs; /* in the order of execution */
};

/* run_ids[i] of a plan run the store does not hold yet */
#define STORE_RUN_NEW SIZE_MAX

/*
 * Matches p against the plan the store holds, changing nothing: run_ids[i] is the
 * store's id of p's run i, or STORE_RUN_NEW; *nr_new counts those. An empty store
 * matches with every run new. A sweep may grow (points are matched by their values,
 * runs by point and repetition), but different parameters, a stored point or run that
 * p lacks, or a stored run whose seed differs are refused, naming the first of them, so
 * that a resume cannot mix two experiments.
 */
int store_plan_match(struct store *s, const struct store_plan *p, size_t *run_ids, size_t *nr_new, char *err,
		     size_t errlen);
/* store_plan_match, then in the same transaction adds what is new: points and runs take
 * the next ids (runs in p's order). run_ids[] as above, every one then a stored id. */
int store_plan_write(struct store *s, const struct store_plan *p, size_t *run_ids, char *err, size_t errlen);

/*
 * The recorded (done or failed) runs and what determined each (store_run.inputs), in
 * id order: fn(arg, run id, inputs or NULL when none was stored) for each, until fn
 * returns non-zero (which is returned).
 */
int store_recorded_inputs(struct store *s, int (*fn)(void *arg, size_t run_id, const char *inputs), void *arg,
			  char *err, size_t errlen);

/* The runs still 'planned', in id order: what a resumed sweep has left to do.
 * *run_ids is malloc'd (NULL when *n is 0). */
int store_runs_pending(struct store *s, size_t **run_ids, size_t *n, char *err, size_t errlen);

/* Skipped runs (repeat = auto) back to 'planned': a resume decides again whether their
 * points need them, under the config it is given. */
int store_runs_unskip(struct store *s, char *err, size_t errlen);

/* ---- One run's results ---- */
enum store_status { STORE_PLANNED, STORE_DONE, STORE_FAILED, STORE_SKIPPED };
const char *store_status_name(enum store_status st);

struct store_metric {
	char name[STORE_NAME_MAX];
	double value; /* a NaN is stored as NULL */
};
struct store_hist {
	char name[STORE_NAME_MAX];
	uint64_t counts[VMS_HIST_NR];
};
struct store_sample {
	uint64_t t_ns;
	double value;
};
struct store_series {
	char name[STORE_NAME_MAX];
	size_t n, cap;
	struct store_sample *v;
};

/* What store_run_record writes. Zero it, fill it (directly or with the helpers below);
 * store_run_free releases the arrays and console, which must be malloc'd. */
struct store_run {
	enum store_status status; /* STORE_DONE, STORE_FAILED, or STORE_SKIPPED (nothing but the cause) */
	char cause[640]; /* why it failed, one line; "" when done */
	double started, ended; /* Unix time, seconds; 0: unknown (NULL) */
	double wall_ms;
	int exit_status;
	size_t nr_metrics, cap_metrics;
	struct store_metric *metrics;
	size_t nr_hists, cap_hists;
	struct store_hist *hists;
	size_t nr_series, cap_series;
	struct store_series *series;
	char *console; /* NULL: none */
	size_t console_len;
	const char *inputs; /* what determined the run (sweep/run_inputs.h), stored once per
			     * distinct text; NULL: none. Not freed by store_run_free. */
};

/* Appenders: 0, or -1 when out of memory (or the name is too long). */
int store_run_metric(struct store_run *r, const char *name, double value);
/* A zeroed histogram named name, or NULL. */
struct store_hist *store_run_hist(struct store_run *r, const char *name);
/* Appends (t_ns, value) to the series named name, made on first use. */
int store_run_sample(struct store_run *r, const char *series, uint64_t t_ns, double value);
void store_run_free(struct store_run *r);

/*
 * The metric set of one guest run, from its vm_result and its workload (NULL for the
 * built-in one). Failed runs keep what they measured, their cause is
 * "<vm status>: <reason>", and their console (then the VMM's detail) goes along.
 * wall_ms is the VM's own (creation to end); started/ended are left 0 for the runner. A VM_INTERRUPTED run is better left
 * unrecorded: it stays planned and a resume runs it again.
 * 0, or -1 when out of memory.
 *
 * Metrics (integers stored as REAL) are named in the metric tables: the VMM's own in
 * store/metric_docs.c, each record family's in its ops table (records/); a name no
 * table has is refused. `vmsweep export --list-metrics` lists them with what they mean.
 * <job> is the job's section name; jobs reported together by fio (group_reporting:
 * the group under its first job's name) and clones of one section (numjobs) are
 * merged as fio merges a group: I/O and histograms added, runtime the longest (for
 * memory jobs: counts and rss_max summed, runtime the longest).
 * Histograms: wakeup_ns, fio.<job>.<read|write>.clat_ns, mem.<job>.<class>_ns (the
 * classes with samples).
 * Time series, t_ns since CPU 0's first instruction:
 *   cpu.<N>.nr_running, cpu.<N>.switches, cpu.<N>.ticks   from the guest's samples
 *   nr_free_pages, wmark_min, wmark_low, wmark_high (summed over zones),
 *   nr_active_anon, nr_inactive_anon, nr_active_file, nr_inactive_file (pages), and
 *   pgscan_kswapd, pgscan_direct, pgsteal_kswapd, pgsteal_direct, allocstall, pswpin,
 *   pswpout (counts since boot), in_direct_reclaim, kswapd_running (tasks)
 *                                          from the guest's vmstat samples
 */
int store_run_from_vm_result(const struct vm_result *res, const struct vms_workload *wl, struct store_run *out);

/* Whether a metric of that name is in a metric table; the tables printed, one line a name. */
bool metric_name_known(const char *name);
void metric_docs_print(FILE *f);
/* The tables' fnmatch patterns ("fio.*.write.iops"), up to max of them into out. */
size_t metric_docs_patterns(const char **out, size_t max);

/*
 * Records run run_id in one transaction: status, cause, timings, metrics, histograms,
 * time series, console. Recording a run that is not 'planned' (already recorded, or
 * not in the plan) is an error and changes nothing.
 */
int store_run_record(struct store *s, size_t run_id, const struct store_run *r, char *err, size_t errlen);

/* ---- Reading back (what the report reads: store/query.h) ---- */
/* Histogram name of run run_id into counts: 1, 0 when the run has none by that name, -1. */
int store_hist_get(struct store *s, size_t run_id, const char *name, uint64_t counts[VMS_HIST_NR], char *err,
		   size_t errlen);
/* counts = the sum of histogram name over the 'done' runs of point; *nr_runs of them
 * had it. */
int store_hist_merge_point(struct store *s, size_t point, const char *name, uint64_t counts[VMS_HIST_NR],
			   size_t *nr_runs, char *err, size_t errlen);

/*
 * Flat files, one row per run in id order (planned ones too, without metrics), with
 * every column: store_export_select of store/export.h (which lists the columns) without
 * --where or --metrics.
 */
int store_export(struct store *s, const char *format, FILE *out, char *err, size_t errlen);

/* ---- Shards (store/merge.c) ---- */
/* What one shard gave a merge. */
struct store_merge {
	char shard[16]; /* its index, from its manifest's shard ("" when it has none) */
	bool empty; /* a store not begun (an empty file, no plan): nothing merged, nothing refused */
	size_t added; /* runs it recorded that the merged store took now */
	size_t already; /* runs merged from it before */
	size_t duplicates; /* runs it recorded that the merged store holds from elsewhere (kept so) */
};
/* Called with the ids about to be merged, before they are: their files. -1 with err. */
typedef int (*store_merge_files_fn)(void *arg, const size_t *ids, size_t n, char *err, size_t errlen);
/*
 * Merges the store of shard_dir (a `vmsweep run --shard` store) into s: refused (-1,
 * naming what differs) unless it holds the same plan (parameters, points, runs and their
 * ids and seeds) made from the same config and build; an empty s takes its plan first.
 * Then, in one transaction, every run the shard recorded that s still has planned, with
 * its metrics, histograms, time series, console and inputs; the shard's host under
 * shard.<I>.<key> in the manifest (s's own host keys say whether the shards agree) and
 * its run list as shard.<I>.runs. Re-running it adds nothing. Not thread-safe.
 */
int store_merge_shard(struct store *s, const char *shard_dir, store_merge_files_fn files, void *arg,
		      struct store_merge *m, char *err, size_t errlen);
/* The manifest keys that describe a shard's host, NULL-terminated. */
extern const char *const store_host_keys[];
/* Each run's status, indexed by id, in a malloc'd array of *nr_ids (max id + 1). */
int store_run_statuses(struct store *s, enum store_status **status, size_t *nr_ids, char *err, size_t errlen);

/* PRAGMA integrity_check and foreign_key_check, and no results under a run that is
 * still planned. 0 when all hold. */
int store_integrity_check(struct store *s, char *err, size_t errlen);
#endif
