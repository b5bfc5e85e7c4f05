/*
 * The per-CPU lists of order-0 pages (mm/page_alloc.c's struct per_cpu_pages), sized
 * and drained as the era's kernel does:
 *  - 4.6 era: 6.1's. zone_batchsize: a quarter of the smaller of ~0.1 % of the zone's
 *    managed pages and 1 MiB (the 1 MiB cap since 5.14), rounded down to 2^n - 1, at
 *    least 1; zone_highsize: the zone's low watermark split over the node's CPUs, at
 *    least 4 batches (so full lists do not wake kswapd early); while kswapd balances the
 *    node (ZONE_RECLAIM_ACTIVE) high is only 4 batches (nr_pcp_high); a full list frees
 *    a batch, doubled for every further free without an allocation in between, between
 *    one batch and high - batch (nr_pcp_free). Each list has its own lock (6.0 on), so
 *    drain_all_pages can empty another CPU's lists.
 *  - 2.6.0 and 2.6.10 eras: 2.6.0's hot lists: batch = present / 1024 at most 256 KiB,
 *    a quarter of that, at least 1; low 2 batches (refilled at or below it), high 6.
 *  - 2.4 era: 2.4 had no per-CPU lists: a list of one page, emptied at once.
 */
#include <asm/irqflags.h>
#include <kernel/kernel.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <mm/mmzone.h>
#include "page_pcp.h"

struct per_cpu_pages {
	raw_spinlock_t lock; /* 6.1's pcp->lock: the owner with interrupts masked, or a drainer */
	int count, high, batch;
	int low; /* 2.6: refilled when count <= low; 0 elsewhere (refilled when empty) */
	int free_factor; /* 6.1: frees without an allocation in between, as a shift */
	struct list_head list;
} __attribute__((aligned(64)));

static struct per_cpu_pages pcp_lists[VMS_MAX_CPUS][MAX_NR_ZONES];
static enum watermark_model pcp_era;

static int rounddown_pow_of_two_minus_1(unsigned long batch)
{
	unsigned long p = 1;
	while (p * 2 <= batch)
		p *= 2;
	return (int)p - 1;
}

/* 6.1's zone_batchsize, with zone_set_pageset_high_and_batch's max(1, batch). */
static int zone_batchsize(const struct zone *z)
{
	unsigned long batch = min(zone_managed_pages(z) >> 10, (1ul << 20) / PAGE_SIZE) / 4;
	if (batch < 1)
		batch = 1;
	return max(rounddown_pow_of_two_minus_1(batch + batch / 2), 1);
}

/* 6.1's zone_highsize (percpu_pagelist_high_fraction 0): low watermark / CPUs, >= 4 batches. */
static int zone_highsize(const struct zone *z, int batch)
{
	unsigned long high = low_wmark_pages_z(z) / (nr_cpu_ids ? nr_cpu_ids : 1);
	return (int)max(high, 4ul * (unsigned long)batch);
}

/* 2.6.0's free_area_init_core: batch from the zone's present pages, at most 256 KiB. */
static int zone_batchsize_2_6(const struct zone *z)
{
	unsigned long batch = z->spanned_pages / 1024;
	if (batch * PAGE_SIZE > 256 * 1024)
		batch = (256 * 1024) / PAGE_SIZE;
	batch /= 4;
	return batch < 1 ? 1 : (int)batch;
}

void pcp_setup(pg_data_t *pgdat)
{
	pcp_era = pgdat->watermark_model;
	for (unsigned c = 0; c < nr_cpu_ids; c++)
		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct per_cpu_pages *pcp = &pcp_lists[c][i];
			const struct zone *z = &pgdat->node_zones[i];
			spin_lock_init(&pcp->lock);
			INIT_LIST_HEAD(&pcp->list);
			pcp->count = pcp->low = pcp->free_factor = 0;
			switch (pcp_era) {
			case WMARK_MODEL_2_4:
				pcp->batch = pcp->high = 1;
				break;
			case WMARK_MODEL_2_6_0:
			case WMARK_MODEL_2_6_10:
				pcp->batch = zone_batchsize_2_6(z);
				pcp->low = 2 * pcp->batch;
				pcp->high = 6 * pcp->batch;
				break;
			case WMARK_MODEL_4_6:
			default:
				pcp->batch = zone_batchsize(z);
				pcp->high = zone_highsize(z, pcp->batch);
				break;
			}
		}
}

int pcp_batch(int zone)
{
	return pcp_lists[0][zone].batch;
}

int pcp_high(int zone)
{
	return pcp_lists[0][zone].high;
}

