/* Scheduler internals shared by core.c, idle.c and migration.c. */
#ifndef KERNEL_SCHED_INTERNAL_H
#define KERNEL_SCHED_INTERNAL_H
#include <kernel/boot.h>
#include <kernel/sched.h>
#include <kernel/sched_topology.h>

#define STACK_END_MAGIC 0x57AC6E9Dull

struct rq *task_rq_lock(struct task_struct *p);
void check_preempt_curr(struct rq *rq, struct task_struct *p);
void task_release(struct task_struct *p);
void wakeup_latency_record(u64 tsc_delta);
/* The run queue's lists, rq locked (core.c). */
void enqueue_task(struct rq *rq, struct task_struct *p);
void dequeue_task(struct rq *rq, struct task_struct *p);

/* Two run queues locked in address order, so that two CPUs never wait for each other. */
static inline void double_rq_lock(struct rq *a, struct rq *b)
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

static inline void double_rq_unlock(struct rq *a, struct rq *b)
{
	raw_spin_unlock(&a->lock);
	if (a != b)
		raw_spin_unlock(&b->lock);
}

/* The fair class's balancing (fair.c, fair_lb.c). */
#define sched_balance_on() (knob(sched_balance) != 0)

static inline unsigned cfs_h_nr_running(struct rq *rq)
{
	struct task_struct *curr = READ_ONCE(rq->curr);
	return READ_ONCE(rq->cfs_queued) + (curr != rq->idle && curr->prio == PRIO_NORMAL);
}

static inline unsigned long cpu_load(struct rq *rq)
{
	return (unsigned long)cfs_h_nr_running(rq) * NICE_0_LOAD;
}

/* available_idle_cpu: running its idle task with nothing queued. */
static inline bool idle_cpu(unsigned cpu)
{
	struct rq *rq = cpu_rq(cpu);
	return READ_ONCE(rq->curr) == rq->idle && !READ_ONCE(rq->nr_queued);
}

unsigned select_task_rq_fair(struct task_struct *p, unsigned prev_cpu, unsigned this_cpu, int wake_flags);
void ttwu_stat(unsigned cpu, unsigned waker);
void update_avg_idle(struct rq *rq, u64 idle_ns);
void update_rq_load_avg(struct cpu *c);
void trigger_load_balance(struct cpu *c);
/* The periodic balance of c's domains that are due; returns when the next one is. */
u64 rebalance_domains(struct cpu *c, enum cpu_idle_type idle);
/* From a busy CPU's tick: kick an idle CPU to balance for the CPUs whose tick is stopped. */
void nohz_balancer_kick(struct cpu *c);
/* A CPU about to idle pulls work (interrupts masked): whether it got some. */
bool newidle_balance(struct cpu *c);
#endif
