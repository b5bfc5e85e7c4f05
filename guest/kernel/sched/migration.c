/*
 * Moving tasks between CPUs: pulling queued work to an idle CPU (idle_balance), and
 * moving a running task off a CPU it may no longer use through that CPU's stopper,
 * migration/N (kernel/stop_machine.c), which preempts it first.
 */
#include <kernel/kernel.h>
#include <kernel/stop_machine.h>
#include "sched.h"

static void double_rq_lock(struct rq *a, struct rq *b)
{
	if (a == b) {
		raw_spin_lock(&a->lock);
	} else if (a < b) {
		raw_spin_lock(&a->lock);
		raw_spin_lock(&b->lock);
	} else {
		raw_spin_lock(&b->lock);
		raw_spin_lock(&a->lock);
	}
}

static void double_rq_unlock(struct rq *a, struct rq *b)
{
	raw_spin_unlock(&a->lock);
	if (a != b)
		raw_spin_unlock(&b->lock);
}

/* Interrupts masked by the caller. */
static bool __migrate_task(struct task_struct *p, unsigned src, unsigned dest)
{
	struct rq *from = cpu_rq(src), *to = cpu_rq(dest);
	bool moved = false;

	double_rq_lock(from, to);
	if (p->cpu == src) {
		if (p->on_rq && from->curr != p && !p->on_cpu) {
			list_del_init(&p->run_list);
			from->nr_queued--;
			p->cpu = dest;
			list_add_tail(&p->run_list, &to->queue[p->prio]);
			to->nr_queued++;
			cpu_area(dest)->nr_migrations++;
			p->nr_migrations++;
			check_preempt_curr(to, p);
			moved = true;
		} else if (!p->on_rq) {
			p->cpu = dest; /* asleep: it wakes up there */
			p->nr_migrations++;
			moved = true;
		}
	}
	double_rq_unlock(from, to);
	return moved;
}

bool migrate_task(struct task_struct *p, unsigned src, unsigned dest)
{
	unsigned long flags;
	local_irq_save(flags);
	bool moved = __migrate_task(p, src, dest);
	local_irq_restore(flags);
	return moved;
}

/* A CPU about to idle pulls a queued task it may run from the busiest other CPU. */
bool idle_balance(struct cpu *c)
{
	unsigned busiest = c->id, most = 0;

	for_each_cpu(i) {
		unsigned n = READ_ONCE(cpu_rq(i)->nr_queued);
		if (i != c->id && n > most)
			busiest = i, most = n;
	}
	if (!most)
		return false;

	struct rq *src = cpu_rq(busiest);
	struct task_struct *p, *found = NULL;
	double_rq_lock(src, &c->rq);
	for (int prio = PRIO_RT; prio < NR_PRIO && !found; prio++)
		list_for_each_entry(p, &src->queue[prio], run_list)
			if ((p->cpus_allowed & BIT(c->id)) && !p->on_cpu) {
				found = p;
				break;
			}
	if (found) {
		list_del_init(&found->run_list);
		src->nr_queued--;
		found->cpu = c->id;
		list_add_tail(&found->run_list, &c->rq.queue[found->prio]);
		c->rq.nr_queued++;
		c->nr_migrations++;
		found->nr_migrations++;
		WRITE_ONCE(c->rq.curr->need_resched, 1);
	}
	double_rq_unlock(src, &c->rq);
	return found != NULL;
}

static int migration_cpu_stop(void *data)
{
	struct task_struct *p = data;
	unsigned here = smp_processor_id();
	unsigned dest = (unsigned)__builtin_ctzll(p->cpus_allowed);
	/* p was running here when asked; now the stopper is, so p is queued or asleep. */
	if (p->cpu == here)
		__migrate_task(p, here, dest);
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
	if (running || !migrate_task(p, src, (unsigned)__builtin_ctzll(mask)))
		stop_one_cpu(src, migration_cpu_stop, p);
	return 0;
}
