/*
 * Host-side tests of readahead's window arithmetic (guest/mm/readahead_policy.c),
 * with numbers worked by hand from Linux 6.1's mm/readahead.c (get_init_ra_size,
 * get_next_ra_size, ondemand_readahead) and mm/swap_state.c (__swapin_nr_pages,
 * swap_cluster_readahead's aligned block, swap_ra_info's window). The guest file
 * depends only on <stdbool.h>/<stdint.h> and is compiled in as it is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../guest/mm/readahead_policy.c"

/* read_ahead_kb 128 (the default) in 4 KiB pages */
#define MAX32 32ul

static void test_init_ra_size_worked(void **state)
{
	(void)state;
	/* max 32: a request rounded up to a power of two; x4 up to max/32 = 1, x2 up to max/4 = 8, else max */
	assert_int_equal(get_init_ra_size(1, MAX32), 4);
	assert_int_equal(get_init_ra_size(2, MAX32), 4);
	assert_int_equal(get_init_ra_size(3, MAX32), 8); /* 3 -> 4, x2 */
	assert_int_equal(get_init_ra_size(4, MAX32), 8);
	assert_int_equal(get_init_ra_size(8, MAX32), 16);
	assert_int_equal(get_init_ra_size(9, MAX32), 32); /* 9 -> 16 > 8: max */
	/* read_ahead_kb 2048 (512 pages): a 1-page read starts at 4, 16 pages (64 KiB) at 64 */
	assert_int_equal(get_init_ra_size(1, 512), 4);
	assert_int_equal(get_init_ra_size(16, 512), 64); /* 16 <= 512/32: x4 */
	assert_int_equal(get_init_ra_size(32, 512), 64); /* 32 > 16, <= 128: x2 */
	assert_int_equal(get_init_ra_size(256, 512), 512);
}

static void test_next_ra_size_worked(void **state)
{
	(void)state;
	struct file_ra_state ra = { 0 };
	/* max 32: x4 below 32/16 = 2, x2 up to 16, then 32 */
	unsigned long in32[] = { 1, 2, 4, 8, 16, 17, 32 }, out32[] = { 4, 4, 8, 16, 32, 32, 32 };
	for (size_t i = 0; i < sizeof(in32) / sizeof(in32[0]); i++) {
		ra.size = in32[i];
		assert_int_equal(get_next_ra_size(&ra, MAX32), out32[i]);
	}
	/* max 512: 4 -> 16 -> 64 (x4 below 32), then 128, 256, 512, 512 */
	unsigned long in512[] = { 4, 16, 64, 128, 256, 512 }, out512[] = { 16, 64, 128, 256, 512, 512 };
	for (size_t i = 0; i < sizeof(in512) / sizeof(in512[0]); i++) {
		ra.size = in512[i];
		assert_int_equal(get_next_ra_size(&ra, 512), out512[i]);
	}
}

static struct file_ra_state fresh(unsigned long max)
{
	struct file_ra_state ra = { .ra_pages = max, .prev_pos = UINT64_MAX, .init = true };
	return ra;
}

static void test_ondemand_sequential_ramp(void **state)
{
	(void)state;
	struct file_ra_state ra = fresh(MAX32);
	/* a 1-page read at the start of the file: window [0, 4), 3 pages ahead, marker on page 1 */
	assert_int_equal(ondemand_readahead(&ra, 0, 1, false, 0), RA_WINDOW);
	assert_int_equal(ra.start, 0);
	assert_int_equal(ra.size, 4);
	assert_int_equal(ra.async_size, 3);
	/* the reader reaches the marker (start + size - async_size = 1): [4, 12), all ahead */
	assert_int_equal(ondemand_readahead(&ra, 1, 1, true, 4), RA_WINDOW);
	assert_int_equal(ra.start, 4);
	assert_int_equal(ra.size, 8);
	assert_int_equal(ra.async_size, 8);
	/* marker at 4: [12, 28); at 12: [28, 60); at 28: [60, 92), the size held at max */
	unsigned long marker = 4, start[] = { 12, 28, 60 }, size[] = { 16, 32, 32 };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ra.start + ra.size - ra.async_size, marker);
		assert_int_equal(ondemand_readahead(&ra, marker, 1, true, ra.start + ra.size), RA_WINDOW);
		assert_int_equal(ra.start, start[i]);
		assert_int_equal(ra.size, size[i]);
		assert_int_equal(ra.async_size, size[i]);
		marker = ra.start;
	}
}

static void test_ondemand_random_reads_as_is(void **state)
{
	(void)state;
	struct file_ra_state ra = fresh(MAX32);
	/* a first read in the middle: standalone, no window, the state untouched */
	assert_int_equal(ondemand_readahead(&ra, 100, 1, false, 0), RA_PLAIN);
	assert_int_equal(ra.size, 0);
	/* after a read that ended in page 100, one at 500 is random too */
	ra.prev_pos = 101 * 4096ull;
	assert_int_equal(ondemand_readahead(&ra, 500, 1, false, 0), RA_PLAIN);
	/* but one at 101 (or 100 again, unaligned) is a sequential miss: a first window */
	assert_int_equal(ondemand_readahead(&ra, 101, 1, false, 0), RA_WINDOW);
	assert_int_equal(ra.start, 101);
	assert_int_equal(ra.size, 4);
	/* read_ahead_kb 0: nothing at all */
	struct file_ra_state off = fresh(0);
	assert_int_equal(ondemand_readahead(&off, 0, 1, false, 0), RA_NONE);
}

