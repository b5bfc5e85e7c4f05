/*
 * ext3's on-disk format (include/linux/ext3_fs.h of 2.6, fs/ext4/ext4.h today), as
 * the host's mkfs.ext3 writes it, and the pure functions that read it
 * (guest/fs/ext3/layout.c): no kernel dependencies, so that host unit tests compile
 * layout.c as is and check it against images made by e2fsprogs. All fields are
 * little-endian, as on x86; the guest reads them in place.
 *
 * Supported: 4 KiB blocks (a block is a page of the disk's page cache) and the
 * features `mkfs.ext3 -b 4096` of e2fsprogs 1.47 gives: has_journal, ext_attr,
 * resize_inode, dir_index (compat); filetype, needs_recovery (incompat); sparse_super,
 * large_file (ro_compat). A mount refuses any other incompat or ro_compat feature and
 * names it.
 */
#ifndef FS_EXT3_FS_H
#define FS_EXT3_FS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXT3_SUPER_MAGIC 0xEF53
#define EXT3_SUPER_OFFSET 1024 /* bytes into the disk */
#define EXT3_BLOCK_SIZE 4096u
#define EXT3_BLOCK_SIZE_BITS 12
#define EXT3_ROOT_INO 2
#define EXT3_RESIZE_INO 7
#define EXT3_JOURNAL_INO 8
#define EXT3_GOOD_OLD_FIRST_INO 11
#define EXT3_GOOD_OLD_INODE_SIZE 128
#define EXT3_DYNAMIC_REV 1

/* i_block[]: 12 direct blocks, then the single, double and triple indirect ones */
#define EXT3_NDIR_BLOCKS 12
#define EXT3_IND_BLOCK EXT3_NDIR_BLOCKS
#define EXT3_DIND_BLOCK (EXT3_IND_BLOCK + 1)
#define EXT3_TIND_BLOCK (EXT3_DIND_BLOCK + 1)
#define EXT3_N_BLOCKS (EXT3_TIND_BLOCK + 1)
#define EXT3_ADDR_PER_BLOCK (EXT3_BLOCK_SIZE / 4u)

#define EXT3_FEATURE_COMPAT_DIR_PREALLOC 0x0001
#define EXT3_FEATURE_COMPAT_IMAGIC_INODES 0x0002
#define EXT3_FEATURE_COMPAT_HAS_JOURNAL 0x0004
#define EXT3_FEATURE_COMPAT_EXT_ATTR 0x0008
#define EXT3_FEATURE_COMPAT_RESIZE_INODE 0x0010
#define EXT3_FEATURE_COMPAT_DIR_INDEX 0x0020

#define EXT3_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT3_FEATURE_RO_COMPAT_LARGE_FILE 0x0002

#define EXT3_FEATURE_INCOMPAT_FILETYPE 0x0002
#define EXT3_FEATURE_INCOMPAT_RECOVER 0x0004

#define EXT3_FEATURE_COMPAT_SUPP                                                                   \
	(EXT3_FEATURE_COMPAT_HAS_JOURNAL | EXT3_FEATURE_COMPAT_EXT_ATTR | EXT3_FEATURE_COMPAT_RESIZE_INODE | \
	 EXT3_FEATURE_COMPAT_DIR_INDEX)
#define EXT3_FEATURE_INCOMPAT_SUPP (EXT3_FEATURE_INCOMPAT_FILETYPE | EXT3_FEATURE_INCOMPAT_RECOVER)
#define EXT3_FEATURE_RO_COMPAT_SUPP (EXT3_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT3_FEATURE_RO_COMPAT_LARGE_FILE)

#define EXT3_VALID_FS 0x0001 /* s_state: unmounted cleanly */
#define EXT3_ERROR_FS 0x0002

/* i_mode's type bits */
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFDIR 0040000

/* i_flags */
#define EXT3_INDEX_FL 0x00001000 /* an htree directory (dir_index) */

/* The file types of directory entries (filetype) */
enum { EXT3_FT_UNKNOWN, EXT3_FT_REG_FILE, EXT3_FT_DIR, EXT3_FT_CHRDEV, EXT3_FT_BLKDEV, EXT3_FT_FIFO, EXT3_FT_SOCK,
       EXT3_FT_SYMLINK, EXT3_FT_MAX };

