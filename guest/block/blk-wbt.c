/*
 * Buffered writeback throttling, after Linux's block/blk-wbt.c (4.10+): the writes
 * of writeback may have only a few requests in flight at the disk, fewer for
 * background writeback than for a task waiting on it, so that a read or an fsync's
 * I/O does not queue behind a full disk queue of it. The depth scales with the
 * completion latency of reads over monitoring windows (100 ms at step 0): a window
 * whose fastest read took longer than the target halves the depth; a good one, or
 * one of writes only, lets it grow back (and, writes only, beyond, up to 3/4 of the
 * queue). O_DIRECT writes (REQ_SYNC | REQ_IDLE) are not throttled.
 *
 * Simplified, and said here: the stat window is one per disk, not per CPU; times
 * are in ns where Linux keeps jiffies.
 */
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/percpu.h>
#include <kernel/preempt.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include <kernel/timer.h>
#include <kernel/wait.h>
#include <mm/backing-dev.h>
#include <mm/swap.h> /* current_is_kswapd */
#include <mm/watermark.h> /* int_sqrt */

enum wbt_flags {
	WBT_TRACKED = 1, /* write, tracked for throttling */
	WBT_READ = 2, /* read: its latency is what the window watches */
	WBT_KSWAPD = 4, /* write, from kswapd */
};

enum { WBT_RWQ_BG, WBT_RWQ_KSWAPD, WBT_NUM_RWQ };

enum {
	RWB_DEF_DEPTH = 16, /* step 0's depth */
	RWB_MIN_WRITE_SAMPLES = 3, /* a window's writes needed to blame them for slow reads */
	RWB_UNKNOWN_BUMP = 5, /* windows without data before drifting back to step 0 */
};
#define RWB_WINDOW_NSEC (100 * NSEC_PER_MSEC)
#define CLOSE_IO_NSEC (100 * NSEC_PER_MSEC) /* Linux's HZ / 10 */

struct rq_wait {
	wait_queue_head_t wait;
	int inflight;
};

/* blk-rq-qos.h's rq_depth: the depth the scale step allows. */
struct rq_depth {
	unsigned max_depth, default_depth, queue_depth;
	int scale_step;
	bool scaled_max;
};

/* blk-stat's per-direction latency summary over a window. */
struct blk_rq_stat {
	u64 min;
	u32 nr_samples;
};

struct rq_wb {
	struct request_queue *q;
	unsigned wb_background, wb_normal;
	bool wc; /* the disk has a volatile write cache */
	unsigned unknown_cnt;
	u64 win_nsec, cur_win_nsec, min_lat_nsec;
	u64 last_issue, last_comp; /* a read's, ns */
	u64 sync_issue; /* the oldest read in flight's issue time (sync_cookie's) */
	struct request *sync_cookie;
	struct rq_wait rq_wait[WBT_NUM_RWQ];
	struct rq_depth rq_depth;
	raw_spinlock_t lock; /* the window */
	bool stat_active;
	struct blk_rq_stat stat[2]; /* [0] reads, [1] writes */
	struct timer_list timer;
	/* reported */
	u64 nr_throttled, throttled_ns, nr_windows;
	int step_min, step_max;
};

/* ---- the depth, as blk-rq-qos.c ---- */

/* Returns true if the depth cannot grow further by scaling. */
static bool rq_depth_calc_max_depth(struct rq_depth *rqd)
{
	bool ret = false;

	if (rqd->queue_depth == 1) { /* one ready when one completes, unless scaled down */
		if (rqd->scale_step > 0) {
			rqd->max_depth = 1;
		} else {
			rqd->max_depth = 2;
			ret = true;
		}
		return ret;
	}
	unsigned depth = min(rqd->default_depth, rqd->queue_depth);
	if (rqd->scale_step > 0) {
		depth = 1 + ((depth - 1) >> min(31, rqd->scale_step));
	} else if (rqd->scale_step < 0) {
		unsigned maxd = 3 * rqd->queue_depth / 4;
		depth = 1 + ((depth - 1) << min(31, -rqd->scale_step));
		if (depth > maxd) {
			depth = maxd;
			ret = true;
		}
	}
	rqd->max_depth = depth;
	return ret;
}

static bool rq_depth_scale_up(struct rq_depth *rqd)
{
	if (rqd->scaled_max) /* hit the top last time */
		return false;
	rqd->scale_step--;
	rqd->scaled_max = rq_depth_calc_max_depth(rqd);
	return true;
}

