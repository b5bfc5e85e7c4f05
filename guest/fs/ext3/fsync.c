/*
 * fsync on ext3 (fs/ext3/fsync.c): the file's dirty pages written and waited for, then
 * what makes them reachable: the inode and the blocks of its map. Until the journal
 * commits them as one transaction, they are written in place: every dirty metadata
 * block of the disk (a superset of the file's), as ext2's fsync writes the inode and
 * sync_mapping_buffers. The caller then flushes the disk's cache.
 */
#include <fs/ext3.h>

int ext3_sync_file(struct ext3_inode_info *ei)
{
	int err = filemap_write_and_wait(&ei->mapping);
	int e = filemap_write_and_wait(ei->sbi->bdev);
	return err ? err : e;
}
