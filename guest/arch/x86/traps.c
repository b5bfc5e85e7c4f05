/*
 * CPU exceptions: the nucleus saved the vector, error code, RIP, RSP, RFLAGS and CR2
 * in vcpu_info and redirected here (trap_entry in entry.S) with the faulting registers.
 * Every exception is fatal for this kernel: report it as Linux would, then panic.
 */
#include <asm/traps.h>
#include <kernel/kernel.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <lib/vsprintf.h>

static const char *const exception_names[32] = {
	[0] = "divide error", [1] = "debug", [2] = "NMI", [3] = "int3", [4] = "overflow",
	[5] = "bounds", [6] = "invalid opcode", [7] = "device not available", [8] = "double fault",
	[10] = "invalid TSS", [11] = "segment not present", [12] = "stack segment",
	[13] = "general protection fault", [14] = "page fault", [16] = "coprocessor error",
	[17] = "alignment check", [18] = "machine check", [19] = "SIMD exception",
};

void do_trap(struct pt_regs *regs)
{
	const struct vms_vcpu_info *vi = &this_cpu()->vi;
	u64 vec = vi->f_vector;
	const char *name = vec < 32 && exception_names[vec] ? exception_names[vec] : "exception";
	char msg[160];

	if (vec == 14) {
		printk("BUG: unable to handle page fault for address: %#lx\n", vi->f_cr2);
		printk("#PF: %s %s access in %s mode\n", vi->f_error & 1 ? "protection" : "not-present",
		       vi->f_error & 2 ? "write" : vi->f_error & 16 ? "instruction fetch" : "read",
		       vi->f_error & 4 ? "user" : "supervisor");
		snprintf(msg, sizeof(msg), "Oops: page fault at %#lx, ip %#lx", vi->f_cr2, vi->f_rip);
	} else {
		printk("%s: %04lx [#1] SMP\n", name, vi->f_error);
		snprintf(msg, sizeof(msg), "Oops: %s (vector %lu), ip %#lx", name, vec, vi->f_rip);
	}
	panic_exception(msg, regs);
}
