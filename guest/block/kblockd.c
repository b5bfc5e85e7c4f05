/* kblockd/N: per-CPU threads that run hardware queues whose dispatch had to wait. */
#include <kernel/blkdev.h>
#include <kernel/kthread.h>
#include <kernel/percpu.h>

struct kblockd {
	struct task_struct *task;
	raw_spinlock_t lock;
	struct blk_mq_hw_ctx *pending; /* singly linked through kblockd_next */
};

static struct kblockd kblockd[VMS_MAX_CPUS];

void kblockd_schedule(struct blk_mq_hw_ctx *hctx)
{
	struct kblockd *k = &kblockd[hctx->cpu];
	unsigned long flags;

	if (!k->task)
		return;
	local_irq_save(flags);
	raw_spin_lock(&k->lock);
	if (!hctx->run_pending) {
		hctx->run_pending = true;
		hctx->kblockd_next = k->pending;
		k->pending = hctx;
	}
	raw_spin_unlock(&k->lock);
	local_irq_restore(flags);
	wake_up_process(k->task);
}

static int kblockd_thread(void *data)
{
	struct kblockd *k = data;

	for (;;) {
		unsigned long flags;
		set_current_state(TASK_INTERRUPTIBLE);
		local_irq_save(flags);
		raw_spin_lock(&k->lock);
		struct blk_mq_hw_ctx *list = k->pending;
		k->pending = NULL;
		for (struct blk_mq_hw_ctx *h = list; h; h = h->kblockd_next)
			h->run_pending = false;
		raw_spin_unlock(&k->lock);
		local_irq_restore(flags);
		if (!list) {
			schedule();
			continue;
		}
		set_current_state(TASK_RUNNING);
		while (list) {
			struct blk_mq_hw_ctx *next = list->kblockd_next;
			blk_mq_run_hw_queue(list);
			list = next;
		}
	}
	return 0;
}

void kblockd_init(void)
{
	for_each_cpu(i) {
		spin_lock_init(&kblockd[i].lock);
		kblockd[i].task = kthread_create_on_cpu(kblockd_thread, &kblockd[i], (int)i, PRIO_NORMAL, "kblockd/%u", i);
		wake_up_process(kblockd[i].task);
	}
}
