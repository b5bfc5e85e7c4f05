/*
 * The memory manager's part of a run's metric set (names in store.h): the vmstat
 * counters at the end, the watermark model and the zones, the memory jobs (merged by
 * report name as fio merges a group), and the vmstat samples as time series.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <vmsweep/workload.h>

#include "store/store_internal.h"
#include "util/clamp.h"
#include "util/hist_stats.h"
#include "util/vmstat_names.h"
#include "records/mm.h"
#include "vmm/vm.h"

#define ZONE_FIELD(member) EMIT_FIELD(struct vms_zone_info, member)
static const struct emit_field zone_fields[] = {
	ZONE_FIELD(managed_pages), ZONE_FIELD(wmark_min), ZONE_FIELD(wmark_low), ZONE_FIELD(wmark_high),
	ZONE_FIELD(nr_free), ZONE_FIELD(min_free_seen), ZONE_FIELD(deferred_pages),
};

static void vmstat_metrics(struct emit *e, const struct vm_result *res)
{
	const struct mm_records *mm = mm_records(res);
	const struct vms_rec_vmstat *v = &mm->vmstat;
	char zn[VMS_ZONE_NAME_LEN + 1], prefix[STORE_NAME_MAX];

	if (!mm->have_vmstat)
		return;
	for (unsigned i = 0; i < VMS_NR_VMSTAT; i++)
		emit_put(e, (double)v->counters[i], "vmstat.%s", vmstat_item_name(i));
	emit_put(e, (double)v->min_free_kbytes, "mm.min_free_kbytes");
	emit_put(e, v->watermark_model, "mm.watermark_model");
	emit_put(e, v->kswapd_model, "mm.kswapd_model");
	emit_put(e, v->reclaim_model, "mm.reclaim_model");
	emit_put(e, v->thp, "mm.thp");
	emit_put(e, v->page_cluster, "mm.page_cluster");
	emit_put(e, v->watermark_scale_factor, "mm.watermark_scale_factor");
	emit_put(e, v->swappiness, "mm.swappiness");
	emit_put(e, (double)v->swap_pages, "mm.swap_pages");
	emit_put(e, (double)v->pages_in_use, "mm.pages_in_use");
	/* Names were made [A-Za-z0-9_-] and distinct when the record was taken. */
	for (unsigned i = 0; i < v->nr_zones && i < VMS_MAX_ZONES; i++) {
		const struct vms_zone_info *z = &v->zones[i];
		zone_name_format(z, zn);
		snprintf(prefix, sizeof(prefix), "zone.%s.", zn);
		emit_fields(e, prefix, z, zone_fields, sizeof(zone_fields) / sizeof(zone_fields[0]));
	}
}

/* One report entry: a memory job, its section's clones, or a group (group_reporting). */
struct mem_entry {
	char name[VMS_WL_NAME_LEN + 1];
	uint32_t error;
	uint64_t runtime_ns; /* the longest clone's */
	uint64_t pages_allocated, pages_freed, accesses, swapins, rss_max;
	struct {
		uint64_t samples, sum_ns, max_ns;
		size_t hist; /* index in the run's hists: the array moves as it grows */
	} lat[VMS_MEM_LAT_NR];
};
_Static_assert(offsetof(struct mem_entry, name) == 0, "job_entry_find reads the name first");

static int entry_hists(struct emit *e, struct mem_entry *m)
{
	for (unsigned c = 0; c < VMS_MEM_LAT_NR; c++) {
		char name[STORE_NAME_MAX + 1];
		int n = snprintf(name, sizeof(name), "mem.%s.%s_ns", m->name, mem_lat_class_name(c));
		if (n < 0 || n >= STORE_NAME_MAX || !store_run_hist(e->r, name))
			return -1;
		m->lat[c].hist = e->r->nr_hists - 1;
	}
	return 0;
}

