/*
 * Host-side tests of the guest's reading of ext3 (guest/fs/ext3/layout.c) on images
 * the host's e2fsprogs makes: mkfs.ext3's superblock is accepted and its arithmetic
 * matches dumpe2fs; mkfs.ext4's and a 1 KiB-block one are refused with the features
 * named; the root directory and a file debugfs wrote (past the direct blocks) are found
 * and read through the inode table, the directory entries and the indirect block.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../guest/fs/ext3/layout.c"

static char dir[] = "/tmp/vmsweep-ext3-XXXXXX";
static char img[64 + sizeof(dir)];

static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int setup(void **state)
{
	(void)state;
	/* e2fsprogs lives in /usr/sbin, which a user's PATH may lack */
	char path[4096];
	snprintf(path, sizeof(path), "/usr/sbin:/sbin:%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	if (!mkdtemp(dir))
		return -1;
	snprintf(img, sizeof(img), "%s/fs.img", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return run("rm -rf '%s'", dir);
}

static void mkfs(const char *how)
{
	assert_int_equal(run("rm -f '%s' && truncate -s 64M '%s' && %s -F -q '%s' >/dev/null 2>&1", img, img, how, img), 0);
}

static void block_read(uint64_t block, void *buf)
{
	FILE *f = fopen(img, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, (long)(block * EXT3_BLOCK_SIZE), SEEK_SET), 0);
	assert_int_equal(fread(buf, EXT3_BLOCK_SIZE, 1, f), 1);
	fclose(f);
}

static const char *super_check(struct ext3_layout *l, char *why, size_t len)
{
	uint8_t b[EXT3_BLOCK_SIZE];
	block_read(0, b);
	return ext3_super_check((const struct ext3_super_block *)(b + EXT3_SUPER_OFFSET), 64u << 8, l, why, len);
}

static void inode_read(const struct ext3_layout *l, uint32_t ino, struct ext3_inode *inode)
{
	struct ext3_inode_loc loc = { 0 };
	uint8_t b[EXT3_BLOCK_SIZE];
	assert_true(ext3_inode_locate(l, ino, &loc));
	block_read(1 + loc.group / EXT3_DESC_PER_BLOCK, b); /* the descriptors follow the superblock */
	const struct ext3_group_desc *gd = (const struct ext3_group_desc *)b + loc.group % EXT3_DESC_PER_BLOCK;
	block_read(gd->bg_inode_table + loc.block_in_table, b);
	memcpy(inode, b + loc.offset, sizeof(*inode));
}

/* The file block's disk block, through the indirect blocks. */
static uint32_t bmap(const struct ext3_inode *inode, uint64_t lblock)
{
	uint32_t offsets[4], block;
	int depth = ext3_block_to_path(lblock, offsets);
	assert_true(depth > 0);
	block = inode->i_block[offsets[0]];
	for (int i = 1; i < depth && block; i++) {
		uint32_t b[EXT3_ADDR_PER_BLOCK];
		block_read(block, b);
		block = b[offsets[i]];
	}
	return block;
}

static uint32_t dir_lookup(const struct ext3_layout *l, const struct ext3_inode *dir_inode, const char *name)
{
	uint8_t b[EXT3_BLOCK_SIZE];
	for (uint64_t lb = 0; lb < dir_inode->i_size / EXT3_BLOCK_SIZE; lb++) {
		block_read(bmap(dir_inode, lb), b);
		for (uint32_t off = 0; off < EXT3_BLOCK_SIZE;) {
			assert_null(ext3_check_dir_entry(l, b, off));
			const struct ext3_dir_entry_2 *de = (const void *)(b + off);
			if (de->inode && de->name_len == strlen(name) && !memcmp(de->name, name, de->name_len))
				return de->inode;
			off += de->rec_len;
		}
	}
	return 0;
}

static void test_mkfs_ext3_accepted(void **state)
{
	struct ext3_layout l;
	char why[256];
	(void)state;
	mkfs("mkfs.ext3 -b 4096");
	assert_null(super_check(&l, why, sizeof(why)));
	/* 64 MiB in 4 KiB blocks: one group of 16384 blocks; the journal in inode 8 */
	assert_int_equal(l.blocks_count, 16384);
	assert_int_equal(l.groups_count, 1);
	assert_int_equal(l.gdt_blocks, 1);
	assert_int_equal(l.inode_size, 256);
	assert_int_equal(l.inodes_per_block, 16);
	assert_int_equal(l.first_ino, 11);
	assert_int_equal(l.journal_inum, EXT3_JOURNAL_INO);
	assert_true(l.was_clean);
	assert_false(l.needs_recovery);
	char names[256];
	ext3_feature_names(0, l.compat, names, sizeof(names));
	assert_string_equal(names, "has_journal, ext_attr, resize_inode, dir_index");
	ext3_feature_names(1, l.incompat, names, sizeof(names));
	assert_string_equal(names, "filetype");
	ext3_feature_names(2, l.ro_compat, names, sizeof(names));
	assert_string_equal(names, "sparse_super, large_file");
}

static void test_other_file_systems_refused(void **state)
{
	struct ext3_layout l;
	char why[256];
	(void)state;
	mkfs("mkfs.ext4 -b 4096");
	const char *r = super_check(&l, why, sizeof(why));
	assert_non_null(r);
	assert_non_null(strstr(r, "unsupported incompat features: "));
	assert_non_null(strstr(r, "extent"));
	assert_non_null(strstr(r, "64bit"));
	assert_non_null(strstr(r, "flex_bg"));
	mkfs("mkfs.ext3 -b 4096 -O metadata_csum");
	r = super_check(&l, why, sizeof(why));
	assert_non_null(r);
	assert_non_null(strstr(r, "unsupported ro_compat features: metadata_csum"));
	mkfs("mkfs.ext3 -b 1024");
	r = super_check(&l, why, sizeof(why));
	assert_non_null(r);
	assert_non_null(strstr(r, "block size 1024: only 4096"));
	assert_int_equal(run("dd if=/dev/zero of='%s' bs=4096 count=1 conv=notrunc status=none", img), 0);
	r = super_check(&l, why, sizeof(why));
	assert_non_null(r);
	assert_non_null(strstr(r, "not an ext2/ext3 file system"));
}

