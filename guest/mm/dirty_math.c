/*
 * Dirty throttling's arithmetic (see include/mm/dirty_math.h): Linux 3.2's IO-less
 * formulas (mm/page-writeback.c, with their reasons in the comments there), the
 * threshold rules of 2.6.9 and today, and mm/pdflush.c's pool rule.
 */
#include <stdbool.h>
#include <stdint.h>

/* Relative so that host unit tests can #include this file without -Iguest/include. */
#include "../include/mm/dirty_math.h"

#define DM_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DM_MAX(a, b) ((a) > (b) ? (a) : (b))
#define NS_PER_MS 1000000ull

static unsigned dm_ilog2(unsigned long v)
{
	return v ? 63u - (unsigned)__builtin_clzl(v) : 0;
}

void dirty_thresholds(const struct dirty_params *p, unsigned long avail, unsigned long *bg_thresh,
		      unsigned long *thresh)
{
	unsigned long ratio = p->ratio, dirty, bg;

	if (p->pdflush_2_6_9 && !p->bytes) {
		/* "We only allow 1/2 of the currently-unmapped memory to be dirtied", and no less than 5 % */
		unsigned long mapped_pct = avail ? DM_MIN(100ul, p->mapped * 100 / avail) : 100;
		ratio = DM_MIN(ratio, (100 - mapped_pct) / 2);
		ratio = DM_MAX(ratio, 5ul);
	}
	if (p->bytes)
		dirty = (unsigned long)((p->bytes + DIRTY_PAGE_SIZE - 1) / DIRTY_PAGE_SIZE);
	else
		dirty = ratio * avail / 100;
	if (p->bg_bytes)
		bg = (unsigned long)((p->bg_bytes + DIRTY_PAGE_SIZE - 1) / DIRTY_PAGE_SIZE);
	else
		bg = p->bg_ratio * avail / 100;
	if (bg >= dirty)
		bg = dirty / 2;
	*bg_thresh = bg;
	*thresh = dirty;
}

long dirty_pos_ratio_global(unsigned long setpoint, unsigned long limit, unsigned long dirty)
{
	/* Linux shifts the difference, which is negative above the setpoint: a multiply is
	 * the same number without C's undefined left shift of a negative value */
	long long x = (((long long)setpoint - (long long)dirty) * (1LL << RATELIMIT_CALC_SHIFT)) /
		      (long long)(limit - setpoint + 1);
	long long pos_ratio = x;
	pos_ratio = pos_ratio * x >> RATELIMIT_CALC_SHIFT;
	pos_ratio = pos_ratio * x >> RATELIMIT_CALC_SHIFT;
	return (long)(pos_ratio + (1 << RATELIMIT_CALC_SHIFT));
}

/*
 * bdi_position_ratio of 3.2: the global cubic, then the disk's linear line through its
 * setpoint with slope 1/(8 write_bw) (never below 1/4), raised when the disk has less
 * than half its share dirty (its reserve: the disk must not idle).
 */
unsigned long dirty_pos_ratio(const struct dirty_position *d)
{
	unsigned long thresh = d->thresh, limit = d->limit, setpoint = d->setpoint;
	unsigned long wb_thresh = d->wb_thresh, wb_dirty = d->wb_dirty;

	if (d->dirty >= limit)
		return 0;
	long long pos_ratio = dirty_pos_ratio_global(setpoint, limit, d->dirty);

	if (wb_thresh > thresh)
		wb_thresh = thresh;
	/* an idle disk's share is near 0: give it a reasonable one so that writes can start */
	wb_thresh = DM_MAX(wb_thresh, (limit - d->dirty) / 8);
	uint64_t xs = ((uint64_t)wb_thresh << 16) / (thresh + 1);
	unsigned long wb_setpoint = (unsigned long)((uint64_t)setpoint * xs >> 16);
	/* span: 8 * write_bw for a lone disk, moving to wb_thresh as disks share thresh */
	unsigned long span = (unsigned long)(((uint64_t)(thresh - wb_thresh) + 8 * (uint64_t)d->write_bw) * xs >> 16);
	unsigned long x_intercept = wb_setpoint + span;

	if (wb_dirty < x_intercept - span / 4)
		pos_ratio = (long long)((uint64_t)pos_ratio * (x_intercept - wb_dirty) / (x_intercept - wb_setpoint + 1));
	else
		pos_ratio /= 4;

	x_intercept = wb_thresh / 2;
	if (wb_dirty < x_intercept) {
		if (wb_dirty > x_intercept / 8)
			pos_ratio = (long long)((uint64_t)pos_ratio * x_intercept / wb_dirty);
		else
			pos_ratio *= 8;
	}
	return pos_ratio > 0 ? (unsigned long)pos_ratio : 0;
}

