/*
 * ext3 in memory (fs/ext3/ of 2.6): a mounted file system (ext3_sb_info) per disk
 * whose host flag says fs=ext3, mounted at /mnt/vdX, and its cached inodes, each with
 * the address_space its file's pages live in. Metadata blocks are pages of the disk's
 * own page cache (4 KiB blocks: a buffer head is a page), as ext3's buffer heads are
 * on the block device's mapping.
 */
#ifndef FS_EXT3_H
#define FS_EXT3_H
#include <fs/ext3_fs.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/types.h>
#include <mm/pagemap.h>

struct gendisk;
struct page;

struct ext3_sb_info {
	struct gendisk *disk;
	struct address_space *bdev; /* the disk's page cache: the metadata blocks */
	struct ext3_layout l;
	struct ext3_group_desc *gdt; /* [l.groups_count] */
	char mnt[16]; /* "/mnt/vda" */
	raw_spinlock_t inode_lock;
	struct list_head inodes; /* the inode cache (icache), with a count each */
};

struct ext3_inode_info {
	struct ext3_sb_info *sbi;
	u32 ino;
	u16 mode;
	u16 links_count;
	u64 size;
	u32 flags;
	u32 i_block[EXT3_N_BLOCKS];
	struct address_space mapping; /* the file's pages */
	struct list_head cache;
	int count; /* references, under sbi->inode_lock */
};

/* fs/ext3/super.c */
void ext3_mount_all(void); /* boot: every disk with VMS_DISK_FS_EXT3 */
struct ext3_sb_info *ext3_sb_of(const char *mnt, size_t len); /* "/mnt/vda" */
/* sb_bread: block's page, with a reference (put_page), or NULL and *err. */
struct page *ext3_bread(struct ext3_sb_info *sbi, u32 block, int *err);

/* fs/ext3/inode.c */
struct ext3_inode_info *ext3_iget(struct ext3_sb_info *sbi, u32 ino, int *err);
void ext3_iput(struct ext3_inode_info *ei);
/* The disk block of file block lblock: 0 for a hole, or -errno. */
long long ext3_get_block(struct ext3_inode_info *ei, u64 lblock);

/* fs/ext3/namei.c */
/* The inode number of name in directory dir, 0 when absent, or -errno. */
long ext3_find_entry(struct ext3_inode_info *dir, const char *name, size_t len);
/* path_lookup: "/mnt/vda/dir/file" to its inode, with a reference; NULL and *err. */
struct ext3_inode_info *ext3_path_lookup(const char *path, int *err);
#endif
