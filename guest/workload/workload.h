/* The built-in workload's parts. */
#ifndef WORKLOAD_H
#define WORKLOAD_H
#include <kernel/types.h>

extern u64 tsc_workload;
void run_selftests(void);
void run_pingpong(u64 rounds);
void show_tasks(void);
void report_results(void) __noreturn;
#endif
