/*
 * The buddy allocator's core, under Linux's names (mm/page_alloc.c,
 * include/linux/mmzone.h, include/linux/page-flags.h).
 *
 * A zone describes a contiguous run of page frames [zone_start_pfn,
 * zone_start_pfn + spanned_pages) and owns a mem_map: one struct page per
 * frame, mem_map[0] being the page of zone_start_pfn. Free memory is kept in
 * free_area[order] lists of naturally aligned blocks of 2^order pages (the
 * alignment is of the absolute pfn, as in Linux, not relative to the zone);
 * only the head page of a free block is on a list, marked PG_buddy with its
 * order in page->private.
 *
 * Locking: every function below that touches the free lists (zone_free_range,
 * __rmqueue, __free_one_page) must be called with z->lock held (raw_spin_lock,
 * with interrupts masked if an interrupt handler may allocate), exactly as
 * Linux's __rmqueue and __free_one_page expect zone->lock held by the caller.
 * zone_init runs before the zone is visible to anyone and takes no lock.
 */
#ifndef MM_BUDDY_H
#define MM_BUDDY_H

/*
 * Host unit tests define BUDDY_HOST_SHIM and supply struct list_head (with
 * Linux's list helpers) and raw_spinlock_t themselves, since they are built
 * without -Iguest/include.
 */
#ifndef BUDDY_HOST_SHIM
#include <kernel/list.h>
#include <kernel/spinlock.h>
#endif

#define MAX_ORDER 11 /* orders 0 .. MAX_ORDER - 1 */
#define MAX_ORDER_NR_PAGES (1ul << (MAX_ORDER - 1))

/* Page flags, bit numbers in page->flags, as Linux's enum pageflags. */
enum pageflags {
	PG_locked,     /* page is locked (I/O in progress, or being reclaimed) */
	PG_referenced, /* referenced since the LRU last looked */
	PG_uptodate,
	PG_dirty,
	PG_lru,        /* on an LRU list */
	PG_active,     /* on the active LRU list */
	PG_workingset,
	PG_writeback,  /* under writeback */
	PG_reserved,   /* not managed by the buddy allocator (never freed to it) */
	PG_private,
	PG_swapbacked, /* anonymous / shmem: backed by swap */
	PG_swapcache,
	PG_reclaim,
	PG_buddy,      /* head of a free block on a buddy free list; order in private */
	PG_slab,       /* a slab cache's page: the cache in private, free objects in freelist */
	PG_head,       /* head of a multi-page kernel allocation (large kmalloc); order in private */
	__NR_PAGEFLAGS,
};

struct page {
	unsigned long flags;   /* enum pageflags bits */
	unsigned long private; /* order while PG_buddy or PG_head; swap slot while PG_swapcache; cache while PG_slab */
	struct list_head lru;  /* free_area list while PG_buddy; the LRU or a slab list otherwise */
	int _refcount;         /* 0 while free; 1 while reserved; set by the allocator's caller */
	int inuse;             /* slab pages: objects handed out */
	void *mapping;         /* anonymous pages: the struct mm_struct mapping it (rmap); slab: free objects */
	unsigned long index;   /* anonymous pages: the page's index in that mm */
};

/*
 * Flag helpers, as Linux's: __SetPageX / __ClearPageX are non-atomic (the caller
 * serialises, e.g. with z->lock for PG_buddy, or nobody else sees the page yet);
 * SetPageX / ClearPageX / TestClearPageX / TestSetPageX are atomic, for pages others may touch.
 */
