/*
 * The idle task (pid 0, swapper/N): pull work from a busy CPU, else halt through
 * the nucleus until an interrupt. The nucleus does not halt when an interrupt came
 * in while masked, so a wake-up between the check and the halt is not lost.
 */
#include <asm/hypercall.h>
#include "sched.h"

void cpu_idle(void)
{
	struct cpu *c = this_cpu();

	for (;;) {
		local_irq_disable();
		if (!need_resched() && !idle_balance(c)) {
			c->nr_halts++;
			hypercall_halt();
		}
		local_irq_enable();
		if (need_resched())
			schedule();
	}
}
