/* CPU exceptions: trap_entry (entry.S) hands the faulting registers to do_trap (arch/x86/traps.c). */
#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H
#include <kernel/types.h>

struct pt_regs;

void do_trap(struct pt_regs *regs) __noreturn;
#endif
