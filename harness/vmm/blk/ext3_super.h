/*
 * An ext2/ext3 superblock as the host reads it before a run: a disk with fs=ext3 must
 * hold the file system the guest's ext3 mounts, which is what `mkfs.ext3 -b 4096` makes
 * with Debian 12's e2fsprogs 1.47.0 (has_journal ext_attr resize_inode dir_index
 * filetype sparse_super large_file), nothing more. Features are named as dumpe2fs names
 * them, so that a refusal reads as `dumpe2fs -h` of the same image.
 */
#ifndef VMM_EXT3_SUPER_H
#define VMM_EXT3_SUPER_H
#include <stddef.h>
#include <stdint.h>

#define EXT3_SUPER_OFFSET 1024 /* bytes from the start of the image */
#define EXT3_SUPER_SIZE 1024
#define EXT3_SUPER_MAGIC 0xEF53
#define EXT3_BLOCK_SIZE 4096 /* the guest's page size: the only block size it mounts */

/* The three feature words, in dumpe2fs's order of listing. */
enum ext3_feature_class { EXT3_COMPAT, EXT3_INCOMPAT, EXT3_RO_COMPAT };

/* The features the guest takes, per class (besides them, nothing). */
#define EXT3_COMPAT_SUPP 0x003Cu /* has_journal ext_attr resize_inode dir_index */
#define EXT3_INCOMPAT_SUPP 0x0006u /* filetype needs_recovery */
#define EXT3_RO_COMPAT_SUPP 0x0003u /* sparse_super large_file */

struct ext3_super {
	uint32_t inodes, blocks; /* s_inodes_count, s_blocks_count (the low word: 64bit is refused) */
	uint32_t log_block_size; /* s_log_block_size */
	uint32_t block_size; /* 1024 << s_log_block_size; 0 past 64 KiB, which nothing mounts */
	uint32_t rev_level;
	uint16_t inode_size; /* 128 in revision 0 */
	uint16_t state; /* 1: cleanly unmounted */
	uint32_t features[3]; /* by enum ext3_feature_class */
	uint32_t journal_inum;
};

/* Parses the 1024 bytes of a superblock; -1 with err when the magic is not ext2/3's. */
int ext3_super_parse(const uint8_t *raw, struct ext3_super *s, char *err, size_t errlen);
/* Reads the superblock of the image at path (any file or block device). */
int ext3_super_read(const char *path, struct ext3_super *s, char *err, size_t errlen);
/* Whether the guest can mount it: no feature outside the supported set (each named),
 * 4 KiB blocks, revision 1, and no more blocks than an image of image_bytes holds
 * (0: not checked). -1 with err naming what is wrong. */
int ext3_super_check(const struct ext3_super *s, uint64_t image_bytes, char *err, size_t errlen);
/* dumpe2fs's name for one feature bit (0..31) of a class: "extent", or "FEATURE_I5" for a
 * bit it does not know; buf holds the latter. */
const char *ext3_feature_name(enum ext3_feature_class c, unsigned bit, char *buf, size_t len);
/* The features set in s, space-separated, in dumpe2fs's order ("has_journal ext_attr ..."). */
const char *ext3_super_features(const struct ext3_super *s, char *buf, size_t len);
#endif
