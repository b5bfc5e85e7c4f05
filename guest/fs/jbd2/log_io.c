/*
 * The journal's own I/O (fs/jbd2/commit.c's journal_submit_commit_record, the log
 * writes of jbd2_journal_write_metadata_buffer): log blocks written from private
 * copies, straight to the disk, not through the page cache (the log is not cached
 * data). A batch is submitted whole and waited for; barrier=1 puts a cache flush
 * before the commit block and makes the commit block itself durable (REQ_PREFLUSH |
 * REQ_FUA, a flush after it here: the block layer has no FUA).
 */
#include <kernel/blkdev.h>
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/wait.h>
#include <mm/gfp.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <fs/jbd2.h>
#include "log_io.h"

static void end_log_write(struct bio *bio)
{
	struct jbd2_io_batch *b = bio->private;
	if (bio->error)
		b->error = -EIO;
	bio_put(bio);
	if (__atomic_sub_fetch(&b->pending, 1, __ATOMIC_ACQ_REL) == 0)
		complete(&b->done);
}

void jbd2_batch_init(struct jbd2_io_batch *b)
{
	b->pending = 1; /* the submitter's own count, dropped in jbd2_batch_wait */
	b->error = 0;
	init_completion(&b->done);
}

static int batch_write_block(journal_t *j, struct jbd2_io_batch *b, u32 block, void *buf)
{
	struct bio *bio = bio_alloc(GFP_NOIO);
	if (!bio)
		return -ENOMEM;
	bio->op = REQ_OP_WRITE;
	bio->opf = REQ_SYNC; /* jbd2's write_op: the commit waits for it */
	bio->sector = (u64)block * (PAGE_SIZE >> SECTOR_SHIFT);
	bio->size = PAGE_SIZE;
	bio->buf = buf;
	bio->end_io = end_log_write;
	bio->private = b;
	__atomic_add_fetch(&b->pending, 1, __ATOMIC_ACQ_REL);
	submit_bio(j->j_disk, bio);
	return 0;
}

int jbd2_batch_write(journal_t *j, struct jbd2_io_batch *b, u32 log_block, void *buf)
{
	if (log_block >= j->j_maxlen)
		return -EIO;
	__atomic_add_fetch(&j->j_stats.journal_bytes, PAGE_SIZE, __ATOMIC_RELAXED);
	return batch_write_block(j, b, j->j_blockmap[log_block], buf);
}

int jbd2_batch_write_home(journal_t *j, struct jbd2_io_batch *b, u32 home, void *buf)
{
	if (home >= j->j_disk->capacity / PAGE_SIZE)
		return -EIO;
	return batch_write_block(j, b, home, buf);
}

int jbd2_batch_wait(journal_t *j, struct jbd2_io_batch *b)
{
	if (__atomic_sub_fetch(&b->pending, 1, __ATOMIC_ACQ_REL) == 0)
		complete(&b->done);
	if (j->j_disk->queue->poll_mode) { /* nobody is interrupted: reap them ourselves */
		while (__atomic_load_n(&b->pending, __ATOMIC_ACQUIRE))
			blk_poll_disks();
	}
	wait_for_completion(&b->done);
	return b->error;
}

int jbd2_write_log_block(journal_t *j, u32 log_block, const void *buf, bool preflush, bool fua)
{
	struct jbd2_io_batch b;
	int err = preflush ? blkdev_issue_flush(j->j_disk) : 0;
	if (err)
		return err;
	jbd2_batch_init(&b);
	err = jbd2_batch_write(j, &b, log_block, (void *)buf);
	int e = jbd2_batch_wait(j, &b);
	err = err ? err : e;
	if (!err && fua)
		err = blkdev_issue_flush(j->j_disk);
	return err;
}
