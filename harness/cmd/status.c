/*
 * vmsweep status DIR: where a sweep submitted in shards stands. Per shard: the runs it
 * owes (the manifest's shard.<I>.runs), how many its store recorded done, failed or not
 * needed, how many are missing, how many DIR's merged store holds; and what Slurm says
 * of its array task (squeue while queued or running, scontrol show job while slurmctld
 * remembers it: there is no sacct without slurmdbd).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/shard_dirs.h"
#include "cmd/slurm.h"
#include "store/store.h"
#include "util/error.h"
#include "util/id_ranges.h"

struct shard_count {
	size_t runs, done, failed, skipped, missing, merged;
	bool has_store;
};

/* Counts of ids by status in st (NULL: the shard has no store yet: all missing). */
static void shard_counts(const size_t *ids, size_t n, const enum store_status *st, size_t nr_st,
			 const enum store_status *merged, size_t nr_merged, struct shard_count *c)
{
	c->runs = n;
	for (size_t i = 0; i < n; i++) {
		enum store_status v = st && ids[i] < nr_st ? st[ids[i]] : STORE_PLANNED;
		c->done += v == STORE_DONE;
		c->failed += v == STORE_FAILED;
		c->skipped += v == STORE_SKIPPED;
		c->missing += v == STORE_PLANNED;
		c->merged += ids[i] < nr_merged && merged[ids[i]] != STORE_PLANNED;
	}
}

/* The latest state Slurm has of array task `task` among tasks[]. */
static const struct slurm_task *task_find(const struct slurm_task *t, size_t n, long task)
{
	const struct slurm_task *best = NULL;
	for (size_t i = 0; i < n; i++)
		if (t[i].task == task && (!best || strtoull(t[i].job, NULL, 10) > strtoull(best->job, NULL, 10)))
			best = &t[i];
	return best;
}

/* What Slurm knows of the sweep's arrays: queued tasks and, for those it remembers,
 * finished ones. NULL with why when it cannot be asked. */
static struct slurm_task *slurm_tasks(const char *arrays, size_t *n, char *why, size_t len)
{
	struct slurm_task *all = NULL, *t;
	size_t nr;
	*n = 0;
	if (slurm_queue(arrays, &all, n, why, len))
		return NULL;
	char *list = strdup(arrays);
	for (char *save, *job = list ? strtok_r(list, ",", &save) : NULL; job; job = strtok_r(NULL, ",", &save)) {
		if (slurm_job_tasks(job, &t, &nr, why, len))
			continue;
		struct slurm_task *more = realloc(all, (*n + nr + 1) * sizeof(*all));
		if (more) {
			all = more;
			for (size_t i = 0; i < nr; i++) /* a queued task's squeue line says more */
				if (!task_find(all, *n, t[i].task) || strcmp(task_find(all, *n, t[i].task)->job, t[i].job))
					all[(*n)++] = t[i];
		}
		free(t);
	}
	free(list);
	return all;
}