static void entry_add(struct emit *e, struct mem_entry *m, const struct vms_rec_mem_job *j)
{
	uint64_t ns = j->end_ns > j->start_ns ? j->end_ns - j->start_ns : 0;
	m->error = m->error ? m->error : j->error;
	m->runtime_ns = ns > m->runtime_ns ? ns : m->runtime_ns;
	m->pages_allocated = add_sat_u64(m->pages_allocated, j->pages_allocated);
	m->pages_freed = add_sat_u64(m->pages_freed, j->pages_freed);
	m->accesses = add_sat_u64(m->accesses, j->accesses);
	m->swapins = add_sat_u64(m->swapins, j->swapins);
	m->rss_max = add_sat_u64(m->rss_max, j->rss_max);
	for (unsigned c = 0; c < VMS_MEM_LAT_NR; c++) {
		const struct vms_mem_lat_hist *h = &j->lat[c];
		m->lat[c].samples = add_sat_u64(m->lat[c].samples, h->samples);
		m->lat[c].sum_ns = add_sat_u64(m->lat[c].sum_ns, h->sum_ns);
		m->lat[c].max_ns = h->max_ns > m->lat[c].max_ns ? h->max_ns : m->lat[c].max_ns;
		hist_merge(e->r->hists[m->lat[c].hist].counts, h->buckets, VMS_HIST_NR);
	}
}

static void entry_metrics(struct emit *e, const struct mem_entry *m)
{
	double secs = (double)m->runtime_ns / 1e9;
	emit_put(e, m->error, "mem.%s.error", m->name);
	emit_put(e, (double)m->runtime_ns, "mem.%s.runtime_ns", m->name);
	emit_put(e, (double)m->pages_allocated, "mem.%s.pages_allocated", m->name);
	emit_put(e, (double)m->pages_freed, "mem.%s.pages_freed", m->name);
	emit_put(e, (double)m->accesses, "mem.%s.accesses", m->name);
	emit_put(e, (double)m->swapins, "mem.%s.swapins", m->name);
	emit_put(e, (double)m->rss_max, "mem.%s.rss_max_pages", m->name);
	emit_put(e, secs > 0 ? (double)m->accesses / secs : m->accesses ? NAN : 0, "mem.%s.accesses_per_s", m->name);
	emit_put(e, secs > 0 ? (double)m->pages_allocated / secs : m->pages_allocated ? NAN : 0,
		 "mem.%s.pages_allocated_per_s", m->name);
	for (unsigned c = 0; c < VMS_MEM_LAT_NR; c++) {
		char prefix[STORE_NAME_MAX];
		snprintf(prefix, sizeof(prefix), "mem.%s.%s_ns.", m->name, mem_lat_class_name(c));
		emit_put(e, (double)m->lat[c].samples, "%ssamples", prefix);
		if (!m->lat[c].samples)
			continue;
		emit_put(e, (double)m->lat[c].sum_ns / (double)m->lat[c].samples, "%smean", prefix);
		emit_put(e, (double)m->lat[c].max_ns, "%smax", prefix);
		emit_pcts(e, prefix, "", e->r->hists[m->lat[c].hist].counts);
	}
}

void mm_mem_job_metrics(struct emit *e, const struct vms_rec_mem_job *jobs, const struct vms_workload *wl)
{
	if (!wl || !jobs || !wl->nr_jobs)
		return;
	unsigned nj = wl->nr_jobs < VMS_WL_MAX_JOBS ? wl->nr_jobs : VMS_WL_MAX_JOBS, ne = 0;
	struct mem_entry *ent = calloc(nj, sizeof(*ent));
	if (!ent) {
		e->bad++;
		return;
	}
	for (unsigned k = 0; k < nj; k++) {
		if (jobs[k].job != k) /* no record (a failed run, or not a memory job) */
			continue;
		unsigned x = job_entry_find(wl, k, ent, sizeof(*ent), ne);
		if (x == ne) {
			if (entry_hists(e, &ent[ne])) {
				e->bad++;
				goto out;
			}
			ne++;
		}
		entry_add(e, &ent[x], &jobs[k]);
	}
	for (unsigned x = 0; x < ne; x++)
		entry_metrics(e, &ent[x]);
out:
	free(ent);
}

void mm_metrics(struct emit *e, const struct vm_result *res, const struct vms_workload *wl)
{
	vmstat_metrics(e, res);
	mm_mem_job_metrics(e, mm_records(res)->mem_jobs, wl);
}

/* What the report's time series figures draw: free pages against the watermarks, the
 * LRU lists, reclaim and swap as they went. */
static const enum vms_vmstat_item series_items[] = {
	VMS_VM_nr_free_pages,	 VMS_VM_nr_active_anon,	 VMS_VM_nr_inactive_anon, VMS_VM_nr_active_file,
	VMS_VM_nr_inactive_file, VMS_VM_pgscan_kswapd,	 VMS_VM_pgscan_direct,	  VMS_VM_pgsteal_kswapd,
	VMS_VM_pgsteal_direct,	 VMS_VM_allocstall,	 VMS_VM_pswpin,		  VMS_VM_pswpout,
	VMS_VM_nr_file_pages,	 VMS_VM_nr_dirty,	 VMS_VM_nr_writeback,	  VMS_VM_pgpgin,
	VMS_VM_pgpgout,
};

