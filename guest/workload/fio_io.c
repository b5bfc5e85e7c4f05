/*
 * One phase of an fio job (fio's do_io, or do_verify): keep up to iodepth I/Os in
 * flight (sync engines: one) until the phase is done, record each completion's latency
 * (submission to completion, fio's clat) in fio's histogram buckets, and, for a job
 * that verifies, write blocks with fio's headers and check what is read back.
 * Completions run in interrupt context, perhaps on another CPU: they only count, and
 * the data of a read to verify is checked in the job's own task before its slot is
 * used again (fio checks in its reaping thread too, never in the kernel's completion).
 */
#include <asm/tsc.h>
#include <fs/ext3.h>
#include <kernel/blkdev.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/timer.h>
#include <kernel/wait.h>
#include <vmsweep/hist.h>
#include <mm/pagemap.h>
#include "fio.h"

/* The first error of the job, where it was; the job stops, as fio without continue_on_error. */
static void fio_error_locked(struct fio_job_run *run, u32 error, u64 offset, u32 len, const struct verify_fail *f)
{
	if (!run->rec.error) {
		run->rec.error = error;
		run->rec.error_offset = offset;
		run->rec.error_len = len;
		if (f) {
			run->rec.error_why = f->why;
			run->rec.error_got = f->got;
			run->rec.error_want = f->want;
		}
	}
	WRITE_ONCE(run->stop, true);
}

void fio_end_io(struct bio *bio)
{
	struct fio_io *io = bio->private;
	struct fio_job_run *run = io->run;
	struct vms_fio_dir *d = &run->rec.dir[io->dir];
	unsigned long flags;

	if (fio_sync_write_done(io, bio)) /* sync=1: the write completes with its flush */
		return;
	spin_lock_irqsave(&run->stat_lock, flags);
	if (bio->error) {
		d->errors++;
		fio_error_locked(run, VMS_FIO_EIO, bio->sector << SECTOR_SHIFT, bio->size, NULL); /* as fio reports it */
	} else if (!READ_ONCE(run->ramping)) {
		d->io_bytes += bio->size;
		d->ios++;
		u64 clat = fio_stats_io_done(run, io, bio); /* clat, slat, lat and fio's ranges */
		(void)clat;
		run->last_completion_ns = bio->complete_ns;
		if (run->log)
			fio_log_io(run, io, bio, clat);
	}
	spin_unlock_irqrestore(&run->stat_lock, flags);
	WRITE_ONCE(io->state, io->verify && !bio->error ? FIO_IO_VERIFY : FIO_IO_FREE);
	__atomic_sub_fetch(&run->inflight, 1, __ATOMIC_RELEASE);
	wake_up(&run->wq);
}

static void fio_end_flush(struct bio *bio)
{
	struct fio_io *io = bio->private;
	struct fio_job_run *run = io->run;
	unsigned long flags;

	spin_lock_irqsave(&run->stat_lock, flags);
	if (bio->error && !run->rec.error)
		run->rec.error = VMS_FIO_EIO;
	if (!READ_ONCE(run->ramping)) {
		u64 lat = bio->complete_ns - (io->sync_start_ns ? io->sync_start_ns : bio->submit_ns);
		fio_stats_sync_done(run, lat);
		run->rec.nr_syncs++;
		run->rec.sync_lat_sum_ns += lat;
	}
	spin_unlock_irqrestore(&run->stat_lock, flags);
	fio_mark_fsync_done(run, bio->error);
	WRITE_ONCE(io->state, FIO_IO_FREE);
	__atomic_sub_fetch(&run->inflight, 1, __ATOMIC_RELEASE);
	wake_up(&run->wq);
}

static const char *const vfail_what[] = {
	[VMS_VFAIL_MAGIC] = "bad magic header",	      [VMS_VFAIL_LEN] = "bad header length",
	[VMS_VFAIL_SEED] = "bad header rand_seed",    [VMS_VFAIL_OFFSET] = "bad header offset",
	[VMS_VFAIL_NUMBERIO] = "bad header numberio", [VMS_VFAIL_HDR_CRC] = "bad header crc",
	[VMS_VFAIL_TYPE] = "bad header verify type",  [VMS_VFAIL_DATA] = "data mismatch",
};

