/*
 * Host-side tests of reclaim_model 5.9 (guest/mm/vmscan_policy.c): get_scan_count's
 * cost model, file_is_tiny, cache_trim_mode and lru_note_cost's decay, with numbers
 * worked by hand from Linux 6.1's mm/vmscan.c and mm/swap.c; and the same node
 * under reclaim_model 4.8 (4.8 .. 5.8's rotation ratios) for contrast.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../guest/mm/watermark.c"
#include "../../guest/mm/vmscan_policy.c"

/*
 * A node under 1 GB (inactive ratio 1): 40960 inactive and 40960 active anon, 8192
 * inactive and 65536 active file (inactive file low), plenty free, swap, priority 10
 * (scan = size >> 10: 40, 40, 8, 64), DEACTIVATE_FILE set (inactive file low), so
 * neither file_is_tiny nor cache_trim_mode: SCAN_FRACT.
 */
static struct scan_control_in node_5_9(unsigned swappiness, unsigned long anon_cost, unsigned long file_cost)
{
	struct scan_control_in in = {
		.lru = { 40960, 40960, 8192, 65536 },
		.anon_cost = anon_cost,
		.file_cost = file_cost,
		.free_pages = 100000,
		.high_wmark_total = 1000,
		.swap_free = 100000,
		.swappiness = swappiness,
		.priority = 10,
		.may_swap = true,
		.cost_model = true,
		.may_deactivate = DEACTIVATE_FILE,
	};
	return in;
}

static void test_cost_no_history_swappiness_weighs(void **state)
{
	/* 6.1: no cost yet: ap = 60 * 1 / 1 = 60, fp = 140 * 1 / 1 = 140, denominator 200. */
	struct scan_control_in in = node_5_9(60, 0, 0);
	unsigned long nr[4];
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	assert_int_equal(nr[0], 40 * 60 / 200);	  /* 12 */
	assert_int_equal(nr[1], 40 * 60 / 200);	  /* 12 */
	assert_int_equal(nr[2], 8 * 140 / 200);	  /* 5 */
	assert_int_equal(nr[3], 64 * 140 / 200);  /* 44 */
}

static void test_cost_worked_example(void **state)
{
	/*
	 * anon_cost 100, file_cost 300, swappiness 60 (6.1's get_scan_count):
	 * total 400; anon 400 + 100 = 500, file 400 + 300 = 700; total 1200;
	 * ap = 60 * 1201 / 501 = 143; fp = 140 * 1201 / 701 = 239; denominator 382.
	 */
	struct scan_control_in in = node_5_9(60, 100, 300);
	unsigned long nr[4];
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	assert_int_equal(nr[0], 14); /* 40 * 143 / 382 = 14.97 */
	assert_int_equal(nr[1], 14);
	assert_int_equal(nr[2], 5);  /* 8 * 239 / 382 = 5.005 */
	assert_int_equal(nr[3], 40); /* 64 * 239 / 382 = 40.04 */
}

static void test_cost_floor_a_third(void **state)
{
	/*
	 * All the cost on file (refaults): 0 anon, 1000 file, swappiness 100.
	 * anon 1000, file 2000, total 3000; ap = 100 * 3001 / 1001 = 299,
	 * fp = 100 * 3001 / 2001 = 149: file still gets a third of the pressure.
	 */
	struct scan_control_in in = node_5_9(100, 0, 1000);
	unsigned long nr[4];
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	assert_int_equal(nr[0], 40 * 299 / 448); /* 26 */
	assert_int_equal(nr[3], 64 * 149 / 448); /* 21 */
	assert_true(nr[3] > 0);
}

static void test_cost_swappiness_extremes(void **state)
{
	/* 5.9+: 0 scans no anon at all; 200 scans no file at all (fp = 0), whatever the costs. */
	unsigned long nr[4];
	struct scan_control_in in = node_5_9(0, 5, 500);
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	assert_int_equal(nr[0] + nr[1], 0);
	assert_int_equal(nr[2], 8);
	assert_int_equal(nr[3], 64);
	in = node_5_9(200, 500, 5);
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	assert_int_equal(nr[2] + nr[3], 0);
	assert_int_equal(nr[0], 40);
	assert_int_equal(nr[1], 40);
}

