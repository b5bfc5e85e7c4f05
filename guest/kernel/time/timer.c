/*
 * Timers on the periodic tick: a sorted list per CPU, run from the tick interrupt.
 * A timer fires at the first tick at or after its expiry, as with jiffies timers; on
 * an idle CPU whose tick is stopped, at its expiry (tick-sched.c programs it).
 */
#include <asm/tsc.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/sampler.h>
#include <kernel/sched.h>
#include <kernel/tick.h>
#include <kernel/timer.h>
#include <kernel/watchdog.h>

unsigned int HZ;

void timer_setup(struct timer_list *t, void (*fn)(struct timer_list *))
{
	INIT_LIST_HEAD(&t->entry);
	t->function = fn;
	t->cpu = -1;
}

void add_timer(struct timer_list *t)
{
	unsigned long flags;
	struct timer_list *pos;

	local_irq_save(flags);
	struct cpu *c = this_cpu();
	raw_spin_lock(&c->timer_lock);
	list_for_each_entry(pos, &c->timers, entry)
		if (pos->expires > t->expires)
			break;
	list_add_tail(&t->entry, &pos->entry);
	t->cpu = (int)c->id;
	raw_spin_unlock(&c->timer_lock);
	local_irq_restore(flags);
}

/* Removes t and waits for its function if it is running right now (del_timer_sync). */
bool del_timer(struct timer_list *t)
{
	unsigned long flags;

	for (;;) {
		int cpu = READ_ONCE(t->cpu);
		if (cpu < 0)
			break;
		struct cpu *c = cpu_area((unsigned)cpu);
		local_irq_save(flags);
		raw_spin_lock(&c->timer_lock);
		bool removed = t->cpu == cpu;
		if (removed) {
			list_del_init(&t->entry);
			t->cpu = -1;
		}
		raw_spin_unlock(&c->timer_lock);
		local_irq_restore(flags);
		if (removed)
			return true;
	}
	for_each_cpu(i)
		while (READ_ONCE(cpu_area(i)->running_timer) == t)
			cpu_relax();
	return false;
}

void run_local_timers(struct cpu *c)
{
	u64 now = ktime_get_ns();

	raw_spin_lock(&c->timer_lock);
	while (!list_empty(&c->timers)) {
		struct timer_list *t = list_first_entry(&c->timers, struct timer_list, entry);
		if (t->expires > now)
			break;
		list_del_init(&t->entry);
		t->cpu = -1;
		WRITE_ONCE(c->running_timer, t);
		raw_spin_unlock(&c->timer_lock);
		t->function(t);
		raw_spin_lock(&c->timer_lock);
		WRITE_ONCE(c->running_timer, NULL);
	}
	raw_spin_unlock(&c->timer_lock);
}

/* The first timer's expiry, UINT64_MAX if none: the list is sorted. */
u64 get_next_timer_interrupt(struct cpu *c)
{
	unsigned long flags;
	u64 next = UINT64_MAX;

	local_irq_save(flags);
	raw_spin_lock(&c->timer_lock);
	if (!list_empty(&c->timers))
		next = list_first_entry(&c->timers, struct timer_list, entry)->expires;
	raw_spin_unlock(&c->timer_lock);
	local_irq_restore(flags);
	return next;
}

/* The periodic tick, or an idle CPU's programmed event (kernel/time/tick-sched.c), with interrupts masked. */
void timer_interrupt(struct cpu *c)
{
	c->nr_ticks++;
	tick_sched_do_timer(c, ktime_get_ns());
	run_local_timers(c);
	scheduler_tick(c);
	watchdog_tick(c);
	sample_tick(c);
}

struct process_timer {
	struct timer_list timer;
	struct task_struct *task;
};

static void process_timeout(struct timer_list *t)
{
	wake_up_process(container_of(t, struct process_timer, timer)->task);
}

u64 schedule_timeout(u64 ns)
{
	struct process_timer pt;
	u64 expire = ktime_get_ns() + ns;

	if (!HZ)
		panic("schedule_timeout with no tick (hz=0): nothing would wake %s", current->comm);
	pt.task = current;
	timer_setup(&pt.timer, process_timeout);
	pt.timer.expires = expire;
	add_timer(&pt.timer);
	schedule();
	del_timer(&pt.timer);
	u64 now = ktime_get_ns();
	return now < expire ? expire - now : 0;
}

void msleep(unsigned ms)
{
	u64 left = (u64)ms * NSEC_PER_MSEC;
	while (left) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		left = schedule_timeout(left);
	}
}

void timers_init_cpu(struct cpu *c)
{
	spin_lock_init(&c->timer_lock);
	INIT_LIST_HEAD(&c->timers);
}
