/*
 * The fio engine of the built-in guest: each job of the compiled workload runs as a
 * kernel thread over the block layer, keeping up to iodepth I/Os in flight (sync
 * engines: one), and records completion latency (submission to completion, fio's
 * clat) in fio's histogram buckets. Jobs of one group start together; a stonewall
 * group waits for the groups before it.
 */
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/kthread.h>
#include <kernel/printk.h>
#include <kernel/results.h>
#include <kernel/slab.h>
#include <kernel/timer.h>
#include <kernel/wait.h>
#include <lib/string.h>
#include <vmsweep/hist.h>
#include <vmsweep/workload.h>
#include <mm/pagemap.h>
#include "fio.h"
#include "memjob.h"

static void fio_end_io(struct bio *bio)
{
	struct fio_io *io = bio->private;
	struct fio_job_run *run = io->run;
	struct vms_fio_dir *d = &run->rec.dir[io->dir];
	unsigned long flags;

	spin_lock_irqsave(&run->stat_lock, flags);
	if (bio->error) {
		d->errors++;
		if (!run->rec.error)
			run->rec.error = VMS_FIO_EIO; /* as fio reports it */
		WRITE_ONCE(run->stop, true);
	} else if (io->dir == 0 && (run->job->flags & VMS_JOB_VERIFY) && !fio_pattern_matches(run, io->buf, bio->size)) {
		d->errors++;
		if (!run->rec.error)
			run->rec.error = VMS_FIO_EVERIFY; /* as fio reports a verify failure */
		WRITE_ONCE(run->stop, true);
	} else if (!READ_ONCE(run->ramping)) {
		u64 clat = bio->complete_ns - bio->submit_ns;
		d->io_bytes += bio->size;
		d->ios++;
		d->clat_sum_ns += clat;
		d->clat_sumsq_us2 += (clat / 1000) * (clat / 1000);
		if (clat < d->clat_min_ns || !d->clat_min_ns)
			d->clat_min_ns = clat;
		if (clat > d->clat_max_ns)
			d->clat_max_ns = clat;
		d->clat_buckets[vms_hist_index(clat)]++;
		run->last_completion_ns = bio->complete_ns;
	}
	spin_unlock_irqrestore(&run->stat_lock, flags);
	io->busy = false;
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
	run->rec.nr_syncs++;
	run->rec.sync_lat_sum_ns += bio->complete_ns - (io->sync_start_ns ? io->sync_start_ns : bio->submit_ns);
	spin_unlock_irqrestore(&run->stat_lock, flags);
	io->busy = false;
	__atomic_sub_fetch(&run->inflight, 1, __ATOMIC_RELEASE);
	wake_up(&run->wq);
}

static bool fio_job_finished(struct fio_job_run *run, u64 now)
{
	const struct vms_job *j = run->job;
	if (READ_ONCE(run->stop))
		return true;
	if (j->runtime_ns && now >= run->measure_start_ns + j->runtime_ns)
		return true;
	return !(j->flags & VMS_JOB_TIME_BASED) && run->bytes_issued >= run->io_size;
}

static struct fio_io *fio_get_io(struct fio_job_run *run)
{
	for (unsigned i = 0; i < run->depth; i++)
		if (!run->ios[i].busy)
			return &run->ios[i];
	return NULL;
}

/*
 * A direct job's bio goes to the block layer; a buffered job's is served here, in
 * the job's task, by copying through the page cache, and completes on return.
 */
