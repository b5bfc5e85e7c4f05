/*
 * Names (fs/ext3/namei.c, fs/namei.c): a linear search of a directory's blocks
 * (ext3_find_entry; an htree directory of dir_index reads the same way, its index
 * blocks look like empty entries), the walk of a path under a mount point, and
 * creating a file (ext3_create: a new inode and its entry). Directory blocks are
 * metadata, read and changed in the disk's page cache.
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
	/* a directory's blocks are metadata: read (and changed) in the disk's cache, as ext3_bread */
	for (u64 lb = 0; lb < (dir->size + EXT3_BLOCK_SIZE - 1) / EXT3_BLOCK_SIZE; lb++) {
		long long block = ext3_get_block(dir, lb);
		if (block <= 0)
			return block ? block : -EUCLEAN; /* directories have no holes */
		struct page *page = ext3_bread(sbi, (u32)block, &err);
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

static u8 ext3_file_type(u16 mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return EXT3_FT_REG_FILE;
	case S_IFDIR:
		return EXT3_FT_DIR;
	case S_IFLNK:
		return EXT3_FT_SYMLINK;
	default:
		return EXT3_FT_UNKNOWN;
	}
}

/* Writes the entry at de, splitting off the unused tail of a live entry first. */
static void ext3_put_entry(struct ext3_dir_entry_2 *de, u32 ino, const char *name, size_t len, u8 type)
{
	if (de->inode) {
		u32 used = EXT3_DIR_REC_LEN(de->name_len);
		struct ext3_dir_entry_2 *next = (void *)((char *)de + used);
		next->rec_len = (u16)(de->rec_len - used);
		de->rec_len = (u16)used;
		de = next;
	}
	de->inode = ino;
	de->name_len = (u8)len;
	de->file_type = type;
	memcpy(de->name, name, len);
}

/*
 * ext3_add_entry: the first entry with room for the new one (an unused entry, or a
 * live one's slack), else a new block at the directory's end. A directory indexed by
 * dir_index loses its index flag: entries added in order would not be in the htree
 * (what a kernel without htree support does: e2fsck then rebuilds it if asked).
 */
static int ext3_add_entry(handle_t *h, struct ext3_inode_info *dir, const char *name, size_t len, u32 ino, u8 type)
{
	struct ext3_sb_info *sbi = dir->sbi;
	u32 need = EXT3_DIR_REC_LEN(len);
	u64 nblocks = (dir->size + EXT3_BLOCK_SIZE - 1) / EXT3_BLOCK_SIZE;
	int err;

	for (u64 lb = 0; lb < nblocks; lb++) {
		long long block = ext3_get_block(dir, lb);
		if (block <= 0)
			return block ? (int)block : -EUCLEAN;
		struct page *bh = ext3_bread(sbi, (u32)block, &err);
		if (!bh)
			return err;
		u8 *b = page_address(bh);
		for (u32 off = 0; off < EXT3_BLOCK_SIZE;) {
			if (ext3_check_dir_entry(&sbi->l, b, off)) {
				put_page(bh);
				return -EUCLEAN;
			}
			struct ext3_dir_entry_2 *de = (void *)(b + off);
			u32 used = de->inode ? EXT3_DIR_REC_LEN(de->name_len) : 0;
			if (de->rec_len >= used + need) {
				ext3_journal_get_write_access(h, bh);
				ext3_put_entry(de, ino, name, len, type);
				ext3_journal_dirty_metadata(h, bh);
				put_page(bh);
				goto added;
			}
			off += de->rec_len;
		}
		put_page(bh);
	}
	/* a new block: one entry that spans it */
	bool new_block;
	long long block = ext3_get_block_create(h, dir, nblocks, &new_block);
	if (block <= 0)
		return block ? (int)block : -EIO;
	struct page *bh = ext3_getblk_zero(sbi, (u32)block, &err);
	if (!bh)
		return err;
	ext3_journal_get_write_access(h, bh);
	struct ext3_dir_entry_2 *de = page_address(bh);
	de->rec_len = EXT3_BLOCK_SIZE;
	ext3_put_entry(de, ino, name, len, type);
	ext3_journal_dirty_metadata(h, bh);
	put_page(bh);
	dir->size = (nblocks + 1) * EXT3_BLOCK_SIZE;
added:
	dir->flags &= ~EXT3_INDEX_FL;
	return ext3_mark_inode_dirty(h, dir);
}

