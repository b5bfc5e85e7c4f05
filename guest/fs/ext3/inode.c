/*
 * ext3's inodes in memory (fs/ext3/inode.c): ext3_iget reads an inode from its group's
 * table into the inode cache; ext3_get_block maps a file block through i_block[] and
 * the indirect blocks (ext3_get_blocks_handle), and is the file mapping's bmap, so
 * that the page cache reads and writes a file's pages at their disk blocks;
 * ext3_get_block_create allocates what a write needs (the indirect blocks on the way
 * and the data block, near the file's last one); ext3_mark_inode_dirty writes the
 * inode back into its table block.
 */
#include <asm/tsc.h>
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <vmsweep/knobs.h>
#include <fs/ext3.h>

static long long ext3_bmap(struct address_space *m, unsigned long index)
{
	return ext3_get_block(m->private_data, index);
}

static u64 ext3_mapping_size(struct address_space *m)
{
	return READ_ONCE(((struct ext3_inode_info *)m->private_data)->size);
}

/*
 * ext3_write_begin: the page's block, allocated under a handle when it is a hole. The
 * handle stays open across the copy into the page (ext3_write_end closes it): the
 * commit that maps the new block waits for it, and so finds the page dirty and, in
 * data=ordered, writes it before the commit block, never the block's old contents.
 */
static int ext3_write_begin(struct address_space *m, unsigned long index, bool *new, void **fsdata)
{
	struct ext3_inode_info *ei = m->private_data;
	int err;

	*new = false;
	*fsdata = NULL;
	long long block = ext3_get_block(ei, index);
	bool journal_data = ei->sbi->s_journal && ei->sbi->s_journal->j_data_mode == VMS_DATA_JOURNAL;
	if (block < 0 || (block && !journal_data))
		return block < 0 ? (int)block : 0;
	/* EXT3_DATA_TRANS_BLOCKS: the bitmaps, descriptor, superblock, indirect blocks, inode */
	handle_t *h = ext3_journal_start(ei->sbi, 8, &err);
	if (!h)
		return err;
	if (!block)
		block = ext3_get_block_create(h, ei, index, new);
	if (block <= 0) {
		ext3_journal_stop(h);
		return block < 0 ? (int)block : -EIO;
	}
	*fsdata = h;
	return 0;
}

/*
 * ext3_ordered_write_end, ext3_writeback_write_end, ext3_journalled_write_end: the
 * data filed in the transaction (ordered), or logged with it (journal); a write past
 * the end grows i_size.
 */
static int ext3_write_end(struct address_space *m, struct page *page, u64 end, void *fsdata)
{
	struct ext3_inode_info *ei = m->private_data;
	handle_t *h = fsdata;
	int err = 0;

	if (end > READ_ONCE(ei->size)) {
		mutex_lock(&ei->truncate_mutex);
		if (end > ei->size && (h || (h = ext3_journal_start(ei->sbi, 1, &err)))) {
			WRITE_ONCE(ei->size, end);
			err = ext3_mark_inode_dirty(h, ei);
		}
		mutex_unlock(&ei->truncate_mutex);
	}
	if (h) {
		/* data=ordered: the data this handle mapped or exposed goes home before its commit */
		if (end)
			ext3_journal_file_inode(h, ei);
		if (page && h->h_jbd && ei->sbi->s_journal->j_data_mode == VMS_DATA_JOURNAL) {
			long long home = ext3_get_block(ei, page->index);
			int e = home > 0 ? jbd2_journal_dirty_data_page(h->h_jbd, page, (u32)home) : -EIO;
			err = err ? err : e;
			/* data=journal: the data itself is in this transaction */
			u32 tid = h->h_jbd->h_transaction->t_tid;
			WRITE_ONCE(ei->i_sync_tid, tid);
			WRITE_ONCE(ei->i_datasync_tid, tid);
		}
		int e = ext3_journal_stop(h);
		err = err ? err : e;
	}
	return err;
}

/* ext3_journalled_write_begin's do_journal_get_write_access: data=journal only. */
static int ext3_write_prepare(struct address_space *m, struct page *page, void *fsdata)
{
	struct ext3_inode_info *ei = m->private_data;
	handle_t *h = fsdata;
	if (!h || !h->h_jbd || ei->sbi->s_journal->j_data_mode != VMS_DATA_JOURNAL)
		return 0;
	long long home = ext3_get_block(ei, page->index);
	return home > 0 ? jbd2_journal_get_data_write_access(h->h_jbd, page, (u32)home) : (int)home;
}

static const struct address_space_operations ext3_aops = {
	.bmap = ext3_bmap,
	.size = ext3_mapping_size,
	.write_begin = ext3_write_begin,
	.write_prepare = ext3_write_prepare,
	.write_end = ext3_write_end,
};

/* ext3_setattr's size change that only grows the file: a sparse extension (ftruncate up). */
int ext3_extend(struct ext3_inode_info *ei, u64 size)
{
	return ext3_write_end(&ei->mapping, NULL, size, NULL);
}

