/* Timers on the periodic tick, per CPU; expiry in nanoseconds of ktime_get_ns(). */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H
#include <kernel/percpu.h>

struct timer_list {
	struct list_head entry;
	u64 expires;
	void (*function)(struct timer_list *);
	int cpu; /* -1 when not pending */
};

void timers_init_cpu(struct cpu *c); /* boot, for every CPU */
void timer_setup(struct timer_list *t, void (*fn)(struct timer_list *));
void add_timer(struct timer_list *t); /* on this CPU */
bool del_timer(struct timer_list *t);
void run_local_timers(struct cpu *c);
u64 get_next_timer_interrupt(struct cpu *c); /* this CPU's first expiry, UINT64_MAX if none */
void timer_interrupt(struct cpu *c);

/* Sleeps for ns with the state the caller set; returns the time left if woken early. */
u64 schedule_timeout(u64 ns);
void msleep(unsigned ms);
extern unsigned int HZ;
#endif
