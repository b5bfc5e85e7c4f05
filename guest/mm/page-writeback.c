/*
 * Dirty page accounting and the dirtier's entry to throttling (mm/page-writeback.c):
 * account_page_dirtied / writeback accounting into the node's and the disk's counts,
 * the writeout completion proportions that share the threshold among disks, the
 * 200 ms bandwidth estimates of the IO-less throttle, and
 * balance_dirty_pages_ratelimited, which calls the era's balance_dirty_pages every
 * so many dirtied pages. The eras themselves are the three struct writeback_ops here.
 */
#include <asm/tsc.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/sched.h>
#include <mm/mm_types.h>
#include <mm/pagemap.h>
#include <mm/vmstat.h>
#include <mm/mmzone.h>
#include <mm/writeback.h>

const struct writeback_ops *writeback_ops = &writeback_ioless_ops;

#define BANDWIDTH_INTERVAL_NS (200 * NSEC_PER_MSEC) /* max(HZ/5, 1) */
#define COMPLETIONS_PERIOD_NS (3 * NSEC_PER_SEC)    /* VM_COMPLETIONS_PERIOD_LEN */
#define RATELIMIT_CALC_SHIFT 10

static struct bdi_writeback *mapping_wb(struct address_space *m)
{
	return &m->host->bdi->wb;
}

/* ---- writeout completion proportions (lib/flex_proportions.c, simplified) ---- */

/*
 * Completions are counted per disk and in all; every 3 s both halve, so a disk's
 * share follows its recent writeout (fprop_new_period). The period each count last
 * saw is kept with it, and a count is aged by the periods it missed when next used.
 */
static u64 writeout_total;
static unsigned writeout_period; /* periods since boot */
static u64 writeout_period_start_ns;
static raw_spinlock_t writeout_lock;

static void writeout_age(u64 now)
{
	while (now - writeout_period_start_ns >= COMPLETIONS_PERIOD_NS) {
		writeout_period_start_ns += COMPLETIONS_PERIOD_NS;
		writeout_period++;
		writeout_total >>= 1;
		if (!writeout_total && now - writeout_period_start_ns >= COMPLETIONS_PERIOD_NS) {
			writeout_period += (unsigned)((now - writeout_period_start_ns) / COMPLETIONS_PERIOD_NS);
			writeout_period_start_ns = now - (now - writeout_period_start_ns) % COMPLETIONS_PERIOD_NS;
		}
	}
}

static void wb_completions_age(struct bdi_writeback *wb)
{
	unsigned missed = writeout_period - wb->completions_period;
	wb->completions = missed >= 64 ? 0 : wb->completions >> missed;
	wb->completions_period = writeout_period;
}

void wb_writeout_inc(struct bdi_writeback *wb)
{
	unsigned long flags;

	wb_stat_mod(wb, WB_WRITEBACK, -1);
	wb_stat_mod(wb, WB_WRITTEN, 1);
	count_vm_event(nr_written);
	spin_lock_irqsave(&writeout_lock, flags);
	writeout_age(ktime_get_ns());
	wb_completions_age(wb);
	wb->completions++;
	writeout_total++;
	spin_unlock_irqrestore(&writeout_lock, flags);
	wake_up(&wb->writeback_wait);
}

/* The disk's share of the recent writeout, in 1/1000; a lone disk that wrote nothing yet gets all. */
unsigned long wb_writeout_fraction_permille(struct bdi_writeback *wb)
{
	unsigned long flags, r;

	spin_lock_irqsave(&writeout_lock, flags);
	writeout_age(ktime_get_ns());
	wb_completions_age(wb);
	if (!writeout_total)
		r = bdi_count() <= 1 ? 1000 : 1000 / bdi_count();
	else
		r = (unsigned long)min(1000ull, wb->completions * 1000 / writeout_total);
	spin_unlock_irqrestore(&writeout_lock, flags);
	return r;
}

/* ---- accounting ---- */

/* account_page_dirtied: a clean page of m became dirty. */
void account_page_dirtied(struct page *page, struct address_space *m)
{
	struct bdi_writeback *wb = mapping_wb(m);

	(void)page;
	inc_node_state(nr_dirty);
	count_vm_event(nr_dirtied);
	wb_stat_mod(wb, WB_RECLAIMABLE, 1);
	wb_stat_mod(wb, WB_DIRTIED, 1);
	current->nr_dirtied++;
	if (!READ_ONCE(wb->has_dirty)) { /* __mark_inode_dirty(I_DIRTY_PAGES): its dirtied_when */
		WRITE_ONCE(wb->dirtied_when_ns, ktime_get_ns());
		WRITE_ONCE(wb->has_dirty, true);
	}
}

