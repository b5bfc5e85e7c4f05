/* Preemption control, as CONFIG_PREEMPT: a per-task count; 0 means preemptible. */
#ifndef KERNEL_PREEMPT_H
#define KERNEL_PREEMPT_H
#include <kernel/task.h>

void preempt_schedule(void);

static inline void preempt_disable(void)
{
	current->preempt_count++;
	barrier();
}

static inline void preempt_enable_no_resched(void)
{
	barrier();
	current->preempt_count--;
}

static inline void preempt_enable(void)
{
	barrier();
	if (--current->preempt_count == 0 && unlikely(READ_ONCE(current->need_resched)))
		preempt_schedule();
}

static inline int preempt_count(void)
{
	return current->preempt_count;
}
#endif
