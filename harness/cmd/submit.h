/* `vmsweep submit --slurm` (submit.c), --resume (submit_resume.c), its batch scripts
 * (submit_script.c). */
#ifndef CMD_SUBMIT_H
#define CMD_SUBMIT_H
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>

/* What the scripts are made of. */
struct submit_script {
	const char *vmsweep; /* this vmsweep, absolute */
	const char *config; /* absolute */
	const char *dir; /* absolute */
	const char *chdir; /* where the tasks run: where submit ran, which relative disk paths need */
	const char *name; /* the sweep's */
	const char *digest; /* the plan's (run_plan_digest): a task refuses another */
	unsigned nr_tasks, nodes_per_task; /* array tasks; shards = nr_tasks x nodes_per_task */
	unsigned max_parallel; /* 0: no limit */
	unsigned jobs; /* runs at a time in each shard */
	unsigned cpus_per_task;
	unsigned long long mem_mb; /* per node */
	const char *partition, *time; /* NULL: Slurm's defaults */
	const char *const *extra; /* --sbatch-arg, each an #SBATCH line */
	size_t nr_extra;
};

#define SUBMIT_SBATCH_ARGS_MAX 16 /* --sbatch-arg */

struct submit_opts {
	bool slurm, dry_run;
	const char *out, *resume, *partition, *time;
	unsigned shards, nodes_per_task, max_parallel, jobs, cpus_per_task;
	const char *extra[SUBMIT_SBATCH_ARGS_MAX];
	size_t nr_extra;
};

/* sbatch the array (only the tasks given, "2,5-7", or NULL: all) and the report job after
 * it (afterok); their ids added to the manifest (slurm.array_jobs, slurm.report_job); says
 * so, and prints the sweep's directory (sc->dir) on stdout. */
struct store;
int submit_jobs(struct store *s, const struct submit_script *sc, const char *tasks, char *err, size_t errlen);
/* submit --resume (submit_resume.c): the process's exit status. */
int submit_resume(const struct submit_opts *o);

/* The job array's script: task T runs shard T (or, with nodes_per_task K, shards T*K ..
 * T*K+K-1 on its K nodes through srun), each `vmsweep run --shard` into DIR/shards/<I>. */
void submit_script_array(FILE *f, const struct submit_script *s);
/* The report job's script: merge, then report. */
void submit_script_report(FILE *f, const struct submit_script *s);
#endif
