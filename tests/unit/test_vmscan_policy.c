/*
 * Host-side tests of the guest's reclaim decisions (guest/mm/vmscan_policy.c):
 * page_check_references and get_scan_count, against Linux's rules in mm/vmscan.c
 * (4.8 .. 5.8, node LRUs). get_scan_count calls inactive_is_low from
 * guest/mm/watermark.c, so both guest files are compiled in here as they are;
 * they depend only on <stdbool.h>/<stdint.h> and include their headers relatively.
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

#define PAGES_PER_GIB (1ul << (30 - PAGE_SHIFT))

/* ---- page_check_references ---- */

/* The function must report every outcome through set_referenced, so start it dirty. */
static enum page_references check_refs(int ptes, bool page_ref, bool swapbacked, bool *set_ref)
{
	*set_ref = !*set_ref; /* whatever it was, the callee must overwrite it */
	return page_check_references(ptes, page_ref, swapbacked, set_ref);
}

static void test_refs_anon_referenced_ptes_activate(void **state)
{
	/* Rule: an anonymous (swapbacked) page with referenced ptes is activated at once, without PG_referenced. */
	for (int ptes = 1; ptes <= 3; ptes++) {
		for (int pr = 0; pr <= 1; pr++) {
			bool set_ref = true;
			assert_int_equal(check_refs(ptes, pr, true, &set_ref), PAGEREF_ACTIVATE);
			assert_false(set_ref);
			set_ref = false;
			assert_int_equal(check_refs(ptes, pr, true, &set_ref), PAGEREF_ACTIVATE);
			assert_false(set_ref);
		}
	}
}

static void test_refs_file_once_kept_second_chance(void **state)
{
	/* Rule: a file page referenced once through a pte (no PG_referenced) is kept and marked PG_referenced. */
	bool set_ref = false;
	assert_int_equal(check_refs(1, false, false, &set_ref), PAGEREF_KEEP);
	assert_true(set_ref);
	set_ref = true;
	assert_int_equal(check_refs(1, false, false, &set_ref), PAGEREF_KEEP);
	assert_true(set_ref);
}

static void test_refs_file_twice_activate(void **state)
{
	/* Rule: a file page referenced by a pte and already PG_referenced is activated (mark still set). */
	bool set_ref = false;
	assert_int_equal(check_refs(1, true, false, &set_ref), PAGEREF_ACTIVATE);
	assert_true(set_ref);
}

static void test_refs_file_many_ptes_activate(void **state)
{
	/* Rule: a file page referenced through more than one pte is activated, PG_referenced or not. */
	for (int ptes = 2; ptes <= 5; ptes++) {
		bool set_ref = false;
		assert_int_equal(check_refs(ptes, false, false, &set_ref), PAGEREF_ACTIVATE);
		assert_true(set_ref);
		set_ref = false;
		assert_int_equal(check_refs(ptes, true, false, &set_ref), PAGEREF_ACTIVATE);
		assert_true(set_ref);
	}
}

static void test_refs_file_page_flag_only_reclaim_clean(void **state)
{
	/* Rule: an unreferenced-by-pte file page with only PG_referenced (read()/write() use) is RECLAIM_CLEAN. */
	bool set_ref = true;
	assert_int_equal(check_refs(0, true, false, &set_ref), PAGEREF_RECLAIM_CLEAN);
	assert_false(set_ref);
}

static void test_refs_unreferenced_reclaim(void **state)
{
	/* Rule: a page with neither pte references nor PG_referenced is reclaimed, anon or file. */
	for (int sb = 0; sb <= 1; sb++) {
		bool set_ref = true;
		assert_int_equal(check_refs(0, false, sb, &set_ref), PAGEREF_RECLAIM);
		assert_false(set_ref);
	}
}

static void test_refs_anon_page_flag_only_reclaim(void **state)
{
	/* Rule: an anon page with PG_referenced but no pte references is reclaimed (no RECLAIM_CLEAN for anon). */
	bool set_ref = true;
	assert_int_equal(check_refs(0, true, true, &set_ref), PAGEREF_RECLAIM);
	assert_false(set_ref);
}

/* ---- get_scan_count ---- */

