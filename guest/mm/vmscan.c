/*
 * Page reclaim (mm/vmscan.c): the node's active/inactive LRU lists (kept by
 * mm/swap.c) for anonymous and file pages, aged with referenced bits; shrink_node scans
 * them from the tail at a priority (size >> priority pages per pass, balanced by
 * get_scan_count and swappiness), unmaps anonymous pages to their swap slot,
 * writes dirty ones out and frees the clean ones. try_to_free_pages is direct
 * reclaim; kswapd (mm/kswapd.c) calls shrink_node for the background.
 */
#include <kernel/blkdev.h>
#include <kernel/kernel.h>
#include <kernel/sched.h>
#include <kernel/timer.h>
#include <kernel/wait.h>
#include <mm/gfp.h>
#include <mm/mm_types.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <mm/swap.h>
#include <mm/vmscan_policy.h>
#include <mm/vmstat.h>
#include <mm/workingset.h>
#include <mm/writeback.h>
#include <kernel/boot.h>
#include "internal.h"

/* 5.9+: lruvec->refaults[WORKINGSET_FILE], the refault activations seen when reclaim last finished */
static unsigned long refaults_file;

void snapshot_refaults(void)
{
	WRITE_ONCE(refaults_file, workingset_activations_file());
}

/* isolate_lru_pages: up to nr from the tail of lru, each with a reference taken. */
static unsigned long isolate_lru_pages(unsigned long nr, enum lru_list lru, struct list_head *dst)
{
	struct lruvec *lv = &contig_page_data.lruvec;
	struct list_head *src = &lv->lists[lru];
	unsigned long taken = 0, flags;

	spin_lock_irqsave(&lv->lru_lock, flags);
	while (taken < nr && !list_empty(src)) {
		struct page *page = list_last_entry(src, struct page, lru);
		list_move(&page->lru, dst);
		ClearPageLRU(page);
		__atomic_add_fetch(&page->_refcount, 1, __ATOMIC_RELAXED);
		taken++;
	}
	lv->nr_pages[lru] -= taken;
	spin_unlock_irqrestore(&lv->lru_lock, flags);
	return taken;
}

/*
 * putback_inactive_pages: back on their lists (active or inactive by PG_active),
 * dropping reclaim's reference; a page that only reclaim still holds (its owner
 * let go of it meanwhile) is freed instead. The owner drops its last reference
 * under lru_lock too (put_lru_page), so the count read here cannot fall to zero
 * before the page is back on its list: an owner letting go after this takes it
 * off the list again.
 */
static void putback_lru_pages(struct list_head *list)
{
	struct lruvec *lv = &contig_page_data.lruvec;
	unsigned long flags;

	while (!list_empty(list)) {
		struct page *page = list_first_entry(list, struct page, lru);
		list_del_init(&page->lru);
		spin_lock_irqsave(&lv->lru_lock, flags);
		if (page_count(page) > 1) {
			enum lru_list lru = page_lru(page);
			SetPageLRU(page);
			list_add(&page->lru, &lv->lists[lru]);
			lv->nr_pages[lru]++;
			__atomic_sub_fetch(&page->_refcount, 1, __ATOMIC_RELEASE);
			page = NULL;
		}
		spin_unlock_irqrestore(&lv->lru_lock, flags);
		if (page) {
			ClearPageActive(page);
			ClearPageSwapBacked(page);
			ClearPageReferenced(page);
			ClearPageDirty(page);
			__free_pages(page, 0);
		}
	}
}

/*
 * shrink_page_list: for each isolated inactive page, locked: keep it, activate it,
 * start its write-out, or free it. Returns the pages freed.
 */
