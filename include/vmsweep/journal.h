/*
 * The journal's record (guest/fs/jbd2/report.c), one per mounted ext3 at its unmount:
 * what /proc/fs/jbd2/DEV/info shows, the commit times' histogram, and where the bytes
 * went (write amplification: the workload's file data, metadata written home, the
 * journal's own blocks). Shared by host and guest (records.h: VMS_REC_JBD2).
 */
#ifndef VMSWEEP_JOURNAL_H
#define VMSWEEP_JOURNAL_H
#include <stdint.h>

struct vms_rec_jbd2 {
	uint32_t disk; /* /dev/vda = 0 */
	uint32_t data_mode; /* enum vms_journal_mode: journal, ordered, writeback */
	uint32_t barrier; /* 0 or 1 */
	uint32_t commit_interval_s;
	uint32_t journal_blocks; /* the log's length, 4 KiB blocks */
	uint32_t max_transaction_blocks; /* a bigger transaction commits at once (a quarter of the log) */
	uint64_t transactions; /* committed */
	uint64_t commits_forced; /* asked for by fsync (and O_SYNC), not kjournald's timer */
	uint64_t handles; /* over all transactions */
	uint64_t blocks; /* metadata blocks in the transactions */
	uint64_t blocks_logged; /* log blocks written: those, descriptors and commit blocks */
	uint64_t run_ns_sum; /* a transaction's time open, from its first handle to its commit's start */
	uint64_t lock_ns_sum; /* waiting for its handles to finish */
	uint64_t flush_ns_sum; /* writing its ordered data home */
	uint64_t commit_ns_sum, commit_ns_max; /* a commit, whole */
	uint64_t checkpoints; /* the log emptied because it ran short */
	/* bytes that reached the disk (the write stream's split) */
	uint64_t data_bytes; /* files' pages */
	uint64_t metadata_bytes; /* metadata blocks written home (checkpoint, writeback) */
	uint64_t journal_bytes; /* the log's blocks, its superblock included */
	uint64_t file_bytes_written; /* what the workload wrote into files (buffered writes' bytes) */
	uint32_t commit_buckets[1856]; /* commit times, fio's buckets (VMS_HIST_NR_ABI) */
};
#endif