static bool rq_depth_scale_down(struct rq_depth *rqd, bool hard_throttle)
{
	if (rqd->max_depth == 1)
		return false;
	if (rqd->scale_step < 0 && hard_throttle)
		rqd->scale_step = 0;
	else
		rqd->scale_step++;
	rqd->scaled_max = false;
	rq_depth_calc_max_depth(rqd);
	return true;
}

/* ---- limits ---- */

static void calc_wb_limits(struct rq_wb *rwb)
{
	if (rwb->rq_depth.max_depth <= 2) {
		rwb->wb_normal = rwb->rq_depth.max_depth;
		rwb->wb_background = 1;
	} else {
		rwb->wb_normal = (rwb->rq_depth.max_depth + 1) / 2;
		rwb->wb_background = (rwb->rq_depth.max_depth + 3) / 4;
	}
}

/* A task was held in balance_dirty_pages within the last second: clean faster. */
static bool wb_recent_wait(const struct rq_wb *rwb)
{
	const struct backing_dev_info *bdi = rwb->q->disk->bdi;
	u64 slept = bdi ? READ_ONCE(bdi->wb.dirty_sleep_ns) : 0;
	return slept && ktime_get_ns() < slept + NSEC_PER_SEC;
}

static bool close_io(const struct rq_wb *rwb)
{
	u64 now = ktime_get_ns();
	return now < READ_ONCE(rwb->last_issue) + CLOSE_IO_NSEC || now < READ_ONCE(rwb->last_comp) + CLOSE_IO_NSEC;
}

static unsigned get_limit(const struct rq_wb *rwb, u32 opf)
{
	/* kswapd, a waiter (REQ_SYNC: WB_SYNC_ALL), or a throttled dirtier: the whole depth */
	if ((opf & (REQ_SYNC | REQ_META)) || wb_recent_wait(rwb) || current_is_kswapd())
		return rwb->rq_depth.max_depth;
	/* background writeback, or a read in the last 100 ms: the least */
	if ((opf & REQ_BACKGROUND) || close_io(rwb))
		return rwb->wb_background;
	return rwb->wb_normal;
}

static void rwb_wake_all(struct rq_wb *rwb)
{
	for (int i = 0; i < WBT_NUM_RWQ; i++)
		wake_up(&rwb->rq_wait[i].wait);
}

