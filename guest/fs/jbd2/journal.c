/*
 * Loading the journal at mount (fs/jbd2/journal.c's jbd2_journal_load), replaying it
 * (fs/jbd2/recovery.c's three passes) and releasing it at unmount.
 *
 * Recovery walks the log from s_start, expecting transaction s_sequence: each block
 * must carry the magic number and the expected sequence; a descriptor's copies
 * follow it, a commit block ends a transaction. The walk stops at the first block that
 * does not fit: what follows the last commit block is an unfinished transaction and
 * is ignored. PASS_SCAN finds that end, PASS_REVOKE collects the revoked blocks,
 * PASS_REPLAY writes each copy home unless a revoke record of its transaction or a
 * later one names its block. Then the homes are flushed and the log is empty.
 */
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/kthread.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include <lib/string.h>
#include <lib/vsprintf.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <vmsweep/knobs.h>
#include <kernel/boot.h>
#include <fs/jbd2.h>

enum passtype { PASS_SCAN, PASS_REVOKE, PASS_REPLAY };

struct revoke_table {
	u32 *block, *tid;
	u32 n, max;
};

struct recovery_info {
	u32 start_transaction, end_transaction;
	u32 nr_replays, nr_revokes, nr_revoke_hits;
	struct revoke_table revoked;
};

static u32 wrap(const journal_t *j, u32 b)
{
	return b >= j->j_maxlen ? j->j_first + (b - j->j_maxlen) : b;
}

static const void *log_read(journal_t *j, u32 log_block, struct page **page, int *err)
{
	*page = read_mapping_page(j->j_bdev, j->j_blockmap[log_block], err);
	return *page ? page_address(*page) : NULL;
}

static int revoke_record(struct revoke_table *r, u32 block, u32 tid)
{
	for (u32 i = 0; i < r->n; i++)
		if (r->block[i] == block) {
			if (tid_gt(tid, r->tid[i]))
				r->tid[i] = tid;
			return 0;
		}
	if (r->n == r->max) {
		u32 max = r->max ? 2 * r->max : 256;
		u32 *b = kmalloc(max * sizeof(*b)), *t = kmalloc(max * sizeof(*t));
		if (!b || !t) {
			kfree(b);
			kfree(t);
			return -ENOMEM;
		}
		if (r->n) {
			memcpy(b, r->block, r->n * sizeof(*b));
			memcpy(t, r->tid, r->n * sizeof(*t));
		}
		kfree(r->block);
		kfree(r->tid);
		r->block = b;
		r->tid = t;
		r->max = max;
	}
	r->block[r->n] = block;
	r->tid[r->n++] = tid;
	return 0;
}

static bool revoked(const struct revoke_table *r, u32 block, u32 tid)
{
	for (u32 i = 0; i < r->n; i++)
		if (r->block[i] == block)
			return !tid_gt(tid, r->tid[i]); /* revoked in this transaction or a later one */
	return false;
}

/* A copy from the log to its home block, through the disk's cache (written after the pass). */
static int replay_block(journal_t *j, u32 log_block, u32 home, bool escape)
{
	struct page *lp, *hp;
	int err;
	const void *src = log_read(j, log_block, &lp, &err);
	if (!src)
		return err;
	if (home >= j->j_disk->capacity / PAGE_SIZE) {
		put_page(lp);
		return -EUCLEAN;
	}
	hp = grab_cache_page_zeroed(j->j_bdev, home, &err);
	if (hp) {
		memcpy(page_address(hp), src, PAGE_SIZE);
		if (escape)
			*(u32 *)page_address(hp) = cpu_to_be32(JBD2_MAGIC_NUMBER);
		set_page_dirty(hp);
		put_page(hp);
	}
	put_page(lp);
	return hp ? 0 : err;
}

static int do_one_pass(journal_t *j, struct recovery_info *info, enum passtype pass, u32 sequence, u32 start)
{
	u32 next_commit_ID = sequence, next_log_block = start, guard = 0;
	struct jbd2_tag *tags = kmalloc(PAGE_SIZE / JBD2_TAG_SIZE * sizeof(*tags));
	u32 *records = kmalloc(PAGE_SIZE);
	int err = 0;

	if (!tags || !records) {
		kfree(tags);
		kfree(records);
		return -ENOMEM;
	}
	for (;;) {
		if (pass != PASS_SCAN && !tid_gt(info->end_transaction, next_commit_ID))
			break;
		if (++guard > j->j_maxlen) /* a log that loops on itself */
			break;
		struct page *page;
		const journal_header_t *h = log_read(j, next_log_block, &page, &err);
		if (!h)
			break;
		if (be32_to_cpu(h->h_magic) != JBD2_MAGIC_NUMBER || be32_to_cpu(h->h_sequence) != next_commit_ID) {
			put_page(page);
			break;
		}
		u32 type = be32_to_cpu(h->h_blocktype), here = next_log_block;
		next_log_block = wrap(j, next_log_block + 1);
		if (type == JBD2_DESCRIPTOR_BLOCK) {
			int n = jbd2_descriptor_tags(h, PAGE_SIZE, tags, PAGE_SIZE / JBD2_TAG_SIZE);
			put_page(page);
			if (n < 0)
				break;
			for (int i = 0; i < n && pass == PASS_REPLAY && !err; i++) {
				u32 lb = wrap(j, next_log_block + (u32)i);
				if (revoked(&info->revoked, tags[i].blocknr, next_commit_ID)) {
					info->nr_revoke_hits++;
					continue;
				}
				err = replay_block(j, lb, tags[i].blocknr, tags[i].flags & JBD2_FLAG_ESCAPE);
				info->nr_replays++;
			}
			next_log_block = wrap(j, next_log_block + (u32)n);
		} else if (type == JBD2_COMMIT_BLOCK) {
			put_page(page);
			next_commit_ID++;
		} else if (type == JBD2_REVOKE_BLOCK) {
			int n = pass == PASS_REVOKE ? jbd2_revoke_records(h, PAGE_SIZE, records, PAGE_SIZE / 4) : 0;
			put_page(page);
			for (int i = 0; i < n && !err; i++) {
				err = revoke_record(&info->revoked, records[i], next_commit_ID);
				info->nr_revokes++;
			}
		} else {
			put_page(page);
			printk("JBD2: %s: unrecognised block type %u at log block %u\n", j->j_devname, type, here);
			break;
		}
		if (err)
			break;
	}
	if (pass == PASS_SCAN)
		info->end_transaction = next_commit_ID;
	kfree(tags);
	kfree(records);
	return err;
}