static void test_cost_file_is_tiny(void **state)
{
	/* file + free <= the high watermarks and the anon lists not low: SCAN_ANON, even at swappiness 0 */
	struct scan_control_in in = node_5_9(0, 0, 0);
	unsigned long nr[4];
	in.lru[2] = 100;
	in.lru[3] = 100;
	in.free_pages = 700;
	assert_int_equal(get_scan_count(&in, nr), SCAN_ANON);
	assert_int_equal(nr[0], 40);
	assert_int_equal(nr[2] + nr[3], 0);
	/* anon low too (DEACTIVATE_ANON): extreme pressure, reclaim as usual */
	in.may_deactivate |= DEACTIVATE_ANON;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	assert_int_equal(nr[0], 0); /* swappiness 0 */
	/* one page more than the high watermarks: not tiny */
	in.may_deactivate = DEACTIVATE_FILE;
	in.free_pages = 801;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
}

static void test_cost_cache_trim_mode(void **state)
{
	/* Inactive file at this priority and not thrashing (no DEACTIVATE_FILE): file only. */
	struct scan_control_in in = node_5_9(200, 0, 0);
	unsigned long nr[4];
	in.may_deactivate = 0;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FILE);
	assert_int_equal(nr[0] + nr[1], 0);
	assert_int_equal(nr[2], 8);
	/* less than 1 << priority inactive file pages: not worth a trim */
	in.lru[2] = 1023;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
}

static void test_cost_priority0_equal_unless_swappiness0(void **state)
{
	unsigned long nr[4];
	struct scan_control_in in = node_5_9(1, 0, 1000);
	in.priority = 0;
	assert_int_equal(get_scan_count(&in, nr), SCAN_EQUAL);
	assert_int_equal(nr[0], 40960);
	in.swappiness = 0;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	assert_int_equal(nr[0], 0);
}

static void test_eras_differ_on_the_same_node(void **state)
{
	/*
	 * Hot file (rotated), cold anon: under 4.8 the ratios decide (ap = 60 * 1001 /
	 * 1 = 60060, fp = 140 * 1001 / 1001 = 140: nearly all anon); under 5.9 the costs
	 * (here no refaults or I/O yet: 60 against 140 by swappiness alone).
	 */
	struct scan_control_in in = node_5_9(60, 0, 0);
	unsigned long nr48[4], nr59[4];
	in.recent_scanned[0] = 1000;
	in.recent_scanned[1] = 1000;
	in.recent_rotated[1] = 1000;
	assert_int_equal(get_scan_count(&in, nr59), SCAN_FRACT);
	in.cost_model = false;
	assert_int_equal(get_scan_count(&in, nr48), SCAN_FRACT);
	assert_int_equal(nr48[0], 40 * 60060 / 60201); /* 39 */
	assert_int_equal(nr48[3], 64 * 140 / 60201);   /* 0 */
	assert_int_equal(nr59[0], 12);
	assert_int_equal(nr59[3], 44);
}

static void test_lru_cost_decay(void **state)
{
	/* mm/swap.c lru_note_cost (5.9 .. 6.1): halve both once their sum exceeds lrusize / 4. */
	unsigned long anon = 0, file = 0;
	lru_cost_add(&anon, &file, true, 200, 1000);
	assert_int_equal(file, 200);
	assert_int_equal(anon, 0);
	lru_cost_add(&anon, &file, false, 50, 1000); /* 250: not above 250 */
	assert_int_equal(file, 200);
	assert_int_equal(anon, 50);
	lru_cost_add(&anon, &file, false, 51, 1000); /* 301 > 250: halved */
	assert_int_equal(file, 100);
	assert_int_equal(anon, 50);
}

