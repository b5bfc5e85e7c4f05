/*
 * Checkpointing (fs/jbd2/checkpoint.c): the log's space is reused only once the
 * blocks it holds are home. jbd2 checkpoints transaction by transaction from the
 * tail; here, when the log runs short, everything committed is written home at once
 * (the disk's dirty metadata pages: uncommitted blocks are never dirty), flushed, and
 * the log starts empty at its head. The caller (the commit) holds new handles off.
 */
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <kernel/blkdev.h>
#include <mm/backing-dev.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <fs/jbd2.h>
#include "log_io.h"

int jbd2_journal_update_sb_log_tail(journal_t *j, u32 tail_sequence, u32 tail_block)
{
	int err;
	struct page *page = read_mapping_page(j->j_bdev, j->j_blockmap[0], &err);
	if (!page)
		return err;
	/* the superblock is the log's, written straight to its block (not through the cache) */
	void *buf = alloc_pages_exact(PAGE_SIZE);
	if (!buf) {
		put_page(page);
		return -ENOMEM;
	}
	journal_superblock_t *sb = page_address(page);
	sb->s_sequence = cpu_to_be32(tail_sequence);
	sb->s_start = cpu_to_be32(tail_block);
	memcpy(buf, sb, PAGE_SIZE);
	put_page(page);
	err = jbd2_write_log_block(j, 0, buf, false, j->j_barrier);
	free_pages_exact(buf, PAGE_SIZE);
	return err;
}

int jbd2_log_do_checkpoint(journal_t *j, u32 next_tid, transaction_t *t)
{
	int err = 0;
	/* the committing transaction's blocks, as last committed: their log copies go now */
	if (t && t->t_nr_saved) {
		struct jbd2_io_batch b;
		jbd2_batch_init(&b);
		struct backing_dev_info *bdi = j->j_disk->bdi;
		for (u32 i = 0; !err && i < t->t_nr_saved; i++) {
			err = jbd2_batch_write_home(j, &b, t->t_saved[i].home, t->t_saved[i].copy);
			/* home writes, counted as the page cache counts its own (write amplification's split) */
			if (!err)
				__atomic_add_fetch(t->t_saved[i].data ? &bdi->bytes_written_file : &bdi->bytes_written_bdev,
						   PAGE_SIZE, __ATOMIC_RELAXED);
		}
		int e = jbd2_batch_wait(j, &b);
		err = err ? err : e;
	}
	if (!err)
		err = filemap_write_and_wait(j->j_bdev);
	for (u32 i = 0; !err && i < j->j_nr_data_mappings; i++) /* data=journal's file pages */
		err = filemap_write_and_wait(j->j_data_mappings[i]);
	if (!err)
		err = blkdev_issue_flush(j->j_disk); /* home for good before the log forgets them */
	if (err) {
		printk("JBD2: %s: error %d checkpointing: the log keeps its transactions\n", j->j_devname, err);
		return err;
	}
	j->j_tail = j->j_head;
	j->j_tail_sequence = next_tid;
	j->j_free = j->j_maxlen - j->j_first;
	/* recovery after a crash from here on starts where the next transaction will be */
	return jbd2_journal_update_sb_log_tail(j, j->j_tail_sequence, j->j_tail);
}