static void fio_submit(struct fio_job_run *run, struct fio_io *io)
{
	struct bio *bio = &io->bio;

	if (!run->mapping) {
		submit_bio(run->disk, bio);
		return;
	}
	if (bio->op == REQ_OP_FLUSH) {
		/* fsync: the dirty pages first, then the device's cache */
		io->sync_start_ns = ktime_get_ns();
		if (filemap_write_and_wait(run->mapping)) {
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
	int err = bio->op == REQ_OP_WRITE ? filemap_write(run->mapping, pos, bio->buf, bio->size)
					  : filemap_read(run->mapping, &run->ra, pos, bio->buf, bio->size);
	bio->error = err ? -5 : 0;
	bio->issue_ns = bio->submit_ns;
	bio->complete_ns = ktime_get_ns();
	bio->end_io(bio);
}

/* The direction of the next I/O: the one the rate limiter held back, else fio's rwmix choice. */
static int fio_next_dir(struct fio_job_run *run)
{
	int dir = run->pending_dir;

	run->pending_dir = -1;
	return dir >= 0 ? dir : fio_pick_dir(run);
}

/* Issues what the depth and the rate allow; returns when the rate limiter wants the next I/O (0: not waiting). */
static u64 fio_issue_batch(struct fio_job_run *run)
{
	const struct vms_job *j = run->job;
	struct blk_plug plug;
	u64 due = 0;

	blk_start_plug(&plug);
	while (READ_ONCE(run->inflight) < run->depth) {
		u64 now = ktime_get_ns();
		if (fio_job_finished(run, now))
			break;
		struct fio_io *io = fio_get_io(run);
		if (!io)
			break;
		int dir = fio_rate_ddir(run, fio_next_dir(run), now, &due);
		if (due) {
			run->pending_dir = dir;
			break;
		}
		u64 bs = j->bs[dir];
		io->busy = true;
		if (j->fsync_every && dir == 1 && run->writes_since_sync >= j->fsync_every) {
			/* fsync=N: a flush after N writes, as fio issues fsync(2); the write waits for the next turn */
			run->writes_since_sync = 0;
			run->pending_dir = dir;
			io->dir = 1;
			io->bio = (struct bio){ .op = REQ_OP_FLUSH, .end_io = fio_end_flush, .private = io };
			__atomic_add_fetch(&run->inflight, 1, __ATOMIC_ACQUIRE);
			fio_submit(run, io);
			continue;
		}
		io->dir = dir;
		if (dir == 1 && j->pattern_len)
			fio_fill_pattern(run, io->buf, bs);
		io->bio = (struct bio){ .op = dir ? REQ_OP_WRITE : REQ_OP_READ, .sector = fio_next_offset(run, bs) >> SECTOR_SHIFT,
					.size = (u32)bs, .buf = io->buf, .end_io = fio_end_io, .private = io };
		run->bytes_issued += bs;
		run->writes_since_sync += dir;
		fio_rate_account(run, dir, bs);
		__atomic_add_fetch(&run->inflight, 1, __ATOMIC_ACQUIRE);
		fio_submit(run, io);
	}
	blk_finish_plug(&plug);
	return due;
}

/*
 * Ahead of the rate's schedule, as fio's rate_ddir: what is in flight completes first
 * (fio's io_u_quiesce), then the job sleeps until the next I/O is due, or the runtime
 * ends. While the wait is shorter than a tick the job spins rather than sleeps: it
 * must be awake when the I/O is due, and a completion interrupt reaches a running
 * vCPU in a few microseconds where waking a halted one costs ~130 us on this host.
 */
static void fio_rate_wait(struct fio_job_run *run, u64 due)
{
	const struct vms_job *j = run->job;
	u64 tick = HZ ? NSEC_PER_SEC / HZ : 0;

	if (j->runtime_ns && due > run->measure_start_ns + j->runtime_ns)
		due = run->measure_start_ns + j->runtime_ns;
	while (READ_ONCE(run->inflight)) {
		u64 now = ktime_get_ns();
		if (run->disk->queue->poll_mode)
			blk_poll(run->disk);
		else if (tick && due > now + tick)
			wait_event(run->wq, READ_ONCE(run->inflight) == 0);
		else
			yield();
	}
	fio_sleep_until(due);
}

static void fio_wait(struct fio_job_run *run, u64 rate_due)
{
	if (rate_due) {
		fio_rate_wait(run, rate_due);
		return;
	}
	if (run->disk->queue->poll_mode) {
		while (READ_ONCE(run->inflight) >= run->depth)
			blk_poll(run->disk);
		return;
	}
	unsigned in = READ_ONCE(run->inflight);
	if (in)
		wait_event(run->wq, READ_ONCE(run->inflight) < in || READ_ONCE(run->stop));
}

static int fio_job_thread(void *data)
{
	struct fio_job_run *run = data;
	const struct vms_job *j = run->job;

	run->rec.start_ns = ktime_get_ns();
	run->ramping = j->ramp_ns != 0;
	run->measure_start_ns = run->rec.start_ns + j->ramp_ns;
	run->pending_dir = -1;
	fio_rate_start(run, run->rec.start_ns);
	while (!fio_job_finished(run, ktime_get_ns())) {
		if (run->ramping && ktime_get_ns() >= run->measure_start_ns) {
			WRITE_ONCE(run->ramping, false);
			fio_rate_start(run, ktime_get_ns());
		}
		u64 due = fio_issue_batch(run);
		if (j->thinktime_ns)
			msleep((unsigned)max(j->thinktime_ns / NSEC_PER_MSEC, 1ul));
		fio_wait(run, due);
	}
	while (READ_ONCE(run->inflight)) {
		if (run->disk->queue->poll_mode)
			blk_poll(run->disk);
		else
			wait_event(run->wq, READ_ONCE(run->inflight) == 0);
	}
	run->rec.end_ns = ktime_get_ns();
	u64 measured_end = run->last_completion_ns > run->measure_start_ns ? run->last_completion_ns : run->rec.end_ns;
	for (int d = 0; d < 2; d++)
		run->rec.dir[d].runtime_ns = measured_end > run->measure_start_ns ? measured_end - run->measure_start_ns : 0;
	complete(run->done);
	return 0;
}

static void fio_run_group(struct fio_job_run *runs, unsigned first, unsigned last)
{
	struct completion done;
	init_completion(&done);
	for (unsigned i = first; i < last; i++) {
		runs[i].done = &done;
		if (runs[i].mem)
			mem_job_start(runs[i].mem, &done);
		else
			wake_up_process(kthread_create(fio_job_thread, &runs[i], "fio/%s", runs[i].job->name));
	}
	for (unsigned i = first; i < last; i++)
		wait_for_completion(&done);
}

void run_fio(void)
{
	const struct vms_workload *wl = (const struct vms_workload *)boot_params->workload_addr;
	unsigned n = wl->nr_jobs;
	struct fio_job_run *runs = kzalloc(n * sizeof(*runs));

	if (!runs)
		panic("fio: no memory for %u jobs", n);
	for (unsigned i = 0; i < n; i++) {
		if (wl->jobs[i].ioengine == VMS_IOENGINE_MEM)
			runs[i].mem = mem_job_create(&wl->jobs[i], i);
		else
			fio_job_setup(&runs[i], &wl->jobs[i], i);
	}
	for (unsigned first = 0; first < n;) {
		unsigned last = first + 1;
		while (last < n && wl->jobs[last].group == wl->jobs[first].group)
			last++;
		fio_run_group(runs, first, last);
		first = last;
	}
	for (unsigned i = 0; i < n; i++) {
		if (runs[i].mem) {
			mem_job_finish(runs[i].mem);
			continue;
		}
		results_record(VMS_REC_FIO_JOB, &runs[i].rec, sizeof(runs[i].rec));
		fio_job_teardown(&runs[i]);
	}
	kfree(runs);
}
