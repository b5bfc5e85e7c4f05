/*
 * Host-side tests of the guest's dirty-throttling arithmetic (guest/mm/dirty_math.c)
 * against worked numbers: the thresholds for a few guest sizes in both knob forms and
 * the 2.6.9 rules, pos_ratio at freerun, setpoint and limit, the pauses' clamps, the
 * estimators' convergence, and the pdflush pool's grow and exit rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../guest/mm/dirty_math.c"

#define MS 1000000ull
#define SEC 1000000000ull
#define PAGES_PER_MIB 256ul

static unsigned long bg, thresh;

static void limits(unsigned long ratio, unsigned long bg_ratio, unsigned long long bytes, unsigned long long bg_bytes,
		   unsigned long avail)
{
	struct dirty_params p = { .ratio = ratio, .bg_ratio = bg_ratio, .bytes = bytes, .bg_bytes = bg_bytes };
	dirty_thresholds(&p, avail, &bg, &thresh);
}

static void test_thresholds_ratio(void **state)
{
	(void)state;
	/* 1 GiB of dirtyable memory (262144 pages) at 20/10: 52428 and 26214 pages */
	limits(20, 10, 0, 0, 262144);
	assert_int_equal(thresh, 52428);
	assert_int_equal(bg, 26214);
	/* 4 GiB, Wu's test box, at 20/10 */
	limits(20, 10, 0, 0, 4 * 262144ul);
	assert_int_equal(thresh, 209715);
	assert_int_equal(bg, 104857);
	/* 64 MiB guest: 16384 pages */
	limits(40, 10, 0, 0, 16384);
	assert_int_equal(thresh, 6553);
	assert_int_equal(bg, 1638);
}

static void test_thresholds_bytes(void **state)
{
	(void)state;
	/* dirty_bytes=1M, 8M and 100M (Wu's table), whatever the memory: rounded up to pages */
	limits(0, 10, 1 << 20, 0, 262144);
	assert_int_equal(thresh, 256);
	assert_int_equal(bg, 128); /* 10 % of 1 GiB is over 256: bg = thresh / 2 */
	limits(0, 10, 8 << 20, 0, 262144);
	assert_int_equal(thresh, 2048);
	limits(0, 10, 100ull << 20, 0, 4 * 262144ul);
	assert_int_equal(thresh, 25600);
	assert_int_equal(bg, 25600 / 2);
	limits(0, 0, 4097, 4097, 262144);
	assert_int_equal(thresh, 2);
	assert_int_equal(bg, 1); /* bg >= thresh: halved */
	/* the background bytes with the ratio form of the threshold */
	limits(20, 0, 0, 1 << 20, 262144);
	assert_int_equal(thresh, 52428);
	assert_int_equal(bg, 256);
}

static void test_thresholds_background_at_or_over_the_ratio(void **state)
{
	(void)state;
	limits(10, 10, 0, 0, 100000);
	assert_int_equal(thresh, 10000);
	assert_int_equal(bg, 5000);
	limits(10, 30, 0, 0, 100000);
	assert_int_equal(bg, 5000);
}

static void test_thresholds_2_6_9(void **state)
{
	struct dirty_params p = { .ratio = 40, .bg_ratio = 10, .pdflush_2_6_9 = true };
	(void)state;
	/* nothing mapped: 40 % */
	dirty_thresholds(&p, 100000, &bg, &thresh);
	assert_int_equal(thresh, 40000);
	/* 30 % mapped: at most half the 70 % unmapped, 35 % */
	p.mapped = 30000;
	dirty_thresholds(&p, 100000, &bg, &thresh);
	assert_int_equal(thresh, 35000);
	/* 95 % mapped: the 5 % floor */
	p.mapped = 95000;
	dirty_thresholds(&p, 100000, &bg, &thresh);
	assert_int_equal(thresh, 5000);
	assert_int_equal(bg, 2500);
	/* dirty_bytes is not clamped */
	p.bytes = 8 << 20;
	dirty_thresholds(&p, 100000, &bg, &thresh);
	assert_int_equal(thresh, 2048);
}

static void test_pos_ratio_global_points(void **state)
{
	(void)state;
	/* 10/20 of 1 GiB: freerun 39321, limit 52428, setpoint 45874 */
	unsigned long fr = dirty_freerun_ceiling(52428, 26214), limit = 52428, sp = (fr + limit) / 2;
	assert_int_equal(fr, 39321);
	assert_int_equal(dirty_pos_ratio_global(sp, limit, sp), 1024);	     /* 1.0 at the setpoint */
	assert_in_range(dirty_pos_ratio_global(sp, limit, fr), 2040, 2048);  /* 2.0 at freerun */
	assert_in_range(dirty_pos_ratio_global(sp, limit, limit), 0, 8);      /* 0 at the limit */
	long mid = dirty_pos_ratio_global(sp, limit, (sp + limit) / 2);	      /* halfway: 1 - 1/8 */
	assert_in_range(mid, 890, 900);
	/* falls monotonically from freerun to the limit */
	long prev = 4096;
	for (unsigned long d = fr; d <= limit; d += 97) {
		long r = dirty_pos_ratio_global(sp, limit, d);
		assert_true(r <= prev);
		prev = r;
	}
}

