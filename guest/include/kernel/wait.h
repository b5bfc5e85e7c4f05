/* Wait queues and completions, as Linux's <linux/wait.h> and <linux/completion.h>. */
#ifndef KERNEL_WAIT_H
#define KERNEL_WAIT_H
#include <kernel/sched.h>

struct wait_queue_head {
	raw_spinlock_t lock;
	struct list_head head;
};
typedef struct wait_queue_head wait_queue_head_t;

struct wait_queue_entry {
	struct task_struct *task;
	struct list_head entry;
};

#define __WAIT_QUEUE_HEAD_INITIALIZER(name) { __SPIN_LOCK_UNLOCKED, LIST_HEAD_INIT((name).head) }
#define DECLARE_WAIT_QUEUE_HEAD(name) wait_queue_head_t name = __WAIT_QUEUE_HEAD_INITIALIZER(name)

void init_waitqueue_head(wait_queue_head_t *wq);
/* Someone is waiting (a hint: no lock taken). */
static inline bool waitqueue_active(wait_queue_head_t *wq)
{
	return !list_empty(&wq->head);
}
void prepare_to_wait(wait_queue_head_t *wq, struct wait_queue_entry *w, long state);
void finish_wait(wait_queue_head_t *wq, struct wait_queue_entry *w);
void wake_up(wait_queue_head_t *wq);
void wake_up_sync(wait_queue_head_t *wq);

#define wait_event(wq, condition)                                          \
	do {                                                               \
		struct wait_queue_entry __w = { 0 };                               \
		for (;;) {                                                 \
			prepare_to_wait(&(wq), &__w, TASK_UNINTERRUPTIBLE); \
			if (condition)                                     \
				break;                                     \
			schedule();                                        \
		}                                                          \
		finish_wait(&(wq), &__w);                                  \
	} while (0)

struct completion {
	unsigned done;
	wait_queue_head_t wait;
};

void init_completion(struct completion *x);
void complete(struct completion *x);
void wait_for_completion(struct completion *x);
#endif