/*
 * A node with plenty of everything: 1024 pages on each list, inactive file just
 * low (1024 < 1025, ratio 1 under 1 GB), free + file far above the high
 * watermarks, swap available, swappiness 60, DEF_PRIORITY, no history. On its
 * own this lands in SCAN_FRACT; each test changes what its rule is about.
 */
static struct scan_control_in base_in(void)
{
	struct scan_control_in in = {
		.lru = { 1024, 1024, 1024, 1025 },
		.free_pages = 10000,
		.high_wmark_total = 1000,
		.swap_free = 100000,
		.swappiness = 60,
		.priority = 12,
		.may_swap = true,
	};
	return in;
}

static void test_gsc_no_swap_scan_file(void **state)
{
	/* Rule: with no free swap, anon cannot be reclaimed: SCAN_FILE, anon scan 0, file by size >> priority. */
	struct scan_control_in in = base_in();
	unsigned long nr[4];

	in.lru[I_ANON] = in.lru[A_ANON] = 1 << 20;
	in.lru[I_FILE] = 1 << 16;
	in.lru[A_FILE] = 1 << 18;
	in.priority = 4;
	in.swap_free = 0;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FILE);
	assert_int_equal(nr[I_ANON], 0);
	assert_int_equal(nr[A_ANON], 0);
	assert_int_equal(nr[I_FILE], (1ul << 16) >> 4);
	assert_int_equal(nr[A_FILE], (1ul << 18) >> 4);

	/* It wins over every later rule: last priority, tiny file cache, swappiness 200. */
	in.priority = 0;
	in.swappiness = 200;
	in.lru[I_FILE] = in.lru[A_FILE] = 1;
	in.free_pages = 0;
	in.high_wmark_total = 1000;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FILE);
	assert_int_equal(nr[I_ANON], 0);
	assert_int_equal(nr[A_ANON], 0);
	assert_int_equal(nr[I_FILE], 1);
	assert_int_equal(nr[A_FILE], 1);
}

static void test_gsc_no_may_swap_scan_file(void **state)
{
	/* Rule: !sc->may_swap (e.g. a no-swap reclaim) gives SCAN_FILE with zero anon scan, even with free swap. */
	struct scan_control_in in = base_in();
	unsigned long nr[4];

	in.may_swap = false;
	in.priority = 0;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FILE);
	assert_int_equal(nr[I_ANON], 0);
	assert_int_equal(nr[A_ANON], 0);
	assert_int_equal(nr[I_FILE], 1024);
	assert_int_equal(nr[A_FILE], 1025);
}

static void test_gsc_priority0_scan_equal(void **state)
{
	/* Rule: at priority 0 with swappiness > 0, no balancing: SCAN_EQUAL, every list scanned by its full size. */
	struct scan_control_in in = base_in();
	unsigned long nr[4];

	in.lru[I_ANON] = 3000;
	in.lru[A_ANON] = 5000;
	in.lru[I_FILE] = 7;	/* file + free <= high: would be SCAN_ANON at priority > 0 */
	in.lru[A_FILE] = 11;
	in.free_pages = 10;
	in.high_wmark_total = 1000;
	in.recent_scanned[0] = 1000;
	in.recent_rotated[0] = 1000;
	in.priority = 0;
	for (unsigned sw = 1; sw <= 200; sw += 199) {
		in.swappiness = sw;
		assert_int_equal(get_scan_count(&in, nr), SCAN_EQUAL);
		for (int lru = 0; lru < 4; lru++)
			assert_int_equal(nr[lru], in.lru[lru]);
	}
}

static void test_gsc_priority0_swappiness0_not_equal(void **state)
{
	/* Rule: at priority 0 with swappiness 0, SCAN_EQUAL is skipped: anon still gets no pressure from SCAN_FRACT. */
	struct scan_control_in in = base_in();
	unsigned long nr[4];

	in.priority = 0;
	in.swappiness = 0;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	assert_int_equal(nr[I_ANON], 0);
	assert_int_equal(nr[A_ANON], 0);
	/* fp = 200 * 1 / 1 = 200, denominator 201: 1024 * 200 / 201 = 1018, 1025 * 200 / 201 = 1019 */
	assert_int_equal(nr[I_FILE], 1018);
	assert_int_equal(nr[A_FILE], 1019);
}

