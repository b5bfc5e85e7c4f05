/*
 * A mark in the disk's write log when a file job's fsync returns (a disk with `log=`:
 * docs/WRITE_LOG.md), as a dm-log-writes test marks its log from userspace. A crash
 * test then knows, at any point of the log, which fsyncs had returned and what they
 * promised: every write the job issued before the fsync (fio's numberio 0..writes-1,
 * in the verify headers) is in the file, and the file is at least size bytes long:
 *
 *     fsync thread=T writes=N size=S file=PATH      (fdatasync=: "fdatasync ...")
 *
 * T is the verify header's thread (the job's number from 1), PATH the file under the
 * disk's mount. Only buffered jobs of one file are marked (with several, the job's
 * writes before the fsync are spread over its files): their writes have completed when
 * they are issued (into the page cache), so the writes before the fsync are 0..N-1.
 * The mark is sent by the job's task before its next I/O, not from the fsync's
 * completion (an interrupt, which cannot wait for a request tag): sent later, it
 * claims less, never more.
 */
#include <kernel/blkdev.h>
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <lib/vsprintf.h>
#include <fs/ext3.h>
#include "fio.h"

static bool fio_mark_wanted(const struct fio_job_run *run)
{
	return run->nr_files == 1 && run->files[0].ei && run->files[0].mapping && run->disk->write_log;
}

void fio_mark_fsync_start(struct fio_job_run *run)
{
	if (!fio_mark_wanted(run))
		return;
	run->mark_writes = run->nr_writes;
	run->mark_size = READ_ONCE(run->files[0].ei->size);
}

void fio_mark_fsync_done(struct fio_job_run *run, int error)
{
	if (fio_mark_wanted(run) && !error)
		WRITE_ONCE(run->mark_pending, true);
}

void fio_mark_send(struct fio_job_run *run)
{
	char text[VMS_BLK_LOG_MARK_MAX + 1];

	if (!READ_ONCE(run->mark_pending))
		return;
	WRITE_ONCE(run->mark_pending, false);
	char index[12] = ""; /* directory= names: the file number ends the name */
	if (run->job->flags & VMS_JOB_FILENUM)
		snprintf(index, sizeof(index), "%u", run->files[0].index);
	int n = snprintf(text, sizeof(text), "%s thread=%u writes=%lu size=%lu file=%s%s",
			 run->job->flags & VMS_JOB_DATASYNC ? "fdatasync" : "fsync", run->rec.job + 1, run->mark_writes,
			 run->mark_size, run->job->path, index);
	int err = n > 0 && n <= VMS_BLK_LOG_MARK_MAX ? virtblk_log_mark(run->disk, text) : -EINVAL;
	if (err) /* the crash test then misses a promise: it checks less, and says nothing wrong */
		pr_warn("fio: job %s: the fsync mark for %s's write log failed (error %d)\n", run->job->name,
			run->disk->disk_name, err);
}
