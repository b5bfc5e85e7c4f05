/*
 * The scheduler, in the manner of Linux with CONFIG_PREEMPT: per-CPU run queues
 * with three classes (stop > rt > normal, round robin within normal), preemption at
 * the tick and on wake-up, none while preempt_count is raised. The run-queue lock is
 * held across the context switch and released by the next task (finish_task_switch).
 */
#include <asm/irq.h>
#include <asm/switch_to.h>
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include <lib/string.h>
#include <lib/vsprintf.h>
#include "sched.h"

pid_t nr_tasks;
LIST_HEAD(task_list);
raw_spinlock_t task_list_lock;

/* rq locked. A task queued and not yet run starts its sched_info wait (run_delay). */
void enqueue_task(struct rq *rq, struct task_struct *p)
{
	list_add_tail(&p->run_list, &rq->queue[p->prio]);
	rq->nr_queued++;
	if (p->prio == PRIO_NORMAL)
		rq->cfs_queued++;
	if (!p->last_queued_ns)
		p->last_queued_ns = ktime_get_ns();
}

void dequeue_task(struct rq *rq, struct task_struct *p)
{
	list_del_init(&p->run_list);
	rq->nr_queued--;
	if (p->prio == PRIO_NORMAL)
		rq->cfs_queued--;
}

static struct task_struct *pick_next_task(struct rq *rq)
{
	for (int prio = 0; prio < NR_PRIO; prio++) {
		if (!list_empty(&rq->queue[prio])) {
			struct task_struct *p = list_first_entry(&rq->queue[prio], struct task_struct, run_list);
			dequeue_task(rq, p);
			return p;
		}
	}
	return rq->idle;
}

/* Wake-up preemption: a higher class, or an idle CPU. A remote CPU gets an IPI. */
void check_preempt_curr(struct rq *rq, struct task_struct *p)
{
	struct task_struct *curr = rq->curr;
	unsigned cpu = p->cpu;

	if (curr != rq->idle && p->prio >= curr->prio)
		return;
	if (READ_ONCE(curr->need_resched))
		return;
	WRITE_ONCE(curr->need_resched, 1);
	if (cpu != smp_processor_id())
		smp_send_reschedule(cpu);
}

/* Locks p's run queue, following p if it moves meanwhile. Interrupts masked by the caller. */
struct rq *task_rq_lock(struct task_struct *p)
{
	for (;;) {
		struct rq *rq = cpu_rq(READ_ONCE(p->cpu));
		raw_spin_lock(&rq->lock);
		if (rq == cpu_rq(p->cpu))
			return rq;
		raw_spin_unlock(&rq->lock);
	}
}

/* ttwu_do_activate: p, asleep and off every CPU, is queued on rq (locked). */
static void ttwu_do_activate(struct rq *rq, struct task_struct *p, unsigned waker)
{
	p->state = TASK_RUNNING;
	p->on_rq = 1;
	p->nr_wakeups++;
	p->wake_tsc = rdtsc();
	enqueue_task(rq, p);
	ttwu_stat(p->cpu, waker);
	this_cpu()->nr_wakeups++;
	if (rq->idle_stamp) { /* it ends an idle period: newidle balancing's avg_idle */
		update_avg_idle(rq, ktime_get_ns() - rq->idle_stamp);
		rq->idle_stamp = 0;
	}
	check_preempt_curr(rq, p);
}

/*
 * try_to_wake_up. A fair task fully asleep may be placed on another CPU first
 * (select_task_rq_fair; WF_SYNC: the waker is about to sleep, as a pipe's writer): both run queues are locked for the move, and the wake-up is
 * started again if p changed meanwhile (another waker got there first).
 */
int try_to_wake_up(struct task_struct *p, int wake_flags)
{
	unsigned long flags;
	int woken = 0;

	preempt_disable();
	local_irq_save(flags);
	for (;;) {
		struct rq *rq = task_rq_lock(p);
		unsigned prev_cpu = p->cpu, waker = smp_processor_id();
		if (p->state == TASK_RUNNING) {
			raw_spin_unlock(&rq->lock);
			break;
		}
		woken = 1;
		/* on_rq still set: p has not reached __schedule yet and will not sleep. */
		if (p->on_rq) {
			p->state = TASK_RUNNING;
			p->nr_wakeups++;
			ttwu_stat(prev_cpu, waker); /* a wake-up all the same (ttwu_runnable) */
			raw_spin_unlock(&rq->lock);
			break;
		}
		unsigned cpu = p->prio == PRIO_NORMAL ? select_task_rq_fair(p, prev_cpu, waker, wake_flags) : prev_cpu;
		if (cpu == prev_cpu) {
			ttwu_do_activate(rq, p, waker);
			raw_spin_unlock(&rq->lock);
			break;
		}
		raw_spin_unlock(&rq->lock);
		struct rq *dst = cpu_rq(cpu);
		double_rq_lock(rq, dst);
		if (p->cpu == prev_cpu && p->state != TASK_RUNNING && !p->on_rq && !p->on_cpu) {
			p->cpu = cpu; /* set_task_cpu */
			p->nr_migrations++;
			cpu_area(cpu)->nr_migrations++;
			ttwu_do_activate(dst, p, waker);
			double_rq_unlock(rq, dst);
			break;
		}
		double_rq_unlock(rq, dst);
	}
	local_irq_restore(flags);
	preempt_enable();
	return woken;
}

