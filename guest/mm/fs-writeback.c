/*
 * Writeback passes and the per-disk flushers (fs/fs-writeback.c).
 *
 * A disk's dirty mappings (the raw disk's own, and its files') are on its b_dirty list,
 * oldest dirtied first: dirtied_when is when a mapping's first page was dirtied since
 * it was last clean, which is what kupdate-style writeback compares with
 * dirty_expire_centisecs.
 *
 * The flusher of the bdi and ioless eras (2.6.32's bdi_writeback_thread, named
 * flush-MAJOR:MINOR; since 3.10 the same work runs in a kworker) wakes every
 * dirty_writeback_centisecs, or when woken: it writes everything when asked
 * (laptop mode's flush, sync), old data (wb_check_old_data_flush), and while the
 * dirty pages are over the background threshold (wb_check_background_flush).
 */
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/kthread.h>
#include <kernel/sched.h>
#include <kernel/timer.h>
#include <mm/pagemap.h>
#include <mm/mmzone.h>
#include <mm/writeback.h>


static u64 centisecs_ns(long cs)
{
	return (u64)cs * 10 * NSEC_PER_MSEC;
}

bool writeback_in_progress(struct bdi_writeback *wb)
{
	return READ_ONCE(wb->writeback_running);
}

/*
 * The next mapping to write: the oldest listed that nobody else is writing (I_SYNC),
 * and for kupdate only an expired one. Taken off the list's head so that, written and
 * still dirty, it goes to the tail (requeue_io: the others get their turn).
 */
static struct address_space *wb_next_mapping(struct bdi_writeback *wb, const struct writeback_control *wbc,
					     unsigned *seen)
{
	struct address_space *m, *found = NULL;
	unsigned long flags;
	unsigned i = 0;

	spin_lock_irqsave(&wb->list_lock, flags);
	list_for_each_entry(m, &wb->b_dirty, io_list) {
		if (i++ < *seen)
			continue;
		if (wbc->older_than_this_ns && m->dirtied_when_ns > wbc->older_than_this_ns)
			continue; /* not expired yet: kupdate leaves it */
		if (m->writing)
			continue;
		m->writing = true;
		found = m;
		break;
	}
	*seen = i;
	spin_unlock_irqrestore(&wb->list_lock, flags);
	return found;
}

static void wb_mapping_done(struct bdi_writeback *wb, struct address_space *m, bool requeue)
{
	unsigned long flags;

	spin_lock_irqsave(&wb->list_lock, flags);
	m->writing = false;
	if (requeue && m->dirty_listed)
		list_move_tail(&m->io_list, &wb->b_dirty);
	spin_unlock_irqrestore(&wb->list_lock, flags);
}

/*
 * __writeback_inodes_wb / writeback_sb_inodes: the disk's dirty mappings, oldest
 * first, each from where its last pass stopped, until wbc->nr_to_write pages are
 * started (a nonblocking pass stops when the queue congests). A mapping that used up
 * the budget and is still dirty goes to the tail. Returns the pages started.
 */
long __writeback_inodes_wb(struct bdi_writeback *wb, struct writeback_control *wbc)
{
	unsigned seen = 0;
	long done = 0;

	while (wbc->nr_to_write > 0) {
		struct address_space *m = wb_next_mapping(wb, wbc, &seen);
		if (!m)
			break;
		long n = filemap_writepages(m, wbc);
		wb_mapping_done(wb, m, wbc->nr_to_write <= 0);
		if (n > 0)
			done += n;
		if (wbc->nonblocking && bdi_write_congested(wb->bdi))
			break; /* filemap_writepages stopped at the congestion */
	}
	return done;
}

/* The oldest dirtied_when of the disk's mappings, for pdflush's s_io order. */
static u64 wb_oldest_dirtied(struct bdi_writeback *wb)
{
	unsigned long flags;
	u64 t = ~0ull;

	spin_lock_irqsave(&wb->list_lock, flags);
	if (!list_empty(&wb->b_dirty))
		t = list_first_entry(&wb->b_dirty, struct address_space, io_list)->dirtied_when_ns;
	spin_unlock_irqrestore(&wb->list_lock, flags);
	return t;
}

/*
 * 2.6.9's writeback_inodes (sync_sb_inodes over the block devices' superblock), as
 * pdflush ran it: the disks' inodes oldest-dirtied first. A nonblocking pass skips a
 * disk whose queue is congested and goes on ("Skip a congested blockdev"); a disk
 * another pdflush thread is writing ends the pass (writeback_acquire failed: "break").
 * With writeback_congestion_avoid off the pass does not skip: a thread writes into
 * the full queue and waits there for requests, and the threads behind it stop at that
 * disk, so another disk can starve: what congestion avoidance was for.
 */
