/*
 * The disks' backing_dev_info (mm/backing-dev.c): one per virtio disk, registered at
 * probe with its flusher (bdi and ioless eras), and the congestion state the 2.6
 * request queue kept: a queue with 7/8 of its requests allocated is congested until
 * it drains below 13/16 (blk_queue_congestion_threshold), and congestion_wait
 * sleeps until some queue leaves congestion or the timeout passes.
 */
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include <kernel/timer.h>
#include <lib/vsprintf.h>
#include <mm/mmzone.h>
#include <mm/writeback.h>

#define VIRTBLK_MAJOR 254 /* as 2.6.32 numbered virtio disks: flush-254:0 */

static struct backing_dev_info *bdis[VMS_MAX_DISKS];
static unsigned nr_bdis;
static wait_queue_head_t congestion_wqh;
static raw_spinlock_t congestion_lock;

void bdi_register(struct gendisk *disk)
{
	struct backing_dev_info *bdi = kzalloc(sizeof(*bdi));

	if (!bdi)
		panic("writeback: no memory for %s's backing_dev_info", disk->disk_name);
	if (!nr_bdis) {
		init_waitqueue_head(&congestion_wqh);
		spin_lock_init(&congestion_lock);
	}
	bdi->disk = disk;
	snprintf(bdi->dev_name, sizeof(bdi->dev_name), "%u:%u", VIRTBLK_MAJOR, disk->index * 16);
	struct bdi_writeback *wb = &bdi->wb;
	wb->bdi = bdi;
	spin_lock_init(&wb->bw_lock);
	spin_lock_init(&wb->list_lock);
	INIT_LIST_HEAD(&wb->b_dirty);
	init_waitqueue_head(&wb->writeback_wait);
	/* bdi_init: 100 MB/s until measured (INIT_BW) */
	wb->bw.write_bandwidth = wb->bw.avg_write_bandwidth = (100 << 20) / PAGE_SIZE;
	wb->bw.dirty_ratelimit = wb->bw.balanced_dirty_ratelimit = (100 << 20) / PAGE_SIZE;
	wb->bw_time_stamp = ktime_get_ns();
	disk->bdi = bdi;
	bdis[nr_bdis] = bdi;
	WRITE_ONCE(nr_bdis, nr_bdis + 1);
	if (knob(writeback_model) != VMS_WB_PDFLUSH)
		bdi_flusher_start(bdi);
}

struct backing_dev_info *bdi_of(unsigned i)
{
	return i < READ_ONCE(nr_bdis) ? bdis[i] : NULL;
}

unsigned bdi_count(void)
{
	return READ_ONCE(nr_bdis);
}

bool bdi_write_congested(struct backing_dev_info *bdi)
{
	return READ_ONCE(bdi->congested_queues) != 0;
}

/*
 * One hardware queue's fill level changed (used requests of depth): set or clear its
 * congestion with 2.6's hysteresis; the disk is congested while any queue is. Called
 * with the queue's lock held.
 */
void blk_congestion_update(struct backing_dev_info *bdi, unsigned used, unsigned depth, bool *hctx_congested)
{
	unsigned on = depth - depth / 8 + 1, off = depth - depth / 8 - depth / 16 - 1;
	unsigned long flags;

	if (on > depth)
		on = depth;
	if (off < 1 || off > depth)
		off = 1;
	if (!*hctx_congested && used >= on) {
		*hctx_congested = true;
		spin_lock_irqsave(&congestion_lock, flags);
		if (bdi->congested_queues++ == 0)
			bdi->congested_since_ns = ktime_get_ns();
		spin_unlock_irqrestore(&congestion_lock, flags);
	} else if (*hctx_congested && used < off) {
		*hctx_congested = false;
		spin_lock_irqsave(&congestion_lock, flags);
		if (--bdi->congested_queues == 0)
			bdi->congested_ns += ktime_get_ns() - bdi->congested_since_ns;
		spin_unlock_irqrestore(&congestion_lock, flags);
		wake_up(&congestion_wqh); /* clear_bdi_congested */
	}
}

static bool any_disk_congested(void)
{
	for (unsigned i = 0; i < bdi_count(); i++)
		if (bdi_write_congested(bdis[i]))
			return true;
	return false;
}

/*
 * A wait for I/O of up to timeout_ns that ends early when done() says so. Polled disks
 * (blk_completion=poll) raise no interrupt, so whoever waits for their I/O reaps it:
 * the wait polls them for its length, giving the CPU up when asked to.
 */
void io_wait_polled(u64 timeout_ns, bool (*done)(void *), void *arg)
{
	u64 end = ktime_get_ns() + timeout_ns;

	while (ktime_get_ns() < end && !(done && done(arg))) {
		blk_poll_disks();
		if (need_resched())
			schedule();
		else
			cpu_relax();
	}
}

void io_schedule_timeout(u64 ns)
{
	if (blk_any_polled_disk()) {
		io_wait_polled(ns, NULL, NULL);
		return;
	}
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule_timeout(ns);
}

static bool no_disk_congested(void *unused)
{
	(void)unused;
	return !any_disk_congested();
}

/* congestion_wait(BLK_RW_ASYNC, timeout): counted for each disk congested when it started. */
void congestion_wait(u64 timeout_ns)
{
	struct wait_queue_entry w = { 0 };

	for (unsigned i = 0; i < bdi_count(); i++)
		if (bdi_write_congested(bdis[i]))
			__atomic_add_fetch(&bdis[i]->congestion_waits, 1, __ATOMIC_RELAXED);
	if (blk_any_polled_disk()) {
		io_wait_polled(timeout_ns, no_disk_congested, NULL);
		return;
	}
	prepare_to_wait(&congestion_wqh, &w, TASK_UNINTERRUPTIBLE);
	schedule_timeout(timeout_ns);
	finish_wait(&congestion_wqh, &w);
}

/* What writeback_tick will do next, and the samples': when the do_timer CPU must tick. */
u64 writeback_next_event(void)
{
	u64 next = writeback_next_sample_ns();

	for (unsigned i = 0; i < bdi_count(); i++) {
		u64 due = READ_ONCE(bdis[i]->laptop_deadline_ns);
		if (due)
			next = min(next, due);
	}
	if (knob(writeback_model) == VMS_WB_PDFLUSH)
		next = min(next, pdflush_next_event());
	return next;
}

void writeback_tick(void)
{
	u64 now = ktime_get_ns();

	for (unsigned i = 0; i < bdi_count(); i++) {
		struct backing_dev_info *bdi = bdis[i];
		u64 due = READ_ONCE(bdi->laptop_deadline_ns);
		if (due && now >= due) { /* laptop_mode_timer_fn: flush everything */
			WRITE_ONCE(bdi->laptop_deadline_ns, 0);
			writeback_ops->start_all(WB_REASON_SYNC); /* every disk's */
			break;
		}
	}
	if (knob(writeback_model) == VMS_WB_PDFLUSH)
		pdflush_tick(now);
}
