/* Kernel threads: kthread_create asks kthreadd (pid 2) to create them, as Linux does. */
#include <kernel/kernel.h>
#include <kernel/kthread.h>
#include <kernel/wait.h>
#include <lib/vsprintf.h>

struct kthread_create_info {
	int (*threadfn)(void *);
	void *data;
	int cpu, prio;
	char name[TASK_COMM_LEN];
	struct task_struct *result;
	struct completion done;
	struct list_head list;
};

struct task_struct *kthreadd_task;
static LIST_HEAD(kthread_create_list);
static raw_spinlock_t kthread_create_lock;

struct task_struct *kthread_create_on_cpu(int (*fn)(void *), void *data, int cpu, int prio, const char *namefmt, ...)
{
	struct kthread_create_info create = { .threadfn = fn, .data = data, .cpu = cpu, .prio = prio };
	unsigned long flags;
	va_list ap;

	va_start(ap, namefmt);
	vsnprintf(create.name, sizeof(create.name), namefmt, ap);
	va_end(ap);
	init_completion(&create.done);

	local_irq_save(flags);
	raw_spin_lock(&kthread_create_lock);
	list_add_tail(&create.list, &kthread_create_list);
	raw_spin_unlock(&kthread_create_lock);
	local_irq_restore(flags);
	wake_up_process(kthreadd_task);
	wait_for_completion(&create.done);
	return create.result;
}

void kthread_bind_mask(struct task_struct *p, u64 mask)
{
	BUG_ON(p->state == TASK_RUNNING); /* as Linux's: only before wake_up_process */
	set_cpus_allowed_new(p, mask);
}

int kthreadd(void *unused)
{
	(void)unused;
	for (;;) {
		unsigned long flags;
		struct kthread_create_info *create = NULL;

		set_current_state(TASK_INTERRUPTIBLE);
		local_irq_save(flags);
		raw_spin_lock(&kthread_create_lock);
		if (!list_empty(&kthread_create_list)) {
			create = list_first_entry(&kthread_create_list, struct kthread_create_info, list);
			list_del_init(&create->list);
		}
		raw_spin_unlock(&kthread_create_lock);
		local_irq_restore(flags);
		if (!create) {
			schedule();
			continue;
		}
		set_current_state(TASK_RUNNING);
		create->result = task_create(create->threadfn, create->data, create->name, create->cpu, create->prio);
		complete(&create->done);
	}
	return 0;
}