void mm_series(struct emit *e, const struct vm_result *res)
{
	const struct mm_records *mm = mm_records(res);
	if (!mm->vmstat_samples || !mm->nr_vmstat_samples || !res->tsc_khz)
		return;
	uint64_t t0 = series_t0(res);
	for (size_t i = 0; i < mm->nr_vmstat_samples; i++) {
		const struct vms_rec_vmstat_sample *sm = &mm->vmstat_samples[i];
		if (sm->tsc < t0) /* the guest's word: untrusted */
			continue;
		/* The guest's TSC: any value, so the ns may not fit; the store keeps int64 (util/clamp.h). */
		uint64_t t = (uint64_t)clamp_double_ll((double)(sm->tsc - t0) * 1e6 / (double)res->tsc_khz);
		for (size_t k = 0; k < sizeof(series_items) / sizeof(series_items[0]); k++)
			e->bad += store_run_sample(e->r, vmstat_item_name(series_items[k]), t,
						   (double)sm->counters[series_items[k]]) != 0;
		e->bad += store_run_sample(e->r, "wmark_min", t, (double)sm->wmark_min) != 0;
		e->bad += store_run_sample(e->r, "wmark_low", t, (double)sm->wmark_low) != 0;
		e->bad += store_run_sample(e->r, "wmark_high", t, (double)sm->wmark_high) != 0;
		e->bad += store_run_sample(e->r, "in_direct_reclaim", t, sm->in_direct_reclaim) != 0;
		e->bad += store_run_sample(e->r, "kswapd_running", t, sm->kswapd_running) != 0;
	}
}

const struct metric_doc mm_metric_docs[] = {
	{ "vmstat.*", "every counter of vmsweep/vmstat.h under its /proc/vmstat name, at the end of the run" },
	{ "mm.min_free_kbytes", "min_free_kbytes in effect" },
	{ "mm.watermark_model", "the watermark era: 0 2.4, 1 2.6.10, 2 4.6, 3 2.6.0" },
	{ "mm.kswapd_model", "kswapd's era: 0 2.4, 1 2.6, 2 4.8" },
	{ "mm.reclaim_model", "reclaim's era: 0 4.8, 1 5.9" },
	{ "mm.thp", "transparent_hugepage in effect: 0 never, 1 madvise, 2 always" },
	{ "mm.page_cluster", "vm.page-cluster in effect" },
	{ "mm.watermark_scale_factor", "watermark_scale_factor in effect" },
	{ "mm.swappiness", "swappiness in effect" },
	{ "mm.swap_pages", "pages of swap" },
	{ "mm.pages_in_use", "pages allocated at the end" },
	{ "zone.*.managed_pages", "pages the zone (DMA, DMA32) manages" },
	{ "zone.*.wmark_min", "the zone's min watermark, pages" },
	{ "zone.*.wmark_low", "its low watermark" },
	{ "zone.*.wmark_high", "its high watermark" },
	{ "zone.*.nr_free", "free pages at the end" },
	{ "zone.*.min_free_seen", "the fewest free pages seen" },
	{ "zone.*.deferred_pages", "pages whose struct page init was still deferred at the end" },
	{ "mem.*.error", "a memory job's error (12: ENOMEM, the OOM killer ended it), 0 if none" },
	{ "mem.*.runtime_ns", "its runtime, the longest clone's" },
	{ "mem.*.pages_allocated", "pages it allocated" },
	{ "mem.*.pages_freed", "pages it released itself" },
	{ "mem.*.accesses", "page accesses" },
	{ "mem.*.swapins", "accesses that swapped a page in" },
	{ "mem.*.rss_max_pages", "its largest resident set, pages" },
	{ "mem.*.accesses_per_s", "accesses per second of runtime" },
	{ "mem.*.pages_allocated_per_s", "pages allocated per second" },
	{ "mem.*_ns.samples", "accesses of a latency class: fast, kswapd, direct (allocations), hit, swapin" },
	{ "mem.*_ns.mean", "the class's mean latency, ns (when it has samples)" },
	{ "mem.*_ns.max", "its longest, ns" },
	{ "mem.*_ns.p[0-9]*", "its percentiles p50, p90, p99, p999, ns" },
	{ NULL, NULL },
};
