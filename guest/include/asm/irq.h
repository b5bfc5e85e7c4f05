/* Interrupts as the kernel sees them (arch/x86/irq.c). */
#ifndef ASM_IRQ_H
#define ASM_IRQ_H

/* irq_upcall's C half (entry.S), with interrupts masked. */
void do_IRQ(void);
/* Kicks a CPU into its scheduler: an IPI through the nucleus (a trap: only when needed). */
void smp_send_reschedule(unsigned cpu);
/* The call-function IPI: here only the idle balancer's kick (nohz_csd_func). */
void arch_send_call_function_single_ipi(unsigned cpu);
#endif
