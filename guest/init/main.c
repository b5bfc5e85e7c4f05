/*
 * Boot: every vCPU enters _start at CPL 3 and comes here. CPU 0 sets up the kernel
 * (console, kmalloc, run queues, timers), starts init (pid 1) and kthreadd (pid 2),
 * releases the other CPUs and becomes its idle task, as Linux's start_kernel and
 * rest_init do.
 */
#include <asm/cpuid.h>
#include <asm/tsc.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/kthread.h>
#include <kernel/printk.h>
#include <kernel/results.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include <kernel/timer.h>
#include <mm/swap.h>
#include <asm/hypercall.h>

const struct vms_boot *boot_params;
unsigned nr_cpu_ids;
u64 tsc_main;
static u64 cpu_areas_base;
static volatile int smp_boot_go;
static unsigned nr_apic_ids_read; /* CPUs whose apic_id is in their area: IPIs need them all */

struct cpu *cpu_area(unsigned cpu)
{
	return (struct cpu *)(cpu_areas_base + (u64)cpu * VMS_CPU_AREA_SIZE);
}

static void __noreturn start_kernel(const struct vms_boot *bp)
{
	tsc_main = rdtsc();
	/* A host of another build: the same version but another knob table or boot page is refused too. */
	if (bp->magic != VMS_BOOT_MAGIC || bp->abi_version != VMS_ABI_VERSION || bp->nr_knobs != VMS_KNOB_COUNT ||
	    bp->boot_size != sizeof(*bp) || !bp->nr_cpus || bp->nr_cpus > VMS_MAX_CPUS || !bp->tsc_khz) {
		host_doorbell(VMS_EV_PANIC); /* no console yet: the host reports a panic without a record */
		for (;;)
			cpu_relax();
	}
	boot_params = bp;
	nr_cpu_ids = bp->nr_cpus;
	cpu_areas_base = bp->cpu_areas;
	HZ = bp->hz;
	tsc_boot = cpu_area(0)->vi.tsc_first;
	tsc_init(bp->tsc_khz);

	for_each_cpu(i) {
		struct cpu *c = cpu_area(i);
		c->id = i;
		sched_init_cpu(c);
		timers_init_cpu(c);
	}
	results_init();
	console_init();
	printk("vmsweep guest kernel, ABI %u: %u CPUs, %lu MiB, TSC %lu kHz, HZ=%u\n", VMS_ABI_VERSION, nr_cpu_ids,
	       bp->ram_size >> 20, bp->tsc_khz, HZ);
	page_alloc_init();
	kmem_cache_init();
	page_wait_init();

	/* rest_init: init first (pid 1), then kthreadd (pid 2), as in Linux. */
	struct task_struct *init = task_create(kernel_init, NULL, "init", -1, PRIO_NORMAL);
	kthreadd_task = task_create(kthreadd, NULL, "kthreadd", -1, PRIO_NORMAL);
	/* Nothing sends an IPI before every CPU has said where it is: the first wake-up may.
	 * Waited for last, so that the other vCPUs come up while this one sets the kernel up. */
	while (__atomic_load_n(&nr_apic_ids_read, __ATOMIC_ACQUIRE) != nr_cpu_ids)
		cpu_relax();
	wake_up_process(kthreadd_task);
	wake_up_process(init);

	__atomic_store_n(&smp_boot_go, 1, __ATOMIC_RELEASE);
	local_irq_enable();
	cpu_idle();
}

static void __noreturn start_secondary(void)
{
	while (!__atomic_load_n(&smp_boot_go, __ATOMIC_ACQUIRE))
		cpu_relax();
	local_irq_enable();
	cpu_idle();
}

void start_cpu(unsigned cpu, const struct vms_boot *bp)
{
	/* The x2APIC ID the host gave this vCPU (its topology's, not the CPU index): once, it traps. */
	this_cpu()->apic_id = cpuid_x2apic_id();
	__atomic_fetch_add(&nr_apic_ids_read, 1, __ATOMIC_RELEASE);
	if (cpu == 0)
		start_kernel(bp);
	start_secondary();
}
