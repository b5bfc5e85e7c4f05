/*
 * Reading ext3's on-disk layout (include/fs/ext3_fs.h): the superblock's checks and
 * arithmetic of ext3_fill_super, where an inode lives (ext3_get_inode_loc), the path
 * to a file block through the indirect blocks (ext3_block_to_path) and the sanity of a
 * directory entry (ext3_check_dir_entry). Pure: host unit tests compile this file as
 * is against images made by mkfs.ext3.
 */
#if __STDC_HOSTED__ /* a host unit test */
#include <stdio.h>
#include <string.h>
#else
#include <lib/string.h>
#include <lib/vsprintf.h>
#endif

/* Relative so that host unit tests can #include this file without -Iguest/include. */
#include "../../include/fs/ext3_fs.h"

/* As e2fsprogs' lib/e2p/feature.c names them (dumpe2fs, mke2fs -O). */
static const struct {
	int kind;
	uint32_t mask;
	const char *name;
} feature_names[] = {
	{ 0, 0x0001, "dir_prealloc" },	    { 0, 0x0002, "imagic_inodes" },  { 0, 0x0004, "has_journal" },
	{ 0, 0x0008, "ext_attr" },	    { 0, 0x0010, "resize_inode" },   { 0, 0x0020, "dir_index" },
	{ 0, 0x0040, "lazy_bg" },	    { 0, 0x0100, "sparse_super2" },  { 0, 0x0200, "fast_commit" },
	{ 0, 0x0400, "stable_inodes" },	    { 0, 0x0800, "orphan_file" },    { 1, 0x0001, "compression" },
	{ 1, 0x0002, "filetype" },	    { 1, 0x0004, "needs_recovery" }, { 1, 0x0008, "journal_dev" },
	{ 1, 0x0010, "meta_bg" },	    { 1, 0x0040, "extent" },	     { 1, 0x0080, "64bit" },
	{ 1, 0x0100, "mmp" },		    { 1, 0x0200, "flex_bg" },	     { 1, 0x0400, "ea_inode" },
	{ 1, 0x1000, "dirdata" },	    { 1, 0x2000, "metadata_csum_seed" }, { 1, 0x4000, "large_dir" },
	{ 1, 0x8000, "inline_data" },	    { 1, 0x10000, "encrypt" },	     { 1, 0x20000, "casefold" },
	{ 2, 0x0001, "sparse_super" },	    { 2, 0x0002, "large_file" },     { 2, 0x0008, "huge_file" },
	{ 2, 0x0010, "uninit_bg" },	    { 2, 0x0020, "dir_nlink" },	     { 2, 0x0040, "extra_isize" },
	{ 2, 0x0100, "quota" },		    { 2, 0x0200, "bigalloc" },	     { 2, 0x0400, "metadata_csum" },
	{ 2, 0x0800, "replica" },	    { 2, 0x1000, "read-only" },	     { 2, 0x2000, "project" },
	{ 2, 0x4000, "shared_blocks" },	    { 2, 0x8000, "verity" },	     { 2, 0x10000, "orphan_present" },
};

size_t ext3_feature_names(int kind, uint32_t mask, char *buf, size_t len)
{
	size_t n = 0;
	if (len)
		buf[0] = '\0';
	for (unsigned bit = 0; bit < 32; bit++) {
		if (!(mask & (1u << bit)))
			continue;
		const char *name = NULL;
		for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
			if (feature_names[i].kind == kind && feature_names[i].mask == 1u << bit)
				name = feature_names[i].name;
		char unknown[16];
		if (!name) { /* e2p's FEATURE_C12 / _I / _R */
			snprintf(unknown, sizeof(unknown), "FEATURE_%c%u", "CIR"[kind], bit);
			name = unknown;
		}
		int w = snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? ", " : "", name);
		n += w > 0 ? (size_t)w : 0;
	}
	return n;
}

static const char *unsupported(int kind, uint32_t mask, const char *what, char *why, size_t why_len)
{
	int w = snprintf(why, why_len, "unsupported %s features: ", what);
	if (w > 0 && (size_t)w < why_len)
		ext3_feature_names(kind, mask, why + w, why_len - (size_t)w);
	return why;
}

static uint32_t div_round_up(uint32_t a, uint32_t b)
{
	return a / b + (a % b != 0);
}

