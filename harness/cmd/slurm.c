/* Slurm's client commands; see slurm.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/slurm.h"
#include "util/array.h"
#include "util/error.h"
#include "util/id_ranges.h"
#include "util/tool_run.h"

#define SLURM_OUT_MAX (4u << 20) /* squeue of a large array: a line per task */

/* Runs argv; its output malloc'd into *out. -1 with err when it could not run or failed. */
static int slurm_run(char *const argv[], char **out, char *err, size_t errlen)
{
	int status;
	char *buf = malloc(SLURM_OUT_MAX);
	*out = NULL;
	if (!buf)
		return errorf(err, errlen, "out of memory");
	if (tool_run(argv, &status, buf, SLURM_OUT_MAX, false, err, errlen)) {
		free(buf);
		return -1;
	}
	if (status) {
		errorf(err, errlen, "%s exited with %d: %.600s", argv[0], status, buf[0] ? buf : "(no message)");
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

int slurm_sbatch(const char *script, const char *const *args, size_t nr_args, char *job, size_t len, char *err,
		 size_t errlen)
{
	char *argv[nr_args + 4], *out;
	size_t n = 0;
	argv[n++] = "sbatch";
	argv[n++] = "--parsable";
	for (size_t i = 0; i < nr_args; i++)
		argv[n++] = (char *)args[i];
	argv[n++] = (char *)script;
	argv[n] = NULL;
	if (slurm_run(argv, &out, err, errlen))
		return -1;
	/* "123" or "123;cluster", after any warnings on lines of their own */
	char *line = out, *last = NULL;
	for (char *p = strtok(line, "\n"); p; p = strtok(NULL, "\n"))
		if (p[0] >= '0' && p[0] <= '9')
			last = p;
	int r = 0;
	if (!last || strspn(last, "0123456789") == 0)
		r = errorf(err, errlen, "sbatch %s: no job id in its answer: %.400s", script, out);
	else
		snprintf(job, len, "%.*s", (int)strspn(last, "0123456789"), last);
	free(out);
	return r;
}

static int task_append(struct slurm_task **tasks, size_t *n, size_t *cap, const struct slurm_task *t)
{
	if (array_grow((void **)tasks, cap, *n + 1, sizeof(**tasks)))
		return -1;
	(*tasks)[(*n)++] = *t;
	return 0;
}

int slurm_queue(const char *jobs, struct slurm_task **tasks, size_t *n, char *err, size_t errlen)
{
	char *argv[] = { "squeue", "-h", "-r", "-j", (char *)jobs, "-o", "%F %K %T %R", NULL }, *out;
	size_t cap = 0;
	*tasks = NULL;
	*n = 0;
	if (slurm_run(argv, &out, err, errlen)) {
		/* squeue refuses ids slurmctld has forgotten altogether: none of them is queued */
		if (strstr(err, "Invalid job id"))
			return 0;
		return -1;
	}
	for (char *save, *p = strtok_r(out, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		struct slurm_task t = { .task = -1 };
		char task[32];
		if (sscanf(p, "%31s %31s %31s %95[^\n]", t.job, task, t.state, t.detail) < 3)
			continue;
		if (task[0] >= '0' && task[0] <= '9')
			t.task = strtol(task, NULL, 10);
		if (task_append(tasks, n, &cap, &t)) {
			free(out);
			return errorf(err, errlen, "out of memory");
		}
	}
	free(out);
	return 0;
}

/* The value of KEY= in a line of `scontrol -o show job` into buf. */
static void field(const char *line, const char *key, char *buf, size_t len)
{
	char pat[40];
	snprintf(pat, sizeof(pat), " %s=", key);
	size_t at_start = strlen(pat + 1);
	const char *p = line + at_start;
	if (strncmp(line, pat + 1, at_start) && (p = strstr(line, pat)))
		p += strlen(pat);
	buf[0] = 0;
	if (p)
		snprintf(buf, len, "%.*s", (int)strcspn(p, " \n"), p);
}

/* sacct, where the cluster keeps accounting (slurmdbd): a job slurmctld has forgotten. */
static int sacct_tasks(const char *job, struct slurm_task **tasks, size_t *n)
{
	char *argv[] = { "sacct", "-n", "-P", "-X", "-j", (char *)job, "-o", "JobID,State,ExitCode", NULL }, *out,
	     why[256];
	size_t cap = 0;
	if (slurm_run(argv, &out, why, sizeof(why)))
		return 0; /* no accounting: nothing more is known */
	for (char *save, *p = strtok_r(out, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		struct slurm_task t = { .task = -1 };
		char id[64], code[32];
		if (sscanf(p, "%63[^|]|%31[^|]|%31s", id, t.state, code) != 3)
			continue;
		char *under = strchr(id, '_');
		if (under) {
			if (under[1] < '0' || under[1] > '9')
				continue; /* 123_[5-7]: tasks that never started */
			t.task = strtol(under + 1, NULL, 10);
			*under = 0;
		}
		snprintf(t.job, sizeof(t.job), "%.31s", id);
		t.state[strcspn(t.state, " ")] = 0; /* "CANCELLED by 0" */
		snprintf(t.detail, sizeof(t.detail), "ExitCode=%s", code);
		if (task_append(tasks, n, &cap, &t))
			break;
	}
	free(out);
	return 0;
}

int slurm_job_tasks(const char *job, struct slurm_task **tasks, size_t *n, char *err, size_t errlen)
{
	char *argv[] = { "scontrol", "-o", "show", "job", (char *)job, NULL }, *out;
	size_t cap = 0;
	*tasks = NULL;
	*n = 0;
	if (slurm_run(argv, &out, err, errlen))
		return strstr(err, "Invalid job id") ? sacct_tasks(job, tasks, n) : -1;
	for (char *save, *p = strtok_r(out, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		struct slurm_task t = { .task = -1 };
		char task[4096], code[40];
		field(p, "ArrayJobId", t.job, sizeof(t.job));
		if (!t.job[0])
			field(p, "JobId", t.job, sizeof(t.job));
		field(p, "ArrayTaskId", task, sizeof(task));
		field(p, "JobState", t.state, sizeof(t.state));
		field(p, "ExitCode", code, sizeof(code));
		if (!t.job[0] || !t.state[0])
			continue;
		snprintf(t.detail, sizeof(t.detail), "ExitCode=%s", code);
		if (task[0] >= '0' && task[0] <= '9' && !strpbrk(task, "-,%")) {
			t.task = strtol(task, NULL, 10);
		} else if (task[0]) {
			/* tasks never split off: pending ones (squeue -r lists them one by one), or
			 * ones cancelled before they started, "1-3%1" */
			size_t *ids, nr;
			char why[128];
			task[strcspn(task, "%")] = 0;
			if (!strcmp(t.state, "PENDING") || id_ranges_parse(task, &ids, &nr, why, sizeof(why)))
				continue;
			for (size_t i = 0; i < nr; i++) {
				t.task = (long)ids[i];
				if (task_append(tasks, n, &cap, &t)) {
					free(ids);
					free(out);
					return errorf(err, errlen, "out of memory");
				}
			}
			free(ids);
			continue;
		}
		if (task_append(tasks, n, &cap, &t)) {
			free(out);
			return errorf(err, errlen, "out of memory");
		}
	}
	free(out);
	return 0;
}

int slurm_cancel(const char *job, char *err, size_t errlen)
{
	char *argv[] = { "scancel", (char *)job, NULL }, *out;
	if (slurm_run(argv, &out, err, errlen))
		return -1;
	free(out);
	return 0;
}
