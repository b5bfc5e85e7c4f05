/*
 * The idle task (pid 0, swapper/N): pull work from a busy CPU (newidle_balance), else halt through
 * the nucleus until an interrupt. The nucleus does not halt when an interrupt came
 * in while masked, so a wake-up between the check and the halt is not lost. A CPU
 * with I/O in flight on hybrid queues polls them first (block/blk-poll.c). A CPU
 * about to halt for long stops its tick (kernel/time/tick-sched.c, NO_HZ_IDLE) and
 * restarts it when it leaves idle for a task.
 */
#include <asm/hypercall.h>
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/tick.h>
#include "sched.h"

/*
 * cpuidle-haltpoll: waking a halted vCPU is dear on a host (here a halt and its
 * wake-up cost tens of microseconds), so an idle CPU first polls for work for up to
 * guest_halt_poll_us with interrupts enabled.
 */
static void idle_poll(struct cpu *c)
{
	u64 poll_ns = (u64)knob(guest_halt_poll_us) * 1000;
	if (!poll_ns)
		return;
	u64 end = rdtsc() + ns_to_tsc(poll_ns);
	while (!need_resched() && !__pending_irqs() && !READ_ONCE(c->rq.nr_queued) && rdtsc() < end)
		cpu_relax();
}

void cpu_idle(void)
{
	struct cpu *c = this_cpu();
	u64 switches = ~0ull;

	for (;;) {
		idle_poll(c);
		blk_idle_poll(c->id);
		local_irq_disable();
		/* once per idle period, as pick_next_task_fair does before it picks the idle task:
		 * the CPU switched since the last look (here, or preempted from an interrupt) */
		bool newly_idle = c->nr_switches != switches;
		switches = c->nr_switches;
		bool pulled = newly_idle && !need_resched() && newidle_balance(c);
		if (!need_resched() && !pulled) {
			tick_nohz_idle_stop_tick(c);
			c->nr_halts++;
			hypercall_halt();
			tick_nohz_idle_wakeup(c);
		}
		local_irq_enable();
		if (need_resched()) {
			tick_nohz_idle_exit(c);
			schedule();
		}
	}
}
