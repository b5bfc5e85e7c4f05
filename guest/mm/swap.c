/*
 * The LRU lists' bookkeeping (mm/swap.c): pages joining them (lru_cache_add, with
 * the era's list for new anonymous pages), activation by use (mark_page_accessed),
 * the last reference let go, rotation after reclaim's writeback, and what
 * get_scan_count weighs: 4.8's recent scanned/rotated counts, 5.9's anon/file cost
 * (lru_note_cost). Reclaim itself is mm/vmscan.c.
 */
#include <kernel/kernel.h>
#include <mm/mm_types.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <mm/swap.h>
#include <mm/vmscan_policy.h>
#include <mm/vmstat.h>
#include <mm/workingset.h>
#include "internal.h"

/*
 * update_page_reclaim_stat (mm/swap.c): a page that joins an LRU list counts as
 * scanned, and as rotated when it joins, or moves to, an active list. get_scan_count
 * weighs anon against file by these ratios; without the pages that the page cache
 * activates (mark_page_accessed) a hot file cache looked use-once, all pressure went
 * to it, and swappiness changed nothing.
 */
static void update_page_reclaim_stat(struct lruvec *lv, bool file, bool rotated)
{
	lv->recent_scanned[file]++;
	if (rotated)
		lv->recent_rotated[file]++;
}

/* 5.9+'s lruvec->anon_cost, ->file_cost (one node: kept here, under lru_lock) */
static unsigned long anon_cost, file_cost;

void lru_cost_read(unsigned long *anon, unsigned long *file)
{
	*anon = READ_ONCE(anon_cost);
	*file = READ_ONCE(file_cost);
}

static unsigned long lru_pages(const struct lruvec *lv)
{
	return lv->nr_pages[0] + lv->nr_pages[1] + lv->nr_pages[2] + lv->nr_pages[3];
}

/*
 * lru_note_cost (mm/swap.c, 5.9 .. 6.1): reclaiming nr pages of a type cost I/O (they
 * were written out: shrink_inactive_list's nr_pageout), CPU (they rotated back:
 * shrink_active_list's nr_rotated) or a reload (a restore: lru_note_cost_refault).
 * get_scan_count puts pressure on the cheaper type.
 */
void lru_note_cost(bool file, unsigned long nr)
{
	struct lruvec *lv = &contig_page_data.lruvec;
	unsigned long flags;

	if (!nr || !cost_model())
		return;
	spin_lock_irqsave(&lv->lru_lock, flags);
	lru_cost_add(&anon_cost, &file_cost, file, nr, lru_pages(lv));
	spin_unlock_irqrestore(&lv->lru_lock, flags);
}

void lru_note_cost_refault(struct page *page)
{
	lru_note_cost(!PageSwapBacked(page), 1);
}

/*
 * lru_cache_add_inactive_or_unevictable (5.9+, b518154e59aa "mm/vmscan: protect the
 * workingset on anonymous LRU"): a new anonymous page starts on the inactive list,
 * where it must prove itself, as file pages do; before 5.9
 * (lru_cache_add_active_or_unevictable) it started active.
 */
void lru_cache_add_inactive_or_unevictable(struct page *page)
{
	lru_cache_add(page, cost_model() ? LRU_INACTIVE_ANON : LRU_ACTIVE_ANON);
}

void lru_cache_add(struct page *page, enum lru_list lru)
{
	struct lruvec *lv = &contig_page_data.lruvec;
	unsigned long flags;

	/*
	 * do_anonymous_page adds its new page with LRU_ACTIVE_ANON (4.8's choice): the era
	 * decides here, so that its caller need not know. A swap-in comes as INACTIVE.
	 */
	if (lru == LRU_ACTIVE_ANON && cost_model() && !PageSwapCache(page))
		lru = LRU_INACTIVE_ANON;
	/* A page workingset_refault activated joins the active list (folio_add_lru) */
	if (PageActive(page) && !is_active_lru(lru))
		lru = (enum lru_list)(lru + 1);
	if (is_active_lru(lru))
		SetPageActive(page);
	spin_lock_irqsave(&lv->lru_lock, flags);
	SetPageLRU(page);
	list_add(&page->lru, &lv->lists[lru]);
	lv->nr_pages[lru]++;
	update_page_reclaim_stat(lv, is_file_lru(lru), is_active_lru(lru));
	spin_unlock_irqrestore(&lv->lru_lock, flags);
}

/*
 * put_lru_page (__page_cache_release): drop a reference to a page that is on an LRU
 * list or isolated by reclaim. It comes off its list if it is on one, and is freed if
 * that was the last reference. The reference is dropped under lru_lock, where
 * putback_lru_pages decides whether reclaim's is the last one: so whichever of the two
 * lets go last frees the page, and a page is never freed while on a list (reclaim put
 * back between a check of PG_lru and the put would leave it on the list, freed).
 */
void put_lru_page(struct page *page)
{
	struct lruvec *lv = &contig_page_data.lruvec;
	unsigned long flags;

	spin_lock_irqsave(&lv->lru_lock, flags);
	if (PageLRU(page)) {
		list_del_init(&page->lru);
		lv->nr_pages[page_lru(page)]--;
		ClearPageLRU(page);
	}
	__free_pages(page, 0); /* under lru_lock: putback_lru_pages reads the count under it */
	spin_unlock_irqrestore(&lv->lru_lock, flags);
}

bool activate_page(struct page *page)
{
	struct lruvec *lv = &contig_page_data.lruvec;
	unsigned long flags;
	bool moved = false;

	spin_lock_irqsave(&lv->lru_lock, flags);
	if (PageLRU(page) && !PageActive(page)) {
		moved = true;
		enum lru_list from = page_lru(page);
		list_del(&page->lru);
		lv->nr_pages[from]--;
		SetPageActive(page);
		list_add(&page->lru, &lv->lists[from + 1]);
		lv->nr_pages[from + 1]++;
		count_vm_event(pgactivate);
		update_page_reclaim_stat(lv, is_file_lru(from), true);
	}
	spin_unlock_irqrestore(&lv->lru_lock, flags);
	if (moved)
		workingset_activation(page); /* folio_mark_accessed: the inactive list's clock ticks */
	return moved;
}

/* rotate_reclaimable_page: written back for reclaim, so next in line at the inactive tail. */
void end_page_writeback(struct page *page)
{
	struct lruvec *lv = &contig_page_data.lruvec;
	unsigned long flags;

	if (TestClearPageReclaim(page)) {
		spin_lock_irqsave(&lv->lru_lock, flags);
		if (PageLRU(page) && !PageActive(page)) {
			list_move_tail(&page->lru, &lv->lists[page_lru(page)]);
			count_vm_event(pgrotated);
		}
		spin_unlock_irqrestore(&lv->lru_lock, flags);
	}
	ClearPageWriteback(page);
	dec_node_state(nr_writeback);
	wake_up_page(page);
	acct_reclaim_writeback(); /* reclaim_throttle's waiters count it (5.16+) */
}
