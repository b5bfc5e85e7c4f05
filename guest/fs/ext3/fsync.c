/*
 * fsync on ext3 (fs/ext3/fsync.c): the file's dirty pages written and waited for,
 * then what makes them reachable, the inode and its block map: with the journal, the
 * last transaction that changed the inode committed (i_sync_tid; fdatasync's
 * i_datasync_tid; none when it is committed already: an overwrite in place needs no
 * commit). In data=ordered that commit first writes the data of every file the
 * transaction touched: the ordered-mode fsync stall. Without a journal, every dirty
 * metadata block of the disk is written in place (a superset of the file's, as ext2's
 * fsync writes the inode and its buffers). The caller then flushes the disk's cache.
 *
 * A measured task (an fio job's) learns where each fsync's time went: its data, the
 * wait for the commit, the commit's own I/O (vmsweep/journal.h, VMS_REC_JBD2_FSYNC).
 */
#include <asm/tsc.h>
#include <kernel/sched.h>
#include <vmsweep/journal.h>
#include <fs/ext3.h>

static int ext3_sync_journal(struct ext3_sb_info *sbi, u64 *io_ns)
{
	return sbi->s_journal ? jbd2_journal_force_commit(sbi->s_journal, io_ns) : filemap_write_and_wait(sbi->bdev);
}

int ext3_sync_metadata(struct ext3_sb_info *sbi)
{
	return ext3_sync_journal(sbi, NULL);
}

int ext3_sync_file(struct ext3_inode_info *ei, bool datasync)
{
	journal_t *j = ei->sbi->s_journal;
	struct vms_rec_jbd2_fsync *fs = j ? current->fsync_stats : NULL;
	u64 t0 = fs ? ktime_get_ns() : 0, io_ns = 0;
	int err = filemap_write_and_wait(&ei->mapping);
	u64 t1 = fs ? ktime_get_ns() : 0;
	u32 tid = datasync ? READ_ONCE(ei->i_datasync_tid) : READ_ONCE(ei->i_sync_tid);
	int e = j ? jbd2_log_wait_tid(j, tid, fs ? &io_ns : NULL) : filemap_write_and_wait(ei->sbi->bdev);
	if (fs) {
		u64 wait = ktime_get_ns() - t1;
		io_ns = min(io_ns, wait);
		fs->fsyncs++;
		fs->data_ns_sum += t1 - t0;
		fs->commit_wait_ns_sum += wait - io_ns;
		fs->commit_io_ns_sum += io_ns;
	}
	return err ? err : e;
}