static void test_gsc_file_tiny_scan_anon(void **state)
{
	/* Rule: when file + free <= the sum of the zones' high watermarks and inactive anon >> priority > 0: SCAN_ANON. */
	struct scan_control_in in = base_in();
	unsigned long nr[4];

	in.lru[I_ANON] = 40000;
	in.lru[A_ANON] = 30000; /* inactive anon not low, so 4.12+'s extra condition holds too */
	in.lru[I_FILE] = 100;
	in.lru[A_FILE] = 400;
	in.free_pages = 500;
	in.high_wmark_total = 1000; /* 500 + 500 <= 1000: the boundary counts */
	in.priority = 12;	    /* 40000 >> 12 = 9 */
	assert_int_equal(get_scan_count(&in, nr), SCAN_ANON);
	assert_int_equal(nr[I_ANON], 40000 >> 12);
	assert_int_equal(nr[A_ANON], 30000 >> 12);
	assert_int_equal(nr[I_FILE], 0);
	assert_int_equal(nr[A_FILE], 0);

	/* One page more of free memory and the cache is no longer "nearly gone". */
	in.free_pages = 501;
	assert_int_not_equal(get_scan_count(&in, nr), SCAN_ANON);
}

static void test_gsc_file_tiny_needs_inactive_anon_at_priority(void **state)
{
	/* Rule: SCAN_ANON needs inactive anon >> priority > 0; otherwise the later rules decide. */
	struct scan_control_in in = base_in();
	unsigned long nr[4];

	in.lru[I_ANON] = 4095; /* 4095 >> 12 == 0 */
	in.lru[A_ANON] = 100;
	in.lru[I_FILE] = 100;
	in.lru[A_FILE] = 400; /* inactive file low: falls to SCAN_FRACT */
	in.free_pages = 0;
	in.high_wmark_total = 1000;
	in.priority = 12;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	in.lru[I_ANON] = 4096; /* 4096 >> 12 == 1 */
	assert_int_equal(get_scan_count(&in, nr), SCAN_ANON);
	assert_int_equal(nr[I_ANON], 1);
	assert_int_equal(nr[A_ANON], 0);
	assert_int_equal(nr[I_FILE], 0);
	assert_int_equal(nr[A_FILE], 0);
}

static void test_gsc_enough_inactive_file_scan_file(void **state)
{
	/* Rule: if inactive file is not low (under 1 GB: inactive >= active) and inactive_file >> priority > 0: SCAN_FILE. */
	struct scan_control_in in = base_in();
	unsigned long nr[4];

	in.lru[I_ANON] = 50000;
	in.lru[A_ANON] = 50000;
	in.lru[I_FILE] = 8192;
	in.lru[A_FILE] = 8192; /* equal: not low (8192 * 1 < 8192 is false) */
	in.priority = 12;      /* 8192 >> 12 = 2 */
	assert_false(inactive_is_low(8192, 8192, 0));
	assert_int_equal(get_scan_count(&in, nr), SCAN_FILE);
	assert_int_equal(nr[I_ANON], 0);
	assert_int_equal(nr[A_ANON], 0);
	assert_int_equal(nr[I_FILE], 2);
	assert_int_equal(nr[A_FILE], 2);

	/* One more active page makes the inactive list low: the anon lists share the pressure. */
	in.lru[A_FILE] = 8193;
	assert_true(inactive_is_low(8192, 8193, 0));
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	assert_true(nr[I_ANON] > 0);

	/* Not low, but nothing to scan at this priority (4095 >> 12 == 0): no SCAN_FILE. */
	in.lru[I_FILE] = 4095;
	in.lru[A_FILE] = 4000;
	assert_false(inactive_is_low(4095, 4000, 0));
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
}