/* ext3_create: a new, empty regular file in the directory, with a reference. */
static struct ext3_inode_info *ext3_create(struct ext3_inode_info *dir, const char *name, size_t len, int *err)
{
	struct ext3_sb_info *sbi = dir->sbi;
	struct ext3_inode_info *ei = NULL;
	/* EXT3_DATA_TRANS_BLOCKS + 3 + EXT3_INDEX_EXTRA_TRANS_BLOCKS, as ext3_create reserves */
	handle_t *h = ext3_journal_start(sbi, 16, err);
	if (!h)
		return NULL;
	u32 ino = ext3_new_inode_number(h, dir, false, err);
	if (ino && !(*err = ext3_new_inode_init(h, ino, S_IFREG | 0644, 1)) && (ei = ext3_iget(sbi, ino, err)) &&
	    (*err = ext3_add_entry(h, dir, name, len, ino, ext3_file_type(ei->mode)))) {
		ext3_iput(ei);
		ei = NULL;
	}
	ext3_journal_stop(h);
	return ei;
}

/* The parent directory of path and the last component's name in it, with a reference. */
static struct ext3_inode_info *lookup_parent(const char *path, const char **name, int *err)
{
	const char *slash = path;
	for (const char *p = path; *p; p++)
		if (*p == '/')
			slash = p;
	char parent[16 + VMS_PATH_MAX];
	size_t plen = (size_t)(slash - path);
	if (plen >= sizeof(parent) || plen <= 5 || !slash[1]) {
		*err = -ENOENT;
		return NULL;
	}
	memcpy(parent, path, plen);
	parent[plen] = '\0';
	*name = slash + 1;
	return ext3_path_lookup(parent, err);
}

struct ext3_inode_info *ext3_open_create(const char *path, int *err)
{
	struct ext3_inode_info *ei = ext3_path_lookup(path, err);
	if (ei || *err != -ENOENT)
		return ei;
	/* the parent directory must exist: its last component is created */
	const char *name;
	struct ext3_inode_info *dir = lookup_parent(path, &name, err);
	if (!dir)
		return NULL;
	mutex_lock(&dir->sbi->dir_mutex);
	long ino = ext3_find_entry(dir, name, strlen(name)); /* lost a race to create it? */
	if (ino > 0)
		ei = ext3_iget(dir->sbi, (u32)ino, err);
	else if (ino == 0)
		ei = ext3_create(dir, name, strlen(name), err);
	else
		*err = (int)ino;
	mutex_unlock(&dir->sbi->dir_mutex);
	ext3_iput(dir);
	return ei;
}

/*
 * ext3_delete_entry: the entry of name in dir, merged into the one before it in its
 * block (or marked unused when it is the block's first). Returns its inode number, 0
 * when absent, or -errno.
 */
static long ext3_delete_entry(handle_t *h, struct ext3_inode_info *dir, const char *name, size_t len, u8 *type)
{
	struct ext3_sb_info *sbi = dir->sbi;
	int err;

	for (u64 lb = 0; lb < (dir->size + EXT3_BLOCK_SIZE - 1) / EXT3_BLOCK_SIZE; lb++) {
		long long block = ext3_get_block(dir, lb);
		if (block <= 0)
			return block ? block : -EUCLEAN;
		struct page *bh = ext3_bread(sbi, (u32)block, &err);
		if (!bh)
			return err;
		u8 *b = page_address(bh);
		struct ext3_dir_entry_2 *prev = NULL;
		for (u32 off = 0; off < EXT3_BLOCK_SIZE;) {
			if (ext3_check_dir_entry(&sbi->l, b, off)) {
				put_page(bh);
				return -EUCLEAN;
			}
			struct ext3_dir_entry_2 *de = (void *)(b + off);
			if (de->inode && de->name_len == len && !memcmp(de->name, name, len)) {
				long ino = de->inode;
				*type = de->file_type;
				ext3_journal_get_write_access(h, bh);
				if (prev)
					prev->rec_len = (u16)(prev->rec_len + de->rec_len);
				else
					de->inode = 0;
				ext3_journal_dirty_metadata(h, bh);
				put_page(bh);
				return ino;
			}
			prev = de;
			off += de->rec_len;
		}
		put_page(bh);
	}
	return 0;
}