static unsigned long shrink_page_list(struct list_head *list, struct scan_control *sc, struct list_head *ret)
{
	unsigned long nr_reclaimed = 0;

	while (!list_empty(list)) {
		struct page *page = list_first_entry(list, struct page, lru);
		list_move_tail(&page->lru, ret); /* unless freed below */
		if (!trylock_page(page))
			continue;
		if (PageWriteback(page)) {
			if (page_is_file_cache(page))
				sc->nr.dirty++; /* folio_check_dirty_writeback: dirty or under writeback */
			/* met again while still under writeback: reclaim outruns the disk (3.11's nr_immediate) */
			if (PageReclaim(page) && page_is_file_cache(page))
				sc->nr_immediate++;
			SetPageReclaim(page); /* its completion rotates it to the tail */
			goto keep_locked;
		}
		bool set_referenced;
		enum page_references ref = (cost_model() ? page_check_references_5_9 : page_check_references)(
			page_referenced(page), TestClearPageReferenced(page), PageSwapBacked(page), &set_referenced);
		if (set_referenced)
			SetPageReferenced(page);
		if (ref == PAGEREF_ACTIVATE)
			goto activate_locked;
		if (ref == PAGEREF_KEEP)
			goto keep_locked;

		if (PageSwapBacked(page) && !PageSwapCache(page)) {
			if (!sc->may_swap || !add_to_swap(page))
				goto activate_locked;
		}
		if (page_mapped(page) && !try_to_unmap(page))
			goto activate_locked;
		if (PageDirty(page)) {
			if (!PageSwapBacked(page)) {
				sc->nr_unqueued_dirty++; /* page_check_dirty_writeback: dirty, not queued */
				sc->nr.dirty++;
			}
			/* a dirty file page used since the last look stays; the rest is written out (pageout) */
			if (ref == PAGEREF_RECLAIM_CLEAN || !sc->may_writepage)
				goto keep_locked;
			/*
			 * Since 3.2 reclaim leaves file pages to the flushers (direct reclaim's
			 * stack and its scattered single-page writes): only kswapd writes, only a
			 * page it met before, and (3.11 on) only while the node is flagged dirty,
			 * its LRU tail all dirty pages nobody is writing. The others are marked to
			 * be freed as soon as their writeback ends.
			 */
			if (!PageSwapBacked(page) && !writeback_ops->reclaim_writes_file &&
			    (!current_is_kswapd() || !PageReclaim(page) ||
			     !test_bit(PGDAT_DIRTY, &contig_page_data.flags))) {
				count_vm_event(nr_vmscan_immediate_reclaim);
				SetPageReclaim(page);
				goto activate_locked;
			}
			SetPageReclaim(page);
			count_vm_event(nr_vmscan_write);
			sc->nr_pageout++;
			/* both unlock it; it stays isolated until put back */
			if (PageSwapBacked(page)) {
				swap_writepage(page);
			} else {
				bdi_count_written(((struct address_space *)page->mapping)->host->bdi, VMS_WB_BY_RECLAIM);
				blkdev_writepage(page, 0); /* pageout's WB_SYNC_NONE */
			}
			continue;
		}
		if ((PageSwapCache(page) && remove_swap_mapping(page)) ||
		    (page_is_file_cache(page) && remove_mapping(page))) {
			unlock_page(page);
			list_del_init(&page->lru);
			ClearPageActive(page);
			ClearPageSwapBacked(page);
			ClearPageReferenced(page);
			ClearPageReclaim(page);
			ClearPageWorkingset(page);
			ClearPageUptodate(page);
			__free_pages(page, 0); /* reclaim's reference, the last */
			nr_reclaimed++;
			continue;
		}
		goto keep_locked;
activate_locked:
		SetPageActive(page);
		count_vm_event(pgactivate);
		contig_page_data.lruvec.recent_rotated[!PageSwapBacked(page)]++;
keep_locked:
		unlock_page(page);
	}
	return nr_reclaimed;
}

