/*
 * A disk's writeback state (include/linux/backing-dev.h, backing-dev-defs.h): its
 * backing_dev_info with the one bdi_writeback the guest needs (no cgroups), the
 * page counts the dirty limits read, the bandwidth estimates of the IO-less
 * throttle, the flusher's work list and the request queue's congestion flag.
 */
#ifndef MM_BACKING_DEV_H
#define MM_BACKING_DEV_H
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/types.h>
#include <kernel/wait.h>
#include <mm/dirty_math.h>
#include <vmsweep/writeback.h>

struct gendisk;
struct task_struct;

enum wb_stat_item { WB_RECLAIMABLE, WB_WRITEBACK, WB_DIRTIED, WB_WRITTEN, NR_WB_STAT_ITEMS };

/* Why writeback runs (enum wb_reason), and so which counter its pages go to. */
enum wb_reason { WB_REASON_BACKGROUND, WB_REASON_PERIODIC, WB_REASON_SYNC, WB_REASON_NR };

struct bdi_writeback {
	struct backing_dev_info *bdi;
	long stat[NR_WB_STAT_ITEMS]; /* pages: atomics */

	/* The IO-less throttle's estimates, pages per second (mm/page-writeback.c). */
	u64 bw_time_stamp;	   /* ns of the last update */
	unsigned long dirtied_stamp, written_stamp;
	struct wb_bandwidth bw; /* write_bandwidth, dirty_ratelimit, ... (mm/dirty_math.c) */
	raw_spinlock_t bw_lock;

	/* Writeout completions, aged every 3 s (its share of the dirty threshold). */
	u64 completions;
	unsigned completions_period;

	/* The mappings with dirty pages (b_dirty), oldest dirtied first, under list_lock. */
	struct list_head b_dirty;
	raw_spinlock_t list_lock;

	/* The flusher (bdi and ioless eras): what it is asked to do (WB_start_all, and a
	 * wake-up for background work, as 3.x's bits), and its thread. */
	bool start_all, start_background;
	struct task_struct *task;
	u64 last_old_flush_ns;
	bool writeback_running; /* a flusher or pdflush thread is writing it */
	bool dirty_exceeded;
	u64 dirty_sleep_ns; /* a dirtier last paused in balance_dirty_pages (blk-wbt's wb_recent_wait) */
	wait_queue_head_t writeback_wait; /* woken as its pages finish writeback */
};

struct backing_dev_info {
	struct gendisk *disk;
	char dev_name[12]; /* "254:0" */
	struct bdi_writeback wb;
	/* The 2.6 request queue's congestion: queues of the disk over nr_congestion_on. */
	unsigned congested_queues;
	u64 congested_since_ns;
	u64 laptop_deadline_ns; /* laptop mode: flush everything then (0: not armed) */
	/* What the run reports (vmsweep/writeback.h). */
	u64 written_by[VMS_WB_BY_NR];
	u64 works[WB_REASON_NR];
	u64 congestion_waits, congested_ns, flusher_busy_ns;
	/* Bytes the page cache wrote to the disk: files' pages, and the disk's own (a file
	 * system's metadata, or a raw disk's data); bytes buffered writes copied into files. */
	u64 bytes_written_file, bytes_written_bdev, bytes_copied_file;
};

static inline long wb_stat(struct bdi_writeback *wb, enum wb_stat_item i)
{
	long v = __atomic_load_n(&wb->stat[i], __ATOMIC_RELAXED);
	return v > 0 ? v : 0;
}
static inline void wb_stat_mod(struct bdi_writeback *wb, enum wb_stat_item i, long d)
{
	__atomic_add_fetch(&wb->stat[i], d, __ATOMIC_RELAXED);
}

/* A page write started on the disk's behalf, by whom: the flushers, fsync, kswapd and
 * direct reclaim count concurrently, and the report compares the sum with vmstat. */
static inline void bdi_count_written(struct backing_dev_info *bdi, enum vms_wb_writer by)
{
	__atomic_add_fetch(&bdi->written_by[by], 1, __ATOMIC_RELAXED);
}

/* Whether any mapping of the disk has dirty pages (wb_has_dirty_io). */
static inline bool wb_has_dirty_io(struct bdi_writeback *wb)
{
	return !list_empty(&wb->b_dirty);
}

/* mm/backing-dev.c */
void bdi_register(struct gendisk *disk); /* at probe: its bdi and (by era) its flusher */
struct backing_dev_info *bdi_of(unsigned disk_index); /* NULL past the last disk */
unsigned bdi_count(void);
bool bdi_write_congested(struct backing_dev_info *bdi);
/* The request queue's fill level, as blk_queue_congestion_threshold set its marks. */
void blk_congestion_update(struct backing_dev_info *bdi, unsigned used, unsigned depth, bool *hctx_congested);
/* Sleeps ns waiting for I/O (polling polled disks meanwhile, which interrupt nobody). */
void io_schedule_timeout(u64 ns);
/* Polls the polled disks for up to timeout_ns or until done(arg). */
void io_wait_polled(u64 timeout_ns, bool (*done)(void *), void *arg);
/* congestion_wait(WRITE, timeout): until a queue leaves congestion or timeout ns pass. */
void congestion_wait(u64 timeout_ns);
/* CPU 0's tick: laptop mode's timers and (pdflush era) the kupdate timer. */
void writeback_tick(void);
u64 writeback_next_event(void); /* when writeback_tick or the samples have work next, UINT64_MAX: never */
#endif