static void test_pos_ratio_lone_disk(void **state)
{
	(void)state;
	struct dirty_position d = { .thresh = 52428, .limit = 52428, .dirty = 45874, .wb_thresh = 52428, .wb_dirty = 45874,
				    .write_bw = 25600 };
	d.setpoint = (dirty_freerun_ceiling(52428, 26214) + 52428) / 2;
	/* a lone disk at the setpoint: its line crosses 1.0 there too */
	assert_in_range(dirty_pos_ratio(&d), 1010, 1030);
	d.dirty = d.wb_dirty = 52428;
	assert_int_equal(dirty_pos_ratio(&d), 0); /* at the limit: stop */
	d.dirty = d.wb_dirty = 60000;
	assert_int_equal(dirty_pos_ratio(&d), 0);
	/* a disk far over its share (a slow disk beside a fast one) is held to 1/4 of the global line */
	d.dirty = d.setpoint;
	d.wb_thresh = 2000;
	d.wb_dirty = 40000;
	d.write_bw = 100;
	assert_in_range(dirty_pos_ratio(&d), 250, 260);
	/* a disk with little of its share dirty is pushed up (its reserve), up to x8 */
	d.wb_thresh = 52428;
	d.wb_dirty = 1000;
	d.write_bw = 25600;
	assert_true(dirty_pos_ratio(&d) > 4 * 1024);
}

static void test_pauses(void **state)
{
	unsigned long pages;
	(void)state;
	/* max pause: never over 200 ms; small with little dirty on a fast disk */
	assert_int_equal(wb_max_pause(25600, 1 << 20), MAX_PAUSE_NS);
	assert_true(wb_max_pause(25600, 256) < 20 * MS);
	/* 1/8 of the time to write the disk's dirty pages, in Linux's HZ=1000 jiffies:
	 * 2000 pages at 100 MB/s: 2000 / (1 + 25600 / 128) + 1 = 10 ms (the pool drains
	 * in 78 ms); 2000 at 12800 pages/s: 2000 / 101 + 1 = 20 ms */
	assert_int_equal(wb_max_pause(25600, 2000), 10 * MS);
	assert_int_equal(wb_max_pause(12800, 2000), 20 * MS);
	assert_true(wb_max_pause(1, 1000) == MAX_PAUSE_NS);
	/* min pause for one dd at 100 MB/s: 10 ms target, half of it the minimum */
	uint64_t min = wb_min_pause(25600, MAX_PAUSE_NS, 25600, 25600, &pages);
	assert_int_equal(min, 5 * MS);
	assert_int_equal(pages, 256); /* 10 ms of 25600 pages/s */
	/* ten writers share the rate: each is held to a tenth, pauses longer */
	min = wb_min_pause(25600, MAX_PAUSE_NS, 2560, 2560, &pages);
	assert_true(min > 5 * MS && pages >= DIRTY_POLL_THRESH);
	/* a slow rate: at least 32 pages between looks, the pause clamped to max_pause */
	min = wb_min_pause(25600, 40 * MS, 100, 100, &pages);
	assert_true(pages <= DIRTY_POLL_THRESH && min <= 40 * MS);
	assert_true(1 * SEC * pages / 101 <= 40 * MS + MS);
	/* the poll interval below freerun: about the square root of the margin */
	assert_int_equal(dirty_poll_interval(0, 65536), 256);
	assert_int_equal(dirty_poll_interval(100, 50), 1);
}

static void test_write_bandwidth_converges(void **state)
{
	struct wb_bandwidth b = { .write_bandwidth = 25600, .avg_write_bandwidth = 25600 };
	(void)state;
	/* a disk doing 12800 pages/s (50 MB/s), estimated every 200 ms for 20 s */
	for (int i = 0; i < 100; i++)
		wb_update_write_bandwidth(&b, 200 * MS, 2560);
	assert_in_range(b.write_bandwidth, 12800 - 128, 12800 + 128); /* within 1 % */
	assert_in_range(b.avg_write_bandwidth, 12800 - 400, 12800 + 400);
	/* a gap longer than the period: the new rate at once */
	wb_update_write_bandwidth(&b, 5 * SEC, 5 * 1000);
	assert_int_equal(b.write_bandwidth, 1000);
	assert_int_equal(b.avg_write_bandwidth, 1000);
}

