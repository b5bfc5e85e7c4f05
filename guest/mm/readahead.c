/*
 * Page-cache readahead as Linux 6.1's mm/readahead.c does it: a miss calls
 * page_cache_sync_ra, reaching a page marked PG_readahead calls page_cache_async_ra;
 * both go through ondemand_readahead (the window arithmetic is in readahead_policy.c)
 * and read the window in one plugged batch, so that its pages merge into large
 * requests, marking the page at start + size - async_size. Readahead allocations do
 * not enter direct reclaim or warn: the page the reader asked for is read anyway.
 */
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <mm/pagemap.h>
#include <mm/mmzone.h>
#include <mm/swap.h>
#include "readahead.h"

#define RA_GFP ((GFP_KERNEL & ~__GFP_DIRECT_RECLAIM) | __GFP_NOWARN)

/* file_ra_state_init: the reader's window limit from read_ahead_kb, no previous read. */
static void file_ra_state_init(struct file_ra_state *ra)
{
	ra->ra_pages = (unsigned long)knob(read_ahead_kb) >> (PAGE_SHIFT - 10);
	ra->prev_pos = UINT64_MAX;
	ra->init = true;
}

/* Pages of the mapping: readahead stops at the end of the file (or disk). */
static unsigned long mapping_end(struct address_space *m)
{
	u64 bytes = m->a_ops ? m->a_ops->size(m) : m->host->capacity;
	return (unsigned long)((bytes + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

/*
 * page_cache_ra_unbounded / do_page_cache_ra: nr pages from index that are not cached
 * yet, the one at nr - lookahead marked PG_readahead; cached pages are skipped.
 */
static void do_page_cache_ra(struct address_space *m, unsigned long index, unsigned long nr, unsigned long lookahead)
{
	unsigned long end = mapping_end(m);
	struct blk_plug plug;

	if (index >= end)
		return;
	if (nr > end - index)
		nr = end - index;
	blk_start_plug(&plug);
	for (unsigned long i = 0; i < nr; i++) {
		bool mark = lookahead && i == nr - lookahead;
		if (page_cache_read_async(m, index + i, RA_GFP, mark) == -ENOMEM)
			break;
	}
	blk_finish_plug(&plug);
}

static void ra_submit(struct address_space *m, struct file_ra_state *ra, enum ra_action act, unsigned long index,
		      unsigned long req_size)
{
	if (act == RA_WINDOW)
		do_page_cache_ra(m, ra->start, ra->size, ra->async_size);
	else if (act == RA_PLAIN)
		do_page_cache_ra(m, index, req_size, 0);
}

/* page_cache_next_miss: the first index after index that is not cached, 0 if none within max. */
static unsigned long page_cache_next_miss(struct address_space *m, unsigned long index, unsigned long max)
{
	for (unsigned long i = index + 1; i <= index + max; i++) {
		struct page *page = find_cached_page(m, i);
		if (!page)
			return i;
		put_page(page);
	}
	return 0;
}

/* page_cache_sync_ra: a miss at index. Without a window (read_ahead_kb 0) the caller reads it alone. */
static void page_cache_sync_ra(struct address_space *m, struct file_ra_state *ra, unsigned long index,
			       unsigned long req_size)
{
	if (!ra->ra_pages)
		return;
	ra_submit(m, ra, ondemand_readahead(ra, index, req_size, false, 0), index, req_size);
}

/* page_cache_async_ra: the reader reached the marked page: start the next window now. */
static void page_cache_async_ra(struct address_space *m, struct file_ra_state *ra, struct page *page,
				unsigned long index, unsigned long req_size)
{
	if (!ra->ra_pages)
		return;
	if (PageWriteback(page)) /* the same bit is PG_reclaim: a page being written is no marker */
		return;
	ClearPageReadahead(page);
	unsigned long miss = page_cache_next_miss(m, index, ra->ra_pages);
	ra_submit(m, ra, ondemand_readahead(ra, index, req_size, true, miss), index, req_size);
}

void page_cache_ra(struct address_space *m, struct file_ra_state *ra, unsigned long index, unsigned long req_size)
{
	if (!ra->init)
		file_ra_state_init(ra);
	struct page *page = find_cached_page(m, index);
	if (!page) {
		page_cache_sync_ra(m, ra, index, req_size);
		return;
	}
	if (PageReadahead(page))
		page_cache_async_ra(m, ra, page, index, req_size);
	put_page(page);
}
