/*
 * The commit (fs/jbd2/commit.c's jbd2_journal_commit_transaction) and kjournald.
 *
 * 1. Lock: new handles wait; the open ones finish (t_updates reaches 0).
 * 2. Make room: a log without room for the transaction and the next is checkpointed
 *    first (checkpoint.c), handles still waiting.
 * 3. Copy the metadata blocks (jbd2 keeps frozen copies of blocks changed meanwhile;
 *    here the copies are taken while handles wait), escaping a block that begins with
 *    the journal's magic number. Then handles run again, in the next transaction.
 * 4. data=ordered: the files' data the transaction touched is written home and waited
 *    for (journal_submit_data_buffers), so the commit can never point at stale blocks.
 * 5. Descriptor blocks and the copies into the log; then the commit block, with
 *    barrier=1 after a cache flush and made durable itself.
 * 6. The blocks' pages become dirty at home, for the flushers or a checkpoint to write.
 */
#include <asm/tsc.h>
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include <kernel/timer.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <mm/swap.h>
#include <vmsweep/hist.h>
#include <vmsweep/knobs.h>
#include <fs/jbd2.h>
#include "log_io.h"

static u32 log_next(const journal_t *j, u32 b)
{
	return b + 1 >= j->j_maxlen ? j->j_first : b + 1;
}

#define REVOKES_PER_BLOCK ((PAGE_SIZE - sizeof(jbd2_journal_revoke_header_t)) / 4)

/* Log blocks a transaction of n blocks and r revoke records takes: descriptors, copies, revokes, commit. */
static u32 log_blocks_needed(u32 n, u32 r)
{
	u32 per_desc = 1;
	while (jbd2_tags_fit((int)per_desc, PAGE_SIZE))
		per_desc++;
	return n + (n + per_desc - 1) / per_desc + (u32)((r + REVOKES_PER_BLOCK - 1) / REVOKES_PER_BLOCK) + 1;
}

/* jbd2_journal_write_revoke_records: the revoke blocks, before the commit block. */
static int log_write_revokes(journal_t *j, transaction_t *t, void **pages, u32 *npages, struct jbd2_io_batch *b,
			     u32 *used)
{
	int err = 0;
	for (u32 i = 0; !err && i < t->t_nr_revoked;) {
		void *blk = alloc_pages_exact(PAGE_SIZE);
		if (!blk)
			return -ENOMEM;
		memset(blk, 0, PAGE_SIZE);
		pages[(*npages)++] = blk;
		jbd2_journal_revoke_header_t *r = blk;
		r->r_header.h_magic = cpu_to_be32(JBD2_MAGIC_NUMBER);
		r->r_header.h_blocktype = cpu_to_be32(JBD2_REVOKE_BLOCK);
		r->r_header.h_sequence = cpu_to_be32(t->t_tid);
		u32 *rec = (u32 *)(r + 1), n = 0;
		for (; i < t->t_nr_revoked && n < REVOKES_PER_BLOCK; i++, n++)
			rec[n] = cpu_to_be32(t->t_revoked[i]);
		r->r_count = cpu_to_be32((u32)(sizeof(*r) + n * 4));
		err = jbd2_batch_write(j, b, j->j_head, blk);
		j->j_head = log_next(j, j->j_head);
		(*used)++;
	}
	return err;
}

static bool page_in_running(journal_t *j, struct page *bh)
{
	transaction_t *r = j->j_running_transaction;
	if (!r)
		return false;
	for (u32 i = 0; i < r->t_nr_buffers; i++)
		if (r->t_buffers[i] == bh)
			return true;
	return false;
}

static void header_set(void *block, u32 type, u32 tid)
{
	journal_header_t *h = block;
	h->h_magic = cpu_to_be32(JBD2_MAGIC_NUMBER);
	h->h_blocktype = cpu_to_be32(type);
	h->h_sequence = cpu_to_be32(tid);
}

/* Writes the copies after descriptor blocks naming their homes; *used counts the log blocks. */
static int log_write_transaction(journal_t *j, transaction_t *t, void **copies, const bool *escaped,
				 struct jbd2_io_batch *b, u32 *used, u32 *ndesc_out)
{
	u32 i = 0, ndesc = 0;
	int err = 0;

