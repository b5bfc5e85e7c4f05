/*
 * The metrics a run's record may carry: the VMM's own here, each record family's in
 * its ops table. emit_put refuses a name no table has, so that this list and what is
 * stored cannot drift apart; `vmsweep export --list-metrics` prints it.
 */
#include <fnmatch.h>
#include <stdio.h>

#include "backend/linux_metrics.h"
#include "records/family.h"
#include "store/store_internal.h"

static const struct metric_doc core_metric_docs[] = {
	{ "boot_us.created", "us from the start of VM creation to the VM ready to run" },
	{ "noise.others_cpu_pct", "the run's noise sentinel: % of the host's CPU time other processes took while it ran (kvm runs)" },
	{ "noise.steal_pct", "the run's noise sentinel: % of the host's CPU time stolen by its hypervisor while it ran" },
	{ "noise.calibration_pct", "the run's noise sentinel: how much slower a fixed calibration loop ran around it than at the sweep's start, %" },
	{ "noise.load1", "the host's 1-minute load average at the run's end" },
	{ "noise.cpu_mhz", "the run's noise sentinel: the host CPUs' mean clock, the lower of before and after the run (cpufreq, else /proc/cpuinfo), MHz" },
	{ "noise.cpu_freq_drop_pct", "the run's noise sentinel: how far that clock was below the clock at the sweep's start, %" },
	{ "noise.retries", "times the run was run again for being noisy ([sweep] noise_*)" },
	{ "noise.noisy", "1: still noisy after its retries (outside a [sweep] noise_ bound)" },
	{ "boot_us.first_insn", "us to CPU 0's first guest instruction" },
	{ "boot_us.main", "us to start_kernel" },
	{ "boot_us.workload", "us to the start of the workload" },
	{ "boot_us.done", "us to the results written" },
	{ "boot_us.end", "us to the VM torn down" },
	{ "cpu.switches", "context switches, summed over CPUs" },
	{ "cpu.preemptions", "involuntary switches (the task was still runnable)" },
	{ "cpu.ticks", "timer ticks (with nohz, an idle CPU's programmed timer interrupts count too)" },
	{ "cpu.ipis_sent", "IPIs sent" },
	{ "cpu.ipis_received", "IPIs received" },
	{ "cpu.wakeups", "task wake-ups" },
	{ "cpu.migrations", "task migrations between CPUs" },
	{ "cpu.halts", "halts of idle CPUs" },
	{ "cpu.tick_stops", "idle periods an idle CPU stopped its periodic tick for (nohz: tick_nohz_idle_stop_tick)" },
	{ "cpu.tick_restarts", "times a CPU restarted its stopped tick on leaving idle (tick_nohz_idle_exit)" },
	{ "cpu.work_loops", "the built-in workload's compute iterations" },
	{ "cpu.busy_ns", "ns not idle" },
	{ "cpu.idle_ns", "ns idle" },
	{ "cpu.idle_pct", "100 * idle_ns / (busy_ns + idle_ns)" },
	{ "cpu.steal_ns", "host steal: ns the vCPU threads were runnable on the host but not running (schedstat run_delay), summed" },
	{ "cpu.steal_pct", "100 * steal_ns / the vCPU threads' lives, summed" },
	{ "cpu.*.steal_ns", "host steal of vCPU N, ns" },
	{ "cpu.*.host_cpu", "the host CPU vCPU N was pinned to (pin = compact or scatter)" },
	{ "host.overcommit", "1 when vCPUs shared host CPUs (--pin, or more vCPUs than host CPUs), else 0" },
	{ "wakeup_ns.samples", "wake-ups sampled (wake-up to running)" },
	{ "wakeup_ns.mean", "mean wake-up latency, ns" },
	{ "wakeup_ns.min", "shortest wake-up latency, ns" },
	{ "wakeup_ns.max", "longest wake-up latency, ns" },
	{ "wakeup_ns.p[0-9]*", "wake-up latency percentiles p50, p90, p99, p999, ns" },
	{ "pingpong.rounds", "wake-ups of a task on another CPU" },
	{ "pingpong.round_trip_ns", "ns per round trip" },
	{ "pingpong.ran_on_target_pct", "% of wake-ups after which the task ran on the target CPU" },
	{ "pingpong.ipis", "resched IPIs sent while ping-ponging" },
	{ "compute.iters", "iterations of the compute loop" },
	{ "compute.ns", "ns the compute loop took" },
	{ "compute.ns_per_iter", "ns per iteration" },
	{ "workers.loops", "the built-in workload's tasks: compute chunks, summed" },
	{ "workers.cpu_ns_min", "the built-in workload's tasks: the least CPU time one got (ns)" },
	{ "workers.cpu_ns_max", "the built-in workload's tasks: the most CPU time one got (ns)" },
	{ "workers.cpu_fairness", "the built-in workload's tasks: least CPU time over most (1: an even share)" },
	{ "workers.migrations", "the built-in workload's tasks: moves to another CPU, summed" },
	{ "workers.wakeup_lat_mean_ns", "the built-in workload's tasks: mean wake-up to running latency over all their wake-ups" },
	{ "workers.wakeup_lat_task_mean_max_ns", "the built-in workload's tasks: the worst task's mean wake-up latency (one task starved shows here)" },
	{ "workers.wakeup_lat_max_ns", "the built-in workload's tasks: the longest wake-up latency of any" },
	{ "workers.spread_ms", "the built-in workload's unpinned tasks: ms until every CPU had one (3 samples of sample_ms in a row; with tasks_packed=1, the balancer's convergence)" },
	{ "workers.loops_min", "the fewest chunks of one task" },
	{ "workers.loops_max", "the most chunks of one task" },
	{ "disk.*.reads", "reads served, per disk (vda, vdb, ...)" },
	{ "disk.*.writes", "writes served" },
	{ "disk.*.flushes", "flushes served" },
	{ "disk.*.bytes_read", "bytes read" },
	{ "disk.*.bytes_written", "bytes written" },
	{ "disk.*.io_errors", "requests the host's I/O failed" },
	{ "disk.*.refused", "requests refused as malformed" },
	{ "disk.*.unsupported", "requests of a type the device does not serve" },
	{ "disk.*.notifications", "queue notifications (kicks) from the guest" },
	{ "disk.*.interrupts", "completion interrupts sent" },
	{ "disk.*.interrupts_suppressed", "completion interrupts the guest asked not to get" },
	{ "disk.*.model_held", "completions the disk's model held until its due time" },
	{ "disk.*.model_late", "completions whose host I/O ended after the model's due time (the host disk, not the model, timed them)" },
	{ "samples.dropped", "samples beyond the host's budget per run (VM_SAMPLES_BUDGET, 32 MiB), when any" },
	{ NULL, NULL },
};

