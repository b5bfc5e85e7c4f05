/*
 * init (pid 1): starts the per-CPU kernel threads, then runs the built-in workload the
 * knobs describe and hands the results to the host:
 *  - the self-tests (panic_test, fault_test, hang_test) that exercise failure paths;
 *  - compute_iters: the compute benchmark loop, timed;
 *  - pingpong: wake-ups from CPU 0 to a task on the last CPU (the IPI path);
 *  - spin_ms/sleep_ms/duration_ms: every CPU alternates computing and sleeping.
 */
#include <asm/tsc.h>
#include <fs/ext3.h>
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/kthread.h>
#include <kernel/printk.h>
#include <kernel/sched_topology.h>
#include <kernel/results.h>
#include <kernel/slab.h>
#include <kernel/stop_machine.h>
#include <kernel/timer.h>
#include <kernel/wait.h>
#include <kernel/watchdog.h>
#include <vmsweep/compute_loop.h>
#include "fio.h"
#include <mm/mmzone.h>
#include <mm/swap.h>
#include <mm/writeback.h>
#include "workload.h"

u64 tsc_workload;

/* Computes for ns of TSC time in short chunks; returns the chunks done. */
static u64 spin_for(u64 ns)
{
	u64 end = rdtsc() + ns_to_tsc(ns), loops = 0, x = 1;
	do {
		x = vms_compute_loop(256, x);
		loops++;
	} while (rdtsc() < end);
	asm volatile("" : : "r"(x));
	return loops;
}

struct spin_sleep {
	u64 end_ns;
	struct completion done;
};

struct worker {
	struct spin_sleep *w;
	struct vms_rec_worker rec;
};

static int spin_sleep_worker(void *data)
{
	struct worker *me = data;
	u64 spin = (u64)knob(spin_ms) * NSEC_PER_MSEC;
	unsigned sleep = (unsigned)knob(sleep_ms);

	me->rec.pid = (u32)current->pid;
	if (!me->rec.pinned && knob(tasks_packed)) /* started on CPU 0: free to move from now on */
		set_cpus_allowed(current, nr_cpu_ids == 64 ? ~0ull : BIT(nr_cpu_ids) - 1);
	while (ktime_get_ns() < me->w->end_ns) {
		u64 loops = spin_for(spin);
		me->rec.loops += loops;
		preempt_disable();
		this_cpu()->work_loops += loops;
		preempt_enable();
		if (sleep) {
			msleep(sleep);
			me->rec.sleeps++;
		}
	}
	me->rec.cpu_ns = current->sum_exec_ns + (ktime_get_ns() - current->slice_start_ns);
	me->rec.migrations = current->nr_migrations;
	me->rec.wakeups = current->wake_lat_n;
	me->rec.wakeup_lat_sum_ns = tsc_to_ns(current->wake_lat_sum_tsc);
	me->rec.wakeup_lat_max_ns = tsc_to_ns(current->wake_lat_max_tsc);
	if (!me->rec.pinned)
		me->rec.cpu = smp_processor_id();
	complete(&me->w->done);
	return 0;
}

/* Where an unpinned task starts: anywhere (-1), CPU 0 (tasks_packed=1), or the i-th
 * thread of CPU 0's core in turn (tasks_packed=2). */
static int packed_start_cpu(unsigned i)
{
	u64 siblings;
	unsigned n, k;

	if (knob(tasks_packed) == 0)
		return -1;
	siblings = cpu_topology_of(0)->thread_siblings | 1;
	if (knob(tasks_packed) == 1)
		return 0;
	n = (unsigned)__builtin_popcountll(siblings);
	k = i % n;
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (siblings & (1ull << cpu) && k-- == 0)
			return (int)cpu;
	return 0;
}

static void run_spin_sleep(void)
{
	struct spin_sleep w = { .end_ns = ktime_get_ns() + (u64)knob(duration_ms) * NSEC_PER_MSEC };
	unsigned per_cpu = (unsigned)knob(tasks_per_cpu), n = knob(tasks) ? (unsigned)knob(tasks) : nr_cpu_ids * per_cpu;
	bool pinned = !knob(tasks);
	struct worker *workers = kzalloc(n * sizeof(*workers));

	if (!workers)
		panic("workload: no memory for %u workers", n);
	init_completion(&w.done);
	for (unsigned i = 0; i < n; i++) {
		unsigned cpu = i % nr_cpu_ids;
		workers[i].w = &w;
		workers[i].rec.cpu = cpu;
		workers[i].rec.pinned = pinned;
		if (pinned)
			wake_up_process(kthread_create_on_cpu(spin_sleep_worker, &workers[i], (int)cpu, PRIO_NORMAL,
							      "work/%u:%u", cpu, i / nr_cpu_ids));
		else
			wake_up_process(kthread_create_on_cpu(spin_sleep_worker, &workers[i], packed_start_cpu(i),
							      PRIO_NORMAL, "work/%u", i));
	}
	for (unsigned i = 0; i < n; i++)
		wait_for_completion(&w.done);
	for (unsigned i = 0; i < n; i++)
		results_record(VMS_REC_WORKER, &workers[i].rec, sizeof(workers[i].rec));
	kfree(workers);
	if (pinned)
		printk("workload: %u CPUs x %u tasks x (spin %ld ms, sleep %ld ms) for %ld ms done\n", nr_cpu_ids, per_cpu,
		       knob(spin_ms), knob(sleep_ms), knob(duration_ms));
	else
		printk("workload: %u tasks on %u CPUs x (spin %ld ms, sleep %ld ms) for %ld ms done\n", n, nr_cpu_ids,
		       knob(spin_ms), knob(sleep_ms), knob(duration_ms));
}

static void run_compute(void)
{
	struct vms_rec_compute rec = { .iters = (u64)knob(compute_iters) };
	preempt_disable();
	u64 t0 = rdtsc();
	rec.result = vms_compute_loop(rec.iters, boot_params->seed);
	rec.ns = tsc_to_ns(rdtsc() - t0);
	preempt_enable();
	printk("compute: %lu iterations in %lu us\n", rec.iters, rec.ns / 1000);
	results_record(VMS_REC_COMPUTE, &rec, sizeof(rec));
}

int kernel_init(void *unused)
{
	(void)unused;
	sched_init_domains();
	cpu_stop_init();
	lockup_detector_init();
	kblockd_init();
	init_bio();
	page_writeback_init();
	virtio_blk_init();
	if (knob(writeback_model) == VMS_WB_PDFLUSH)
		pdflush_init();
	swapon();
	ext3_mount_all();
	kswapd_run();
	if (boot_params->flags & VMS_BOOT_VERBOSE)
		show_tasks();

	tsc_workload = rdtsc();
	run_selftests();
	if (knob(compute_iters))
		run_compute();
	if (knob(pingpong))
		run_pingpong((u64)knob(pingpong));
	if (boot_params->workload_size) {
		fio_workload_check();
		run_fio();
	} else if (knob(duration_ms)) {
		run_spin_sleep();
	}
	ext3_umount_all();
	report_results();
	return 0;
}