	while (!err && i < t->t_nr_buffers) {
		void *desc = alloc_pages_exact(PAGE_SIZE);
		if (!desc)
			return -ENOMEM;
		memset(desc, 0, PAGE_SIZE);
		header_set(desc, JBD2_DESCRIPTOR_BLOCK, t->t_tid);
		u32 first = i;
		int n = 0;
		for (; i < t->t_nr_buffers && jbd2_tags_fit(n, PAGE_SIZE); i++, n++) {
			journal_block_tag_t *tag = (void *)((u8 *)desc + jbd2_tag_offset(n));
			u16 flags = (n ? JBD2_FLAG_SAME_UUID : 0) | (escaped[i] ? JBD2_FLAG_ESCAPE : 0);
			tag->t_blocknr = cpu_to_be32(t->t_homes[i]);
			tag->t_flags = cpu_to_be16(flags);
			if (!n)
				memcpy((u8 *)tag + JBD2_TAG_SIZE, j->j_uuid, JBD2_UUID_SIZE);
		}
		journal_block_tag_t *last = (void *)((u8 *)desc + jbd2_tag_offset(n - 1));
		last->t_flags |= cpu_to_be16(JBD2_FLAG_LAST_TAG);
		err = jbd2_batch_write(j, b, j->j_head, desc);
		copies[t->t_nr_buffers + ndesc++] = desc; /* freed with the copies */
		(*used)++;
		j->j_head = log_next(j, j->j_head);
		for (u32 k = first; !err && k < i; k++) {
			err = jbd2_batch_write(j, b, j->j_head, copies[k]);
			j->j_head = log_next(j, j->j_head);
			(*used)++;
		}
	}
	*ndesc_out = ndesc;
	return err;
}

/*
 * The committed contents of home (a page copy) for the running transaction r, which has
 * taken the block: replaces an older saved copy. Under j_state_lock, so no allocation
 * that may sleep: false when there is no room, and then the caller keeps the copy (a
 * checkpoint before r commits would then miss it: said on the console).
 */
static bool transaction_keep_committed(transaction_t *r, u32 home, void *copy, bool data)
{
	for (u32 i = 0; i < r->t_nr_saved; i++)
		if (r->t_saved[i].home == home) {
			free_pages_exact(r->t_saved[i].copy, PAGE_SIZE);
			r->t_saved[i].copy = copy;
			return true;
		}
	if (r->t_nr_saved == r->t_max_saved) {
		u32 max = r->t_max_saved ? 2 * r->t_max_saved : 64;
		struct jbd2_saved *saved = kmalloc(max * sizeof(*saved));
		if (!saved) {
			printk("JBD2: no memory to keep block %u's committed contents\n", home);
			return false;
		}
		if (r->t_nr_saved)
			memcpy(saved, r->t_saved, r->t_nr_saved * sizeof(*saved));
		kfree(r->t_saved);
		r->t_saved = saved;
		r->t_max_saved = max;
	}
	r->t_saved[r->t_nr_saved++] = (struct jbd2_saved){ copy, home, data };
	return true;
}

