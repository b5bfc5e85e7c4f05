/*
 * The samples behind fio's log files (write_lat_log, write_bw_log, write_iops_log), sent
 * to the host in the samples ring (record FIO_LOG, vmsweep/iolog.h), which writes the
 * files (harness/records/iolog*.c). As fio 3.33's stat.c:
 *
 * - log_avg_msec=0: one entry per I/O completed and counted (not in ramp_time; the
 *   verify phase's reads too), which is a line in each of the job's logs: lat (slat +
 *   clat), clat, slat (async engines only, as fio measures it), bw (bytes * 10^6 /
 *   clat ns) and iops (1).
 * - log_avg_msec=N: lat, clat and slat are averaged per direction over windows that a
 *   sample closes once N ms have passed since the window's start (fio's add_log_sample
 *   for its inline logs; the start then put back to a multiple of N), and the open ones
 *   closed when the job ends; bw and iops are sampled every N ms (fio's helper thread,
 *   here at exact multiples of N ms as completions come): KiB/s and I/Os per second
 *   over the interval, for each direction that did I/O in it.
 *
 * A completion (interrupt context, under the job's stat_lock) only puts its entry in the
 * job's buffer; the job's task sends them, LOG_REC_ENTRIES a record. A full buffer
 * drops the entry and counts it; the last record (END) tells the host how many.
 */
#include <asm/tsc.h>
#include <kernel/kernel.h>
#include <kernel/results.h>
#include <kernel/slab.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include "fio.h"

#define LOG_BUF_ENTRIES 4096u /* between the completions and the task: 4 times the deepest iodepth */
#define LOG_REC_ENTRIES 128u /* a record's entries: 4 KiB of per-I/O entries */
#define NSEC_PER_MSEC_U 1000000ull

struct fio_log_win {
	u64 sum, samples;
};

struct fio_log {
	bool avg;
	u32 entry_size;
	/* the buffer: a ring of entries, head written by completions, tail by the task */
	u8 *buf;
	u32 head, tail, dropped;
	/* log_avg_msec: lat, clat, slat windows per direction (fio's avg_window, avg_last) */
	struct fio_log_win win[3][2];
	u64 avg_last[3][2];
	/* ... and bw, iops: the interval under way */
	u64 tick_bytes[2], tick_ios[2], next_tick_ms;
	/* the record being sent */
	struct vms_rec_fio_log *rec;
};

static bool fio_log_wanted(const struct vms_job *j)
{
	return j->flags & (VMS_JOB_LAT_LOG | VMS_JOB_BW_LOG | VMS_JOB_IOPS_LOG);
}

void fio_log_setup(struct fio_job_run *run)
{
	const struct vms_job *j = run->job;
	struct fio_log *log;

	if (!fio_log_wanted(j))
		return;
	log = kzalloc(sizeof(*log));
	if (!log)
		panic("fio: no memory for the logs of job %s", j->name);
	log->avg = j->log_avg_msec != 0;
	log->entry_size = log->avg ? sizeof(struct vms_fio_log_avg) : sizeof(struct vms_fio_log_io);
	log->buf = alloc_pages_exact(LOG_BUF_ENTRIES * log->entry_size);
	log->rec = kzalloc(sizeof(*log->rec) + LOG_REC_ENTRIES * log->entry_size);
	if (!log->buf || !log->rec)
		panic("fio: no memory for the logs of job %s", j->name);
	log->next_tick_ms = j->log_avg_msec;
	run->log = log;
}

void fio_log_teardown(struct fio_job_run *run)
{
	struct fio_log *log = run->log;

	if (!log)
		return;
	free_pages_exact(log->buf, LOG_BUF_ENTRIES * log->entry_size);
	kfree(log->rec);
	kfree(log);
	run->log = NULL;
}

static void *fio_log_slot(struct fio_log *log)
{
	if (log->head - log->tail >= LOG_BUF_ENTRIES) {
		log->dropped++;
		return NULL;
	}
	return log->buf + (log->head % LOG_BUF_ENTRIES) * log->entry_size;
}

static void fio_log_avg_put(struct fio_log *log, u32 type, int dir, u64 value, u64 time_ms)
{
	struct vms_fio_log_avg *e = fio_log_slot(log);

	if (!e)
		return;
	*e = (struct vms_fio_log_avg){ .value = value, .time_ms = (u32)time_ms, .type = (u8)type, .dir = (u8)dir };
	log->head++;
}

static u64 fio_log_mean(const struct fio_log_win *w)
{
	return (2 * w->sum + w->samples) / (2 * w->samples); /* fio: the mean + 0.50, truncated */
}

/* fio's add_log_sample with log_avg_msec, for an inline (latency) log. */
static void fio_log_window_add(struct fio_log *log, u32 type, int dir, u64 value, u64 elapsed, u64 avg_msec)
{
	struct fio_log_win *w = &log->win[type][dir];
	u64 *last = &log->avg_last[type][dir];

	w->sum += value;
	w->samples++;
	if (elapsed < *last || elapsed - *last < avg_msec)
		return;
	fio_log_avg_put(log, type, dir, fio_log_mean(w), elapsed);
	w->sum = w->samples = 0;
	*last = elapsed - elapsed % avg_msec;
}

