/* fio's log-linear buckets and the percentiles read from them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/hist_stats.h"

/* Width of the bucket holding v: exact below 128, then 64 buckets per power of two. */
static uint64_t bucket_width(uint64_t v)
{
	if (v < 2 * VMS_HIST_VAL)
		return 1;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v);
	return 1ull << (msb - VMS_HIST_BITS);
}

/* Deterministic samples (xorshift64*), so a failure reproduces. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static void test_index_value_round_trip(void **state)
{
	(void)state;
	/* The value reported for a bucket lies in that bucket. */
	for (unsigned idx = 0; idx < VMS_HIST_NR; idx++)
		assert_int_equal(vms_hist_index(vms_hist_value(idx)), idx);
}

static void test_small_values_exact(void **state)
{
	(void)state;
	for (uint64_t v = 0; v < 128; v++) {
		assert_int_equal(vms_hist_index(v), v);
		assert_int_equal(vms_hist_value((unsigned)v), v);
	}
	/* 128 is the first value that shares a bucket. */
	assert_int_equal(vms_hist_index(128), vms_hist_index(129));
	assert_int_not_equal(vms_hist_index(127), vms_hist_index(128));
}

static void test_monotonic(void **state)
{
	(void)state;
	for (unsigned idx = 1; idx < VMS_HIST_NR; idx++)
		assert_true(vms_hist_value(idx) > vms_hist_value(idx - 1));
	for (uint64_t v = 0; v < (1u << 20); v++)
		assert_true(vms_hist_index(v + 1) >= vms_hist_index(v));
	/* Across every power of two, where the bucket width doubles. */
	for (unsigned b = 1; b < 64; b++) {
		uint64_t p = 1ull << b;
		assert_true(vms_hist_index(p - 1) <= vms_hist_index(p));
		assert_true(vms_hist_index(p) <= vms_hist_index(p + 1));
	}
}

static void test_value_close_to_sample(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	(void)state;

	/* Below 2^34 (about 17 s in ns) nothing is clamped: the bucket's middle is within
	 * half a bucket, i.e. within 1/128 of the sample. */
	for (int i = 0; i < 200000; i++) {
		uint64_t v = rng_next(&seed) >> (30 + (unsigned)(i % 34));
		uint64_t got = vms_hist_value(vms_hist_index(v));
		uint64_t diff = got > v ? got - v : v - got;
		if (diff > bucket_width(v) / 2)
			fail_msg("value %llu reported as %llu", (unsigned long long)v, (unsigned long long)got);
		assert_true(diff * 128 <= v);
	}
}

static void test_clamped_to_last_bucket(void **state)
{
	(void)state;
	assert_int_equal(vms_hist_index(UINT64_MAX), VMS_HIST_NR - 1);
	assert_int_equal(vms_hist_index(1ull << 34), VMS_HIST_NR - 1);
	assert_int_equal(vms_hist_index((1ull << 34) - 1), VMS_HIST_NR - 1);
	assert_int_equal(vms_hist_index((1ull << 33) + 62 * (1ull << 27)), VMS_HIST_NR - 2);
}

static void test_empty(void **state)
{
	static uint32_t counts[VMS_HIST_NR];
	static uint64_t counts64[VMS_HIST_NR];
	(void)state;

	assert_int_equal(hist_total(counts, VMS_HIST_NR), 0);
	assert_int_equal(hist_percentile(counts, VMS_HIST_NR, 50), 0);
	assert_int_equal(hist_percentile(counts, VMS_HIST_NR, 99.9), 0);
	assert_int_equal(hist_percentile(counts, VMS_HIST_NR, 100), 0);
	assert_int_equal(hist_percentile64(counts64, VMS_HIST_NR, 50), 0);
	assert_int_equal(hist_percentile(counts, 0, 50), 0);
}

static void fill_1_to_1000(uint32_t *counts)
{
	memset(counts, 0, VMS_HIST_NR * sizeof(*counts));
	for (uint64_t v = 1; v <= 1000; v++)
		counts[vms_hist_index(v)]++;
}

static void test_uniform_1_to_1000(void **state)
{
	static uint32_t counts[VMS_HIST_NR];
	(void)state;

	fill_1_to_1000(counts);
	assert_int_equal(hist_total(counts, VMS_HIST_NR), 1000);

	uint64_t p50 = hist_percentile(counts, VMS_HIST_NR, 50);
	uint64_t p99 = hist_percentile(counts, VMS_HIST_NR, 99);
	assert_true(p50 >= 500 - bucket_width(500) && p50 <= 500 + bucket_width(500));
	assert_true(p99 >= 990 - bucket_width(990) && p99 <= 990 + bucket_width(990));
	/* And exactly fio's numbers: the middles of buckets [500, 504) and [984, 992). */
	assert_int_equal(p50, 502);
	assert_int_equal(p99, 988);
	assert_int_equal(hist_percentile(counts, VMS_HIST_NR, 1), 10); /* exact below 128 */
	assert_int_equal(hist_percentile(counts, VMS_HIST_NR, 0.05), 1); /* the minimum */
	assert_int_equal(hist_percentile(counts, VMS_HIST_NR, 100), 1004);
	/* Above 100 reads as the maximum. */
	assert_int_equal(hist_percentile(counts, VMS_HIST_NR, 150), 1004);
}