void jbd2_journal_commit_transaction(journal_t *j)
{
	unsigned long flags;
	u64 t0 = ktime_get_ns();

	/* 1. lock */
	spin_lock_irqsave(&j->j_state_lock, flags);
	transaction_t *t = j->j_running_transaction;
	if (!t) {
		spin_unlock_irqrestore(&j->j_state_lock, flags);
		return;
	}
	j->j_barrier_count = true;
	t->t_state = T_LOCKED;
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	wait_event(j->j_wait_updates, !READ_ONCE(t->t_updates));
	spin_lock_irqsave(&j->j_state_lock, flags);
	j->j_running_transaction = NULL;
	spin_unlock_irqrestore(&j->j_state_lock, flags);

	int err = 0;
	u32 n = t->t_nr_buffers, used = 0;
	u32 need = log_blocks_needed(n, t->t_nr_revoked);
	bool logged = n || t->t_nr_revoked;
	/* 2. room for this transaction and the next (a quarter of the log each at most) */
	if (logged && j->j_free < need + log_blocks_needed(j->j_max_transaction_buffers, REVOKES_PER_BLOCK)) {
		err = jbd2_log_do_checkpoint(j, t->t_tid, t);
		if (!err) /* the log ran short (the unmount's own checkpoint is not counted) */
			j->j_stats.checkpoints++;
	}
	/* 3. the copies, escaped */
	u32 max_desc = need - n; /* descriptors, revoke blocks and the commit block */
	void **copies = logged ? kzalloc((n + max_desc) * sizeof(*copies)) : NULL;
	bool *escaped = logged ? kzalloc((n + 1) * sizeof(*escaped)) : NULL;
	if (logged && (!copies || !escaped))
		err = err ? err : -ENOMEM;
	for (u32 i = 0; !err && i < n; i++) {
		if (!(copies[i] = alloc_pages_exact(PAGE_SIZE))) {
			err = -ENOMEM;
			break;
		}
		memcpy(copies[i], page_address(t->t_buffers[i]), PAGE_SIZE);
		if (*(u32 *)copies[i] == cpu_to_be32(JBD2_MAGIC_NUMBER)) {
			*(u32 *)copies[i] = 0;
			escaped[i] = true;
		}
	}
	spin_lock_irqsave(&j->j_state_lock, flags);
	j->j_barrier_count = false;
	t->t_state = T_COMMIT;
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	wake_up(&j->j_wait_transaction_locked);
	u64 t_flush = ktime_get_ns();

	/* 4. ordered data home first */
	if (j->j_data_mode == VMS_DATA_ORDERED)
		for (u32 i = 0; i < t->t_nr_inodes; i++) {
			int e = filemap_write_and_wait(t->t_inodes[i]);
			err = err ? err : e;
		}
	u64 t_logging = ktime_get_ns();

	/* 5. the log, then the commit block */
	if (!err && logged) {
		struct jbd2_io_batch b;
		jbd2_batch_init(&b);
		u32 ndesc = 0;
		err = log_write_transaction(j, t, copies, escaped, &b, &used, &ndesc);
		if (!err) {
			u32 npages = n + ndesc;
			err = log_write_revokes(j, t, copies, &npages, &b, &used);
		}
		int e = jbd2_batch_wait(j, &b);
		err = err ? err : e;
		void *commit = alloc_pages_exact(PAGE_SIZE);
		if (!err && !commit)
			err = -ENOMEM;
		if (!err) {
			memset(commit, 0, PAGE_SIZE);
			header_set(commit, JBD2_COMMIT_BLOCK, t->t_tid);
			err = jbd2_write_log_block(j, j->j_head, commit, j->j_barrier, j->j_barrier);
			j->j_head = log_next(j, j->j_head);
			used++;
		}
		if (commit)
			free_pages_exact(commit, PAGE_SIZE);
	}
	if (err)
		printk("JBD2: %s: error %d committing transaction %u: the journal is aborted\n", j->j_devname, err,
		       t->t_tid);

	/*
	 * 6. home: dirty for the flushers, unless the next transaction has taken the block
	 * again; then its page holds changes not committed, and the copy this commit logged
	 * (unescaped) becomes the block's committed contents that the next transaction keeps
	 * for a checkpoint (jbd2's frozen data).
	 */
	for (u32 i = 0; i < n; i++) {
		lock_page(t->t_buffers[i]); /* a handle taking it holds the lock until it is filed */
		spin_lock_irqsave(&j->j_state_lock, flags);
		transaction_t *r = page_in_running(j, t->t_buffers[i]) ? j->j_running_transaction : NULL;
		if (r && !err && copies[i]) {
			if (escaped[i])
				*(u32 *)copies[i] = cpu_to_be32(JBD2_MAGIC_NUMBER);
			struct address_space *bm = t->t_buffers[i]->mapping;
			if (transaction_keep_committed(r, t->t_homes[i], copies[i], bm && bm->a_ops))
				copies[i] = NULL; /* the running transaction's now */
		}
		spin_unlock_irqrestore(&j->j_state_lock, flags);
		/* a data=journal page whose block a truncate freed meanwhile has no home any more */
		struct address_space *m = t->t_buffers[i]->mapping;
		bool homeless = m && m->a_ops && m->a_ops->bmap(m, t->t_buffers[i]->index) != t->t_homes[i];
		if (!r && !err && !homeless)
			set_page_dirty(t->t_buffers[i]);
		unlock_page(t->t_buffers[i]);
		put_page(t->t_buffers[i]);
	}
	for (u32 i = 0; copies && i < n + max_desc; i++)
		if (copies[i])
			free_pages_exact(copies[i], PAGE_SIZE);
	kfree(copies);
	kfree(escaped);

	u64 end = ktime_get_ns();
	spin_lock_irqsave(&j->j_state_lock, flags);
	j->j_free -= min(used, j->j_free);
	j->j_commit_sequence = t->t_tid;
	/* jbd2's transaction_run_stats_s: locked, flushing and logging make up the commit */
	struct jbd2_stats *s = &j->j_stats;
	s->transactions++;
	s->handles += (u64)t->t_handle_count;
	s->blocks += n;
	s->blocks_logged += used;
	s->wait_ns_sum += t->t_max_wait_ns;
	if (t->t_requested_ns) {
		s->commits_forced++;
		s->request_delay_ns_sum += t0 > t->t_requested_ns ? t0 - t->t_requested_ns : 0;
	}
	s->run_ns_sum += t0 - t->t_start_ns;
	s->lock_ns_sum += t_flush - t0;
	s->flush_ns_sum += t_logging - t_flush;
	s->logging_ns_sum += end - t_logging;
	s->commit_ns_sum += end - t0;
	if (end - t0 > s->commit_ns_max)
		s->commit_ns_max = end - t0;
	j->j_commit_buckets[vms_hist_index(end - t0)]++;
	j->j_commit_windows[t->t_tid % JBD2_COMMIT_WINDOWS] =
		(struct jbd2_commit_window){ .tid = t->t_tid, .logging_ns = t_logging, .end_ns = end };
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	kfree(t->t_buffers);
	kfree(t->t_homes);
	kfree(t->t_revoked);
	for (u32 i = 0; i < t->t_nr_saved; i++)
		free_pages_exact(t->t_saved[i].copy, PAGE_SIZE);
	kfree(t->t_saved);
	jbd2_freed_committed(j, t->t_tid);
	kfree(t->t_inodes);
	kfree(t);
	wake_up(&j->j_wait_done_commit);
}

