/*
 * Reclaim's pure decisions (mm/vmscan.c, Linux 4.8 .. 5.8 with node LRUs):
 * how much of each LRU list to scan at a priority, and what to do with a page
 * that reached the tail of an inactive list. See mm/vmscan_policy.h.
 */
#include <stdbool.h>
#include <stdint.h>

/* Relative so that host unit tests can #include this file without -Iguest/include. */
#include "../include/mm/vmscan_policy.h"
#include "../include/mm/watermark.h"

enum { I_ANON, A_ANON, I_FILE, A_FILE };

enum scan_balance get_scan_count(const struct scan_control_in *in, unsigned long nr[4])
{
	enum scan_balance b;
	uint64_t fraction[2] = { 0, 0 }, denominator = 1;
	unsigned long file = in->lru[I_FILE] + in->lru[A_FILE];

	if (!in->may_swap || !in->swap_free) {
		b = SCAN_FILE; /* anonymous pages have nowhere to go */
	} else if (!in->priority && in->swappiness) {
		b = SCAN_EQUAL; /* out of options: everything by size */
	} else if (file + in->free_pages <= in->high_wmark_total && !inactive_is_low(in->lru[I_ANON], in->lru[A_ANON], 0) &&
		   (in->lru[I_ANON] >> in->priority)) {
		/* the file cache is nearly gone: reclaiming it would only thrash (4.12+: if
		 * the inactive anon list is big enough to take the pressure) */
		b = SCAN_ANON;
	} else if (!inactive_is_low(in->lru[I_FILE], in->lru[A_FILE], 0) && (in->lru[I_FILE] >> in->priority)) {
		b = SCAN_FILE; /* enough inactive file pages: prefer the cache to swapping */
	} else {
		/* swappiness weighs anon against file (200 - swappiness); a type whose
		 * scanned pages were mostly rotated back (in use) gets scanned less. */
		uint64_t anon_prio = in->swappiness, file_prio = 200 - in->swappiness;
		uint64_t ap = anon_prio * (in->recent_scanned[0] + 1) / (in->recent_rotated[0] + 1);
		uint64_t fp = file_prio * (in->recent_scanned[1] + 1) / (in->recent_rotated[1] + 1);
		b = SCAN_FRACT;
		fraction[0] = ap;
		fraction[1] = fp;
		denominator = ap + fp + 1;
	}

	for (int lru = 0; lru < 4; lru++) {
		bool is_file = lru >= I_FILE;
		uint64_t scan = in->lru[lru] >> in->priority;
		switch (b) {
		case SCAN_EQUAL:
			break;
		case SCAN_FRACT:
			scan = scan * fraction[is_file] / denominator;
			break;
		case SCAN_FILE:
		case SCAN_ANON:
			if ((b == SCAN_FILE) != is_file)
				scan = 0;
			break;
		}
		nr[lru] = (unsigned long)scan;
	}
	return b;
}

enum page_references page_check_references(int referenced_ptes, bool referenced_page, bool swapbacked,
					   bool *set_referenced)
{
	*set_referenced = false;
	if (referenced_ptes) {
		if (swapbacked)
			return PAGEREF_ACTIVATE;
		/* A file page used once is kept for a second look; used again, it is activated. */
		*set_referenced = true;
		if (referenced_page || referenced_ptes > 1)
			return PAGEREF_ACTIVATE;
		return PAGEREF_KEEP;
	}
	/* Used through read()/write() only: reclaim it if clean, let writeback take it if dirty. */
	if (referenced_page && !swapbacked)
		return PAGEREF_RECLAIM_CLEAN;
	return PAGEREF_RECLAIM;
}