static bool docs_match(const struct metric_doc *d, const char *name)
{
	for (; d && d->pattern; d++)
		if (fnmatch(d->pattern, name, 0) == 0)
			return true;
	return false;
}

/* Tables of no record family: names only a backend's runs have (a Linux guest's). */
static const struct metric_doc *const backend_metric_docs[] = { linux_metric_docs };
#define NR_BACKEND_DOCS (sizeof(backend_metric_docs) / sizeof(backend_metric_docs[0]))

bool metric_name_known(const char *name)
{
	if (docs_match(core_metric_docs, name))
		return true;
	for (unsigned i = 0; i < NR_BACKEND_DOCS; i++)
		if (docs_match(backend_metric_docs[i], name))
			return true;
	for (unsigned i = 0; i < RECORD_NR_FAMILIES; i++)
		if (docs_match(record_families[i]->metric_docs, name))
			return true;
	return false;
}

static void docs_print(FILE *f, const struct metric_doc *d)
{
	for (; d && d->pattern; d++)
		fprintf(f, "%-40s %s\n", d->pattern, d->doc);
}

void metric_docs_print(FILE *f)
{
	docs_print(f, core_metric_docs);
	for (unsigned i = 0; i < RECORD_NR_FAMILIES; i++)
		docs_print(f, record_families[i]->metric_docs);
	for (unsigned i = 0; i < NR_BACKEND_DOCS; i++)
		docs_print(f, backend_metric_docs[i]);
}

size_t metric_docs_patterns(const char **out, size_t max)
{
	size_t n = 0;
	for (const struct metric_doc *d = core_metric_docs; d->pattern; d++)
		if (n < max)
			out[n++] = d->pattern;
	for (unsigned i = 0; i < RECORD_NR_FAMILIES; i++)
		for (const struct metric_doc *d = record_families[i]->metric_docs; d && d->pattern; d++)
			if (n < max)
				out[n++] = d->pattern;
	for (unsigned i = 0; i < NR_BACKEND_DOCS; i++)
		for (const struct metric_doc *d = backend_metric_docs[i]; d->pattern; d++)
			if (n < max)
				out[n++] = d->pattern;
	return n;
}
