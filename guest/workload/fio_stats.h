/*
 * fio's statistics beyond the bytes, I/Os and clat that fio_io.c's completions count
 * (fio's stat.c and io_u.c): slat and lat, the latency ranges, the iodepth maps, the
 * bw and iops samples, the flushes' latency, and the job task's CPU time.
 */
#ifndef WORKLOAD_FIO_STATS_H
#define WORKLOAD_FIO_STATS_H
#include <kernel/types.h>

struct fio_job_run;
struct fio_io;
struct bio;

/* The job's running state for them (struct fio_job_run's stats). */
struct fio_stats_run {
	u64 sample_ns; /* the current bw/iops sample interval's start; 0: not started */
	u64 sample_bytes[2], sample_ios[2]; /* the counts at its start */
	u64 completed, reaped; /* read/write completions, and those the job task has seen */
	/* the task's CPU time, switches and moves at the job's start */
	u64 cpu_start_ns, nvcsw_start, nivcsw_start, migrations_start, wakeups_start;
};

/* The job's task starts (fio's thread_main: its rusage from here). */
void fio_stats_start(struct fio_job_run *run);
/* The job's task ends: its CPU time and context switches into the record. */
void fio_stats_finish(struct fio_job_run *run);
/* An I/O (or a flush) about to be submitted, already in flight: fio's start_time and its
 * depth (io_u_mark_depth). Returns now, where its time in the block layer starts. */
u64 fio_stats_io_start(struct fio_job_run *run, struct fio_io *io);
/* A sync engine's "I/O" of no data from start to end: cpuio's burn cycle, a read of
 * 0 bytes to fio (its clat and lat the cycle's time, depth 1). */
void fio_stats_cycle_done(struct fio_job_run *run, u64 start, u64 end);
/* Time since start in the block layer or the page cache on the job's behalf (fio's sys). */
void fio_stats_sys_add(struct fio_job_run *run, u64 start);
/* A read or write completed without error, measured (not ramping), with stat_lock held:
 * returns its clat. */
u64 fio_stats_io_done(struct fio_job_run *run, struct fio_io *io, const struct bio *bio);
/* A flush completed after lat ns, with stat_lock held. */
void fio_stats_sync_done(struct fio_job_run *run, u64 lat);
/* An async job handed n reads and writes to the block layer at once (io_u_mark_submit). */
void fio_stats_submitted(struct fio_job_run *run, unsigned n);
/* The job's task looks at what completed since it last looked (io_u_mark_complete),
 * and takes a bw/iops sample when one is due (fio's add_bw_samples, add_iops_samples). */
void fio_stats_reap(struct fio_job_run *run);
/* Until fewer than below of the job's I/Os are in flight (or, with or_stop, the job is
 * told to stop): asleep, or polling when the disk is polled or the job is hipri (the
 * polling counted as sys). */
void fio_wait_inflight(struct fio_job_run *run, u32 below, bool or_stop);
struct vms_workload;
/* fio's disk_util: the disks' block-layer counts at the jobs' start, and a record of
 * what they did since for each disk a disk job used, at the end. */
void fio_disk_stats_start(const struct vms_workload *wl);
void fio_disk_stats_report(const struct vms_workload *wl);
#endif
