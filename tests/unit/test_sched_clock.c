/*
 * Host-side tests of the guest's clock and the scheduler's wake-up latency accounting
 * (guest/arch/x86/tsc.c, guest/kernel/sched/stats.c) at known TSC rates: a wake-up that
 * took N TSC cycles is recorded as N / tsc_khz milliseconds, in nanoseconds, in fio's
 * histogram buckets. The host reports these numbers as wakeup_latency_ns; a slip of
 * units (cycles taken for nanoseconds) multiplies every latency by the TSC's GHz.
 *
 * The guest files are compiled in here with TSC_HOST_SHIM and SCHED_STATS_HOST_SHIM:
 * this file supplies u64/u32, rdtsc (a variable the tests set) and the record type.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmsweep/abi.h>
#include <vmsweep/hist.h>

/* ---- host shim for the guest headers ---- */
#define TSC_HOST_SHIM
#define SCHED_STATS_HOST_SHIM
typedef uint64_t u64;
typedef uint32_t u32;
static u64 fake_tsc;
static inline u64 rdtsc(void)
{
	return fake_tsc;
}
void tsc_init(u64 tsc_khz);
u64 tsc_to_ns(u64 tsc);
u64 ns_to_tsc(u64 ns);
u64 ktime_get_ns(void);
void wakeup_latency_record(u64 tsc_delta);
void wakeup_latency_read(struct vms_rec_hist *h, u32 *buckets);

#include "../../guest/arch/x86/tsc.c"
#include "../../guest/kernel/sched/stats.c"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* TSC rates of real and KVM-reported CPUs, kHz */
static const u64 rates_khz[] = { 1000000, 1999968, 2100000, 2494140, 2992968, 3700000, 5000000 };

/* |got - want| <= want * rel + abs */
static void assert_near(u64 got, u64 want, double rel, u64 abs_)
{
	double d = (double)got - (double)want;
	if (d < 0)
		d = -d;
	if (d > (double)want * rel + (double)abs_)
		fail_msg("got %llu, want %llu (+- %g + %llu)", (unsigned long long)got, (unsigned long long)want, rel,
			 (unsigned long long)abs_);
}

static void test_tsc_to_ns_at_known_rates(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(rates_khz); i++) {
		u64 khz = rates_khz[i];
		tsc_init(khz);
		/* one millisecond of cycles is 1e6 ns; one second is 1e9 */
		assert_near(tsc_to_ns(khz), 1000000, 1e-6, 1);
		assert_near(tsc_to_ns(khz * 1000), 1000000000, 1e-6, 1);
		/* 150 us of cycles */
		assert_near(tsc_to_ns(khz * 150 / 1000), 150000, 1e-6, 1);
		/* and back */
		assert_near(ns_to_tsc(1000000), khz, 1e-6, 1);
		assert_near(tsc_to_ns(ns_to_tsc(123456789)), 123456789, 1e-6, 2);
		/* an hour does not overflow */
		assert_near(tsc_to_ns(khz * 1000 * 3600), 3600000000000ull, 1e-6, 1);
	}
}

static void test_ktime_counts_from_boot(void **state)
{
	tsc_init(2500000);
	tsc_boot = 1000000000ull;
	fake_tsc = tsc_boot + 2500000ull * 40; /* 40 ms of cycles at 2.5 GHz */
	assert_near(ktime_get_ns(), 40000000, 1e-6, 1);
}

/* A wake-up of `cycles` TSC cycles is recorded as cycles / GHz nanoseconds. */
static void test_wakeup_latency_is_recorded_in_ns(void **state)
{
	static u32 buckets[VMS_HIST_NR];
	struct vms_rec_hist h;

	for (size_t i = 0; i < ARRAY_SIZE(rates_khz); i++) {
		u64 khz = rates_khz[i];
		memset(wakeup_hist, 0, sizeof(wakeup_hist));
		wakeup_samples = wakeup_sum_ns = wakeup_max_ns = 0;
		wakeup_min_ns = ~0ull;
		tsc_init(khz);
		/* 36 us, 81 us, 448 us: the README's p50, p90 and p99 */
		static const u64 us[] = { 36, 81, 448 };
		for (size_t k = 0; k < ARRAY_SIZE(us); k++)
			wakeup_latency_record(khz * us[k] / 1000);
		wakeup_latency_read(&h, buckets);
		assert_int_equal(h.id, VMS_HIST_WAKEUP);
		assert_int_equal(h.samples, 3);
		assert_near(h.min_ns, 36000, 1e-4, 1);
		assert_near(h.max_ns, 448000, 1e-4, 1);
		assert_near(h.sum_ns, (36 + 81 + 448) * 1000, 1e-4, 3);
		/* each sample in the bucket of its nanoseconds, and nowhere else */
		u64 in = 0;
		for (size_t k = 0; k < ARRAY_SIZE(us); k++) {
			unsigned b = vms_hist_index(tsc_to_ns(khz * us[k] / 1000));
			assert_true(buckets[b] >= 1);
			/* the bucket's value is within fio's 1/64 resolution of the latency */
			assert_near(vms_hist_value(b), us[k] * 1000, 1.0 / 32, 1);
		}
		for (unsigned b = 0; b < VMS_HIST_NR; b++)
			in += buckets[b];
		assert_int_equal(in, 3);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsc_to_ns_at_known_rates),
		cmocka_unit_test(test_ktime_counts_from_boot),
		cmocka_unit_test(test_wakeup_latency_is_recorded_in_ns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
