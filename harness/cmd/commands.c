/* The command table: `vmsweep --help` and main()'s dispatch both read it. */
#include <stddef.h>

#include "cmd/cmd.h"

const struct command commands[] = {
	{ "boot", cmd_boot, "boot the built-in guest kernel, run its workload (or --job FILE), summarise" },
	{ "plan", cmd_plan, "print the runs a sweep config expands to, without running them" },
	{ "run", cmd_run, "run a sweep config into a results store (SQLite), resumable" },
	{ "export", cmd_export, "a sweep's runs as CSV or JSON" },
	{ "report", cmd_report, "a sweep's statistics, figures (gnuplot), report.html and report.md" },
	{ "compare", cmd_compare, "what changed between sweeps: per point and metric, with a verdict (exit 1: worse)" },
	{ "rerun", cmd_rerun, "run a stored sweep again from its manifest alone; did each figure reproduce?" },
	{ "submit", cmd_submit, "run a sweep on a Slurm cluster as a job array of shards, and report when done" },
	{ "status", cmd_status, "a sweep submitted in shards: runs done, failed and missing per shard, Slurm's state" },
	{ "merge", cmd_merge, "join the shard stores of a sweep run in shards (run --shard, submit) into one" },
	{ "capacity", cmd_capacity, "the largest load that meets an SLO, per point of a sweep's parameters (a search)" },
	{ "history", cmd_history, "a metric's course over a series of sweeps (nightly): figures, drift per sweep" },
	{ "baseline", cmd_baseline, "run the host's fio with a job file on the same disk images, to compare" },
	{ "replay-log", cmd_replay_log, "list a disk's write log (--disk ...,log=) or write it onto an image" },
	{ NULL, NULL, NULL },
};
