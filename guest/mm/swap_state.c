/*
 * The swap cache and swap I/O (mm/swap_state.c, mm/page_io.c) and page locks
 * (mm/filemap.c); swap readahead is in swap_readahead.c. The swap cache maps a slot to the page holding its data while
 * that page is in memory: being written out, just read in, or still mapped after
 * a swap-in. It holds one reference on the page and one on the slot. Swap I/O is
 * a one-page bio on the swap disk; its completion runs in interrupt context.
 */
#include <kernel/blkdev.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <kernel/wait.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <mm/swap.h>
#include <mm/vmstat.h>
#include "internal.h"

#define SWAP_CACHE_PER_PAGE (PAGE_SIZE / sizeof(struct page *))
#define PAGE_WAIT_TABLE_SIZE 64

static struct page ***swap_cache; /* two levels: slot / SWAP_CACHE_PER_PAGE, then the slot's page */
static raw_spinlock_t swap_cache_lock;
static wait_queue_head_t page_wait_table[PAGE_WAIT_TABLE_SIZE];

void swap_cache_init(unsigned long slots)
{
	unsigned long dirs = (slots + SWAP_CACHE_PER_PAGE - 1) / SWAP_CACHE_PER_PAGE;
	swap_cache = kzalloc(dirs * sizeof(*swap_cache));
	for (unsigned long i = 0; swap_cache && i < dirs; i++)
		if (!(swap_cache[i] = kzalloc(PAGE_SIZE)))
			swap_cache = NULL;
	if (!swap_cache)
		panic("swapon: no memory for the swap cache of %lu slots", slots);
	spin_lock_init(&swap_cache_lock);
}

static struct page **swap_cache_slot(swp_entry_t e)
{
	return &swap_cache[e.val / SWAP_CACHE_PER_PAGE][e.val % SWAP_CACHE_PER_PAGE];
}

/* ---- page locks and waits ---- */

static wait_queue_head_t *page_waitqueue(struct page *page)
{
	return &page_wait_table[(page_to_pfn(page) * 0x9e37u) % PAGE_WAIT_TABLE_SIZE];
}

void page_wait_init(void)
{
	for (int i = 0; i < PAGE_WAIT_TABLE_SIZE; i++)
		init_waitqueue_head(&page_wait_table[i]);
}

void wake_up_page(struct page *page)
{
	wake_up(page_waitqueue(page));
}

bool trylock_page(struct page *page)
{
	return !(__atomic_fetch_or(&page->flags, BIT(PG_locked), __ATOMIC_ACQUIRE) & BIT(PG_locked));
}

void unlock_page(struct page *page)
{
	__atomic_fetch_and(&page->flags, ~BIT(PG_locked), __ATOMIC_RELEASE);
	wake_up(page_waitqueue(page));
}

/* Polled disks raise no interrupt: whoever waits reaps them. */
#define wait_on_page_bit(page, bit)                                                       \
	do {                                                                               \
		if (blk_any_polled_disk()) {                                               \
			while (READ_ONCE((page)->flags) & BIT(bit))                        \
				blk_poll_disks();                                          \
		} else {                                                                   \
			wait_event(*page_waitqueue(page), !(READ_ONCE((page)->flags) & BIT(bit))); \
		}                                                                          \
	} while (0)

void lock_page(struct page *page)
{
	while (!trylock_page(page))
		wait_on_page_bit(page, PG_locked);
}

void wait_on_page_locked(struct page *page)
{
	wait_on_page_bit(page, PG_locked);
}

void wait_on_page_writeback(struct page *page)
{
	wait_on_page_bit(page, PG_writeback);
}

/* ---- the swap cache ---- */

bool add_to_swap(struct page *page)
{
	unsigned long flags;

	/*
	 * The slot taken and its cache entry set in one step under the cache lock, as
	 * Linux's SWAP_HAS_CACHE does: swap readahead must never find a slot in use with
	 * no page cached for it and read a stale copy into the cache.
	 */
	spin_lock_irqsave(&swap_cache_lock, flags);
	swp_entry_t e = get_swap_page(); /* the cache's reference to the slot */
	if (!e.val) {
		spin_unlock_irqrestore(&swap_cache_lock, flags);
		return false;
	}
	*swap_cache_slot(e) = page;
	__atomic_add_fetch(&page->_refcount, 1, __ATOMIC_RELAXED);
	page->private = e.val;
	__atomic_fetch_or(&page->flags, BIT(PG_swapcache) | BIT(PG_dirty), __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&swap_cache_lock, flags);
	inc_node_state(nr_swapcached);
	return true;
}

/* Caller holds the page lock; the page is not under writeback. */
void delete_from_swap_cache(struct page *page)
{
	swp_entry_t e = { page->private };
	unsigned long flags;

	spin_lock_irqsave(&swap_cache_lock, flags);
	*swap_cache_slot(e) = NULL;
	__atomic_fetch_and(&page->flags, ~BIT(PG_swapcache), __ATOMIC_RELAXED);
	page->private = 0;
	spin_unlock_irqrestore(&swap_cache_lock, flags);
	dec_node_state(nr_swapcached);
	swap_free(e);
	__free_pages(page, 0); /* the cache's reference; never the last one here */
}

/*
 * __remove_mapping for a swap-cache page reclaim isolated: only if nobody but the
 * cache and reclaim hold it (refcount 2), so that a racing lookup that already took
 * a reference keeps the page alive.
 */
