/* migration/N: a stop-class thread per CPU that runs queued work ahead of every other task. */
#include <kernel/kthread.h>
#include <kernel/percpu.h>
#include <kernel/stop_machine.h>
#include <kernel/wait.h>

static int cpu_stopper_thread(void *data)
{
	struct cpu *c = data;

	for (;;) {
		unsigned long flags;
		struct cpu_stop_work *work = NULL;

		set_current_state(TASK_INTERRUPTIBLE);
		local_irq_save(flags);
		raw_spin_lock(&c->stop_lock);
		if (!list_empty(&c->stop_works)) {
			work = list_first_entry(&c->stop_works, struct cpu_stop_work, list);
			list_del_init(&work->list);
		}
		raw_spin_unlock(&c->stop_lock);
		local_irq_restore(flags);
		if (!work) {
			schedule();
			continue;
		}
		set_current_state(TASK_RUNNING);
		struct completion *done = work->done; /* a nowait work may be queued again once fn ran */
		int ret = work->fn(work->arg);
		if (done) {
			work->ret = ret;
			complete(done);
		}
	}
	return 0;
}

int stop_one_cpu(unsigned cpu, int (*fn)(void *), void *arg)
{
	struct cpu *c = cpu_area(cpu);
	struct completion done;
	struct cpu_stop_work work = { .fn = fn, .arg = arg, .done = &done };
	unsigned long flags;

	init_completion(&done);
	local_irq_save(flags);
	raw_spin_lock(&c->stop_lock);
	list_add_tail(&work.list, &c->stop_works);
	raw_spin_unlock(&c->stop_lock);
	local_irq_restore(flags);
	wake_up_process(c->stopper);
	wait_for_completion(&done);
	return work.ret;
}

/* stop_one_cpu_nowait: queues work (the caller's, idle until fn ran) and returns; from any context. */
void stop_one_cpu_nowait(unsigned cpu, int (*fn)(void *), void *arg, struct cpu_stop_work *work)
{
	struct cpu *c = cpu_area(cpu);
	unsigned long flags;

	*work = (struct cpu_stop_work){ .fn = fn, .arg = arg };
	local_irq_save(flags);
	raw_spin_lock(&c->stop_lock);
	list_add_tail(&work->list, &c->stop_works);
	raw_spin_unlock(&c->stop_lock);
	local_irq_restore(flags);
	wake_up_process(c->stopper);
}

void cpu_stop_init(void)
{
	for_each_cpu(i) {
		struct cpu *c = cpu_area(i);
		spin_lock_init(&c->stop_lock);
		INIT_LIST_HEAD(&c->stop_works);
		c->stopper = kthread_create_on_cpu(cpu_stopper_thread, c, (int)i, PRIO_STOP, "migration/%u", i);
		wake_up_process(c->stopper);
	}
}
