/*
 * The page allocator (mm/page_alloc.c): the zones of the node set up from the boot
 * page (x86-64's DMA and DMA32), their watermarks by era with THP's raise, and
 * __alloc_pages with Linux's fast path
 * (against the low watermark) and slow path: wake kswapd and retry against min,
 * direct reclaim (throttled when free memory falls far below min), retries, and the
 * OOM killer. The buddy core (mm/buddy.c) and the watermark formulas
 * (mm/watermark.c) are separate so that host unit tests can run them; the per-CPU
 * page lists are in mm/page_pcp.c.
 */
#include <asm/irqflags.h>
#include <asm/tsc.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/timer.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include <mm/mm_types.h>
#include <mm/mmzone.h>
#include <mm/backing-dev.h>
#include <mm/swap.h>
#include <mm/vmstat.h>
#include <mm/writeback.h>
#include "internal.h"
#include "page_pcp.h"

#define MAX_RECLAIM_RETRIES 16
#define LOWMEM_RESERVE_RATIO_DMA 256 /* sysctl_lowmem_reserve_ratio[ZONE_DMA] */

pg_data_t contig_page_data;
struct page *mem_map;
unsigned long max_pfn;

unsigned long node_free_pages(void)
{
	unsigned long n = 0;
	struct zone *z;
	for_each_populated_zone(z)
		n += zone_free_pages(z);
	return n;
}

/*
 * __zone_watermark_ok: free pages beyond this order's need must stay above the mark
 * (halved for __GFP_HIGH, a further quarter off for atomic allocations) plus what
 * the zone keeps back from allocations that could have used a higher zone; a
 * high-order request also needs a free block of its order or above.
 */
bool zone_watermark_ok(struct zone *z, unsigned order, unsigned long mark, int highest_zoneidx,
		       unsigned alloc_flags)
{
	long min = (long)mark;
	long free_pages = (long)zone_free_pages(z) - (1l << order) + 1;

	if (alloc_flags & ALLOC_HIGH)
		min -= min / 2;
	if (alloc_flags & ALLOC_HARDER)
		min -= min / 4;
	long reserve = highest_zoneidx > z->idx ? (long)z->lowmem_reserve[highest_zoneidx] : 0;
	if (free_pages <= min + reserve)
		return false;
	if (!order)
		return true;
	for (unsigned o = order; o < MAX_ORDER; o++)
		if (READ_ONCE(z->free_area[o].nr_free))
			return true;
	return zone_deferred_pages(z) >= (1ul << order); /* a chunk handed over makes one */
}

static void prep_new_page(struct page *page, unsigned order, gfp_t gfp)
{
	for (unsigned long i = 0; i < (1ul << order); i++) {
		page[i].flags = 0;
		page[i].mapping = NULL;
		page[i].index = 0;
		page[i].inuse = 0;
		set_page_count(&page[i], i ? 0 : 1);
	}
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE << order);
}

/*
 * __rmqueue, handing deferred frames over when the free lists cannot serve the order:
 * Linux's deferred_grow_zone, which get_page_from_freelist calls when a zone with
 * deferred pages fails its watermark. Here the deferred frames already count as free,
 * so the zone grows when its lists run dry instead. Caller holds z->lock.
 */
struct page *__rmqueue_grow(struct zone *z, unsigned order)
{
	struct page *page;

	while (!(page = __rmqueue(z, order)) && deferred_init_memmap_chunk(z, 1ul << order))
		;
	return page;
}

static struct page *rmqueue(struct zone *z, unsigned order)
{
	unsigned long flags;
	struct page *page;

	if (order == 0)
		return rmqueue_pcplist(z);
	local_irq_save(flags);
	raw_spin_lock(&z->lock);
	page = __rmqueue_grow(z, order);
	raw_spin_unlock(&z->lock);
	local_irq_restore(flags);
	return page;
}

/* Zones from the highest the caller may use down to DMA: the zonelist of the node. */
static struct page *get_page_from_freelist(gfp_t gfp, unsigned order, unsigned alloc_flags, int highest)
{
	for (int i = highest; i >= 0; i--) {
		struct zone *z = &contig_page_data.node_zones[i];
		if (!populated_zone(z))
			continue;
		if (!(alloc_flags & ALLOC_NO_WATERMARKS) &&
		    !zone_watermark_ok(z, order, z->_watermark[alloc_flags & ALLOC_WMARK_MASK], highest, alloc_flags))
			continue;
		struct page *page = rmqueue(z, order);
		if (page) {
			prep_new_page(page, order, gfp);
			return page;
		}
	}
	return NULL;
}