static void test_gsc_enough_inactive_file_uses_ratio_above_1g(void **state)
{
	/* Rule: above 1 GB the inactive:active ratio is int_sqrt(10 * GB), so a smaller inactive list can be "enough". */
	struct scan_control_in in = base_in();
	unsigned long nr[4];

	in.lru[I_ANON] = 50000;
	in.lru[A_ANON] = 50000;
	in.priority = 12;
	/* 1,000,000 pages = 3 GB (>> 18): ratio int_sqrt(30) = 5; 300000 * 5 >= 700000: not low */
	in.lru[I_FILE] = 300000;
	in.lru[A_FILE] = 700000;
	assert_int_equal((300000ul + 700000ul) / PAGES_PER_GIB, 3);
	assert_int_equal(get_scan_count(&in, nr), SCAN_FILE);
	assert_int_equal(nr[I_ANON], 0);
	assert_int_equal(nr[I_FILE], 300000 >> 12);
	assert_int_equal(nr[A_FILE], 700000 >> 12);
	/* 700,000 pages = 2 GB: ratio int_sqrt(20) = 4; 100000 * 4 < 600000: low, so SCAN_FRACT */
	in.lru[I_FILE] = 100000;
	in.lru[A_FILE] = 600000;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
}

static void test_gsc_fract_worked_example(void **state)
{
	/*
	 * Rule: SCAN_FRACT scans (size >> priority) * fraction / denominator, with
	 * ap = swappiness * (scanned[0] + 1) / (rotated[0] + 1),
	 * fp = (200 - swappiness) * (scanned[1] + 1) / (rotated[1] + 1), denominator = ap + fp + 1.
	 * Sizes 4096 on each list but active file 4097 (with 4096 each the inactive file list is not
	 * low and the answer is SCAN_FILE, checked below); 4097 >> 2 is still 1024.
	 * Priority 2, swappiness 60, scanned {100, 100}, rotated {0, 0}:
	 * ap = 60 * 101 / 1 = 6060, fp = 140 * 101 / 1 = 14140, denominator 20201;
	 * anon: 1024 * 6060 / 20201 = 6205440 / 20201 = 307 (20201 * 307 = 6201707),
	 * file: 1024 * 14140 / 20201 = 14479360 / 20201 = 716 (20201 * 716 = 14463916).
	 */
	struct scan_control_in in = {
		.lru = { 4096, 4096, 4096, 4097 },
		.recent_scanned = { 100, 100 },
		.recent_rotated = { 0, 0 },
		.free_pages = 1000,
		.high_wmark_total = 1000,
		.swap_free = 1 << 20,
		.swappiness = 60,
		.priority = 2,
		.may_swap = true,
	};
	unsigned long nr[4];

	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	assert_int_equal(nr[I_ANON], 307);
	assert_int_equal(nr[A_ANON], 307);
	assert_int_equal(nr[I_FILE], 716);
	assert_int_equal(nr[A_FILE], 716);

	/* The same numbers with 4096 everywhere: inactive file is not low, so SCAN_FILE. */
	in.lru[A_FILE] = 4096;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FILE);
	assert_int_equal(nr[I_ANON], 0);
	assert_int_equal(nr[A_ANON], 0);
	assert_int_equal(nr[I_FILE], 1024);
	assert_int_equal(nr[A_FILE], 1024);
}

static void test_gsc_fract_worked_example_with_rotation(void **state)
{
	/*
	 * Rule: rotation divides a type's weight: scanned {1000, 1000}, rotated {499, 99}, swappiness 60:
	 * ap = 60 * 1001 / 500 = 120, fp = 140 * 1001 / 100 = 1401, denominator 1522;
	 * priority 3, sizes {80000, 16000, 40000, 48000}: >> 3 = {10000, 2000, 5000, 6000};
	 * 10000*120/1522 = 788, 2000*120/1522 = 157, 5000*1401/1522 = 4602, 6000*1401/1522 = 5522.
	 */
	struct scan_control_in in = {
		.lru = { 80000, 16000, 40000, 48000 },
		.recent_scanned = { 1000, 1000 },
		.recent_rotated = { 499, 99 },
		.free_pages = 1000,
		.high_wmark_total = 1000,
		.swap_free = 1 << 20,
		.swappiness = 60,
		.priority = 3,
		.may_swap = true,
	};
	unsigned long nr[4];

	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	assert_int_equal(nr[I_ANON], 788);
	assert_int_equal(nr[A_ANON], 157);
	assert_int_equal(nr[I_FILE], 4602);
	assert_int_equal(nr[A_FILE], 5522);
}

