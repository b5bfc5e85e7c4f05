/*
 * vmsweep status DIR: where a sweep submitted in shards stands. Per shard: the runs it
 * owes (the manifest's shard.<I>.runs), how many its store recorded done, failed or not
 * needed, how many are missing, how many DIR's merged store holds; and what Slurm says
 * of its array task (squeue while queued or running, scontrol show job while slurmctld
 * remembers it: there is no sacct without slurmdbd).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/shard_dirs.h"
#include "cmd/slurm.h"
#include "store/store.h"
#include "util/error.h"
#include "util/id_ranges.h"

/* t, if it is newer than what table[] holds for its array task (or as new: squeue's
 * line, which says where it runs, after scontrol's of the same job). */
static void task_note(struct slurm_task *table, size_t nr, const struct slurm_task *t)
{
	if (t->task < 0 || (size_t)t->task >= nr)
		return;
	struct slurm_task *was = &table[t->task];
	if (!was->state[0] || strtoull(t->job, NULL, 10) >= strtoull(was->job, NULL, 10))
		*was = *t;
}

/* table[T]: the latest state Slurm has of array task T of the sweep's arrays (state ""
 * when none): scontrol for the tasks it remembers, squeue for those still queued. -1
 * with why when Slurm cannot be asked. */
static int slurm_task_table(const char *arrays, struct slurm_task *table, size_t nr, char *why, size_t len)
{
	struct slurm_task *q = NULL, *t;
	size_t nr_q, nr_t;
	if (slurm_queue(arrays, &q, &nr_q, why, len))
		return -1;
	char *list = strdup(arrays);
	for (char *save, *job = list ? strtok_r(list, ",", &save) : NULL; job; job = strtok_r(NULL, ",", &save)) {
		if (slurm_job_tasks(job, &t, &nr_t, why, len))
			continue;
		for (size_t i = 0; i < nr_t; i++)
			task_note(table, nr, &t[i]);
		free(t);
	}
	for (size_t i = 0; i < nr_q; i++)
		task_note(table, nr, &q[i]);
	free(list);
	free(q);
	return 0;
}

/* What status found; printed as a table or as JSON. */
struct status {
	const char *dir;
	unsigned nr_shards;
	struct shard_count *shard, total;
	const struct slurm_task **task; /* per shard: Slurm's latest word on its array task, or NULL */
	const char *arrays, *report_job;
	struct slurm_task report; /* state "" when Slurm does not know it */
	char slurm_why[1024]; /* why Slurm could not be asked ("" when it could) */
};

static void status_print(const struct status *st)
{
	const struct shard_count *t = &st->total;
	printf("%s: %u shards%s%s%s\n", st->dir, st->nr_shards, st->arrays ? ", Slurm job array " : "",
	       st->arrays ? st->arrays : "", st->arrays ? "" : " (not submitted)");
	printf("%5s %6s %6s %6s %7s %7s %6s  %s\n", "shard", "runs", "done", "failed", "skipped", "missing", "merged",
	       "slurm (array task)");
	for (unsigned i = 0; i < st->nr_shards; i++) {
		const struct shard_count *c = &st->shard[i];
		const struct slurm_task *k = st->task[i];
		char slurm[200] = "";
		if (k)
			snprintf(slurm, sizeof(slurm), "%s %s (%s_%ld)", k->state, k->detail, k->job, k->task);
		else if (st->arrays)
			snprintf(slurm, sizeof(slurm), "%s", st->slurm_why[0] ? "?" : "not known to Slurm any more");
		printf("%5u %6zu %6zu %6zu %7zu %7zu %6zu  %s%s\n", i, c->runs, c->done, c->failed, c->skipped, c->missing,
		       c->merged, slurm, c->unreadable ? " (its store cannot be read: counted missing)" : "");
	}
	printf("%5s %6zu %6zu %6zu %7zu %7zu %6zu\n", "all", t->runs, t->done, t->failed, t->skipped, t->missing,
	       t->merged);
	if (st->slurm_why[0])
		printf("Slurm: not asked: %s\n", st->slurm_why);
	if (st->report_job)
		printf("report job %s: %s%s%s\n", st->report_job,
		       st->report.state[0] ? st->report.state : "not known to Slurm any more",
		       st->report.state[0] ? " " : "", st->report.detail);
	if (t->missing)
		printf("%zu runs missing: while tasks run, wait; once they are done, vmsweep submit --resume %s\n",
		       t->missing, st->dir);
	else if (t->merged < t->runs)
		printf("every run is recorded; vmsweep merge %s joins them for the report\n", st->dir);
}

