/* The clock: the TSC, at the frequency the host reads with KVM_GET_TSC_KHZ. */
#ifndef ASM_TSC_H
#define ASM_TSC_H
#include <kernel/types.h>

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

void tsc_init(u64 tsc_khz);
u64 tsc_to_ns(u64 tsc);
u64 ns_to_tsc(u64 ns);
/* Nanoseconds since CPU 0's first instruction. */
u64 ktime_get_ns(void);
extern u64 tsc_boot;
#endif
