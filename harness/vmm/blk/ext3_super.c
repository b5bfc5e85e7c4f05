/* The ext2/3 superblock's fields the host checks (e2fsprogs lib/ext2fs/ext2_fs.h), little-endian. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "vmm/blk/ext3_super.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* lib/e2p/feature.c of e2fsprogs 1.47.0, by bit; NULL where dumpe2fs prints FEATURE_<C|I|R><bit>. */
static const char *const compat_names[] = {
	"dir_prealloc", "imagic_inodes", "has_journal", "ext_attr", "resize_inode", "dir_index", "lazy_bg", NULL,
	"snapshot_bitmap", "sparse_super2", "fast_commit", "stable_inodes", "orphan_file",
};
static const char *const incompat_names[] = {
	"compression", "filetype", "needs_recovery", "journal_dev", "meta_bg", NULL, "extent", "64bit", "mmp",
	"flex_bg", "ea_inode", NULL, "dirdata", "metadata_csum_seed", "large_dir", "inline_data", "encrypt",
	"casefold",
};
static const char *const ro_compat_names[] = {
	"sparse_super", "large_file", NULL, "huge_file", "uninit_bg", "dir_nlink", "extra_isize", NULL, "quota",
	"bigalloc", "metadata_csum", "replica", "read-only", "project", "shared_blocks", "verity", "orphan_present",
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

const char *ext3_feature_name(enum ext3_feature_class c, unsigned bit, char *buf, size_t len)
{
	static const char *const *const names[] = { compat_names, incompat_names, ro_compat_names };
	static const size_t counts[] = { ARRAY_SIZE(compat_names), ARRAY_SIZE(incompat_names),
					 ARRAY_SIZE(ro_compat_names) };
	if (bit < counts[c] && names[c][bit])
		return names[c][bit];
	snprintf(buf, len, "FEATURE_%c%u", "CIR"[c], bit);
	return buf;
}

int ext3_super_parse(const uint8_t *raw, struct ext3_super *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (le16(raw + 0x38) != EXT3_SUPER_MAGIC)
		return errorf(err, errlen, "not an ext2/ext3 file system (no superblock magic 0xEF53 at byte %d)",
			      EXT3_SUPER_OFFSET + 0x38);
	s->inodes = le32(raw + 0x00);
	s->blocks = le32(raw + 0x04);
	s->log_block_size = le32(raw + 0x18);
	s->block_size = s->log_block_size <= 6 ? 1024u << s->log_block_size : 0;
	s->state = le16(raw + 0x3A);
	s->rev_level = le32(raw + 0x4C);
	s->inode_size = s->rev_level ? le16(raw + 0x58) : 128;
	s->features[EXT3_COMPAT] = le32(raw + 0x5C);
	s->features[EXT3_INCOMPAT] = le32(raw + 0x60);
	s->features[EXT3_RO_COMPAT] = le32(raw + 0x64);
	s->journal_inum = le32(raw + 0xE0);
	return 0;
}

int ext3_super_read(const char *path, struct ext3_super *s, char *err, size_t errlen)
{
	uint8_t raw[EXT3_SUPER_SIZE];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errorf(err, errlen, "%s", strerror(errno));
	ssize_t n = pread(fd, raw, sizeof(raw), EXT3_SUPER_OFFSET);
	int e = errno;
	close(fd);
	if (n < 0)
		return errorf(err, errlen, "reading its superblock: %s", strerror(e));
	if (n < (ssize_t)sizeof(raw))
		return errorf(err, errlen, "not an ext2/ext3 file system (%zd bytes, too short for a superblock)",
			      EXT3_SUPER_OFFSET + (n > 0 ? n : 0));
	return ext3_super_parse(raw, s, err, errlen);
}

/* Appends the names of the bits of mask to buf (space-separated); the length used. */
static size_t names_append(enum ext3_feature_class c, uint32_t mask, char *buf, size_t len, size_t used)
{
	char unknown[24];
	for (unsigned bit = 0; bit < 32; bit++) {
		if (!(mask & (1u << bit)))
			continue;
		int n = snprintf(buf + used, used < len ? len - used : 0, "%s%s", used ? " " : "",
				 ext3_feature_name(c, bit, unknown, sizeof(unknown)));
		used += n > 0 ? (size_t)n : 0;
	}
	return used;
}

const char *ext3_super_features(const struct ext3_super *s, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int c = EXT3_COMPAT; c <= EXT3_RO_COMPAT; c++)
		used = names_append((enum ext3_feature_class)c, s->features[c], buf, len, used);
	return buf;
}

int ext3_super_check(const struct ext3_super *s, uint64_t image_bytes, char *err, size_t errlen)
{
	static const uint32_t supported[] = { EXT3_COMPAT_SUPP, EXT3_INCOMPAT_SUPP, EXT3_RO_COMPAT_SUPP };
	char names[512];
	size_t used = 0;

	names[0] = '\0';
	for (int c = EXT3_COMPAT; c <= EXT3_RO_COMPAT; c++)
		used = names_append((enum ext3_feature_class)c, s->features[c] & ~supported[c], names, sizeof(names), used);
	if (used)
		return errorf(err, errlen,
			      "ext3 features the guest does not support: %s (it mounts has_journal, ext_attr, "
			      "resize_inode, dir_index, filetype, sparse_super, large_file and needs_recovery: what "
			      "mkfs.ext3 -b 4096 makes)", names);
	if (!s->block_size)
		return errorf(err, errlen,
			      "a block size of 1024 << %u bytes (s_log_block_size %u): the guest mounts 4096-byte blocks "
			      "(its page size)", s->log_block_size, s->log_block_size);
	if (s->block_size != EXT3_BLOCK_SIZE)
		return errorf(err, errlen, "a block size of %u bytes: the guest mounts 4096-byte blocks (its page size)",
			      s->block_size);
	/* Revision 0 has no feature words, hence no journal; mkfs.ext3 makes revision 1. */
	if (s->rev_level != 1)
		return errorf(err, errlen, "file system revision %u: the guest mounts revision 1 (dynamic)",
			      s->rev_level);
	if (image_bytes && (uint64_t)s->blocks * EXT3_BLOCK_SIZE > image_bytes)
		return errorf(err, errlen,
			      "the file system has %u blocks of 4096 bytes (%llu bytes) but the image only %llu bytes",
			      s->blocks, (unsigned long long)s->blocks * EXT3_BLOCK_SIZE,
			      (unsigned long long)image_bytes);
	return 0;
}
