/*
 * Readahead's window arithmetic, pure functions (guest/mm/readahead_policy.c) that
 * host unit tests include: the page cache's on-demand readahead (mm/readahead.c,
 * Linux 6.1) and swap readahead's windows (mm/swap_state.c: cluster readahead
 * since 2.6, vma readahead since 4.14).
 */
#ifndef MM_READAHEAD_POLICY_H
#define MM_READAHEAD_POLICY_H
#include <stdbool.h>
#include <stdint.h>

/*
 * One reader's readahead state (struct file_ra_state): the last window read was
 * [start, start + size); its last async_size pages are "ahead", and the first of
 * them carries PG_readahead: reading that page starts the next window early.
 */
struct file_ra_state {
	unsigned long start;
	unsigned long size;
	unsigned long async_size;
	unsigned long ra_pages; /* the most a window holds: read_ahead_kb in pages */
	uint64_t prev_pos; /* one past the last byte the previous read returned; -1: none yet */
	bool init; /* file_ra_state_init ran (the state starts zeroed) */
};

/* get_init_ra_size: the first window for a read of size pages (max: ra_pages). */
unsigned long get_init_ra_size(unsigned long size, unsigned long max);
/* get_next_ra_size: the window after one of ra->size pages. */
unsigned long get_next_ra_size(const struct file_ra_state *ra, unsigned long max);

enum ra_action {
	RA_PLAIN, /* a standalone small read: read req_size pages at index, the state untouched */
	RA_WINDOW, /* read the window [ra->start, ra->start + ra->size), PG_readahead at start + size - async_size */
	RA_NONE, /* nothing to read ahead */
};

/*
 * ondemand_readahead's decision for a read of req_size pages at index: after a miss
 * (marker false) or on reaching a PG_readahead page (marker true; next_miss is then
 * the first index after index that is not cached, page_cache_next_miss, 0 if none
 * within ra_pages). Updates ra for RA_WINDOW. 6.1's try_context_readahead (a random
 * read that finds a sequential stream's pages behind it) is not modelled: such a
 * read is RA_PLAIN.
 */
enum ra_action ondemand_readahead(struct file_ra_state *ra, unsigned long index, unsigned long req_size, bool marker,
				  unsigned long next_miss);

/*
 * Swap readahead (mm/swap_state.c). __swapin_nr_pages: how many pages to read for a
 * fault at offset after one at prev_offset, given the readahead hits since and the
 * last window: hits + 2 rounded up to a power of two (at least 4), 1 for a
 * non-adjacent fault without hits, at most max_pages, and no less than half the
 * last window.
 */
unsigned int __swapin_nr_pages(unsigned long prev_offset, unsigned long offset, unsigned int hits,
			       unsigned int max_pages, unsigned int prev_win);
/*
 * swap_cluster_readahead's slots: the nr-aligned block (nr a power of two) around
 * offset, [*start, *end] inclusive, without the header slot 0, below max slots.
 */
void swap_cluster_window(unsigned long offset, unsigned long nr, unsigned long max, unsigned long *start,
			 unsigned long *end);
/*
 * swap_ra_info's pages: win pages around the faulting page fpfn, ahead of it when the
 * last fault was at fpfn - 1, behind it when at fpfn + 1, else centred; clamped to
 * the region [0, nr_pages) and to the faulting page's page-table page (PMD: 512
 * pages). [*start, *end).
 */
void swap_vma_window(unsigned long pfn, unsigned long fpfn, unsigned int win, unsigned long nr_pages,
		     unsigned long *start, unsigned long *end);
#endif
