/*
 * The journal's records (guest/fs/jbd2/report.c), one per mounted ext3 at its unmount:
 * what /proc/fs/jbd2/DEV/info shows, the commit times' histogram, and where the bytes
 * went (write amplification: the workload's file data, metadata written home, the
 * journal's own blocks); and per fio job that fsyncs a file on a journaled ext3, where
 * its fsyncs' time went. Shared by host and guest (records.h: VMS_REC_JBD2,
 * VMS_REC_JBD2_FSYNC).
 */
#ifndef VMSWEEP_JOURNAL_H
#define VMSWEEP_JOURNAL_H
#include <stdint.h>

#include <vmsweep/abi.h>

/*
 * A transaction's life, as jbd2's transaction_run_stats_s splits it: running (its first
 * handle to its commit's start), then its commit: locked (new handles held off while its
 * open handles finish, log space is made and its blocks are copied), flushing (its
 * ordered data written home), logging (its log blocks and commit block written). So
 * lock + flush + logging is the commit, exactly.
 */
struct vms_rec_jbd2 {
	uint32_t disk; /* /dev/vda = 0 */
	uint32_t data_mode; /* enum vms_journal_mode: journal, ordered, writeback */
	uint32_t barrier; /* 0 or 1 */
	uint32_t commit_interval_s;
	uint32_t journal_blocks; /* the log's length, 4 KiB blocks */
	uint32_t max_transaction_blocks; /* a bigger transaction commits at once (a quarter of the log) */
	uint64_t transactions; /* committed */
	uint64_t commits_forced; /* of those, requested (Linux's "requested"): fsync, O_SYNC, a full transaction; not kjournald's timer, not the unmount */
	uint64_t handles; /* over all transactions */
	uint64_t blocks; /* blocks in the transactions (metadata; data=journal's file pages too) */
	uint64_t blocks_logged; /* log blocks written: those, descriptors, revoke and commit blocks */
	uint64_t wait_ns_sum; /* per transaction, the longest a handle waited to join it (Linux's t_max_wait) */
	uint64_t request_delay_ns_sum; /* the requested ones: from the request to the commit's start */
	uint64_t run_ns_sum; /* a transaction's time open, from its first handle to its commit's start */
	uint64_t lock_ns_sum; /* locked: see above */
	uint64_t flush_ns_sum; /* writing its ordered data home */
	uint64_t logging_ns_sum; /* writing its log blocks and commit block */
	uint64_t commit_ns_sum, commit_ns_max; /* a commit, whole */
	uint64_t checkpoints; /* the log emptied because it ran short */
	/* bytes that reached the disk (the write stream's split) */
	uint64_t data_bytes; /* files' pages */
	uint64_t metadata_bytes; /* metadata blocks written home (checkpoint, writeback) */
	uint64_t journal_bytes; /* the log's blocks, its superblock included */
	uint64_t file_bytes_written; /* what the workload wrote into files (buffered writes' bytes) */
	uint32_t commit_buckets[VMS_HIST_NR_ABI]; /* commit times, ns, fio's buckets */
};

/*
 * An fio job's fsyncs (fsync=, fdatasync=, end_fsync) of files on a journaled ext3:
 * each one's time writing the file's dirty pages, then waiting for the transaction
 * holding its metadata to commit, split into the commit's own I/O (its log and commit
 * blocks, as far as the fsync waited on them) and the rest (the transaction held open
 * by other handles, a checkpoint, in data=ordered every file's data the transaction
 * touched: the ordered-mode fsync stall). The device cache flush fio then issues is
 * fio's sync latency's remainder. Sent at the job's end when it fsynced.
 */
struct vms_rec_jbd2_fsync {
	uint32_t job; /* index into the workload's jobs */
	uint32_t pad;
	uint64_t fsyncs;
	uint64_t data_ns_sum, commit_wait_ns_sum, commit_io_ns_sum;
};
#endif
