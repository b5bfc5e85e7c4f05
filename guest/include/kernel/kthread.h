/* Kernel threads, created by kthreadd as in Linux. */
#ifndef KERNEL_KTHREAD_H
#define KERNEL_KTHREAD_H
#include <kernel/sched.h>

/* Created stopped (wake_up_process starts it); cpu -1 = any. */
struct task_struct *kthread_create_on_cpu(int (*fn)(void *), void *data, int cpu, int prio, const char *namefmt, ...)
	__printf(5, 6);
#define kthread_create(fn, data, ...) kthread_create_on_cpu(fn, data, -1, PRIO_NORMAL, __VA_ARGS__)
/* A kthread created but not woken yet runs only on the CPUs of mask (a bit each). */
void kthread_bind_mask(struct task_struct *p, u64 mask);
int kthreadd(void *unused);
extern struct task_struct *kthreadd_task;
#endif