static void note_min_free(void)
{
	struct zone *z;
	for_each_populated_zone(z) {
		unsigned long f = zone_free_pages(z);
		if (f < z->min_free_seen)
			z->min_free_seen = f; /* a racy minimum is good enough for a report */
	}
}

static unsigned gfp_to_alloc_flags(gfp_t gfp)
{
	unsigned f = ALLOC_WMARK_MIN;
	if (gfp & __GFP_HIGH)
		f |= ALLOC_HIGH;
	if (gfp & __GFP_ATOMIC)
		f |= ALLOC_HARDER;
	return f;
}

static bool oom_victim(void)
{
	return current->mm && current->mm->oom_victim;
}

/* should_reclaim_retry, reduced: could reclaiming what is on the LRU lists help at all? */
/* zone_reclaimable_pages: the file LRUs, and the anonymous ones while swap has room. */
static unsigned long reclaimable_pages(void)
{
	struct lruvec *l = &contig_page_data.lruvec;
	unsigned long file = READ_ONCE(l->nr_pages[LRU_INACTIVE_FILE]) + READ_ONCE(l->nr_pages[LRU_ACTIVE_FILE]);
	unsigned long anon = READ_ONCE(l->nr_pages[LRU_INACTIVE_ANON]) + READ_ONCE(l->nr_pages[LRU_ACTIVE_ANON]);
	return file + (get_nr_swap_pages() ? anon : 0);
}

/*
 * should_reclaim_retry's wait (4.8 on): reclaim made no progress while half of what it
 * could reclaim is dirty or under writeback, so the pages are coming: wait for the disk
 * (congestion_wait(BLK_RW_ASYNC, HZ/10)) rather than spin through the LRU to OOM.
 */
static void reclaim_retry_wait(unsigned long reclaimable)
{
	if (2 * (global_nr_dirty() + global_nr_writeback()) > reclaimable)
		congestion_wait(100 * NSEC_PER_MSEC);
	else
		msleep(1);
}

static struct page *__alloc_pages_slowpath(gfp_t gfp, unsigned order, int highest)
{
	unsigned alloc_flags = gfp_to_alloc_flags(gfp);
	int no_progress_loops = 0;
	struct page *page;

	note_min_free();
retry:
	if (gfp & __GFP_KSWAPD_RECLAIM) {
		for (int i = highest; i >= 0; i--)
			if (populated_zone(&contig_page_data.node_zones[i]))
				wakeup_kswapd(&contig_page_data.node_zones[i], order, highest);
		if (current->alloc_stage < ALLOC_STAGE_KSWAPD)
			current->alloc_stage = ALLOC_STAGE_KSWAPD;
	}
	page = get_page_from_freelist(gfp, order, alloc_flags, highest);
	if (page)
		return page;
	/*
	 * Reclaim's own allocations may use what is left below min, unless they have a
	 * mempool to fall back on (__GFP_NOMEMALLOC); reclaim never recurses into reclaim.
	 */
	if (current->flags & PF_MEMALLOC)
		return (gfp & __GFP_NOMEMALLOC) ? NULL : get_page_from_freelist(gfp, order, ALLOC_NO_WATERMARKS, highest);
	if (!(gfp & __GFP_DIRECT_RECLAIM) || oom_victim())
		return NULL;

	/* __alloc_pages_direct_reclaim */
	if (throttle_direct_reclaim(gfp) && current->alloc_stage < ALLOC_STAGE_KSWAPD)
		current->alloc_stage = ALLOC_STAGE_KSWAPD;
	if (oom_victim())
		return NULL;
	current->alloc_stage = ALLOC_STAGE_DIRECT;
	count_vm_event(allocstall);
	/* 4.8 on: allocstall_<zone> of the allocation's highest zone index (ac->highest_zoneidx) */
	__count_vm_events(highest == ZONE_DMA ? VMS_VM_allocstall_dma : VMS_VM_allocstall_dma32, 1);
	__atomic_add_fetch(&contig_page_data.nr_direct_reclaim, 1, __ATOMIC_RELAXED);
	unsigned saved = current->flags;
	current->flags |= PF_MEMALLOC;
	unsigned long progress = try_to_free_pages(order, gfp);
	current->flags = saved;
	__atomic_sub_fetch(&contig_page_data.nr_direct_reclaim, 1, __ATOMIC_RELAXED);
	note_min_free();
	page = get_page_from_freelist(gfp, order, alloc_flags, highest);
	if (!page && progress) {
		/* __alloc_pages_direct_reclaim, once a call: the pages freed may sit on per-CPU lists */
		drain_all_pages();
		page = get_page_from_freelist(gfp, order, alloc_flags, highest);
	}
	if (page)
		return page;

