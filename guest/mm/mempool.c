/*
 * Memory pools, as mm/mempool.c: reclaim needs memory to free memory (a bio per
 * page it swaps out), and the emergency reserves below min are finite. A pool keeps
 * min_nr elements aside; once the allocator has nothing, a waiter gets the next
 * element a completing I/O gives back, so swap-out slows down instead of failing.
 */
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include <mm/mempool.h>

static void add_element(mempool_t *pool, void *element)
{
	BUG_ON(pool->curr_nr >= pool->min_nr);
	pool->elements[pool->curr_nr++] = element;
}

int mempool_init_kmalloc_pool(mempool_t *pool, int min_nr, size_t size)
{
	spin_lock_init(&pool->lock);
	init_waitqueue_head(&pool->wait);
	pool->min_nr = min_nr;
	pool->curr_nr = 0;
	pool->size = size;
	pool->elements = kmalloc((size_t)min_nr * sizeof(void *));
	if (!pool->elements)
		return -ENOMEM;
	while (pool->curr_nr < min_nr) {
		void *e = kmalloc(size);
		if (!e)
			return -ENOMEM;
		add_element(pool, e);
	}
	return 0;
}

void *mempool_alloc(mempool_t *pool, gfp_t gfp)
{
	/* The first try neither reclaims nor touches the reserves: the pool is the reserve. */
	gfp_t gfp_temp = (gfp | __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN) & ~(__GFP_DIRECT_RECLAIM | __GFP_IO);
	gfp |= __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN;
	unsigned long flags;
	void *element;

	for (;;) {
		element = __kmalloc(pool->size, gfp_temp);
		if (element)
			return element;
		spin_lock_irqsave(&pool->lock, flags);
		if (pool->curr_nr) {
			element = pool->elements[--pool->curr_nr];
			spin_unlock_irqrestore(&pool->lock, flags);
			return element;
		}
		spin_unlock_irqrestore(&pool->lock, flags);
		if (!(gfp & __GFP_DIRECT_RECLAIM) || irqs_disabled() || preempt_count())
			return NULL;
		if (gfp_temp != gfp) { /* once more, allowed to reclaim */
			gfp_temp = gfp;
			continue;
		}
		/* Every element out is on its way back: an I/O in flight holds it (schedule() flushes our plug). */
		wait_event(pool->wait, READ_ONCE(pool->curr_nr) > 0);
	}
}

void mempool_free(void *element, mempool_t *pool)
{
	unsigned long flags;

	if (!element)
		return;
	if (READ_ONCE(pool->curr_nr) < pool->min_nr) {
		spin_lock_irqsave(&pool->lock, flags);
		if (pool->curr_nr < pool->min_nr) {
			add_element(pool, element);
			spin_unlock_irqrestore(&pool->lock, flags);
			wake_up(&pool->wait);
			return;
		}
		spin_unlock_irqrestore(&pool->lock, flags);
	}
	kfree(element);
}