static unsigned long shrink_inactive_list(unsigned long nr_to_scan, enum lru_list lru, struct scan_control *sc)
{
	LIST_HEAD(isolated);
	LIST_HEAD(ret);
	unsigned long taken = isolate_lru_pages(nr_to_scan, lru, &isolated);

	bool file = is_file_lru(lru);
	if (!taken)
		return 0;
	contig_page_data.lruvec.recent_scanned[file] += taken;
	sc->nr_scanned += taken;
	if (current_is_kswapd())
		count_vm_events(pgscan_kswapd, taken);
	else
		count_vm_events(pgscan_direct, taken);
	__count_vm_events(file ? VMS_VM_pgscan_file : VMS_VM_pgscan_anon, taken); /* 5.8+'s PGSCAN_ANON + file */
	struct blk_plug plug;
	blk_start_plug(&plug); /* the batch's swap-outs go to adjacent slots: let them merge */
	sc->nr_immediate = 0;
	sc->nr_unqueued_dirty = 0;
	sc->nr_pageout = 0;
	unsigned long reclaimed = shrink_page_list(&isolated, sc, &ret);
	blk_finish_plug(&plug);
	if (blk_any_polled_disk())
		blk_poll_disks(); /* a polled disk interrupts nobody: reap what earlier batches wrote */
	if (current_is_kswapd())
		count_vm_events(pgsteal_kswapd, reclaimed);
	else
		count_vm_events(pgsteal_direct, reclaimed);
	__count_vm_events(file ? VMS_VM_pgsteal_file : VMS_VM_pgsteal_anon, reclaimed);
	putback_lru_pages(&ret);
	lru_note_cost(file, sc->nr_pageout); /* 5.9+: writing pages out is reclaim's I/O cost */
	/*
	 * Since 3.11, reclaim that keeps meeting file pages still under writeback waits for
	 * the disk instead of scanning on to OOM; the older eras wrote the pages themselves
	 * and waited in the queue. reclaim_model 4.8: congestion_wait(BLK_RW_ASYNC, HZ/10),
	 * any reclaimer, every batch (3.11 .. 4.15). 5.9: shrink_node decides, as 6.1.
	 */
	sc->nr.immediate += sc->nr_immediate;
	sc->nr.congested += sc->nr_immediate; /* under writeback and marked for reclaim: cycling */
	if (sc->nr_immediate && !writeback_ops->reclaim_writes_file && sc->may_writepage && !cost_model())
		congestion_wait(100 * NSEC_PER_MSEC);
	/*
	 * A batch of nothing but dirty file pages nobody is writing: the flushers are behind
	 * (or asleep), so wake them for all of it; and let kswapd write such pages itself
	 * until the node is balanced again (3.11's ZONE_TAIL_LRU_DIRTY, 4.8's PGDAT_DIRTY).
	 */
	if (!writeback_ops->reclaim_writes_file && is_file_lru(lru) && sc->nr_unqueued_dirty == taken) {
		writeback_ops->start_all(WB_REASON_SYNC); /* wakeup_flusher_threads(WB_REASON_VMSCAN) */
		if (current_is_kswapd())
			set_bit(PGDAT_DIRTY, &contig_page_data.flags);
	}
	return reclaimed;
}

/*
 * shrink_active_list: move pages from the active tail to the inactive list,
 * clearing their young bits (a referenced anonymous page goes too, as since 2.6.28:
 * the inactive list gives it its second chance); referenced ones count as rotated
 * (4.8: recent_rotated; 5.9 .. 6.1: lru_note_cost of nr_rotated). Each is marked
 * PG_workingset (4.20+): evicted and read back soon, it is a restore.
 */
static void shrink_active_list(unsigned long nr_to_scan, enum lru_list lru)
{
	LIST_HEAD(isolated);
	unsigned long taken = isolate_lru_pages(nr_to_scan, lru, &isolated), rotated = 0;
	struct page *page;

	contig_page_data.lruvec.recent_scanned[is_file_lru(lru)] += taken;
	list_for_each_entry(page, &isolated, lru) {
		/* page_referenced needs the page locked (its mapping must not go away); busy counts as used. */
		if (!trylock_page(page)) {
			rotated++;
		} else {
			if (page_referenced(page))
				rotated++;
			unlock_page(page);
		}
		ClearPageActive(page);
		SetPageWorkingset(page);
	}
	contig_page_data.lruvec.recent_rotated[is_file_lru(lru)] += rotated;
	count_vm_events(pgrefill, taken);
	count_vm_events(pgdeactivate, taken);
	putback_lru_pages(&isolated);
	lru_note_cost(is_file_lru(lru), rotated);
}

