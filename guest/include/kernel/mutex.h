/*
 * A sleeping lock (include/linux/mutex.h, without optimistic spinning): for what may
 * sleep while held, such as a file's i_mutex across page-cache I/O. Not from
 * interrupts.
 */
#ifndef KERNEL_MUTEX_H
#define KERNEL_MUTEX_H
#include <kernel/wait.h>

struct mutex {
	int locked;
	wait_queue_head_t wait;
};

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);
#endif
