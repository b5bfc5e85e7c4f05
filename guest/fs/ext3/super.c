/*
 * Mounting ext3 (fs/ext3/super.c's ext3_fill_super): at boot, each disk the host made
 * with fs=ext3 is read and checked (layout.c) and mounted at /mnt/vdX. A disk that
 * cannot be mounted is reported on the console with the reason, and a job that names
 * a file on it fails with ENOENT; the guest goes on.
 */
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <lib/string.h>
#include <lib/vsprintf.h>
#include <vmsweep/knobs.h>
#include <mm/mmzone.h>
#include <mm/swap.h>
#include <fs/ext3.h>

static struct ext3_sb_info *mounts[VMS_MAX_DISKS];

struct page *ext3_bread(struct ext3_sb_info *sbi, u32 block, int *err)
{
	if (block >= sbi->l.blocks_count) { /* a corrupt pointer must not read past the file system */
		printk("EXT3-fs error (%s): block %u past the end (%u blocks)\n", sbi->disk->disk_name, block,
		       sbi->l.blocks_count);
		*err = -EUCLEAN;
		return NULL;
	}
	return read_mapping_page(sbi->bdev, block, err);
}

static const char *ext3_read_descriptors(struct ext3_sb_info *sbi, char *why, size_t why_len);

static const char *ext3_fill_super(struct ext3_sb_info *sbi, char *why, size_t why_len)
{
	int err;
	struct page *page = read_mapping_page(sbi->bdev, 0, &err);
	if (!page) {
		snprintf(why, why_len, "unable to read superblock (error %d)", err);
		return why;
	}
	const struct ext3_super_block *es = (const void *)((char *)page_address(page) + EXT3_SUPER_OFFSET);
	const char *bad = ext3_super_check(es, sbi->disk->capacity / EXT3_BLOCK_SIZE, &sbi->l, why, why_len);
	sbi->time_base = max(max(es->s_wtime, es->s_mtime), es->s_mkfs_time);
	put_page(page);
	if (bad)
		return bad;
	if (sbi->l.needs_recovery && !sbi->l.journal_inum)
		return "needs journal recovery, but has no journal";
	sbi->gdt = kmalloc(sbi->l.groups_count * sizeof(*sbi->gdt));
	if (!sbi->gdt)
		return "no memory for the group descriptors";
	return ext3_read_descriptors(sbi, why, why_len);
}

/* The group descriptors into memory, checked (again after a journal replay). */
static const char *ext3_read_descriptors(struct ext3_sb_info *sbi, char *why, size_t why_len)
{
	struct page *page;
	int err;

	for (u32 b = 0; b < sbi->l.gdt_blocks; b++) {
		page = ext3_bread(sbi, 1 + b, &err);
		if (!page) {
			snprintf(why, why_len, "unable to read group descriptors (error %d)", err);
			return why;
		}
		u32 first = b * (u32)EXT3_DESC_PER_BLOCK, n = min((u32)EXT3_DESC_PER_BLOCK, sbi->l.groups_count - first);
		memcpy(sbi->gdt + first, page_address(page), n * sizeof(*sbi->gdt));
		put_page(page);
	}
	/* ext3_check_descriptors: each group's bitmaps and inode table inside the group */
	for (u32 g = 0; g < sbi->l.groups_count; g++) {
		const struct ext3_group_desc *gd = &sbi->gdt[g];
		u32 first = sbi->l.first_data_block + g * sbi->l.blocks_per_group;
		u32 last = min(first + sbi->l.blocks_per_group, sbi->l.blocks_count) - 1;
		u32 table_blocks = sbi->l.inodes_per_group / sbi->l.inodes_per_block;
		if (gd->bg_block_bitmap < first || gd->bg_block_bitmap > last || gd->bg_inode_bitmap < first ||
		    gd->bg_inode_bitmap > last || gd->bg_inode_table < first || gd->bg_inode_table + table_blocks - 1 > last) {
			snprintf(why, why_len, "group descriptor %u: bitmaps or inode table outside the group", g);
			return why;
		}
	}
	return NULL;
}

