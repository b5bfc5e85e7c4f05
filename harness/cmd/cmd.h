/*
 * The commands of `vmsweep`, one file (or a small group) each, and the table main()
 * dispatches on. A command takes argv with argv[0] its own name and returns the
 * process's exit status.
 */
#ifndef CMD_CMD_H
#define CMD_CMD_H

/* Exit statuses every command shares; `vmsweep boot --help` lists a guest run's others. */
#define EXIT_HOST 1 /* the host could not do it: a file, KVM, memory */
#define EXIT_USAGE 2 /* a bad option, config or job file; the message names it */
#define EXIT_RUNS_FAILED 3 /* run: some runs of the sweep failed (each recorded with its cause) */
#define EXIT_JOB_FAILED 9 /* a job of the workload failed: an I/O error, a verify mismatch, OOM */
#define EXIT_INTERRUPTED 130 /* SIGINT or SIGTERM: stopped cleanly, what was measured kept */

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help; /* one line, for `vmsweep --help` */
};

/* In the order `vmsweep --help` lists them; ends with a NULL name. */
extern const struct command commands[];

int cmd_boot(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_capacity(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_rerun(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_replay_log(int argc, char **argv);
#endif
