/*
 * bio allocation, as block/bio.c's bio_alloc from fs_bio_set: bios come from
 * kmalloc while memory lasts, then from a pool of BIO_POOL_SIZE that completions
 * refill, so that the I/O which frees memory (swap-out) never fails for want of it.
 */
#include <kernel/blkdev.h>
#include <kernel/kernel.h>
#include <lib/string.h>
#include <mm/mempool.h>

#define BIO_POOL_SIZE 2

static mempool_t fs_bio_pool;

void init_bio(void)
{
	if (mempool_init_kmalloc_pool(&fs_bio_pool, BIO_POOL_SIZE, sizeof(struct bio)))
		panic("block: no memory for the bio pool");
}

/* A zeroed bio; NULL only for a caller that may not sleep (no __GFP_DIRECT_RECLAIM). */
struct bio *bio_alloc(gfp_t gfp)
{
	struct bio *bio = mempool_alloc(&fs_bio_pool, gfp);
	if (bio)
		memset(bio, 0, sizeof(*bio));
	return bio;
}

void bio_put(struct bio *bio)
{
	mempool_free(bio, &fs_bio_pool);
}
