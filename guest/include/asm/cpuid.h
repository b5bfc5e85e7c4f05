/*
 * CPUID, as Linux's asm/processor.h has it. The VMM fills the topology leaves (0x1,
 * 0x4, 0xB, 0x1F) per vCPU. Each CPUID traps to the hypervisor (~19 us on the project's
 * machines): read what is needed once, at boot.
 */
#ifndef ASM_CPUID_H
#define ASM_CPUID_H
#include <kernel/types.h>

static inline void cpuid_count(u32 op, u32 count, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	asm volatile("cpuid" : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx) : "0"(op), "2"(count));
}

/* This CPU's x2APIC ID: leaf 0xB's EDX, the same in every subleaf. */
static inline u32 cpuid_x2apic_id(void)
{
	u32 a, b, c, d;
	cpuid_count(0xb, 0, &a, &b, &c, &d);
	return d;
}
#endif
