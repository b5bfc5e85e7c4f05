/*
 * The journal in memory (include/linux/jbd2.h, fs/jbd2/): one per mounted ext3, in its
 * journal inode's blocks. Metadata changes join the running transaction through
 * handles; kjournald commits it every `commit` seconds (or sooner: fsync, a
 * transaction a quarter of the log, a full log): its metadata blocks are copied into
 * the log after a descriptor block naming their homes, then the commit block; only
 * then are the blocks written home (checkpoint), after which their log space is free.
 * data=ordered writes the transaction's file data home before its commit block.
 *
 * Simplifications, said where they are: a transaction's metadata is copied into the
 * log while new handles wait (jbd2 keeps frozen copies instead), and the log is
 * checkpointed whole, all committed blocks home, when it runs short.
 */
#ifndef FS_JBD2_H
#define FS_JBD2_H
#include <fs/jbd2_fs.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/types.h>
#include <kernel/wait.h>
#include <vmsweep/hist.h>

struct page;
struct gendisk;
struct address_space;
struct task_struct;

enum transaction_state { T_RUNNING, T_LOCKED, T_COMMIT, T_FINISHED };

typedef struct transaction_s {
	u32 t_tid;
	enum transaction_state t_state;
	int t_updates; /* handles open in it */
	int t_handle_count;
	u64 t_start_ns;
	u64 t_requested_ns; /* when a commit was first asked for (jbd2_log_start_commit); 0: never */
	u64 t_max_wait_ns; /* the longest a handle waited to join it */
	/* its blocks: pages (of the disk's cache, or data=journal's file pages), each held by
	 * a reference, and the disk block each belongs at */
	struct page **t_buffers;
	u32 *t_homes;
	u32 t_nr_buffers, t_max_buffers;
	/* data=ordered: the files whose data it must write before its commit block */
	struct address_space **t_inodes;
	u32 t_nr_inodes, t_max_inodes;
	/* blocks it freed that held logged contents: revoke records, so that recovery does
	 * not write an older copy over the block's next owner */
	u32 *t_revoked;
	u32 t_nr_revoked, t_max_revoked;
	/* blocks it freed: not to be allocated again until it has committed (b_committed_data) */
	u32 *t_freed;
	u32 t_nr_freed, t_max_freed;
	/*
	 * Blocks it took while their last committed contents were not home yet (their page
	 * was dirty): those contents, saved, so that a checkpoint before this transaction
	 * commits can still write them home (else the log that holds them would be reused
	 * and they would be lost). Dropped once it has committed.
	 */
	struct jbd2_saved {
		void *copy;
		u32 home;
		bool data; /* a file's page (data=journal), else metadata: which bytes a checkpoint counts it in */
	} *t_saved;
	u32 t_nr_saved, t_max_saved;
} transaction_t;

/* What /proc/fs/jbd2/DEV/info shows (the phases as vmsweep/journal.h defines them). */
struct jbd2_stats {
	u64 transactions, handles, blocks, blocks_logged;
	u64 commit_ns_sum, commit_ns_max, run_ns_sum, lock_ns_sum, flush_ns_sum, logging_ns_sum;
	u64 wait_ns_sum, request_delay_ns_sum;
	u64 checkpoints, commits_forced;
	u64 journal_bytes; /* log blocks and the superblock, as written */
};

/* A commit's logging phase, kept for the fsyncs that waited on it (their I/O share). */
struct jbd2_commit_window {
	u32 tid;
	u64 logging_ns, end_ns;
};
#define JBD2_COMMIT_WINDOWS 8 /* the last commits' windows, by tid: an fsync woken later finds its own gone */

typedef struct journal_s {
	struct gendisk *j_disk;
	struct address_space *j_bdev; /* the disk's cache: the homes of the metadata blocks */
	u32 *j_blockmap; /* log block -> disk block (the journal inode's map, read at load) */
	u32 j_maxlen, j_first;
	u32 j_head; /* the next log block to write */
	u32 j_tail, j_tail_sequence; /* the oldest log block in use, and its transaction */
	u32 j_free; /* log blocks free */
	u32 j_transaction_sequence; /* the next transaction's tid */
	u32 j_commit_sequence; /* the last committed tid */
	u32 j_commit_request; /* the tid a waiter wants committed */
	u32 j_max_transaction_buffers; /* a quarter of the log: a bigger transaction commits */
	u8 j_uuid[16];
	int j_data_mode; /* enum vms_journal_mode */
	bool j_barrier;
	u64 j_commit_interval_ns;
	transaction_t *j_running_transaction;
	bool j_committing; /* a commit is under way (its transaction no longer running) */
	bool j_barrier_count; /* new handles wait: the running transaction is being closed */
	raw_spinlock_t j_state_lock;
	wait_queue_head_t j_wait_transaction_locked, j_wait_updates, j_wait_commit, j_wait_done_commit;
	struct task_struct *j_task; /* kjournald */
	char j_devname[16];
	struct jbd2_stats j_stats;
	u32 j_commit_buckets[VMS_HIST_NR]; /* commit times, ns, in vmsweep/hist.h buckets */
	struct jbd2_commit_window j_commit_windows[JBD2_COMMIT_WINDOWS]; /* under j_state_lock */
	/* blocks freed by transactions not yet committed (the running and the committing one's) */
	u32 *j_freed, *j_freed_tid;
	u32 j_nr_freed, j_max_freed;
	/* data=journal: the files whose pages went through the log (a checkpoint writes them home too) */
	struct address_space **j_data_mappings;
	u32 j_nr_data_mappings, j_max_data_mappings;
} journal_t;

