/*
 * The fio engine of the built-in guest: each job of the compiled workload runs as a
 * kernel thread over the block layer (its I/O loop is fio_io.c). A job that writes
 * with verify= then reads back what it wrote and checks it (fio's do_verify), and a
 * time_based one does so again and again until its runtime is over (fio's loop of
 * do_io and do_verify). Jobs of one group start together; a stonewall group waits for
 * the groups before it.
 */
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/kthread.h>
#include <kernel/printk.h>
#include <kernel/results.h>
#include <kernel/slab.h>
#include <kernel/wait.h>
#include <vmsweep/workload.h>
#include <mm/pagemap.h>
#include <kernel/timer.h>
#include "fio.h"
#include "memjob.h"

/* exit_on_io_done (fio_cpuio.c): the disk jobs of the workload, and those not done yet */
unsigned fio_disk_jobs, fio_disk_jobs_left;

static bool fio_runtime_over(const struct fio_job_run *run)
{
	const struct vms_job *j = run->job;
	return READ_ONCE(run->stop) || (j->runtime_ns && ktime_get_ns() >= run->measure_start_ns + j->runtime_ns);
}

/* A phase's time from start (not before the measurement starts) to its last completion. */
static u64 fio_phase_ns(const struct fio_job_run *run, u64 start)
{
	u64 end = run->last_completion_ns > start ? run->last_completion_ns : ktime_get_ns();

	start = max(start, run->measure_start_ns);
	return end > start ? end - start : 0;
}

/*
 * fio's do_verify: the dirty pages of a buffered job are written first (fio syncs and
 * drops the cache), then every block the write phase logged is read back and checked,
 * unpaced. The reads count in the job's read statistics and read runtime, as in fio.
 */
static void fio_verify_phase(struct fio_job_run *run)
{
	if (fio_files_writeback(run)) {
		unsigned long flags;
		spin_lock_irqsave(&run->stat_lock, flags);
		if (!run->rec.error)
			run->rec.error = VMS_FIO_EIO;
		WRITE_ONCE(run->stop, true);
		spin_unlock_irqrestore(&run->stat_lock, flags);
		return;
	}
	u64 start = ktime_get_ns();
	bool dry_run = run->dry_run; /* verify_only's dry run is the write phase's; these reads are real */
	run->dry_run = false;
	run->verifying = true;
	fio_run_phase(run);
	run->verifying = false;
	run->dry_run = dry_run;
	run->runtime_ns[0] += fio_phase_ns(run, start);
}

