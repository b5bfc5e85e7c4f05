/*
 * sync=1 and end_fsync=1 on a raw disk, as Linux and fio do them:
 *
 * - sync=1 (sync=dsync alike): fio opens the disk O_SYNC, and Linux makes each direct
 *   write REQ_FUA; virtio-blk has no FUA, so the block layer follows the write with a
 *   flush, and the write completes (its aio event, or pwrite's return) when the flush
 *   has. Here a write of such a job that completes waits in its slot (FIO_IO_SYNC)
 *   until the job's task issues the flush, which cannot be done from the completion's
 *   interrupt (a request tag may have to be waited for); the flush's completion then
 *   completes the write, its latency from the write's submission to the flush's end.
 *   fio counts no syncs for it: the kernel does them. A buffered job's write (O_SYNC
 *   through the page cache, generic_write_sync) first writes its pages and waits.
 * - end_fsync=1: the write phase ends with an fsync of the disk, or of each of the job's
 *   files in turn (fio's do_io, after the I/O is in): a buffered job's dirty pages
 *   written first, then a flush. Its time is
 *   in the phase's runtime, as fio measures it; it is not in the job's syncs (fio
 *   issues it in TD_FSYNCING, which it does not count).
 */
#include <asm/tsc.h>
#include <fs/ext3.h>
#include <kernel/blkdev.h>
#include <kernel/kernel.h>
#include <kernel/wait.h>
#include <mm/pagemap.h>
#include "fio.h"

bool fio_sync_write_done(struct fio_io *io, struct bio *bio)
{
	struct fio_job_run *run = io->run;

	if (!(run->job->flags & (VMS_JOB_SYNC | VMS_JOB_DSYNC)) || bio->op != REQ_OP_WRITE || bio->error || io->synced)
		return false;
	io->write_submit_ns = bio->submit_ns;
	io->write_sector = bio->sector;
	io->write_size = bio->size;
	__atomic_add_fetch(&run->syncs_pending, 1, __ATOMIC_RELAXED);
	WRITE_ONCE(io->state, FIO_IO_SYNC);
	__atomic_sub_fetch(&run->inflight, 1, __ATOMIC_RELEASE);
	wake_up(&run->wq);
	return true;
}

/* The flush after a sync write is done: the write completes now, as the flush did. */
static void fio_end_sync_flush(struct bio *bio)
{
	struct fio_io *io = bio->private;
	int error = bio->error;
	u64 done = bio->complete_ns;

	*bio = (struct bio){ .op = REQ_OP_WRITE, .sector = io->write_sector, .size = io->write_size, .buf = io->buf,
			     .error = error, .submit_ns = io->write_submit_ns, .issue_ns = io->write_submit_ns,
			     .complete_ns = done, .end_io = fio_end_io, .private = io };
	io->synced = true;
	fio_end_io(bio);
}

bool fio_sync_reap(struct fio_job_run *run)
{
	bool issued = false;

	if (!__atomic_load_n(&run->syncs_pending, __ATOMIC_ACQUIRE))
		return false;
	for (unsigned i = 0; i < run->depth; i++) {
		struct fio_io *io = &run->ios[i];
		if (READ_ONCE(io->state) != FIO_IO_SYNC)
			continue;
		__atomic_sub_fetch(&run->syncs_pending, 1, __ATOMIC_RELAXED);
		/* a buffered O_SYNC write: its pages to the disk first (vfs_fsync_range), then the flush */
		struct fio_file *f = io->file;
		int err = f->mapping ? filemap_write_and_wait_range(f->mapping, io->write_sector << SECTOR_SHIFT,
								    io->write_size)
				     : 0;
		if (!err && f->ei) /* a file's O_SYNC write: the metadata that reaches it too */
			err = ext3_sync_metadata(f->ei->sbi);
		io->bio = (struct bio){ .op = REQ_OP_FLUSH, .end_io = fio_end_sync_flush, .private = io };
		if (err) { /* the write failed after all: completes with the error, no flush */
			io->state = FIO_IO_INFLIGHT;
			__atomic_add_fetch(&run->inflight, 1, __ATOMIC_ACQUIRE);
			io->bio.error = err;
			io->bio.complete_ns = ktime_get_ns();
			fio_end_sync_flush(&io->bio);
			issued = true;
			continue;
		}
		io->state = FIO_IO_INFLIGHT;
		__atomic_add_fetch(&run->inflight, 1, __ATOMIC_ACQUIRE);
		submit_bio(run->disk, &io->bio);
		issued = true;
	}
	return issued;
}

static void fio_end_fsync_flush(struct bio *bio)
{
	struct fio_io *io = bio->private;
	struct fio_job_run *run = io->run;
	unsigned long flags;

	spin_lock_irqsave(&run->stat_lock, flags);
	if (bio->error && !run->rec.error)
		run->rec.error = VMS_FIO_EIO;
	if (!READ_ONCE(run->ramping))
		run->last_completion_ns = bio->complete_ns;
	spin_unlock_irqrestore(&run->stat_lock, flags);
	fio_mark_fsync_done(run, bio->error);
	WRITE_ONCE(io->state, FIO_IO_FREE);
	__atomic_sub_fetch(&run->inflight, 1, __ATOMIC_RELEASE);
	wake_up(&run->wq);
}

/* fio's end_fsync: each file fsync'd in turn (for_each_file, fio_file_fsync). */
void fio_end_fsync(struct fio_job_run *run)
{
	struct fio_io *io = &run->ios[0]; /* the phase is over: every slot is free */
	unsigned long flags;

	fio_mark_fsync_start(run);
	for (unsigned i = 0; i < run->nr_files; i++) {
		struct fio_file *f = &run->files[i];
		if (run->on_fs && !f->ei) /* create_on_open and never opened: fio opens it, nothing to sync */
			continue;
		if (f->mapping && (f->ei ? ext3_sync_file(f->ei, false) : filemap_write_and_wait(f->mapping))) {
			spin_lock_irqsave(&run->stat_lock, flags);
			if (!run->rec.error)
				run->rec.error = VMS_FIO_EIO;
			spin_unlock_irqrestore(&run->stat_lock, flags);
			return;
		}
		io->file = f;
		io->bio = (struct bio){ .op = REQ_OP_FLUSH, .end_io = fio_end_fsync_flush, .private = io };
		io->state = FIO_IO_INFLIGHT;
		__atomic_add_fetch(&run->inflight, 1, __ATOMIC_ACQUIRE);
		submit_bio(run->disk, &io->bio);
		fio_wait_inflight(run, 1, false);
	}
	fio_mark_send(run);
}
