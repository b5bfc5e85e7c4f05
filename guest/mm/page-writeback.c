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

#define COMPLETIONS_PERIOD_NS (3 * NSEC_PER_SEC)    /* VM_COMPLETIONS_PERIOD_LEN */

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

/*
 * __mark_inode_dirty(I_DIRTY_PAGES): the mapping's first dirty page since it was
 * clean puts it at the tail of its disk's dirty list with dirtied_when = now (the
 * list stays oldest first: kupdate-style writeback compares dirtied_when with
 * dirty_expire_centisecs).
 */
static void mapping_dirty_inc(struct address_space *m)
{
	struct bdi_writeback *wb = mapping_wb(m);
	unsigned long flags;

	spin_lock_irqsave(&wb->list_lock, flags);
	if (m->nr_dirty++ == 0 && !m->dirty_listed) {
		m->dirtied_when_ns = ktime_get_ns();
		list_add_tail(&m->io_list, &wb->b_dirty);
		m->dirty_listed = true;
	}
	spin_unlock_irqrestore(&wb->list_lock, flags);
}

/* A dirty page went under writeback (or away): the last one takes m off the list. */
static void mapping_dirty_dec(struct address_space *m)
{
	struct bdi_writeback *wb = mapping_wb(m);
	unsigned long flags;

	spin_lock_irqsave(&wb->list_lock, flags);
	if (m->nr_dirty > 0 && --m->nr_dirty == 0 && m->dirty_listed) {
		list_del_init(&m->io_list);
		m->dirty_listed = false;
	}
	spin_unlock_irqrestore(&wb->list_lock, flags);
}

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
	mapping_dirty_inc(m);
}

/* clear_page_dirty_for_io + set_page_writeback: dirty -> under writeback. */
void account_page_cleaned(struct page *page, struct address_space *m)
{
	(void)page;
	wb_stat_mod(mapping_wb(m), WB_RECLAIMABLE, -1);
	wb_stat_mod(mapping_wb(m), WB_WRITEBACK, 1);
	mapping_dirty_dec(m);
}

/* cancel_dirty_page: a dirty page is clean without being written (the journal took it). */
void account_page_undirtied(struct page *page, struct address_space *m)
{
	(void)page;
	wb_stat_mod(mapping_wb(m), WB_RECLAIMABLE, -1);
	mapping_dirty_dec(m);
}

/* A write failed and left the page dirty again: back to reclaimable. */
void account_page_redirtied(struct page *page, struct address_space *m)
{
	(void)page;
	wb_stat_mod(mapping_wb(m), WB_RECLAIMABLE, 1);
	mapping_dirty_inc(m);
}

/* ---- bandwidth estimates: mm/dirty_math.c's estimators, every 200 ms ---- */

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
			unsigned long pos_ratio = wb_position_ratio(wb, dl, dirty, wb_thresh, wb_dirty);
			wb_update_dirty_ratelimit(&wb->bw, dl->setpoint, dirty, pos_ratio, dirtied - wb->dirtied_stamp,
						  elapsed);
		}
		wb_update_write_bandwidth(&wb->bw, elapsed, written - wb->written_stamp);
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
static unsigned long bdp_ratelimits[VMS_MAX_CPUS]; /* pages dirtied on each CPU */

void balance_dirty_pages_ratelimited(struct address_space *m)
{
	struct bdi_writeback *wb = mapping_wb(m);
	struct task_struct *t = current;

	if (knob(writeback_model) == VMS_WB_IOLESS) {
		unsigned long ratelimit = t->nr_dirtied_pause ? t->nr_dirtied_pause : 32; /* DIRTY_POLL_THRESH pages */
		if (READ_ONCE(wb->dirty_exceeded))
			ratelimit = min(ratelimit, 8ul); /* 32 KiB */
		/*
		 * 3.2's safeguard (Wu, "writeback: per task dirty rate limit"): the pages
		 * dirtied on this CPU since one of its tasks last reached its own
		 * nr_dirtied_pause; past ratelimit_pages the task looks now, so that many
		 * tasks that each dirty less than their interval cannot together run past
		 * the threshold.
		 */
		preempt_disable();
		unsigned long *p = &bdp_ratelimits[smp_processor_id()];
		if (t->nr_dirtied >= ratelimit)
			*p = 0;
		else if (++*p >= ratelimit_pages) {
			*p = 0;
			ratelimit = 0;
		}
		preempt_enable();
		if (t->nr_dirtied >= ratelimit)
			writeback_ops->balance_dirty_pages(m, wb, t->nr_dirtied);
		return;
	}
	/*
	 * Before 3.2 the count is the CPU's, not the task's (2.6.9's per-CPU ratelimits,
	 * 3.1's bdp_ratelimits): the tasks sharing a CPU share one ratelimit_pages (8 pages
	 * while the disk is over its limit) between looks, so ten writers on two CPUs look
	 * five times as often as each on its own count would, and overshoot the threshold
	 * that much less.
	 */
	unsigned long ratelimit = READ_ONCE(wb->dirty_exceeded) ? 8 : ratelimit_pages, n = 0;
	t->nr_dirtied = 0;
	preempt_disable();
	unsigned long *p = &bdp_ratelimits[smp_processor_id()];
	if (++*p >= ratelimit) {
		n = *p;
		*p = 0;
	}
	preempt_enable();
	if (n)
		writeback_ops->balance_dirty_pages(m, wb, n);
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
