/*
 * The arithmetic of dirty throttling, under Linux's names (mm/page-writeback.c,
 * mm/pdflush.c): the thresholds from the two knob forms, the IO-less control line and
 * pauses, the bandwidth and rate-limit estimators, and the pdflush pool's rule. Pure
 * integer functions with no kernel dependencies, so that host unit tests compile
 * dirty_math.c as is and check it against worked numbers. Pages are 4 KiB; rates are
 * pages per second; times are nanoseconds (Linux counts jiffies: HZ is exact here).
 */
#ifndef MM_DIRTY_MATH_H
#define MM_DIRTY_MATH_H
#include <stdbool.h>
#include <stdint.h>

#define DIRTY_PAGE_SIZE 4096ul
#define RATELIMIT_CALC_SHIFT 10
#define DIRTY_NSEC_PER_SEC 1000000000ull
#define MAX_PAUSE_NS (200ull * 1000000)	     /* max(HZ/5, 1) */
#define BANDWIDTH_INTERVAL_NS (200ull * 1000000) /* max(HZ/5, 1) */
#define DIRTY_POLL_THRESH 32ul			     /* 128 KiB */
#define MIN_PDFLUSH_THREADS 2
#define MAX_PDFLUSH_THREADS 8

/* What the knobs say (0 bytes: the ratio applies). */
struct dirty_params {
	unsigned long ratio, bg_ratio;	/* percent, as resolved */
	unsigned long long bytes, bg_bytes;
	bool pdflush_2_6_9; /* ratio at least 5 and at most half the unmapped memory */
	unsigned long mapped; /* pdflush_2_6_9: mapped pages */
};

/* global_dirty_limits: thresh and bg_thresh in pages from avail dirtyable pages. */
void dirty_thresholds(const struct dirty_params *p, unsigned long avail, unsigned long *bg_thresh,
		      unsigned long *thresh);

/* The IO-less control points. */
static inline unsigned long dirty_freerun_ceiling(unsigned long thresh, unsigned long bg_thresh)
{
	return (thresh + bg_thresh) / 2;
}

/* The position ratio of the control lines, in 1/1024 (wb_position_ratio, Linux 3.2). */
struct dirty_position {
	unsigned long thresh, limit, setpoint; /* global; setpoint = (freerun + limit) / 2 */
	unsigned long dirty;		       /* global dirty + writeback pages */
	unsigned long wb_thresh, wb_dirty;     /* the disk's share and its pages */
	unsigned long write_bw;		       /* the disk's avg_write_bandwidth */
};
unsigned long dirty_pos_ratio(const struct dirty_position *d);
/* The global cubic alone: 1 + ((setpoint - dirty) / (limit - setpoint))^3, in 1/1024. */
long dirty_pos_ratio_global(unsigned long setpoint, unsigned long limit, unsigned long dirty);

unsigned long dirty_poll_interval(unsigned long dirty, unsigned long thresh);
uint64_t wb_max_pause(unsigned long avg_write_bw, unsigned long wb_dirty);
uint64_t wb_min_pause(unsigned long avg_write_bw, uint64_t max_pause, unsigned long task_ratelimit,
		      unsigned long dirty_ratelimit, unsigned long *nr_dirtied_pause);

/* The estimators, every BANDWIDTH_INTERVAL. */
struct wb_bandwidth {
	unsigned long write_bandwidth, avg_write_bandwidth;
	unsigned long dirty_ratelimit, balanced_dirty_ratelimit;
	unsigned long dirty_rate;
};
void wb_update_write_bandwidth(struct wb_bandwidth *b, uint64_t elapsed_ns, unsigned long written_pages);
void wb_update_dirty_ratelimit(struct wb_bandwidth *b, unsigned long setpoint, unsigned long dirty,
			       unsigned long pos_ratio, unsigned long dirtied_pages, uint64_t elapsed_ns);

/* The hard limit: up at once, down by 1/32 of the gap, never under dirty. */
unsigned long dirty_limit_follow(unsigned long limit, unsigned long thresh, unsigned long dirty);

/* writeback_chunk_size since 3.2: about half a second of bandwidth, in 4 MiB steps. */
long writeback_chunk_size_ioless(unsigned long avg_write_bw, unsigned long dirty_limit, long nr_pages);

/* The pdflush pool: grow when a thread finished work and none has been idle for over
 * a second; exit when the longest-idle thread has slept for over a second. */
bool pdflush_should_grow(uint64_t now, uint64_t last_empty, bool idle_list_empty, unsigned nr_threads);
bool pdflush_should_exit(uint64_t now, uint64_t sleepiest_since, bool idle_list_empty, unsigned nr_threads);
#endif
