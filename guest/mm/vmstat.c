/*
 * /proc/vmstat (mm/vmstat.c): per-CPU event counters, global levels, the
 * time series every sample_ms (with the watermarks, so plots can show free
 * memory against the line kswapd defends) and the record at the end of a run.
 */
#include <asm/tsc.h>
#include <kernel/boot.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/results.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/swap.h>
#include <mm/vmstat.h>
#include <mm/writeback.h>

long vm_node_stat[VMS_NR_VMSTAT];

/* One cache line apart so that CPUs counting do not share lines. */
static struct {
	unsigned long ev[VMS_NR_VMSTAT];
} __attribute__((aligned(64))) vm_events[VMS_MAX_CPUS];

static u64 next_sample_ns;

void __count_vm_events(enum vms_vmstat_item item, unsigned long delta)
{
	/* Atomic: a task may migrate between reading this CPU's slot and adding to it. */
	__atomic_add_fetch(&vm_events[smp_processor_id()].ev[item], delta, __ATOMIC_RELAXED);
}

void vmstat_snapshot(u64 counters[VMS_NR_VMSTAT])
{
	struct lruvec *lv = &contig_page_data.lruvec;

	for (int i = 0; i < VMS_NR_VMSTAT; i++) {
		long v = READ_ONCE(vm_node_stat[i]);
		counters[i] = v > 0 ? (u64)v : 0;
		for_each_cpu(c)
			counters[i] += READ_ONCE(vm_events[c].ev[i]);
	}
	counters[VMS_VM_nr_free_pages] = node_free_pages();
	counters[VMS_VM_nr_inactive_anon] = READ_ONCE(lv->nr_pages[LRU_INACTIVE_ANON]);
	counters[VMS_VM_nr_active_anon] = READ_ONCE(lv->nr_pages[LRU_ACTIVE_ANON]);
	counters[VMS_VM_nr_inactive_file] = READ_ONCE(lv->nr_pages[LRU_INACTIVE_FILE]);
	counters[VMS_VM_nr_active_file] = READ_ONCE(lv->nr_pages[LRU_ACTIVE_FILE]);
	counters[VMS_VM_nr_swap_free] = get_nr_swap_pages();
	struct dirty_limits dl;
	global_dirty_limits(&dl);
	counters[VMS_VM_nr_dirty_threshold] = dl.thresh;
	counters[VMS_VM_nr_dirty_background_threshold] = dl.bg_thresh;
}

static void sum_watermarks(u64 *min, u64 *low, u64 *high)
{
	struct zone *z;
	*min = *low = *high = 0;
	for_each_populated_zone(z) {
		*min += z->_watermark[WMARK_MIN];
		*low += z->_watermark[WMARK_LOW];
		*high += z->_watermark[WMARK_HIGH];
		unsigned long f = zone_free_pages(z);
		if (f < z->min_free_seen)
			z->min_free_seen = f;
	}
}

/* When the next sample is due (the do_timer duty's holder wakes for it), UINT64_MAX for none. */
u64 vmstat_next_sample_ns(void)
{
	return knob(sample_ms) && mem_map ? next_sample_ns : UINT64_MAX;
}

void vmstat_sample_tick(void)
{
	u64 period = (u64)knob(sample_ms) * NSEC_PER_MSEC, now = ktime_get_ns();

	if (!period || !mem_map || now < next_sample_ns)
		return;
	next_sample_ns = now + period;
	struct vms_rec_vmstat_sample s = {
		.tsc = rdtsc(),
		.in_direct_reclaim = (u32)READ_ONCE(contig_page_data.nr_direct_reclaim),
		.kswapd_running = (u32)READ_ONCE(contig_page_data.kswapd_running),
		.kswapd_woken = (u32)READ_ONCE(contig_page_data.kswapd_woken),
	};
	sum_watermarks(&s.wmark_min, &s.wmark_low, &s.wmark_high);
	vmstat_snapshot(s.counters);
	samples_record(VMS_REC_VMSTAT_SAMPLE, &s, sizeof(s));
}

void vmstat_report(void)
{
	pg_data_t *pgdat = &contig_page_data;
	static struct vms_rec_vmstat r; /* large for a kernel stack */

	memset(&r, 0, sizeof(r));
	r.min_free_kbytes = pgdat->min_free_kbytes;
	r.watermark_model = pgdat->watermark_model;
	r.kswapd_model = pgdat->kswapd_model;
	r.reclaim_model = pgdat->reclaim_model;
	r.thp = pgdat->thp;
	r.page_cluster = (u32)knob(page_cluster);
	r.watermark_scale_factor = (u32)knob(watermark_scale_factor);
	r.swappiness = (u32)knob(swappiness);
	r.swap_pages = nr_swap_pages_total();
	for (int i = 0; i < MAX_NR_ZONES && i < VMS_MAX_ZONES; i++) {
		struct zone *z = &pgdat->node_zones[i];
		struct vms_zone_info *zi = &r.zones[r.nr_zones++];
		memcpy(zi->name, z->name, min(strlen(z->name), sizeof(zi->name) - 1));
		zi->start_pfn = z->zone_start_pfn;
		zi->spanned_pages = z->spanned_pages;
		zi->managed_pages = zone_managed_pages(z);
		zi->deferred_pages = zone_deferred_pages(z);
		zi->wmark_min = z->_watermark[WMARK_MIN];
		zi->wmark_low = z->_watermark[WMARK_LOW];
		zi->wmark_high = z->_watermark[WMARK_HIGH];
		zi->nr_free = zone_free_pages(z);
		zi->min_free_seen = min(z->min_free_seen, zi->nr_free);
	}
	vmstat_snapshot(r.counters);
	/* Counted from the zones, not from the events, so the host can check pgalloc - pgfree against it. */
	u64 managed = 0;
	for (int i = 0; i < MAX_NR_ZONES; i++)
		managed += zone_managed_pages(&pgdat->node_zones[i]);
	r.pages_in_use = managed - node_free_pages() - pcp_free_pages();
	u64 *c = r.counters;
	printk("vmstat: free %lu in use %lu pgalloc %lu pgfree %lu pgfault %lu pgmajfault %lu allocstall %lu\n",
	       c[VMS_VM_nr_free_pages], r.pages_in_use, c[VMS_VM_pgalloc], c[VMS_VM_pgfree], c[VMS_VM_pgfault],
	       c[VMS_VM_pgmajfault], c[VMS_VM_allocstall]);
	printk("vmstat: pgscan kswapd %lu direct %lu, pgsteal kswapd %lu direct %lu, pswpin %lu pswpout %lu, "
	       "pageoutrun %lu, oom_kill %lu\n",
	       c[VMS_VM_pgscan_kswapd], c[VMS_VM_pgscan_direct], c[VMS_VM_pgsteal_kswapd], c[VMS_VM_pgsteal_direct],
	       c[VMS_VM_pswpin], c[VMS_VM_pswpout], c[VMS_VM_pageoutrun], c[VMS_VM_oom_kill]);
	results_record(VMS_REC_VMSTAT, &r, sizeof(r));
}
