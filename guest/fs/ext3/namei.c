/*
 * Names (fs/ext3/namei.c, fs/namei.c): a linear search of a directory's blocks
 * (ext3_find_entry; an htree directory of dir_index reads the same way, its index
 * blocks look like empty entries) and the walk of a path under a mount point.
 */
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <fs/ext3.h>

long ext3_find_entry(struct ext3_inode_info *dir, const char *name, size_t len)
{
	struct ext3_sb_info *sbi = dir->sbi;
	int err;

	if ((dir->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	if (len > EXT3_NAME_LEN)
		return -ENAMETOOLONG;
	for (u64 lb = 0; lb < (dir->size + EXT3_BLOCK_SIZE - 1) / EXT3_BLOCK_SIZE; lb++) {
		struct page *page = read_mapping_page(&dir->mapping, (unsigned long)lb, &err);
		if (!page)
			return err;
		const u8 *b = page_address(page);
		for (u32 off = 0; off < EXT3_BLOCK_SIZE;) {
			const char *bad = ext3_check_dir_entry(&sbi->l, b, off);
			if (bad) {
				printk("EXT3-fs error (%s): ext3_check_dir_entry: bad entry in directory #%u: %s - offset=%u\n",
				       sbi->disk->disk_name, dir->ino, bad, off);
				put_page(page);
				return -EUCLEAN;
			}
			const struct ext3_dir_entry_2 *de = (const void *)(b + off);
			if (de->inode && de->name_len == len && !memcmp(de->name, name, len)) {
				long ino = de->inode;
				put_page(page);
				return ino;
			}
			off += de->rec_len;
		}
		put_page(page);
	}
	return 0;
}

struct ext3_inode_info *ext3_path_lookup(const char *path, int *err)
{
	/* the mount point: "/mnt/" and a disk's name */
	if (strncmp(path, "/mnt/", 5)) {
		*err = -ENOENT;
		return NULL;
	}
	const char *p = path + 5;
	while (*p && *p != '/')
		p++;
	struct ext3_sb_info *sbi = ext3_sb_of(path, (size_t)(p - path));
	if (!sbi) {
		*err = -ENOENT;
		return NULL;
	}
	struct ext3_inode_info *ei = ext3_iget(sbi, EXT3_ROOT_INO, err);
	while (ei && *p) {
		while (*p == '/')
			p++;
		const char *name = p;
		while (*p && *p != '/')
			p++;
		if (p == name)
			break;
		long ino = ext3_find_entry(ei, name, (size_t)(p - name));
		ext3_iput(ei);
		ei = NULL;
		if (ino <= 0)
			*err = ino ? (int)ino : -ENOENT;
		else
			ei = ext3_iget(sbi, (u32)ino, err);
	}
	return ei;
}
