/*
 * Block and inode allocation (fs/ext3/balloc.c, ialloc.c): a group's bitmap block has
 * a bit per block (inode) of the group. A new block is taken near its goal: from the
 * goal on in the goal's group, then in the following groups in turn; a regular file's
 * within its reservation window (balloc_rsv.c), and only when no group has room for
 * a window, anywhere free (ext3_new_blocks' second pass, without the reservation). A new inode goes to its directory's group when it has a free one,
 * else to the next group that has (find_group_other). Each change dirties the bitmap,
 * the group descriptor and the superblock's free count, through the journal calls.
 */
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <vmsweep/knobs.h>
#include <fs/ext3.h>

/* The first zero bit in [from, size) of the bitmap, or size. */
static u32 find_next_zero_bit(const u8 *map, u32 size, u32 from)
{
	for (u32 i = from; i < size; i++) {
		if ((i & 7) == 0 && map[i >> 3] == 0xff) {
			i += 7;
			continue;
		}
		if (!(map[i >> 3] & (1u << (i & 7))))
			return i;
	}
	return size;
}

int ext3_group_counts_update(handle_t *h, u32 group, int blocks, int inodes, int dirs)
{
	struct ext3_sb_info *sbi = h->sbi;
	int err;
	struct page *gdp = ext3_bread(sbi, 1 + group / (u32)EXT3_DESC_PER_BLOCK, &err);
	if (!gdp)
		return err;
	struct page *sbp = ext3_bread(sbi, 0, &err);
	if (!sbp) {
		put_page(gdp);
		return err;
	}
	ext3_journal_get_write_access(h, gdp);
	ext3_journal_get_write_access(h, sbp);
	unsigned long flags;
	spin_lock_irqsave(&sbi->alloc_lock, flags);
	struct ext3_group_desc *gd = &sbi->gdt[group];
	gd->bg_free_blocks_count = (u16)(gd->bg_free_blocks_count + blocks);
	gd->bg_free_inodes_count = (u16)(gd->bg_free_inodes_count + inodes);
	gd->bg_used_dirs_count = (u16)(gd->bg_used_dirs_count + dirs);
	memcpy((struct ext3_group_desc *)page_address(gdp) + group % EXT3_DESC_PER_BLOCK, gd, sizeof(*gd));
	struct ext3_super_block *es = (void *)((char *)page_address(sbp) + EXT3_SUPER_OFFSET);
	es->s_free_blocks_count = (u32)((s64)es->s_free_blocks_count + blocks);
	es->s_free_inodes_count = (u32)((s64)es->s_free_inodes_count + inodes);
	spin_unlock_irqrestore(&sbi->alloc_lock, flags);
	ext3_journal_dirty_metadata(h, gdp);
	ext3_journal_dirty_metadata(h, sbp);
	put_page(gdp);
	put_page(sbp);
	return 0;
}

/*
 * A free bit of a block bitmap whose block's freeing has not committed yet is not
 * free (ext3_test_allocatable's b_committed_data): if the freeing transaction never
 * commits, the block's old owner still has it.
 */
static u32 find_allocatable_bit(struct ext3_sb_info *sbi, const u8 *map, u32 size, u32 from, long long first_block)
{
	for (u32 bit = find_next_zero_bit(map, size, from); bit < size; bit = find_next_zero_bit(map, size, bit + 1))
		if (first_block < 0 || !sbi->s_journal || jbd2_block_reusable(sbi->s_journal, (u32)first_block + bit))
			return bit;
	return size;
}

/*
 * Takes the first free bit from `from` in group g's bitmap at block `bitmap` of `size`
 * bits (first_block: the group's first block for a block bitmap, -1 for an inode
 * bitmap), within rsv_ei's reservation window when given; returns it, or size when the
 * group has none (or no room for a window).
 */
static u32 bitmap_take(handle_t *h, u32 bitmap, u32 size, u32 from, long long first_block,
		       struct ext3_inode_info *rsv_ei, int *err)
{
	struct ext3_sb_info *sbi = h->sbi;
	struct page *bh = ext3_bread(sbi, bitmap, err);
	if (!bh)
		return size;
	ext3_journal_get_write_access(h, bh);
	u8 *map = page_address(bh);
	unsigned long flags;
	spin_lock_irqsave(&sbi->alloc_lock, flags);
	u32 bit;
	if (rsv_ei) {
		bit = ext3_rsv_find_bit(sbi, rsv_ei, map, size, from, (u32)first_block, find_allocatable_bit);
	} else {
		bit = find_allocatable_bit(sbi, map, size, from, first_block);
		if (bit == size && from)
			bit = find_allocatable_bit(sbi, map, from, 0, first_block);
	}
	if (bit < size)
		map[bit >> 3] |= (u8)(1u << (bit & 7));
	spin_unlock_irqrestore(&sbi->alloc_lock, flags);
	if (bit < size)
		ext3_journal_dirty_metadata(h, bh);
	put_page(bh);
	return bit;
}

static u32 group_blocks(const struct ext3_layout *l, u32 g)
{
	u32 first = l->first_data_block + g * l->blocks_per_group;
	return min(l->blocks_per_group, l->blocks_count - first);
}

