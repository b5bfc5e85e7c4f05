/*
 * panic(): the report a kernel engineer expects (message, CPU, task, registers, call
 * trace), on the console and as a VMS_REC_PANIC record for the host, which then stops
 * the VM. Backtraces follow the frame-pointer chain inside the task's stack.
 */
#include <asm/hypercall.h>
#include <kernel/kernel.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/results.h>
#include <lib/string.h>
#include <lib/vsprintf.h>

static int panic_cpu = -1;

static void stack_bounds(struct task_struct *p, u64 *lo, u64 *hi)
{
	if (p->stack) {
		*lo = (u64)p->stack;
		*hi = *lo + THREAD_SIZE;
	} else { /* an idle task: the boot stack in its CPU's area */
		*hi = (u64)cpu_area(p->cpu) + VMS_CPU_BOOT_STACK_TOP;
		*lo = (u64)cpu_area(p->cpu) + VMS_CPU_IST_STACK_TOP;
	}
}

static u32 walk_stack(u64 rbp, u64 *frames, u32 max)
{
	u64 lo, hi;
	u32 n = 0;

	stack_bounds(current, &lo, &hi);
	while (n < max && rbp >= lo && rbp + 16 <= hi && !(rbp & 7)) {
		u64 next = ((u64 *)rbp)[0], ret = ((u64 *)rbp)[1];
		if (!ret)
			break;
		frames[n++] = ret;
		if (next <= rbp)
			break;
		rbp = next;
	}
	return n;
}

static void __noreturn panic_report(struct vms_rec_panic *rec, u64 rbp)
{
	struct task_struct *t = current;

	rec->cpu = smp_processor_id();
	rec->pid = (u64)t->pid;
	strlcpy(rec->task, t->comm, sizeof(rec->task));
	rec->nr_frames = walk_stack(rbp, rec->frames, VMS_PANIC_FRAMES);

	printk("Kernel panic - not syncing: %s\n", rec->msg);
	printk("CPU: %lu PID: %lu Comm: %s\n", rec->cpu, rec->pid, rec->task);
	printk("RIP: %016lx RSP: %016lx EFLAGS: %08lx\n", rec->rip, rec->rsp, rec->rflags);
	const u64 *r = rec->regs;
	printk("RAX: %016lx RBX: %016lx RCX: %016lx\n", r[0], r[1], r[2]);
	printk("RDX: %016lx RSI: %016lx RDI: %016lx\n", r[3], r[4], r[5]);
	printk("RBP: %016lx R08: %016lx R09: %016lx\n", r[6], r[8], r[9]);
	printk("R10: %016lx R11: %016lx R12: %016lx\n", r[10], r[11], r[12]);
	printk("R13: %016lx R14: %016lx R15: %016lx\n", r[13], r[14], r[15]);
	printk("Call Trace:\n");
	for (u32 i = 0; i < rec->nr_frames; i++)
		printk(" [<%016lx>]\n", rec->frames[i]);
	printk("---[ end Kernel panic - not syncing: %s ]---\n", rec->msg);
	results_record(VMS_REC_PANIC, rec, sizeof(*rec));
	host_doorbell(VMS_EV_PANIC);
	for (;;)
		cpu_relax();
}

/* Only the first CPU to panic reports; the others wait for the host to stop them. */
static void panic_enter(void)
{
	int none = -1;
	local_irq_disable();
	current->preempt_count++;
	if (!__atomic_compare_exchange_n(&panic_cpu, &none, (int)smp_processor_id(), false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		for (;;)
			cpu_relax();
}

void panic(const char *fmt, ...)
{
	static struct vms_rec_panic rec;
	va_list ap;

	panic_enter();
	va_start(ap, fmt);
	vsnprintf(rec.msg, sizeof(rec.msg), fmt, ap);
	va_end(ap);
	u64 rbp = (u64)__builtin_frame_address(0);
	rec.vector = ~0ull;
	rec.rip = (u64)__builtin_return_address(0);
	rec.rsp = rbp;
	rec.regs[6] = rbp;
	panic_report(&rec, rbp);
}

void panic_exception(const char *msg, const struct pt_regs *regs)
{
	static struct vms_rec_panic rec;
	const struct vms_vcpu_info *vi = &this_cpu()->vi;

	panic_enter();
	strlcpy(rec.msg, msg, sizeof(rec.msg));
	rec.vector = vi->f_vector;
	rec.error = vi->f_error;
	rec.rip = vi->f_rip;
	rec.rsp = vi->f_rsp;
	rec.rflags = vi->f_rflags;
	rec.cr2 = vi->f_cr2;
	memcpy(rec.regs, regs, sizeof(rec.regs));
	/* The faulting instruction first, then its callers. */
	panic_report(&rec, regs->bp);
}