int wake_up_process(struct task_struct *p)
{
	return try_to_wake_up(p, 0);
}

void set_current_state(long state)
{
	WRITE_ONCE(current->state, state);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void finish_task_switch(void)
{
	struct cpu *c = this_cpu();
	struct task_struct *prev = c->prev_task;

	__atomic_store_n(&prev->on_cpu, 0, __ATOMIC_RELEASE);
	raw_spin_unlock(&c->rq.lock);
	if (prev->state == TASK_DEAD)
		task_release(prev);
}

/*
 * sched_info (kernel/sched/stats.h): next's wait in the queue ends (run_delay, pcount),
 * prev's time on the CPU is added (rq_cpu_time); a task the balancer moved here
 * finishes paying for the move.
 */
static void sched_info_switch(struct rq *rq, struct task_struct *prev, struct task_struct *next, u64 now)
{
	if (prev != rq->idle)
		rq->rq_cpu_time += now - prev->slice_start_ns;
	if (next == rq->idle) {
		rq->sched_goidle++;
		return;
	}
	if (next->last_queued_ns) {
		rq->run_delay += now - next->last_queued_ns;
		next->last_queued_ns = 0;
	}
	rq->pcount++;
	if (next->moved_ns) {
		rq->nr_moved_in++;
		rq->moved_in_wait_ns += now - next->moved_ns;
		next->moved_ns = 0;
	}
}

/* Called with interrupts masked; returns with them masked, possibly much later. */
void __schedule(bool preempt)
{
	struct cpu *c = this_cpu();
	struct rq *rq = &c->rq;
	struct task_struct *prev = rq->curr, *next;
	u64 now = ktime_get_ns();

	if (unlikely(prev->stack && *(u64 *)prev->stack != STACK_END_MAGIC))
		panic("corrupted stack end detected inside scheduler (task %s)", prev->comm);

	raw_spin_lock(&rq->lock);
	WRITE_ONCE(prev->need_resched, 0);
	if (!preempt && prev->state != TASK_RUNNING)
		prev->on_rq = 0;
	else if (prev != rq->idle)
		enqueue_task(rq, prev);
	next = pick_next_task(rq);
	rq->sched_count++;
	if (next == prev) {
		if (next != rq->idle)
			next->last_queued_ns = 0; /* it keeps the CPU: no wait */
		raw_spin_unlock(&rq->lock);
		return;
	}
	sched_info_switch(rq, prev, next, now);
	if (next->wake_tsc) {
		u64 lat = rdtsc() - next->wake_tsc;
		wakeup_latency_record(lat);
		next->wake_lat_sum_tsc += lat; /* the task's own, as sched_info's per-task run_delay */
		next->wake_lat_max_tsc = lat > next->wake_lat_max_tsc ? lat : next->wake_lat_max_tsc;
		next->wake_lat_n++;
		next->wake_tsc = 0;
	}
	if (prev == rq->idle)
		c->idle_ns += now - c->idle_since_ns;
	if (next == rq->idle)
		c->idle_since_ns = now;
	prev->sum_exec_ns += now - prev->slice_start_ns;
	prev->last_ran_ns = now;
	if (preempt && prev->state == TASK_RUNNING)
		prev->nivcsw++;
	else
		prev->nvcsw++;
	next->slice_start_ns = now;
	next->on_cpu = 1;
	next->nr_switches++;
	c->nr_switches++;
	if (preempt && prev != rq->idle && prev->state == TASK_RUNNING)
		c->nr_preemptions++;
	rq->curr = next;
	c->current_task = next;
	c->prev_task = prev;
	__switch_to(&prev->sp, next->sp);
	finish_task_switch();
}

void schedule(void)
{
	if (unlikely(current->preempt_count))
		panic("BUG: scheduling while atomic: %s/%d/0x%08x", current->comm, current->pid,
		      current->preempt_count);
	/* sched_submit_work: a task about to block sends its plugged I/O first, which may be what it waits for. */
	if (current->state != TASK_RUNNING && current->plug)
		blk_flush_plug(current->plug);
	local_irq_disable();
	__schedule(false);
	local_irq_enable();
}

/* From preempt_enable(): the task is still runnable, only preempted. */
void preempt_schedule(void)
{
	if (irqs_disabled())
		return;
	do {
		local_irq_disable();
		__schedule(true);
		local_irq_enable();
	} while (need_resched());
}

/* From the interrupt upcall, interrupts masked. */
void preempt_schedule_irq(void)
{
	do
		__schedule(true);
	while (need_resched());
}

void yield(void)
{
	preempt_disable();
	this_cpu()->rq.yld_count++;
	preempt_enable();
	WRITE_ONCE(current->need_resched, 1);
	schedule();
}

/* A new task's first code: what __schedule would have done after __switch_to. */
void schedule_tail(void)
{
	finish_task_switch();
	current->preempt_count = 0;
	local_irq_enable();
}

/* Round robin among normal tasks: preempt at the tick once the slice is used. */
void scheduler_tick(struct cpu *c)
{
	struct rq *rq = &c->rq;
	struct task_struct *curr = rq->curr;
	u64 slice = (u64)knob(timeslice_ms) * NSEC_PER_MSEC;

	update_rq_load_avg(c);
	trigger_load_balance(c);
	if (curr == rq->idle) {
		if (READ_ONCE(rq->nr_queued))
			WRITE_ONCE(curr->need_resched, 1);
		return;
	}
	if (curr->prio == PRIO_NORMAL && !list_empty(&rq->queue[PRIO_NORMAL]) &&
	    ktime_get_ns() - curr->slice_start_ns >= slice)
		WRITE_ONCE(curr->need_resched, 1);
}

void sched_set_prio(struct task_struct *p, int prio)
{
	unsigned long flags;
	local_irq_save(flags);
	struct rq *rq = task_rq_lock(p);
	bool queued = p->on_rq && rq->curr != p;
	if (queued)
		dequeue_task(rq, p);
	p->prio = prio;
	if (queued)
		enqueue_task(rq, p);
	raw_spin_unlock(&rq->lock);
	local_irq_restore(flags);
}

/* New tasks go where the fewest are runnable. */
static unsigned select_task_rq(u64 allowed)
{
	unsigned best = 0, best_load = ~0u;
	for_each_cpu(i) {
		if (!(allowed & BIT(i)))
			continue;
		struct rq *rq = cpu_rq(i);
		unsigned load = READ_ONCE(rq->nr_queued) + (READ_ONCE(rq->curr) != rq->idle);
		if (load < best_load)
			best = i, best_load = load;
	}
	return best;
}

struct task_struct *task_create(int (*fn)(void *), void *arg, const char *name, int cpu, int prio)
{
	struct task_struct *p = kzalloc(sizeof(*p));
	void *stack = kmalloc(THREAD_SIZE);
	if (!p || !stack)
		panic("out of memory creating task %s", name);
	*(u64 *)stack = STACK_END_MAGIC;
	p->stack = stack;
	p->state = TASK_UNINTERRUPTIBLE; /* until wake_up_process */
	p->prio = prio;
	p->cpus_allowed = cpu < 0 ? (nr_cpu_ids == 64 ? ~0ull : BIT(nr_cpu_ids) - 1) : BIT(cpu);
	p->cpu = cpu < 0 ? select_task_rq(p->cpus_allowed) : (unsigned)cpu;
	p->threadfn = fn;
	p->data = arg;
	p->pid = __atomic_add_fetch(&nr_tasks, 1, __ATOMIC_SEQ_CST);
	strlcpy(p->comm, name, sizeof(p->comm));
	INIT_LIST_HEAD(&p->run_list);

	/* The frame __switch_to pops: r15 r14 r13 r12 rbx rbp, then returns to ret_from_fork. */
	u64 *sp = (u64 *)((char *)stack + THREAD_SIZE) - 7;
	memset(sp, 0, 7 * sizeof(u64));
	sp[2] = (u64)arg; /* r13 */
	sp[3] = (u64)fn; /* r12 */
	sp[6] = (u64)ret_from_fork;
	p->sp = (u64)sp;

	unsigned long flags;
	local_irq_save(flags);
	raw_spin_lock(&task_list_lock);
	list_add_tail(&p->tasks, &task_list);
	raw_spin_unlock(&task_list_lock);
	local_irq_restore(flags);
	return p;
}

void set_cpus_allowed_new(struct task_struct *p, u64 mask)
{
	p->cpus_allowed = mask;
	p->cpu = select_task_rq(mask);
}

void task_release(struct task_struct *p)
{
	kfree(p->stack);
	kfree(p);
}

void do_exit(int code)
{
	struct task_struct *p = current;
	p->exit_code = code;
	local_irq_disable();
	raw_spin_lock(&task_list_lock);
	list_del_init(&p->tasks);
	raw_spin_unlock(&task_list_lock);
	p->state = TASK_DEAD;
	__schedule(false);
	panic("dead task %s ran again", p->comm);
}

void sched_init_cpu(struct cpu *c)
{
	struct task_struct *idle = &c->idle_task;
	struct rq *rq = &c->rq;

	spin_lock_init(&rq->lock);
	for (int i = 0; i < NR_PRIO; i++)
		INIT_LIST_HEAD(&rq->queue[i]);
	idle->state = TASK_RUNNING;
	idle->prio = NR_PRIO;
	idle->cpu = c->id;
	idle->cpus_allowed = BIT(c->id);
	idle->on_rq = idle->on_cpu = 1;
	snprintf(idle->comm, sizeof(idle->comm), "swapper/%u", c->id);
	INIT_LIST_HEAD(&idle->run_list);
	list_add_tail(&idle->tasks, &task_list);
	rq->curr = rq->idle = idle;
	rq->avg_idle = 2 * (u64)knob(sched_migration_cost_ns);
	c->current_task = idle;
	c->idle_since_ns = ktime_get_ns();
}
