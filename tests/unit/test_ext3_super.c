/* The superblock check on images made by the host's own mkfs (e2fsprogs, make deps) and on
 * superblocks edited bit by bit: what the guest mounts passes, the rest is named as dumpe2fs names it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "vmm/blk/ext3_super.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_ext3_super.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A 64 MiB image made by `mkfs OPTIONS`, at dir/name; its path. */
static const char *image_make(const char *name, const char *mkfs, char *path, size_t len)
{
	char cmd[512];
	snprintf(path, len, "%s/%s", dir, name);
	snprintf(cmd, sizeof(cmd), "rm -f %s && truncate -s 64M %s && %s -F -q %s >/dev/null 2>&1", path, path, mkfs,
		 path);
	if (system(cmd) != 0)
		fail_msg("'%s' failed (make deps installs e2fsprogs)", cmd);
	return path;
}

static void test_mkfs_ext3_passes(void **state)
{
	char path[128], err[512] = "", names[256];
	struct ext3_super s;
	(void)state;

	image_make("ext3.img", "mkfs.ext3 -b 4096", path, sizeof(path));
	assert_int_equal(ext3_super_read(path, &s, err, sizeof(err)), 0);
	assert_int_equal(s.block_size, 4096);
	assert_int_equal(s.blocks, (64u << 20) / 4096);
	assert_int_equal(s.rev_level, 1);
	assert_int_equal(s.journal_inum, 8);
	assert_int_equal(s.state, 1);
	/* Debian 12's e2fsprogs 1.47.0: the feature set the guest supports, exactly */
	assert_string_equal(ext3_super_features(&s, names, sizeof(names)),
			    "has_journal ext_attr resize_inode dir_index filetype sparse_super large_file");
	assert_int_equal(ext3_super_check(&s, 64u << 20, err, sizeof(err)), 0);

	/* mkfs options that stay inside the set: a journal size, 128-byte inodes, no dir_index */
	image_make("ext3-opts.img", "mkfs.ext3 -b 4096 -J size=8 -I 128 -O ^dir_index", path, sizeof(path));
	assert_int_equal(ext3_super_read(path, &s, err, sizeof(err)), 0);
	assert_int_equal(s.inode_size, 128);
	assert_string_equal(ext3_super_features(&s, names, sizeof(names)),
			    "has_journal ext_attr resize_inode filetype sparse_super large_file");
	assert_int_equal(ext3_super_check(&s, 64u << 20, err, sizeof(err)), 0);
}

static void test_ext4_refused_by_name(void **state)
{
	char path[128], err[512] = "";
	struct ext3_super s;
	(void)state;

	image_make("ext4.img", "mkfs.ext4 -b 4096", path, sizeof(path));
	assert_int_equal(ext3_super_read(path, &s, err, sizeof(err)), 0);
	assert_int_equal(ext3_super_check(&s, 64u << 20, err, sizeof(err)), -1);
	/* dumpe2fs -h: has_journal ext_attr resize_inode dir_index filetype extent 64bit flex_bg
	 * sparse_super large_file huge_file dir_nlink extra_isize metadata_csum */
	assert_string_equal(err, "ext3 features the guest does not support: extent 64bit flex_bg huge_file dir_nlink "
				 "extra_isize metadata_csum (it mounts has_journal, ext_attr, resize_inode, dir_index, "
				 "filetype, sparse_super, large_file and needs_recovery: what mkfs.ext3 -b 4096 makes)");
}

static void test_block_size_and_size(void **state)
{
	char path[128], err[512] = "";
	struct ext3_super s;
	(void)state;

	image_make("ext3-1k.img", "mkfs.ext3 -b 1024", path, sizeof(path));
	assert_int_equal(ext3_super_read(path, &s, err, sizeof(err)), 0);
	assert_int_equal(s.block_size, 1024);
	assert_int_equal(ext3_super_check(&s, 64u << 20, err, sizeof(err)), -1);
	assert_string_equal(err, "a block size of 1024 bytes: the guest mounts 4096-byte blocks (its page size)");

	/* an image cut short after mkfs: the file system runs past its end */
	image_make("ext3-cut.img", "mkfs.ext3 -b 4096", path, sizeof(path));
	assert_int_equal(truncate(path, 32 << 20), 0);
	assert_int_equal(ext3_super_read(path, &s, err, sizeof(err)), 0);
	assert_int_equal(ext3_super_check(&s, 32u << 20, err, sizeof(err)), -1);
	assert_string_equal(err, "the file system has 16384 blocks of 4096 bytes (67108864 bytes) but the image only "
				 "33554432 bytes");
}

