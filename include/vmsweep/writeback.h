/*
 * The guest's writeback state (mm/page-writeback.c, fs/fs-writeback.c), as the host
 * receives it: the data of Linux's global_dirty_state, bdi_dirty_ratelimit and
 * balance_dirty_pages tracepoints. Pages are 4 KiB; rates are pages per second.
 */
#ifndef VMSWEEP_WRITEBACK_H
#define VMSWEEP_WRITEBACK_H
#include <stdint.h>

#include <vmsweep/abi.h>

/* One disk's writeback (its backing_dev_info / bdi_writeback) at a sample. */
struct vms_wb_disk_sample {
	uint64_t wb_dirty;   /* its dirty and under-writeback pages */
	uint64_t wb_thresh;  /* its share of the threshold (eras with per-disk limits; else thresh) */
	uint64_t dirty_ratelimit, balanced_dirty_ratelimit; /* ioless: the base throttle rate */
	uint64_t write_bw, avg_write_bw; /* estimated every 200 ms (all eras, for the report) */
	uint64_t dirty_rate; /* pages dirtied per second over the last estimate */
	uint32_t congested;  /* its request queue was congested (2.6's 7/8 full) */
	uint32_t writeback_running; /* its flusher (or a pdflush thread) is writing it */
};

/* VMS_REC_WB_SAMPLE (samples ring, every sample_ms, from CPU 0) */
struct vms_rec_wb_sample {
	uint64_t tsc;
	uint64_t nr_dirty, nr_writeback; /* global, pages */
	uint64_t bg_thresh, thresh;	 /* global_dirty_limits */
	uint64_t freerun, setpoint, limit; /* ioless's control points (also computed for the other eras) */
	uint32_t nr_pdflush_threads;	 /* pdflush era: the pool's size; 0 otherwise */
	uint32_t nr_disks;
	struct vms_wb_disk_sample disks[VMS_MAX_DISKS];
};

/* Who wrote the dirty pages, per disk. */
enum vms_wb_writer {
	VMS_WB_BY_FLUSHER_BACKGROUND, /* flusher or pdflush: over the background threshold */
	VMS_WB_BY_FLUSHER_PERIODIC,   /* kupdate / wb_check_old_data_flush: expired data */
	VMS_WB_BY_FLUSHER_SYNC,	      /* laptop mode's flush, sync */
	VMS_WB_BY_DIRTIER,	      /* the dirtying task itself in balance_dirty_pages (pdflush, bdi eras) */
	VMS_WB_BY_FSYNC,	      /* fsync, fdatasync, O_SYNC, end_fsync */
	VMS_WB_BY_RECLAIM,	      /* kswapd or direct reclaim (pageout) */
	VMS_WB_BY_NR
};

/* VMS_REC_WB (results ring, once at the end): the run's writeback in sum. */
struct vms_rec_wb {
	uint32_t model; /* enum vms_writeback_model */
	uint32_t nr_disks;
	uint64_t dirty_ratio, dirty_background_ratio; /* as resolved (auto: the era's) */
	uint64_t dirty_bytes, dirty_background_bytes;
	uint64_t dirtyable_at_end, thresh_at_end, bg_thresh_at_end;
	uint64_t ratelimit_pages;
	uint32_t pdflush_threads_max, pdflush_threads_min;
	uint64_t pdflush_created, pdflush_exited, pdflush_busy_refusals;
	uint64_t laptop_flushes;
	struct {
		char name[8]; /* "vda" */
		uint64_t dirtied, written;   /* pages */
		uint64_t written_by[VMS_WB_BY_NR];
		uint64_t works[3]; /* flusher work done: background, periodic, sync */
		uint64_t congestion_waits; /* congestion_wait calls that found it congested */
		uint64_t congested_ns; /* time its queue spent congested */
		uint64_t flusher_busy_ns; /* time a flusher (or pdflush) spent writing it */
	} disks[VMS_MAX_DISKS];
};

/* Where a buffered write's time went (each write's latency split). */
enum vms_wb_write_time {
	VMS_WB_TIME_COPY,      /* copying into the page cache, page lookups included */
	VMS_WB_TIME_THROTTLE,  /* in balance_dirty_pages: sleeping, or writing (older eras) */
	VMS_WB_TIME_WRITEBACK, /* waiting on a page under writeback before dirtying it again */
	VMS_WB_TIME_RECLAIM,   /* allocating the page cache page: reclaim and its waits */
	VMS_WB_TIME_NR
};

/* VMS_REC_WB_WRITER (results ring, one per fio job clone that dirtied pages). */
struct vms_rec_wb_writer {
	uint32_t job, clone;
	uint64_t writes, pages_dirtied;
	uint64_t time_ns[VMS_WB_TIME_NR];
	/* balance_dirty_pages' pauses (the tracepoint's pause, period and think); the looks
	 * that found the writer behind its rate and so did not sleep are not pauses */
	uint64_t pauses, pause_max_ns, pause_sum_ns;
	uint64_t period_sum_ns;
	int64_t think_sum_ns; /* think is negative when the writer came back before its pause was due */
	uint64_t throttled_writes; /* writes that spent time in balance_dirty_pages */
	uint32_t pause_buckets[VMS_HIST_NR_ABI]; /* the pauses' lengths, fio's buckets */
};
#endif
