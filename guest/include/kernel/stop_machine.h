/* The per-CPU stopper threads, migration/N: run a function on a CPU ahead of everything. */
#ifndef KERNEL_STOP_MACHINE_H
#define KERNEL_STOP_MACHINE_H
#include <kernel/types.h>

struct cpu_stop_work;

int stop_one_cpu(unsigned cpu, int (*fn)(void *), void *arg);
void stop_one_cpu_nowait(unsigned cpu, int (*fn)(void *), void *arg, struct cpu_stop_work *work);
void cpu_stop_init(void);
#endif