	no_progress_loops = progress ? 0 : no_progress_loops + 1;
	unsigned long reclaimable = reclaimable_pages();
	if (no_progress_loops < MAX_RECLAIM_RETRIES && (progress || reclaimable)) {
		if (!progress)
			reclaim_retry_wait(reclaimable);
		goto retry;
	}
	if (gfp & __GFP_NORETRY)
		return NULL;

	/* __alloc_pages_may_oom: one last try against high, then the OOM killer. */
	page = get_page_from_freelist(gfp, order, ALLOC_WMARK_HIGH, highest);
	if (page)
		return page;
	if (!out_of_memory(gfp, order))
		panic("Out of memory and no killable processes: order-%u allocation by %s (pid %d)", order,
		      current->comm, current->pid);
	if (oom_victim())
		return NULL;
	msleep(10); /* the victim notices at its next access and exits */
	no_progress_loops = 0;
	goto retry;
}

struct page *alloc_pages(gfp_t gfp, unsigned order)
{
	int highest = (gfp & __GFP_DMA) ? ZONE_DMA : ZONE_NORMAL;

	if (order >= MAX_ORDER)
		return NULL;
	if (irqs_disabled() || preempt_count())
		gfp &= ~__GFP_DIRECT_RECLAIM; /* cannot sleep here, whatever the caller asked */
	current->alloc_stage = ALLOC_STAGE_FAST;
	struct page *page = get_page_from_freelist(gfp, order, ALLOC_WMARK_LOW, highest);
	if (!page)
		page = __alloc_pages_slowpath(gfp, order, highest);
	if (page) {
		count_vm_events(pgalloc, 1ul << order);
		/* __count_zid_vm_events(PGALLOC, zone, 1 << order): per the zone served */
		if (page_zone(page)->idx == ZONE_DMA)
			count_vm_events(pgalloc_dma, 1ul << order);
		else
			count_vm_events(pgalloc_dma32, 1ul << order);
	}
	else if (!(gfp & __GFP_NOWARN))
		printk("page allocation failure: order:%u, mode:%#x, by %s (pid %d), %lu pages free\n", order, gfp,
		       current->comm, current->pid, node_free_pages());
	return page;
}

static void free_pages_prepare(struct page *page, unsigned order)
{
	for (unsigned long i = 0; i < (1ul << order); i++) {
		if (page[i].flags & (BIT(PG_lru) | BIT(PG_locked) | BIT(PG_writeback) | BIT(PG_swapcache) |
				     BIT(PG_buddy) | BIT(PG_reserved) | BIT(PG_slab)))
			panic("Bad page state: pfn %#lx flags %#lx freed with order %u", page_to_pfn(page) + i,
			      page[i].flags, order);
		page[i].flags = 0;
		page[i].mapping = NULL;
	}
}

static void free_one(struct page *page, unsigned order)
{
	struct zone *z = page_zone(page);
	unsigned long flags;

	free_pages_prepare(page, order);
	count_vm_events(pgfree, 1ul << order);
	if (order == 0) {
		free_unref_page(z, page);
		return;
	}
	local_irq_save(flags);
	raw_spin_lock(&z->lock);
	__free_one_page(z, page, page_to_pfn(page), order);
	raw_spin_unlock(&z->lock);
	local_irq_restore(flags);
}

void __free_pages(struct page *page, unsigned order)
{
	if (__atomic_sub_fetch(&page->_refcount, 1, __ATOMIC_ACQ_REL) == 0)
		free_one(page, order);
}

void *__get_free_pages(gfp_t gfp, unsigned order)
{
	struct page *page = alloc_pages(gfp, order);
	return page ? page_address(page) : NULL;
}

void free_pages(void *addr, unsigned order)
{
	if (addr)
		__free_pages(virt_to_page(addr), order);
}

