/*
 * The dirty limits (mm/page-writeback.c): how much memory may be dirty before the
 * flushers start (the background threshold) and before dirtiers are throttled (the
 * threshold), from vm.dirty_ratio / dirty_bytes and their background forms over the
 * era's "dirtyable" memory; and a disk's share of the threshold from its recent
 * writeout completions (bdi_dirty_limit, since 2.6.24).
 *
 * Eras (writeback_ops->dirtyable_memory):
 *  - pdflush, 2.6.9's get_dirty_limits: every page-cache-capable page counts, but no
 *    more than half the unmapped memory may be dirty, and the ratio is at least 5;
 *  - bdi, 2.6.32's determine_dirtyable_memory: free + reclaimable (file LRU, and the
 *    anonymous LRU when there is swap);
 *  - ioless, 4.x's global_dirtyable_memory: free less the reserves + the file LRU.
 */
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/percpu.h>
#include <mm/buddy.h>
#include <mm/mmzone.h>
#include <mm/swap.h>
#include <mm/vmstat.h>
#include <mm/writeback.h>

unsigned long ratelimit_pages = 32;
static unsigned long hard_dirty_limit; /* global_dirty_limit: follows thresh down slowly */

/* vm.dirty_ratio and vm.dirty_background_ratio, auto resolved to the era's defaults. */
unsigned dirty_ratio_resolved(void)
{
	long r = knob(dirty_ratio);
	if (r != VMS_KNOB_AUTO)
		return (unsigned)r;
	return knob(writeback_model) == VMS_WB_PDFLUSH ? 40 : 20; /* 2.6.9 .. 2.6.22; 2.6.30 on */
}

unsigned dirty_background_ratio_resolved(void)
{
	long r = knob(dirty_background_ratio);
	return r != VMS_KNOB_AUTO ? (unsigned)r : 10;
}

static unsigned long node_state(enum vms_vmstat_item i)
{
	long v = READ_ONCE(vm_node_stat[i]);
	return v > 0 ? (unsigned long)v : 0;
}

unsigned long global_nr_dirty(void)
{
	return node_state(VMS_VM_nr_dirty);
}

unsigned long global_nr_writeback(void)
{
	return node_state(VMS_VM_nr_writeback);
}

static unsigned long lru_file_pages(void)
{
	const struct lruvec *lv = &contig_page_data.lruvec;
	return READ_ONCE(lv->nr_pages[LRU_INACTIVE_FILE]) + READ_ONCE(lv->nr_pages[LRU_ACTIVE_FILE]);
}

static unsigned long lru_anon_pages(void)
{
	const struct lruvec *lv = &contig_page_data.lruvec;
	return READ_ONCE(lv->nr_pages[LRU_INACTIVE_ANON]) + READ_ONCE(lv->nr_pages[LRU_ACTIVE_ANON]);
}

/* totalreserve_pages: per zone its largest lowmem_reserve plus its high watermark. */
static unsigned long totalreserve_pages(void)
{
	unsigned long sum = 0;
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *z = &contig_page_data.node_zones[i];
		if (!populated_zone(z))
			continue;
		unsigned long max = 0;
		for (int j = 0; j < 2; j++)
			max = max(max, z->lowmem_reserve[j]);
		max += high_wmark_pages_z(z);
		sum += min(max, zone_managed_pages(z));
	}
	return sum;
}

static unsigned long total_managed_pages(void)
{
	unsigned long sum = 0;
	for (int i = 0; i < MAX_NR_ZONES; i++)
		sum += zone_managed_pages(&contig_page_data.node_zones[i]);
	return sum;
}

/* 4.x global_dirtyable_memory. */
unsigned long dirtyable_memory_ioless(void)
{
	unsigned long x = node_free_pages();
	x -= min(x, totalreserve_pages());
	return x + lru_file_pages() + 1;
}

/* 2.6.32 determine_dirtyable_memory (no highmem here). */
unsigned long dirtyable_memory_bdi(void)
{
	unsigned long x = node_free_pages() + lru_file_pages();
	if (nr_swap_pages_total())
		x += lru_anon_pages();
	return x + 1;
}

/* 2.6.9: total_pages, the pages that can hold page cache (nr_free_pagecache_pages). */
unsigned long dirtyable_memory_pdflush(void)
{
	return total_managed_pages();
}

void global_dirty_limits(struct dirty_limits *dl)
{
	unsigned long avail = writeback_ops->dirtyable_memory();
	struct dirty_params p = {
		.ratio = dirty_ratio_resolved(),
		.bg_ratio = dirty_background_ratio_resolved(),
		.bytes = (unsigned long long)knob(dirty_bytes),
		.bg_bytes = (unsigned long long)knob(dirty_background_bytes),
		.pdflush_2_6_9 = knob(writeback_model) == VMS_WB_PDFLUSH,
		.mapped = node_state(VMS_VM_nr_anon_pages),
	};

	dirty_thresholds(&p, avail, &dl->bg_thresh, &dl->thresh);
	dl->dirtyable = avail;
	dl->freerun = dirty_freerun_ceiling(dl->thresh, dl->bg_thresh);
	dl->limit = max(dl->thresh, READ_ONCE(hard_dirty_limit));
	dl->setpoint = (dl->freerun + dl->limit) / 2;
}

unsigned long global_dirty_limit(void)
{
	return READ_ONCE(hard_dirty_limit);
}

/*
 * update_dirty_limit: the hard limit follows a rising threshold at once and a falling
 * one by 1/32 of the gap per 200 ms, never below the dirty pages, so that a sudden
 * drop of dirtyable memory does not throttle everybody at once.
 */
void update_dirty_limit(unsigned long thresh, unsigned long dirty)
{
	WRITE_ONCE(hard_dirty_limit, dirty_limit_follow(READ_ONCE(hard_dirty_limit), thresh, dirty));
}

/*
 * bdi_dirty_limit: the disk's share of thresh, in proportion to its share of the
 * recent writeout completions (no min_ratio/max_ratio: they are 0 and 100 by default).
 * Eras without per-disk limits give every disk the whole threshold.
 */
unsigned long wb_calc_thresh(struct bdi_writeback *wb, unsigned long thresh)
{
	if (!writeback_ops->per_bdi_thresh)
		return thresh;
	return (unsigned long)((u64)thresh * wb_writeout_fraction_permille(wb) / 1000);
}

void page_writeback_init(void)
{
	writeback_ops = knob(writeback_model) == VMS_WB_PDFLUSH ? &writeback_pdflush_ops :
			knob(writeback_model) == VMS_WB_BDI	? &writeback_bdi_ops :
								  &writeback_ioless_ops;
	/* writeback_set_ratelimit: dirtiers look at the limits every ratelimit_pages, so all
	 * CPUs together overshoot by at most 1/32; 2.6 capped it at 4 MiB. */
	struct dirty_limits dl;
	global_dirty_limits(&dl);
	WRITE_ONCE(hard_dirty_limit, dl.thresh);
	unsigned long base = knob(writeback_model) == VMS_WB_IOLESS ? dl.thresh : total_managed_pages();
	ratelimit_pages = base / (nr_cpu_ids * 32);
	if (ratelimit_pages < 16)
		ratelimit_pages = 16;
	if (knob(writeback_model) != VMS_WB_IOLESS && ratelimit_pages > (4096 * 1024) / PAGE_SIZE)
		ratelimit_pages = (4096 * 1024) / PAGE_SIZE;
}