static void test_root_and_file_found(void **state)
{
	struct ext3_layout l;
	struct ext3_inode root, file;
	char why[256], src[sizeof(dir) + 16];
	(void)state;
	mkfs("mkfs.ext3 -b 4096");
	/* 25 blocks of 4 KiB, each starting with its number: blocks 12.. are indirect */
	snprintf(src, sizeof(src), "%s/src", dir);
	FILE *f = fopen(src, "wb");
	assert_non_null(f);
	for (uint32_t i = 0; i < 25; i++) {
		uint8_t b[EXT3_BLOCK_SIZE];
		memset(b, (int)i, sizeof(b));
		memcpy(b, &i, sizeof(i));
		assert_int_equal(fwrite(b, sizeof(b), 1, f), 1);
	}
	fclose(f);
	assert_int_equal(run("debugfs -w -R 'write %s data' '%s' >/dev/null 2>&1", src, img), 0);
	assert_null(super_check(&l, why, sizeof(why)));
	inode_read(&l, EXT3_ROOT_INO, &root);
	assert_int_equal(root.i_mode & S_IFMT, S_IFDIR);
	assert_true(dir_lookup(&l, &root, ".") == EXT3_ROOT_INO);
	assert_true(dir_lookup(&l, &root, "lost+found") >= EXT3_GOOD_OLD_FIRST_INO);
	uint32_t ino = dir_lookup(&l, &root, "data");
	assert_true(ino >= EXT3_GOOD_OLD_FIRST_INO);
	assert_int_equal(dir_lookup(&l, &root, "missing"), 0);
	inode_read(&l, ino, &file);
	assert_int_equal(file.i_mode & S_IFMT, S_IFREG);
	assert_int_equal(file.i_size, 25 * EXT3_BLOCK_SIZE);
	for (uint32_t i = 0; i < 25; i++) {
		uint32_t b[EXT3_ADDR_PER_BLOCK];
		block_read(bmap(&file, i), b);
		assert_int_equal(b[0], i);
	}
}

static void test_block_to_path(void **state)
{
	uint32_t o[4];
	(void)state;
	assert_int_equal(ext3_block_to_path(0, o), 1);
	assert_int_equal(o[0], 0);
	assert_int_equal(ext3_block_to_path(11, o), 1);
	assert_int_equal(o[0], 11);
	assert_int_equal(ext3_block_to_path(12, o), 2);
	assert_true(o[0] == EXT3_IND_BLOCK && o[1] == 0);
	assert_int_equal(ext3_block_to_path(12 + 1023, o), 2);
	assert_true(o[0] == EXT3_IND_BLOCK && o[1] == 1023);
	assert_int_equal(ext3_block_to_path(12 + 1024, o), 3);
	assert_true(o[0] == EXT3_DIND_BLOCK && o[1] == 0 && o[2] == 0);
	assert_int_equal(ext3_block_to_path(12 + 1024 + 1024 * 5 + 7, o), 3);
	assert_true(o[1] == 5 && o[2] == 7);
	uint64_t t = 12 + 1024 + 1024ull * 1024;
	assert_int_equal(ext3_block_to_path(t, o), 4);
	assert_true(o[0] == EXT3_TIND_BLOCK && o[1] == 0 && o[2] == 0 && o[3] == 0);
	assert_int_equal(ext3_block_to_path(t + 1024ull * 1024 * 3 + 1024 * 2 + 1, o), 4);
	assert_true(o[1] == 3 && o[2] == 2 && o[3] == 1);
	assert_int_equal(ext3_block_to_path(t + 1024ull * 1024 * 1024, o), 0); /* past 4 TiB */
}

static void test_dir_entry_checks(void **state)
{
	struct ext3_layout l = { .inodes_count = 100 };
	uint8_t b[EXT3_BLOCK_SIZE] = { 0 };
	struct ext3_dir_entry_2 *de = (struct ext3_dir_entry_2 *)b;
	(void)state;
	de->inode = 11;
	de->name_len = 4;
	de->rec_len = EXT3_BLOCK_SIZE;
	assert_null(ext3_check_dir_entry(&l, b, 0));
	de->rec_len = 0;
	assert_string_equal(ext3_check_dir_entry(&l, b, 0), "rec_len is smaller than minimal");
	de->rec_len = 14;
	assert_string_equal(ext3_check_dir_entry(&l, b, 0), "rec_len % 4 != 0");
	de->name_len = 200;
	de->rec_len = 16;
	assert_string_equal(ext3_check_dir_entry(&l, b, 0), "rec_len is too small for name_len");
	de->name_len = 4;
	de->rec_len = EXT3_BLOCK_SIZE + 4;
	assert_string_equal(ext3_check_dir_entry(&l, b, 0), "directory entry across blocks");
	de->rec_len = 12;
	de->inode = 101;
	assert_string_equal(ext3_check_dir_entry(&l, b, 0), "inode out of bounds");
	assert_string_equal(ext3_check_dir_entry(&l, b, EXT3_BLOCK_SIZE - 4), "directory entry across blocks");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mkfs_ext3_accepted),	 cmocka_unit_test(test_other_file_systems_refused),
		cmocka_unit_test(test_root_and_file_found),	 cmocka_unit_test(test_block_to_path),
		cmocka_unit_test(test_dir_entry_checks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
