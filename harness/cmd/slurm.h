/*
 * Slurm's client commands (sbatch, squeue, scontrol, scancel), run without a shell, for
 * `vmsweep submit` and `vmsweep status`. A finished job is read from `scontrol show job`
 * while slurmctld still holds it (MinJobAge), then from sacct (only with slurmdbd).
 */
#ifndef CMD_SLURM_H
#define CMD_SLURM_H
#include <stddef.h>

/* One task of a job array (task -1: a job that is not an array's). */
struct slurm_task {
	char job[32]; /* the array's job id */
	long task;
	char state[32]; /* PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ... */
	char detail[96]; /* squeue: the node list or why pending; scontrol: ExitCode=... */
};

/* sbatch --parsable [args...] script: the job id into job. -1 with err (sbatch's own
 * words when it refused). */
int slurm_sbatch(const char *script, const char *const *args, size_t nr_args, char *job, size_t len, char *err,
		 size_t errlen);
/* The tasks of jobs (comma-separated ids) still queued or running, one per array task
 * (squeue -r), malloc'd into *tasks. -1 with err (Slurm unreachable). */
int slurm_queue(const char *jobs, struct slurm_task **tasks, size_t *n, char *err, size_t errlen);
/* The tasks of job as slurmctld still knows them, finished ones too (scontrol show job);
 * once it has forgotten the job, as sacct has them where the cluster keeps accounting;
 * else none. */
int slurm_job_tasks(const char *job, struct slurm_task **tasks, size_t *n, char *err, size_t errlen);
/* scancel job (or job_task); -1 with err. */
int slurm_cancel(const char *job, char *err, size_t errlen);
#endif
