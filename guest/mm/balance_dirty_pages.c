/*
 * balance_dirty_pages (mm/page-writeback.c): what a task that dirtied pages does
 * when dirty memory is high, in two forms.
 *
 * IO-less (3.2 on, Wu Fengguang): the dirtier never writes. Below the freerun
 * ceiling (thresh + bg_thresh) / 2 it runs free; above, it sleeps so as to dirty at
 * task_ratelimit = dirty_ratelimit * pos_ratio, where pos_ratio is the cubic
 * 1 + ((setpoint - dirty) / (limit - setpoint))^3 (2 at freerun, 1 at the setpoint,
 * 0 at the limit), scaled by the disk's own control line. Pauses are at most
 * MAX_PAUSE (200 ms) and aimed at ~10 ms for one writer.
 *
 * Writing (pdflush and bdi eras, 2.6.9-3.1): over the threshold the dirtier writes
 * write_chunk (1.5 ratelimit_pages) of its disk's pages itself, then
 * congestion_wait(WRITE, HZ/10) until the dirty pages are back under the limit or it
 * has done its chunk.
 */
#include <asm/tsc.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/sched.h>
#include <kernel/timer.h>
#include <mm/pagemap.h>
#include <mm/mmzone.h>
#include <mm/writeback.h>
#include <vmsweep/hist.h>

/* The control line at the disk's state (dirty_math.c's dirty_pos_ratio), in 1/1024. */
unsigned long wb_position_ratio(struct bdi_writeback *wb, const struct dirty_limits *dl, unsigned long dirty,
				unsigned long wb_thresh, unsigned long wb_dirty)
{
	struct dirty_position d = {
		.thresh = dl->thresh,
		.limit = dl->limit,
		.setpoint = dl->setpoint,
		.dirty = dirty,
		.wb_thresh = wb_thresh,
		.wb_dirty = wb_dirty,
		.write_bw = wb->bw.avg_write_bandwidth,
	};
	return dirty_pos_ratio(&d);
}

/* The balance_dirty_pages tracepoint's pause, period and think, into the writer's stats. */
static void trace_balance_dirty_pages(u64 pause_ns, u64 period_ns, s64 think_ns)
{
	struct vms_rec_wb_writer *s = current->wb_stats;
	if (!s)
		return;
	s->pauses++;
	s->pause_sum_ns += pause_ns;
	s->period_sum_ns += period_ns;
	s->think_sum_ns += think_ns;
	if (pause_ns > s->pause_max_ns)
		s->pause_max_ns = pause_ns;
	s->pause_buckets[vms_hist_index(pause_ns)]++;
}

void balance_dirty_pages_ioless(struct address_space *m, struct bdi_writeback *wb, unsigned long pages_dirtied)
{
	struct task_struct *t = current;
	u64 start = ktime_get_ns();
	bool dirty_exceeded = false;

	(void)m;
	for (;;) {
		u64 now = ktime_get_ns();
		struct dirty_limits dl;
		global_dirty_limits(&dl);
		unsigned long nr_reclaimable = global_nr_dirty();
		unsigned long nr_dirty = nr_reclaimable + global_nr_writeback();

		if (nr_dirty <= dl.freerun) { /* under the freerun ceiling: no throttling */
			t->dirty_paused_when = now;
			t->nr_dirtied = 0;
			t->nr_dirtied_pause = dirty_poll_interval(nr_dirty, dl.thresh);
			break;
		}
		if (!writeback_in_progress(wb))
			wb_start_background_writeback(wb);

		unsigned long wb_thresh = wb_calc_thresh(wb, dl.thresh);
		unsigned long wb_dirty = (unsigned long)(wb_stat(wb, WB_RECLAIMABLE) + wb_stat(wb, WB_WRITEBACK));
		dirty_exceeded = wb_dirty > wb_thresh && nr_dirty > dl.thresh;
		if (dirty_exceeded && !wb->dirty_exceeded)
			WRITE_ONCE(wb->dirty_exceeded, true);

		wb_update_bandwidth(wb, &dl, start);
		unsigned long dirty_ratelimit = wb->bw.dirty_ratelimit;
		unsigned long pos_ratio = wb_position_ratio(wb, &dl, nr_dirty, wb_thresh, wb_dirty);
		unsigned long task_ratelimit = (unsigned long)(((u64)dirty_ratelimit * pos_ratio) >> RATELIMIT_CALC_SHIFT);
		u64 max_pause = wb_max_pause(wb->bw.avg_write_bandwidth, wb_dirty);
		unsigned long nr_dirtied_pause;
		u64 min_pause = wb_min_pause(wb->bw.avg_write_bandwidth, max_pause, task_ratelimit, dirty_ratelimit,
					     &nr_dirtied_pause);
		s64 period, pause;

		if (task_ratelimit == 0) {
			period = pause = (s64)max_pause;
		} else {
			period = (s64)(NSEC_PER_SEC * (u64)pages_dirtied / task_ratelimit);
			pause = period;
			if (t->dirty_paused_when)
				pause -= (s64)(now - t->dirty_paused_when);
			/*
			 * Think time made up for the pause: for under 1 s of it, carry it into the
			 * next period (the writer was blocked elsewhere); beyond, start afresh.
			 */
			if (pause < (s64)min_pause) { /* no sleep: not a pause for the writer's histogram */
				if (pause < -(s64)NSEC_PER_SEC) {
					t->dirty_paused_when = now;
					t->nr_dirtied = 0;
				} else if (period) {
					t->dirty_paused_when += (u64)period;
					t->nr_dirtied = 0;
				} else if (t->nr_dirtied_pause <= pages_dirtied) {
					t->nr_dirtied_pause += pages_dirtied;
				}
				break;
			}
			if (pause > (s64)max_pause) { /* an occasional drop of task_ratelimit */
				now += min((u64)(pause - (s64)max_pause), max_pause);
				pause = (s64)max_pause;
			}
		}
		trace_balance_dirty_pages((u64)pause, (u64)period,
					  t->dirty_paused_when ? (s64)(now - t->dirty_paused_when) : 0);
		WRITE_ONCE(wb->dirty_sleep_ns, now);
		io_schedule_timeout((u64)pause);
		t->dirty_paused_when = now + (u64)pause;
		t->nr_dirtied = 0;
		t->nr_dirtied_pause = nr_dirtied_pause;
		if (task_ratelimit) /* normally nr_dirty < thresh now */
			break;
		if (wb_dirty <= 8) /* a pipe for the stalled case: one page is enough, with slack */
			break;
	}
	if (!dirty_exceeded && wb->dirty_exceeded)
		WRITE_ONCE(wb->dirty_exceeded, false);
	if (writeback_in_progress(wb) || knob(laptop_mode))
		return; /* laptop mode: not at the background threshold; the limit starts it */
	struct dirty_limits dl;
	global_dirty_limits(&dl);
	if (global_nr_dirty() > dl.bg_thresh)
		wb_start_background_writeback(wb);
}

