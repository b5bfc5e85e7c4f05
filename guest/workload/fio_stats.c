/*
 * fio's statistics of a job, counted as fio counts them (stat.c, io_u.c, ioengines.c of
 * fio 3.33) from what the guest sees:
 *  - slat, clat, lat: an I/O's start_time is when it is ready to submit (fio_submit), its
 *    issue_time when its request went to the device (the block layer's dispatch, where
 *    libaio's io_submit returns), its completion the interrupt's. So slat = issue - start,
 *    clat = completion - issue, lat = completion - start. Sync engines have no slat (fio
 *    records none without a commit) and their clat runs from the bio's submission, as
 *    fio times the whole pread.
 *  - latency_ns/us/ms: each read's and write's clat in fio's fixed ranges.
 *  - iodepth_level: the job's I/Os in flight as each is submitted, flushes included
 *    (fio's io_u_mark_depth, also for syncs: fio's percentages can pass 100 with fsync=);
 *    iodepth_submit: I/Os handed to the block layer at once (one plug's batch; one per
 *    call for sync engines); iodepth_complete: completions the job's task found at once
 *    when it woke or polled (one per I/O for sync engines).
 *  - bw and iops samples every 500 ms (fio's default bw_avg_time, iops_avg_time) of
 *    the time after ramp, taken by the job's task when it runs (fio's helper thread
 *    wakes on its own: a job that sleeps longer, rate= or thinktime=, takes fewer, each
 *    over its own interval): KiB/s and I/O/s of each direction that moved data in it.
 *  - usr/sys: the job task's time on a CPU, sys its time in the block layer and the page
 *    cache (submitting, polling), usr the rest (offsets, buffers, checksums); ctx its
 *    context switches. The guest's tasks take no page faults: majf and minf stay 0.
 */
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/kernel.h>
#include <kernel/results.h>
#include <kernel/sched.h>
#include <vmsweep/hist.h>
#include "fio.h"

#define FIO_AVG_MS 500 /* fio's bw_avg_time and iops_avg_time default */
#define LOG_MSEC_SLACK 1 /* fio's stat.h: a sample this close to due is taken */