/* Below freerun a task looks again after about the square root of its margin. */
unsigned long dirty_poll_interval(unsigned long dirty, unsigned long thresh)
{
	return thresh > dirty ? 1ul << (dm_ilog2(thresh - dirty) >> 1) : 1;
}

/*
 * wb_max_pause: short enough that the disk's dirty pages cannot run out meanwhile,
 * 1/8 of the time the disk takes to write them (8 is Linux's safety ratio), and never
 * over MAX_PAUSE. Linux's jiffies arithmetic at HZ=1000:
 * wb_dirty / (1 + bw / roundup_pow_of_two(1 + HZ / 8)) + 1 jiffies.
 */
uint64_t wb_max_pause(unsigned long avg_write_bw, unsigned long wb_dirty)
{
	uint64_t t = (uint64_t)wb_dirty / (1 + avg_write_bw / 128) + 1; /* ms */
	return DM_MIN(t * NS_PER_MS, MAX_PAUSE_NS);
}

/* bdi_min_pause: the target pause (10 ms for one writer, +10 ms per doubling of the
 * writers) and the pages to dirty before the next look, nr_dirtied_pause. */
uint64_t wb_min_pause(unsigned long avg_write_bw, uint64_t max_pause, unsigned long task_ratelimit,
		      unsigned long dirty_ratelimit, unsigned long *nr_dirtied_pause)
{
	long hi = dm_ilog2(avg_write_bw), lo = dm_ilog2(dirty_ratelimit);
	uint64_t t = 10 * NS_PER_MS;
	unsigned long pages;

	if (hi > lo)
		t += (uint64_t)(hi - lo) * 10 * NS_PER_MS * 1000 / 1024;
	t = DM_MIN(t, max_pause / 2);
	pages = (unsigned long)((uint64_t)dirty_ratelimit * t / DIRTY_NSEC_PER_SEC);
	if (pages < DIRTY_POLL_THRESH) { /* tiny intervals hurt I/O: look every 128 KiB at least */
		t = max_pause;
		pages = (unsigned long)((uint64_t)dirty_ratelimit * t / DIRTY_NSEC_PER_SEC);
		if (pages > DIRTY_POLL_THRESH) {
			pages = DIRTY_POLL_THRESH;
			t = DIRTY_NSEC_PER_SEC * DIRTY_POLL_THRESH / (dirty_ratelimit ? dirty_ratelimit : 1);
		}
	}
	uint64_t pause = DIRTY_NSEC_PER_SEC * (uint64_t)pages / (task_ratelimit + 1);
	if (pause > max_pause) {
		t = max_pause;
		pages = (unsigned long)((uint64_t)task_ratelimit * t / DIRTY_NSEC_PER_SEC);
	}
	*nr_dirtied_pause = pages ? pages : 1;
	return pages >= DIRTY_POLL_THRESH ? t / 2 : t;
}

/*
 * bdi_update_write_bandwidth: the written pages' rate, averaged into write_bandwidth
 * over a ~4 s period (roundup_pow_of_two(3 * HZ)), and avg_write_bandwidth, which
 * follows it by 1/8 only when both agree on the direction (spikes filtered).
 */
