/*
 * Swap readahead (mm/swap_state.c, Linux 6.1): a fault on a swapped-out page reads
 * its neighbours too, into the swap cache, unlocked for nobody until their reads end;
 * a later fault that finds one (lookup_swap_cache) is a minor fault and counts
 * swap_ra_hit, and the hits grow the next window (__swapin_nr_pages, at most
 * 2^page_cluster pages; page_cluster 0: no readahead). Two ways to pick neighbours,
 * chosen as 6.1's swap_use_vma_readahead does:
 *   cluster (2.6 on): the aligned block of slots around the faulting slot, cheap on
 *     a disk that seeks; used whenever a rotational swap device is on, which a
 *     virtio disk always is to Linux (swapfile.c: swap_rotational);
 *   vma (4.14 on): the faulting page's neighbours by address, those whose entries are
 *     swapped out, wherever their slots are; used when no swap device turns.
 * The window arithmetic is readahead_policy.c's; the faulting page is read last, with
 * the others, in one plugged batch so that adjacent slots merge into one request.
 */
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <mm/gfp.h>
#include <mm/mm_types.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <mm/readahead_policy.h>
#include <mm/swap.h>
#include <mm/vmstat.h>

#define SWAP_RA_ORDER_CEILING 5 /* vma readahead's largest window, 2^5 pages (64-bit) */
#define SWAP_RA_HITS_MAX 63 /* what vma->swap_readahead_info keeps of the hits */

static bool enable_vma_readahead = true; /* /sys/kernel/mm/swap/vma_ra_enabled's default */
static unsigned swapin_readahead_hits; /* cluster readahead's hits since its last window */

static bool swap_use_vma_readahead(void)
{
	return enable_vma_readahead && !swap_rotational();
}

/* Drops the caller's reference to a swap-cache page (the cache keeps its own). */
static void put_swap_cache_page(struct page *page)
{
	__free_pages(page, 0);
}

struct page *lookup_swap_cache(swp_entry_t e, struct mm_struct *mm, unsigned long idx)
{
	struct page *page = find_get_swap_page(e);
	if (!page)
		return NULL;
	/* PG_readahead is PG_reclaim's bit: a page being written out carries the latter */
	bool readahead = !PageWriteback(page) && TestClearPageReadahead(page);
	bool vma_ra = swap_use_vma_readahead();
	if (mm && vma_ra) {
		mm->swap_ra_idx = idx;
		if (readahead && mm->swap_ra_hits < SWAP_RA_HITS_MAX)
			mm->swap_ra_hits++;
	}
	if (readahead) {
		count_vm_event(swap_ra_hit);
		if (!mm || !vma_ra)
			__atomic_add_fetch(&swapin_readahead_hits, 1, __ATOMIC_RELAXED);
	}
	return page;
}

/* swapin_nr_pages: cluster readahead's window for a fault at offset. */
static unsigned long swapin_nr_pages(unsigned long offset)
{
	static unsigned long prev_offset;
	static unsigned last_readahead_pages;
	unsigned max_pages = 1u << knob(page_cluster);

	if (max_pages <= 1)
		return 1;
	unsigned hits = __atomic_exchange_n(&swapin_readahead_hits, 0, __ATOMIC_RELAXED);
	unsigned pages = __swapin_nr_pages(READ_ONCE(prev_offset), offset, hits, max_pages,
					   __atomic_load_n(&last_readahead_pages, __ATOMIC_RELAXED));
	if (!hits)
		WRITE_ONCE(prev_offset, offset);
	__atomic_store_n(&last_readahead_pages, pages, __ATOMIC_RELAXED);
	return pages;
}

/* Reads slot e into the cache for readahead; ra: it is not the faulting one. */
static void swap_ra_read(swp_entry_t e, unsigned gfp, bool ra)
{
	bool allocated;
	struct page *page = __read_swap_cache_async(e, gfp, &allocated);

	if (!page)
		return;
	if (allocated) {
		if (ra) {
			SetPageReadahead(page); /* locked and just made: nobody looked at it yet */
			count_vm_event(swap_ra);
		}
		swap_readpage(page);
	}
	put_swap_cache_page(page);
}

static struct page *swap_cluster_readahead(swp_entry_t e, unsigned gfp)
{
	unsigned long mask = swapin_nr_pages(e.val) - 1;

	if (mask) {
		unsigned long start, end;
		struct blk_plug plug;
		swap_cluster_window(e.val, mask + 1, swap_max_slots(), &start, &end);
		blk_start_plug(&plug);
		for (unsigned long off = start; off <= end; off++)
			swap_ra_read((swp_entry_t){ off }, gfp, off != e.val); /* free slots are skipped */
		blk_finish_plug(&plug);
	}
	return read_swap_cache_async(e, gfp);
}

static struct page *swap_vma_readahead(swp_entry_t e, unsigned gfp, struct mm_struct *mm, unsigned long idx)
{
	unsigned max_win = 1u << min((unsigned)knob(page_cluster), (unsigned)SWAP_RA_ORDER_CEILING);
	unsigned long prev = mm->swap_ra_idx;
	unsigned win = 1;

	if (max_win > 1) {
		win = __swapin_nr_pages(prev, idx, mm->swap_ra_hits, max_win, mm->swap_ra_win);
		mm->swap_ra_idx = idx;
		mm->swap_ra_win = win;
		mm->swap_ra_hits = 0;
	}
	if (win > 1) {
		unsigned long start, end;
		struct blk_plug plug;
		swap_vma_window(prev, idx, win, mm->nr_pages, &start, &end);
		blk_start_plug(&plug);
		for (unsigned long i = start; i < end; i++) {
			/* a copy of the entry, as 6.1 copies the PTEs: the slot is checked when it is read */
			pte_t pte = READ_ONCE(mm->pgd[i]);
			if (!pte || (pte & PTE_PRESENT))
				continue;
			swap_ra_read((swp_entry_t){ pte >> PTE_SWP_SHIFT }, gfp, i != idx);
		}
		blk_finish_plug(&plug);
	}
	return read_swap_cache_async(e, gfp);
}

struct page *swapin_readahead(swp_entry_t e, unsigned gfp, struct mm_struct *mm, unsigned long idx)
{
	return swap_use_vma_readahead() ? swap_vma_readahead(e, gfp, mm, idx) : swap_cluster_readahead(e, gfp);
}