static void test_ondemand_marker_without_state(void **state)
{
	(void)state;
	struct file_ra_state ra = fresh(MAX32);
	/* another reader's marker at 50, cached up to 59: old async 10, +1 requested = 11, x2 = 22 from 60 */
	assert_int_equal(ondemand_readahead(&ra, 50, 1, true, 60), RA_WINDOW);
	assert_int_equal(ra.start, 60);
	assert_int_equal(ra.size, 22);
	assert_int_equal(ra.async_size, 22);
	/* the cache holds more than a window past the marker: nothing to do */
	struct file_ra_state ra2 = fresh(MAX32);
	assert_int_equal(ondemand_readahead(&ra2, 50, 1, true, 0), RA_NONE);
	assert_int_equal(ondemand_readahead(&ra2, 50, 1, true, 83), RA_NONE); /* 33 > 32 */
}

static void test_ondemand_large_request(void **state)
{
	(void)state;
	struct file_ra_state ra = fresh(MAX32);
	/* a 64-page read in the middle: oversize, a first window of max (32) all ahead (the
	 * request is larger), so the read would hit its own marker: the next window is merged
	 * in, 32 + 32 > max, so size max and async max / 2 */
	assert_int_equal(ondemand_readahead(&ra, 1000, 64, false, 0), RA_WINDOW);
	assert_int_equal(ra.start, 1000);
	assert_int_equal(ra.size, 32);
	assert_int_equal(ra.async_size, 16);
}

static void test_swapin_nr_pages_worked(void **state)
{
	(void)state;
	/* page_cluster 3: max 8. No hits: an adjacent fault reads 2, another 1 */
	assert_int_equal(__swapin_nr_pages(10, 11, 0, 8, 0), 2);
	assert_int_equal(__swapin_nr_pages(10, 9, 0, 8, 0), 2);
	assert_int_equal(__swapin_nr_pages(10, 20, 0, 8, 0), 1);
	/* hits + 2 rounded up to a power of two, at least 4, at most max */
	assert_int_equal(__swapin_nr_pages(10, 20, 1, 8, 0), 4);
	assert_int_equal(__swapin_nr_pages(10, 20, 2, 8, 0), 4);
	assert_int_equal(__swapin_nr_pages(10, 20, 3, 8, 0), 8); /* 5 -> 8 */
	assert_int_equal(__swapin_nr_pages(10, 20, 30, 8, 0), 8);
	assert_int_equal(__swapin_nr_pages(10, 20, 30, 32, 0), 32);
	/* not shrinking too fast: half the last window at least */
	assert_int_equal(__swapin_nr_pages(10, 20, 0, 8, 8), 4);
	assert_int_equal(__swapin_nr_pages(10, 20, 0, 8, 4), 2);
	/* page_cluster 0: never more than one */
	assert_int_equal(__swapin_nr_pages(10, 11, 5, 1, 0), 1);
}

static void test_swap_cluster_window_aligned(void **state)
{
	(void)state;
	unsigned long s, e;
	/* 8 slots around slot 13: the aligned block 8..15 */
	swap_cluster_window(13, 8, 1000, &s, &e);
	assert_int_equal(s, 8);
	assert_int_equal(e, 15);
	/* around slot 3: 0..7 without the header slot 0 */
	swap_cluster_window(3, 8, 1000, &s, &e);
	assert_int_equal(s, 1);
	assert_int_equal(e, 7);
	/* near the end of a 996-slot area: 992..995 */
	swap_cluster_window(993, 8, 996, &s, &e);
	assert_int_equal(s, 992);
	assert_int_equal(e, 995);
	/* 2 slots: the pair 12, 13 for either */
	swap_cluster_window(12, 2, 1000, &s, &e);
	assert_int_equal(s, 12);
	assert_int_equal(e, 13);
}

static void test_swap_vma_window(void **state)
{
	(void)state;
	unsigned long s, e;
	/* the last fault just before: ahead [10, 14) */
	swap_vma_window(9, 10, 4, 1000, &s, &e);
	assert_int_equal(s, 10);
	assert_int_equal(e, 14);
	/* just after: behind [7, 11) */
	swap_vma_window(11, 10, 4, 1000, &s, &e);
	assert_int_equal(s, 7);
	assert_int_equal(e, 11);
	/* elsewhere: centred, (4 - 1) / 2 = 1 to the left: [9, 13) */
	swap_vma_window(50, 10, 4, 1000, &s, &e);
	assert_int_equal(s, 9);
	assert_int_equal(e, 13);
	/* the page-table page's edge: 511 centred in 8 is [508, 516), cut at 512 */
	swap_vma_window(50, 511, 8, 1000, &s, &e);
	assert_int_equal(s, 508);
	assert_int_equal(e, 512);
	/* the region's edges: backwards from page 1, and past its last page */
	swap_vma_window(2, 1, 4, 1000, &s, &e);
	assert_int_equal(s, 0);
	assert_int_equal(e, 2);
	swap_vma_window(997, 998, 8, 1000, &s, &e);
	assert_int_equal(s, 998);
	assert_int_equal(e, 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_ra_size_worked),
		cmocka_unit_test(test_next_ra_size_worked),
		cmocka_unit_test(test_ondemand_sequential_ramp),
		cmocka_unit_test(test_ondemand_random_reads_as_is),
		cmocka_unit_test(test_ondemand_marker_without_state),
		cmocka_unit_test(test_ondemand_large_request),
		cmocka_unit_test(test_swapin_nr_pages_worked),
		cmocka_unit_test(test_swap_cluster_window_aligned),
		cmocka_unit_test(test_swap_vma_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
