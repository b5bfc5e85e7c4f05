/*
 * Affinity: moving a task off a CPU it may no longer use (set_cpus_allowed), through
 * that CPU's stopper, migration/N (kernel/stop_machine.c), when it is running there:
 * the stopper preempts it first. Balancing is fair.c's.
 */
#include <kernel/kernel.h>
#include <kernel/stop_machine.h>
#include "sched.h"

/* Interrupts masked by the caller. */
static bool __move_queued_task(struct task_struct *p, unsigned src, unsigned dest)
{
	struct rq *from = cpu_rq(src), *to = cpu_rq(dest);
	bool moved = false;

	double_rq_lock(from, to);
	if (p->cpu == src) {
		if (p->on_rq && from->curr != p && !p->on_cpu) {
			dequeue_task(from, p);
			p->cpu = dest;
			enqueue_task(to, p);
			cpu_area(dest)->nr_migrations++;
			p->nr_migrations++;
			check_preempt_curr(to, p);
			moved = true;
		} else if (!p->on_rq) {
			p->cpu = dest; /* asleep: it wakes up there */
			p->nr_migrations++;
			cpu_area(dest)->nr_migrations++;
			moved = true;
		}
	}
	double_rq_unlock(from, to);
	return moved;
}

static bool move_queued_task(struct task_struct *p, unsigned src, unsigned dest)
{
	unsigned long flags;
	local_irq_save(flags);
	bool moved = __move_queued_task(p, src, dest);
	local_irq_restore(flags);
	return moved;
}

static int migration_cpu_stop(void *data)
{
	struct task_struct *p = data;
	unsigned here = smp_processor_id();
	unsigned dest = (unsigned)__builtin_ctzll(p->cpus_allowed);
	/* p was running here when asked; now the stopper is, so p is queued or asleep. */
	if (p->cpu == here && __move_queued_task(p, here, dest))
		cpu_rq(here)->affinity_pushed++;
	return 0;
}

int set_cpus_allowed(struct task_struct *p, u64 mask)
{
	unsigned long flags;

	if (!(mask & (nr_cpu_ids == 64 ? ~0ull : BIT(nr_cpu_ids) - 1)))
		return -1;
	local_irq_save(flags);
	struct rq *rq = task_rq_lock(p);
	p->cpus_allowed = mask;
	unsigned src = p->cpu;
	bool running = rq->curr == p || p->on_cpu;
	raw_spin_unlock(&rq->lock);
	local_irq_restore(flags);

	if (mask & BIT(src))
		return 0;
	if (running || !move_queued_task(p, src, (unsigned)__builtin_ctzll(mask)))
		stop_one_cpu(src, migration_cpu_stop, p);
	return 0;
}