/* Reads completed since the last look: their data checked, their slots freed (fio's verify_io_u). */
static void fio_reap_verify(struct fio_job_run *run)
{
	for (unsigned i = 0; i < run->depth; i++) {
		struct fio_io *io = &run->ios[i];
		struct verify_fail f;
		unsigned long flags;

		if (READ_ONCE(io->state) != FIO_IO_VERIFY)
			continue;
		if (fio_verify_check(io->buf, io->bio.size, &io->vb, &f)) {
			spin_lock_irqsave(&run->stat_lock, flags);
			run->rec.dir[0].errors++;
			fio_error_locked(run, VMS_FIO_EVERIFY, f.offset, f.len, &f);
			spin_unlock_irqrestore(&run->stat_lock, flags);
			pr_warn("fio: job %s: verify: %s (found %#lx, wanted %#lx) at %s offset %lu, length %u\n",
				run->job->name, vfail_what[f.why], f.got, f.want, run->disk->disk_name, f.offset, f.len);
		}
		WRITE_ONCE(io->state, FIO_IO_FREE);
	}
}

static bool fio_job_finished(struct fio_job_run *run, u64 now)
{
	const struct vms_job *j = run->job;

	if (READ_ONCE(run->stop))
		return true;
	if (j->runtime_ns && now >= run->measure_start_ns + j->runtime_ns)
		return true;
	if (run->verifying)
		return run->vlog_done;
	if (run->io_done) /* no block of the job fits any more (fio_offset.c) */
		return true;
	/* a write phase that is verified ends with size, time_based or not (fio's do_io), and
	 * so does a dry run (fio's do_dry_run) */
	bool size_bound = !(j->flags & VMS_JOB_TIME_BASED) || fio_verify_phase_wanted(j) || run->dry_run;
	return size_bound && run->bytes_issued >= run->io_size;
}

static struct fio_io *fio_get_io(struct fio_job_run *run)
{
	fio_reap_verify(run);
	fio_sync_reap(run);
	for (unsigned i = 0; i < run->depth; i++)
		if (READ_ONCE(run->ios[i].state) == FIO_IO_FREE)
			return &run->ios[i];
	return NULL;
}

/*
 * A direct job's bio goes to the block layer; a buffered job's is served here, in
 * the job's task, by copying through the page cache, and completes on return. The
 * verify phase reads the disk itself, as fio drops the page cache before it (its
 * dirty pages were written first, fio.c).
 */
static void __fio_submit(struct fio_job_run *run, struct fio_io *io)
{
	struct bio *bio = &io->bio;
	struct fio_file *f = io->file;

	if (!f->mapping || (run->verifying && !f->ei)) { /* a file's offsets are not the disk's */
		if (bio->op == REQ_OP_WRITE) /* O_DIRECT's REQ_SYNC | REQ_IDLE: not throttled by blk-wbt */
			bio->opf = REQ_SYNC | REQ_IDLE;
		if (run->job->flags & VMS_JOB_HIPRI) /* io_uring's IOPOLL: found by polling only */
			bio->opf |= REQ_POLLED;
		submit_bio(run->disk, bio);
		return;
	}
	if (bio->op == REQ_OP_FLUSH) {
		/* fsync: the dirty pages first, then the device's cache */
		io->sync_start_ns = ktime_get_ns();
		fio_mark_fsync_start(run);
		if (f->ei ? ext3_sync_file(f->ei, run->job->flags & VMS_JOB_DATASYNC) : filemap_write_and_wait(f->mapping)) {
			bio->error = -5;
			bio->submit_ns = bio->complete_ns = ktime_get_ns();
			bio->end_io(bio);
			return;
		}
		submit_bio(run->disk, bio);
		return;
	}
	bio->submit_ns = ktime_get_ns();
	u64 pos = bio->sector << SECTOR_SHIFT;
	int err;
	if (bio->op == REQ_OP_WRITE)
		err = filemap_write(f->mapping, pos, bio->buf, bio->size);
	else if (f->ei && pos + bio->size > f->ei->size)
		err = -5; /* past the end of the file (create_on_open): fio's short read, then "full resid" */
	else
		err = filemap_read(f->mapping, &f->ra, pos, bio->buf, bio->size);
	bio->error = err ? -5 : 0;
	bio->issue_ns = bio->submit_ns;
	bio->complete_ns = ktime_get_ns();
	bio->end_io(bio);
}