int ext3_unlink(const char *path)
{
	const char *name;
	int err = 0;
	struct ext3_inode_info *dir = lookup_parent(path, &name, &err);
	if (!dir)
		return err;
	struct ext3_sb_info *sbi = dir->sbi;
	mutex_lock(&sbi->dir_mutex);
	/* the last link's pages go first, outside the handle (evict's truncate_inode_pages) */
	long victim = ext3_find_entry(dir, name, strlen(name));
	struct ext3_inode_info *vi = victim > 0 ? ext3_iget(sbi, (u32)victim, &err) : NULL;
	if (vi && vi->links_count == 1 && (vi->mode & S_IFMT) == S_IFREG)
		ext3_truncate_pagecache(vi, 0);
	if (vi)
		ext3_iput(vi);
	err = 0;
	handle_t *h = ext3_journal_start(sbi, 32, &err);
	if (h) {
		u8 type = 0;
		long ino = ext3_delete_entry(h, dir, name, strlen(name), &type);
		if (ino < 0) {
			err = (int)ino;
		} else if (ino == 0) {
			err = -ENOENT;
		} else if (type == EXT3_FT_DIR) {
			err = -EISDIR; /* rmdir is not supported */
		} else {
			struct ext3_inode_info *ei = ext3_iget(sbi, (u32)ino, &err);
			if (ei) {
				/* the last link: its blocks and the inode itself are freed (no orphan list:
				 * nobody holds a file open past its unlink here) */
				if (ei->links_count)
					ei->links_count--;
				if (!ei->links_count) {
					err = ext3_truncate(h, ei, 0);
					ei->i_dtime = ext3_now(sbi);
					int e = ext3_mark_inode_dirty(h, ei);
					err = err ? err : e;
					e = ext3_free_inode_number(h, ei->ino, false);
					err = err ? err : e;
				} else {
					err = ext3_mark_inode_dirty(h, ei);
				}
				ext3_iput(ei);
			}
		}
		int e = ext3_mark_inode_dirty(h, dir);
		err = err ? err : e;
		ext3_journal_stop(h);
	}
	mutex_unlock(&sbi->dir_mutex);
	ext3_iput(dir);
	return err;
}

int ext3_mkdir(const char *path)
{
	const char *name;
	int err = 0;
	struct ext3_inode_info *dir = lookup_parent(path, &name, &err);
	if (!dir)
		return err;
	struct ext3_sb_info *sbi = dir->sbi;
	mutex_lock(&sbi->dir_mutex);
	long found = ext3_find_entry(dir, name, strlen(name));
	handle_t *h = found ? NULL : ext3_journal_start(sbi, 32, &err);
	if (found)
		err = found > 0 ? -EEXIST : (int)found;
	u32 ino = h ? ext3_new_inode_number(h, dir, true, &err) : 0;
	/* links: its entry in the parent, and its own "." */
	if (ino && !(err = ext3_new_inode_init(h, ino, S_IFDIR | 0755, 2))) {
		struct ext3_inode_info *ei = ext3_iget(sbi, ino, &err);
		bool new_block;
		long long block = ei ? ext3_get_block_create(h, ei, 0, &new_block) : 0;
		struct page *bh = block > 0 ? ext3_getblk_zero(sbi, (u32)block, &err) : NULL;
		if (bh) { /* "." and ".." */
			ext3_journal_get_write_access(h, bh);
			struct ext3_dir_entry_2 *dot = page_address(bh);
			dot->inode = ino;
			dot->rec_len = EXT3_DIR_REC_LEN(1);
			dot->name_len = 1;
			dot->file_type = EXT3_FT_DIR;
			dot->name[0] = '.';
			struct ext3_dir_entry_2 *dotdot = (void *)((u8 *)dot + dot->rec_len);
			dotdot->inode = dir->ino;
			dotdot->rec_len = (u16)(EXT3_BLOCK_SIZE - dot->rec_len);
			dotdot->name_len = 2;
			dotdot->file_type = EXT3_FT_DIR;
			memcpy(dotdot->name, "..", 2);
			ext3_journal_dirty_metadata(h, bh);
			put_page(bh);
			ei->size = EXT3_BLOCK_SIZE;
			err = ext3_mark_inode_dirty(h, ei);
			if (!err && !(err = ext3_add_entry(h, dir, name, strlen(name), ino, EXT3_FT_DIR))) {
				dir->links_count++; /* the new directory's ".." */
				err = ext3_mark_inode_dirty(h, dir);
			}
		} else if (!err) {
			err = block < 0 ? (int)block : -EIO;
		}
		if (ei)
			ext3_iput(ei);
	}
	if (h)
		ext3_journal_stop(h);
	mutex_unlock(&sbi->dir_mutex);
	ext3_iput(dir);
	return err;
}
