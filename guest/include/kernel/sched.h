/* The scheduler: per-CPU run queues, three classes, preemption at the tick and on wake-up. */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H
#include <kernel/percpu.h>

void sched_init_cpu(struct cpu *c);
void schedule(void);
void __schedule(bool preempt);
void preempt_schedule_irq(void);
void scheduler_tick(struct cpu *c);
/* Idle load balancing with the tick stopped (kernel/sched/fair_nohz.c). */
void nohz_balance_enter_idle(struct cpu *c); /* the tick stopped: into nohz.idle_cpus_mask */
void nohz_csd_func(struct cpu *c); /* the kick's IPI arrived, interrupts masked */
int wake_up_process(struct task_struct *p);
#define WF_SYNC 0x10 /* the waker goes to sleep next: the wakee may take its CPU */
int try_to_wake_up(struct task_struct *p, int wake_flags);
void set_current_state(long state);
void cpu_idle(void) __noreturn;
void do_exit(int code) __noreturn;
void yield(void);

/* Moves p onto a CPU of mask, through migration/N if it is running. */
int set_cpus_allowed(struct task_struct *p, u64 mask);
/* A task not woken yet: the CPUs it may run on, and the least loaded of them to start
 * on (Linux chooses it in wake_up_new_task). */
void set_cpus_allowed_new(struct task_struct *p, u64 mask);
void sched_set_prio(struct task_struct *p, int prio);
/* A task not yet started, ready for wake_up_process(). */
struct task_struct *task_create(int (*fn)(void *), void *arg, const char *name, int cpu, int prio);
/* The wake-up latency histogram (sched/stats.c), for the results. */
void wakeup_latency_read(struct vms_rec_hist *h, u32 *buckets);

static inline bool need_resched(void)
{
	return READ_ONCE(current->need_resched) != 0;
}

extern pid_t nr_tasks;
extern struct list_head task_list;
extern raw_spinlock_t task_list_lock;
#endif