static bool inactive_list_is_low(bool file)
{
	struct lruvec *lv = &contig_page_data.lruvec;
	enum lru_list in = file ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;
	return inactive_is_low(READ_ONCE(lv->nr_pages[in]), READ_ONCE(lv->nr_pages[in + 1]), 0);
}

/* 4.8: age an active list whose inactive one is low; 5.9+: whose may_deactivate bit shrink_node set. */
static unsigned long shrink_list(enum lru_list lru, unsigned long nr, struct scan_control *sc)
{
	if (is_active_lru(lru)) {
		bool file = is_file_lru(lru);
		if (!cost_model() ? inactive_list_is_low(file) : (sc->may_deactivate & (file ? DEACTIVATE_FILE : DEACTIVATE_ANON)))
			shrink_active_list(nr, lru);
		else if (cost_model())
			sc->skipped_deactivate = 1;
		return 0;
	}
	return shrink_inactive_list(nr, lru, sc);
}

/*
 * shrink_node (5.9 .. 6.1): which active lists this round may age. The file list
 * also when refaults were activated since the last reclaim: a new workingset is
 * being established, so stale active pages should go quickly. (Anonymous refaults
 * are not modelled: the anon list by its ratio alone.)
 */
static unsigned may_deactivate(const struct scan_control *sc)
{
	unsigned m = 0;

	if (sc->force_deactivate)
		return DEACTIVATE_ANON | DEACTIVATE_FILE;
	if (inactive_list_is_low(false))
		m |= DEACTIVATE_ANON;
	if (workingset_activations_file() != READ_ONCE(refaults_file) || inactive_list_is_low(true))
		m |= DEACTIVATE_FILE;
	return m;
}

/* The input of get_scan_count from the node's state; halves old history as Linux does. */
static void scan_input(struct scan_control *sc, struct scan_control_in *in)
{
	struct lruvec *lv = &contig_page_data.lruvec;
	struct zone *z;

	for (int i = 0; i < NR_LRU_LISTS; i++)
		in->lru[i] = READ_ONCE(lv->nr_pages[i]);
	for (int t = 0; t < 2; t++) {
		unsigned long size = in->lru[2 * t] + in->lru[2 * t + 1];
		if (lv->recent_scanned[t] > size / 4) {
			lv->recent_scanned[t] /= 2;
			lv->recent_rotated[t] /= 2;
		}
		in->recent_scanned[t] = lv->recent_scanned[t];
		in->recent_rotated[t] = lv->recent_rotated[t];
	}
	in->cost_model = cost_model();
	lru_cost_read(&in->anon_cost, &in->file_cost);
	in->may_deactivate = sc->may_deactivate;
	in->free_pages = node_free_pages();
	in->high_wmark_total = 0;
	for_each_populated_zone(z)
		in->high_wmark_total += high_wmark_pages_z(z);
	in->swap_free = get_nr_swap_pages();
	in->swappiness = (unsigned)knob(swappiness);
	/* 4.8 .. 5.7's sysctl took 0..100 only; past that the 4.8 formula has no meaning. */
	if (!in->cost_model && in->swappiness > 100)
		in->swappiness = 100;
	in->priority = sc->priority;
	in->may_swap = sc->may_swap;
}

/*
 * shrink_lruvec (3.11 .. 6.1): scan each list its get_scan_count share, batch by
 * batch. Once the target is reclaimed, stop the type with less left to scan and cut
 * the other one's remaining scan to the share of its target the first has left
 * (both end up scanned in proportion to what get_scan_count asked), then finish
 * that. Direct reclaim at DEF_PRIORITY does not stop early (proportional_reclaim):
 * reclaiming directly means kswapd is behind, so do a batch of work at once.
 */
