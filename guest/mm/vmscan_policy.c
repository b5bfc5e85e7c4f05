/*
 * Reclaim's pure decisions (mm/vmscan.c with node LRUs: Linux 4.8 .. 5.8, and
 * 5.9 .. 6.1's cost model): how much of each LRU list to scan at a priority, and
 * what to do with a page that reached the tail of an inactive list. See
 * mm/vmscan_policy.h.
 */
#include <stdbool.h>
#include <stdint.h>

/* Relative so that host unit tests can #include this file without -Iguest/include. */
#include "../include/mm/vmscan_policy.h"
#include "../include/mm/watermark.h"

enum { I_ANON, A_ANON, I_FILE, A_FILE };

/* 4.8 .. 5.8 (4.12+'s inactive-anon condition on the file-is-tiny test). */
static enum scan_balance scan_balance_4_8(const struct scan_control_in *in, uint64_t fraction[2], uint64_t *denominator)
{
	unsigned long file = in->lru[I_FILE] + in->lru[A_FILE];

	if (!in->may_swap || !in->swap_free)
		return SCAN_FILE; /* anonymous pages have nowhere to go */
	if (!in->priority && in->swappiness)
		return SCAN_EQUAL; /* out of options: everything by size */
	/* the file cache is nearly gone: reclaiming it would only thrash (4.12+: if
	 * the inactive anon list is big enough to take the pressure) */
	if (file + in->free_pages <= in->high_wmark_total && !inactive_is_low(in->lru[I_ANON], in->lru[A_ANON], 0) &&
	    (in->lru[I_ANON] >> in->priority))
		return SCAN_ANON;
	if (!inactive_is_low(in->lru[I_FILE], in->lru[A_FILE], 0) && (in->lru[I_FILE] >> in->priority))
		return SCAN_FILE; /* enough inactive file pages: prefer the cache to swapping */
	/* swappiness weighs anon against file (200 - swappiness); a type whose
	 * scanned pages were mostly rotated back (in use) gets scanned less. */
	uint64_t anon_prio = in->swappiness, file_prio = 200 - in->swappiness;
	uint64_t ap = anon_prio * (in->recent_scanned[0] + 1) / (in->recent_rotated[0] + 1);
	uint64_t fp = file_prio * (in->recent_scanned[1] + 1) / (in->recent_rotated[1] + 1);
	fraction[0] = ap;
	fraction[1] = fp;
	*denominator = ap + fp + 1;
	return SCAN_FRACT;
}

/*
 * 5.9 .. 6.1: shrink_node's file_is_tiny and cache_trim_mode, then the cost model
 * ("mm: balance LRU lists based on relative thrashing", 5.9): each type's pressure
 * inversely proportional to its reclaim cost (refaults, pageout I/O, rotations),
 * swappiness its relative I/O price (100: equal; 200: anon free). Each type's cost
 * is counted once more on top of the total, so that no type gets less than a third
 * of the pressure before swappiness.
 */
static enum scan_balance scan_balance_5_9(const struct scan_control_in *in, uint64_t fraction[2], uint64_t *denominator)
{
	unsigned long file = in->lru[I_FILE] + in->lru[A_FILE];

	if (!in->may_swap || !in->swap_free)
		return SCAN_FILE;
	if (!in->priority && in->swappiness)
		return SCAN_EQUAL;
	/* file_is_tiny: unless the anon lists are low too (extreme pressure, not a cache trap) */
	if (file + in->free_pages <= in->high_wmark_total && !(in->may_deactivate & DEACTIVATE_ANON) &&
	    (in->lru[I_ANON] >> in->priority))
		return SCAN_ANON;
	/* cache_trim_mode: plenty of inactive cache that is not thrashing */
	if ((in->lru[I_FILE] >> in->priority) && !(in->may_deactivate & DEACTIVATE_FILE))
		return SCAN_FILE;
	uint64_t total_cost = (uint64_t)in->anon_cost + in->file_cost;
	uint64_t anon_cost = total_cost + in->anon_cost, file_cost = total_cost + in->file_cost;
	total_cost = anon_cost + file_cost;
	uint64_t ap = in->swappiness * (total_cost + 1) / (anon_cost + 1);
	uint64_t fp = (200 - in->swappiness) * (total_cost + 1) / (file_cost + 1);
	fraction[0] = ap;
	fraction[1] = fp;
	*denominator = ap + fp;
	return SCAN_FRACT;
}

enum scan_balance get_scan_count(const struct scan_control_in *in, unsigned long nr[4])
{
	uint64_t fraction[2] = { 0, 0 }, denominator = 1;
	enum scan_balance b = in->cost_model ? scan_balance_5_9(in, fraction, &denominator)
					     : scan_balance_4_8(in, fraction, &denominator);

	if (!denominator)
		denominator = 1; /* not reached: ap + fp > 0 for swappiness 0..200 */
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

bool scan_adjust_proportional(unsigned long nr[4], const unsigned long targets[4])
{
	unsigned long nr_file = nr[I_FILE] + nr[A_FILE], nr_anon = nr[I_ANON] + nr[A_ANON], percentage;
	int stop, other;

	if (!nr_file || !nr_anon)
		return false;
	if (nr_file > nr_anon) {
		stop = I_ANON;
		percentage = nr_anon * 100 / (targets[I_ANON] + targets[A_ANON] + 1);
	} else {
		stop = I_FILE;
		percentage = nr_file * 100 / (targets[I_FILE] + targets[A_FILE] + 1);
	}
	nr[stop] = nr[stop + 1] = 0;
	other = stop == I_FILE ? I_ANON : I_FILE;
	for (int lru = other; lru <= other + 1; lru++) {
		unsigned long scanned = targets[lru] - nr[lru];
		nr[lru] = targets[lru] * (100 - percentage) / 100;
		nr[lru] -= nr[lru] < scanned ? nr[lru] : scanned;
	}
	return true;
}

unsigned long workingset_size_for(const unsigned long lru[4], bool swap_available, bool cost_model)
{
	unsigned long size = lru[A_FILE];

	if (cost_model && swap_available)
		size += lru[A_ANON] + lru[I_ANON];
	return size;
}

void lru_cost_add(unsigned long *anon_cost, unsigned long *file_cost, bool file, unsigned long nr,
		  unsigned long lrusize)
{
	if (file)
		*file_cost += nr;
	else
		*anon_cost += nr;
	if (*file_cost + *anon_cost > lrusize / 4) {
		*file_cost /= 2;
		*anon_cost /= 2;
	}
}

static enum page_references check_references(int referenced_ptes, bool referenced_page, bool swapbacked,
					     bool anon_once_activates, bool *set_referenced)
{
	*set_referenced = false;
	if (referenced_ptes) {
		if (swapbacked && anon_once_activates)
			return PAGEREF_ACTIVATE;
		/* A page used once is kept for a second look; used again, it is activated. */
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

enum page_references page_check_references(int referenced_ptes, bool referenced_page, bool swapbacked,
					   bool *set_referenced)
{
	return check_references(referenced_ptes, referenced_page, swapbacked, true, set_referenced);
}

enum page_references page_check_references_5_9(int referenced_ptes, bool referenced_page, bool swapbacked,
					       bool *set_referenced)
{
	return check_references(referenced_ptes, referenced_page, swapbacked, false, set_referenced);
}
