/*
 * The context switch, shared by kernel/sched/core.c and entry.S: __switch_to swaps
 * stacks and the callee-saved registers; a new task's first return from it lands in
 * ret_from_fork, which finishes the switch (schedule_tail) before the task's function.
 */
#ifndef ASM_SWITCH_TO_H
#define ASM_SWITCH_TO_H
#include <kernel/types.h>

void __switch_to(u64 *prev_sp, u64 next_sp);
void ret_from_fork(void);
void schedule_tail(void);
#endif