long long ext3_get_block(struct ext3_inode_info *ei, u64 lblock)
{
	struct ext3_sb_info *sbi = ei->sbi;
	u32 offsets[4];
	int depth = ext3_block_to_path(lblock, offsets), err;

	if (!depth)
		return -EFBIG;
	u32 block = ei->i_block[offsets[0]];
	for (int i = 1; i < depth && block; i++) {
		struct page *page = ext3_bread(sbi, block, &err);
		if (!page)
			return err;
		block = ((const u32 *)page_address(page))[offsets[i]];
		put_page(page);
	}
	if (block >= sbi->l.blocks_count) {
		printk("EXT3-fs error (%s): inode %u block %llu maps to %u, past the end\n", sbi->disk->disk_name, ei->ino,
		       (unsigned long long)lblock, block);
		return -EUCLEAN;
	}
	return block;
}

struct page *ext3_getblk_zero(struct ext3_sb_info *sbi, u32 block, int *err)
{
	if (block >= sbi->l.blocks_count) {
		*err = -EUCLEAN;
		return NULL;
	}
	return grab_cache_page_zeroed(sbi->bdev, block, err);
}

/* ext3_find_goal: after the file's last allocation, else at the start of its inode's group. */
static u32 ext3_find_goal(struct ext3_inode_info *ei)
{
	const struct ext3_layout *l = &ei->sbi->l;
	if (ei->last_alloc)
		return ei->last_alloc + 1;
	return l->first_data_block + (ei->ino - 1) / l->inodes_per_group * l->blocks_per_group;
}

/* A new block for the file (data or indirect): counted in i_blocks, the goal moved on. */
static u32 ext3_alloc_block(handle_t *h, struct ext3_inode_info *ei, int *err)
{
	u32 block = ext3_new_block(h, ei, ext3_find_goal(ei), err);
	if (block) {
		ei->last_alloc = block;
		ei->i_blocks += EXT3_BLOCK_SIZE >> 9;
	}
	return block;
}

long long ext3_get_block_create(handle_t *h, struct ext3_inode_info *ei, u64 lblock, bool *new)
{
	struct ext3_sb_info *sbi = ei->sbi;
	u32 offsets[4];
	int depth = ext3_block_to_path(lblock, offsets), err = 0;
	bool inode_dirty = false;

	*new = false;
	if (!depth)
		return -EFBIG;
	mutex_lock(&ei->truncate_mutex);
	/* the chain: i_block[] then each indirect block; a missing link is allocated zeroed */
	u32 *slot = &ei->i_block[offsets[0]];
	struct page *holder = NULL; /* the indirect block that holds *slot, NULL: the inode */
	u32 block = 0;
	for (int i = 0; i < depth; i++) {
		block = *slot;
		if (!block) {
			block = ext3_alloc_block(h, ei, &err);
			if (!block)
				break;
			if (i < depth - 1) { /* an indirect block: zeroed before it is linked */
				struct page *ind = ext3_getblk_zero(sbi, block, &err);
				if (!ind)
					break;
				ext3_journal_get_write_access(h, ind);
				ext3_journal_dirty_metadata(h, ind);
				put_page(ind);
			} else {
				*new = true;
			}
			if (holder)
				ext3_journal_get_write_access(h, holder);
			WRITE_ONCE(*slot, block);
			if (holder)
				ext3_journal_dirty_metadata(h, holder);
			inode_dirty = true; /* i_blocks at least */
		}
		if (holder)
			put_page(holder);
		holder = NULL;
		if (i == depth - 1)
			break;
		if (!(holder = ext3_bread(sbi, block, &err)))
			break;
		slot = (u32 *)page_address(holder) + offsets[i + 1];
	}
	if (holder)
		put_page(holder);
	if (inode_dirty) {
		int e = ext3_mark_inode_dirty(h, ei);
		err = err ? err : e;
	}
	mutex_unlock(&ei->truncate_mutex);
	return err ? (long long)err : (long long)block;
}

u32 ext3_now(struct ext3_sb_info *sbi)
{
	return sbi->time_base + (u32)(ktime_get_ns() / NSEC_PER_SEC);
}

struct ext3_inode *ext3_get_inode_loc(struct ext3_sb_info *sbi, u32 ino, struct page **page, int *err)
{
	struct ext3_inode_loc loc;

	if (!ext3_inode_locate(&sbi->l, ino, &loc)) {
		*err = -EUCLEAN;
		return NULL;
	}
	*page = ext3_bread(sbi, sbi->gdt[loc.group].bg_inode_table + loc.block_in_table, err);
	return *page ? (void *)((char *)page_address(*page) + loc.offset) : NULL;
}

int ext3_new_inode_init(handle_t *h, u32 ino, u16 mode, u16 links)
{
	struct ext3_sb_info *sbi = h->sbi;
	struct page *page;
	int err;
	struct ext3_inode *raw = ext3_get_inode_loc(sbi, ino, &page, &err);
	if (!raw)
		return err;
	ext3_journal_get_write_access(h, page);
	u32 generation = raw->i_generation + 1;
	memset(raw, 0, sbi->l.inode_size);
	raw->i_mode = mode;
	raw->i_links_count = links;
	raw->i_generation = generation;
	raw->i_atime = raw->i_ctime = raw->i_mtime = ext3_now(sbi);
	if (sbi->l.inode_size > EXT3_GOOD_OLD_INODE_SIZE)
		raw->i_extra_isize = 32; /* what mke2fs gives its inodes */
	ext3_journal_dirty_metadata(h, page);
	put_page(page);
	return 0;
}