/*
 * Waits for the commit of what was done so far: the running transaction's (kjournald
 * asked for it, a request when requested), or with none running the one committing
 * (its commit has begun: an fsync must still wait for it to end).
 */
/* The part of a wait since t0 that tid's commit spent writing the log (its window, if not yet reused). */
static u64 commit_io_since(journal_t *j, u32 tid, u64 t0)
{
	unsigned long flags;
	u64 io = 0;

	spin_lock_irqsave(&j->j_state_lock, flags);
	const struct jbd2_commit_window *w = &j->j_commit_windows[tid % JBD2_COMMIT_WINDOWS];
	u64 from = max(w->logging_ns, t0);
	if (w->tid == tid && w->end_ns > from)
		io = w->end_ns - from;
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	return io;
}

static int log_wait_last(journal_t *j, bool requested, u64 *io_ns)
{
	unsigned long flags;
	u64 t0 = ktime_get_ns();

	spin_lock_irqsave(&j->j_state_lock, flags);
	transaction_t *t = j->j_running_transaction;
	u32 tid = t ? t->t_tid : j->j_transaction_sequence - 1;
	bool pending = tid_gt(tid, j->j_commit_sequence);
	if (t && !requested && tid_gt(tid, j->j_commit_request))
		j->j_commit_request = tid;
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	if (io_ns)
		*io_ns = 0;
	if (!pending)
		return 0;
	if (t && requested)
		jbd2_log_start_commit(j, tid);
	else
		wake_up(&j->j_wait_commit);
	wait_event(j->j_wait_done_commit, !tid_gt(tid, READ_ONCE(j->j_commit_sequence)));
	if (!io_ns)
		return 0;
	*io_ns = commit_io_since(j, tid, t0);
	return 0;
}

/*
 * jbd2_log_wait_commit for tid (ext3_sync_file's i_sync_tid): committed already,
 * nothing to do; running, its commit is asked for; committing, waited for.
 */
int jbd2_log_wait_tid(journal_t *j, u32 tid, u64 *io_ns)
{
	unsigned long flags;
	u64 t0 = ktime_get_ns();

	if (io_ns)
		*io_ns = 0;
	spin_lock_irqsave(&j->j_state_lock, flags);
	bool pending = tid_gt(tid, j->j_commit_sequence);
	bool running = j->j_running_transaction && j->j_running_transaction->t_tid == tid;
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	if (!pending)
		return 0;
	if (running)
		jbd2_log_start_commit(j, tid);
	wait_event(j->j_wait_done_commit, !tid_gt(tid, READ_ONCE(j->j_commit_sequence)));
	if (!io_ns)
		return 0;
	*io_ns = commit_io_since(j, tid, t0);
	return 0;
}

int jbd2_journal_force_commit(journal_t *j, u64 *io_ns)
{
	return log_wait_last(j, true, io_ns);
}

int jbd2_journal_commit_last(journal_t *j)
{
	return log_wait_last(j, false, NULL);
}

/*
 * kjournald (named as ext3 named it; jbd2's is jbd2/DEV-8): commits the running
 * transaction when asked (fsync, a full transaction) or when it is `commit` seconds old.
 */
int kjournald(void *arg)
{
	journal_t *j = arg;

	for (;;) {
		unsigned long flags;
		spin_lock_irqsave(&j->j_state_lock, flags);
		transaction_t *t = j->j_running_transaction;
		bool due = t && (tid_gt(j->j_commit_request, j->j_commit_sequence) ||
				 ktime_get_ns() - t->t_start_ns >= j->j_commit_interval_ns);
		u64 wait_ns = t ? j->j_commit_interval_ns - min(ktime_get_ns() - t->t_start_ns, j->j_commit_interval_ns)
				: j->j_commit_interval_ns;
		spin_unlock_irqrestore(&j->j_state_lock, flags);
		if (due) {
			jbd2_journal_commit_transaction(j);
			continue;
		}
		struct wait_queue_entry w = { 0 };
		prepare_to_wait(&j->j_wait_commit, &w, TASK_INTERRUPTIBLE);
		if (!tid_gt(READ_ONCE(j->j_commit_request), READ_ONCE(j->j_commit_sequence)))
			schedule_timeout(wait_ns ? wait_ns : 1);
		finish_wait(&j->j_wait_commit, &w);
	}
	return 0;
}
