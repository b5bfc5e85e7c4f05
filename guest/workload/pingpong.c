/*
 * Wake-ups across CPUs: init, pinned to CPU 0, wakes a task pinned to the last CPU and
 * waits for it to answer. Each round crosses the wake-up path that needs an IPI when
 * the target CPU is idle; the woken task records where it ran. With pingpong_pinned=0
 * neither is pinned and they wake each other as a pipe's ends do (sync wake-ups), so
 * wake_affine may bring the pair onto one CPU.
 */
#include <asm/tsc.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/kthread.h>
#include <kernel/printk.h>
#include <kernel/results.h>
#include <kernel/wait.h>
#include "workload.h"

struct pingpong {
	volatile int turn; /* 1: the ponger's turn */
	u64 rounds, ran_on_target;
	unsigned target;
	wait_queue_head_t wq;
	struct completion done;
};

static void pp_wake(wait_queue_head_t *wq)
{
	if (knob(pingpong_pinned))
		wake_up(wq);
	else
		wake_up_sync(wq);
}

static int ponger(void *data)
{
	struct pingpong *pp = data;

	for (u64 i = 0; i < pp->rounds; i++) {
		wait_event(pp->wq, READ_ONCE(pp->turn) == 1);
		if (smp_processor_id() == pp->target)
			pp->ran_on_target++;
		WRITE_ONCE(pp->turn, 0);
		pp_wake(&pp->wq);
	}
	complete(&pp->done);
	return 0;
}

static u64 ipis_sent(void)
{
	u64 n = 0;
	for_each_cpu(i)
		n += READ_ONCE(cpu_area(i)->nr_ipi_sent);
	return n;
}

void run_pingpong(u64 rounds)
{
	struct pingpong pp = { .rounds = rounds, .target = nr_cpu_ids - 1 };
	u64 saved = current->cpus_allowed;

	init_waitqueue_head(&pp.wq);
	init_completion(&pp.done);
	bool pinned = knob(pingpong_pinned);
	set_cpus_allowed(current, BIT(0)); /* unpinned below, once the ponger starts on its CPU */
	struct task_struct *pong = kthread_create_on_cpu(ponger, &pp, (int)pp.target, PRIO_NORMAL, "pong/%u", pp.target);
	wake_up_process(pong);
	if (!pinned) {
		set_cpus_allowed(pong, saved);
		set_cpus_allowed(current, saved);
	}

	u64 ipis0 = ipis_sent(), t0 = rdtsc();
	for (u64 i = 0; i < rounds; i++) {
		WRITE_ONCE(pp.turn, 1);
		pp_wake(&pp.wq);
		wait_event(pp.wq, READ_ONCE(pp.turn) == 0);
	}
	wait_for_completion(&pp.done);
	struct vms_rec_pingpong rec = {
		.rounds = rounds,
		.target_cpu = pp.target,
		.ran_on_target = pp.ran_on_target,
		.ipis = ipis_sent() - ipis0,
		.total_ns = tsc_to_ns(rdtsc() - t0),
	};
	set_cpus_allowed(current, saved);
	printk("pingpong: %lu rounds to CPU %u, %lu ran there, %lu IPIs, %lu ns per round trip\n", rounds, pp.target,
	       rec.ran_on_target, rec.ipis, rec.total_ns / rounds);
	results_record(VMS_REC_PINGPONG, &rec, sizeof(rec));
}