void wb_update_write_bandwidth(struct wb_bandwidth *b, uint64_t elapsed_ns, unsigned long written_pages)
{
	const uint64_t period = 4 * DIRTY_NSEC_PER_SEC;
	unsigned long avg = b->avg_write_bandwidth, old = b->write_bandwidth;
	uint64_t bw = (uint64_t)written_pages * DIRTY_NSEC_PER_SEC;

	if (elapsed_ns > period) {
		bw /= elapsed_ns;
		avg = (unsigned long)bw;
	} else {
		bw = (bw + (uint64_t)b->write_bandwidth * (period - elapsed_ns)) / period;
		if (avg > old && old >= (unsigned long)bw)
			avg -= (avg - old) >> 3;
		if (avg < old && old <= (unsigned long)bw)
			avg += (old - avg) >> 3;
	}
	b->write_bandwidth = (unsigned long)bw;
	b->avg_write_bandwidth = avg;
}

/*
 * bdi_update_dirty_ratelimit: dirty_ratelimit, the rate each of N writers is held to,
 * moves toward the balanced rate task_ratelimit * write_bw / dirty_rate (= write_bw / N)
 * only when the position error agrees, by at most 1/8 of the gap, less near it.
 */
void wb_update_dirty_ratelimit(struct wb_bandwidth *b, unsigned long setpoint, unsigned long dirty,
			       unsigned long pos_ratio, unsigned long dirtied_pages, uint64_t elapsed_ns)
{
	unsigned long write_bw = b->avg_write_bandwidth, dirty_ratelimit = b->dirty_ratelimit;
	unsigned long dirty_rate = (unsigned long)((uint64_t)dirtied_pages * DIRTY_NSEC_PER_SEC / (elapsed_ns ? elapsed_ns : 1));
	unsigned long task_ratelimit = (unsigned long)(((uint64_t)dirty_ratelimit * pos_ratio) >> RATELIMIT_CALC_SHIFT) + 1;
	unsigned long balanced = (unsigned long)((uint64_t)task_ratelimit * write_bw / (dirty_rate | 1));
	unsigned long step = 0, x;

	if (balanced > write_bw)
		balanced = write_bw;
	if (dirty < setpoint) {
		x = DM_MIN(b->balanced_dirty_ratelimit, DM_MIN(balanced, task_ratelimit));
		if (dirty_ratelimit < x)
			step = x - dirty_ratelimit;
	} else {
		x = DM_MAX(b->balanced_dirty_ratelimit, DM_MAX(balanced, task_ratelimit));
		if (dirty_ratelimit > x)
			step = dirty_ratelimit - x;
	}
	unsigned long shift = dirty_ratelimit / (2 * step + 1);
	step = shift >= 64 ? 0 : step >> shift;
	step = (step + 7) / 8;
	if (dirty_ratelimit < balanced)
		dirty_ratelimit += step;
	else
		dirty_ratelimit -= step;
	b->dirty_ratelimit = DM_MAX(dirty_ratelimit, 1ul);
	b->balanced_dirty_ratelimit = balanced;
	b->dirty_rate = dirty_rate;
}

unsigned long dirty_limit_follow(unsigned long limit, unsigned long thresh, unsigned long dirty)
{
	if (limit < thresh)
		return thresh;
	thresh = DM_MAX(thresh, dirty);
	return limit > thresh ? limit - ((limit - thresh) >> 5) : limit;
}

long writeback_chunk_size_ioless(unsigned long avg_write_bw, unsigned long dirty_limit, long nr_pages)
{
	const unsigned long min_pages = 1024; /* MIN_WRITEBACK_PAGES, 4 MiB */
	unsigned long pages = DM_MIN(avg_write_bw / 2, dirty_limit / 8); /* DIRTY_SCOPE */
	pages = DM_MIN(pages, (unsigned long)nr_pages);
	return (long)((pages + min_pages) / min_pages * min_pages);
}

bool pdflush_should_grow(uint64_t now, uint64_t last_empty, bool idle_list_empty, unsigned nr_threads)
{
	return now - last_empty > DIRTY_NSEC_PER_SEC && idle_list_empty && nr_threads < MAX_PDFLUSH_THREADS;
}

bool pdflush_should_exit(uint64_t now, uint64_t sleepiest_since, bool idle_list_empty, unsigned nr_threads)
{
	return !idle_list_empty && nr_threads > MIN_PDFLUSH_THREADS && now - sleepiest_since > DIRTY_NSEC_PER_SEC;
}