#define PAGEFLAG_FNS(uname, lname)                                                  \
	static inline int Page##uname(const struct page *page)                      \
	{                                                                           \
		return (page->flags >> PG_##lname) & 1;                             \
	}                                                                           \
	static inline void __SetPage##uname(struct page *page)                      \
	{                                                                           \
		page->flags |= 1ul << PG_##lname;                                   \
	}                                                                           \
	static inline void __ClearPage##uname(struct page *page)                    \
	{                                                                           \
		page->flags &= ~(1ul << PG_##lname);                                \
	}                                                                           \
	static inline void SetPage##uname(struct page *page)                        \
	{                                                                           \
		__atomic_fetch_or(&page->flags, 1ul << PG_##lname, __ATOMIC_RELAXED); \
	}                                                                           \
	static inline void ClearPage##uname(struct page *page)                      \
	{                                                                           \
		__atomic_fetch_and(&page->flags, ~(1ul << PG_##lname), __ATOMIC_RELAXED); \
	}                                                                           \
	static inline int TestClearPage##uname(struct page *page)                   \
	{                                                                           \
		return (__atomic_fetch_and(&page->flags, ~(1ul << PG_##lname), __ATOMIC_RELAXED) >> PG_##lname) & 1; \
	}                                                                           \
	static inline int TestSetPage##uname(struct page *page)                     \
	{                                                                           \
		return (__atomic_fetch_or(&page->flags, 1ul << PG_##lname, __ATOMIC_RELAXED) >> PG_##lname) & 1; \
	}

PAGEFLAG_FNS(Locked, locked)
PAGEFLAG_FNS(Referenced, referenced)
PAGEFLAG_FNS(Uptodate, uptodate)
PAGEFLAG_FNS(Dirty, dirty)
PAGEFLAG_FNS(LRU, lru)
PAGEFLAG_FNS(Active, active)
PAGEFLAG_FNS(Workingset, workingset)
PAGEFLAG_FNS(Writeback, writeback)
PAGEFLAG_FNS(Reserved, reserved)
PAGEFLAG_FNS(Private, private)
PAGEFLAG_FNS(SwapBacked, swapbacked)
PAGEFLAG_FNS(SwapCache, swapcache)
PAGEFLAG_FNS(Reclaim, reclaim)
PAGEFLAG_FNS(Buddy, buddy)
PAGEFLAG_FNS(Slab, slab)
PAGEFLAG_FNS(Head, head)

/* SetPageUptodate with Linux's smp_wmb(): whoever sees the flag sees the data. */
static inline void page_mark_uptodate(struct page *page)
{
	__atomic_fetch_or(&page->flags, 1ul << PG_uptodate, __ATOMIC_RELEASE);
}
#undef PAGEFLAG_FNS

static inline int page_count(const struct page *page)
{
	return page->_refcount;
}

static inline void set_page_count(struct page *page, int v)
{
	page->_refcount = v;
}

/* The order of a free block's head page (valid only while PageBuddy). */
static inline unsigned int buddy_order(const struct page *page)
{
	return (unsigned int)page->private;
}

struct free_area {
	struct list_head free_list;
	unsigned long nr_free; /* blocks on free_list */
};

struct zone {
	const char *name;
	unsigned long zone_start_pfn;
	unsigned long spanned_pages; /* frames in [zone_start_pfn, zone_start_pfn + spanned_pages) */
	unsigned long managed_pages; /* frames handed to the buddy allocator */
	struct free_area free_area[MAX_ORDER];
	unsigned long nr_free_pages; /* sum over orders of free_area[o].nr_free << o */
	raw_spinlock_t lock;
	struct page *mem_map; /* spanned_pages entries; mem_map[0] is zone_start_pfn */
	/* Set by mm/page_alloc.c (not used by the buddy core): */
	unsigned long _watermark[3]; /* enum zone_watermarks (mm/watermark.h): min, low, high */
	unsigned long lowmem_reserve[2]; /* pages kept from allocations that could use zone idx */
	unsigned long min_free_seen; /* lowest nr_free_pages seen by the slow path or a sample */
	int idx; /* ZONE_DMA, ZONE_DMA32 */
	/*
	 * Deferred struct page init: the free frames [first_deferred_pfn, deferred_end_pfn)
	 * have no initialised struct page yet; deferred_init_memmap_chunk hands them over.
	 */
	unsigned long first_deferred_pfn, deferred_end_pfn;
};

static inline unsigned long zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}

/* Free frames of the zone whose struct pages are not initialised yet. */
static inline unsigned long zone_deferred_pages(const struct zone *z)
{
	/* read without z->lock by reports: each field is a single aligned word */
	return *(volatile const unsigned long *)&z->deferred_end_pfn -
	       *(volatile const unsigned long *)&z->first_deferred_pfn;
}

static inline bool zone_spans_pfn(const struct zone *z, unsigned long pfn)
{
	return pfn >= z->zone_start_pfn && pfn < zone_end_pfn(z);
}

/* page_to_pfn / pfn_to_page for the zone's mem_map (the pfn must be in the zone). */
static inline unsigned long zone_page_to_pfn(const struct zone *z, const struct page *page)
{
	return z->zone_start_pfn + (unsigned long)(page - z->mem_map);
}

static inline struct page *zone_pfn_to_page(const struct zone *z, unsigned long pfn)
{
	return z->mem_map + (pfn - z->zone_start_pfn);
}

/*
 * Set up a zone over [start_pfn, start_pfn + nr_pages) with mem_map (nr_pages
 * entries, caller-owned). Every page starts PG_reserved with _refcount 1 and
 * the free lists empty, as after Linux's memmap_init; hand memory to the
 * allocator with zone_free_range.
 */
void zone_init(struct zone *z, const char *name, unsigned long start_pfn, unsigned long nr_pages,
	       struct page *mem_map);

/*
 * As zone_init, except that the free frames [defer_pfn, defer_pfn + defer_n) (the part
 * inside the zone) are left alone, their struct pages not even written: Linux's
 * CONFIG_DEFERRED_STRUCT_PAGE_INIT. Every other frame of the zone is initialised
 * reserved, so that buddy merging only ever reads initialised pages.
 */
void zone_init_deferred(struct zone *z, const char *name, unsigned long start_pfn, unsigned long nr_pages,
			struct page *mem_map, unsigned long defer_pfn, unsigned long defer_n);

/*
 * Initialise and free deferred frames, in chunks that never cross a MAX_ORDER_NR_PAGES
 * boundary (so no buddy of a freed block lies in the uninitialised part), until at
 * least nr_pages have been freed or none is left. Returns the pages freed.
 * Caller holds z->lock.
 */
unsigned long deferred_init_memmap_chunk(struct zone *z, unsigned long nr_pages);

/*
 * Free the reserved frames [pfn, pfn + n) into the buddy lists in the largest
 * naturally aligned blocks (order at most MAX_ORDER - 1), as memblock_free_all
 * (__free_pages_memory / __free_pages_core) does, merging with free
 * neighbours; each frame loses PG_reserved, gets _refcount 0 and counts in
 * managed_pages. The part of the range outside the zone is ignored. Each frame
 * must be reserved (freed at most once). Caller holds z->lock.
 */
void zone_free_range(struct zone *z, unsigned long pfn, unsigned long n);

/*
 * Take a block of 2^order pages off the free lists: the smallest order with a
 * free block, split down to order (expand()), the unused halves going back on
 * the lower lists. Returns the head page (flags clear, _refcount 0: the
 * caller prepares it, as Linux's prep_new_page), or NULL when no block of
 * order or above is free or order >= MAX_ORDER. Caller holds z->lock.
 */
struct page *__rmqueue(struct zone *z, unsigned int order);

/*
 * Return the block of 2^order pages whose head is page (frame pfn, aligned to
 * 2^order) to the free lists, merging with its buddy (pfn ^ (1 << order))
 * while the buddy is free, of the same order and inside the zone.
 * Caller holds z->lock.
 */
void __free_one_page(struct zone *z, struct page *page, unsigned long pfn, unsigned int order);

#endif
