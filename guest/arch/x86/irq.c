/*
 * Interrupts as the kernel sees them: the nucleus has set bits in vcpu_info->pending
 * and up-called irq_upcall (entry.S), which calls do_IRQ with interrupts masked. The
 * tick and the reschedule IPI are handled here; device vectors go to the handler a
 * driver registered with request_irq.
 */
#include <asm/hypercall.h>
#include <asm/irq.h>
#include <asm/irqflags.h>
#include <kernel/errno.h>
#include <kernel/interrupt.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <kernel/tick.h>
#include <kernel/timer.h>

#define VEC_BIT(vector) BIT((vector) - VMS_VEC_FIRST_IRQ) /* its bit in vcpu_info->pending */

/* The arch's own vectors (the call-function IPI carries only the idle balancer's kick); the rest are for devices. */
#define SYSTEM_VECTORS (VEC_BIT(VMS_VEC_TIMER) | VEC_BIT(VMS_VEC_RESCHED) | VEC_BIT(VMS_VEC_CALL))
#define DEVICE_VECTORS ((BIT(VMS_NR_IRQ_VECS) - 1) & ~SYSTEM_VECTORS)

struct irq_desc {
	irq_handler_t handler; /* NULL: nobody asked for the vector, its interrupts are ignored */
	void *dev_id;
	const char *name;
};

/* Indexed by pending bit (vector - VMS_VEC_FIRST_IRQ); set at boot, then only read. */
static struct irq_desc irq_desc[VMS_NR_IRQ_VECS];

int request_irq(unsigned irq, irq_handler_t handler, const char *name, void *dev_id)
{
	if (irq < VMS_VEC_FIRST_IRQ || irq >= VMS_VEC_FIRST_IRQ + VMS_NR_IRQ_VECS || !(DEVICE_VECTORS & VEC_BIT(irq)) ||
	    !handler)
		return -EINVAL;
	struct irq_desc *desc = &irq_desc[irq - VMS_VEC_FIRST_IRQ];
	if (desc->handler)
		return -EBUSY;
	desc->dev_id = dev_id;
	desc->name = name;
	__atomic_store_n(&desc->handler, handler, __ATOMIC_RELEASE); /* last: whoever sees it sees dev_id */
	return 0;
}

static void handle_pending(struct cpu *c)
{
	u64 pending = __atomic_exchange_n(&c->vi.pending, 0, __ATOMIC_ACQ_REL);

	if (pending & VEC_BIT(VMS_VEC_TIMER))
		timer_interrupt(c);
	if (pending & VEC_BIT(VMS_VEC_RESCHED))
		c->nr_ipi_received++; /* the waker has set need_resched already */
	if (pending & VEC_BIT(VMS_VEC_CALL)) {
		c->nr_ipi_received++;
		nohz_csd_func(c);
	}
	for (pending &= DEVICE_VECTORS; pending; pending &= pending - 1) {
		unsigned bit = (unsigned)__builtin_ctzll(pending);
		irq_handler_t handler = __atomic_load_n(&irq_desc[bit].handler, __ATOMIC_ACQUIRE);
		if (handler)
			handler(VMS_VEC_FIRST_IRQ + bit, irq_desc[bit].dev_id);
	}
}

/* Called by irq_upcall with interrupts masked; preempts on the way out, as CONFIG_PREEMPT. */
void do_IRQ(void)
{
	struct cpu *c = this_cpu();
	handle_pending(c);
	if (current->preempt_count == 0 && need_resched()) {
		tick_nohz_idle_exit(c); /* the idle task, preempted in its polls, leaves idle here */
		preempt_schedule_irq();
	}
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

void arch_send_call_function_single_ipi(unsigned cpu)
{
	this_cpu()->nr_ipi_sent++;
	hypercall_ipi(cpu_area(cpu)->apic_id, VMS_VEC_CALL);
}

/* Kicks a CPU into its scheduler: an IPI through the nucleus (about 20 us: only when needed). */
void smp_send_reschedule(unsigned cpu)
{
	this_cpu()->nr_ipi_sent++;
	hypercall_ipi(cpu_area(cpu)->apic_id, VMS_VEC_RESCHED);
}
