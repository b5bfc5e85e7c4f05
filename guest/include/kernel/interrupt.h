/*
 * Device interrupts, as Linux's request_irq (<linux/interrupt.h>): a driver hands
 * arch/x86/irq.c the handler for its vector, and the interrupt path calls it when the
 * vector's pending bit is set, so the arch code knows no driver. An irq number here is
 * the vector itself (VMS_VEC_*). The tick and the IPIs are the arch's own vectors,
 * handled without the table, as Linux's system vectors are.
 */
#ifndef KERNEL_INTERRUPT_H
#define KERNEL_INTERRUPT_H

/* Runs on the CPU the interrupt arrived at, with interrupts masked. */
typedef void (*irq_handler_t)(unsigned irq, void *dev_id);

/*
 * One handler per vector, for every CPU. Returns 0; -EINVAL for an arch vector or one
 * the nucleus does not deliver; -EBUSY if the vector is taken. Boot only (no locking,
 * no free_irq): handlers are set before their device can interrupt.
 */
int request_irq(unsigned irq, irq_handler_t handler, const char *name, void *dev_id);
#endif
