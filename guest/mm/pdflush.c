/*
 * The pdflush pool of 2.6.9-2.6.31 (mm/pdflush.c) and the writeback it ran
 * (background_writeout, wb_kupdate, laptop_flush of mm/page-writeback.c).
 *
 * Between MIN_PDFLUSH_THREADS and MAX_PDFLUSH_THREADS threads wait on pdflush_list.
 * pdflush_operation hands a function to the first idle one, or fails when none is
 * idle (the caller tries again later). A thread that finishes its work starts
 * another when the pool has had no idle thread for over a second, and exits when
 * the longest-idle thread has slept for over a second (one per second at most).
 *
 * A pdflush thread writes a disk only if no other is writing it (writeback_acquire),
 * and background writeout is nonblocking: a disk whose queue is congested is
 * skipped for the others, and when every disk is congested it waits in
 * congestion_wait(WRITE, HZ/10). That is how one pool kept several disks busy.
 */
#include <asm/tsc.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/kthread.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include <mm/mmzone.h>
#include <mm/writeback.h>


struct pdflush_work {
	struct task_struct *who;
	void (*fn)(unsigned long);
	unsigned long arg0;
	struct list_head list; /* on pdflush_list while idle */
	u64 when_i_went_to_sleep;
};

static struct list_head pdflush_list;
static raw_spinlock_t pdflush_lock;
static unsigned nr_pdflush_threads, threads_max, threads_min = MIN_PDFLUSH_THREADS;
static u64 last_empty_ns; /* when the pool last had no idle thread */
static u64 created, exited, busy_refusals;
static u64 kupdate_next_ns; /* wb_timer; 0 while a wb_kupdate is dispatched */
static u64 laptop_flushes;

static void start_one_pdflush_thread(void);

/* The pool's extremes once it was started (the first threads count up from 0). */
static void pdflush_count_locked(void)
{
	threads_max = max(threads_max, nr_pdflush_threads);
	if (exited)
		threads_min = min(threads_min, nr_pdflush_threads);
}

static int pdflush(void *unused)
{
	struct pdflush_work my_work = { .who = current };
	unsigned long flags;

	(void)unused;
	INIT_LIST_HEAD(&my_work.list);
	spin_lock_irqsave(&pdflush_lock, flags);
	nr_pdflush_threads++;
	pdflush_count_locked();
	for (;;) {
		list_move(&my_work.list, &pdflush_list);
		my_work.when_i_went_to_sleep = ktime_get_ns();
		set_current_state(TASK_INTERRUPTIBLE);
		spin_unlock_irqrestore(&pdflush_lock, flags);
		schedule();
		spin_lock_irqsave(&pdflush_lock, flags);
		if (!list_empty(&my_work.list)) { /* woken without being handed work */
			my_work.fn = NULL;
			continue;
		}
		if (!my_work.fn)
			continue;
		spin_unlock_irqrestore(&pdflush_lock, flags);

		my_work.fn(my_work.arg0);

		/* Thread creation: for how long have there been zero idle threads? */
		if (pdflush_should_grow(ktime_get_ns(), READ_ONCE(last_empty_ns), list_empty(&pdflush_list),
					READ_ONCE(nr_pdflush_threads)))
			start_one_pdflush_thread();

		spin_lock_irqsave(&pdflush_lock, flags);
		my_work.fn = NULL;
		/* Thread destruction: for how long has the sleepiest thread slept? */
		if (list_empty(&pdflush_list))
			continue;
		struct pdflush_work *pdf = list_last_entry(&pdflush_list, struct pdflush_work, list);
		u64 now = ktime_get_ns();
		if (pdflush_should_exit(now, pdf->when_i_went_to_sleep, false, nr_pdflush_threads)) {
			pdf->when_i_went_to_sleep = now; /* limit the exit rate */
			break;
		}
	}
	nr_pdflush_threads--;
	exited++;
	pdflush_count_locked();
	spin_unlock_irqrestore(&pdflush_lock, flags);
	return 0;
}

static void start_one_pdflush_thread(void)
{
	struct task_struct *t = kthread_create(pdflush, NULL, "pdflush");
	if (t) {
		__atomic_add_fetch(&created, 1, __ATOMIC_RELAXED);
		wake_up_process(t);
	}
}

int pdflush_operation(void (*fn)(unsigned long), unsigned long arg0)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&pdflush_lock, flags);
	if (list_empty(&pdflush_list)) {
		ret = -1;
		busy_refusals++;
	} else {
		struct pdflush_work *pdf = list_first_entry(&pdflush_list, struct pdflush_work, list);
		list_del_init(&pdf->list);
		if (list_empty(&pdflush_list))
			last_empty_ns = ktime_get_ns();
		pdf->fn = fn;
		pdf->arg0 = arg0;
		wake_up_process(pdf->who);
	}
	spin_unlock_irqrestore(&pdflush_lock, flags);
	return ret;
}

unsigned pdflush_nr_threads(void)
{
	return READ_ONCE(nr_pdflush_threads);
}

