/*
 * The node and its zones (include/linux/mmzone.h): one node, pg_data_t
 * contig_page_data, with x86-64's ZONE_DMA (below 16 MiB) and ZONE_DMA32 (the rest of
 * RAM), the LRU lists (per node, as since Linux 4.8), and kswapd's wait queues.
 */
#ifndef MM_MMZONE_H
#define MM_MMZONE_H
#include <kernel/bitops.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/wait.h>
#include <mm/buddy.h>
#include <mm/watermark.h>
#include <vmsweep/vmstat.h>

#define PAGE_SIZE 4096ul
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PFN_UP(x) (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)

/*
 * x86-64's zones as 6.1 lays them out in a guest: ZONE_DMA is [0, 16 MiB), ZONE_DMA32
 * [16 MiB, 4 GiB). Above 4 GiB Linux adds ZONE_NORMAL; ours has no third zone: its
 * DMA32 then spans all of the RAM above 16 MiB (it keeps the name, whatever the size or
 * era, so that sweeps compare one set of zone metrics). ZONE_NORMAL, GFP_KERNEL's
 * highest zone, is the highest zone there is: DMA32.
 */
enum zone_type { ZONE_DMA, ZONE_DMA32, MAX_NR_ZONES };
#define ZONE_NORMAL ZONE_DMA32

struct kswapd_ops;

#define SWAP_CLUSTER_MAX 32ul
#define DEF_PRIORITY 12

enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	NR_LRU_LISTS
};

static inline bool is_file_lru(enum lru_list l)
{
	return l == LRU_INACTIVE_FILE || l == LRU_ACTIVE_FILE;
}

static inline bool is_active_lru(enum lru_list l)
{
	return l == LRU_ACTIVE_ANON || l == LRU_ACTIVE_FILE;
}

struct lruvec {
	raw_spinlock_t lru_lock; /* taken with interrupts masked */
	struct list_head lists[NR_LRU_LISTS];
	unsigned long nr_pages[NR_LRU_LISTS];
	/* get_scan_count's memory of how reclaim went: [0] anon, [1] file */
	unsigned long recent_rotated[2], recent_scanned[2];
};

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	int nr_zones;
	struct lruvec lruvec;
	wait_queue_head_t kswapd_wait;
	wait_queue_head_t pfmemalloc_wait; /* throttled direct reclaimers */
	struct task_struct *kswapd;
	int kswapd_order;
	int kswapd_failures; /* passes that reclaimed nothing */
	volatile int kswapd_running;
	volatile int kswapd_woken; /* woken by wakeup_kswapd and not yet running: the samples show the wake-up's latency */
	volatile int nr_direct_reclaim; /* tasks in direct reclaim now */
	unsigned long min_free_kbytes;
	enum watermark_model watermark_model;
	enum vms_kswapd_model kswapd_model; /* never auto: resolved at boot */
	enum vms_reclaim_model reclaim_model; /* never auto */
	enum vms_thp thp; /* never auto */
	const struct kswapd_ops *kswapd_ops; /* kswapd_model's behaviour (mm/kswapd.c) */
	unsigned long flags; /* enum pgdat_flags */
} pg_data_t;

enum pgdat_flags {
	/* reclaim met only dirty file pages nobody was writing: kswapd may write them (3.11 on) */
	PGDAT_DIRTY,
};

extern pg_data_t contig_page_data;
#define NODE_DATA(nid) (&contig_page_data)

/*
 * With deferred struct page init a zone hands its frames to the buddy lists as it
 * grows; the frames not handed over yet are free memory all the same. Everything that
 * judges a zone (watermarks, kswapd, reports) counts them, as Linux does once
 * page_alloc_init_late has finished; only the buddy core sees the difference.
 */
static inline unsigned long zone_managed_pages(const struct zone *z)
{
	return READ_ONCE(z->managed_pages) + zone_deferred_pages(z);
}

static inline unsigned long zone_free_pages(const struct zone *z)
{
	return READ_ONCE(z->nr_free_pages) + zone_deferred_pages(z);
}

static inline bool populated_zone(const struct zone *z)
{
	return zone_managed_pages(z) != 0;
}

#define for_each_populated_zone(z)                                                                  \
	for (z = contig_page_data.node_zones; z < contig_page_data.node_zones + MAX_NR_ZONES; z++) \
		if (populated_zone(z))

#define min_wmark_pages_z(z) ((z)->_watermark[WMARK_MIN])
#define low_wmark_pages_z(z) ((z)->_watermark[WMARK_LOW])
#define high_wmark_pages_z(z) ((z)->_watermark[WMARK_HIGH])

/* Every RAM frame has a struct page; RAM is identity-mapped, so a page's address is its frame's. */
extern struct page *mem_map;
extern unsigned long max_pfn;

static inline unsigned long page_to_pfn(const struct page *page)
{
	return (unsigned long)(page - mem_map);
}

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return mem_map + pfn;
}

static inline void *page_address(const struct page *page)
{
	return (void *)(page_to_pfn(page) << PAGE_SHIFT);
}

static inline struct page *virt_to_page(const void *addr)
{
	return pfn_to_page((unsigned long)addr >> PAGE_SHIFT);
}

static inline struct zone *page_zone(const struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	struct zone *z = &contig_page_data.node_zones[ZONE_DMA32];
	return pfn >= z->zone_start_pfn && z->spanned_pages ? z : &contig_page_data.node_zones[ZONE_DMA];
}

/* zone_watermark_ok with Linux's ALLOC_ flags. */
#define ALLOC_WMARK_MIN 0x0u
#define ALLOC_WMARK_LOW 0x1u
#define ALLOC_WMARK_HIGH 0x2u
#define ALLOC_NO_WATERMARKS 0x4u
#define ALLOC_WMARK_MASK 0x7u
#define ALLOC_HARDER 0x10u
#define ALLOC_HIGH 0x20u
bool zone_watermark_ok(struct zone *z, unsigned order, unsigned long mark, int highest_zoneidx,
		       unsigned alloc_flags);
unsigned long node_free_pages(void); /* sum of the zones' zone_free_pages */
unsigned long pcp_free_pages(void);  /* free pages on the per-CPU lists */

/* mm/vmscan.c */
void wakeup_kswapd(struct zone *zone, unsigned order, int highest_zoneidx);
unsigned long try_to_free_pages(unsigned order, unsigned gfp_mask);
bool throttle_direct_reclaim(unsigned gfp_mask);
void kswapd_run(void);
void lru_cache_add(struct page *page, enum lru_list lru);
void put_lru_page(struct page *page); /* drop a reference: off the LRU and freed if the last */
void end_page_writeback(struct page *page); /* and wakes its waiters */
bool activate_page(struct page *page); /* inactive -> active list, if it is on one; true if moved */
#endif
