/*
 * Memory pools (include/linux/mempool.h): a few elements set aside so that an
 * allocation on the way to freeing memory (a swap-out bio) always makes progress.
 * mempool_alloc tries the allocator first, without the emergency reserves; then
 * takes a set-aside element; then, if it may sleep, waits for one to come back.
 */
#ifndef MM_MEMPOOL_H
#define MM_MEMPOOL_H
#include <kernel/spinlock.h>
#include <kernel/wait.h>
#include <mm/gfp.h>

typedef struct mempool_s {
	raw_spinlock_t lock;
	int min_nr;   /* elements kept in reserve */
	int curr_nr;  /* elements in reserve now */
	void **elements;
	size_t size;  /* kmalloc pools: the element size */
	wait_queue_head_t wait;
} mempool_t;

/* A pool of min_nr kmalloc(size) elements; 0, or -ENOMEM at boot. */
int mempool_init_kmalloc_pool(mempool_t *pool, int min_nr, size_t size);
void *mempool_alloc(mempool_t *pool, gfp_t gfp);
void mempool_free(void *element, mempool_t *pool);
#endif
