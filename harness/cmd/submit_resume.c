/*
 * vmsweep submit --resume DIR: finishing a sweep submitted in shards. What each shard
 * still owes is read from the shard stores themselves (read-only: an unreadable or empty
 * one owes all of its runs), and only the array tasks that owe runs are submitted again,
 * with a new report job after them; their shards go on from their stores. Refused while
 * a task of the sweep is still queued or running, which would write a shard twice.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/shard_dirs.h"
#include "cmd/slurm.h"
#include "cmd/submit.h"
#include "store/store.h"
#include "util/dir_lock.h"
#include "util/error.h"
#include "util/id_ranges.h"

static int manifest_uint(struct store *s, const char *key, unsigned *v, char *err, size_t errlen)
{
	char *text = NULL;
	if (store_manifest_get(s, key, &text, err, errlen))
		return -1;
	int r = text ? 0 : errorf(err, errlen, "%s: its manifest has no %s: not made by vmsweep submit", store_path(s), key);
	if (text)
		*v = (unsigned)strtoul(text, NULL, 10);
	free(text);
	return r;
}

/* Any task of the sweep's arrays still queued or running: refused, naming it. */
static int queue_check(const char *arrays, char *err, size_t errlen)
{
	struct slurm_task *t;
	size_t n;
	if (slurm_queue(arrays, &t, &n, err, errlen))
		return -1;
	int r = 0;
	if (n)
		r = errorf(err, errlen, "task %s_%ld of the sweep is %s%s%s: wait for it (vmsweep status), or scancel it,"
					" then resume",
			   t[0].job, t[0].task, t[0].state, t[0].detail[0] ? " " : "", t[0].detail);
	free(t);
	return r;
}

/* The array tasks whose shards still owe runs, as "2,5-7" (malloc'd; "" for none), read
 * from the shard stores themselves: nothing is merged or written. */
static char *tasks_owing(struct store *s, const char *dir, unsigned shards, unsigned k, size_t *missing, char *err,
			 size_t errlen)
{
	size_t *task = malloc((shards / k + 1) * sizeof(*task)), nr_tasks = 0;
	char *text = NULL;

	*missing = 0;
	if (!task) {
		errorf(err, errlen, "out of memory");
		return NULL;
	}
	for (unsigned i = 0; i < shards; i++) {
		struct shard_count c;
		if (shard_count_runs(s, dir, i, NULL, 0, &c, err, errlen))
			goto out;
		if (c.unreadable)
			fprintf(stderr, "vmsweep submit: shard %u's store cannot be read: its runs count as missing\n", i);
		*missing += c.missing;
		if (c.missing && (!nr_tasks || task[nr_tasks - 1] != i / k))
			task[nr_tasks++] = i / k;
	}
	if (!(text = id_ranges_format(task, nr_tasks)))
		errorf(err, errlen, "out of memory");
out:
	free(task);
	return text;
}

int submit_resume(const struct submit_opts *o)
{
	char err[2600], dir[PATH_MAX], *arrays = NULL, *report = NULL, *tasks = NULL;
	struct store *s = NULL;
	unsigned shards = 0, k = 1, max_parallel = 0;
	int rc = EXIT_HOST, lock = -1;

	if (!realpath(o->resume, dir)) {
		fprintf(stderr, "vmsweep submit: --resume %s: %s\n", o->resume, strerror(errno));
		return EXIT_USAGE;
	}
	if ((lock = dir_lock_take(dir, "vmsweep submit --resume", err, sizeof(err))) < 0 ||
	    (o->dry_run ? store_open_readonly(dir, &s, err, sizeof(err)) : store_open(dir, false, &s, err, sizeof(err))))
		goto fail;
	if (manifest_uint(s, "shards", &shards, err, sizeof(err)) ||
	    manifest_uint(s, "slurm.nodes_per_task", &k, err, sizeof(err)) ||
	    manifest_uint(s, "slurm.max_parallel", &max_parallel, err, sizeof(err)) ||
	    store_manifest_get(s, "slurm.array_jobs", &arrays, err, sizeof(err)) ||
	    store_manifest_get(s, "slurm.report_job", &report, err, sizeof(err))) {
		rc = EXIT_USAGE;
		goto fail;
	}
	if (arrays && queue_check(arrays, err, sizeof(err))) {
		rc = EXIT_USAGE;
		goto fail;
	}
	size_t missing;
	if (!(tasks = tasks_owing(s, dir, shards, k ? k : 1, &missing, err, sizeof(err))))
		goto fail;
	if (!tasks[0]) {
		fprintf(stderr, "vmsweep submit: %s: every shard recorded all of its runs: nothing to resubmit (vmsweep"
				" merge %s, then vmsweep report %s, if the report job did not)\n",
			dir, dir, dir);
		rc = 0;
		goto out;
	}
	fprintf(stderr, "vmsweep submit: %s: %zu run%s missing, of array task%s %s\n", dir, missing, missing == 1 ? "" : "s",
		strpbrk(tasks, ",-") ? "s" : "", tasks);
	if (o->dry_run) {
		fprintf(stderr, "vmsweep submit: dry run: nothing submitted\n");
		rc = 0;
		goto out;
	}
	/* The last report job waits on an array that did not all succeed: replaced. */
	if (report) {
		struct slurm_task *q;
		size_t n;
		if (slurm_queue(report, &q, &n, err, sizeof(err)))
			goto fail;
		free(q);
		if (n && slurm_cancel(report, err, sizeof(err)))
			goto fail;
	}
	struct submit_script sc = { .dir = dir, .max_parallel = max_parallel };
	if (submit_jobs(s, &sc, tasks, err, sizeof(err)))
		goto fail;
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "vmsweep submit: %s\n", err);
out:
	store_close(s);
	dir_lock_release(lock);
	free(arrays);
	free(report);
	free(tasks);
	return rc;
}
