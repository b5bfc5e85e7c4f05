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
#include <fs/jbd2.h>
#include <kernel/list.h>
#include <kernel/mutex.h>
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
	raw_spinlock_t alloc_lock; /* the bitmaps' bits and the free counts */
	struct mutex dir_mutex; /* namespace changes (create, unlink, mkdir): one at a time */
	u32 time_base; /* seconds: the file system's latest time at mount; inode times count on from it */
	journal_t *s_journal; /* NULL: no has_journal (ext2 behaviour: metadata written in place) */
	struct list_head rsv_windows; /* the files' reservation windows, by start, under alloc_lock */
};

/* get_seconds() for inode times: the guest has no wall clock. */
u32 ext3_now(struct ext3_sb_info *sbi);

/* A file's reservation window, [start, end] blocks (ext3_reserve_window_node). */
struct ext3_reserve_window {
	u32 start, end;
	u32 goal_size; /* blocks the next window asks for */
	u32 alloc_hit; /* blocks allocated in the current one */
	struct list_head list; /* sbi->rsv_windows, by start */
	bool on_list;
};

struct ext3_inode_info {
	struct ext3_sb_info *sbi;
	u32 ino;
	u16 mode;
	u16 links_count;
	u64 size;
	u32 flags;
	u32 i_block[EXT3_N_BLOCKS];
	u32 i_blocks; /* 512-byte sectors, indirect blocks included */
	u32 i_dtime, i_generation;
	u32 last_alloc; /* the last block allocated: the next one's goal (ext3_find_goal) */
	struct ext3_reserve_window i_rsv; /* balloc_rsv.c; goal_size 0: none (not a regular file) */
	/* the last transactions that changed the inode, and its data's reach (i_size, blocks):
	 * what fsync and fdatasync wait for (Linux's i_sync_tid, i_datasync_tid) */
	u32 i_sync_tid, i_datasync_tid;
	struct mutex truncate_mutex; /* the block map and i_size */
	struct address_space mapping; /* the file's pages */
	struct list_head cache;
	int count; /* references, under sbi->inode_lock */
};

/* A handle: the metadata changes of one operation (jbd's handle_t). */
typedef struct ext3_handle {
	struct ext3_sb_info *sbi;
	int h_buffer_credits;
	jbd2_handle_t *h_jbd; /* the journal's handle; NULL without a journal */
} handle_t;

/* fs/ext3/ext3_jbd.c */
handle_t *ext3_journal_start(struct ext3_sb_info *sbi, int nblocks, int *err);
int ext3_journal_stop(handle_t *h);
int ext3_journal_get_write_access(handle_t *h, struct page *bh);
int ext3_journal_dirty_metadata(handle_t *h, struct page *bh);
/* data=ordered: the file's data reaches its home before this handle's transaction commits. */
int ext3_journal_file_inode(handle_t *h, struct ext3_inode_info *ei);

/* fs/ext3/balloc.c, ialloc.c */
/* A free block near goal, taken (in ei's reservation window when it has one; ei may be
 * NULL); 0 and *err (-ENOSPC) when there is none. */
u32 ext3_new_block(handle_t *h, struct ext3_inode_info *ei, u32 goal, int *err);
/* balloc_rsv.c: reservation windows. */
void ext3_init_block_alloc_info(struct ext3_inode_info *ei);
void ext3_discard_reservation(struct ext3_inode_info *ei);
/* The bit to take in a group's block bitmap map of size bits (first: its first block),
 * from the goal bit `from` on, within ei's window (a new one when the goal is not in
 * it); size when the group has no room for one. Under sbi->alloc_lock. */
u32 ext3_rsv_find_bit(struct ext3_sb_info *sbi, struct ext3_inode_info *ei, const u8 *map, u32 size, u32 from,
		      u32 first, u32 (*free_bit)(struct ext3_sb_info *sbi, const u8 *map, u32 size, u32 from, long long first));
