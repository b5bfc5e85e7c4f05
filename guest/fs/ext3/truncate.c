/*
 * Shrinking a file (fs/ext3/inode.c's ext3_truncate, mm/truncate.c): the blocks past
 * the new end are freed, from the data blocks up through the indirect blocks that
 * become empty (ext3_free_branches), the pointers to them cleared; the page cache
 * past the end drops its pages' dirt (they will not be written into freed blocks) and
 * the last page's tail is zeroed, as block_truncate_page does. The blocks go in one
 * handle: a benchmark's files are small next to the journal's quarter. The page cache
 * part may wait for writeback of every page being dropped: callers do it first, outside
 * any handle (ext3_truncate_pagecache), as Linux's setattr and evict do, so that the
 * running transaction's commit never waits for a disk's worth of writeback.
 */
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <mm/swap.h>
#include <fs/ext3.h>

/* Blocks of file that one pointer covers at each depth: a data block, then 1024 of them, ... */
static u64 span_of(int level)
{
	u64 s = 1;
	while (level-- > 0)
		s *= EXT3_ADDR_PER_BLOCK;
	return s;
}

/*
 * Frees what of the subtree at block (level 0: a data block) maps file blocks from cut
 * on; base is the first file block it maps. True when the whole subtree went (the
 * caller clears its pointer).
 */
static bool free_branch(handle_t *h, struct ext3_inode_info *ei, u32 block, int level, u64 base, u64 cut, int *err)
{
	if (base + span_of(level) <= cut)
		return false; /* all of it before the new end */
	if (level == 0) {
		if ((*err = ext3_free_block(h, block, false)))
			return false;
		ei->i_blocks -= EXT3_BLOCK_SIZE >> 9;
		return true;
	}
	struct page *ind = ext3_bread(ei->sbi, block, err);
	if (!ind)
		return false;
	u32 *ptr = page_address(ind);
	u64 child = span_of(level - 1);
	for (u32 i = 0; i < EXT3_ADDR_PER_BLOCK && !*err; i++) {
		u32 b = ptr[i];
		if (b && free_branch(h, ei, b, level - 1, base + i * child, cut, err)) {
			ext3_journal_get_write_access(h, ind);
			ptr[i] = 0;
			ext3_journal_dirty_metadata(h, ind);
		}
	}
	put_page(ind);
	if (*err || base < cut)
		return false; /* the indirect block still maps blocks before the end */
	if ((*err = ext3_free_block(h, block, true)))
		return false;
	ei->i_blocks -= EXT3_BLOCK_SIZE >> 9;
	return true;
}

/* truncate_inode_pages from `from`, and the partial page's tail zeroed. */
static void truncate_pages(struct ext3_inode_info *ei, u64 size, u64 old_size)
{
	if (size >= old_size)
		return;
	unsigned long first = (unsigned long)((size + PAGE_SIZE - 1) / PAGE_SIZE);
	unsigned long end = (unsigned long)((old_size + PAGE_SIZE - 1) / PAGE_SIZE);
	int err;

	for (unsigned long i = first; i < end; i++) {
		struct page *page = find_cached_page(&ei->mapping, i);
		if (!page)
			continue;
		lock_page(page);
		wait_on_page_writeback(page);
		cancel_dirty_page(page);
		ClearPageUptodate(page); /* a later read sees the hole, not this */
		unlock_page(page);
		put_page(page);
	}
	if (size % PAGE_SIZE) {
		struct page *page = read_mapping_page(&ei->mapping, (unsigned long)(size / PAGE_SIZE), &err);
		if (page) {
			lock_page(page);
			memset((char *)page_address(page) + size % PAGE_SIZE, 0, PAGE_SIZE - size % PAGE_SIZE);
			unlock_page(page);
			set_page_dirty(page);
			put_page(page);
		}
	}
}

void ext3_truncate_pagecache(struct ext3_inode_info *ei, u64 size)
{
	mutex_lock(&ei->truncate_mutex);
	truncate_pages(ei, size, READ_ONCE(ei->size));
	mutex_unlock(&ei->truncate_mutex);
}

int ext3_truncate(handle_t *h, struct ext3_inode_info *ei, u64 size)
{
	int err = 0;

	mutex_lock(&ei->truncate_mutex);
	u64 old = ei->size;
	if (size >= old) {
		mutex_unlock(&ei->truncate_mutex);
		return 0;
	}
	u64 cut = (size + EXT3_BLOCK_SIZE - 1) / EXT3_BLOCK_SIZE;
	WRITE_ONCE(ei->size, size); /* no new block is mapped past it from here */
	ext3_discard_reservation(ei);
	truncate_pages(ei, size, old);
	static const u64 base[EXT3_N_BLOCKS - EXT3_NDIR_BLOCKS] = {
		EXT3_NDIR_BLOCKS, EXT3_NDIR_BLOCKS + EXT3_ADDR_PER_BLOCK,
		EXT3_NDIR_BLOCKS + EXT3_ADDR_PER_BLOCK + (u64)EXT3_ADDR_PER_BLOCK * EXT3_ADDR_PER_BLOCK
	};
	for (int i = 0; i < EXT3_N_BLOCKS && !err; i++) {
		u32 b = ei->i_block[i];
		int level = i < EXT3_NDIR_BLOCKS ? 0 : i - EXT3_NDIR_BLOCKS + 1;
		u64 first = i < EXT3_NDIR_BLOCKS ? (u64)i : base[i - EXT3_NDIR_BLOCKS];
		if (b && free_branch(h, ei, b, level, first, cut, &err))
			ei->i_block[i] = 0;
	}
	if (ei->last_alloc && cut == 0)
		ei->last_alloc = 0;
	int e = ext3_mark_inode_dirty(h, ei);
	mutex_unlock(&ei->truncate_mutex);
	return err ? err : e;
}
