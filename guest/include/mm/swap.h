/*
 * Swap (mm/swapfile.c, mm/swap_state.c, mm/page_io.c): one swap device, a
 * virtio-blk disk the host marks VMS_DISK_SWAP. Slot 0 is the header, as in
 * Linux, so a swap entry is never 0. swap_map[slot] counts the references to
 * a slot (the ptes holding it); the swap cache, swap_cache[slot], finds the
 * page of a slot while it is in memory.
 */
#ifndef MM_SWAP_H
#define MM_SWAP_H
#include <kernel/task.h> /* current, PF_KSWAPD */
#include <kernel/types.h>

struct page;

typedef struct {
	unsigned long val; /* the slot */
} swp_entry_t;

void swapon(void); /* boot: the first VMS_DISK_SWAP disk, if any */
void swap_cache_init(unsigned long slots);
struct gendisk *swap_bdev(void);
unsigned long nr_swap_pages_total(void);
unsigned long get_nr_swap_pages(void); /* free slots */

/* Slots. */
swp_entry_t get_swap_page(void); /* val 0 when swap is full or absent */
void swap_duplicate(swp_entry_t entry);
void swap_free(swp_entry_t entry); /* drops one reference; the slot is free at 0 */
int swap_count(swp_entry_t entry);

/* The swap cache. The page must be locked. */
bool add_to_swap(struct page *page); /* a slot and the swap cache for an anonymous page */
void delete_from_swap_cache(struct page *page); /* drops the cache's reference to the slot */
struct page *lookup_swap_cache(swp_entry_t entry); /* with a reference taken, or NULL */
/* Read the slot into a new swap-cache page (taken reference, locked until the read ends). */
struct page *read_swap_cache_async(swp_entry_t entry, unsigned gfp, bool *io_started);
void wait_on_page_locked(struct page *page);
void page_wait_init(void); /* boot: the hashed page wait queues */

/* page_io: write the locked, dirty page to its slot; completion ends writeback. */
int swap_writepage(struct page *page);

/* Page locking (PG_locked) for reclaim, swap-in and the page cache. */
void wake_up_page(struct page *page); /* after a PG_locked or PG_writeback change */
bool trylock_page(struct page *page);
void lock_page(struct page *page);
void unlock_page(struct page *page);
void wait_on_page_writeback(struct page *page);
/* As linux/swap.h's: whether the running task is kswapd (reclaim, blk-wbt ask). */
static inline bool current_is_kswapd(void)
{
	return current->flags & PF_KSWAPD;
}

#endif