static void test_gsc_fract_swappiness_extremes(void **state)
{
	/* Rule: in SCAN_FRACT, swappiness 0 gives anon no pressure, 200 gives file none (the weights are s and 200 - s). */
	struct scan_control_in in = base_in();
	unsigned long nr[4];

	in.priority = 1;
	in.recent_scanned[0] = in.recent_scanned[1] = 300;
	in.recent_rotated[0] = in.recent_rotated[1] = 30;

	in.swappiness = 0;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	assert_int_equal(nr[I_ANON], 0);
	assert_int_equal(nr[A_ANON], 0);
	assert_true(nr[I_FILE] > 0);
	assert_true(nr[A_FILE] > 0);

	in.swappiness = 200;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	assert_true(nr[I_ANON] > 0);
	assert_true(nr[A_ANON] > 0);
	assert_int_equal(nr[I_FILE], 0);
	assert_int_equal(nr[A_FILE], 0);
}

static void test_gsc_fract_swappiness_100_equal(void **state)
{
	/* Rule: swappiness 100 with the same history for both types weighs anon and file equally. */
	struct scan_control_in in = base_in();
	unsigned long nr[4];

	in.lru[I_ANON] = in.lru[A_ANON] = in.lru[I_FILE] = 8192;
	in.lru[A_FILE] = 8193; /* inactive file low; 8193 >> 1 == 8192 >> 1 */
	in.priority = 1;
	in.swappiness = 100;
	in.recent_scanned[0] = in.recent_scanned[1] = 50;
	in.recent_rotated[0] = in.recent_rotated[1] = 10;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	/* ap = fp = 100 * 51 / 11 = 463, denominator 927: 4096 * 463 / 927 = 2045 */
	assert_int_equal(nr[I_ANON], 2045);
	assert_int_equal(nr[A_ANON], 2045);
	assert_int_equal(nr[I_FILE], 2045);
	assert_int_equal(nr[A_FILE], 2045);

	/* No history at all: ap = fp = 100, denominator 201: 4096 * 100 / 201 = 2037 on every list. */
	in.recent_scanned[0] = in.recent_scanned[1] = 0;
	in.recent_rotated[0] = in.recent_rotated[1] = 0;
	assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
	for (int lru = 0; lru < 4; lru++)
		assert_int_equal(nr[lru], 2037);
}

static void test_gsc_fract_rotation_monotonic(void **state)
{
	/* Rule: the more of a type's scanned pages were rotated back (in use), the less of it is scanned. */
	struct scan_control_in in = base_in();
	unsigned long nr[4];

	/* Under 1 GB per type, so ratio 1 and inactive file (100000 < 100001) is low; >> 4: 6250 each. */
	in.lru[I_ANON] = in.lru[A_ANON] = in.lru[I_FILE] = 100000;
	in.lru[A_FILE] = 100001;
	in.priority = 4;
	in.swappiness = 60;
	in.recent_scanned[0] = in.recent_scanned[1] = 2000;

	for (int t = 0; t < 2; t++) {
		int lists[2][2] = { { I_ANON, A_ANON }, { I_FILE, A_FILE } };
		unsigned long prev_self = ~0ul, prev_other = 0;

		in.recent_rotated[0] = in.recent_rotated[1] = 100;
		for (unsigned long rot = 0; rot <= 2000; rot += 25) {
			in.recent_rotated[t] = rot;
			assert_int_equal(get_scan_count(&in, nr), SCAN_FRACT);
			unsigned long self = nr[lists[t][0]], other = nr[lists[!t][0]];
			assert_true(self <= prev_self);	/* rotated more: scanned no more */
			assert_true(other >= prev_other); /* and the other type takes up the slack */
			assert_int_equal(nr[lists[t][1]], self);
			prev_self = self;
			prev_other = other;
		}
		/* And strictly: all rotated vs none rotated. */
		in.recent_rotated[t] = 0;
		get_scan_count(&in, nr);
		unsigned long none = nr[lists[t][0]];
		in.recent_rotated[t] = 2000;
		get_scan_count(&in, nr);
		assert_true(nr[lists[t][0]] < none);
	}
}

/* ---- properties over random inputs ---- */

static unsigned long rnd(unsigned long bound)
{
	unsigned long r = ((unsigned long)rand() << 31) ^ (unsigned long)rand();
	return bound ? r % bound : 0;
}