/* clear_page_dirty_for_io + set_page_writeback: dirty -> under writeback. */
void account_page_cleaned(struct page *page, struct address_space *m)
{
	(void)page;
	wb_stat_mod(mapping_wb(m), WB_RECLAIMABLE, -1);
	wb_stat_mod(mapping_wb(m), WB_WRITEBACK, 1);
}

/* A write failed and left the page dirty again: back to reclaimable. */
void account_page_redirtied(struct page *page, struct address_space *m)
{
	(void)page;
	wb_stat_mod(mapping_wb(m), WB_RECLAIMABLE, 1);
}

/* ---- bandwidth estimates (bdi_update_write_bandwidth, bdi_update_dirty_ratelimit) ---- */

static void wb_update_write_bandwidth(struct bdi_writeback *wb, u64 elapsed_ns, unsigned long written)
{
	const u64 period = 4 * NSEC_PER_SEC; /* roundup_pow_of_two(3 * HZ) jiffies, as seconds */
	unsigned long avg = wb->avg_write_bandwidth, old = wb->write_bandwidth;
	u64 bw = (u64)(written - wb->written_stamp) * NSEC_PER_SEC; /* pages/s times elapsed */

	if (elapsed_ns > period) {
		bw /= elapsed_ns;
		avg = (unsigned long)bw;
		goto out;
	}
	/* write_bandwidth = (bw * elapsed + write_bandwidth * (period - elapsed)) / period */
	bw = (bw + (u64)wb->write_bandwidth * (period - elapsed_ns)) / period;
	if (avg > old && old >= (unsigned long)bw) /* one more smoothing against spikes */
		avg -= (avg - old) >> 3;
	if (avg < old && old <= (unsigned long)bw)
		avg += (old - avg) >> 3;
out:
	wb->write_bandwidth = (unsigned long)bw;
	wb->avg_write_bandwidth = avg;
}

/*
 * dirty_ratelimit, the base rate each dirtier is held to (write_bw / N for N
 * writers): moved toward the balanced rate task_ratelimit * write_bw / dirty_rate, only
 * when the position error agrees, by at most 1/8 of the gap (Linux 3.2's
 * bdi_update_dirty_ratelimit, with its comments' reasons).
 */
static void wb_update_dirty_ratelimit(struct bdi_writeback *wb, const struct dirty_limits *dl, unsigned long dirty,
				      unsigned long wb_thresh, unsigned long wb_dirty, unsigned long dirtied,
				      u64 elapsed_ns)
{
	unsigned long write_bw = wb->avg_write_bandwidth, dirty_ratelimit = wb->dirty_ratelimit;
	unsigned long dirty_rate = (unsigned long)((u64)(dirtied - wb->dirtied_stamp) * NSEC_PER_SEC / elapsed_ns);
	unsigned long pos_ratio = wb_position_ratio(wb, dl, dirty, wb_thresh, wb_dirty);
	unsigned long task_ratelimit = (unsigned long)(((u64)dirty_ratelimit * pos_ratio) >> RATELIMIT_CALC_SHIFT) + 1;
	unsigned long balanced = (unsigned long)((u64)task_ratelimit * write_bw / (dirty_rate | 1));
	unsigned long step = 0, x;

	if (balanced > write_bw)
		balanced = write_bw;
	if (dirty < dl->setpoint) {
		x = min(wb->balanced_dirty_ratelimit, min(balanced, task_ratelimit));
		if (dirty_ratelimit < x)
			step = x - dirty_ratelimit;
	} else {
		x = max(wb->balanced_dirty_ratelimit, max(balanced, task_ratelimit));
		if (dirty_ratelimit > x)
			step = dirty_ratelimit - x;
	}
	unsigned shift = (unsigned)min(63ul, dirty_ratelimit / (2 * step + 1));
	step >>= shift; /* slow down near the target: no pointless tremors */
	step = (step + 7) / 8;
	if (dirty_ratelimit < balanced)
		dirty_ratelimit += step;
	else
		dirty_ratelimit -= step;
	wb->dirty_ratelimit = max(dirty_ratelimit, 1ul);
	wb->balanced_dirty_ratelimit = balanced;
	wb->dirty_rate = dirty_rate;
}

/*
 * __wb_update_bandwidth: every 200 ms, from the flusher after a chunk and from
 * balance_dirty_pages. A quiet stretch (over 1 s, started before this writeback began)
 * is not counted as slow writing.
 */
