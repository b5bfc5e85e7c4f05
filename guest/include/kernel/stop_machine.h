/* The per-CPU stopper threads, migration/N: run a function on a CPU ahead of everything. */
#ifndef KERNEL_STOP_MACHINE_H
#define KERNEL_STOP_MACHINE_H
#include <kernel/types.h>

int stop_one_cpu(unsigned cpu, int (*fn)(void *), void *arg);
void cpu_stop_init(void);
#endif
