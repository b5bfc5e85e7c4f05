/*
 * ext3's inodes in memory (fs/ext3/inode.c): ext3_iget reads an inode from its group's
 * table into the inode cache; ext3_get_block maps a file block through i_block[] and
 * the indirect blocks (the read side of ext3_get_blocks_handle), and is the file
 * mapping's bmap, so that the page cache reads and writes a file's pages at their
 * disk blocks.
 */
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <fs/ext3.h>

static long long ext3_bmap(struct address_space *m, unsigned long index)
{
	return ext3_get_block(m->private_data, index);
}

static u64 ext3_mapping_size(struct address_space *m)
{
	return READ_ONCE(((struct ext3_inode_info *)m->private_data)->size);
}

static const struct address_space_operations ext3_aops = {
	.bmap = ext3_bmap,
	.size = ext3_mapping_size,
};

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

static int ext3_read_inode(struct ext3_inode_info *ei)
{
	struct ext3_sb_info *sbi = ei->sbi;
	struct ext3_inode_loc loc;
	int err;

	if (!ext3_inode_locate(&sbi->l, ei->ino, &loc))
		return -EUCLEAN;
	struct page *page = ext3_bread(sbi, sbi->gdt[loc.group].bg_inode_table + loc.block_in_table, &err);
	if (!page)
		return err;
	const struct ext3_inode *raw = (const void *)((char *)page_address(page) + loc.offset);
	ei->mode = raw->i_mode;
	ei->links_count = raw->i_links_count;
	ei->flags = raw->i_flags;
	ei->size = raw->i_size;
	if ((ei->mode & S_IFMT) == S_IFREG)
		ei->size |= (u64)raw->i_size_high << 32; /* large_file */
	memcpy(ei->i_block, raw->i_block, sizeof(ei->i_block));
	put_page(page);
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
				spin_unlock_irqrestore(&sbi->inode_lock, flags);
				kfree(fresh);
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
		INIT_LIST_HEAD(&fresh->cache);
		if ((*err = ext3_read_inode(fresh)) ||
		    !address_space_init(&fresh->mapping, sbi->disk, &ext3_aops, fresh,
					(unsigned long)((fresh->size + PAGE_SIZE - 1) >> PAGE_SHIFT))) {
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
	ei->count--;
	spin_unlock_irqrestore(&ei->sbi->inode_lock, flags);
}