/*
 * The IO-less loop closed, as in Wu's tests: N writers each dirtying at
 * dirty_ratelimit * pos_ratio (looking every 10 ms), one disk writing 12800 pages/s
 * (50 MB/s) whenever it has dirty pages, the estimators updated every 200 ms from
 * 100 MB/s (INIT_BW). After 60 s the dirty pages sit near the setpoint (a little
 * over: near its target the rate's steps shrink to nothing, by design) and each
 * writer is held to about write_bw / N.
 */
static void test_ioless_loop_settles(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 10; n *= 10) {
		const unsigned long th = 52428, bg_th = 26214, disk = 12800;
		unsigned long fr = dirty_freerun_ceiling(th, bg_th), sp = (fr + th) / 2, dirty = fr, acc_d = 0, acc_w = 0;
		struct wb_bandwidth b = { .write_bandwidth = 25600, .avg_write_bandwidth = 25600,
					  .dirty_ratelimit = 25600, .balanced_dirty_ratelimit = 25600 };
		for (int i = 0; i < 6000; i++) {
			struct dirty_position d = { .thresh = th, .limit = th, .setpoint = sp, .dirty = dirty,
						    .wb_thresh = th, .wb_dirty = dirty, .write_bw = b.avg_write_bandwidth };
			unsigned long task = (unsigned long)((uint64_t)b.dirty_ratelimit * dirty_pos_ratio(&d) >> RATELIMIT_CALC_SHIFT);
			unsigned long dirtied = task * n / 100, written = disk / 100;
			dirty = dirty + dirtied > written ? dirty + dirtied - written : 0;
			acc_d += dirtied;
			acc_w += written;
			if (i % 20 == 19) {
				d.dirty = d.wb_dirty = dirty;
				wb_update_dirty_ratelimit(&b, sp, dirty, dirty_pos_ratio(&d), acc_d, 200 * MS);
				wb_update_write_bandwidth(&b, 200 * MS, acc_w);
				acc_d = acc_w = 0;
			}
		}
		assert_in_range(dirty, sp - (th - fr) / 8, sp + (th - fr) / 4);
		assert_in_range(b.dirty_ratelimit, disk / n * 95 / 100, disk / n * 115 / 100);
		assert_in_range(b.avg_write_bandwidth, disk * 99 / 100, disk * 101 / 100);
	}
}

static void test_dirty_limit_follows(void **state)
{
	(void)state;
	assert_int_equal(dirty_limit_follow(1000, 2000, 0), 2000); /* up at once */
	assert_int_equal(dirty_limit_follow(2000, 1000, 0), 2000 - 1000 / 32);
	assert_int_equal(dirty_limit_follow(2000, 1000, 1900), 2000 - 100 / 32); /* not under the dirty pages */
	assert_int_equal(dirty_limit_follow(2000, 2000, 0), 2000);
}

static void test_chunk_size(void **state)
{
	(void)state;
	/* half a second of 100 MB/s, rounded to 4 MiB steps */
	assert_int_equal(writeback_chunk_size_ioless(25600, 1 << 20, 1 << 30), 13312);
	/* a small dirty limit caps it (limit / 8), plus the 4 MiB step */
	assert_int_equal(writeback_chunk_size_ioless(25600, 8192, 1 << 30), 2048);
	/* never less than 4 MiB */
	assert_int_equal(writeback_chunk_size_ioless(10, 10, 5), 1024);
}

static void test_pdflush_pool_rule(void **state)
{
	(void)state;
	/* grows only when no thread has been idle for over a second, up to 8 */
	assert_true(pdflush_should_grow(3 * SEC, 1 * SEC, true, 2));
	assert_false(pdflush_should_grow(3 * SEC, 2 * SEC + 1, true, 2));
	assert_false(pdflush_should_grow(3 * SEC, 1 * SEC, false, 2));
	assert_false(pdflush_should_grow(3 * SEC, 1 * SEC, true, 8));
	/* a thread exits when the longest-idle has slept over a second, down to 2 */
	assert_true(pdflush_should_exit(5 * SEC, 3 * SEC, false, 3));
	assert_false(pdflush_should_exit(5 * SEC, 4 * SEC + 1, false, 3));
	assert_false(pdflush_should_exit(5 * SEC, 3 * SEC, false, 2));
	assert_false(pdflush_should_exit(5 * SEC, 3 * SEC, true, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thresholds_ratio),
		cmocka_unit_test(test_thresholds_bytes),
		cmocka_unit_test(test_thresholds_background_at_or_over_the_ratio),
		cmocka_unit_test(test_thresholds_2_6_9),
		cmocka_unit_test(test_pos_ratio_global_points),
		cmocka_unit_test(test_pos_ratio_lone_disk),
		cmocka_unit_test(test_pauses),
		cmocka_unit_test(test_write_bandwidth_converges),
		cmocka_unit_test(test_ioless_loop_settles),
		cmocka_unit_test(test_dirty_limit_follows),
		cmocka_unit_test(test_chunk_size),
		cmocka_unit_test(test_pdflush_pool_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