const char *ext3_super_check(const struct ext3_super_block *es, uint64_t disk_blocks, struct ext3_layout *l,
			     char *why, size_t why_len)
{
	memset(l, 0, sizeof(*l));
	if (es->s_magic != EXT3_SUPER_MAGIC) {
		snprintf(why, why_len, "not an ext2/ext3 file system (magic 0x%04x, not 0xef53)", es->s_magic);
		return why;
	}
	if (es->s_rev_level < EXT3_DYNAMIC_REV) {
		snprintf(why, why_len, "revision %u file system: mkfs.ext3 makes revision 1", es->s_rev_level);
		return why;
	}
	/* the incompatible ones first: with those, nothing else can be trusted */
	if (es->s_feature_incompat & ~EXT3_FEATURE_INCOMPAT_SUPP)
		return unsupported(1, es->s_feature_incompat & ~EXT3_FEATURE_INCOMPAT_SUPP, "incompat", why, why_len);
	if (es->s_feature_ro_compat & ~EXT3_FEATURE_RO_COMPAT_SUPP)
		return unsupported(2, es->s_feature_ro_compat & ~EXT3_FEATURE_RO_COMPAT_SUPP, "ro_compat", why, why_len);
	if (es->s_log_block_size != EXT3_BLOCK_SIZE_BITS - 10) {
		snprintf(why, why_len, "block size %u: only 4096 is supported (mkfs.ext3 -b 4096)",
			 es->s_log_block_size < 22 ? 1024u << es->s_log_block_size : 0);
		return why;
	}
	uint32_t isize = es->s_inode_size;
	if (isize < EXT3_GOOD_OLD_INODE_SIZE || isize > EXT3_BLOCK_SIZE || (isize & (isize - 1))) {
		snprintf(why, why_len, "inode size %u: not a power of two from 128 to the block size", isize);
		return why;
	}
	if (!es->s_blocks_per_group || es->s_blocks_per_group > 8 * EXT3_BLOCK_SIZE || !es->s_inodes_per_group ||
	    es->s_inodes_per_group > 8 * EXT3_BLOCK_SIZE) {
		snprintf(why, why_len, "%u blocks and %u inodes per group: a group's bitmap is one block",
			 es->s_blocks_per_group, es->s_inodes_per_group);
		return why;
	}
	if (es->s_first_data_block != 0 || es->s_blocks_count <= es->s_first_data_block) {
		snprintf(why, why_len, "first data block %u of %u blocks: with 4 KiB blocks it is 0",
			 es->s_first_data_block, es->s_blocks_count);
		return why;
	}
	if (es->s_blocks_count > disk_blocks) {
		snprintf(why, why_len, "%u blocks, but the disk has %llu", es->s_blocks_count,
			 (unsigned long long)disk_blocks);
		return why;
	}
	l->blocks_count = es->s_blocks_count;
	l->inodes_count = es->s_inodes_count;
	l->first_data_block = es->s_first_data_block;
	l->blocks_per_group = es->s_blocks_per_group;
	l->inodes_per_group = es->s_inodes_per_group;
	l->groups_count = div_round_up(es->s_blocks_count - es->s_first_data_block, es->s_blocks_per_group);
	if ((uint64_t)l->groups_count * es->s_inodes_per_group != es->s_inodes_count) {
		snprintf(why, why_len, "%u inodes, not %u groups of %u", es->s_inodes_count, l->groups_count,
			 es->s_inodes_per_group);
		return why;
	}
	l->gdt_blocks = div_round_up(l->groups_count, (uint32_t)EXT3_DESC_PER_BLOCK);
	l->inode_size = isize;
	l->inodes_per_block = EXT3_BLOCK_SIZE / isize;
	l->first_ino = es->s_first_ino;
	if (l->first_ino < EXT3_GOOD_OLD_FIRST_INO || l->first_ino > l->inodes_count) {
		snprintf(why, why_len, "first inode %u out of range", l->first_ino);
		return why;
	}
	l->compat = es->s_feature_compat;
	l->incompat = es->s_feature_incompat;
	l->ro_compat = es->s_feature_ro_compat;
	if (l->compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL) {
		if (!es->s_journal_inum || es->s_journal_inum > l->inodes_count || es->s_journal_dev) {
			snprintf(why, why_len, "journal inode %u, device %u: only an internal journal is supported",
				 es->s_journal_inum, es->s_journal_dev);
			return why;
		}
		l->journal_inum = es->s_journal_inum;
	}
	l->needs_recovery = (l->incompat & EXT3_FEATURE_INCOMPAT_RECOVER) != 0;
	l->was_clean = (es->s_state & EXT3_VALID_FS) && !(es->s_state & EXT3_ERROR_FS);
	return NULL;
}

bool ext3_inode_locate(const struct ext3_layout *l, uint32_t ino, struct ext3_inode_loc *loc)
{
	if (ino == 0 || ino > l->inodes_count)
		return false;
	uint32_t index = (ino - 1) % l->inodes_per_group;
	loc->group = (ino - 1) / l->inodes_per_group;
	loc->block_in_table = index / l->inodes_per_block;
	loc->offset = (index % l->inodes_per_block) * l->inode_size;
	return true;
}

int ext3_block_to_path(uint64_t lblock, uint32_t offsets[4])
{
	const uint64_t direct = EXT3_NDIR_BLOCKS, per = EXT3_ADDR_PER_BLOCK;
	const uint64_t indirect = per, double_blocks = per * per, triple = per * per * per;

	if (lblock < direct) {
		offsets[0] = (uint32_t)lblock;
		return 1;
	}
	lblock -= direct;
	if (lblock < indirect) {
		offsets[0] = EXT3_IND_BLOCK;
		offsets[1] = (uint32_t)lblock;
		return 2;
	}
	lblock -= indirect;
	if (lblock < double_blocks) {
		offsets[0] = EXT3_DIND_BLOCK;
		offsets[1] = (uint32_t)(lblock / per);
		offsets[2] = (uint32_t)(lblock % per);
		return 3;
	}
	lblock -= double_blocks;
	if (lblock < triple) {
		offsets[0] = EXT3_TIND_BLOCK;
		offsets[1] = (uint32_t)(lblock / (per * per));
		offsets[2] = (uint32_t)(lblock / per % per);
		offsets[3] = (uint32_t)(lblock % per);
		return 4;
	}
	return 0; /* "block > big" */
}

const char *ext3_check_dir_entry(const struct ext3_layout *l, const uint8_t *block, uint32_t off)
{
	if (off > EXT3_BLOCK_SIZE - 8 || (off & 3))
		return "directory entry across blocks";
	const struct ext3_dir_entry_2 *de = (const struct ext3_dir_entry_2 *)(block + off);
	uint32_t rlen = de->rec_len;
	if (rlen < EXT3_DIR_REC_LEN(1))
		return "rec_len is smaller than minimal";
	if (rlen % 4)
		return "rec_len % 4 != 0";
	if (rlen < EXT3_DIR_REC_LEN(de->name_len))
		return "rec_len is too small for name_len";
	if (off + rlen > EXT3_BLOCK_SIZE)
		return "directory entry across blocks";
	if (de->inode > l->inodes_count)
		return "inode out of bounds";
	return NULL;
}
