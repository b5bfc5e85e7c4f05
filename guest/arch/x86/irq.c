/*
 * Interrupts as the kernel sees them: the nucleus has set bits in vcpu_info->pending
 * and up-called irq_upcall (entry.S), which calls do_IRQ with interrupts masked.
 */
#include <asm/hypercall.h>
#include <asm/irq.h>
#include <asm/irqflags.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <kernel/timer.h>

void virtio_irq(void);

static void handle_pending(struct cpu *c)
{
	u64 pending = __atomic_exchange_n(&c->vi.pending, 0, __ATOMIC_ACQ_REL);

	if (pending & BIT(VMS_VEC_TIMER - VMS_VEC_FIRST_IRQ))
		timer_interrupt(c);
	if (pending & BIT(VMS_VEC_RESCHED - VMS_VEC_FIRST_IRQ))
		c->nr_ipi_received++; /* the waker has set need_resched already */
	if (pending & BIT(VMS_VEC_VIRTIO - VMS_VEC_FIRST_IRQ))
		virtio_irq();
}

/* Called by irq_upcall with interrupts masked; preempts on the way out, as CONFIG_PREEMPT. */
void do_IRQ(void)
{
	handle_pending(this_cpu());
	if (current->preempt_count == 0 && need_resched())
		preempt_schedule_irq();
}

/* local_irq_enable() found interrupts that arrived while masked. */
void irq_replay(void)
{
	do {
		local_irq_disable();
		do_IRQ();
		asm volatile("movb $0, %%gs:%c0" : : "i"(VI_MASK) : "memory");
	} while (__pending_irqs());
}

/* Kicks a CPU into its scheduler: an IPI through the nucleus (about 20 us: only when needed). */
void smp_send_reschedule(unsigned cpu)
{
	this_cpu()->nr_ipi_sent++;
	hypercall_ipi(cpu_area(cpu)->apic_id, VMS_VEC_RESCHED);
}