static void test_refs_5_9_anon_needs_two_looks(void **state)
{
	/* b518154e59aa (5.9): an anon page referenced once is kept and marked; again, activated. 4.8: at once. */
	bool set_ref = false;
	assert_int_equal(page_check_references_5_9(1, false, true, &set_ref), PAGEREF_KEEP);
	assert_true(set_ref);
	assert_int_equal(page_check_references_5_9(1, true, true, &set_ref), PAGEREF_ACTIVATE);
	assert_true(set_ref);
	assert_int_equal(page_check_references_5_9(2, false, true, &set_ref), PAGEREF_ACTIVATE);
	assert_int_equal(page_check_references(1, false, true, &set_ref), PAGEREF_ACTIVATE);
	assert_false(set_ref);
	/* unreferenced anon: reclaimed in both; file pages as before */
	assert_int_equal(page_check_references_5_9(0, true, true, &set_ref), PAGEREF_RECLAIM);
	assert_int_equal(page_check_references_5_9(0, true, false, &set_ref), PAGEREF_RECLAIM_CLEAN);
	assert_int_equal(page_check_references_5_9(1, false, false, &set_ref), PAGEREF_KEEP);
}

static void test_proportional_adjustment(void **state)
{
	/*
	 * shrink_lruvec (6.1) after one batch of 32 from each list of targets {100, 0, 300,
	 * 100}: 68 anon and 336 file left; anon is smaller, so it stops, having scanned
	 * 32 %: percentage = 68 * 100 / 101 = 67, and file is cut to 33 % of its targets:
	 * inactive 300 * 33 / 100 = 99, less 32 scanned = 67; active 33 - 32 = 1.
	 */
	const unsigned long targets[4] = { 100, 0, 300, 100 };
	unsigned long nr[4] = { 68, 0, 268, 68 };
	assert_true(scan_adjust_proportional(nr, targets));
	assert_int_equal(nr[0], 0);
	assert_int_equal(nr[1], 0);
	assert_int_equal(nr[2], 67);
	assert_int_equal(nr[3], 1);
	/* the other way round: file has less left, so file stops and anon is cut */
	const unsigned long t2[4] = { 400, 200, 64, 0 };
	unsigned long n2[4] = { 368, 168, 32, 0 };
	assert_true(scan_adjust_proportional(n2, t2));
	assert_int_equal(n2[2] + n2[3], 0);
	assert_int_equal(n2[0], 400 * 51 / 100 - 32); /* 32 * 100 / 65 = 49 % left: 51 % scanned */
	assert_int_equal(n2[1], 200 * 51 / 100 - 32);
	/* one type done already: stop */
	unsigned long n3[4] = { 0, 0, 10, 10 };
	assert_false(scan_adjust_proportional(n3, t2));
}

static void test_workingset_size_by_era(void **state)
{
	/* lists: inactive anon 100, active anon 200, inactive file 400, active file 800 */
	const unsigned long lru[4] = { 100, 200, 400, 800 };
	assert_int_equal(workingset_size_for(lru, true, false), 800);	    /* 4.8 .. 5.8: active file */
	assert_int_equal(workingset_size_for(lru, true, true), 800 + 300); /* 6.1: + anon, swap has room */
	assert_int_equal(workingset_size_for(lru, false, true), 800);	    /* no swap: anon cannot give way */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cost_no_history_swappiness_weighs),
		cmocka_unit_test(test_cost_worked_example),
		cmocka_unit_test(test_cost_floor_a_third),
		cmocka_unit_test(test_cost_swappiness_extremes),
		cmocka_unit_test(test_cost_file_is_tiny),
		cmocka_unit_test(test_cost_cache_trim_mode),
		cmocka_unit_test(test_cost_priority0_equal_unless_swappiness0),
		cmocka_unit_test(test_eras_differ_on_the_same_node),
		cmocka_unit_test(test_lru_cost_decay),
		cmocka_unit_test(test_refs_5_9_anon_needs_two_looks),
		cmocka_unit_test(test_proportional_adjustment),
		cmocka_unit_test(test_workingset_size_by_era),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
