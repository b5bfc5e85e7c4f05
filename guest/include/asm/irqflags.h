/*
 * Interrupt masking at CPL 3: a per-CPU flag the nucleus honours (the virtual IF),
 * as Xen-PV's evtchn_upcall_mask. Enabling replays what arrived while masked.
 */
#ifndef ASM_IRQFLAGS_H
#define ASM_IRQFLAGS_H
#include <kernel/types.h>
#include <vmsweep/abi.h>

void irq_replay(void);

static inline void local_irq_disable(void)
{
	asm volatile("movb $1, %%gs:%c0" : : "i"(VI_MASK) : "memory");
}

static inline u64 __pending_irqs(void)
{
	u64 p;
	asm volatile("movq %%gs:%c1, %0" : "=r"(p) : "i"(VI_PENDING) : "memory");
	return p;
}

static inline void local_irq_enable(void)
{
	asm volatile("movb $0, %%gs:%c0" : : "i"(VI_MASK) : "memory");
	if (unlikely(__pending_irqs()))
		irq_replay();
}

static inline unsigned long arch_local_save_flags(void)
{
	unsigned char m;
	asm volatile("movb %%gs:%c1, %0" : "=q"(m) : "i"(VI_MASK) : "memory");
	return m;
}

static inline bool irqs_disabled(void)
{
	return arch_local_save_flags() != 0;
}

#define local_irq_save(flags)                 \
	do {                                  \
		(flags) = arch_local_save_flags(); \
		local_irq_disable();          \
	} while (0)

#define local_irq_restore(flags)        \
	do {                            \
		if (!(flags))           \
			local_irq_enable(); \
	} while (0)
#endif