static void test_not_ext(void **state)
{
	char path[128], err[512] = "";
	struct ext3_super s;
	FILE *f;
	(void)state;

	snprintf(path, sizeof(path), "%s/zeros.img", dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	assert_int_equal(truncate(path, 1 << 20), 0);
	assert_int_equal(ext3_super_read(path, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "not an ext2/ext3 file system (no superblock magic 0xEF53 at byte 1080)");

	assert_int_equal(truncate(path, 1500), 0);
	assert_int_equal(ext3_super_read(path, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "not an ext2/ext3 file system (1500 bytes, too short for a superblock)");

	snprintf(path, sizeof(path), "%s/missing.img", dir);
	assert_int_equal(ext3_super_read(path, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "No such file or directory");
}

/* A superblock of mkfs.ext3 -b 4096's with one word changed. */
static void super_with(uint32_t offset, uint32_t value, struct ext3_super *s)
{
	uint8_t raw[EXT3_SUPER_SIZE] = { 0 };
	char err[256] = "";
	raw[0x38] = 0x53, raw[0x39] = 0xEF; /* magic */
	raw[0x18] = 2; /* 4096 */
	raw[0x4C] = 1; /* revision 1 */
	raw[0x5C] = 0x3C, raw[0x60] = 0x02, raw[0x64] = 0x03; /* the supported set, less needs_recovery */
	for (int i = 0; i < 4; i++)
		raw[offset + i] = (uint8_t)(value >> (8 * i));
	if (ext3_super_parse(raw, s, err, sizeof(err)))
		fail_msg("%s", err);
}

static void test_each_bit_named(void **state)
{
	struct ext3_super s;
	char err[512] = "", buf[32];
	(void)state;

	/* needs_recovery (a journal to replay) is mounted: the guest's recovery replays it */
	super_with(0x60, 0x06, &s);
	assert_int_equal(ext3_super_check(&s, 0, err, sizeof(err)), 0);
	/* bits dumpe2fs 1.47.0 has no name for, by its rule */
	super_with(0x60, 0x02 | 1u << 5 | 1u << 11 | 1u << 31, &s);
	assert_int_equal(ext3_super_check(&s, 0, err, sizeof(err)), -1);
	assert_err_has(err, "support: FEATURE_I5 FEATURE_I11 FEATURE_I31 (");
	super_with(0x5C, 0x3C | 1u << 7 | 1u << 12, &s);
	assert_int_equal(ext3_super_check(&s, 0, err, sizeof(err)), -1);
	assert_err_has(err, "support: FEATURE_C7 orphan_file (");
	super_with(0x64, 0x03 | 1u << 2 | 1u << 12 | 1u << 16, &s);
	assert_int_equal(ext3_super_check(&s, 0, err, sizeof(err)), -1);
	assert_err_has(err, "support: FEATURE_R2 read-only orphan_present (");
	/* the names the brief of #16 lists, at their bits */
	assert_string_equal(ext3_feature_name(EXT3_INCOMPAT, 3, buf, sizeof(buf)), "journal_dev");
	assert_string_equal(ext3_feature_name(EXT3_INCOMPAT, 4, buf, sizeof(buf)), "meta_bg");
	assert_string_equal(ext3_feature_name(EXT3_INCOMPAT, 7, buf, sizeof(buf)), "64bit");
	assert_string_equal(ext3_feature_name(EXT3_INCOMPAT, 9, buf, sizeof(buf)), "flex_bg");
	assert_string_equal(ext3_feature_name(EXT3_RO_COMPAT, 3, buf, sizeof(buf)), "huge_file");
	assert_string_equal(ext3_feature_name(EXT3_COMPAT, 31, buf, sizeof(buf)), "FEATURE_C31");
	/* revision 0 and absurd block sizes */
	super_with(0x4C, 0, &s);
	assert_int_equal(ext3_super_check(&s, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "file system revision 0: the guest mounts revision 1 (dynamic)");
	super_with(0x18, 40, &s);
	assert_int_equal(ext3_super_check(&s, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "a block size of 1024 << 40 bytes (s_log_block_size 40): the guest mounts 4096-byte "
				 "blocks (its page size)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mkfs_ext3_passes),
		cmocka_unit_test(test_ext4_refused_by_name),
		cmocka_unit_test(test_block_size_and_size),
		cmocka_unit_test(test_not_ext),
		cmocka_unit_test(test_each_bit_named),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