/* The I/O goes in flight: fio's start_time and depth, its time in the block layer as sys. */
static void fio_submit(struct fio_job_run *run, struct fio_io *io)
{
	io->state = FIO_IO_INFLIGHT;
	__atomic_add_fetch(&run->inflight, 1, __ATOMIC_ACQUIRE);
	u64 start = fio_stats_io_start(run, io);
	__fio_submit(run, io);
	fio_stats_sys_add(run, start);
}

/* What block seq of the job at offset holds (bs bytes). */
static void fio_verify_block_init(struct fio_job_run *run, struct verify_block *vb, u64 offset, u64 seq, u64 bs)
{
	const struct vms_job *j = run->job;
	u32 n = (u32)seq;

	*vb = (struct verify_block){
		.type = j->verify,
		.interval = (u32)min(j->bs[1], bs),
		.offset = offset,
		.seed = (run->vseed_base + n) * 0x9e3779b97f4a7c15ull,
		.numberio = (u16)n,
		.thread = (u16)(run->rec.job + 1),
		.check_seed = true,
		/* as fio: not when a block may have been written more than once, nor by another run */
		.check_numberio = !(j->flags & (VMS_JOB_TIME_BASED | VMS_JOB_VERIFY_ONLY)),
		.pattern = j->pattern,
		.pattern_len = j->pattern_len,
	};
}

/* The next I/O of the phase into io: 0, or -1 when the phase has none left. */
static int fio_prep(struct fio_job_run *run, struct fio_io *io, int dir)
{
	const struct vms_job *j = run->job;
	u64 bs = j->bs[run->verifying ? 1 : dir], offset, seq; /* the verify phase reads what was written */

	io->dir = dir;
	io->verify = false;
	io->synced = false;
	if (run->verifying) {
		if (!fio_vlog_next(run, &io->file, &offset, &seq))
			return -1;
		fio_verify_block_init(run, &io->vb, offset, seq, bs);
		io->verify = true;
	} else {
		if (fio_next_block(run, dir, &io->file, &offset, &bs))
			return -1;
		if (dir == 1 && j->verify != VMS_VERIFY_NONE) {
			/* a write of a job that verifies carries fio's headers, do_verify or not */
			seq = run->nr_writes++;
			fio_verify_block_init(run, &io->vb, offset, seq, bs);
			if (!run->dry_run)
				fio_verify_fill(io->buf, (u32)bs, &io->vb, ktime_get_ns());
			fio_vlog_add(run, io->file, offset, seq);
		} else if (dir == 1 && j->pattern_len) {
			fio_fill_pattern(run, io->buf, bs);
		} else if (dir == 0 && j->verify != VMS_VERIFY_NONE && (j->rw == VMS_RW_READ || j->rw == VMS_RW_RANDREAD)) {
			/* a read-only job checks every read; the seed is the header's own (fio's verify_io_u) */
			fio_verify_block_init(run, &io->vb, offset, 0, bs);
			io->vb.check_seed = io->vb.check_numberio = false;
			io->verify = true;
		}
		run->bytes_issued += bs;
	}
	io->bio = (struct bio){ .op = dir ? REQ_OP_WRITE : REQ_OP_READ, .sector = offset >> SECTOR_SHIFT,
				.size = (u32)bs, .buf = io->buf, .end_io = fio_end_io, .private = io };
	return 0;
}

/* verify_only's write phase (fio's do_dry_run): counted as fio counts it, no I/O, no time. */
static void fio_dry_run_account(struct fio_job_run *run, int dir, u64 bs)
{
	if (READ_ONCE(run->ramping))
		return;
	run->rec.dir[dir].io_bytes += bs;
	run->rec.dir[dir].ios++;
}

/* The direction of the next I/O: the verify phase's reads, the one the rate limiter held back, else fio's rwmix choice. */
static int fio_next_dir(struct fio_job_run *run)
{
	int dir = run->pending_dir;

	if (run->verifying)
		return 0;
	run->pending_dir = -1;
	return dir >= 0 ? dir : fio_pick_dir(run);
}

/* Issues what the depth and the rate allow; returns when the rate limiter wants the next I/O (0: not waiting). */
/* ramp_time is over: measuring starts (and the rate schedule with it). */
static void fio_ramp_check(struct fio_job_run *run, u64 now)
{
	if (run->ramping && now >= run->measure_start_ns) {
		WRITE_ONCE(run->ramping, false);
		fio_rate_start(run, now);
	}
}

