/*
 * Reclaim's decisions as pure functions (mm/vmscan.c: get_scan_count,
 * page_check_references; mm/swap.c: lru_note_cost's decay), so that host unit
 * tests can check them. No kernel dependencies; sizes in pages.
 */
#ifndef MM_VMSCAN_POLICY_H
#define MM_VMSCAN_POLICY_H
#include <stdbool.h>

enum scan_balance {
	SCAN_EQUAL, /* both types by size (kswapd at the last priority, or no history yet) */
	SCAN_FRACT, /* both types, weighted by swappiness and the rotation ratios (4.8) or costs (5.9) */
	SCAN_ANON,  /* anonymous only: the file cache is nearly gone (file_is_tiny) */
	SCAN_FILE,  /* file only: no swap, or enough inactive file to reclaim (cache_trim_mode) */
};

/* sc->may_deactivate (5.9+): which active lists shrink_list may age this round. */
enum { DEACTIVATE_ANON = 1, DEACTIVATE_FILE = 2 };

struct scan_control_in {
	unsigned long lru[4]; /* LRU_INACTIVE_ANON, LRU_ACTIVE_ANON, LRU_INACTIVE_FILE, LRU_ACTIVE_FILE */
	unsigned long recent_scanned[2], recent_rotated[2]; /* 4.8: [0] anon, [1] file */
	unsigned long anon_cost, file_cost; /* 5.9: lruvec->anon_cost, ->file_cost (lru_note_cost) */
	unsigned long free_pages, high_wmark_total; /* the node's free pages and the sum of the zones' high */
	unsigned long swap_free; /* free swap slots; 0 means anon cannot be reclaimed */
	unsigned swappiness; /* 4.8: 0..100; 5.9: 0..200 */
	int priority; /* DEF_PRIORITY (12) .. 0 */
	bool may_swap;
	bool cost_model; /* reclaim_model 5.9 (5.9 .. 6.1's get_scan_count); false: 4.8 .. 5.8's */
	unsigned may_deactivate; /* 5.9: DEACTIVATE_ANON | DEACTIVATE_FILE, as shrink_node set them */
};

/* Which lists to scan, and how many pages of each at this priority: nr[4] out. */
enum scan_balance get_scan_count(const struct scan_control_in *in, unsigned long nr[4]);

/*
 * shrink_lruvec's proportional adjustment (3.11 .. 6.1), once the target is reclaimed:
 * the type with less left to scan stops, and the other's remaining scan is cut so that
 * it ends up scanned by the share of its target the first had scanned (targets:
 * get_scan_count's nr at the start; nr: what is left, updated). False when one type
 * is already done: then the scan stops ("one nudge towards proportionality").
 */
bool scan_adjust_proportional(unsigned long nr[4], const unsigned long targets[4]);

/*
 * workingset_refault's workingset for a refaulting file page: what it competes with
 * for memory. 3.15 .. 5.8: the active file list; 5.9 .. 6.1 ("mm: workingset: let
 * cache workingset challenge anon"): plus both anon lists while swap has room.
 */
unsigned long workingset_size_for(const unsigned long lru[4], bool swap_available, bool cost_model);

/*
 * lru_note_cost (mm/swap.c, 5.9 .. 6.1): nr pages of cost for one type, then both
 * halved once they exceed a quarter of the LRU pages (lrusize), a floating average
 * that weighs recent events more than old ones.
 */
void lru_cost_add(unsigned long *anon_cost, unsigned long *file_cost, bool file, unsigned long nr,
		  unsigned long lrusize);

enum page_references {
	PAGEREF_RECLAIM,	 /* evict it */
	PAGEREF_RECLAIM_CLEAN, /* evict it if clean, else keep it on the inactive list */
	PAGEREF_KEEP,		 /* keep it on the inactive list */
	PAGEREF_ACTIVATE,	 /* move it to the active list */
};

/*
 * page_check_references: referenced_ptes is how many mappings had the young bit
 * set (now cleared), referenced_page whether PG_referenced was set (now cleared),
 * swapbacked whether the page is anonymous.
 * Anonymous pages used since the last look are activated; a file page needs two
 * looks with use in between (the second chance), as Linux since 2.6.29.
 */
enum page_references page_check_references(int referenced_ptes, bool referenced_page, bool swapbacked,
					   bool *set_referenced);
/*
 * 5.9+ ("mm/vmscan: protect the workingset on anonymous LRU", b518154e59aa): new
 * anonymous pages start inactive and, like file pages, need two looks with use in
 * between to be activated; a page referenced once is kept, marked PG_referenced.
 */
enum page_references page_check_references_5_9(int referenced_ptes, bool referenced_page, bool swapbacked,
					       bool *set_referenced);
#endif