void wb_update_bandwidth(struct bdi_writeback *wb, const struct dirty_limits *dl, u64 start_ns)
{
	u64 now = ktime_get_ns();
	unsigned long flags;

	if (now - READ_ONCE(wb->bw_time_stamp) < BANDWIDTH_INTERVAL_NS)
		return;
	spin_lock_irqsave(&wb->bw_lock, flags);
	u64 elapsed = now - wb->bw_time_stamp;
	if (elapsed < BANDWIDTH_INTERVAL_NS) {
		spin_unlock_irqrestore(&wb->bw_lock, flags);
		return;
	}
	unsigned long dirtied = (unsigned long)wb_stat(wb, WB_DIRTIED), written = (unsigned long)wb_stat(wb, WB_WRITTEN);
	if (!(elapsed > NSEC_PER_SEC && wb->bw_time_stamp < start_ns)) {
		if (dl && dl->thresh) {
			unsigned long dirty = global_nr_dirty() + global_nr_writeback();
			update_dirty_limit(dl->thresh, dirty);
			unsigned long wb_thresh = wb_calc_thresh(wb, dl->thresh);
			unsigned long wb_dirty = (unsigned long)(wb_stat(wb, WB_RECLAIMABLE) + wb_stat(wb, WB_WRITEBACK));
			wb_update_dirty_ratelimit(wb, dl, dirty, wb_thresh, wb_dirty, dirtied, elapsed);
		}
		wb_update_write_bandwidth(wb, elapsed, written);
	}
	wb->dirtied_stamp = dirtied;
	wb->written_stamp = written;
	wb->bw_time_stamp = now;
	spin_unlock_irqrestore(&wb->bw_lock, flags);
}

/* ---- the dirtier's hook ---- */

bool over_bground_thresh(struct bdi_writeback *wb)
{
	struct dirty_limits dl;

	global_dirty_limits(&dl);
	if (global_nr_dirty() > dl.bg_thresh)
		return true;
	/* since 3.2 a disk over its share of the background threshold counts too */
	return writeback_ops->per_bdi_thresh && knob(writeback_model) == VMS_WB_IOLESS &&
	       (unsigned long)wb_stat(wb, WB_RECLAIMABLE) > wb_calc_thresh(wb, dl.bg_thresh);
}

/*
 * balance_dirty_pages_ratelimited: the era's balance_dirty_pages every
 * nr_dirtied_pause pages of this task (IO-less) or every ratelimit_pages of this CPU
 * (before), more often while the disk is over its limit (dirty_exceeded).
 */
void balance_dirty_pages_ratelimited(struct address_space *m)
{
	struct bdi_writeback *wb = mapping_wb(m);
	struct task_struct *t = current;

	if (knob(writeback_model) == VMS_WB_IOLESS) {
		unsigned long ratelimit = t->nr_dirtied_pause ? t->nr_dirtied_pause : 32; /* DIRTY_POLL_THRESH pages */
		if (READ_ONCE(wb->dirty_exceeded))
			ratelimit = min(ratelimit, 8ul); /* 32 KiB */
		if (t->nr_dirtied >= ratelimit)
			writeback_ops->balance_dirty_pages(m, wb, t->nr_dirtied);
		return;
	}
	unsigned long ratelimit = READ_ONCE(wb->dirty_exceeded) ? 8 : ratelimit_pages;
	if (t->nr_dirtied >= ratelimit) {
		unsigned long n = t->nr_dirtied;
		t->nr_dirtied = 0;
		writeback_ops->balance_dirty_pages(m, wb, n);
	}
}

/* ---- the eras ---- */

const struct writeback_ops writeback_pdflush_ops = {
	.name = "pdflush",
	.per_bdi_thresh = false,
	.dirtier_writes = true,
	.reclaim_writes_file = true,
	.dirtyable_memory = dirtyable_memory_pdflush,
	.balance_dirty_pages = balance_dirty_pages_writing,
	.start_background = pdflush_start_background,
	.start_all = pdflush_start_all,
};

const struct writeback_ops writeback_bdi_ops = {
	.name = "bdi",
	.per_bdi_thresh = true,
	.dirtier_writes = true,
	.reclaim_writes_file = true,
	.dirtyable_memory = dirtyable_memory_bdi,
	.balance_dirty_pages = balance_dirty_pages_writing,
	.start_background = wb_start_background_writeback,
	.start_all = wakeup_flusher_threads,
};

const struct writeback_ops writeback_ioless_ops = {
	.name = "ioless",
	.per_bdi_thresh = true,
	.dirtier_writes = false,
	.reclaim_writes_file = false,
	.dirtyable_memory = dirtyable_memory_ioless,
	.balance_dirty_pages = balance_dirty_pages_ioless,
	.start_background = wb_start_background_writeback,
	.start_all = wakeup_flusher_threads,
};