static int fio_job_thread(void *data)
{
	struct fio_job_run *run = data;
	const struct vms_job *j = run->job;
	bool reads = j->rw != VMS_RW_WRITE && j->rw != VMS_RW_RANDWRITE;
	bool writes = j->rw != VMS_RW_READ && j->rw != VMS_RW_RANDREAD;

	/* fio's cpus_allowed: the job pins itself first (thread_main's fio_setaffinity); started
	 * on another CPU, it moves through that CPU's migration/N */
	if (j->cpus_allowed)
		set_cpus_allowed(current, j->cpus_allowed);
	if (run->open_error) { /* fio's td_verror at open: the job reports it, no I/O */
		run->rec.error = (u32)-run->open_error;
		run->rec.start_ns = run->rec.end_ns = ktime_get_ns();
		__atomic_fetch_sub(&fio_disk_jobs_left, 1, __ATOMIC_RELEASE);
		complete(run->done);
		return 0;
	}
	if (j->startdelay_ns) /* fio's startdelay: before anything is measured */
		msleep((unsigned)max(j->startdelay_ns / NSEC_PER_MSEC, 1ul));
	fio_stats_start(run);
	/* a buffered writer learns where its write time goes (mm/filemap.c, balance_dirty_pages) */
	struct vms_rec_wb_writer *wb_stats = writes && run->buffered ? kzalloc(sizeof(*wb_stats)) : NULL;
	if (wb_stats) {
		wb_stats->job = run->rec.job;
		wb_stats->clone = j->clone;
		current->wb_stats = wb_stats;
	}
	/* a writer of a file learns where its fsyncs' time goes (fs/ext3/fsync.c) */
	struct vms_rec_jbd2_fsync *fsync_stats = writes && run->on_fs ? kzalloc(sizeof(*fsync_stats)) : NULL;
	if (fsync_stats) {
		fsync_stats->job = run->rec.job;
		current->fsync_stats = fsync_stats;
	}
	run->rec.start_ns = ktime_get_ns();
	run->ramping = j->ramp_ns != 0;
	run->measure_start_ns = run->rec.start_ns + j->ramp_ns;
	run->pending_dir = -1;
	run->dry_run = (j->flags & VMS_JOB_VERIFY_ONLY) && writes;
	fio_rate_start(run, run->rec.start_ns);
	for (;;) {
		u64 start = ktime_get_ns();
		fio_run_phase(run);
		/* fio's do_io: end_fsync once the writes are in, unless the job failed */
		if (writes && (j->flags & VMS_JOB_END_FSYNC) && !run->dry_run && !run->rec.error)
			fio_end_fsync(run);
		/* fio's update_runtime: each direction the job does; a dry run's writes took no time */
		u64 ns = run->dry_run ? 0 : fio_phase_ns(run, start);
		run->runtime_ns[0] += reads ? ns : 0;
		run->runtime_ns[1] += writes ? ns : 0;
		if (!fio_verify_phase_wanted(j) || fio_runtime_over(run))
			break;
		fio_verify_phase(run);
		if (!(j->flags & VMS_JOB_TIME_BASED) || fio_runtime_over(run))
			break;
		run->bytes_issued = 0;
		fio_vlog_reset(run);
	}
	run->rec.end_ns = ktime_get_ns();
	for (int d = 0; d < 2; d++)
		run->rec.dir[d].runtime_ns = run->runtime_ns[d];
	fio_stats_finish(run);
	fio_log_finish(run);
	if ((j->flags & VMS_JOB_UNLINK) && run->on_fs) /* fio's unlink=1: the files go when the job is done */
		fio_files_unlink(run);
	if (wb_stats) {
		current->wb_stats = NULL;
		if (wb_stats->writes)
			results_record(VMS_REC_WB_WRITER, wb_stats, sizeof(*wb_stats));
		kfree(wb_stats);
	}
	if (fsync_stats) {
		current->fsync_stats = NULL;
		if (fsync_stats->fsyncs)
			results_record(VMS_REC_JBD2_FSYNC, fsync_stats, sizeof(*fsync_stats));
		kfree(fsync_stats);
	}
	__atomic_fetch_sub(&fio_disk_jobs_left, 1, __ATOMIC_RELEASE);
	complete(run->done);
	return 0;
}

static void fio_run_group(struct fio_job_run *runs, unsigned first, unsigned last)
{
	struct completion done;
	init_completion(&done);
	for (unsigned i = first; i < last; i++) {
		runs[i].done = &done;
		if (runs[i].mem) {
			mem_job_start(runs[i].mem, &done);
			continue;
		}
		bool cpuio = runs[i].job->ioengine == VMS_IOENGINE_CPU;
		wake_up_process(kthread_create(cpuio ? fio_cpuio_thread : fio_job_thread, &runs[i], "fio/%s",
					       runs[i].job->name));
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
	fio_disk_jobs = 0;
	for (unsigned i = 0; i < n; i++) {
		if (wl->jobs[i].ioengine == VMS_IOENGINE_MEM)
			runs[i].mem = mem_job_create(&wl->jobs[i], i);
		else if (wl->jobs[i].ioengine == VMS_IOENGINE_CPU)
			fio_cpuio_setup(&runs[i], &wl->jobs[i], i);
		else
			fio_job_setup(&runs[i], &wl->jobs[i], i);
		fio_disk_jobs += vms_job_on_disk(&wl->jobs[i]) != 0;
	}
	fio_disk_jobs_left = fio_disk_jobs;
	fio_disk_stats_start(wl);
	for (unsigned first = 0; first < n;) {
		unsigned last = first + 1;
		while (last < n && wl->jobs[last].group == wl->jobs[first].group)
			last++;
		fio_run_group(runs, first, last);
		first = last;
	}
	fio_disk_stats_report(wl);
	for (unsigned i = 0; i < n; i++) {
		if (runs[i].mem) {
			mem_job_finish(runs[i].mem);
			continue;
		}
		results_record(VMS_REC_FIO_JOB, &runs[i].rec, sizeof(runs[i].rec));
		if (wl->jobs[i].ioengine == VMS_IOENGINE_CPU)
			fio_cpuio_teardown(&runs[i]);
		else
			fio_job_teardown(&runs[i]);
	}
	kfree(runs);
}