long writeback_inodes(struct writeback_control *wbc)
{
	struct bdi_writeback *order[VMS_MAX_DISKS];
	unsigned n = 0;
	long done = 0;
	bool avoid = knob(writeback_congestion_avoid);

	for (unsigned i = 0; i < bdi_count() && n < VMS_MAX_DISKS; i++) { /* s_io: by dirtied_when */
		struct bdi_writeback *wb = &bdi_of(i)->wb;
		if (!wb_has_dirty_io(wb))
			continue;
		unsigned k = n++;
		while (k && wb_oldest_dirtied(order[k - 1]) > wb_oldest_dirtied(wb)) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = wb;
	}
	for (unsigned i = 0; i < n && wbc->nr_to_write > 0; i++) {
		struct bdi_writeback *wb = order[i];
		bool nonblocking = wbc->nonblocking;
		if (nonblocking && avoid && bdi_write_congested(wb->bdi)) {
			wbc->encountered_congestion = true;
			continue;
		}
		if (wbc->older_than_this_ns && wb_oldest_dirtied(wb) > wbc->older_than_this_ns)
			break; /* the rest were dirtied later still */
		if (__atomic_exchange_n(&wb->writeback_running, true, __ATOMIC_ACQ_REL))
			break; /* another pdflush is flushing this queue */
		u64 t0 = ktime_get_ns();
		if (!avoid)
			wbc->nonblocking = false;
		done += __writeback_inodes_wb(wb, wbc);
		wbc->nonblocking = nonblocking;
		wb->bdi->flusher_busy_ns += ktime_get_ns() - t0;
		WRITE_ONCE(wb->writeback_running, false); /* writeback_release */
	}
	return done;
}

/* writeback_chunk_size: 3.2 on, about half a second of the disk's bandwidth; before, 4 MiB. */
static long writeback_chunk_size(struct bdi_writeback *wb, long nr_pages)
{
	if (knob(writeback_model) != VMS_WB_IOLESS)
		return MAX_WRITEBACK_PAGES;
	return writeback_chunk_size_ioless(wb->bw.avg_write_bandwidth, global_dirty_limit(), nr_pages);
}

struct wb_wait {
	struct bdi_writeback *wb;
	long before;
};

static bool wb_writeback_moved(void *arg)
{
	struct wb_wait *w = arg;
	return wb_stat(w->wb, WB_WRITEBACK) != w->before;
}

/* inode_sleep_on_writeback: until some of the disk's writeback ends (100 ms at most). */
static void wb_wait_writeback(struct bdi_writeback *wb, long before)
{
	struct wb_wait arg = { wb, before };
	struct wait_queue_entry w = { 0 };

	if (blk_any_polled_disk()) {
		io_wait_polled(100 * NSEC_PER_MSEC, wb_writeback_moved, &arg);
		return;
	}
	prepare_to_wait(&wb->writeback_wait, &w, TASK_UNINTERRUPTIBLE);
	if (!wb_writeback_moved(&arg))
		schedule_timeout(100 * NSEC_PER_MSEC);
	finish_wait(&wb->writeback_wait, &w);
}

/*
 * wb_writeback: one piece of work, in chunks, until its pages are written, the
 * background work drops under its threshold, or nothing is left to write. With
 * nothing written yet pages under writeback, it waits for some to end
 * (inode_sleep_on_writeback) rather than spin.
 */