struct ext3_super_block {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size; /* block size = 1024 << this */
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;
	uint16_t s_mnt_count;
	int16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	/* EXT3_DYNAMIC_REV */
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint32_t s_algorithm_usage_bitmap;
	uint8_t s_prealloc_blocks;
	uint8_t s_prealloc_dir_blocks;
	uint16_t s_reserved_gdt_blocks;
	/* the journal */
	uint8_t s_journal_uuid[16];
	uint32_t s_journal_inum;
	uint32_t s_journal_dev;
	uint32_t s_last_orphan;
	uint32_t s_hash_seed[4];
	uint8_t s_def_hash_version;
	uint8_t s_jnl_backup_type;
	uint16_t s_desc_size;
	uint32_t s_default_mount_opts;
	uint32_t s_first_meta_bg;
	uint32_t s_mkfs_time;
	uint32_t s_jnl_blocks[17];
	uint32_t s_reserved[172];
};
_Static_assert(sizeof(struct ext3_super_block) == 1024, "ext3 superblock");
_Static_assert(offsetof(struct ext3_super_block, s_magic) == 56, "s_magic");
_Static_assert(offsetof(struct ext3_super_block, s_feature_compat) == 92, "s_feature_compat");
_Static_assert(offsetof(struct ext3_super_block, s_journal_inum) == 224, "s_journal_inum");

struct ext3_group_desc {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_pad;
	uint32_t bg_reserved[3];
};
_Static_assert(sizeof(struct ext3_group_desc) == 32, "ext3 group descriptor");
#define EXT3_DESC_PER_BLOCK (EXT3_BLOCK_SIZE / sizeof(struct ext3_group_desc))

struct ext3_inode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size;
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks; /* 512-byte sectors, indirect blocks included */
	uint32_t i_flags;
	uint32_t l_i_reserved1;
	uint32_t i_block[EXT3_N_BLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl;
	uint32_t i_size_high; /* large_file: a regular file's size over 4 GiB (i_dir_acl before) */
	uint32_t i_faddr;
	uint8_t l_i_frag, l_i_fsize;
	uint16_t i_pad1;
	uint16_t l_i_uid_high, l_i_gid_high;
	uint32_t l_i_reserved2;
	/* with 256-byte inodes (mkfs's default), the extra fields */
	uint16_t i_extra_isize;
	uint16_t i_pad2;
};
_Static_assert(offsetof(struct ext3_inode, i_block) == 40, "i_block");
_Static_assert(offsetof(struct ext3_inode, i_extra_isize) == EXT3_GOOD_OLD_INODE_SIZE, "i_extra_isize");

struct ext3_dir_entry_2 {
	uint32_t inode; /* 0: unused */
	uint16_t rec_len;
	uint8_t name_len;
	uint8_t file_type;
	char name[];
};
#define EXT3_DIR_REC_LEN(name_len) (((name_len) + 8 + 3) & ~3u)
#define EXT3_NAME_LEN 255

/* What a mount needs from the superblock, checked (ext3_fill_super's arithmetic). */
struct ext3_layout {
	uint32_t blocks_count, inodes_count;
	uint32_t first_data_block; /* 0 with 4 KiB blocks */
	uint32_t blocks_per_group, inodes_per_group;
	uint32_t groups_count;
	uint32_t gdt_blocks; /* blocks of group descriptors after the superblock */
	uint32_t inode_size;
	uint32_t inodes_per_block;
	uint32_t first_ino;
	uint32_t journal_inum; /* 0: none */
	uint32_t compat, incompat, ro_compat;
	bool needs_recovery;
	bool was_clean; /* s_state: valid and no error */
};

/*
 * ext3_super_check: checks a superblock read from the disk (1024 bytes from offset
 * 1024) for a disk of disk_blocks 4 KiB blocks, and fills *l. Returns NULL, or why not
 * in words ("unsupported incompat features: extent, 64bit"), naming each feature as
 * dumpe2fs does.
 */
const char *ext3_super_check(const struct ext3_super_block *es, uint64_t disk_blocks, struct ext3_layout *l,
			     char *why, size_t why_len);

/* Where inode ino's record is: its group, and its block and byte offset in the table. */
struct ext3_inode_loc {
	uint32_t group;
	uint32_t block_in_table; /* blocks from bg_inode_table */
	uint32_t offset; /* bytes into that block */
};
bool ext3_inode_locate(const struct ext3_layout *l, uint32_t ino, struct ext3_inode_loc *loc);

/*
 * ext3_block_to_path: the path to file block lblock through i_block[] and the indirect
 * blocks: offsets[0] indexes i_block, offsets[1..] the indirect blocks on the way.
 * Returns the depth (1 direct .. 4 triple indirect), 0 past the largest file.
 */
int ext3_block_to_path(uint64_t lblock, uint32_t offsets[4]);

/*
 * ext3_check_dir_entry: whether the entry at offset off of a directory block is sane
 * (rec_len at least the name's record, 4-aligned, inside the block; an inode number
 * in range). NULL or the reason, as ext3_check_dir_entry prints it.
 */
const char *ext3_check_dir_entry(const struct ext3_layout *l, const uint8_t *block, uint32_t off);

/* The feature names dumpe2fs prints for the set bits (compat: 0, incompat: 1, ro_compat: 2). */
size_t ext3_feature_names(int kind, uint32_t mask, char *buf, size_t len);
#endif