int jbd2_journal_recover(journal_t *j, char *why, size_t why_len)
{
	struct page *page;
	int err;
	const journal_superblock_t *sb = log_read(j, 0, &page, &err);
	if (!sb) {
		snprintf(why, why_len, "cannot read the journal superblock (error %d)", err);
		return err;
	}
	u32 sequence = be32_to_cpu(sb->s_sequence), start = be32_to_cpu(sb->s_start);
	put_page(page);
	j->j_transaction_sequence = sequence;
	if (!start) /* clean */
		return 0;
	struct recovery_info info = { .start_transaction = sequence };
	err = do_one_pass(j, &info, PASS_SCAN, sequence, start);
	if (!err)
		err = do_one_pass(j, &info, PASS_REVOKE, sequence, start);
	if (!err)
		err = do_one_pass(j, &info, PASS_REPLAY, sequence, start);
	kfree(info.revoked.block);
	kfree(info.revoked.tid);
	if (!err)
		err = filemap_write_and_wait(j->j_bdev);
	if (!err)
		err = blkdev_issue_flush(j->j_disk);
	if (err) {
		snprintf(why, why_len, "journal recovery failed (error %d)", err);
		return err;
	}
	printk("JBD2: %s: recovery complete: transactions %u to %u, %u blocks replayed, %u revoke records (%u hits)\n",
	       j->j_devname, info.start_transaction, info.end_transaction - 1, info.nr_replays, info.nr_revokes,
	       info.nr_revoke_hits);
	j->j_transaction_sequence = info.end_transaction;
	return 0;
}

journal_t *jbd2_journal_init(struct gendisk *disk, struct address_space *bdev, const u32 *blockmap, u32 blocks,
			     const char *devname, int *err, char *why, size_t why_len)
{
	journal_t *j = kzalloc(sizeof(*j));
	if (!j) {
		*err = -ENOMEM;
		snprintf(why, why_len, "no memory for the journal");
		return NULL;
	}
	j->j_disk = disk;
	j->j_bdev = bdev;
	j->j_blockmap = kmalloc(blocks * sizeof(u32));
	if (!j->j_blockmap) {
		kfree(j);
		*err = -ENOMEM;
		snprintf(why, why_len, "no memory for the journal's block map");
		return NULL;
	}
	memcpy(j->j_blockmap, blockmap, blocks * sizeof(u32));
	snprintf(j->j_devname, sizeof(j->j_devname), "%s", devname);
	spin_lock_init(&j->j_state_lock);
	init_waitqueue_head(&j->j_wait_transaction_locked);
	init_waitqueue_head(&j->j_wait_updates);
	init_waitqueue_head(&j->j_wait_commit);
	init_waitqueue_head(&j->j_wait_done_commit);
	struct page *page;
	const journal_superblock_t *sb = log_read(j, 0, &page, err);
	const char *bad = sb ? jbd2_superblock_check(sb, blocks) : "cannot read the journal superblock";
	if (!bad) {
		j->j_maxlen = be32_to_cpu(sb->s_maxlen);
		j->j_first = be32_to_cpu(sb->s_first);
		memcpy(j->j_uuid, sb->s_uuid, sizeof(j->j_uuid));
	}
	if (page)
		put_page(page);
	if (bad) {
		snprintf(why, why_len, "%s", bad);
		*err = -EUCLEAN;
		kfree(j->j_blockmap);
		kfree(j);
		return NULL;
	}
	j->j_max_transaction_buffers = (j->j_maxlen - j->j_first) / 4;
	j->j_data_mode = (int)knob(journal_mode);
	j->j_barrier = knob(barrier) != 0;
	j->j_commit_interval_ns = (u64)knob(commit) * NSEC_PER_SEC;
	return j;
}

/* After recovery: the log empty from its first block, recorded in the superblock, and kjournald. */
int jbd2_journal_start_thread(journal_t *j)
{
	j->j_head = j->j_tail = j->j_first;
	j->j_tail_sequence = j->j_transaction_sequence;
	j->j_commit_sequence = j->j_transaction_sequence - 1;
	j->j_commit_request = j->j_commit_sequence;
	j->j_free = j->j_maxlen - j->j_first;
	int err = jbd2_journal_update_sb_log_tail(j, j->j_tail_sequence, j->j_tail);
	if (err)
		return err;
	j->j_task = kthread_create(kjournald, j, "kjournald");
	if (!j->j_task)
		return -ENOMEM;
	wake_up_process(j->j_task);
	return 0;
}

/* jbd2_journal_destroy: the last transaction committed, everything home, the log clean. */
int jbd2_journal_destroy(journal_t *j)
{
	jbd2_journal_commit_last(j);
	int err = jbd2_log_do_checkpoint(j, j->j_transaction_sequence, NULL);
	if (!err)
		err = jbd2_journal_update_sb_log_tail(j, j->j_transaction_sequence, 0);
	return err;
}
