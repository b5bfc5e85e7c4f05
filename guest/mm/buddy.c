/*
 * The buddy allocator's core, after Linux's mm/page_alloc.c: free lists per
 * order, __rmqueue with expand(), __free_one_page with buddy merging, and
 * the boot-time hand-over of memory (memblock_free_all's
 * __free_pages_memory). Callers hold zone->lock; see <mm/buddy.h>.
 */
#ifndef BUDDY_HOST_SHIM
#include <kernel/kernel.h>
#endif
/* Relative so that host unit tests can #include this file without -Iguest/include. */
#include "../include/mm/buddy.h"

static inline void set_buddy_order(struct page *page, unsigned int order)
{
	page->private = order;
	__SetPageBuddy(page);
}

static inline void add_to_free_list(struct page *page, struct zone *z, unsigned int order)
{
	struct free_area *area = &z->free_area[order];

	set_buddy_order(page, order);
	list_add(&page->lru, &area->free_list);
	area->nr_free++;
	z->nr_free_pages += 1ul << order;
}

static inline void del_page_from_free_list(struct page *page, struct zone *z, unsigned int order)
{
	struct free_area *area = &z->free_area[order];

	list_del_init(&page->lru);
	__ClearPageBuddy(page);
	page->private = 0;
	area->nr_free--;
	z->nr_free_pages -= 1ul << order;
}

/* Linux's __find_buddy_pfn: the buddy of the order-`order` block at pfn. */
static inline unsigned long __find_buddy_pfn(unsigned long pfn, unsigned int order)
{
	return pfn ^ (1ul << order);
}

/*
 * Linux's page_is_buddy: the buddy can be merged if it is the head of a free
 * block of the same order. Its zone was checked by the caller (the buddy pfn
 * lies inside the zone; a free block inside the zone lies wholly inside it).
 */
static inline bool page_is_buddy(const struct page *buddy, unsigned int order)
{
	return PageBuddy(buddy) && buddy_order(buddy) == order;
}

/* memmap_init_range: the struct pages of the zone's frames [start_pfn, end_pfn), reserved. */
static void memmap_init_range(struct zone *z, unsigned long start_pfn, unsigned long end_pfn)
{
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn++) {
		struct page *page = zone_pfn_to_page(z, pfn);

		page->flags = 1ul << PG_reserved;
		page->private = 0;
		INIT_LIST_HEAD(&page->lru);
		set_page_count(page, 1);
	}
}

void zone_init_deferred(struct zone *z, const char *name, unsigned long start_pfn, unsigned long nr_pages,
			struct page *mem_map, unsigned long defer_pfn, unsigned long defer_n)
{
	unsigned int order;

	z->name = name;
	z->zone_start_pfn = start_pfn;
	z->spanned_pages = nr_pages;
	z->managed_pages = 0;
	z->nr_free_pages = 0;
	z->mem_map = mem_map;
	spin_lock_init(&z->lock);
	for (order = 0; order < MAX_ORDER; order++) {
		INIT_LIST_HEAD(&z->free_area[order].free_list);
		z->free_area[order].nr_free = 0;
	}

	unsigned long end = zone_end_pfn(z), defer_end = defer_pfn + defer_n;
	if (defer_end < defer_pfn) /* wrapped */
		defer_end = ~0ul;
	defer_pfn = max(defer_pfn, start_pfn);
	defer_end = min(defer_end, end);
	if (defer_pfn >= defer_end)
		defer_pfn = defer_end = end;
	z->first_deferred_pfn = defer_pfn;
	z->deferred_end_pfn = defer_end;
	memmap_init_range(z, start_pfn, defer_pfn);
	memmap_init_range(z, defer_end, end);
}

void zone_init(struct zone *z, const char *name, unsigned long start_pfn, unsigned long nr_pages,
	       struct page *mem_map)
{
	zone_init_deferred(z, name, start_pfn, nr_pages, mem_map, 0, 0);
}

