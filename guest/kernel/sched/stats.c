/*
 * Scheduler wake-up latency (wake-up to running), in fio's histogram buckets.
 * tests/unit/test_sched_clock.c compiles this file on the host with
 * SCHED_STATS_HOST_SHIM, supplying the types and tsc_to_ns (guest/arch/x86/tsc.c).
 */
#ifndef SCHED_STATS_HOST_SHIM
#include <asm/tsc.h>
#include "sched.h"
#endif
#include <vmsweep/hist.h>

static u32 wakeup_hist[VMS_HIST_NR];
static u64 wakeup_samples, wakeup_sum_ns, wakeup_min_ns = ~0ull, wakeup_max_ns;

void wakeup_latency_record(u64 tsc_delta)
{
	u64 ns = tsc_to_ns(tsc_delta);

	__atomic_fetch_add(&wakeup_hist[vms_hist_index(ns)], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&wakeup_samples, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&wakeup_sum_ns, ns, __ATOMIC_RELAXED);
	u64 old = __atomic_load_n(&wakeup_min_ns, __ATOMIC_RELAXED);
	while (ns < old && !__atomic_compare_exchange_n(&wakeup_min_ns, &old, ns, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	old = __atomic_load_n(&wakeup_max_ns, __ATOMIC_RELAXED);
	while (ns > old && !__atomic_compare_exchange_n(&wakeup_max_ns, &old, ns, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void wakeup_latency_read(struct vms_rec_hist *h, u32 *buckets)
{
	h->id = VMS_HIST_WAKEUP;
	h->nr_buckets = VMS_HIST_NR;
	h->samples = wakeup_samples;
	h->min_ns = wakeup_samples ? wakeup_min_ns : 0;
	h->max_ns = wakeup_max_ns;
	h->sum_ns = wakeup_sum_ns;
	for (unsigned i = 0; i < VMS_HIST_NR; i++)
		buckets[i] = wakeup_hist[i];
}
