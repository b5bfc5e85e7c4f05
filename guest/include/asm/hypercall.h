/* Calls into the CPL-0 nucleus: `int3` with rax = op (about 20 us each here: keep them rare). */
#ifndef ASM_HYPERCALL_H
#define ASM_HYPERCALL_H
#include <kernel/types.h>
#include <vmsweep/abi.h>

/* Halts until an interrupt, unless one is already pending. Called with interrupts masked. */
static inline void hypercall_halt(void)
{
	uint64_t op = VMS_HC_HALT;
	asm volatile("int3" : "+a"(op) : : "rcx", "rdx", "memory");
}

static inline void hypercall_ipi(uint32_t apic_id, uint32_t vector)
{
	uint64_t op = VMS_HC_IPI;
	asm volatile("int3" : "+a"(op) : "D"((uint64_t)apic_id), "S"((uint64_t)vector) : "rcx", "rdx", "memory");
}

/* Writes the LAPIC timer's initial count (periodic mode: it fires every count, from now; 0 stops it). */
static inline void hypercall_set_timer(uint32_t count)
{
	uint64_t op = VMS_HC_TIMER;
	asm volatile("int3" : "+a"(op) : "D"((uint64_t)count) : "rcx", "rdx", "memory");
}

/* Rings the host's doorbell (a port the TSS opens to CPL 3): for rare events only. */
static inline void host_doorbell(uint32_t event)
{
	asm volatile("outl %0, %w1" : : "a"(event), "Nd"(VMS_PORT_DOORBELL) : "memory");
}
#endif
