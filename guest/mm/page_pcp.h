/* The per-CPU page lists (mm/page_pcp.c) and what they need of the page allocator. */
#ifndef MM_PAGE_PCP_H
#define MM_PAGE_PCP_H
#include <mm/mmzone.h>

/* Size every CPU's lists for pgdat's era; after the watermarks are set (6.1's high uses low). */
void pcp_setup(pg_data_t *pgdat);
/* An order-0 page of zone z from this CPU's list (refilled by a batch when low), or NULL. */
struct page *rmqueue_pcplist(struct zone *z);
/* A freed order-0 page of zone z onto this CPU's list (a batch or more freed when full). */
void free_unref_page(struct zone *z, struct page *page);
void drain_all_pages(void);
int pcp_batch(int zone); /* CPU 0's, for the boot log */
int pcp_high(int zone);

/* mm/page_alloc.c: __rmqueue, growing a zone with deferred frames; caller holds z->lock. */
struct page *__rmqueue_grow(struct zone *z, unsigned order);
#endif