static bool rq_wait_inc_below(struct rq_wait *rqw, unsigned limit)
{
	int cur = __atomic_load_n(&rqw->inflight, __ATOMIC_RELAXED);
	do {
		if ((unsigned)cur >= limit)
			return false;
	} while (!__atomic_compare_exchange_n(&rqw->inflight, &cur, cur + 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return true;
}

static struct rq_wait *get_rq_wait(struct rq_wb *rwb, u8 flags)
{
	return &rwb->rq_wait[(flags & WBT_KSWAPD) ? WBT_RWQ_KSWAPD : WBT_RWQ_BG];
}

static void wbt_rqw_done(struct rq_wb *rwb, struct rq_wait *rqw)
{
	int inflight = __atomic_sub_fetch(&rqw->inflight, 1, __ATOMIC_ACQ_REL);
	/* with a write cache, let the queue drain before waking writers (unless one is throttled) */
	int limit = rwb->wc && !wb_recent_wait(rwb) ? 0 : (int)rwb->wb_normal;

	if (inflight && inflight >= limit)
		return;
	if (!inflight || limit - inflight >= (int)rwb->wb_background / 2)
		wake_up(&rqw->wait);
}

/* ---- the window ---- */

static void rwb_arm_timer(struct rq_wb *rwb)
{
	struct rq_depth *rqd = &rwb->rq_depth;
	/* a scaled-down depth watches shorter windows: 100 ms / sqrt(step + 1) */
	rwb->cur_win_nsec = rqd->scale_step > 0 ? (rwb->win_nsec << 4) / int_sqrt((u64)(rqd->scale_step + 1) << 8)
						: rwb->win_nsec;
	rwb->stat[0] = rwb->stat[1] = (struct blk_rq_stat){ .min = ~0ull };
	rwb->stat_active = true;
	rwb->timer.expires = ktime_get_ns() + rwb->cur_win_nsec;
	add_timer(&rwb->timer);
}

enum { LAT_OK = 1, LAT_UNKNOWN, LAT_UNKNOWN_WRITES, LAT_EXCEEDED };

static unsigned wbt_inflight(struct rq_wb *rwb)
{
	unsigned n = 0;
	for (int i = 0; i < WBT_NUM_RWQ; i++)
		n += (unsigned)__atomic_load_n(&rwb->rq_wait[i].inflight, __ATOMIC_RELAXED);
	return n;
}

static int latency_exceeded(struct rq_wb *rwb, const struct blk_rq_stat *stat)
{
	u64 issue = READ_ONCE(rwb->sync_issue), thislat = issue ? ktime_get_ns() - issue : 0;

	/* a read still out for longer than the window, or than the target with no read done */
	if (thislat > rwb->cur_win_nsec || (thislat > rwb->min_lat_nsec && !stat[0].nr_samples))
		return LAT_EXCEEDED;
	if (!(stat[0].nr_samples >= 1 && stat[1].nr_samples >= RWB_MIN_WRITE_SAMPLES))
		return stat[1].nr_samples || wb_recent_wait(rwb) || wbt_inflight(rwb) ? LAT_UNKNOWN_WRITES
										   : LAT_UNKNOWN;
	return stat[0].min > rwb->min_lat_nsec ? LAT_EXCEEDED : LAT_OK;
}

static void scale_up(struct rq_wb *rwb)
{
	if (!rq_depth_scale_up(&rwb->rq_depth))
		return;
	calc_wb_limits(rwb);
	rwb->unknown_cnt = 0;
	rwb_wake_all(rwb);
}

static void scale_down(struct rq_wb *rwb, bool hard_throttle)
{
	if (!rq_depth_scale_down(&rwb->rq_depth, hard_throttle))
		return;
	calc_wb_limits(rwb);
	rwb->unknown_cnt = 0;
}

static void wb_timer_fn(struct timer_list *t)
{
	struct rq_wb *rwb = container_of(t, struct rq_wb, timer);
	struct rq_depth *rqd = &rwb->rq_depth;
	struct blk_rq_stat stat[2];
	unsigned long flags;

	spin_lock_irqsave(&rwb->lock, flags);
	rwb->stat_active = false;
	stat[0] = rwb->stat[0];
	stat[1] = rwb->stat[1];
	unsigned inflight = wbt_inflight(rwb);
	rwb->nr_windows++;
	switch (latency_exceeded(rwb, stat)) {
	case LAT_EXCEEDED:
		scale_down(rwb, true);
		break;
	case LAT_OK:
		scale_up(rwb);
		break;
	case LAT_UNKNOWN_WRITES: /* writes only: let the step go negative, for their throughput */
		scale_up(rwb);
		break;
	case LAT_UNKNOWN: /* nothing to go by: drift back to step 0 */
		if (++rwb->unknown_cnt < RWB_UNKNOWN_BUMP)
			break;
		if (rqd->scale_step > 0)
			scale_up(rwb);
		else if (rqd->scale_step < 0)
			scale_down(rwb, false);
		break;
	}
	rwb->step_min = min(rwb->step_min, rqd->scale_step);
	rwb->step_max = max(rwb->step_max, rqd->scale_step);
	if (rqd->scale_step || inflight)
		rwb_arm_timer(rwb);
	spin_unlock_irqrestore(&rwb->lock, flags);
}

/* ---- the hooks ---- */

static bool wbt_should_throttle(const struct bio *bio)
{
	return bio->op == REQ_OP_WRITE && (bio->opf & (REQ_SYNC | REQ_IDLE)) != (REQ_SYNC | REQ_IDLE);
}

/* Waits for room: by sleeping, or where the task may not sleep (or nothing would wake
 * it: a polled disk), by reaping completions itself. */
static void rq_qos_wait(struct rq_wb *rwb, struct rq_wait *rqw, u32 opf)
{
	if (!waitqueue_active(&rqw->wait) && rq_wait_inc_below(rqw, get_limit(rwb, opf)))
		return;
	u64 start = ktime_get_ns();
	if (rwb->q->poll_mode || irqs_disabled() || preempt_count()) {
		while (!rq_wait_inc_below(rqw, get_limit(rwb, opf))) {
			if (current->plug)
				blk_flush_plug(current->plug);
			blk_poll_disks();
		}
	} else {
		wait_event(rqw->wait, rq_wait_inc_below(rqw, get_limit(rwb, opf)));
	}
	__atomic_add_fetch(&rwb->nr_throttled, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&rwb->throttled_ns, ktime_get_ns() - start, __ATOMIC_RELAXED);
}

u8 wbt_wait(struct request_queue *q, struct bio *bio)
{
	struct rq_wb *rwb = q->rq_wb;

	if (!rwb)
		return 0;
	if (bio->op == REQ_OP_READ) {
		WRITE_ONCE(rwb->last_issue, ktime_get_ns());
		return WBT_READ;
	}
	if (!wbt_should_throttle(bio))
		return 0;
	u8 flags = WBT_TRACKED | (current_is_kswapd() ? WBT_KSWAPD : 0);
	rq_qos_wait(rwb, get_rq_wait(rwb, flags), bio->opf);
	if (!READ_ONCE(rwb->stat_active)) {
		unsigned long irq;
		spin_lock_irqsave(&rwb->lock, irq);
		if (!rwb->stat_active)
			rwb_arm_timer(rwb);
		spin_unlock_irqrestore(&rwb->lock, irq);
	}
	return flags;
}

void wbt_issue(struct request_queue *q, struct request *rq)
{
	struct rq_wb *rwb = q->rq_wb;
	/* the oldest read in flight, in case the disk sits on it (latency_exceeded) */
	if (rwb && (rq->wbt_flags & WBT_READ) && !READ_ONCE(rwb->sync_issue)) {
		WRITE_ONCE(rwb->sync_cookie, rq);
		WRITE_ONCE(rwb->sync_issue, rq->issue_ns);
	}
}

void wbt_done(struct request_queue *q, struct request *rq, u64 now)
{
	struct rq_wb *rwb = q->rq_wb;
	unsigned long flags;

	if (!rwb)
		return;
	if ((rq->op == REQ_OP_READ || rq->op == REQ_OP_WRITE) && READ_ONCE(rwb->stat_active)) { /* blk_stat_add */
		int dir = rq->op == REQ_OP_WRITE;
		u64 lat = now > rq->issue_ns ? now - rq->issue_ns : 0;
		spin_lock_irqsave(&rwb->lock, flags);
		if (rwb->stat_active) {
			rwb->stat[dir].min = min(rwb->stat[dir].min, lat);
			rwb->stat[dir].nr_samples++;
		}
		spin_unlock_irqrestore(&rwb->lock, flags);
	}
	if (rq->wbt_flags & WBT_TRACKED) {
		wbt_rqw_done(rwb, get_rq_wait(rwb, rq->wbt_flags));
	} else {
		if (READ_ONCE(rwb->sync_cookie) == rq) {
			WRITE_ONCE(rwb->sync_issue, 0);
			WRITE_ONCE(rwb->sync_cookie, NULL);
		}
		if (rq->wbt_flags & WBT_READ)
			WRITE_ONCE(rwb->last_comp, now);
	}
	rq->wbt_flags = 0;
}

/* wbt_init with the knob's target: wbt_lat_usec, auto (-1) being the era's: on since
 * 4.10 (the ioless era here), at 75 ms, Linux's default for a rotational disk, which
 * a virtio disk is to Linux; 0 off. */
void wbt_init(struct request_queue *q, bool write_cache)
{
	s64 lat_us = knob(wbt_lat_usec);

	if (lat_us == VMS_KNOB_AUTO)
		lat_us = knob(writeback_model) == VMS_WB_IOLESS ? 75000 : 0;
	if (!lat_us)
		return;
	struct rq_wb *rwb = kzalloc(sizeof(*rwb));
	if (!rwb)
		panic("block: no memory for the writeback throttle of %s", q->disk->disk_name);
	rwb->q = q;
	for (int i = 0; i < WBT_NUM_RWQ; i++)
		init_waitqueue_head(&rwb->rq_wait[i].wait);
	spin_lock_init(&rwb->lock);
	timer_setup(&rwb->timer, wb_timer_fn);
	rwb->win_nsec = rwb->cur_win_nsec = RWB_WINDOW_NSEC;
	rwb->wc = write_cache;
	rwb->min_lat_nsec = (u64)lat_us * NSEC_PER_USEC;
	rwb->rq_depth.default_depth = RWB_DEF_DEPTH;
	rwb->rq_depth.queue_depth = q->queue_depth;
	rq_depth_calc_max_depth(&rwb->rq_depth);
	calc_wb_limits(rwb);
	q->rq_wb = rwb;
}

void wbt_report(struct request_queue *q, struct vms_rec_blk *rec)
{
	struct rq_wb *rwb = q->rq_wb;
	unsigned long flags;

	if (!rwb)
		return;
	spin_lock_irqsave(&rwb->lock, flags);
	rec->wbt_lat_ns = rwb->min_lat_nsec;
	rec->wbt_throttled = rwb->nr_throttled;
	rec->wbt_throttled_ns = rwb->throttled_ns;
	rec->wbt_windows = rwb->nr_windows;
	rec->wbt_scale_step = rwb->rq_depth.scale_step;
	rec->wbt_scale_step_min = rwb->step_min;
	rec->wbt_scale_step_max = rwb->step_max;
	rec->wbt_max_depth = rwb->rq_depth.max_depth;
	spin_unlock_irqrestore(&rwb->lock, flags);
}
