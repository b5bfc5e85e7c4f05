/*
 * One page of I/O to a disk, for the swap cache and the page cache alike
 * (mm/page_io.c, and Linux's page_endio): the bio is allocated without entering
 * reclaim, which may be what is writing; on a polled disk nobody is interrupted to
 * return bios to the pool, so the submitter reaps completions until one is back.
 */
#include <kernel/blkdev.h>
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <mm/gfp.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <mm/swap.h>

int submit_page_bio(struct gendisk *disk, struct page *page, u64 sector, enum req_op op, u32 opf,
		    bio_end_io_t end_io)
{
	struct bio *bio;

	if (!disk->queue->poll_mode) {
		if (!(bio = bio_alloc(GFP_NOIO)))
			return -ENOMEM;
	} else {
		while (!(bio = bio_alloc(GFP_NOIO & ~__GFP_DIRECT_RECLAIM)))
			blk_poll_disks(); /* flushes our plug first: our own bios may be the ones out */
	}
	bio->op = op;
	bio->opf = opf;
	bio->sector = sector;
	bio->size = PAGE_SIZE;
	bio->buf = page_address(page);
	bio->end_io = end_io;
	bio->private = page;
	submit_bio(disk, bio);
	return 0;
}

/*
 * The page's I/O ended: a read leaves it uptodate and unlocked; a failed write
 * leaves it dirty, since the data is only here, and ends its writeback. Returns
 * whether a failed write newly dirtied the page, for the caller's accounting.
 */
bool page_endio(struct page *page, enum req_op op, int error)
{
	bool redirtied = false;

	if (op == REQ_OP_READ) {
		if (!error)
			page_mark_uptodate(page);
		unlock_page(page);
	} else {
		if (error)
			redirtied = !TestSetPageDirty(page);
		end_page_writeback(page);
	}
	return redirtied;
}

struct flush_wait {
	struct completion done;
	bool finished;
	int error;
};

static void end_flush(struct bio *bio)
{
	struct flush_wait *w = bio->private;
	w->error = bio->error;
	bio_put(bio);
	complete(&w->done);
	__atomic_store_n(&w->finished, true, __ATOMIC_RELEASE); /* the last touch: the poller may return */
}

/* blkdev_issue_flush: the disk's volatile cache to stable storage, waited for; 0 or -EIO. */
int blkdev_issue_flush(struct gendisk *disk)
{
	struct flush_wait w = { .error = 0 };
	struct bio *bio = bio_alloc(GFP_NOIO);

	if (!bio)
		return -ENOMEM;
	init_completion(&w.done);
	bio->op = REQ_OP_FLUSH;
	bio->end_io = end_flush;
	bio->private = &w;
	submit_bio(disk, bio);
	if (disk->queue->poll_mode) { /* nobody is interrupted: reap it ourselves */
		while (!__atomic_load_n(&w.finished, __ATOMIC_ACQUIRE))
			blk_poll_disks();
	} else {
		wait_for_completion(&w.done);
	}
	return w.error ? -EIO : 0;
}
