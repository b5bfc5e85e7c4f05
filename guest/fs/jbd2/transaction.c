/*
 * Handles and the running transaction (fs/jbd2/transaction.c). A handle joins the
 * running transaction (starting one when there is none) unless it is being closed for
 * commit, then waits; a transaction that reached a quarter of the log is committed
 * before more joins. get_write_access takes a metadata block into the transaction:
 * its page stops being ordinary dirty data (the flushers must not write uncommitted
 * metadata home: a write already under way is waited for) and is held until the commit
 * has logged it.
 */
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include <lib/string.h>
#include <asm/tsc.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <mm/swap.h>
#include <fs/jbd2.h>

static bool grow(void **array, u32 *max, u32 need, size_t size)
{
	if (need <= *max)
		return true;
	u32 n = *max ? *max * 2 : 64;
	while (n < need)
		n *= 2;
	void *a = kmalloc(n * size);
	if (!a)
		return false;
	if (*max)
		memcpy(a, *array, *max * size);
	kfree(*array);
	*array = a;
	*max = n;
	return true;
}

static transaction_t *transaction_new(journal_t *j)
{
	transaction_t *t = kzalloc(sizeof(*t));
	if (t) {
		t->t_state = T_RUNNING;
		t->t_start_ns = ktime_get_ns();
		(void)j;
	}
	return t;
}

/* Wakes kjournald to commit tid; the running transaction's first request is timed (jbd2's t_requested). */
void jbd2_log_start_commit(journal_t *j, u32 tid)
{
	unsigned long flags;
	spin_lock_irqsave(&j->j_state_lock, flags);
	if (tid_gt(tid, j->j_commit_request))
		j->j_commit_request = tid;
	transaction_t *t = j->j_running_transaction;
	if (t && t->t_tid == tid && !t->t_requested_ns)
		t->t_requested_ns = ktime_get_ns();
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	wake_up(&j->j_wait_commit);
}

jbd2_handle_t *jbd2_journal_start(journal_t *j, int nblocks, int *err)
{
	transaction_t *fresh = NULL, *t;
	unsigned long flags;
	u64 t0 = ktime_get_ns();

	for (;;) {
		wait_event(j->j_wait_transaction_locked, !READ_ONCE(j->j_barrier_count));
		if (!fresh && !READ_ONCE(j->j_running_transaction) && !(fresh = transaction_new(j))) {
			*err = -ENOMEM;
			return NULL;
		}
		spin_lock_irqsave(&j->j_state_lock, flags);
		if (j->j_barrier_count) {
			spin_unlock_irqrestore(&j->j_state_lock, flags);
			continue;
		}
		if (!j->j_running_transaction && fresh) {
			fresh->t_tid = j->j_transaction_sequence++;
			j->j_running_transaction = fresh;
			fresh = NULL;
		}
		t = j->j_running_transaction;
		if (!t) {
			spin_unlock_irqrestore(&j->j_state_lock, flags);
			continue;
		}
		/* a full transaction commits before another handle may add to it */
		if (t->t_nr_buffers + (u32)nblocks > j->j_max_transaction_buffers && t->t_nr_buffers) {
			u32 tid = t->t_tid;
			spin_unlock_irqrestore(&j->j_state_lock, flags);
			jbd2_log_start_commit(j, tid);
			wait_event(j->j_wait_done_commit, !tid_gt(tid, READ_ONCE(j->j_commit_sequence)));
			continue;
		}
		t->t_updates++;
		t->t_handle_count++;
		/* update_t_max_wait: how long the handle waited for this transaction to begin
		 * (the last one locking for its commit, or committing because it was full) */
		if (t->t_start_ns > t0 && t->t_start_ns - t0 > t->t_max_wait_ns)
			t->t_max_wait_ns = t->t_start_ns - t0;
		spin_unlock_irqrestore(&j->j_state_lock, flags);
		break;
	}
	kfree(fresh);
	jbd2_handle_t *h = kzalloc(sizeof(*h));
	if (!h) { /* give the transaction its update back */
		spin_lock_irqsave(&j->j_state_lock, flags);
		t->t_updates--;
		spin_unlock_irqrestore(&j->j_state_lock, flags);
		wake_up(&j->j_wait_updates);
		*err = -ENOMEM;
		return NULL;
	}
	h->h_journal = j;
	h->h_transaction = t;
	h->h_buffer_credits = nblocks;
	return h;
}

