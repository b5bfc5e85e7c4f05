/* Sleeping locks (kernel/locking/mutex.c, the slow path only). */
#include <kernel/mutex.h>
#include <kernel/sched.h>

void mutex_init(struct mutex *m)
{
	m->locked = 0;
	init_waitqueue_head(&m->wait);
}

static bool mutex_trylock(struct mutex *m)
{
	return !__atomic_exchange_n(&m->locked, 1, __ATOMIC_ACQUIRE);
}

void mutex_lock(struct mutex *m)
{
	struct wait_queue_entry w = { 0 };

	while (!mutex_trylock(m)) {
		prepare_to_wait(&m->wait, &w, TASK_UNINTERRUPTIBLE);
		if (__atomic_load_n(&m->locked, __ATOMIC_RELAXED))
			schedule();
		finish_wait(&m->wait, &w);
	}
}

void mutex_unlock(struct mutex *m)
{
	__atomic_store_n(&m->locked, 0, __ATOMIC_RELEASE);
	wake_up(&m->wait);
}
