/*
 * reclaim_throttle (mm/vmscan.c, 5.16 .. 6.1; reclaim_model 5.9): where reclaim waits
 * instead of scanning on to an OOM while the pages it needs are still being written.
 * It replaced congestion_wait and wait_iff_congested in reclaim (5.16,
 * "mm/vmscan: throttle reclaim until some writeback completes if congested"):
 *  - VMSCAN_THROTTLE_WRITEBACK: kswapd met pages under writeback that it had marked
 *    for immediate reclaim (sc->nr.immediate): wait at most HZ/10, woken early once
 *    SWAP_CLUSTER_MAX pages per waiter finished writeback (__acct_reclaim_writeback).
 *  - VMSCAN_THROTTLE_CONGESTED: kswapd found every dirty page of a pass already under
 *    writeback and marked (LRUVEC_CONGESTED); direct reclaimers then wait 1 jiffy.
 *  - VMSCAN_THROTTLE_NOPROGRESS: direct reclaim at priority 1 that reclaimed nothing
 *    waits 1 jiffy, woken when someone's reclaim is over 12 % efficient.
 * Neither of the 1-jiffy waits happens when kswapd gave up or when dirty and writeback
 * pages are at most half of what is reclaimable (skip_throttle_noprogress).
 */
#include <kernel/kernel.h>
#include <kernel/timer.h>
#include <kernel/wait.h>
#include <mm/mmzone.h>
#include <mm/swap.h>
#include <mm/vmstat.h>
#include "internal.h"

enum vmscan_throttle_state {
	VMSCAN_THROTTLE_WRITEBACK,
	VMSCAN_THROTTLE_ISOLATED, /* too_many_isolated: not modelled (no parallel isolation limit here) */
	VMSCAN_THROTTLE_NOPROGRESS,
	VMSCAN_THROTTLE_CONGESTED,
	NR_VMSCAN_THROTTLE,
};

#define RECLAIM_WAIT(r) [r] = __WAIT_QUEUE_HEAD_INITIALIZER(reclaim_wait[r])
static wait_queue_head_t reclaim_wait[NR_VMSCAN_THROTTLE] = {
	RECLAIM_WAIT(VMSCAN_THROTTLE_WRITEBACK),
	RECLAIM_WAIT(VMSCAN_THROTTLE_ISOLATED),
	RECLAIM_WAIT(VMSCAN_THROTTLE_NOPROGRESS),
	RECLAIM_WAIT(VMSCAN_THROTTLE_CONGESTED),
};
static int nr_writeback_throttled;
static unsigned long nr_throttled_written, nr_reclaim_start;
static int lruvec_congested; /* LRUVEC_CONGESTED */

static bool skip_throttle_noprogress(void)
{
	const struct lruvec *lv = &contig_page_data.lruvec;
	unsigned long reclaimable, write_pending;

	if (READ_ONCE(contig_page_data.kswapd_failures) >= 16) /* MAX_RECLAIM_RETRIES: near OOM */
		return true;
	reclaimable = READ_ONCE(lv->nr_pages[LRU_INACTIVE_FILE]) + READ_ONCE(lv->nr_pages[LRU_ACTIVE_FILE]);
	if (get_nr_swap_pages() > 0)
		reclaimable += READ_ONCE(lv->nr_pages[LRU_INACTIVE_ANON]) + READ_ONCE(lv->nr_pages[LRU_ACTIVE_ANON]);
	write_pending = (unsigned long)READ_ONCE(vm_node_stat[VMS_VM_nr_dirty]) +
			(unsigned long)READ_ONCE(vm_node_stat[VMS_VM_nr_writeback]);
	/* plenty of dirty pages: throttling happens when they reach the LRU tail under writeback */
	return 2 * write_pending <= reclaimable;
}

static void reclaim_throttle(enum vmscan_throttle_state reason)
{
	struct wait_queue_head *wqh = &reclaim_wait[reason];
	struct wait_queue_entry w = { 0 };
	u64 timeout;

	switch (reason) {
	case VMSCAN_THROTTLE_WRITEBACK:
		timeout = NSEC_PER_SEC / 10;
		if (__atomic_fetch_add(&nr_writeback_throttled, 1, __ATOMIC_RELAXED) == 0)
			WRITE_ONCE(nr_reclaim_start, READ_ONCE(nr_throttled_written));
		break;
	case VMSCAN_THROTTLE_CONGESTED:
	case VMSCAN_THROTTLE_NOPROGRESS:
		if (skip_throttle_noprogress())
			return;
		timeout = NSEC_PER_SEC / HZ;
		break;
	default:
		timeout = NSEC_PER_SEC / 50;
		break;
	}
	prepare_to_wait(wqh, &w, TASK_UNINTERRUPTIBLE);
	schedule_timeout(timeout);
	finish_wait(wqh, &w);
	if (reason == VMSCAN_THROTTLE_WRITEBACK)
		__atomic_sub_fetch(&nr_writeback_throttled, 1, __ATOMIC_RELAXED);
}

void acct_reclaim_writeback(void)
{
	int throttled = __atomic_load_n(&nr_writeback_throttled, __ATOMIC_RELAXED);

	if (!throttled)
		return;
	unsigned long written = __atomic_add_fetch(&nr_throttled_written, 1, __ATOMIC_RELAXED);
	if (written - READ_ONCE(nr_reclaim_start) > SWAP_CLUSTER_MAX * (unsigned long)throttled)
		wake_up(&reclaim_wait[VMSCAN_THROTTLE_WRITEBACK]);
}

void shrink_node_throttle(struct scan_control *sc)
{
	if (current_is_kswapd()) {
		if (sc->nr.dirty && sc->nr.dirty == sc->nr.congested)
			WRITE_ONCE(lruvec_congested, 1);
		if (sc->nr.immediate)
			reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK);
	} else if (READ_ONCE(lruvec_congested)) {
		reclaim_throttle(VMSCAN_THROTTLE_CONGESTED);
	}
}

void consider_reclaim_throttle(struct scan_control *sc)
{
	if (sc->nr_reclaimed > (sc->nr_scanned >> 3)) {
		if (waitqueue_active(&reclaim_wait[VMSCAN_THROTTLE_NOPROGRESS]))
			wake_up(&reclaim_wait[VMSCAN_THROTTLE_NOPROGRESS]);
		return;
	}
	if (!current_is_kswapd() && sc->priority == 1 && !sc->nr_reclaimed)
		reclaim_throttle(VMSCAN_THROTTLE_NOPROGRESS);
}

void clear_pgdat_congested(void)
{
	WRITE_ONCE(lruvec_congested, 0);
}