bool remove_swap_mapping(struct page *page)
{
	swp_entry_t e = { page->private };
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&swap_cache_lock, flags);
	ok = page_count(page) == 2 && !page->mapping;
	if (ok) {
		*swap_cache_slot(e) = NULL;
		__atomic_fetch_and(&page->flags, ~BIT(PG_swapcache), __ATOMIC_RELAXED);
		page->private = 0;
		page->_refcount = 1; /* reclaim's isolation reference only */
	}
	spin_unlock_irqrestore(&swap_cache_lock, flags);
	if (ok) {
		dec_node_state(nr_swapcached);
		swap_free(e);
	}
	return ok;
}

/* find_get_page on the swap cache: the page with a reference taken, or NULL; no statistics. */
struct page *find_get_swap_page(swp_entry_t e)
{
	unsigned long flags;
	spin_lock_irqsave(&swap_cache_lock, flags);
	struct page *page = *swap_cache_slot(e);
	if (page)
		__atomic_add_fetch(&page->_refcount, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&swap_cache_lock, flags);
	return page;
}

/*
 * try_to_free_swap (6.1's folio_free_swap): the page, locked, leaves the swap cache
 * and gives its slot back if nobody else holds the slot and it is not being written;
 * the copy on swap is gone, so the page is dirty from now on.
 */
bool try_to_free_swap(struct page *page)
{
	if (!PageSwapCache(page) || PageWriteback(page) || swap_count((swp_entry_t){ page->private }) > 1)
		return false;
	delete_from_swap_cache(page);
	SetPageDirty(page);
	return true;
}

/* ---- swap I/O ---- */

static void end_swap_bio_read(struct bio *bio)
{
	struct page *page = bio->private;
	int error = bio->error;
	bio_put(bio);
	if (error)
		printk("Read-error on swap-device, slot %lu\n", page->private);
	page_endio(page, REQ_OP_READ, error);
}

static void end_swap_bio_write(struct bio *bio)
{
	struct page *page = bio->private;
	int error = bio->error;
	bio_put(bio);
	if (error)
		printk("Write-error on swap-device, slot %lu\n", page->private);
	page_endio(page, REQ_OP_WRITE, error); /* nr_dirty counts file pages only */
}

static int swap_submit(struct page *page, enum req_op op, bio_end_io_t end_io)
{
	/* reclaim's WB_SYNC_NONE: no flags (kswapd's writes are known as its own: blk-wbt) */
	return submit_page_bio(swap_bdev(), page, page->private * (PAGE_SIZE >> SECTOR_SHIFT), op, 0, end_io);
}

/* The page is locked, dirty, in the swap cache; returns unlocked, under writeback. */
int swap_writepage(struct page *page)
{
	__atomic_fetch_and(&page->flags, ~BIT(PG_dirty), __ATOMIC_RELAXED);
	__atomic_fetch_or(&page->flags, BIT(PG_writeback), __ATOMIC_RELAXED);
	inc_node_state(nr_writeback);
	count_vm_event(pswpout);
	if (swap_submit(page, REQ_OP_WRITE, end_swap_bio_write)) {
		__atomic_fetch_or(&page->flags, BIT(PG_dirty), __ATOMIC_RELAXED);
		end_page_writeback(page);
		unlock_page(page);
		return -1;
	}
	unlock_page(page);
	return 0;
}

/*
 * __read_swap_cache_async: the page for slot e from the swap cache, or a new page
 * added to the cache (and the inactive anon list) for it, returned locked with
 * *allocated set: the caller starts its read. NULL without memory, or when the slot
 * is free (readahead meets free slots): the check and the cache's reference to the
 * slot are one step under the cache lock, so a slot freed meanwhile is not revived.
 */
struct page *__read_swap_cache_async(swp_entry_t e, unsigned gfp, bool *allocated)
{
	*allocated = false;
	for (;;) {
		struct page *page = find_get_swap_page(e);
		if (page)
			return page;
		if (!swap_count(e))
			return NULL;
		page = alloc_page(gfp);
		if (!page)
			return NULL;
		unsigned long flags;
		spin_lock_irqsave(&swap_cache_lock, flags);
		if (*swap_cache_slot(e)) { /* someone read it in while we allocated */
			spin_unlock_irqrestore(&swap_cache_lock, flags);
			__free_pages(page, 0);
			continue;
		}
		if (!swapcache_prepare(e)) { /* freed while we allocated */
			spin_unlock_irqrestore(&swap_cache_lock, flags);
			__free_pages(page, 0);
			return NULL;
		}
		__SetPageLocked(page);
		__SetPageSwapBacked(page);
		__SetPageSwapCache(page);
		page->private = e.val;
		*swap_cache_slot(e) = page;
		set_page_count(page, 2); /* the cache's and the caller's */
		spin_unlock_irqrestore(&swap_cache_lock, flags);
		inc_node_state(nr_swapcached);
		lru_cache_add(page, LRU_INACTIVE_ANON);
		*allocated = true;
		return page;
	}
}

/* swap_readpage: the locked new swap-cache page's read; its completion unlocks it. */
void swap_readpage(struct page *page)
{
	count_vm_event(pswpin);
	if (swap_submit(page, REQ_OP_READ, end_swap_bio_read))
		unlock_page(page); /* not uptodate: the faulting task sees the failure */
}

struct page *read_swap_cache_async(swp_entry_t e, unsigned gfp)
{
	bool allocated;
	struct page *page = __read_swap_cache_async(e, gfp, &allocated);
	if (allocated)
		swap_readpage(page);
	return page;
}
