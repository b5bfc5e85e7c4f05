/*
 * The TSC clock. ns = tsc * mult >> 32, with mult from the host's KVM_GET_TSC_KHZ.
 * tests/unit/test_sched_clock.c compiles this file on the host with TSC_HOST_SHIM
 * (its own u64 and rdtsc).
 */
#ifndef TSC_HOST_SHIM
#include <asm/tsc.h>
#endif

u64 tsc_boot;
static u64 tsc_mult, ns_mult; /* ns per tsc and tsc per ns, 32.32 fixed point */

void tsc_init(u64 tsc_khz)
{
	tsc_mult = (1000000ull << 32) / tsc_khz;
	ns_mult = (tsc_khz << 32) / 1000000ull;
}

u64 tsc_to_ns(u64 tsc)
{
	return (u64)(((unsigned __int128)tsc * tsc_mult) >> 32);
}

u64 ns_to_tsc(u64 ns)
{
	return (u64)(((unsigned __int128)ns * ns_mult) >> 32);
}

u64 ktime_get_ns(void)
{
	return tsc_to_ns(rdtsc() - tsc_boot);
}