/* alloc_pages_exact: the smallest block that fits, its unused tail given back page by page. */
void *alloc_pages_exact(size_t size)
{
	unsigned long nr = PFN_UP(size);
	unsigned order = 0;

	while ((1ul << order) < nr)
		order++;
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!page)
		return NULL;
	for (unsigned long i = 1; i < (1ul << order); i++) /* split_page */
		set_page_count(&page[i], 1);
	for (unsigned long i = nr; i < (1ul << order); i++)
		__free_pages(&page[i], 0);
	mod_node_page_state(VMS_VM_nr_kernel_pages, (long)nr);
	return page_address(page);
}

void free_pages_exact(void *addr, size_t size)
{
	if (!addr)
		return;
	unsigned long nr = PFN_UP(size);
	struct page *page = virt_to_page(addr);
	mod_node_page_state(VMS_VM_nr_kernel_pages, -(long)nr);
	for (unsigned long i = 0; i < nr; i++)
		__free_pages(&page[i], 0);
}

static const char *const thp_names[] = { "never", "madvise", "always", "auto" };

/* __setup_per_zone_wmarks for pgdat's zones (present = spanned: our RAM has no holes). */
static void wmarks_set(pg_data_t *pgdat, struct wmark_zone *wz, unsigned long min_free_kbytes)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &pgdat->node_zones[i];
		wz[i] = (struct wmark_zone){ .name = z->name, .present_pages = z->spanned_pages,
					     .managed_pages = zone_managed_pages(z) };
	}
	setup_per_zone_wmarks(wz, MAX_NR_ZONES, min_free_kbytes, (unsigned)knob(watermark_scale_factor),
			      pgdat->watermark_model);
	for (int i = 0; i < MAX_NR_ZONES; i++)
		for (int w = 0; w < NR_WMARK; w++)
			pgdat->node_zones[i]._watermark[w] = wz[i].watermark[w];
}

/*
 * The boot's watermarks, as the era's kernel sets them: 2.4's per-zone rule; else
 * init_per_zone_wmark_min (min_free_kbytes from nr_free_buffer_pages, the knob when
 * set, as a sysctl written at boot); then, in the 4.6 era with THP on, khugepaged's
 * set_recommended_min_free_kbytes, which raises min_free_kbytes only if it is higher and
 * only when the knob did not set it (the kernel enables THP before sysctl.conf is
 * applied, so the administrator's value is the one that stays). Then
 * setup_per_zone_lowmem_reserve.
 */
static void setup_watermarks(pg_data_t *pgdat)
{
	struct wmark_zone wz[MAX_NR_ZONES];
	unsigned long totalram_kbytes = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		totalram_kbytes += zone_managed_pages(&pgdat->node_zones[i]) << (PAGE_SHIFT - 10);
	pgdat->watermark_model = (enum watermark_model)knob(watermark_model);
	pgdat->kswapd_model = (enum vms_kswapd_model)knob(kswapd_model);
	if (pgdat->kswapd_model == VMS_KSWAPD_MODEL_AUTO) {
		static const enum vms_kswapd_model of_wmark[] = {
			[WMARK_MODEL_2_4] = VMS_KSWAPD_2_4,
			[WMARK_MODEL_2_6_0] = VMS_KSWAPD_2_6,
			[WMARK_MODEL_2_6_10] = VMS_KSWAPD_2_6,
			[WMARK_MODEL_4_6] = VMS_KSWAPD_4_8,
		};
		pgdat->kswapd_model = of_wmark[pgdat->watermark_model];
	}
	pgdat->reclaim_model = (enum vms_reclaim_model)knob(reclaim_model);
	if (pgdat->reclaim_model == VMS_RECLAIM_MODEL_AUTO)
		pgdat->reclaim_model = pgdat->kswapd_model == VMS_KSWAPD_4_8 ? VMS_RECLAIM_5_9 : VMS_RECLAIM_4_8;
	pgdat->kswapd_ops = kswapd_ops_for(pgdat->kswapd_model);

	/*
	 * THP came in 2.6.38; the eras before 4.6 are modelled as their first kernels, which
	 * had none: thp is never there (reported so). auto is hugepage_init's rule: off while
	 * totalram_pages is under 512 MiB, else Debian's CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS.
	 */
	enum vms_thp thp = (enum vms_thp)knob(thp);
	if (thp == VMS_THP_AUTO)
		thp = (totalram_kbytes >> 10) < 512 ? VMS_THP_NEVER : VMS_THP_ALWAYS;
	if (pgdat->watermark_model != WMARK_MODEL_4_6 && thp != VMS_THP_NEVER) {
		if (knob(thp) != VMS_THP_AUTO)
			printk("thp=%s: watermark_model %s predates transparent hugepages (2.6.38): thp is never\n",
			       thp_names[thp], watermark_model_name(pgdat->watermark_model));
		thp = VMS_THP_NEVER;
	}
	pgdat->thp = thp;

	for (int i = 0; i < MAX_NR_ZONES; i++) /* no high watermark yet: nr_free_buffer_pages counts all */
		wz[i] = (struct wmark_zone){ .present_pages = pgdat->node_zones[i].spanned_pages,
					     .managed_pages = zone_managed_pages(&pgdat->node_zones[i]) };
	if (pgdat->watermark_model == WMARK_MODEL_2_4) {
		if (knob(min_free_kbytes))
			printk("min_free_kbytes=%ld: watermark_model 2.4 has no min_free_kbytes (each zone's pages_min "
			       "is its size / 128 in 20..255): not used, reported as 0\n", knob(min_free_kbytes));
		pgdat->min_free_kbytes = 0;
	} else {
		pgdat->min_free_kbytes = knob(min_free_kbytes) ? (unsigned long)knob(min_free_kbytes)
							       : era_min_free_kbytes(wz, MAX_NR_ZONES, pgdat->watermark_model);
	}
	wmarks_set(pgdat, wz, pgdat->min_free_kbytes);
	pgdat->node_zones[ZONE_DMA].lowmem_reserve[ZONE_DMA32] =
		zone_managed_pages(&pgdat->node_zones[ZONE_DMA32]) / LOWMEM_RESERVE_RATIO_DMA;
}