int ext3_mark_inode_dirty(handle_t *h, struct ext3_inode_info *ei)
{
	if (h->h_jbd) { /* every change made here (size, blocks, links) is one fdatasync needs too */
		u32 tid = h->h_jbd->h_transaction->t_tid;
		WRITE_ONCE(ei->i_sync_tid, tid);
		WRITE_ONCE(ei->i_datasync_tid, tid);
	}
	struct ext3_sb_info *sbi = ei->sbi;
	struct page *page;
	int err;
	struct ext3_inode *raw = ext3_get_inode_loc(sbi, ei->ino, &page, &err);
	if (!raw)
		return err;
	ext3_journal_get_write_access(h, page);
	u32 now = ext3_now(sbi);
	raw->i_mode = ei->mode;
	raw->i_links_count = ei->links_count;
	raw->i_size = (u32)ei->size;
	if ((ei->mode & S_IFMT) == S_IFREG)
		raw->i_size_high = (u32)(ei->size >> 32);
	raw->i_blocks = ei->i_blocks;
	raw->i_flags = ei->flags;
	raw->i_dtime = ei->i_dtime;
	raw->i_generation = ei->i_generation;
	raw->i_mtime = raw->i_ctime = now;
	if (!raw->i_atime)
		raw->i_atime = now;
	memcpy(raw->i_block, ei->i_block, sizeof(raw->i_block));
	ext3_journal_dirty_metadata(h, page);
	put_page(page);
	return 0;
}

static int ext3_read_inode(struct ext3_inode_info *ei)
{
	struct page *page;
	int err;
	const struct ext3_inode *raw = ext3_get_inode_loc(ei->sbi, ei->ino, &page, &err);
	if (!raw)
		return err;
	ei->mode = raw->i_mode;
	ei->i_blocks = raw->i_blocks;
	ei->i_dtime = raw->i_dtime;
	ei->i_generation = raw->i_generation;
	ei->links_count = raw->i_links_count;
	ei->flags = raw->i_flags;
	ei->size = raw->i_size;
	if ((ei->mode & S_IFMT) == S_IFREG)
		ei->size |= (u64)raw->i_size_high << 32; /* large_file */
	memcpy(ei->i_block, raw->i_block, sizeof(ei->i_block));
	put_page(page);
	ext3_init_block_alloc_info(ei); /* a regular file allocates through a reservation window */
	if (!ei->links_count) /* a deleted inode: a stale directory entry points at it */
		return -ENOENT;
	return 0;
}

struct ext3_inode_info *ext3_iget(struct ext3_sb_info *sbi, u32 ino, int *err)
{
	struct ext3_inode_info *ei, *fresh = NULL;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&sbi->inode_lock, flags);
		list_for_each_entry(ei, &sbi->inodes, cache) {
			if (ei->ino == ino) {
				ei->count++;
				/* an unlinked inode stays cached (its pages point at its mapping); the
				 * number given to a new file is read afresh into it */
				bool dead = !ei->links_count;
				spin_unlock_irqrestore(&sbi->inode_lock, flags);
				kfree(fresh);
				if (dead) {
					ei->last_alloc = 0;
					if ((*err = ext3_read_inode(ei))) {
						ext3_iput(ei);
						return NULL;
					}
				}
				return ei;
			}
		}
		if (fresh) { /* read while unlocked; nobody cached it meanwhile */
			list_add(&fresh->cache, &sbi->inodes);
			spin_unlock_irqrestore(&sbi->inode_lock, flags);
			return fresh;
		}
		spin_unlock_irqrestore(&sbi->inode_lock, flags);
		fresh = kzalloc(sizeof(*fresh));
		if (!fresh) {
			*err = -ENOMEM;
			return NULL;
		}
		fresh->sbi = sbi;
		fresh->ino = ino;
		fresh->count = 1;
		mutex_init(&fresh->truncate_mutex);
		INIT_LIST_HEAD(&fresh->cache);
		if ((*err = ext3_read_inode(fresh)) ||
		    /* dirty tags for as many pages as the file system has blocks: a file may grow to that */
		    !address_space_init(&fresh->mapping, sbi->disk, &ext3_aops, fresh, sbi->l.blocks_count)) {
			*err = *err ? *err : -ENOMEM;
			kfree(fresh);
			return NULL;
		}
	}
}

/* The cache keeps inodes (and their pages) until unmount: a benchmark's files are few. */
void ext3_iput(struct ext3_inode_info *ei)
{
	unsigned long flags;
	spin_lock_irqsave(&ei->sbi->inode_lock, flags);
	bool last = --ei->count == 0;
	spin_unlock_irqrestore(&ei->sbi->inode_lock, flags);
	if (last) /* the last user closed it: its window goes (ext3_release_file) */
		ext3_discard_reservation(ei);
}