static void stat_add(struct vms_fio_stat *s, u64 v)
{
	unsigned __int128 sq = (unsigned __int128)v * v;
	unsigned __int128 sum = ((unsigned __int128)s->sumsq[1] << 64 | s->sumsq[0]) + sq;

	if (!s->n || v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
	s->n++;
	s->sum += v;
	s->sumsq[0] = (u64)sum;
	s->sumsq[1] = (u64)(sum >> 64);
}

static void sumsq_add(u64 sumsq[2], u64 v)
{
	unsigned __int128 sum = ((unsigned __int128)sumsq[1] << 64 | sumsq[0]) + (unsigned __int128)v * v;
	sumsq[0] = (u64)sum;
	sumsq[1] = (u64)(sum >> 64);
}

/* fio's __io_u_mark_map: 0, 1-4, 5-8, 9-16, 17-32, 33-64, more */
static unsigned map_index(u64 nr)
{
	if (nr == 0)
		return 0;
	if (nr > 64)
		return 6;
	return nr <= 4 ? 1 : 64 - (unsigned)__builtin_clzll(nr - 1) - 1;
}

/* fio's io_u_mark_depth: 1, 2-3, 4-7, 8-15, 16-31, 32-63, 64 and more */
static unsigned depth_index(u64 depth)
{
	if (depth <= 1)
		return 0;
	if (depth >= 64)
		return 6;
	return 63 - (unsigned)__builtin_clzll(depth);
}

/* fio's io_u_mark_lat_nsec/usec/msec: the upper ends 2, 4, 10, 20, 50, 100, 250, 500, 750, 1000 (2000, more) */
static unsigned range_index(u64 v, unsigned nr)
{
	static const u64 ends[] = { 2, 4, 10, 20, 50, 100, 250, 500, 750, 1000, 2000 };
	unsigned i = 0;

	while (i < nr - 1 && v >= ends[i])
		i++;
	return i;
}

static void mark_latency(struct vms_rec_fio_job *r, u64 ns)
{
	if (ns < 1000)
		r->lat_n[range_index(ns, VMS_FIO_LAT_N_NR)]++;
	else if (ns < 1000000)
		r->lat_u[range_index(ns / 1000, VMS_FIO_LAT_U_NR)]++;
	else
		r->lat_m[range_index(ns / 1000000, VMS_FIO_LAT_M_NR)]++;
}

/* fio's FIO_SYNCIO engines: psync and the like, and cpuio */
static bool sync_engine(const struct fio_job_run *run)
{
	return run->job->ioengine != VMS_IOENGINE_ASYNC;
}

void fio_stats_start(struct fio_job_run *run)
{
	struct task_struct *t = current;

	run->stats.cpu_start_ns = t->sum_exec_ns + (ktime_get_ns() - t->slice_start_ns);
	run->stats.nvcsw_start = t->nvcsw;
	run->stats.nivcsw_start = t->nivcsw;
	run->stats.migrations_start = t->nr_migrations;
	run->stats.wakeups_start = t->nr_wakeups;
}

void fio_stats_finish(struct fio_job_run *run)
{
	struct task_struct *t = current;
	struct vms_rec_fio_job *r = &run->rec;
	u64 cpu = t->sum_exec_ns + (ktime_get_ns() - t->slice_start_ns) - run->stats.cpu_start_ns;

	r->sys_ns = min(r->sys_ns, cpu);
	r->usr_ns = cpu - r->sys_ns;
	r->task_nvcsw = t->nvcsw - run->stats.nvcsw_start;
	r->task_nivcsw = t->nivcsw - run->stats.nivcsw_start;
	r->ctx = r->task_nvcsw + r->task_nivcsw;
	r->majf = r->minf = 0;
	/* vmsweep's own: the task's time, moves and wake-ups */
	r->task_cpu_ns = cpu;
	r->task_migrations = t->nr_migrations - run->stats.migrations_start;
	r->task_wakeups = t->nr_wakeups - run->stats.wakeups_start;
}

/* A submit and a reap of one I/O, as fio's td_io_queue counts them for an engine without commit. */
static void submit_and_reap_one(struct vms_rec_fio_job *r)
{
	r->submit_map[1]++;
	r->total_submit++;
	r->complete_map[1]++;
	r->total_complete++;
}

/* A completion latency into the direction's clat stats, histogram and the latency marks. */
static void clat_add(struct fio_job_run *run, struct vms_fio_dir *d, u64 clat)
{
	d->clat_sum_ns += clat;
	sumsq_add(d->clat_sumsq, clat);
	if (clat < d->clat_min_ns || !d->clat_min_ns)
		d->clat_min_ns = clat;
	if (clat > d->clat_max_ns)
		d->clat_max_ns = clat;
	d->clat_buckets[vms_hist_index(clat)]++;
	mark_latency(&run->rec, clat);
}

void fio_stats_cycle_done(struct fio_job_run *run, u64 start, u64 end)
{
	struct vms_fio_dir *d = &run->rec.dir[0];
	u64 lat = end > start ? end - start : 0;

	if (READ_ONCE(run->ramping))
		return;
	/* fio's td_io_queue of a sync engine: depth 1, a submit and a reap of one */
	run->rec.depth_map[0]++;
	submit_and_reap_one(&run->rec);
	d->ios++;
	clat_add(run, d, lat);
	stat_add(&d->lat, lat);
	run->stats.completed++;
	fio_stats_reap(run);
}

u64 fio_stats_io_start(struct fio_job_run *run, struct fio_io *io)
{
	u64 now = ktime_get_ns();

	io->start_ns = now;
	if (READ_ONCE(run->ramping))
		return now;
	run->rec.depth_map[depth_index(READ_ONCE(run->inflight))]++;
	if (sync_engine(run)) /* fio's td_io_queue for an engine without commit */
		submit_and_reap_one(&run->rec);
	return now;
}

void fio_stats_sys_add(struct fio_job_run *run, u64 start)
{
	u64 now = ktime_get_ns();
	run->rec.sys_ns += now > start ? now - start : 0;
}

u64 fio_stats_io_done(struct fio_job_run *run, struct fio_io *io, const struct bio *bio)
{
	struct vms_fio_dir *d = &run->rec.dir[io->dir];
	u64 issue = sync_engine(run) ? bio->submit_ns : bio->issue_ns;
	u64 end = bio->complete_ns;
	u64 start = min(io->start_ns, issue);
	u64 clat = end > issue ? end - issue : 0, lat = end > start ? end - start : 0;

	clat_add(run, d, clat);
	if (!sync_engine(run))
		stat_add(&d->slat, issue - start);
	stat_add(&d->lat, lat);
	run->stats.completed++;
	return clat;
}

void fio_stats_sync_done(struct fio_job_run *run, u64 lat)
{
	struct vms_rec_fio_job *r = &run->rec;

	if (!r->nr_syncs || lat < r->sync_lat_min_ns)
		r->sync_lat_min_ns = lat;
	if (lat > r->sync_lat_max_ns)
		r->sync_lat_max_ns = lat;
	sumsq_add(r->sync_lat_sumsq, lat);
	r->sync_buckets[vms_hist_index(lat)]++;
}

void fio_stats_submitted(struct fio_job_run *run, unsigned n)
{
	if (!n || sync_engine(run) || READ_ONCE(run->ramping))
		return;
	run->rec.submit_map[map_index(n)]++;
	run->rec.total_submit++;
}

/* fio's __add_samples: a rate per direction that moved data, over the time since the last */
static void fio_stats_sample(struct fio_job_run *run, u64 now)
{
	struct fio_stats_run *st = &run->stats;

	if (!st->sample_ns) {
		st->sample_ns = run->measure_start_ns;
		return;
	}
	u64 spent = now > st->sample_ns ? (now - st->sample_ns) / NSEC_PER_MSEC : 0;
	if (spent < FIO_AVG_MS && FIO_AVG_MS - spent > LOG_MSEC_SLACK)
		return;
	for (int dir = 0; dir < 2; dir++) {
		struct vms_fio_dir *d = &run->rec.dir[dir];
		u64 bytes = READ_ONCE(d->io_bytes), ios = READ_ONCE(d->ios);
		if (bytes != st->sample_bytes[dir]) {
			stat_add(&d->bw, spent ? (bytes - st->sample_bytes[dir]) * 1000 / spent / 1024 : 0);
			st->sample_bytes[dir] = bytes;
		}
		if (ios != st->sample_ios[dir]) {
			stat_add(&d->iops, spent ? (ios - st->sample_ios[dir]) * 1000 / spent : 0);
			st->sample_ios[dir] = ios;
		}
	}
	st->sample_ns = now;
}

void fio_stats_reap(struct fio_job_run *run)
{
	struct fio_stats_run *st = &run->stats;

	if (READ_ONCE(run->ramping))
		return;
	u64 done = READ_ONCE(st->completed);
	if (done != st->reaped && !sync_engine(run)) {
		run->rec.complete_map[map_index(done - st->reaped)]++;
		run->rec.total_complete++;
	}
	st->reaped = done;
	fio_stats_sample(run, ktime_get_ns());
}

struct fio_wait {
	struct fio_job_run *run;
	u32 below;
	bool or_stop;
};

static bool fio_wait_done(void *arg)
{
	const struct fio_wait *w = arg;
	return READ_ONCE(w->run->inflight) < w->below || (w->or_stop && READ_ONCE(w->run->stop));
}

void fio_wait_inflight(struct fio_job_run *run, u32 below, bool or_stop)
{
	struct fio_wait w = { run, below, or_stop };
	if (fio_wait_done(&w))
		return;
	if (run->disk->queue->poll_mode || (run->job->flags & VMS_JOB_HIPRI)) {
		u64 start = ktime_get_ns();
		blk_poll_until(run->disk, fio_wait_done, &w);
		fio_stats_sys_add(run, start);
	} else {
		u64 start = ktime_get_ns();
		bool polled = blk_hybrid_poll_wait(run->disk, fio_wait_done, &w);
		fio_stats_sys_add(run, start);
		if (!polled)
			wait_event(run->wq, fio_wait_done(&w));
	}
}

/* fio's disk_util: the block layer's counts of each disk a disk job uses, over the jobs' run. */
static struct disk_stats disk_start[VMS_MAX_DISKS];
static u64 disk_start_ns;

static bool disk_used(const struct vms_workload *wl, unsigned disk)
{
	for (unsigned i = 0; i < wl->nr_jobs; i++)
		if (vms_job_on_disk(&wl->jobs[i]) && wl->jobs[i].disk == disk)
			return true;
	return false;
}

void fio_disk_stats_start(const struct vms_workload *wl)
{
	disk_start_ns = ktime_get_ns();
	for (unsigned i = 0; i < nr_disks && i < VMS_MAX_DISKS; i++)
		if (disks[i] && disk_used(wl, i))
			disk_stats_read(disks[i], &disk_start[i]);
}

void fio_disk_stats_report(const struct vms_workload *wl)
{
	u64 now = ktime_get_ns();

	for (unsigned i = 0; i < nr_disks && i < VMS_MAX_DISKS; i++) {
		if (!disks[i] || !disk_used(wl, i))
			continue;
		struct disk_stats s, *b = &disk_start[i];
		disk_stats_read(disks[i], &s);
		struct vms_rec_fio_disk r = {
			.disk = i,
			.elapsed_ns = now - disk_start_ns,
			.flush_ios = s.ios[REQ_OP_FLUSH] - b->ios[REQ_OP_FLUSH],
			.flush_ticks_ns = s.nsecs[REQ_OP_FLUSH] - b->nsecs[REQ_OP_FLUSH],
			.io_ticks_ns = s.io_ticks_ns - b->io_ticks_ns,
		};
		for (int d = 0; d < 2; d++) {
			r.ios[d] = s.ios[d] - b->ios[d];
			r.merges[d] = s.merges[d] - b->merges[d];
			r.sectors[d] = s.sectors[d] - b->sectors[d];
			r.ticks_ns[d] = s.nsecs[d] - b->nsecs[d];
		}
		/* Linux's time_in_queue: every request's time, flushes included */
		r.time_in_queue_ns = r.ticks_ns[0] + r.ticks_ns[1] + r.flush_ticks_ns;
		results_record(VMS_REC_FIO_DISK, &r, sizeof(r));
	}
}
