/* Failure paths on request, so that tests can see the host report them. */
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <asm/irqflags.h>
#include "workload.h"

void run_selftests(void)
{
	if (knob(fault_test)) {
		/* volatile: the compiler must not see a null dereference it may drop */
		volatile uintptr_t addr = knob(fault_test) == 1 ? 0 : boot_params->ram_size + (256ull << 20);
		printk("fault_test: touching %#lx\n", (u64)addr);
		if (knob(fault_test) == 1)
			*(volatile int *)addr = 1;
		else
			(void)*(volatile int *)addr;
	}
	if (knob(panic_test))
		panic("panic_test: requested by the host");
	if (knob(hang_test)) {
		printk("hang_test: spinning with interrupts masked\n");
		local_irq_disable();
		for (;;)
			cpu_relax();
	}
}
