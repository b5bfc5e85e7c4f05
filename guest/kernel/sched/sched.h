/* Scheduler internals shared by core.c, idle.c and migration.c. */
#ifndef KERNEL_SCHED_INTERNAL_H
#define KERNEL_SCHED_INTERNAL_H
#include <kernel/sched.h>

#define STACK_END_MAGIC 0x57AC6E9Dull

struct rq *task_rq_lock(struct task_struct *p);
void check_preempt_curr(struct rq *rq, struct task_struct *p);
void task_release(struct task_struct *p);
void wakeup_latency_record(u64 tsc_delta);
/* Moves p, queued but not running on src, to dest; or retargets it if asleep. */
bool migrate_task(struct task_struct *p, unsigned src, unsigned dest);
bool idle_balance(struct cpu *c);
#endif