/* A free inode, near the directory's group, taken; 0 and *err. */
u32 ext3_new_inode_number(handle_t *h, struct ext3_inode_info *dir, bool is_dir, int *err);
/* ext3_free_blocks of one block (metadata: it gets a revoke record); ext3_free_inode's bitmap part. */
int ext3_free_block(handle_t *h, u32 block, bool metadata);
int ext3_free_inode_number(handle_t *h, u32 ino, bool is_dir);
/* A group descriptor and the superblock's free counts, after a bitmap changed. */
int ext3_group_counts_update(handle_t *h, u32 group, int blocks, int inodes, int dirs);

/* fs/ext3/super.c */
void ext3_mount_all(void); /* boot: every disk with VMS_DISK_FS_EXT3 */
void ext3_umount_all(void); /* the run's end: all of it on the disks, clean */
struct ext3_sb_info *ext3_sb_of(const char *mnt, size_t len); /* "/mnt/vda" */
/* sb_bread: block's page, with a reference (put_page), or NULL and *err. */
struct page *ext3_bread(struct ext3_sb_info *sbi, u32 block, int *err);

/* fs/ext3/inode.c */
struct ext3_inode_info *ext3_iget(struct ext3_sb_info *sbi, u32 ino, int *err);
void ext3_iput(struct ext3_inode_info *ei);
/* The disk block of file block lblock: 0 for a hole, or -errno. */
long long ext3_get_block(struct ext3_inode_info *ei, u64 lblock);
/* The same, allocating what is missing (*new: the data block is new: its page reads as zeros). */
long long ext3_get_block_create(handle_t *h, struct ext3_inode_info *ei, u64 lblock, bool *new);
/* ftruncate to a smaller size (truncate.c): the blocks past it freed. */
int ext3_truncate(handle_t *h, struct ext3_inode_info *ei, u64 size);
/* The page cache past size dropped (waiting for its writeback): before the handle. */
void ext3_truncate_pagecache(struct ext3_inode_info *ei, u64 size);
/* ftruncate to a larger size: a hole to the new end. */
int ext3_extend(struct ext3_inode_info *ei, u64 size);
/* Inode ino's record in its table block (the page held: put_page), or NULL and *err. */
struct ext3_inode *ext3_get_inode_loc(struct ext3_sb_info *sbi, u32 ino, struct page **page, int *err);
/* A newly allocated inode's record: zeroed, then mode, links, times, the next generation. */
int ext3_new_inode_init(handle_t *h, u32 ino, u16 mode, u16 links);
/* ext3_mark_inode_dirty: the in-memory inode into its table block. */
int ext3_mark_inode_dirty(handle_t *h, struct ext3_inode_info *ei);
/* A page of the disk's cache for a block about to be written whole: zeroed, uptodate. */
struct page *ext3_getblk_zero(struct ext3_sb_info *sbi, u32 block, int *err);

/* fs/ext3/fsync.c: fsync's file system part: the file's data and the metadata it needs. */
int ext3_sync_file(struct ext3_inode_info *ei, bool datasync);
/* Its metadata part alone (O_SYNC writes): the running transaction committed, or written in place. */
int ext3_sync_metadata(struct ext3_sb_info *sbi);

/* fs/ext3/namei.c */
/* The inode number of name in directory dir, 0 when absent, or -errno. */
long ext3_find_entry(struct ext3_inode_info *dir, const char *name, size_t len);
/* path_lookup: "/mnt/vda/dir/file" to its inode, with a reference; NULL and *err. */
struct ext3_inode_info *ext3_path_lookup(const char *path, int *err);
/* unlink(2) of a file (its blocks and inode freed with its last link), mkdir(2). */
int ext3_unlink(const char *path);
int ext3_mkdir(const char *path);
/* open(O_CREAT): the file, created empty (mode 0644) in its existing directory if absent. */
struct ext3_inode_info *ext3_open_create(const char *path, int *err);
#define VMS_PATH_MAX 256
#endif