void __free_one_page(struct zone *z, struct page *page, unsigned long pfn, unsigned int order)
{
	unsigned long buddy_pfn, combined_pfn;
	struct page *buddy;

	BUG_ON(order >= MAX_ORDER);
	BUG_ON(pfn & ((1ul << order) - 1));
	BUG_ON(!zone_spans_pfn(z, pfn) || pfn + (1ul << order) > zone_end_pfn(z));
	BUG_ON(zone_pfn_to_page(z, pfn) != page);
	BUG_ON(PageBuddy(page)); /* double free */

	while (order < MAX_ORDER - 1) {
		buddy_pfn = __find_buddy_pfn(pfn, order);
		/* Merging never crosses the zone: the buddy must be one of its frames. */
		if (!zone_spans_pfn(z, buddy_pfn))
			break;
		buddy = page + (buddy_pfn - pfn);
		if (!page_is_buddy(buddy, order))
			break;
		del_page_from_free_list(buddy, z, order);
		combined_pfn = buddy_pfn & pfn;
		page = page + (combined_pfn - pfn);
		pfn = combined_pfn;
		order++;
	}
	add_to_free_list(page, z, order);
}

/*
 * Linux's expand(): page heads a block of order `high` just taken off the
 * lists; give back the upper halves until a block of order `low` remains.
 */
static inline void expand(struct zone *z, struct page *page, unsigned int low, unsigned int high)
{
	unsigned long size = 1ul << high;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_list(&page[size], z, high);
	}
}

struct page *__rmqueue(struct zone *z, unsigned int order)
{
	unsigned int current_order;
	struct page *page;

	for (current_order = order; current_order < MAX_ORDER; current_order++) {
		struct free_area *area = &z->free_area[current_order];

		if (list_empty(&area->free_list))
			continue;
		page = list_first_entry(&area->free_list, struct page, lru);
		del_page_from_free_list(page, z, current_order);
		expand(z, page, order, current_order);
		return page;
	}
	return NULL;
}

/* __free_pages_core for one block at boot: unreserve its frames, then free it. */
static void __free_pages_core(struct zone *z, unsigned long pfn, unsigned int order)
{
	unsigned long nr = 1ul << order, i;
	struct page *page = zone_pfn_to_page(z, pfn);

	for (i = 0; i < nr; i++) {
		BUG_ON(!PageReserved(&page[i])); /* freed twice */
		__ClearPageReserved(&page[i]);
		set_page_count(&page[i], 0);
	}
	z->managed_pages += nr;
	__free_one_page(z, page, pfn, order);
}

void zone_free_range(struct zone *z, unsigned long pfn, unsigned long n)
{
	unsigned long start = pfn, end = pfn + n;

	if (end < start) /* wrapped */
		end = ~0ul;
	start = max(start, z->zone_start_pfn);
	end = min(end, zone_end_pfn(z));

	/* As __free_pages_memory: the largest block aligned at start that fits. */
	while (start < end) {
		unsigned int order = MAX_ORDER - 1;

		if (start)
			order = min(order, (unsigned int)__builtin_ctzl(start));
		while (start + (1ul << order) > end)
			order--;
		__free_pages_core(z, start, order);
		start += 1ul << order;
	}
}

unsigned long deferred_init_memmap_chunk(struct zone *z, unsigned long nr_pages)
{
	unsigned long freed = 0;

	while (freed < nr_pages && z->first_deferred_pfn < z->deferred_end_pfn) {
		unsigned long start = z->first_deferred_pfn;
		unsigned long end = min((start | (MAX_ORDER_NR_PAGES - 1)) + 1, z->deferred_end_pfn);

		memmap_init_range(z, start, end);
		/*
		 * Freed first, then no longer deferred: lockless watermark checks add the
		 * two counts, and the other order would show a dip of a whole chunk.
		 */
		zone_free_range(z, start, end - start);
		WRITE_ONCE(z->first_deferred_pfn, end);
		freed += end - start;
	}
	return freed;
}