/* bw and iops over the intervals that ended before now_ms (fio's __add_samples). */
static void fio_log_ticks(struct fio_log *log, const struct vms_job *j, u64 now_ms)
{
	u64 avg = j->log_avg_msec;

	if (now_ms < log->next_tick_ms)
		return;
	for (int d = 0; d < 2; d++) {
		if (!log->tick_ios[d])
			continue;
		if (j->flags & VMS_JOB_BW_LOG)
			fio_log_avg_put(log, VMS_FIO_LOG_BW, d, log->tick_bytes[d] * 1000 / avg / 1024, log->next_tick_ms);
		if (j->flags & VMS_JOB_IOPS_LOG)
			fio_log_avg_put(log, VMS_FIO_LOG_IOPS, d, log->tick_ios[d] * 1000 / avg, log->next_tick_ms);
		log->tick_bytes[d] = log->tick_ios[d] = 0;
	}
	/* the intervals after it had no I/O: nothing to log for them, as in fio */
	log->next_tick_ms = now_ms - now_ms % avg + avg;
}

void fio_log_io(struct fio_job_run *run, const struct fio_io *io, const struct bio *bio, u64 clat)
{
	struct fio_log *log = run->log;
	const struct vms_job *j = run->job;
	u64 epoch = run->measure_start_ns;
	u64 slat = bio->submit_ns > io->start_ns ? bio->submit_ns - io->start_ns : 0;
	u64 now_ms = bio->complete_ns > epoch ? (bio->complete_ns - epoch) / NSEC_PER_MSEC_U : 0;
	u64 issue_ms = bio->submit_ns > epoch ? (bio->submit_ns - epoch) / NSEC_PER_MSEC_U : 0;
	int dir = io->dir;

	if (!log->avg) {
		struct vms_fio_log_io *e = fio_log_slot(log);
		if (!e)
			return;
		*e = (struct vms_fio_log_io){ .offset = bio->sector << SECTOR_SHIFT, .clat_ns = clat,
					      .slat_ns = (u32)min(slat, 0xffffffffull), .time_ms = (u32)now_ms,
					      .issue_ms = (u32)issue_ms,
					      .bs_dir = bio->size | (dir ? VMS_FIO_LOG_DIR_WRITE : 0) };
		log->head++;
		return;
	}
	if (j->flags & VMS_JOB_LAT_LOG) {
		fio_log_window_add(log, VMS_FIO_LOG_LAT, dir, slat + clat, now_ms, j->log_avg_msec);
		fio_log_window_add(log, VMS_FIO_LOG_CLAT, dir, clat, now_ms, j->log_avg_msec);
		if (j->ioengine == VMS_IOENGINE_ASYNC) /* fio measures slat for async engines only */
			fio_log_window_add(log, VMS_FIO_LOG_SLAT, dir, slat, issue_ms, j->log_avg_msec);
	}
	if (j->flags & (VMS_JOB_BW_LOG | VMS_JOB_IOPS_LOG)) {
		fio_log_ticks(log, j, now_ms);
		log->tick_bytes[dir] += bio->size;
		log->tick_ios[dir]++;
	}
}

/* Sends what the buffer holds, a record at a time; all of it, or only whole records. */
static void fio_log_send(struct fio_job_run *run, bool all)
{
	struct fio_log *log = run->log;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&run->stat_lock, flags);
		u32 n = min(log->head - log->tail, LOG_REC_ENTRIES);
		if (!n || (!all && n < LOG_REC_ENTRIES)) {
			spin_unlock_irqrestore(&run->stat_lock, flags);
			return;
		}
		u8 *out = (u8 *)(log->rec + 1);
		for (u32 i = 0; i < n; i++)
			memcpy(out + i * log->entry_size, log->buf + ((log->tail + i) % LOG_BUF_ENTRIES) * log->entry_size,
			       log->entry_size);
		log->tail += n;
		spin_unlock_irqrestore(&run->stat_lock, flags);
		*log->rec = (struct vms_rec_fio_log){ .job = run->rec.job,
						      .kind = log->avg ? VMS_FIO_LOG_AVG : VMS_FIO_LOG_IO, .nr = n };
		samples_record(VMS_REC_FIO_LOG, log->rec, sizeof(*log->rec) + n * log->entry_size);
	}
}

void fio_log_flush(struct fio_job_run *run)
{
	if (run->log)
		fio_log_send(run, false);
}

void fio_log_finish(struct fio_job_run *run)
{
	struct fio_log *log = run->log;
	const struct vms_job *j = run->job;
	unsigned long flags;

	if (!log)
		return;
	if (log->avg && (j->flags & VMS_JOB_LAT_LOG)) {
		/* fio's finalize_logs: the open latency windows, at the job's end */
		u64 now = ktime_get_ns(), epoch = run->measure_start_ns;
		u64 now_ms = now > epoch ? (now - epoch) / NSEC_PER_MSEC_U : 0;
		spin_lock_irqsave(&run->stat_lock, flags);
		for (u32 t = VMS_FIO_LOG_LAT; t <= VMS_FIO_LOG_SLAT; t++)
			for (int d = 0; d < 2; d++)
				if (log->win[t][d].samples) {
					fio_log_avg_put(log, t, d, fio_log_mean(&log->win[t][d]), now_ms);
					log->win[t][d].sum = log->win[t][d].samples = 0;
				}
		spin_unlock_irqrestore(&run->stat_lock, flags);
	}
	fio_log_send(run, true);
	struct vms_rec_fio_log end = { .job = run->rec.job, .kind = VMS_FIO_LOG_END, .dropped = log->dropped };
	samples_record(VMS_REC_FIO_LOG, &end, sizeof(end));
}