static long wb_writeback(struct bdi_writeback *wb, long nr_pages, enum wb_reason reason)
{
	u64 start = ktime_get_ns();
	long wrote = 0;
	static const enum vms_wb_writer by[WB_REASON_NR] = {
		[WB_REASON_BACKGROUND] = VMS_WB_BY_FLUSHER_BACKGROUND,
		[WB_REASON_PERIODIC] = VMS_WB_BY_FLUSHER_PERIODIC,
		[WB_REASON_SYNC] = VMS_WB_BY_FLUSHER_SYNC,
	};

	__atomic_add_fetch(&wb->bdi->works[reason], 1, __ATOMIC_RELAXED); /* pdflush: several threads */
	WRITE_ONCE(wb->writeback_running, true);
	while (nr_pages > 0) {
		if (reason == WB_REASON_BACKGROUND && !over_bground_thresh(wb))
			break;
		if (reason != WB_REASON_SYNC && READ_ONCE(wb->start_all))
			break; /* let the flush everything work go first */
		struct writeback_control wbc = {
			.nr_to_write = writeback_chunk_size(wb, nr_pages),
			.sync_mode = WB_SYNC_NONE,
			.by = by[reason],
			.for_kupdate = reason == WB_REASON_PERIODIC,
			.for_background = reason == WB_REASON_BACKGROUND,
		};
		if (reason == WB_REASON_SYNC)
			wbc.nr_to_write = nr_pages;
		if (wbc.for_kupdate) {
			u64 expire = centisecs_ns(knob(dirty_expire_centisecs)), now = ktime_get_ns();
			wbc.older_than_this_ns = now > expire ? now - expire : 1;
		}
		long asked = wbc.nr_to_write, n = __writeback_inodes_wb(wb, &wbc);
		struct dirty_limits dl;
		global_dirty_limits(&dl);
		wb_update_bandwidth(wb, &dl, start);
		wrote += n;
		nr_pages -= asked - wbc.nr_to_write;
		if (n)
			continue;
		if (!wb_has_dirty_io(wb) || wbc.older_than_this_ns)
			break; /* nothing (old enough) left */
		/* only pages already under writeback, or re-dirtied while under it: wait for some */
		long before = wb_stat(wb, WB_WRITEBACK);
		if (!before)
			break;
		wb_wait_writeback(wb, before);
	}
	WRITE_ONCE(wb->writeback_running, false);
	wb->bdi->flusher_busy_ns += ktime_get_ns() - start;
	return wrote;
}

/* wb_check_old_data_flush: every dirty_writeback_centisecs, the data older than dirty_expire. */
static long wb_check_old_data_flush(struct bdi_writeback *wb)
{
	long interval = knob(dirty_writeback_centisecs);
	u64 now = ktime_get_ns();

	if (!interval || now < wb->last_old_flush_ns + centisecs_ns(interval))
		return 0;
	wb->last_old_flush_ns = now;
	long nr_pages = (long)(global_nr_dirty() + global_nr_writeback());
	return nr_pages ? wb_writeback(wb, nr_pages, WB_REASON_PERIODIC) : 0;
}

static int bdi_writeback_thread(void *data)
{
	struct bdi_writeback *wb = data;

	wb->last_old_flush_ns = ktime_get_ns();
	for (;;) {
		if (__atomic_exchange_n(&wb->start_all, false, __ATOMIC_ACQ_REL))
			wb_writeback(wb, (long)(global_nr_dirty() + 1) * 2, WB_REASON_SYNC);
		bool bg = __atomic_exchange_n(&wb->start_background, false, __ATOMIC_ACQ_REL);
		wb_check_old_data_flush(wb);
		/* laptop mode starts background writeback only at the limit (the dirtier asks) */
		if ((bg || !knob(laptop_mode)) && over_bground_thresh(wb))
			wb_writeback(wb, (long)(~0ul >> 1), WB_REASON_BACKGROUND);

		set_current_state(TASK_INTERRUPTIBLE);
		if (READ_ONCE(wb->start_all) || READ_ONCE(wb->start_background)) {
			set_current_state(TASK_RUNNING);
			continue;
		}
		long interval = knob(dirty_writeback_centisecs);
		if (interval)
			schedule_timeout(centisecs_ns(interval));
		else
			schedule();
	}
	return 0;
}

static void wb_wakeup(struct bdi_writeback *wb)
{
	if (wb->task)
		wake_up_process(wb->task);
}

void wb_start_background_writeback(struct bdi_writeback *wb)
{
	WRITE_ONCE(wb->start_background, true);
	wb_wakeup(wb);
}

void wb_start_writeback(struct bdi_writeback *wb, enum wb_reason reason)
{
	if (reason == WB_REASON_BACKGROUND)
		WRITE_ONCE(wb->start_background, true);
	else
		WRITE_ONCE(wb->start_all, true);
	wb_wakeup(wb);
}

/* wakeup_flusher_threads: every disk's flusher writes everything it has. */
void wakeup_flusher_threads(enum wb_reason reason)
{
	for (unsigned i = 0; i < bdi_count(); i++)
		wb_start_writeback(&bdi_of(i)->wb, reason);
}

void bdi_flusher_start(struct backing_dev_info *bdi)
{
	bdi->wb.task = kthread_create(bdi_writeback_thread, &bdi->wb, "flush-%s", bdi->dev_name);
	if (bdi->wb.task)
		wake_up_process(bdi->wb.task);
}

/*
 * laptop_io_completion: the disk did I/O; in laptop mode, everything dirty is written
 * laptop_mode seconds after its last I/O (the timer moves on with each). The tick
 * (writeback_tick) fires it.
 */
void laptop_io_completion(struct backing_dev_info *bdi)
{
	WRITE_ONCE(bdi->laptop_deadline_ns, ktime_get_ns() + (u64)knob(laptop_mode) * NSEC_PER_SEC);
}
