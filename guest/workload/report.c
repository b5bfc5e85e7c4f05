/* Hands the results to the host (records in the results ring), then rings "done". */
#include <asm/hypercall.h>
#include <asm/tsc.h>
#include <mm/vmstat.h>
#include <mm/writeback.h>
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/printk.h>
#include <kernel/results.h>
#include <kernel/sched.h>
#include <kernel/sched_topology.h>
#include <kernel/slab.h>
#include <lib/string.h>
#include <vmsweep/hist.h>
#include "workload.h"

static char task_state_char(long state)
{
	return state == TASK_RUNNING ? 'R' : state == TASK_INTERRUPTIBLE ? 'S' : state == TASK_DEAD ? 'X' : 'D';
}

/* A ps-like table of the tasks, on the console and to the host. */
void show_tasks(void)
{
	struct task_struct *p;
	unsigned long flags;

	printk("  PID CPU S PRIO COMMAND\n");
	local_irq_save(flags);
	raw_spin_lock(&task_list_lock);
	list_for_each_entry(p, &task_list, tasks) {
		struct vms_rec_task t = { .pid = (u32)p->pid, .cpu = p->cpu, .state = (u32)p->state, .prio = (u32)p->prio };
		strlcpy(t.name, p->comm, sizeof(t.name));
		printk("%5d %3u %c %4s %s\n", p->pid, p->cpu, task_state_char(p->state),
		       p->prio == PRIO_STOP ? "stop" : p->prio == PRIO_RT ? "rt" : p->prio == PRIO_NORMAL ? "norm" : "idle",
		       p->comm);
		results_record(VMS_REC_TASK, &t, sizeof(t));
	}
	raw_spin_unlock(&task_list_lock);
	local_irq_restore(flags);
}

void report_results(void)
{
	for_each_cpu(i) {
		struct cpu *c = cpu_area(i);
		u64 idle = c->idle_ns;
		if (c->rq.curr == c->rq.idle)
			idle += ktime_get_ns() - c->idle_since_ns;
		struct vms_rec_cpu rec = {
			.cpu = i,
			.tsc_first = c->vi.tsc_first,
			.nr_switches = c->nr_switches,
			.nr_ticks = c->nr_ticks,
			.nr_ipi_sent = c->nr_ipi_sent,
			.nr_ipi_received = c->nr_ipi_received,
			.nr_wakeups = c->nr_wakeups,
			.nr_migrations = c->nr_migrations,
			.work_loops = c->work_loops,
			.busy_ns = ktime_get_ns() - idle,
			.idle_ns = idle,
			.nr_halts = c->nr_halts,
			.nr_tick_stops = c->nr_tick_stops,
			.nr_tick_restarts = c->nr_tick_restarts,
			.nr_preemptions = c->nr_preemptions,
		};
		results_record(VMS_REC_CPU, &rec, sizeof(rec));
	}

	size_t hist_len = sizeof(struct vms_rec_hist) + VMS_HIST_NR * sizeof(u32);
	struct vms_rec_hist *h = kmalloc(hist_len);
	if (h) {
		wakeup_latency_read(h, h->buckets);
		results_record(VMS_REC_HIST, h, (u32)hist_len);
		kfree(h);
	}

	schedstat_report();
	vmstat_report();
	writeback_report();
	blk_poll_report();

	struct vms_rec_boot boot = {
		.tsc_first = cpu_area(0)->vi.tsc_first,
		.tsc_main = tsc_main,
		.tsc_workload = tsc_workload,
		.nr_tasks = (u64)nr_tasks + nr_cpu_ids,
		.hz = boot_params->hz,
	};
	boot.tsc_done = rdtsc();
	results_record(VMS_REC_BOOT, &boot, sizeof(boot));
	printk("done\n");
	host_doorbell(VMS_EV_DONE);
	for (;;)
		cpu_relax();
}
