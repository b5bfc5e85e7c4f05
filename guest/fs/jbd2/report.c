/*
 * The journal's record at unmount (what /proc/fs/jbd2/DEV/info shows, and the commit
 * times' histogram), with the disk's bytes split for write amplification: the disk's
 * backing_dev_info counts what its page cache wrote, files' pages apart from the
 * disk's own mapping, which on a disk with a file system holds only metadata; the
 * journal counts its own blocks, written around the page cache.
 */
#include <kernel/kernel.h>
#include <kernel/results.h>
#include <lib/string.h>
#include <mm/backing-dev.h>
#include <fs/jbd2.h>

_Static_assert(VMS_HIST_NR == VMS_HIST_NR_ABI, "commit_buckets are fio's buckets");

void jbd2_journal_report(journal_t *j, unsigned disk_index, const struct backing_dev_info *bdi)
{
	static struct vms_rec_jbd2 r; /* 7.6 KB: not on a kernel stack; unmounts run one at a time */
	unsigned long flags;

	memset(&r, 0, sizeof(r));
	r.disk = disk_index;
	r.data_mode = (u32)j->j_data_mode;
	r.barrier = j->j_barrier;
	r.commit_interval_s = (u32)(j->j_commit_interval_ns / NSEC_PER_SEC);
	r.journal_blocks = j->j_maxlen;
	r.max_transaction_blocks = j->j_max_transaction_buffers;
	spin_lock_irqsave(&j->j_state_lock, flags);
	const struct jbd2_stats *s = &j->j_stats;
	r.transactions = s->transactions;
	r.commits_forced = s->commits_forced;
	r.handles = s->handles;
	r.blocks = s->blocks;
	r.blocks_logged = s->blocks_logged;
	r.wait_ns_sum = s->wait_ns_sum;
	r.request_delay_ns_sum = s->request_delay_ns_sum;
	r.run_ns_sum = s->run_ns_sum;
	r.lock_ns_sum = s->lock_ns_sum;
	r.flush_ns_sum = s->flush_ns_sum;
	r.logging_ns_sum = s->logging_ns_sum;
	r.commit_ns_sum = s->commit_ns_sum;
	r.commit_ns_max = s->commit_ns_max;
	r.checkpoints = s->checkpoints;
	r.journal_bytes = __atomic_load_n(&s->journal_bytes, __ATOMIC_RELAXED);
	memcpy(r.commit_buckets, j->j_commit_buckets, sizeof(r.commit_buckets));
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	r.data_bytes = READ_ONCE(bdi->bytes_written_file);
	r.metadata_bytes = READ_ONCE(bdi->bytes_written_bdev);
	r.file_bytes_written = READ_ONCE(bdi->bytes_copied_file);
	results_record(VMS_REC_JBD2, &r, sizeof(r));
}
