/* The fio engine's job state (workload/fio.c runs jobs, workload/fio_job.c sets them up,
 * fio_rate.c paces them, fio_vlog.c and fio_verify.c verify what they wrote). */
#ifndef WORKLOAD_FIO_H
#define WORKLOAD_FIO_H
#include <kernel/blkdev.h>
#include <kernel/wait.h>
#include <mm/pagemap.h>
#include <vmsweep/abi.h>
#include <vmsweep/workload.h>
#include "fio_stats.h"
#include "fio_verify.h"

struct fio_job_run;

enum fio_io_state {
	FIO_IO_FREE,
	FIO_IO_INFLIGHT,
	FIO_IO_VERIFY, /* a read completed; the job's task checks its data before reusing the slot */
	FIO_IO_SYNC, /* sync=1: a write completed; the job's task issues the flush that completes it (fio_sync.c) */
};

struct ext3_inode_info;

/*
 * One of a job's files (fio's struct fio_file), or the raw disk: its own region, offsets
 * and random map, as fio keeps them per file.
 */
struct fio_file {
	struct ext3_inode_info *ei; /* the open file; NULL: the raw disk, or not opened yet (create_on_open) */
	struct address_space *mapping; /* buffered jobs: the file's or the disk's page cache; NULL: direct */
	struct file_ra_state ra; /* and its readahead */
	unsigned index; /* fio's fileno: the N of the file's name */
	bool done; /* no block of the region fits any more this pass (fio's fio_file_done) */
	u64 region_start, region_len; /* fio's file_offset and io_size: bytes on the disk, or in the file */
	u64 seq_pos; /* next sequential offset within the region */
	u64 *randommap; /* a bit per block of the job's smallest bs; NULL with norandommap */
	u64 nr_blocks, blocks_used;
	u64 vlog_base; /* its first block in the job's verify log (fio_vlog.c) */
};

struct fio_io {
	struct bio bio;
	struct fio_job_run *run;
	struct fio_file *file; /* the file this I/O (or fsync) is for */
	void *buf;
	int dir; /* 0 read, 1 write */
	u64 sync_start_ns; /* a buffered job's fsync: when writing the dirty pages began */
	u64 start_ns; /* ready to submit: fio's start_time (fio_stats.c) */
	bool verify; /* a read whose data is checked against vb */
	bool synced; /* sync=1: the flush after the write is done (fio_sync.c) */
	u64 write_submit_ns, write_sector; /* sync=1: the write its flush completes */
	u32 write_size;
	struct verify_block vb;
	volatile int state; /* enum fio_io_state */
};

struct fio_job_run {
	const struct vms_job *job;
	struct gendisk *disk;
	/* the job's files (fio_file.c), or the raw disk as its one file */
	struct fio_file *files;
	unsigned nr_files, nr_done_files;
	bool on_fs; /* files on the disk's ext3, not the raw disk */
	bool buffered; /* direct=0: through the page cache */
	bool randommapped; /* the files have random maps */
	/* fio's get_next_file: the file being served, I/Os left to it, the next round-robin one */
	struct fio_file *service_file;
	u32 service_left;
	unsigned next_file;
	u64 file_rand_state; /* file_service_type=random's draws (fio's next_file_state) */
	unsigned restarts; /* time_based: the files started over without a block found */
	int open_error; /* a file could not be opened (-errno): the job fails with it */
	u64 io_size; /* bytes to do unless time_based (fio's size: over all files) */
	u64 bytes_issued;
	u64 rand_state;
	u64 block_size;
	/* fio_offset.c: bssplit='s and random_distribution='s own draws; no block fits any more */
	u64 bs_state, dist_state, dist_rand_off;
	bool io_done;
	volatile unsigned syncs_pending; /* sync=1: writes done whose flush is not issued yet */
	struct fio_log *log; /* write_*_log: the samples on their way to the host (fio_log.c); NULL: none */
	unsigned depth;
	struct fio_io *ios;
	size_t buf_size;
	volatile unsigned inflight;
	volatile bool stop, ramping;
	raw_spinlock_t stat_lock; /* completions of one job can come from two CPUs */
	u64 measure_start_ns, last_completion_ns;
	u64 runtime_ns[2]; /* per direction: the phases that did it, as fio's update_runtime */
	/* verify= (fio_vlog.c): the write phase's log, read back by the verify phase */
	bool verifying; /* in the verify phase */
	bool dry_run; /* verify_only: the write phase logs its writes and does no I/O */
	bool vlog_done; /* the verify phase has issued every logged block */
	u64 vseed_base; /* write n's random data comes from vseed_base and n */
	u64 nr_writes; /* writes issued, the next one's number (fio's numberio) */
	u32 *vlog_seq; /* per block at the write size: 1 + the number of its latest write, 0: none */
	u32 *vlog_order; /* the blocks in the order first written (random jobs with a random map) */
	u64 vlog_nr_blocks, vlog_len, vlog_pos;
	/* rate=, rate_iops= (fio_rate.c): bytes/s per direction (0: none) and the schedule */
	u64 rate_bps[2], rate_start_ns, rate_issued[2], next_issue_ns[2];
	/* rate_process=poisson: each direction's draws and its gaps' sum (fio's poisson_state, last_usec) */
	u64 poisson_state[2], last_usec[2];
	int pending_dir; /* the direction the rate limiter made wait, issued next; -1: none */
	u64 writes_since_sync;
	/* fio_mark.c: the fsync in flight's promise, and a returned one's mark to send */
	u64 mark_writes, mark_size;
	volatile bool mark_pending;
	wait_queue_head_t wq;
	struct completion *done;
	struct mem_job_run *mem; /* ioengine=mem: a memory job (workload/memjob.c), none of the above */
	/* ioengine=cpuio (fio_cpuio.c): none of the disk's fields above either */
	int32_t *qsort_data; /* cpumode=qsort: fio's 256 Ki numbers */
	u64 cpucycle_ns; /* a cycle's burn: cpuchunks, or the last sort's time */
	u64 cpu_sink; /* the compute loop's result, kept so that it is computed */
	struct fio_stats_run stats; /* fio_stats.c */
	struct vms_rec_fio_job rec;
};