u32 ext3_new_block(handle_t *h, struct ext3_inode_info *ei, u32 goal, int *err)
{
	struct ext3_sb_info *sbi = h->sbi;
	const struct ext3_layout *l = &sbi->l;

	*err = 0;
	if (goal < l->first_data_block || goal >= l->blocks_count)
		goal = l->first_data_block;
	u32 g0 = (goal - l->first_data_block) / l->blocks_per_group;
	/* with the file's reservation window first (if it has one), then without */
	bool rsv = ei && ei->i_rsv.goal_size;
	for (u32 n = 0; n < 2 * l->groups_count; n++) {
		u32 i = n % l->groups_count, g = (g0 + i) % l->groups_count;
		if (n == l->groups_count && !rsv)
			break;
		if (n == l->groups_count)
			ext3_discard_reservation(ei);
		if (!READ_ONCE(sbi->gdt[g].bg_free_blocks_count))
			continue;
		u32 size = group_blocks(l, g), from = i ? 0 : (goal - l->first_data_block) % l->blocks_per_group;
		u32 first = l->first_data_block + g * l->blocks_per_group;
		u32 bit = bitmap_take(h, sbi->gdt[g].bg_block_bitmap, size, from, first,
				      rsv && n < l->groups_count ? ei : NULL, err);
		if (*err)
			return 0;
		if (bit == size)
			continue; /* the count said free, the bitmap not: another task took the last one */
		if ((*err = ext3_group_counts_update(h, g, -1, 0, 0)))
			return 0;
		return l->first_data_block + g * l->blocks_per_group + bit;
	}
	*err = -ENOSPC;
	return 0;
}

u32 ext3_new_inode_number(handle_t *h, struct ext3_inode_info *dir, bool is_dir, int *err)
{
	struct ext3_sb_info *sbi = h->sbi;
	const struct ext3_layout *l = &sbi->l;
	u32 g0 = (dir->ino - 1) / l->inodes_per_group;

	*err = 0;
	for (u32 i = 0; i < l->groups_count; i++) {
		u32 g = (g0 + i) % l->groups_count;
		if (!READ_ONCE(sbi->gdt[g].bg_free_inodes_count))
			continue;
		/* the reserved inodes (1..first_ino-1) are marked in group 0's bitmap by mkfs */
		u32 bit = bitmap_take(h, sbi->gdt[g].bg_inode_bitmap, l->inodes_per_group, 0, -1, NULL, err);
		if (*err)
			return 0;
		if (bit == l->inodes_per_group)
			continue;
		if ((*err = ext3_group_counts_update(h, g, 0, -1, is_dir ? 1 : 0)))
			return 0;
		return g * l->inodes_per_group + bit + 1;
	}
	*err = -ENOSPC;
	return 0;
}

/*
 * Clears one bit of a bitmap block, under the handle: -EUCLEAN when it was clear
 * already (a block or inode freed twice: the file system is damaged).
 */
static int bitmap_clear(handle_t *h, u32 bitmap, u32 bit)
{
	struct ext3_sb_info *sbi = h->sbi;
	int err;
	struct page *bh = ext3_bread(sbi, bitmap, &err);
	if (!bh)
		return err;
	ext3_journal_get_write_access(h, bh);
	u8 *map = page_address(bh);
	unsigned long flags;
	spin_lock_irqsave(&sbi->alloc_lock, flags);
	bool was = map[bit >> 3] & (1u << (bit & 7));
	map[bit >> 3] &= (u8)~(1u << (bit & 7));
	spin_unlock_irqrestore(&sbi->alloc_lock, flags);
	if (was)
		ext3_journal_dirty_metadata(h, bh);
	put_page(bh);
	return was ? 0 : -EUCLEAN;
}

int ext3_free_block(handle_t *h, u32 block, bool metadata)
{
	struct ext3_sb_info *sbi = h->sbi;
	const struct ext3_layout *l = &sbi->l;
	if (block < l->first_data_block + 1 || block >= l->blocks_count)
		return -EUCLEAN;
	u32 g = (block - l->first_data_block) / l->blocks_per_group, bit = (block - l->first_data_block) % l->blocks_per_group;
	int err = bitmap_clear(h, sbi->gdt[g].bg_block_bitmap, bit);
	if (err) {
		printk("EXT3-fs error (%s): ext3_free_blocks: bit already cleared for block %u\n", sbi->disk->disk_name, block);
		return err;
	}
	if ((err = ext3_group_counts_update(h, g, 1, 0, 0)))
		return err;
	/* a logged block (metadata; any block with data=journal) gets a revoke record */
	bool logged = metadata || (sbi->s_journal && sbi->s_journal->j_data_mode == VMS_DATA_JOURNAL);
	return h->h_jbd ? jbd2_journal_forget_block(h->h_jbd, block, logged) : 0;
}

int ext3_free_inode_number(handle_t *h, u32 ino, bool is_dir)
{
	struct ext3_sb_info *sbi = h->sbi;
	if (ino < sbi->l.first_ino || ino > sbi->l.inodes_count)
		return -EUCLEAN;
	u32 g = (ino - 1) / sbi->l.inodes_per_group;
	int err = bitmap_clear(h, sbi->gdt[g].bg_inode_bitmap, (ino - 1) % sbi->l.inodes_per_group);
	if (err) {
		printk("EXT3-fs error (%s): ext3_free_inode: bit already cleared for inode %u\n", sbi->disk->disk_name, ino);
		return err;
	}
	return ext3_group_counts_update(h, g, 0, 1, is_dir ? -1 : 0);
}
