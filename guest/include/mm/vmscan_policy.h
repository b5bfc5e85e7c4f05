/*
 * Reclaim's decisions as pure functions (mm/vmscan.c: get_scan_count,
 * page_check_references), so that host unit tests can check them. No kernel
 * dependencies; sizes in pages.
 */
#ifndef MM_VMSCAN_POLICY_H
#define MM_VMSCAN_POLICY_H
#include <stdbool.h>

enum scan_balance {
	SCAN_EQUAL, /* both types by size (kswapd at the last priority, or no history yet) */
	SCAN_FRACT, /* both types, weighted by swappiness and the recent rotation ratios */
	SCAN_ANON,  /* anonymous only: the file cache is nearly gone */
	SCAN_FILE,  /* file only: no swap, swappiness 0, or enough inactive file to reclaim */
};

struct scan_control_in {
	unsigned long lru[4]; /* LRU_INACTIVE_ANON, LRU_ACTIVE_ANON, LRU_INACTIVE_FILE, LRU_ACTIVE_FILE */
	unsigned long recent_scanned[2], recent_rotated[2]; /* [0] anon, [1] file */
	unsigned long free_pages, high_wmark_total; /* the node's free pages and the sum of the zones' high */
	unsigned long swap_free; /* free swap slots; 0 means anon cannot be reclaimed */
	unsigned swappiness; /* 0..100 (the knob allows no more: this formula is 4.x..5.7) */
	int priority; /* DEF_PRIORITY (12) .. 0 */
	bool may_swap;
};

/* Which lists to scan, and how many pages of each at this priority: nr[4] out. */
enum scan_balance get_scan_count(const struct scan_control_in *in, unsigned long nr[4]);

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
#endif