/*
 * ext3_setup_super / ext3_commit_super: mounted, the file system is not clean
 * (EXT3_VALID_FS cleared, the mount counted) and, with a journal, needs recovery
 * should the guest stop before unmounting (RECOVER: e2fsck and the next mount replay
 * the log); unmounted, it is clean again. Written at once and flushed, not journaled.
 */
static int ext3_commit_super(struct ext3_sb_info *sbi, bool umount)
{
	int err;
	struct page *page = ext3_bread(sbi, 0, &err);
	if (!page)
		return err;
	lock_page(page);
	struct ext3_super_block *es = (void *)((char *)page_address(page) + EXT3_SUPER_OFFSET);
	if (umount) {
		es->s_state |= EXT3_VALID_FS;
		es->s_feature_incompat &= ~(u32)EXT3_FEATURE_INCOMPAT_RECOVER;
		es->s_wtime = ext3_now(sbi);
	} else {
		es->s_state &= (u16)~EXT3_VALID_FS;
		es->s_mnt_count++;
		es->s_mtime = es->s_wtime = ext3_now(sbi);
		memset(es->s_last_mounted, 0, sizeof(es->s_last_mounted));
		memcpy(es->s_last_mounted, sbi->mnt, strlen(sbi->mnt));
		if (sbi->s_journal)
			es->s_feature_incompat |= EXT3_FEATURE_INCOMPAT_RECOVER;
	}
	unlock_page(page);
	set_page_dirty(page);
	put_page(page);
	err = filemap_write_and_wait_range(sbi->bdev, 0, EXT3_BLOCK_SIZE);
	return err ? err : blkdev_issue_flush(sbi->disk);
}

/*
 * ext3_load_journal: the journal inode's blocks, the journal loaded and, when the file
 * system was not unmounted cleanly, replayed (the descriptors are read again after:
 * the replay may have changed them). kjournald starts later (ext3_mount).
 */
static const char *ext3_load_journal(struct ext3_sb_info *sbi, char *why, size_t why_len)
{
	int err;
	struct ext3_inode_info *ji = ext3_iget(sbi, sbi->l.journal_inum, &err);
	if (!ji) {
		snprintf(why, why_len, "cannot read the journal inode %u (error %d)", sbi->l.journal_inum, err);
		return why;
	}
	u32 blocks = (u32)(ji->size / EXT3_BLOCK_SIZE);
	u32 *map = blocks ? kmalloc(blocks * sizeof(*map)) : NULL;
	const char *bad = map ? NULL : "the journal inode is empty, or no memory for its map";
	for (u32 b = 0; !bad && b < blocks; b++) {
		long long block = ext3_get_block(ji, b);
		if (block <= 0)
			bad = "the journal inode has a hole or a bad block";
		else
			map[b] = (u32)block;
	}
	ext3_iput(ji);
	if (!bad && !(sbi->s_journal = jbd2_journal_init(sbi->disk, sbi->bdev, map, blocks, sbi->disk->disk_name, &err,
							  why, why_len)))
		bad = why;
	kfree(map);
	if (bad)
		return bad;
	if (sbi->l.needs_recovery)
		printk("EXT3-fs (%s): recovery required on the journal\n", sbi->disk->disk_name);
	if (jbd2_journal_recover(sbi->s_journal, why, why_len))
		return why;
	return ext3_read_descriptors(sbi, why, why_len);
}