typedef struct jbd2_handle {
	journal_t *h_journal;
	transaction_t *h_transaction;
	int h_buffer_credits;
	bool h_sync; /* the transaction commits before journal_stop returns (O_SYNC, fsync) */
} jbd2_handle_t;

/* fs/jbd2/journal.c: load (and recover) at mount, kjournald, release at unmount. */
journal_t *jbd2_journal_init(struct gendisk *disk, struct address_space *bdev, const u32 *blockmap, u32 blocks,
			     const char *devname, int *err, char *why, size_t why_len);
int jbd2_journal_recover(journal_t *j, char *why, size_t why_len);
/* The log empty at its first block (the superblock says so) and kjournald started. */
int jbd2_journal_start_thread(journal_t *j);
int jbd2_journal_destroy(journal_t *j);
/* fs/jbd2/report.c: the journal's record (VMS_REC_JBD2), at unmount. */
struct backing_dev_info;
void jbd2_journal_report(journal_t *j, unsigned disk_index, const struct backing_dev_info *bdi);

/* fs/jbd2/transaction.c */
jbd2_handle_t *jbd2_journal_start(journal_t *j, int nblocks, int *err);
int jbd2_journal_stop(jbd2_handle_t *h);
int jbd2_journal_get_write_access(jbd2_handle_t *h, struct page *bh);
int jbd2_journal_dirty_metadata(jbd2_handle_t *h, struct page *bh);
/* data=ordered: the file's data goes home before the transaction's commit block. */
int jbd2_journal_file_inode(jbd2_handle_t *h, struct address_space *m);
/* A block freed under h: not reused before the commit; with logged contents (revoke), a
 * revoke record so that recovery leaves its next owner alone. */
int jbd2_journal_forget_block(jbd2_handle_t *h, u32 block, bool revoke);
/* Whether a free block may be allocated: its freeing has committed. */
bool jbd2_block_reusable(journal_t *j, u32 block);
void jbd2_freed_committed(journal_t *j, u32 tid); /* the commit's end */
/* data=journal, before a write changes a file's page (locked, not under writeback): its
 * committed contents saved if they are not home yet. */
int jbd2_journal_get_data_write_access(jbd2_handle_t *h, struct page *page, u32 home);
/* data=journal: a file's page into the transaction, to be logged and then written at home. */
int jbd2_journal_dirty_data_page(jbd2_handle_t *h, struct page *page, u32 home);

/* fs/jbd2/commit.c: kjournald and the commit. */
int kjournald(void *arg);
void jbd2_journal_commit_transaction(journal_t *j);
/* jbd2_log_start_commit: kjournald asked to commit tid (the running transaction's: a
 * request, counted in its statistics). */
void jbd2_log_start_commit(journal_t *j, u32 tid);
/* fsync's journal part: asks for the running transaction's commit and waits for it (or
 * waits for the one committing); io_ns (if not NULL): the wait's part spent in the
 * commit's own I/O. */
int jbd2_journal_force_commit(journal_t *j, u64 *io_ns);
/* The unmount's: the same, not counted as a request (jbd2_journal_destroy's own commit). */
int jbd2_journal_commit_last(journal_t *j);
/* Waits until transaction tid has committed, asking for its commit if it is running. */
int jbd2_log_wait_tid(journal_t *j, u32 tid, u64 *io_ns);

/* fs/jbd2/checkpoint.c: all committed metadata home, the log emptied. */
/* next_tid: the transaction the log holds next, at its head (recovery starts there); t:
 * the transaction being committed, whose saved committed blocks are written home too. */
int jbd2_log_do_checkpoint(journal_t *j, u32 next_tid, transaction_t *t);
int jbd2_journal_update_sb_log_tail(journal_t *j, u32 tail_sequence, u32 tail_block);
/* Writes one log block from buf (synchronously, flush and FUA as asked). */
int jbd2_write_log_block(journal_t *j, u32 log_block, const void *buf, bool preflush, bool fua);
#endif