static void test_threshold_is_inclusive(void **state)
{
	static uint32_t counts[VMS_HIST_NR];
	(void)state;

	/* Four samples: 10, 20, 30, 30. fio takes the first bucket whose running sum
	 * reaches p/100 * total, so p50 (2 of 4) stops at 20. */
	memset(counts, 0, sizeof(counts));
	counts[10] = 1;
	counts[20] = 1;
	counts[30] = 2;
	assert_int_equal(hist_percentile(counts, VMS_HIST_NR, 25), 10);
	assert_int_equal(hist_percentile(counts, VMS_HIST_NR, 25.01), 20);
	assert_int_equal(hist_percentile(counts, VMS_HIST_NR, 50), 20);
	assert_int_equal(hist_percentile(counts, VMS_HIST_NR, 50.01), 30);
	assert_int_equal(hist_percentile(counts, VMS_HIST_NR, 75), 30);
	assert_int_equal(hist_percentile(counts, VMS_HIST_NR, 100), 30);
}

static void test_single_sample(void **state)
{
	static uint32_t counts[VMS_HIST_NR];
	static const double ps[] = { 0.001, 1, 50, 99, 99.99, 100 };
	(void)state;

	memset(counts, 0, sizeof(counts));
	counts[vms_hist_index(1000000)] = 1;
	uint64_t want = vms_hist_value(vms_hist_index(1000000));
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		assert_int_equal(hist_percentile(counts, VMS_HIST_NR, ps[i]), want);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Against the definition: the bucket of the sample of rank ceil(p/100 * n). */
static void test_matches_sorted_rank(void **state)
{
	static uint32_t counts[VMS_HIST_NR];
	static uint64_t samples[5000];
	static const double ps[] = { 1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100 };
	uint64_t seed = 12345;
	(void)state;

	for (int round = 0; round < 20; round++) {
		size_t n = 1 + (size_t)(rng_next(&seed) % 5000);
		memset(counts, 0, sizeof(counts));
		for (size_t i = 0; i < n; i++) {
			/* Log-spread latencies, 1 ns to about 17 s. */
			samples[i] = rng_next(&seed) >> (30 + rng_next(&seed) % 34);
			counts[vms_hist_index(samples[i])]++;
		}
		qsort(samples, n, sizeof(samples[0]), cmp_u64);
		for (size_t j = 0; j < sizeof(ps) / sizeof(ps[0]); j++) {
			long double want_rank = (long double)ps[j] / 100.0L * (long double)n;
			size_t r = 1;
			while ((long double)r < want_rank)
				r++;
			uint64_t want = vms_hist_value(vms_hist_index(samples[r - 1]));
			uint64_t got = hist_percentile(counts, VMS_HIST_NR, ps[j]);
			if (got != want)
				fail_msg("n=%zu p%g: got %llu, want %llu", n, ps[j], (unsigned long long)got,
					 (unsigned long long)want);
		}
	}
}

static void test_merge_adds(void **state)
{
	static uint32_t a[VMS_HIST_NR], b[VMS_HIST_NR];
	static uint64_t dst[VMS_HIST_NR];
	(void)state;

	fill_1_to_1000(a);
	memset(b, 0, sizeof(b));
	b[5] = 3;
	b[vms_hist_index(5000)] = 7;
	memset(dst, 0, sizeof(dst));
	hist_merge(dst, a, VMS_HIST_NR);
	hist_merge(dst, b, VMS_HIST_NR);
	for (unsigned i = 0; i < VMS_HIST_NR; i++)
		assert_int_equal(dst[i], (uint64_t)a[i] + b[i]);
	assert_int_equal(hist_total64(dst, VMS_HIST_NR), 1010);
}

static void test_merge_repetitions_keep_percentiles(void **state)
{
	static uint32_t a[VMS_HIST_NR];
	static uint64_t dst[VMS_HIST_NR];
	static const double ps[] = { 1, 50, 90, 99, 100 };
	(void)state;

	fill_1_to_1000(a);
	memset(dst, 0, sizeof(dst));
	for (int rep = 0; rep < 3; rep++)
		hist_merge(dst, a, VMS_HIST_NR);
	assert_int_equal(hist_total64(dst, VMS_HIST_NR), 3000);
	/* Three identical runs have the percentiles of one. */
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		assert_int_equal(hist_percentile64(dst, VMS_HIST_NR, ps[i]), hist_percentile(a, VMS_HIST_NR, ps[i]));
}

static void test_merge_beyond_32_bits(void **state)
{
	static uint32_t a[VMS_HIST_NR];
	static uint64_t dst[VMS_HIST_NR];
	(void)state;

	memset(a, 0, sizeof(a));
	memset(dst, 0, sizeof(dst));
	a[100] = UINT32_MAX;
	hist_merge(dst, a, VMS_HIST_NR);
	hist_merge(dst, a, VMS_HIST_NR);
	assert_int_equal(dst[100], 2ull * UINT32_MAX);
	assert_int_equal(hist_total64(dst, VMS_HIST_NR), 2ull * UINT32_MAX);
	assert_int_equal(hist_percentile64(dst, VMS_HIST_NR, 50), 100);
	/* hist_total of 32-bit counts does not wrap either. */
	a[101] = UINT32_MAX;
	assert_int_equal(hist_total(a, VMS_HIST_NR), 2ull * UINT32_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_value_round_trip),
		cmocka_unit_test(test_small_values_exact),
		cmocka_unit_test(test_monotonic),
		cmocka_unit_test(test_value_close_to_sample),
		cmocka_unit_test(test_clamped_to_last_bucket),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_uniform_1_to_1000),
		cmocka_unit_test(test_threshold_is_inclusive),
		cmocka_unit_test(test_single_sample),
		cmocka_unit_test(test_matches_sorted_rank),
		cmocka_unit_test(test_merge_adds),
		cmocka_unit_test(test_merge_repetitions_keep_percentiles),
		cmocka_unit_test(test_merge_beyond_32_bits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