int jbd2_journal_stop(jbd2_handle_t *h)
{
	journal_t *j = h->h_journal;
	transaction_t *t = h->h_transaction;
	u32 tid = t->t_tid;
	bool sync = h->h_sync;
	unsigned long flags;

	spin_lock_irqsave(&j->j_state_lock, flags);
	bool last = --t->t_updates == 0;
	bool big = t->t_nr_buffers >= j->j_max_transaction_buffers;
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	if (last)
		wake_up(&j->j_wait_updates);
	kfree(h);
	if (big || sync)
		jbd2_log_start_commit(j, tid);
	if (sync)
		wait_event(j->j_wait_done_commit, !tid_gt(tid, READ_ONCE(j->j_commit_sequence)));
	return 0;
}

/* Files the page in the transaction once (a reference kept until its commit logs it). */
static int transaction_add_buffer(journal_t *j, transaction_t *t, struct page *bh, u32 home)
{
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&j->j_state_lock, flags);
	for (u32 i = 0; i < t->t_nr_buffers; i++)
		if (t->t_buffers[i] == bh)
			goto out;
	u32 max = t->t_max_buffers;
	if (!grow((void **)&t->t_homes, &max, t->t_nr_buffers + 1, sizeof(*t->t_homes)) ||
	    !grow((void **)&t->t_buffers, &t->t_max_buffers, t->t_nr_buffers + 1, sizeof(*t->t_buffers))) {
		err = -ENOMEM;
		goto out;
	}
	get_page(bh);
	t->t_homes[t->t_nr_buffers] = home;
	t->t_buffers[t->t_nr_buffers++] = bh;
out:
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	return err;
}

/* The page's committed contents, before the handle changes them (the caller holds the page lock). */
static int transaction_save_committed(journal_t *j, transaction_t *t, struct page *bh, u32 home)
{
	void *copy = alloc_pages_exact(PAGE_SIZE);
	unsigned long flags;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, page_address(bh), PAGE_SIZE);
	spin_lock_irqsave(&j->j_state_lock, flags);
	if (!grow((void **)&t->t_saved, &t->t_max_saved, t->t_nr_saved + 1, sizeof(*t->t_saved))) {
		err = -ENOMEM;
	} else {
		const struct address_space *m = bh->mapping;
		t->t_saved[t->t_nr_saved++] = (struct jbd2_saved){ copy, home, m && m->a_ops };
		copy = NULL;
	}
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	if (copy)
		free_pages_exact(copy, PAGE_SIZE);
	return err;
}

int jbd2_journal_get_data_write_access(jbd2_handle_t *h, struct page *page, u32 home)
{
	/* the page is locked and not under writeback: a dirty one holds committed data not home yet */
	return cancel_dirty_page(page) ? transaction_save_committed(h->h_journal, h->h_transaction, page, home) : 0;
}

int jbd2_journal_get_write_access(jbd2_handle_t *h, struct page *bh)
{
	/*
	 * Committed but not yet home, the block's page is dirty: the running transaction now
	 * carries it (its older content is in the log until this one commits); a home write
	 * already started is waited for, so that no half-changed block reaches the disk.
	 */
	lock_page(bh); /* against a commit's step 6 deciding the page's fate (commit.c) */
	bool committed_not_home = cancel_dirty_page(bh);
	wait_on_page_writeback(bh);
	int err = committed_not_home ? transaction_save_committed(h->h_journal, h->h_transaction, bh, (u32)bh->index) : 0;
	if (!err)
		err = transaction_add_buffer(h->h_journal, h->h_transaction, bh, (u32)bh->index);
	unlock_page(bh);
	return err;
}

int jbd2_journal_dirty_metadata(jbd2_handle_t *h, struct page *bh)
{
	h->h_buffer_credits--;
	return transaction_add_buffer(h->h_journal, h->h_transaction, bh, (u32)bh->index);
}