/* ---- the work pdflush threads did ---- */

/*
 * background_writeout: at least min_pages, and on until the dirty pages are under the
 * background threshold, in MAX_WRITEBACK_PAGES passes over every disk; a pass that
 * wrote less than asked waits HZ/10 and goes on only if congestion was the reason.
 */
static void background_writeout(unsigned long min_pages_arg)
{
	long min_pages = (long)min_pages_arg;

	for (;;) {
		struct dirty_limits dl;
		global_dirty_limits(&dl);
		if (global_nr_dirty() < dl.bg_thresh && min_pages <= 0)
			break;
		struct writeback_control wbc = {
			.nr_to_write = MAX_WRITEBACK_PAGES,
			.sync_mode = WB_SYNC_NONE,
			.by = VMS_WB_BY_FLUSHER_BACKGROUND,
			.nonblocking = true,
			.for_background = true,
		};
		writeback_inodes(&wbc);
		min_pages -= MAX_WRITEBACK_PAGES - wbc.nr_to_write;
		if (wbc.nr_to_write > 0) { /* wrote less than expected */
			congestion_wait(100 * NSEC_PER_MSEC);
			if (!wbc.encountered_congestion)
				break;
		}
	}
}

/* wb_kupdate: every dirty_writeback_centisecs, the disks dirtied more than dirty_expire ago. */
static void wb_kupdate(unsigned long unused)
{
	u64 start = ktime_get_ns(), expire = (u64)knob(dirty_expire_centisecs) * 10 * NSEC_PER_MSEC;
	long nr_to_write = (long)(global_nr_dirty() + global_nr_writeback());

	(void)unused;
	while (nr_to_write > 0) {
		struct writeback_control wbc = {
			.nr_to_write = MAX_WRITEBACK_PAGES,
			.sync_mode = WB_SYNC_NONE,
			.by = VMS_WB_BY_FLUSHER_PERIODIC,
			.nonblocking = true,
			.for_kupdate = true,
			.older_than_this_ns = start > expire ? start - expire : 1,
		};
		writeback_inodes(&wbc);
		if (wbc.nr_to_write > 0) {
			if (wbc.encountered_congestion)
				congestion_wait(100 * NSEC_PER_MSEC);
			else
				break; /* all the old data is written */
		}
		nr_to_write -= MAX_WRITEBACK_PAGES - wbc.nr_to_write;
	}
	u64 next = start + (u64)knob(dirty_writeback_centisecs) * 10 * NSEC_PER_MSEC, now = ktime_get_ns();
	if (next < now + NSEC_PER_SEC)
		next = now + NSEC_PER_SEC; /* a pass longer than the interval: leave a one-second gap */
	WRITE_ONCE(kupdate_next_ns, knob(dirty_writeback_centisecs) ? next : 0);
}

/* laptop_flush: sys_sync's writeback, every disk, everything dirty. */
static void laptop_flush(unsigned long unused)
{
	(void)unused;
	laptop_flushes++;
	struct writeback_control wbc = {
		.nr_to_write = (long)(global_nr_dirty() + 1) * 2,
		.sync_mode = WB_SYNC_NONE,
		.by = VMS_WB_BY_FLUSHER_SYNC,
	};
	writeback_inodes(&wbc);
}

void pdflush_start_background(struct bdi_writeback *wb)
{
	(void)wb;
	pdflush_operation(background_writeout, 0);
}

void pdflush_start_all(enum wb_reason reason)
{
	(void)reason;
	pdflush_operation(laptop_flush, 0);
}

/* wb_timer_fn: dispatch wb_kupdate; with every thread busy, try again in a second. */
void pdflush_tick(u64 now)
{
	u64 due = READ_ONCE(kupdate_next_ns);
	if (!due || now < due)
		return;
	WRITE_ONCE(kupdate_next_ns, 0);
	if (pdflush_operation(wb_kupdate, 0) < 0)
		WRITE_ONCE(kupdate_next_ns, now + NSEC_PER_SEC);
}

u64 pdflush_next_event(void)
{
	u64 due = READ_ONCE(kupdate_next_ns);
	return due ? due : UINT64_MAX;
}

void pdflush_init(void)
{
	INIT_LIST_HEAD(&pdflush_list);
	spin_lock_init(&pdflush_lock);
	for (int i = 0; i < MIN_PDFLUSH_THREADS; i++)
		start_one_pdflush_thread();
	if (knob(dirty_writeback_centisecs))
		kupdate_next_ns = ktime_get_ns() + (u64)knob(dirty_writeback_centisecs) * 10 * NSEC_PER_MSEC;
}

void pdflush_report(struct vms_rec_wb *r)
{
	r->pdflush_threads_max = threads_max;
	r->pdflush_threads_min = threads_min;
	r->pdflush_created = created;
	r->pdflush_exited = exited;
	r->pdflush_busy_refusals = busy_refusals;
	r->laptop_flushes += laptop_flushes;
}
