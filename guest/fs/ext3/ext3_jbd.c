/*
 * ext3's journaling calls (fs/ext3/ext3_jbd.c, include/linux/ext3_jbd.h). Every
 * metadata change is made inside a handle: ext3_journal_start reserves the blocks it
 * may touch, ext3_journal_get_write_access is asked before a block is changed and
 * ext3_journal_dirty_metadata after. They are the seam where jbd2's transactions go;
 * until the journal is written, a handle orders nothing and dirty_metadata marks the
 * block's page dirty, written back in place by the flushers as ext2 does.
 */
#include <kernel/errno.h>
#include <kernel/slab.h>
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
	return h;
}

int ext3_journal_stop(handle_t *h)
{
	kfree(h);
	return 0;
}

int ext3_journal_get_write_access(handle_t *h, struct page *bh)
{
	(void)h;
	(void)bh;
	return 0;
}

int ext3_journal_dirty_metadata(handle_t *h, struct page *bh)
{
	h->h_buffer_credits--;
	set_page_dirty(bh);
	return 0;
}