static json_t *counts_json(const struct shard_count *c)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "runs", (json_int_t)c->runs, "done", (json_int_t)c->done,
			 "failed", (json_int_t)c->failed, "skipped", (json_int_t)c->skipped, "missing",
			 (json_int_t)c->missing, "merged", (json_int_t)c->merged);
}

static json_t *task_json(const struct slurm_task *k)
{
	if (!k || !k->state[0])
		return json_null();
	return json_pack("{s:s, s:I, s:s, s:s}", "job", k->job, "task", (json_int_t)k->task, "state", k->state,
			 "detail", k->detail);
}

static int status_print_json(const struct status *st)
{
	json_t *shards = json_array();
	for (unsigned i = 0; shards && i < st->nr_shards; i++) {
		json_t *o = counts_json(&st->shard[i]);
		json_object_set_new(o, "shard", json_integer(i));
		json_object_set_new(o, "unreadable", json_boolean(st->shard[i].unreadable));
		json_object_set_new(o, "slurm", task_json(st->task[i]));
		json_array_append_new(shards, o);
	}
	json_t *doc = json_pack("{s:s, s:o, s:o, s:s?, s:s?, s:o, s:s?}", "dir", st->dir, "shards", shards, "total",
				counts_json(&st->total), "slurm_array_jobs", st->arrays, "report_job", st->report_job,
				"report", task_json(&st->report), "slurm_error", st->slurm_why[0] ? st->slurm_why : NULL);
	int r = doc && json_dumpf(doc, stdout, JSON_INDENT(2)) == 0 ? 0 : -1;
	putchar('\n');
	json_decref(doc);
	return r;
}

static int status_show(const char *dir, bool json, char *err, size_t errlen)
{
	struct store *s = NULL;
	char *shards_text = NULL, *k_text = NULL, *arrays = NULL, *report = NULL;
	enum store_status *merged = NULL;
	size_t nr_merged = 0;
	struct slurm_task *tasks = NULL; /* by array task */
	struct status st = { .dir = dir };
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
	st.nr_shards = (unsigned)strtoul(shards_text, NULL, 10);
	unsigned k = k_text ? (unsigned)strtoul(k_text, NULL, 10) : 1;
	if (k < 1)
		k = 1;
	st.arrays = arrays;
	st.report_job = report;
	size_t nr_tasks = st.nr_shards / k + 1;
	st.shard = calloc(st.nr_shards + 1, sizeof(*st.shard));
	st.task = calloc(st.nr_shards + 1, sizeof(*st.task));
	tasks = calloc(nr_tasks, sizeof(*tasks));
	if (!st.shard || !st.task || !tasks) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	if (arrays)
		slurm_task_table(arrays, tasks, nr_tasks, st.slurm_why, sizeof(st.slurm_why));
	for (unsigned i = 0; i < st.nr_shards; i++) {
		struct shard_count *c = &st.shard[i];
		if (shard_count_runs(s, dir, i, merged, nr_merged, c, err, errlen))
			goto out;
		st.task[i] = tasks[i / k].state[0] ? &tasks[i / k] : NULL;
		st.total.runs += c->runs, st.total.done += c->done, st.total.failed += c->failed;
		st.total.skipped += c->skipped, st.total.missing += c->missing, st.total.merged += c->merged;
	}
	if (report) {
		struct slurm_task *q = NULL;
		size_t n = 0;
		char why[256];
		if (!slurm_queue(report, &q, &n, why, sizeof(why)) && !n)
			slurm_job_tasks(report, &q, &n, why, sizeof(why));
		if (n)
			st.report = q[0];
		free(q);
	}
	if (json)
		r = status_print_json(&st) ? errorf(err, errlen, "out of memory") : 0;
	else
		status_print(&st), r = 0;
out:
	store_close(s);
	free(shards_text);
	free(k_text);
	free(arrays);
	free(report);
	free(merged);
	free(tasks);
	free(st.shard);
	free(st.task);
	return r;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vmsweep status DIR [--json]\n"
		   "Where a sweep submitted in shards (vmsweep submit) stands: per shard the runs\n"
		   "it owes, recorded done, failed or not needed (repeat = auto), missing, and\n"
		   "merged into DIR/results.sqlite; and Slurm's state of its array task (squeue,\n"
		   "scontrol show job, sacct where the cluster keeps accounting).\n"
		   "  --json   the same as one JSON object, for scripts\n");
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
					       { NULL, 0, NULL, 0 } };
	char err[2048];
	bool json = false;
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'j') {
			json = true;
			continue;
		}
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? 0 : EXIT_USAGE;
	}
	if (argc - optind != 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (status_show(argv[optind], json, err, sizeof(err))) {
		fprintf(stderr, "vmsweep status: %s\n", err);
		return EXIT_HOST;
	}
	return 0;
}
