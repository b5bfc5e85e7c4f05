/*
 * Ticket spinlocks. spin_lock() disables preemption, as with CONFIG_PREEMPT;
 * the _irqsave forms also mask interrupts (the virtual IF).
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H
#include <asm/irqflags.h>
#include <kernel/preempt.h>

typedef struct {
	volatile uint16_t owner, next;
} raw_spinlock_t;
typedef raw_spinlock_t spinlock_t;

#define __SPIN_LOCK_UNLOCKED { 0, 0 }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED

static inline void spin_lock_init(raw_spinlock_t *l)
{
	l->owner = l->next = 0;
}

static inline void raw_spin_lock(raw_spinlock_t *l)
{
	uint16_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
}

static inline bool raw_spin_trylock(raw_spinlock_t *l)
{
	/* Free when next == owner: then taking ticket `owner` makes it ours. */
	uint16_t expected = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	return __atomic_compare_exchange_n(&l->next, &expected, (uint16_t)(expected + 1), false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline void raw_spin_unlock(raw_spinlock_t *l)
{
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

static inline void spin_lock(spinlock_t *l)
{
	preempt_disable();
	raw_spin_lock(l);
}

static inline void spin_unlock(spinlock_t *l)
{
	raw_spin_unlock(l);
	preempt_enable();
}

#define spin_lock_irqsave(l, flags)   \
	do {                          \
		local_irq_save(flags); \
		preempt_disable();    \
		raw_spin_lock(l);     \
	} while (0)

#define spin_unlock_irqrestore(l, flags) \
	do {                             \
		raw_spin_unlock(l);      \
		local_irq_restore(flags); \
		preempt_enable();        \
	} while (0)
#endif
