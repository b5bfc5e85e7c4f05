/*
 * What the files of guest/mm share among themselves and nobody else uses, as
 * Linux's mm/internal.h: reclaim's scan_control (vmscan.c, kswapd.c), kswapd's eras
 * and the swap cache's side of reclaim.
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H
#include <kernel/task.h>
#include <mm/mm_types.h>
#include <mm/mmzone.h>
#include <mm/swap.h> /* current_is_kswapd */

struct page;

/* What reclaim passes around (mm/vmscan.c's struct scan_control). */
struct scan_control {
	unsigned long nr_to_reclaim, nr_reclaimed;
	unsigned gfp_mask;
	unsigned order;
	int priority; /* scan size >> priority pages of each list per pass */
	unsigned may_writepage : 1;
	unsigned may_swap : 1;
	unsigned long nr_immediate; /* this batch: pages under writeback met a second time */
	unsigned long nr_unqueued_dirty; /* this batch: dirty file pages not under writeback */
	unsigned long nr_scanned; /* inactive pages taken, this pass */
	unsigned long nr_pageout; /* this batch: pages shrink_page_list started writing (5.9's I/O cost) */
	struct {
		unsigned long dirty;	 /* file pages met dirty or under writeback */
		unsigned long congested; /* of those, under writeback and met before (nr_immediate) */
		unsigned long immediate; /* the same: 6.1 counts one as the other here */
	} nr; /* this shrink_node call (6.1's sc->nr) */
	unsigned may_deactivate; /* 5.9: DEACTIVATE_ANON | DEACTIVATE_FILE, set by shrink_node */
	unsigned skipped_deactivate : 1; /* 5.9: an active list needed aging that may_deactivate forbade */
	unsigned force_deactivate : 1;   /* 5.9: retry with both active lists aged */
};

void shrink_node(struct scan_control *sc);

/* The LRU list a page on an LRU belongs to, by PG_swapbacked and PG_active. */
static inline enum lru_list page_lru(const struct page *page)
{
	enum lru_list base = PageSwapBacked(page) ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE;
	return PageActive(page) ? (enum lru_list)(base + 1) : base;
}

/* reclaim_model 5.9: lru_note_cost's model of reclaim cost (mm/swap.c), not 4.8's rotation ratios */
static inline bool cost_model(void)
{
	return contig_page_data.reclaim_model == VMS_RECLAIM_5_9;
}

/* mm/swap.c: reclaiming nr pages of a type cost I/O or rotations (5.9+; nothing under 4.8) */
void lru_note_cost(bool file, unsigned long nr);
void lru_cost_read(unsigned long *anon_cost, unsigned long *file_cost);

/* vmscan_throttle.c (5.16 .. 6.1's reclaim_throttle): a page's writeback ended */
void acct_reclaim_writeback(void);
/* after a shrink_node pass (reclaim_model 5.9): kswapd waits for writeback, direct reclaim on congestion */
void shrink_node_throttle(struct scan_control *sc);
/* do_try_to_free_pages after each priority: wake or throttle on (no) progress */
void consider_reclaim_throttle(struct scan_control *sc);
/* kswapd found the node balanced: it is no longer congested (clear_pgdat_congested) */
void clear_pgdat_congested(void);

/* 5.9+: remember the refault activations reclaim has seen (snapshot_refaults), at the end of a reclaim. */
void snapshot_refaults(void);

/*
 * A new anonymous page onto the LRU as the reclaim era puts it: inactive from 5.9
 * (lru_cache_add_inactive_or_unevictable), active before. lru_cache_add(page,
 * LRU_ACTIVE_ANON) decides the same way, for callers written before the era knob.
 */
void lru_cache_add_inactive_or_unevictable(struct page *page);

/* 5.9+ (mm/swap.c): a refault of a page that was active is a cost of reclaiming its type. */
void lru_note_cost_refault(struct page *page);

/* The OOM killer chose the current task: stop reclaiming for it, it is about to exit. */
static inline bool fatal_memory_victim(void)
{
	return current->mm && current->mm->oom_victim;
}

/*
 * What sets kswapd's eras apart (mm/kswapd.c): kswapd_ops_for picks one for
 * kswapd_model at boot, so that adding an era is adding one of these.
 */
struct kswapd_ops {
	/* The node needs no reclaim for an allocation of order from zones up to highest. */
	bool (*pgdat_balanced)(pg_data_t *pgdat, unsigned order, int highest);
	/* wakeup_kswapd leaves a balanced node alone (2.6 on); 2.4 woke kswapd for any zone below low. */
	bool wakeup_checks_balance;
	/* 2.4: wakeup_kswapd marks the class zone need_balance; kswapd sleeps until one is marked. */
	bool zone_need_balance;
	/* Direct reclaimers wait for kswapd below half the min watermarks (allow_direct_reclaim, 3.8 on). */
	bool throttles_direct_reclaim;
	/* kswapd between runs: until woken, or the era's timeout. */
	void (*sleep)(pg_data_t *pgdat, unsigned order);
	/* One run of kswapd; returns the pages it reclaimed. */
	unsigned long (*balance)(pg_data_t *pgdat, unsigned order);
};

const struct kswapd_ops *kswapd_ops_for(enum vms_kswapd_model era);

/*
 * swap_state.c: __remove_mapping for a swap-cache page reclaim isolated and locked;
 * false if someone else still holds it.
 */
bool remove_swap_mapping(struct page *page);
#endif
