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
bool swapcache_prepare(swp_entry_t entry); /* the cache's slot reference; false if the slot is free */
bool vm_swap_full(void); /* more than half the swap in use */
unsigned long swap_max_slots(void); /* slots, the header slot 0 included */
bool swap_rotational(void); /* the swap disk turns (6.1's nr_rotate_swap) */
bool try_to_free_swap(struct page *page); /* locked page: out of the cache, slot freed, page dirty */
struct page *find_get_swap_page(swp_entry_t entry); /* with a reference taken, or NULL; no statistics */
/* The slot's page: cached, or a new locked swap-cache page (*allocated): start its read. */
struct page *__read_swap_cache_async(swp_entry_t entry, unsigned gfp, bool *allocated);
void swap_readpage(struct page *page);
/* Both: the page with a reference; a read in flight keeps it locked. NULL: no memory, or a free slot. */
struct page *read_swap_cache_async(swp_entry_t entry, unsigned gfp);

/*
 * Swap readahead (swap_readahead.c): lookup_swap_cache finds the slot's page and
 * counts swap_ra_hit for a page readahead brought in; swapin_readahead reads the
 * slot and, as page_cluster allows, its neighbours (by slot or by address).
 */
struct mm_struct;
struct page *lookup_swap_cache(swp_entry_t entry, struct mm_struct *mm, unsigned long idx);
struct page *swapin_readahead(swp_entry_t entry, unsigned gfp, struct mm_struct *mm, unsigned long idx);
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