static void shrink_lruvec(struct scan_control *sc, unsigned long nr[NR_LRU_LISTS])
{
	unsigned long targets[NR_LRU_LISTS], nr_reclaimed = 0;
	bool proportional_reclaim = !current_is_kswapd() && sc->priority == DEF_PRIORITY;

	for (int lru = 0; lru < NR_LRU_LISTS; lru++)
		targets[lru] = nr[lru];
	while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_FILE] || nr[LRU_INACTIVE_FILE]) {
		for (int lru = 0; lru < NR_LRU_LISTS; lru++) {
			if (!nr[lru])
				continue;
			unsigned long n = min(nr[lru], SWAP_CLUSTER_MAX);
			nr[lru] -= n;
			nr_reclaimed += shrink_list(lru, n, sc);
		}
		if (fatal_memory_victim())
			break;
		if (nr_reclaimed < sc->nr_to_reclaim || proportional_reclaim)
			continue;
		if (!scan_adjust_proportional(nr, targets))
			break; /* the smaller is done: one nudge towards proportionality, no more */
	}
	sc->nr_reclaimed += nr_reclaimed;
}

/* shrink_node: one pass at sc->priority. */
void shrink_node(struct scan_control *sc)
{
	struct scan_control_in in;
	unsigned long nr[NR_LRU_LISTS];

	if (cost_model())
		sc->may_deactivate = may_deactivate(sc);
	sc->nr.dirty = sc->nr.congested = sc->nr.immediate = 0;
	scan_input(sc, &in);
	get_scan_count(&in, nr);
	shrink_lruvec(sc, nr);
	/* Keep the anonymous active list aged, so the inactive one has candidates next time. */
	if (in.swap_free && inactive_list_is_low(false))
		shrink_active_list(SWAP_CLUSTER_MAX, LRU_ACTIVE_ANON);
	if (cost_model() && !writeback_ops->reclaim_writes_file && sc->may_writepage)
		shrink_node_throttle(sc);
}

/* do_try_to_free_pages: from DEF_PRIORITY down until SWAP_CLUSTER_MAX pages are freed. */
unsigned long try_to_free_pages(unsigned order, unsigned gfp_mask)
{
	struct scan_control sc = {
		.nr_to_reclaim = SWAP_CLUSTER_MAX,
		.gfp_mask = gfp_mask,
		.order = order,
		.may_writepage = (gfp_mask & __GFP_IO) != 0, /* GFP_NOIO callers are the I/O path */
		.may_swap = (gfp_mask & __GFP_IO) != 0,
	};
	unsigned long total_scanned = 0;
retry:
	for (sc.priority = DEF_PRIORITY; sc.priority >= 0; sc.priority--) {
		sc.nr_scanned = 0;
		shrink_node(&sc);
		total_scanned += sc.nr_scanned;
		if (cost_model())
			consider_reclaim_throttle(&sc);
		if (sc.nr_reclaimed >= sc.nr_to_reclaim || fatal_memory_victim())
			break;
		/*
		 * Before 3.2, where reclaim writes file pages itself: having scanned 1.5 times
		 * its target, wake the flushers (wakeup_bdflush / wakeup_flusher_threads; here
		 * for all the dirty pages, not total_scanned of them), and from DEF_PRIORITY - 2
		 * down take a nap for some writeback to complete, rather than scan on to OOM
		 * while the pages it wrote are still in flight.
		 */
		if (writeback_ops->reclaim_writes_file) {
			if (total_scanned > sc.nr_to_reclaim + sc.nr_to_reclaim / 2 && !knob(laptop_mode))
				writeback_ops->start_all(WB_REASON_SYNC);
			if (sc.nr_scanned && sc.priority < DEF_PRIORITY - 2)
				congestion_wait(100 * NSEC_PER_MSEC); /* HZ/10 */
		}
	}
	/*
	 * 5.9+: the inactive:active decisions skipped an active list that had to be aged
	 * for anything to be reclaimed: try again with both aged (force_deactivate).
	 */
	if (!sc.nr_reclaimed && sc.skipped_deactivate && !sc.force_deactivate && !fatal_memory_victim()) {
		sc.force_deactivate = 1;
		sc.skipped_deactivate = 0;
		goto retry;
	}
	if (cost_model())
		snapshot_refaults();
	if (sc.nr_reclaimed)
		WRITE_ONCE(contig_page_data.kswapd_failures, 0); /* reclaim works again: kswapd may retry */
	return sc.nr_reclaimed;
}