static int status_show(const char *dir, char *err, size_t errlen)
{
	struct store *s = NULL;
	char *shards_text = NULL, *k_text = NULL, *arrays = NULL, *report = NULL, why[1024] = "";
	enum store_status *merged = NULL;
	size_t nr_merged = 0, nr_tasks = 0;
	struct slurm_task *tasks = NULL;
	struct shard_count total = { 0 };
	int r = -1;

	if (store_open(dir, false, &s, err, errlen) || store_manifest_get(s, "shards", &shards_text, err, errlen) ||
	    store_manifest_get(s, "slurm.nodes_per_task", &k_text, err, errlen) ||
	    store_manifest_get(s, "slurm.array_jobs", &arrays, err, errlen) ||
	    store_manifest_get(s, "slurm.report_job", &report, err, errlen) ||
	    store_run_statuses(s, &merged, &nr_merged, err, errlen))
		goto out;
	if (!shards_text) {
		errorf(err, errlen, "%s: not a sweep submitted in shards (vmsweep submit); vmsweep report %s says how it"
				    " stands", dir, dir);
		goto out;
	}
	unsigned shards = (unsigned)strtoul(shards_text, NULL, 10), k = k_text ? (unsigned)strtoul(k_text, NULL, 10) : 1;
	if (k < 1)
		k = 1;
	if (arrays && !(tasks = slurm_tasks(arrays, &nr_tasks, why, sizeof(why))))
		nr_tasks = 0;
	printf("%s: %u shards%s%s%s\n", dir, shards, arrays ? ", Slurm job array " : "", arrays ? arrays : "",
	       arrays ? "" : " (not submitted)");
	printf("%5s %6s %6s %6s %7s %7s %6s  %s\n", "shard", "runs", "done", "failed", "skipped", "missing", "merged",
	       "slurm (array task)");
	for (unsigned i = 0; i < shards; i++) {
		char key[64], *runs = NULL, path[4200];
		size_t *ids = NULL, n = 0, nr_st = 0;
		enum store_status *st = NULL;
		struct store *shard = NULL;
		struct shard_count c = { 0 };
		snprintf(key, sizeof(key), "shard.%u.runs", i);
		if (store_manifest_get(s, key, &runs, err, errlen) || (runs && id_ranges_parse(runs, &ids, &n, err, errlen))) {
			free(runs);
			goto out;
		}
		free(runs);
		shard_dir_path(dir, i, path, sizeof(path));
		char serr[512];
		if (store_open(path, false, &shard, serr, sizeof(serr)) == 0)
			store_run_statuses(shard, &st, &nr_st, serr, sizeof(serr));
		store_close(shard);
		shard_counts(ids, n, st, nr_st, merged, nr_merged, &c);
		const struct slurm_task *t = task_find(tasks, nr_tasks, (long)(i / k));
		char slurm[200] = "";
		if (t)
			snprintf(slurm, sizeof(slurm), "%s %s (%s_%ld)", t->state, t->detail, t->job, t->task);
		else if (arrays)
			snprintf(slurm, sizeof(slurm), "%s", why[0] ? "?" : "not known to slurmctld any more");
		printf("%5u %6zu %6zu %6zu %7zu %7zu %6zu  %s\n", i, c.runs, c.done, c.failed, c.skipped, c.missing, c.merged,
		       slurm);
		total.runs += c.runs, total.done += c.done, total.failed += c.failed, total.skipped += c.skipped;
		total.missing += c.missing, total.merged += c.merged;
		free(ids);
		free(st);
	}
	printf("%5s %6zu %6zu %6zu %7zu %7zu %6zu\n", "all", total.runs, total.done, total.failed, total.skipped,
	       total.missing, total.merged);
	if (why[0])
		printf("Slurm: not asked: %s\n", why);
	if (report) {
		const struct slurm_task *t = NULL;
		struct slurm_task *q = NULL;
		size_t n = 0;
		if (!slurm_queue(report, &q, &n, why, sizeof(why)) && !n)
			slurm_job_tasks(report, &q, &n, why, sizeof(why));
		t = n ? &q[0] : NULL;
		printf("report job %s: %s%s%s\n", report, t ? t->state : "not known to slurmctld any more", t ? " " : "",
		       t ? t->detail : "");
		free(q);
	}
	if (total.missing)
		printf("%zu runs missing: while tasks run, wait; once they are done, vmsweep submit --resume %s\n",
		       total.missing, dir);
	else if (total.merged < total.runs)
		printf("every run is recorded; vmsweep merge %s joins them for the report\n", dir);
	r = 0;
out:
	store_close(s);
	free(shards_text);
	free(k_text);
	free(arrays);
	free(report);
	free(merged);
	free(tasks);
	return r;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	char err[2048];
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		FILE *f = opt == 'h' ? stdout : stderr;
		fprintf(f, "usage: vmsweep status DIR\n"
			   "Where a sweep submitted in shards (vmsweep submit) stands: per shard the runs\n"
			   "it owes, recorded done, failed or not needed (repeat = auto), missing, and\n"
			   "merged into DIR/results.sqlite; and Slurm's state of its array task.\n");
		return opt == 'h' ? 0 : EXIT_USAGE;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: vmsweep status DIR\n");
		return EXIT_USAGE;
	}
	if (status_show(argv[optind], err, sizeof(err))) {
		fprintf(stderr, "vmsweep status: %s\n", err);
		return EXIT_HOST;
	}
	return 0;
}