void fio_job_setup(struct fio_job_run *run, const struct vms_job *job, unsigned index);
/* fio_io.c: runs the job's current phase (the I/O, or verifying) to its end. */
void fio_run_phase(struct fio_job_run *run);
void fio_job_teardown(struct fio_job_run *run);
/* fio_file.c: the job's files set up as fio's setup_files, served as its get_next_file */
int fio_files_setup(struct fio_job_run *run);
struct fio_file *fio_file_next(struct fio_job_run *run); /* NULL: every file done, or an open failed */
void fio_file_done(struct fio_job_run *run, struct fio_file *f);
void fio_files_restart(struct fio_job_run *run); /* time_based: every file again */
void fio_files_unlink(struct fio_job_run *run); /* unlink=1, the job done */
int fio_files_writeback(struct fio_job_run *run); /* every file's dirty pages written, waited for */
void fio_files_teardown(struct fio_job_run *run);
int fio_pick_dir(struct fio_job_run *run);
u64 fio_rand(struct fio_job_run *run);
/* fio_offset.c: the next I/O's file, offset (on the disk, or in the file) and size; -1 when no file holds more */
void fio_offset_setup(struct fio_job_run *run, unsigned index);
int fio_next_block(struct fio_job_run *run, int dir, struct fio_file **file, u64 *offset, u64 *len);
u64 fio_min_bs(const struct vms_job *j, int dir);
/* fio_io.c: an I/O's completion (interrupt context) */
void fio_end_io(struct bio *bio);
/* fio_sync.c: sync=1 writes and end_fsync=1 */
bool fio_sync_write_done(struct fio_io *io, struct bio *bio);
bool fio_sync_reap(struct fio_job_run *run);
void fio_end_fsync(struct fio_job_run *run);
/* fio_mark.c: a mark in the disk's write log for each fsync of a file job that returned */
void fio_mark_fsync_start(struct fio_job_run *run); /* the job's task, as the fsync begins */
void fio_mark_fsync_done(struct fio_job_run *run, int error); /* its completion, any context */
void fio_mark_send(struct fio_job_run *run); /* the job's task, before its next I/O */
/* fio_log.c: write_lat_log, write_bw_log, write_iops_log */
void fio_log_setup(struct fio_job_run *run);
void fio_log_teardown(struct fio_job_run *run);
void fio_log_io(struct fio_job_run *run, const struct fio_io *io, const struct bio *bio, u64 clat);
void fio_log_flush(struct fio_job_run *run);
void fio_log_finish(struct fio_job_run *run);
/* Checks the workload the host compiled (it is input like any other): panics with the reason if bad. */
void fio_workload_check(void);
void run_fio(void);
/* fio_cpuio.c: ioengine=cpuio, fio's CPU burner */
void fio_cpuio_setup(struct fio_job_run *run, const struct vms_job *job, unsigned index);
int fio_cpuio_thread(void *data);
void fio_cpuio_teardown(struct fio_job_run *run);
/* fio.c: disk jobs not done yet, and all of them (exit_on_io_done) */
extern unsigned fio_disk_jobs_left, fio_disk_jobs;
/* fio_rate.c */
void fio_rate_setup(struct fio_job_run *run);
void fio_rate_start(struct fio_job_run *run, u64 now);
void fio_rate_account(struct fio_job_run *run, int dir, u64 bytes);
int fio_rate_ddir(struct fio_job_run *run, int dir, u64 now, u64 *due);
void fio_sleep_until(u64 due);
void fio_fill_pattern(struct fio_job_run *run, void *buf, u64 len);
/* fio_vlog.c */
bool fio_verify_phase_wanted(const struct vms_job *j);
void fio_vlog_setup(struct fio_job_run *run);
void fio_vlog_teardown(struct fio_job_run *run);
void fio_vlog_reset(struct fio_job_run *run);
void fio_vlog_add(struct fio_job_run *run, const struct fio_file *f, u64 offset, u64 seq);
bool fio_vlog_next(struct fio_job_run *run, struct fio_file **f, u64 *offset, u64 *seq);
#endif