/*
 * khugepaged's set_recommended_min_free_kbytes (4.6 era, THP on), once the boot's own
 * memory is freed: a Linux guest turns THP on by writing sysfs from init
 * (start_stop_khugepaged), which recomputes it from the memory of then, and sets the
 * watermarks again only if it raises min_free_kbytes.
 */
static void set_recommended_min_free_kbytes(pg_data_t *pgdat)
{
	struct wmark_zone wz[MAX_NR_ZONES];
	enum vms_thp thp = pgdat->thp;

	if (thp == VMS_THP_NEVER)
		return;
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &pgdat->node_zones[i];
		wz[i] = (struct wmark_zone){ .present_pages = z->spanned_pages, .managed_pages = zone_managed_pages(z) };
		for (int w = 0; w < NR_WMARK; w++)
			wz[i].watermark[w] = z->_watermark[w];
	}
	{
		unsigned long recommended = thp_recommended_min_free_kbytes(wz, MAX_NR_ZONES);
		if (knob(min_free_kbytes)) {
			if (recommended > pgdat->min_free_kbytes)
				printk("thp=%s: khugepaged would raise min_free_kbytes to %lu; the knob's %lu is kept, as "
				       "a sysctl applied after boot\n", thp_names[thp], recommended, pgdat->min_free_kbytes);
		} else if (recommended > pgdat->min_free_kbytes) {
			printk("khugepaged: raising min_free_kbytes from %lu to %lu to help transparent hugepage "
			       "allocations\n", pgdat->min_free_kbytes, recommended);
			pgdat->min_free_kbytes = recommended;
			wmarks_set(pgdat, wz, pgdat->min_free_kbytes);
		}
	}
}

