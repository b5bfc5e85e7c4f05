/*
 * fsync on ext3 (fs/ext3/fsync.c): the file's dirty pages written and waited for,
 * then what makes them reachable, the inode and its block map: with the journal, the
 * running transaction committed (ext3_force_commit; in data=ordered its commit first
 * writes the data of every file the transaction touched: the ordered-mode fsync
 * stall); without one, every dirty metadata block of the disk written in place (a
 * superset of the file's, as ext2's fsync writes the inode and its buffers). The
 * caller then flushes the disk's cache.
 */
#include <fs/ext3.h>

int ext3_sync_metadata(struct ext3_sb_info *sbi)
{
	return sbi->s_journal ? jbd2_journal_force_commit(sbi->s_journal, NULL) : filemap_write_and_wait(sbi->bdev);
}

int ext3_sync_file(struct ext3_inode_info *ei)
{
	int err = filemap_write_and_wait(&ei->mapping);
	int e = ext3_sync_metadata(ei->sbi);
	return err ? err : e;
}