static void ext3_mount(unsigned i)
{
	struct gendisk *disk = disks[i];
	char why[160];
	struct ext3_sb_info *sbi = kzalloc(sizeof(*sbi));
	if (!sbi || !(sbi->bdev = bdev_mapping(disk))) {
		printk("EXT3-fs (%s): no memory to mount\n", disk->disk_name);
		kfree(sbi);
		return;
	}
	sbi->disk = disk;
	snprintf(sbi->mnt, sizeof(sbi->mnt), "/mnt/%s", disk->disk_name);
	spin_lock_init(&sbi->inode_lock);
	spin_lock_init(&sbi->alloc_lock);
	mutex_init(&sbi->dir_mutex);
	INIT_LIST_HEAD(&sbi->inodes);
	INIT_LIST_HEAD(&sbi->rsv_windows);
	const char *bad = ext3_fill_super(sbi, why, sizeof(why));
	if (!bad && sbi->l.journal_inum)
		bad = ext3_load_journal(sbi, why, sizeof(why));
	if (bad) {
		printk("EXT3-fs (%s): error: %s: not mounted\n", disk->disk_name, bad);
		kfree(sbi->gdt);
		kfree(sbi);
		return;
	}
	if (!sbi->l.was_clean)
		printk("EXT3-fs (%s): warning: mounting unchecked fs, running e2fsck is recommended\n", disk->disk_name);
	int err = ext3_commit_super(sbi, false);
	if (err)
		printk("EXT3-fs (%s): error %d writing the superblock\n", disk->disk_name, err);
	/* Only now may the log's superblock say the log is in use (s_start): RECOVER is on the
	 * disk first, else a crash between leaves a log that e2fsck and Linux take for stray
	 * (Linux's mount wipes a journal that needs_recovery does not name). Linux gets the
	 * same order by deferring the update to the first commit (JBD2_FLUSHED). */
	if (sbi->s_journal && (err = jbd2_journal_start_thread(sbi->s_journal))) {
		printk("EXT3-fs (%s): error: cannot start the journal (error %d): not mounted\n", disk->disk_name, err);
		kfree(sbi->gdt);
		kfree(sbi);
		return;
	}
	mounts[i] = sbi;
	static const char *const modes[] = { "journal", "ordered", "writeback" };
	printk("EXT3-fs (%s): mounted filesystem at %s with %s data mode: %u blocks in %u groups, %u inodes\n",
	       disk->disk_name, sbi->mnt, sbi->s_journal ? modes[sbi->s_journal->j_data_mode] : "no journal (ext2)",
	       sbi->l.blocks_count, sbi->l.groups_count, sbi->l.inodes_count);
}

void ext3_mount_all(void)
{
	for (unsigned i = 0; i < nr_disks; i++)
		if (disks[i] && (boot_params->disks[i].flags & VMS_DISK_FS_EXT3))
			ext3_mount(i);
}

struct ext3_sb_info *ext3_sb_of(const char *mnt, size_t len)
{
	for (unsigned i = 0; i < nr_disks; i++)
		if (mounts[i] && strlen(mounts[i]->mnt) == len && !memcmp(mounts[i]->mnt, mnt, len))
			return mounts[i];
	return NULL;
}

/*
 * umount at the end of the run: each file's pages, then the metadata, on the disk and
 * flushed from its cache, and the superblock marked clean, so that the host's e2fsck
 * reads what the guest wrote.
 */
static void ext3_put_super(struct ext3_sb_info *sbi)
{
	struct ext3_inode_info *ei;
	int err = 0;

	list_for_each_entry(ei, &sbi->inodes, cache) {
		int e = filemap_write_and_wait(&ei->mapping);
		err = err ? err : e;
	}
	if (!err && sbi->s_journal) { /* the last transaction, everything home, the log clean */
		err = jbd2_journal_destroy(sbi->s_journal);
		if (!err) /* its statistics whole (the clean superblock's one block is not in them) */
			jbd2_journal_report(sbi->s_journal, sbi->disk->index, sbi->disk->bdi);
	}
	int e = filemap_write_and_wait(sbi->bdev);
	err = err ? err : e;
	if (!err)
		err = ext3_commit_super(sbi, true);
	if (err)
		printk("EXT3-fs (%s): error %d writing back at unmount: the file system is not clean\n",
		       sbi->disk->disk_name, err);
	else
		printk("EXT3-fs (%s): unmounted filesystem\n", sbi->disk->disk_name);
}

void ext3_umount_all(void)
{
	for (unsigned i = 0; i < nr_disks; i++)
		if (mounts[i])
			ext3_put_super(mounts[i]);
}