static void test_gsc_random_properties(void **state)
{
	/* Rule: nr[lru] never exceeds lru[lru] >> priority; SCAN_FILE/SCAN_ANON zero the other type; SCAN_EQUAL is exact. */
	static const unsigned long size_bounds[] = { 16, 5000, 1ul << 20, 1ul << 26 };
	unsigned counts[4] = { 0 };

	srand(20200803);
	for (int i = 0; i < 5000; i++) {
		struct scan_control_in in;
		unsigned long nr[4];
		unsigned long bound = size_bounds[rnd(4)];

		memset(&in, 0, sizeof(in));
		for (int lru = 0; lru < 4; lru++)
			in.lru[lru] = rnd(bound + 1);
		for (int t = 0; t < 2; t++) {
			/* Kept within what the caller's halving allows: about a quarter of the type's pages. */
			unsigned long size = in.lru[2 * t] + in.lru[2 * t + 1];
			in.recent_scanned[t] = rnd(size / 2 + 2);
			in.recent_rotated[t] = rnd(in.recent_scanned[t] + 2);
		}
		in.free_pages = rnd(bound + 1);
		in.high_wmark_total = rnd(2 * bound + 1);
		in.swap_free = rnd(4) ? rnd(1ul << 24) + 1 : 0;
		in.swappiness = (unsigned)rnd(201);
		in.priority = (int)rnd(13);
		in.may_swap = rnd(8) != 0;

		enum scan_balance b = get_scan_count(&in, nr);
		assert_true(b >= SCAN_EQUAL && b <= SCAN_FILE);
		counts[b]++;
		for (int lru = 0; lru < 4; lru++)
			assert_true(nr[lru] <= in.lru[lru] >> in.priority);
		if (b == SCAN_FILE) {
			assert_int_equal(nr[I_ANON], 0);
			assert_int_equal(nr[A_ANON], 0);
			assert_int_equal(nr[I_FILE], in.lru[I_FILE] >> in.priority);
			assert_int_equal(nr[A_FILE], in.lru[A_FILE] >> in.priority);
		}
		if (b == SCAN_ANON) {
			assert_int_equal(nr[I_FILE], 0);
			assert_int_equal(nr[A_FILE], 0);
			assert_int_equal(nr[I_ANON], in.lru[I_ANON] >> in.priority);
			assert_int_equal(nr[A_ANON], in.lru[A_ANON] >> in.priority);
		}
		if (b == SCAN_EQUAL) {
			assert_int_equal(in.priority, 0);
			for (int lru = 0; lru < 4; lru++)
				assert_int_equal(nr[lru], in.lru[lru]);
		}
		/* No usable swap: never any anon scan. */
		if (!in.may_swap || !in.swap_free) {
			assert_int_equal(b, SCAN_FILE);
		}
	}
	/* The inputs reach every decision. */
	for (int b = 0; b < 4; b++)
		assert_true(counts[b] > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refs_anon_referenced_ptes_activate),
		cmocka_unit_test(test_refs_file_once_kept_second_chance),
		cmocka_unit_test(test_refs_file_twice_activate),
		cmocka_unit_test(test_refs_file_many_ptes_activate),
		cmocka_unit_test(test_refs_file_page_flag_only_reclaim_clean),
		cmocka_unit_test(test_refs_unreferenced_reclaim),
		cmocka_unit_test(test_refs_anon_page_flag_only_reclaim),
		cmocka_unit_test(test_gsc_no_swap_scan_file),
		cmocka_unit_test(test_gsc_no_may_swap_scan_file),
		cmocka_unit_test(test_gsc_priority0_scan_equal),
		cmocka_unit_test(test_gsc_priority0_swappiness0_not_equal),
		cmocka_unit_test(test_gsc_file_tiny_scan_anon),
		cmocka_unit_test(test_gsc_file_tiny_needs_inactive_anon_at_priority),
		cmocka_unit_test(test_gsc_enough_inactive_file_scan_file),
		cmocka_unit_test(test_gsc_enough_inactive_file_uses_ratio_above_1g),
		cmocka_unit_test(test_gsc_fract_worked_example),
		cmocka_unit_test(test_gsc_fract_worked_example_with_rotation),
		cmocka_unit_test(test_gsc_fract_swappiness_extremes),
		cmocka_unit_test(test_gsc_fract_swappiness_100_equal),
		cmocka_unit_test(test_gsc_fract_rotation_monotonic),
		cmocka_unit_test(test_gsc_random_properties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
