/* Wait queues and completions. */
#include <kernel/wait.h>

void init_waitqueue_head(wait_queue_head_t *wq)
{
	spin_lock_init(&wq->lock);
	INIT_LIST_HEAD(&wq->head);
}

void prepare_to_wait(wait_queue_head_t *wq, struct wait_queue_entry *w, long state)
{
	unsigned long flags;

	w->task = current;
	local_irq_save(flags);
	raw_spin_lock(&wq->lock);
	if (w->entry.next == NULL || list_empty(&w->entry))
		list_add_tail(&w->entry, &wq->head);
	set_current_state(state);
	raw_spin_unlock(&wq->lock);
	local_irq_restore(flags);
}

void finish_wait(wait_queue_head_t *wq, struct wait_queue_entry *w)
{
	unsigned long flags;

	set_current_state(TASK_RUNNING);
	local_irq_save(flags);
	raw_spin_lock(&wq->lock);
	if (w->entry.next && !list_empty(&w->entry))
		list_del_init(&w->entry);
	raw_spin_unlock(&wq->lock);
	local_irq_restore(flags);
}

static void __wake_up(wait_queue_head_t *wq, int wake_flags)
{
	struct wait_queue_entry *w;
	unsigned long flags;

	local_irq_save(flags);
	raw_spin_lock(&wq->lock);
	list_for_each_entry(w, &wq->head, entry)
		try_to_wake_up(w->task, wake_flags);
	raw_spin_unlock(&wq->lock);
	local_irq_restore(flags);
}

void wake_up(wait_queue_head_t *wq)
{
	__wake_up(wq, 0);
}

/* The waker sleeps next (a pipe's reader and writer): wake_up_interruptible_sync. */
void wake_up_sync(wait_queue_head_t *wq)
{
	__wake_up(wq, WF_SYNC);
}

void init_completion(struct completion *x)
{
	x->done = 0;
	init_waitqueue_head(&x->wait);
}

/* Wakes under the lock: once it is dropped the waiter may return and free x. */
void complete(struct completion *x)
{
	struct wait_queue_entry *w;
	unsigned long flags;

	local_irq_save(flags);
	raw_spin_lock(&x->wait.lock);
	x->done++;
	list_for_each_entry(w, &x->wait.head, entry)
		wake_up_process(w->task);
	raw_spin_unlock(&x->wait.lock);
	local_irq_restore(flags);
}

void wait_for_completion(struct completion *x)
{
	struct wait_queue_entry w = { 0 };
	unsigned long flags;

	for (;;) {
		prepare_to_wait(&x->wait, &w, TASK_UNINTERRUPTIBLE);
		local_irq_save(flags);
		raw_spin_lock(&x->wait.lock);
		bool done = x->done > 0;
		if (done)
			x->done--;
		raw_spin_unlock(&x->wait.lock);
		local_irq_restore(flags);
		if (done)
			break;
		schedule();
	}
	finish_wait(&x->wait, &w);
}
