/*
 * ext3's journaling calls (fs/ext3/ext3_jbd.c, include/linux/ext3_jbd.h). Every
 * metadata change is made inside a handle: ext3_journal_start reserves the blocks it
 * may touch, ext3_journal_get_write_access is asked before a block is changed and
 * ext3_journal_dirty_metadata after. With the journal they are jbd2's (fs/jbd2/);
 * without one (a file system with no has_journal), dirty_metadata marks the block's
 * page dirty, written back in place by the flushers, as ext2 does.
 */
#include <kernel/errno.h>
#include <kernel/slab.h>
#include <vmsweep/knobs.h>
#include <fs/ext3.h>

handle_t *ext3_journal_start(struct ext3_sb_info *sbi, int nblocks, int *err)
{
	handle_t *h = kzalloc(sizeof(*h));
	if (!h) {
		*err = -ENOMEM;
		return NULL;
	}
	h->sbi = sbi;
	h->h_buffer_credits = nblocks;
	if (sbi->s_journal && !(h->h_jbd = jbd2_journal_start(sbi->s_journal, nblocks, err))) {
		kfree(h);
		return NULL;
	}
	return h;
}

int ext3_journal_stop(handle_t *h)
{
	int err = h->h_jbd ? jbd2_journal_stop(h->h_jbd) : 0;
	kfree(h);
	return err;
}

int ext3_journal_get_write_access(handle_t *h, struct page *bh)
{
	return h->h_jbd ? jbd2_journal_get_write_access(h->h_jbd, bh) : 0;
}

int ext3_journal_dirty_metadata(handle_t *h, struct page *bh)
{
	h->h_buffer_credits--;
	if (h->h_jbd)
		return jbd2_journal_dirty_metadata(h->h_jbd, bh);
	set_page_dirty(bh);
	return 0;
}

int ext3_journal_file_inode(handle_t *h, struct ext3_inode_info *ei)
{
	if (!h->h_jbd || h->sbi->s_journal->j_data_mode != VMS_DATA_ORDERED)
		return 0;
	return jbd2_journal_file_inode(h->h_jbd, &ei->mapping);
}