void page_alloc_init(void)
{
	pg_data_t *pgdat = &contig_page_data;
	unsigned long dma_end = PFN_DOWN(boot_params->zone_dma_end);

	max_pfn = PFN_DOWN(boot_params->ram_size);
	if (dma_end > max_pfn)
		dma_end = max_pfn;
	/*
	 * memblock allocates top-down on x86-64: mem_map comes out of the top of RAM (in
	 * DMA32), never out of ZONE_DMA, and is never freed. Below the kernel image lies the
	 * first 1 MiB, which Linux reserves whole (5.13 on) and our boot page and tables use.
	 */
	unsigned long map_bytes = ALIGN(max_pfn * sizeof(struct page), PAGE_SIZE);
	u64 start = ALIGN(boot_params->free_start, PAGE_SIZE), end = boot_params->free_end & PAGE_MASK;
	if (start + map_bytes >= end)
		panic("mem_map: %lu KiB do not fit in the free RAM [%#lx, %#lx)", map_bytes >> 10, start, end);
	end -= map_bytes;
	mem_map = (struct page *)end;
	/*
	 * kernel_reserved_kbytes: what a distribution kernel keeps besides ours (its image,
	 * initramfs, early allocations), taken below mem_map: where in DMA32 does not matter
	 * to the zones' sizes, which are what it stands for.
	 */
	unsigned long reserved = ALIGN((unsigned long)knob(kernel_reserved_kbytes) << 10, PAGE_SIZE);
	if (start + reserved + (4ul << 20) >= end)
		panic("kernel_reserved_kbytes %ld leaves less than 4 MiB of RAM", knob(kernel_reserved_kbytes));
	end -= reserved;
	/*
	 * kernel_init_kbytes: what a distribution kernel holds while it sets its watermarks
	 * (init_per_zone_wmark_min, a postcore initcall; khugepaged's recommendation) and
	 * frees at the end of its boot (free_initrd_mem, free_initmem): held below the
	 * reservation, given to the buddy allocator once the watermarks are set.
	 */
	unsigned long init_bytes = ALIGN((unsigned long)knob(kernel_init_kbytes) << 10, PAGE_SIZE);
	if (start + init_bytes + (4ul << 20) >= end)
		panic("kernel_init_kbytes %ld leaves less than 4 MiB of RAM", knob(kernel_init_kbytes));
	end -= init_bytes;

	/*
	 * Deferred struct page init: writing a struct page for every free frame at boot
	 * first-touches all of mem_map, and a first touch is dear under KVM (an EPT fault
	 * per 4 KiB of mem_map, so ~6 ms for 64 MiB on a nested host). The free frames are
	 * handed over chunk by chunk as the zones need them (__rmqueue_grow); unlike
	 * Linux's pgdatinit threads, no thread finishes the job behind the workload's back.
	 */
	bool defer = knob(deferred_struct_page_init);
	unsigned long free_pfn = PFN_DOWN(start), nr_free = PFN_DOWN(end) - PFN_DOWN(start);
	static const char *const names[MAX_NR_ZONES] = { "DMA", "DMA32" };
	const unsigned long zone_start[MAX_NR_ZONES] = { 0, dma_end }, zone_end[MAX_NR_ZONES] = { dma_end, max_pfn };
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &pgdat->node_zones[i];
		zone_init_deferred(z, names[i], zone_start[i], zone_end[i] - zone_start[i], mem_map + zone_start[i],
				   defer ? free_pfn : 0, defer ? nr_free : 0);
		z->idx = i;
		if (!defer)
			zone_free_range(z, free_pfn, nr_free);
		z->min_free_seen = zone_free_pages(z);
		if (z->spanned_pages)
			pgdat->nr_zones = i + 1;
	}
	setup_watermarks(pgdat);
	for (int i = 0; init_bytes && i < MAX_NR_ZONES; i++) /* free_initmem */
		zone_free_range(&pgdat->node_zones[i], PFN_DOWN(end), PFN_DOWN(init_bytes));
	set_recommended_min_free_kbytes(pgdat);
	pcp_setup(pgdat);
	struct lruvec *lv = &pgdat->lruvec;
	spin_lock_init(&lv->lru_lock);
	for (int l = 0; l < NR_LRU_LISTS; l++)
		INIT_LIST_HEAD(&lv->lists[l]);
	init_waitqueue_head(&pgdat->kswapd_wait);
	init_waitqueue_head(&pgdat->pfmemalloc_wait);

	printk("mem_map: %lu pages at %p (%lu KiB)\n", max_pfn, mem_map, map_bytes >> 10);
	static const char *const kswapd_names[] = { "2.4", "2.6", "4.8" }, *const reclaim_names[] = { "4.8", "5.9" };
	printk("min_free_kbytes %lu, watermark model %s, kswapd model %s, reclaim model %s, watermark_scale_factor %ld, thp %s\n",
	       pgdat->min_free_kbytes, watermark_model_name(pgdat->watermark_model), kswapd_names[pgdat->kswapd_model],
	       reclaim_names[pgdat->reclaim_model], knob(watermark_scale_factor), thp_names[pgdat->thp]);
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &pgdat->node_zones[i];
		printk("zone %-6s pfn [%#lx, %#lx) managed %lu free %lu (deferred %lu) min %lu low %lu high %lu pcp high %d batch %d\n",
		       z->name, z->zone_start_pfn, zone_end_pfn(z), zone_managed_pages(z), zone_free_pages(z),
		       zone_deferred_pages(z), z->_watermark[WMARK_MIN], z->_watermark[WMARK_LOW],
		       z->_watermark[WMARK_HIGH], pcp_high(i), pcp_batch(i));
	}
}
