/*
 * Readahead's window arithmetic (see mm/readahead_policy.h): pure functions, no
 * kernel state, so that host unit tests check them against worked numbers.
 */
#include <stdbool.h>
#include <stdint.h>

/* Relative so that host unit tests can #include this file without -Iguest/include. */
#include "../include/mm/readahead_policy.h"

#define PMD_PAGES 512ul /* pages under one page-table page (x86-64, 4 KiB pages) */

static unsigned long roundup_pow_of_two(unsigned long n)
{
	unsigned long p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

/* 6.1: x4 for a small read (<= max/32), x2 for a medium one (<= max/4), else max. */
unsigned long get_init_ra_size(unsigned long size, unsigned long max)
{
	unsigned long newsize = roundup_pow_of_two(size);

	if (newsize <= max / 32)
		newsize = newsize * 4;
	else if (newsize <= max / 4)
		newsize = newsize * 2;
	else
		newsize = max;
	return newsize;
}

/* 6.1: x4 below max/16, x2 up to max/2, then max. */
unsigned long get_next_ra_size(const struct file_ra_state *ra, unsigned long max)
{
	unsigned long cur = ra->size;

	if (cur < max / 16)
		return 4 * cur;
	if (cur <= max / 2)
		return 2 * cur;
	return max;
}

enum ra_action ondemand_readahead(struct file_ra_state *ra, unsigned long index, unsigned long req_size, bool marker,
				  unsigned long next_miss)
{
	unsigned long max = ra->ra_pages;

	if (!max)
		return RA_NONE;
	if (!req_size)
		req_size = 1;
	if (!index)
		goto initial; /* the start of the file: assume a sequential read follows */
	/* the expected index (the marker, or just past the window): push the window forward */
	if (index == ra->start + ra->size - ra->async_size || index == ra->start + ra->size) {
		ra->start += ra->size;
		ra->size = get_next_ra_size(ra, max);
		ra->async_size = ra->size;
		goto readit;
	}
	/* a marked page without matching state (interleaved readers): ramp from what is cached */
	if (marker) {
		if (!next_miss || next_miss - index > max)
			return RA_NONE;
		ra->start = next_miss;
		ra->size = next_miss - index; /* the old async_size */
		ra->size += req_size;
		ra->size = get_next_ra_size(ra, max);
		ra->async_size = ra->size;
		goto readit;
	}
	if (req_size > max)
		goto initial; /* an oversize read */
	/* a sequential miss: the next page, or the same one (unaligned reads) */
	if (ra->prev_pos != UINT64_MAX && index - (unsigned long)(ra->prev_pos >> 12) <= 1ul)
		goto initial;
	return RA_PLAIN; /* a standalone small read: as is, the state kept */
initial:
	ra->start = index;
	ra->size = get_init_ra_size(req_size, max);
	ra->async_size = ra->size > req_size ? ra->size - req_size : ra->size;
readit:
	/* a window whose marker this read would hit itself: take the next window now */
	if (index == ra->start && ra->size == ra->async_size) {
		unsigned long add = get_next_ra_size(ra, max);
		if (ra->size + add <= max) {
			ra->async_size = add;
			ra->size += add;
		} else {
			ra->size = max;
			ra->async_size = max >> 1;
		}
	}
	return RA_WINDOW;
}

unsigned int __swapin_nr_pages(unsigned long prev_offset, unsigned long offset, unsigned int hits,
			       unsigned int max_pages, unsigned int prev_win)
{
	unsigned int pages = hits + 2; /* "please don't ask what the + 2 means" (mm/swap_state.c) */

	if (pages == 2) {
		/* no hits to judge by: an adjacent fault still reads ahead, so it cannot stick at 1 */
		if (offset != prev_offset + 1 && offset != prev_offset - 1)
			pages = 1;
	} else {
		unsigned int roundup = 4;
		while (roundup < pages)
			roundup <<= 1;
		pages = roundup;
	}
	if (pages > max_pages)
		pages = max_pages;
	if (pages < prev_win / 2) /* do not shrink readahead too fast */
		pages = prev_win / 2;
	return pages;
}

void swap_cluster_window(unsigned long offset, unsigned long nr, unsigned long max, unsigned long *start,
			 unsigned long *end)
{
	unsigned long mask = nr - 1;

	*start = offset & ~mask;
	*end = offset | mask;
	if (!*start) /* slot 0 is the swap header */
		*start = 1;
	if (*end >= max)
		*end = max - 1;
}

static unsigned long max3ul(unsigned long a, unsigned long b, unsigned long c)
{
	unsigned long m = a > b ? a : b;
	return m > c ? m : c;
}

static unsigned long min3ul(unsigned long a, unsigned long b, unsigned long c)
{
	unsigned long m = a < b ? a : b;
	return m < c ? m : c;
}

void swap_vma_window(unsigned long pfn, unsigned long fpfn, unsigned int win, unsigned long nr_pages,
		     unsigned long *start, unsigned long *end)
{
	/* signed arithmetic for the left edge: fpfn - win + 1 may fall below the region */
	long lpfn, rpfn;
	unsigned long pmd = fpfn & ~(PMD_PAGES - 1);

	if (fpfn == pfn + 1) {
		lpfn = (long)fpfn;
		rpfn = (long)(fpfn + win);
	} else if (pfn == fpfn + 1) {
		lpfn = (long)fpfn - (long)win + 1;
		rpfn = (long)fpfn + 1;
	} else {
		long left = (long)(win - 1) / 2;
		lpfn = (long)fpfn - left;
		rpfn = (long)fpfn + (long)win - left;
	}
	*start = max3ul(lpfn < 0 ? 0 : (unsigned long)lpfn, 0, pmd);
	*end = min3ul((unsigned long)rpfn, nr_pages, pmd + PMD_PAGES);
}