static u64 fio_issue_batch(struct fio_job_run *run)
{
	const struct vms_job *j = run->job;
	struct blk_plug plug;
	u64 due = 0;
	unsigned submitted = 0;

	fio_stats_reap(run);
	fio_mark_send(run); /* a returned fsync's, before anything after it */
	blk_start_plug(&plug);
	while (READ_ONCE(run->inflight) < run->depth) {
		u64 now = ktime_get_ns();
		if (fio_job_finished(run, now))
			break;
		/* a buffered job's I/O completes as it is submitted: this loop may be all of it */
		fio_ramp_check(run, now);
		struct fio_io *io = fio_get_io(run);
		if (!io)
			break;
		int dir = fio_next_dir(run);
		/* fio paces the write phase only: no rate in the verify phase or a dry run */
		if (!run->verifying && !run->dry_run && (dir = fio_rate_ddir(run, dir, now, &due), due)) {
			run->pending_dir = dir;
			break;
		}
		/* fsync=N: a flush after N writes, as fio issues fsync(2); the write waits for the next
		 * turn. Its file is the one the next I/O is served (fio's get_io_u picks the file
		 * first); with every file done, the I/O below ends the job or starts it over. */
		if (!run->verifying && !run->dry_run && j->fsync_every && dir == 1 &&
		    run->writes_since_sync >= j->fsync_every && (io->file = fio_file_next(run))) {
			run->writes_since_sync = 0;
			run->pending_dir = dir;
			io->dir = 1;
			io->verify = false;
			io->bio = (struct bio){ .op = REQ_OP_FLUSH, .end_io = fio_end_flush, .private = io };
			fio_submit(run, io);
			continue;
		}
		if (fio_prep(run, io, dir))
			break;
		if (run->dry_run) {
			fio_dry_run_account(run, dir, io->bio.size);
			continue;
		}
		if (!run->verifying) {
			run->writes_since_sync += dir;
			fio_rate_account(run, dir, io->bio.size);
		}
		fio_submit(run, io);
		submitted++;
	}
	u64 start = ktime_get_ns();
	blk_finish_plug(&plug);
	fio_stats_sys_add(run, start);
	fio_stats_submitted(run, submitted);
	return due;
}

/*
 * Ahead of the rate's schedule, as fio's rate_ddir: what is in flight completes first
 * (fio's io_u_quiesce, which sleeps in io_getevents), then the job sleeps until the
 * next I/O is due, or the runtime ends. The quiesce sleeps too, unless the disk is
 * polled or the job hipri: spinning there instead was measured faster when the host is idle (a
 * completion interrupt reaches a running vCPU in microseconds, a halted one in ~130 us)
 * but lost up to a quarter of a rate_iops=2000 job when other work loaded the host,
 * whose scheduler favours a vCPU that slept over one that spun.
 */
static void fio_rate_wait(struct fio_job_run *run, u64 due)
{
	const struct vms_job *j = run->job;

	if (j->runtime_ns && due > run->measure_start_ns + j->runtime_ns)
		due = run->measure_start_ns + j->runtime_ns;
	while (READ_ONCE(run->inflight) || fio_sync_reap(run))
		fio_wait_inflight(run, 1, false);
	fio_sleep_until(due);
}

static void fio_wait(struct fio_job_run *run, u64 rate_due)
{
	fio_sync_reap(run);
	if (rate_due) {
		fio_rate_wait(run, rate_due);
		return;
	}
	if (run->disk->queue->poll_mode || (run->job->flags & VMS_JOB_HIPRI)) {
		/* polling costs nothing more per completion: fill the queue again only when full */
		fio_wait_inflight(run, run->depth, false);
		return;
	}
	unsigned in = READ_ONCE(run->inflight);
	if (in)
		fio_wait_inflight(run, in, true);
}

/* Runs the job's current phase to its end, everything it issued completed and checked. */
void fio_run_phase(struct fio_job_run *run)
{
	const struct vms_job *j = run->job;

	while (!fio_job_finished(run, ktime_get_ns())) {
		fio_ramp_check(run, ktime_get_ns());
		u64 due = fio_issue_batch(run);
		if (j->thinktime_ns && !run->verifying && !run->dry_run)
			msleep((unsigned)max(j->thinktime_ns / NSEC_PER_MSEC, 1ul));
		fio_wait(run, due);
		fio_log_flush(run);
	}
	while (READ_ONCE(run->inflight) || fio_sync_reap(run))
		fio_wait_inflight(run, 1, false);
	fio_mark_send(run);
	fio_stats_reap(run);
	fio_reap_verify(run);
}