unsigned long pcp_free_pages(void)
{
	unsigned long n = 0;
	for (unsigned c = 0; c < nr_cpu_ids; c++)
		for (int i = 0; i < MAX_NR_ZONES; i++)
			n += READ_ONCE(pcp_lists[c][i].count);
	return n;
}

/* rmqueue_bulk: refill a per-CPU list with a batch from the buddy lists, one zone lock. */
static void rmqueue_bulk(struct zone *z, struct per_cpu_pages *pcp)
{
	raw_spin_lock(&z->lock);
	for (int i = 0; i < pcp->batch; i++) {
		struct page *page = __rmqueue_grow(z, 0);
		if (!page)
			break;
		list_add_tail(&page->lru, &pcp->list);
		pcp->count++;
	}
	raw_spin_unlock(&z->lock);
}

struct page *rmqueue_pcplist(struct zone *z)
{
	struct per_cpu_pages *pcp = &pcp_lists[smp_processor_id()][z->idx];
	struct page *page = NULL;
	unsigned long flags;

	local_irq_save(flags);
	raw_spin_lock(&pcp->lock);
	pcp->free_factor >>= 1; /* an allocation: frees go back to one batch at a time */
	if (pcp->count <= pcp->low)
		rmqueue_bulk(z, pcp);
	if (!list_empty(&pcp->list)) {
		page = list_first_entry(&pcp->list, struct page, lru);
		list_del_init(&page->lru);
		pcp->count--;
	}
	raw_spin_unlock(&pcp->lock);
	local_irq_restore(flags);
	return page;
}

/* free_pcppages_bulk: give count pages of a per-CPU list back to the buddy lists, coldest first. */
static void free_pcppages_bulk(struct zone *z, struct per_cpu_pages *pcp, int count)
{
	raw_spin_lock(&z->lock);
	while (count-- > 0 && !list_empty(&pcp->list)) {
		struct page *page = list_last_entry(&pcp->list, struct page, lru);
		list_del_init(&page->lru);
		pcp->count--;
		__free_one_page(z, page, page_to_pfn(page), 0);
	}
	raw_spin_unlock(&z->lock);
}

/* 6.1's nr_pcp_high: while kswapd reclaims (ZONE_RECLAIM_ACTIVE) a list keeps 4 batches at most. */
static int nr_pcp_high(const struct per_cpu_pages *pcp)
{
	if (pcp_era == WMARK_MODEL_4_6 && READ_ONCE(contig_page_data.kswapd_running))
		return min(pcp->batch << 2, pcp->high);
	return pcp->high;
}

/* 6.1's nr_pcp_free: a batch, doubled per free without an allocation, in [batch, high - batch]. */
static int nr_pcp_free(struct per_cpu_pages *pcp, int high)
{
	int batch = pcp->batch;

	if (pcp_era != WMARK_MODEL_4_6)
		return batch; /* 2.6's free_hot_cold_page: one batch */
	if (high < batch)
		return 1;
	int min_nr_free = batch, max_nr_free = high - batch;
	batch <<= pcp->free_factor;
	if (batch < max_nr_free)
		pcp->free_factor++;
	return min(max(batch, min_nr_free), max_nr_free); /* clamp() */
}

void free_unref_page(struct zone *z, struct page *page)
{
	struct per_cpu_pages *pcp = &pcp_lists[smp_processor_id()][z->idx];
	unsigned long flags;

	local_irq_save(flags);
	raw_spin_lock(&pcp->lock);
	list_add(&page->lru, &pcp->list); /* hot: the next allocation takes it */
	int high = nr_pcp_high(pcp);
	if (++pcp->count >= high)
		free_pcppages_bulk(z, pcp, nr_pcp_free(pcp, high));
	raw_spin_unlock(&pcp->lock);
	local_irq_restore(flags);
}

/*
 * drain_all_pages(NULL): every CPU's lists back to the buddy lists, as the allocator's
 * slow path does once when direct reclaim made progress but the allocation still failed
 * (pages may be sitting on the lists). 6.1 drains a remote CPU under its pcp->lock.
 */
void drain_all_pages(void)
{
	unsigned long flags;

	for (unsigned c = 0; c < nr_cpu_ids; c++)
		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct per_cpu_pages *pcp = &pcp_lists[c][i];
			if (!READ_ONCE(pcp->count))
				continue;
			local_irq_save(flags);
			raw_spin_lock(&pcp->lock);
			free_pcppages_bulk(&contig_page_data.node_zones[i], pcp, pcp->count);
			raw_spin_unlock(&pcp->lock);
			local_irq_restore(flags);
		}
}
