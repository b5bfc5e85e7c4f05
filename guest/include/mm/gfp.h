/* Allocation flags and the page allocator's interface, as include/linux/gfp.h. */
#ifndef MM_GFP_H
#define MM_GFP_H
#include <kernel/types.h>

struct page;
typedef unsigned gfp_t;

#define __GFP_DMA 0x01u		   /* only ZONE_DMA */
#define __GFP_HIGH 0x02u	   /* may dip into the reserves: min / 2 */
#define __GFP_ATOMIC 0x04u	   /* cannot sleep: a further min / 4 */
#define __GFP_IO 0x08u		   /* may start I/O (swap-out) */
#define __GFP_DIRECT_RECLAIM 0x10u /* may reclaim itself, and sleep */
#define __GFP_KSWAPD_RECLAIM 0x20u /* may wake kswapd */
#define __GFP_ZERO 0x40u
#define __GFP_NOWARN 0x80u
#define __GFP_NORETRY 0x100u	   /* fail instead of the OOM killer */
#define __GFP_NOMEMALLOC 0x200u	   /* never the reserves below min, even from reclaim (mempools) */
#define __GFP_RECLAIM (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)

#define GFP_ATOMIC (__GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM)
#define GFP_NOIO (__GFP_RECLAIM)
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO)
#define GFP_HIGHUSER_MOVABLE (GFP_KERNEL) /* anonymous memory of the memory jobs */

/*
 * Where an allocation's time went, for the memory jobs' latency split: the slow
 * path writes the furthest stage it reached into current's alloc_stage.
 */
enum alloc_stage { ALLOC_STAGE_FAST, ALLOC_STAGE_KSWAPD, ALLOC_STAGE_DIRECT };

struct page *alloc_pages(gfp_t gfp_mask, unsigned order);
#define alloc_page(gfp) alloc_pages(gfp, 0)
void __free_pages(struct page *page, unsigned order);
#define __free_page(page) __free_pages(page, 0)
void *__get_free_pages(gfp_t gfp_mask, unsigned order);
void free_pages(void *addr, unsigned order);
void *alloc_pages_exact(size_t size); /* zeroed; GFP_ATOMIC-like, never sleeps */
void free_pages_exact(void *addr, size_t size);

void page_alloc_init(void); /* boot: mem_map, zones, watermarks, per-CPU lists */
#endif