/*
 * data=journal (ext3_journalled_write_end): the page was just written (dirty, locked
 * by the caller no longer): it is the transaction's now, not the flushers', until the
 * commit has logged it; the file is remembered for checkpoints.
 */
int jbd2_journal_dirty_data_page(jbd2_handle_t *h, struct page *page, u32 home)
{
	journal_t *j = h->h_journal;
	unsigned long flags;
	int err = 0;

	/* its committed contents, if not home, were saved before the copy (jbd2_journal_get_data_write_access) */
	lock_page(page);
	cancel_dirty_page(page);
	wait_on_page_writeback(page);
	spin_lock_irqsave(&j->j_state_lock, flags);
	struct address_space *m = page->mapping;
	bool known = false;
	for (u32 i = 0; i < j->j_nr_data_mappings && !known; i++)
		known = j->j_data_mappings[i] == m;
	if (!known && grow((void **)&j->j_data_mappings, &j->j_max_data_mappings, j->j_nr_data_mappings + 1,
			   sizeof(*j->j_data_mappings)))
		j->j_data_mappings[j->j_nr_data_mappings++] = m;
	else if (!known)
		err = -ENOMEM;
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	if (!err)
		err = transaction_add_buffer(j, h->h_transaction, page, home);
	unlock_page(page);
	return err;
}

int jbd2_journal_file_inode(jbd2_handle_t *h, struct address_space *m)
{
	journal_t *j = h->h_journal;
	transaction_t *t = h->h_transaction;
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&j->j_state_lock, flags);
	for (u32 i = 0; i < t->t_nr_inodes; i++)
		if (t->t_inodes[i] == m)
			goto out;
	if (!grow((void **)&t->t_inodes, &t->t_max_inodes, t->t_nr_inodes + 1, sizeof(*t->t_inodes)))
		err = -ENOMEM;
	else
		t->t_inodes[t->t_nr_inodes++] = m;
out:
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	return err;
}

int jbd2_journal_forget_block(jbd2_handle_t *h, u32 block, bool revoke)
{
	journal_t *j = h->h_journal;
	transaction_t *t = h->h_transaction;
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&j->j_state_lock, flags);
	u32 max = j->j_max_freed;
	if (!grow((void **)&j->j_freed_tid, &max, j->j_nr_freed + 1, sizeof(u32)) ||
	    !grow((void **)&j->j_freed, &j->j_max_freed, j->j_nr_freed + 1, sizeof(u32))) {
		err = -ENOMEM;
	} else {
		j->j_freed[j->j_nr_freed] = block;
		j->j_freed_tid[j->j_nr_freed++] = t->t_tid;
	}
	if (!err && revoke) {
		bool known = false;
		for (u32 i = 0; i < t->t_nr_revoked && !known; i++)
			known = t->t_revoked[i] == block;
		if (!known && grow((void **)&t->t_revoked, &t->t_max_revoked, t->t_nr_revoked + 1, sizeof(u32)))
			t->t_revoked[t->t_nr_revoked++] = block;
		else if (!known)
			err = -ENOMEM;
	}
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	return err;
}

bool jbd2_block_reusable(journal_t *j, u32 block)
{
	unsigned long flags;
	bool ok = true;

	spin_lock_irqsave(&j->j_state_lock, flags);
	for (u32 i = 0; i < j->j_nr_freed && ok; i++)
		ok = j->j_freed[i] != block;
	spin_unlock_irqrestore(&j->j_state_lock, flags);
	return ok;
}

/* After tid committed: the blocks it freed may be allocated again. */
void jbd2_freed_committed(journal_t *j, u32 tid)
{
	unsigned long flags;
	u32 k = 0;

	spin_lock_irqsave(&j->j_state_lock, flags);
	for (u32 i = 0; i < j->j_nr_freed; i++)
		if (tid_gt(j->j_freed_tid[i], tid)) {
			j->j_freed[k] = j->j_freed[i];
			j->j_freed_tid[k++] = j->j_freed_tid[i];
		}
	j->j_nr_freed = k;
	spin_unlock_irqrestore(&j->j_state_lock, flags);
}