/*
 * The pre-3.2 balance_dirty_pages (2.6.9 for pdflush: global limits; 2.6.24-2.6.32
 * for bdi: the disk's share too). The dirtier writes its own disk's pages.
 */
void balance_dirty_pages_writing(struct address_space *m, struct bdi_writeback *wb, unsigned long pages_dirtied)
{
	unsigned long write_chunk = ratelimit_pages + ratelimit_pages / 2; /* sync_writeback_pages */
	unsigned long pages_written = 0;
	bool per_bdi = writeback_ops->per_bdi_thresh, throttled = false;
	u64 start = ktime_get_ns();
	struct dirty_limits dl;

	(void)m;
	(void)pages_dirtied;
	for (;;) {
		global_dirty_limits(&dl);
		unsigned long nr_reclaimable = global_nr_dirty(), nr_writeback = global_nr_writeback();
		unsigned long wb_thresh = wb_calc_thresh(wb, dl.thresh);
		unsigned long wb_reclaimable = (unsigned long)wb_stat(wb, WB_RECLAIMABLE);
		unsigned long wb_writeback = (unsigned long)wb_stat(wb, WB_WRITEBACK);

		if (per_bdi ? wb_reclaimable + wb_writeback <= wb_thresh : nr_reclaimable + nr_writeback <= dl.thresh)
			break;
		/* throttle only when background writeback cannot catch up (2.6.24 on) */
		if (per_bdi && nr_reclaimable + nr_writeback < dl.freerun)
			break;
		throttled = true;
		if (!wb->dirty_exceeded)
			WRITE_ONCE(wb->dirty_exceeded, true);
		/*
		 * 2.6.9 writes whenever anything is dirty; the per-bdi era only when the disk's
		 * dirty pages not yet under writeback are over its share, else it waits for
		 * the disk to catch up: a lone dd then sleeps in congestion_wait until its
		 * pages under writeback complete, for hundreds of ms on a slow disk.
		 */
		if (per_bdi ? wb_reclaimable > wb_thresh : nr_reclaimable != 0) {
			struct writeback_control wbc = {
				.nr_to_write = (long)write_chunk,
				.sync_mode = WB_SYNC_NONE,
				.by = VMS_WB_BY_DIRTIER,
			};
			__writeback_inodes_wb(wb, &wbc);
			pages_written += write_chunk - (unsigned long)max(wbc.nr_to_write, 0l);
			global_dirty_limits(&dl);
			wb_thresh = wb_calc_thresh(wb, dl.thresh);
		}
		wb_reclaimable = (unsigned long)wb_stat(wb, WB_RECLAIMABLE);
		wb_writeback = (unsigned long)wb_stat(wb, WB_WRITEBACK);
		nr_reclaimable = global_nr_dirty();
		nr_writeback = global_nr_writeback();
		if (per_bdi ? wb_reclaimable + wb_writeback <= wb_thresh : nr_reclaimable + nr_writeback <= dl.thresh)
			break;
		if (pages_written >= write_chunk)
			break; /* we've done our duty */
		congestion_wait(100 * NSEC_PER_MSEC); /* HZ/10 */
	}
	if (throttled) /* the dirtier was held: writing and waiting are its pause */
		trace_balance_dirty_pages(ktime_get_ns() - start, 0, 0);
	wb_update_bandwidth(wb, &dl, start); /* for the report: these eras do not use it */
	global_dirty_limits(&dl);
	if (wb->dirty_exceeded && (unsigned long)(wb_stat(wb, WB_RECLAIMABLE) + wb_stat(wb, WB_WRITEBACK)) <
					  wb_calc_thresh(wb, dl.thresh))
		WRITE_ONCE(wb->dirty_exceeded, false);
	if (writeback_in_progress(wb))
		return; /* the flusher (pdflush) is already working this queue */
	/* laptop mode: only once the dirtier had to write (the limit), and then all of it */
	if ((knob(laptop_mode) && pages_written) || (!knob(laptop_mode) && global_nr_dirty() > dl.bg_thresh))
		writeback_ops->start_background(wb);
}
