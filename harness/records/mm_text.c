/* The memory section of `vmsweep boot`'s text summary, and the memory jobs that failed. */
#include <string.h>

#include "records/mm.h"
#include "util/hist_stats.h"
#include "util/parse.h"
#include "util/knob.h"
#include "util/vmstat_names.h"

#define KB_PER_PAGE (VMS_PAGE_SIZE / 1024)

/* An era's word ("4.6"), or the number when the guest sent a value without one. */
static const char *model_text(int knob, uint32_t model, char *buf, size_t len)
{
	return knob_value_format(knob, model, buf, len);
}

static void vmstat_text(FILE *out, const struct vm_result *res)
{
	const struct mm_records *mm = mm_records(res);
	const struct vms_rec_vmstat *v = &mm->vmstat;
	char m1[16], m2[16], m3[16], m4[16], zn[VMS_ZONE_NAME_LEN + 1];

	fprintf(out, "memory: watermark model %s (kswapd %s, reclaim %s), thp %s, min_free_kbytes %llu, "
		"watermark_scale_factor %u, swappiness %u, page-cluster %u\n",
		model_text(VMS_KNOB_watermark_model, v->watermark_model, m1, sizeof(m1)),
		model_text(VMS_KNOB_kswapd_model, v->kswapd_model, m2, sizeof(m2)),
		model_text(VMS_KNOB_reclaim_model, v->reclaim_model, m3, sizeof(m3)),
		model_text(VMS_KNOB_thp, v->thp, m4, sizeof(m4)), (unsigned long long)v->min_free_kbytes,
		v->watermark_scale_factor, v->swappiness, v->page_cluster);
	if (v->swap_pages)
		fprintf(out, "memory: swap %llu pages", (unsigned long long)v->swap_pages);
	else
		fputs("memory: no swap", out);
	fprintf(out, ", %llu pages in use at the end, %zu vmstat samples\n", (unsigned long long)v->pages_in_use,
		mm->nr_vmstat_samples);
	if (v->nr_zones)
		fprintf(out, "%-8s %10s %10s %10s %8s %8s %8s %11s %11s %9s\n", "zone", "start_pfn", "spanned", "managed",
			"min", "low", "high", "free at end", "lowest free", "deferred");
	for (unsigned i = 0; i < v->nr_zones && i < VMS_MAX_ZONES; i++) {
		const struct vms_zone_info *z = &v->zones[i];
		fprintf(out, "%-8s %10llu %10llu %10llu %8llu %8llu %8llu %11llu %11llu %9llu\n", zone_name_format(z, zn),
			(unsigned long long)z->start_pfn, (unsigned long long)z->spanned_pages,
			(unsigned long long)z->managed_pages, (unsigned long long)z->wmark_min,
			(unsigned long long)z->wmark_low, (unsigned long long)z->wmark_high, (unsigned long long)z->nr_free,
			(unsigned long long)z->min_free_seen, (unsigned long long)z->deferred_pages);
	}
	/* As /proc/vmstat, without the zeros: two columns. */
	unsigned shown = 0;
	for (unsigned i = 0; i < VMS_NR_VMSTAT; i++) {
		if (!v->counters[i])
			continue;
		fprintf(out, "%s%-32s %12llu", shown % 2 ? "    " : shown ? "\n  " : "vmstat (nonzero):\n  ",
			vmstat_item_name(i), (unsigned long long)v->counters[i]);
		shown++;
	}
	if (shown)
		fputc('\n', out);
}

static void mem_job_text(FILE *out, const struct vms_job *jb, const struct vms_rec_mem_job *j)
{
	static const double pcts[] = { 50, 99, 99.9 };
	char size[32], ws[32];
	uint64_t ns = j->end_ns > j->start_ns ? j->end_ns - j->start_ns : 0;

	format_size(jb->size, size, sizeof(size));
	fprintf(out, "memory job '%.*s' (clone %u, %s, %s", VMS_WL_NAME_LEN, jb->name, jb->clone,
		mem_access_name(jb->mem_access), size);
	if (jb->mem_access == VMS_MEM_RANDOM && jb->mem_working_set)
		fprintf(out, ", working set %s", format_size(jb->mem_working_set, ws, sizeof(ws)));
	fprintf(out, "): %.3f s, %llu pages allocated, %llu freed, %llu accesses, %llu swap-ins, rss max %llu pages\n",
		(double)ns / 1e9, (unsigned long long)j->pages_allocated, (unsigned long long)j->pages_freed,
		(unsigned long long)j->accesses, (unsigned long long)j->swapins, (unsigned long long)j->rss_max);
	bool header = false;
	for (unsigned c = 0; c < VMS_MEM_LAT_NR; c++) {
		const struct vms_mem_lat_hist *h = &j->lat[c];
		if (!h->samples)
			continue;
		if (!header)
			fprintf(out, "  %-14s %10s %11s %11s %11s %11s\n", "latency (us)", "samples", "p50", "p99", "p99.9",
				"max");
		header = true;
		fprintf(out, "  %-14s %10llu", mem_lat_class_name(c), (unsigned long long)h->samples);
		for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
			fprintf(out, " %11.3f", (double)hist_percentile(h->buckets, VMS_HIST_NR, pcts[i]) / 1000.0);
		fprintf(out, " %11.3f\n", (double)h->max_ns / 1000.0); /* ns matter: a hit takes tens */
	}
	if (j->error)
		fprintf(out, "  error %u%s\n", j->error, j->error == 12 ? " (ENOMEM): the OOM killer ended it" : "");
}

/* As Linux's oom_kill.c prints it: who asked, Mem-Info, the task table, the victim. */
static void oom_text(FILE *out, const struct vms_rec_oom *o, unsigned nth, unsigned total)
{
	const uint64_t *c = o->counters;
	fprintf(out, "OOM kill %u of %u, at %.3f ms guest time:\n", nth, total, (double)o->ns / 1e6);
	fprintf(out, "%s invoked oom-killer: gfp_mask=%#x, order=%u, pid=%u\n", o->comm, o->gfp_mask, o->order, o->pid);
	fprintf(out, "Mem-Info:\nactive_anon:%llu inactive_anon:%llu active_file:%llu inactive_file:%llu\n"
		     " dirty:%llu writeback:%llu slab:%llu kernel:%llu swapcached:%llu free:%llu\n",
		(unsigned long long)c[VMS_VM_nr_active_anon], (unsigned long long)c[VMS_VM_nr_inactive_anon],
		(unsigned long long)c[VMS_VM_nr_active_file], (unsigned long long)c[VMS_VM_nr_inactive_file],
		(unsigned long long)c[VMS_VM_nr_dirty], (unsigned long long)c[VMS_VM_nr_writeback],
		(unsigned long long)c[VMS_VM_nr_slab], (unsigned long long)c[VMS_VM_nr_kernel_pages],
		(unsigned long long)c[VMS_VM_nr_swapcached], (unsigned long long)o->nr_free);
	fprintf(out, "Free swap  = %llukB\nTotal swap = %llukB\n", (unsigned long long)o->swap_free * KB_PER_PAGE,
		(unsigned long long)o->swap_total * KB_PER_PAGE);
	fprintf(out, "Tasks state (memory values in pages):\n[  pid  ] %10s %10s name\n", "rss", "swapents");
	for (unsigned i = 0; i < o->nr_tasks && i < VMS_OOM_TASKS; i++)
		fprintf(out, "[%7u] %10llu %10llu %s\n", o->tasks[i].pid, (unsigned long long)o->tasks[i].rss,
			(unsigned long long)o->tasks[i].swapents, o->tasks[i].comm);
	fprintf(out, "Out of memory: Killed process %u (%s) anon-rss:%llukB, swapents:%llu\n", o->victim_pid,
		o->victim_comm, (unsigned long long)o->victim_rss * KB_PER_PAGE, (unsigned long long)o->victim_swapents);
}

void mm_text(FILE *out, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct mm_records *mm = mm_records(res);
	if (mm->have_vmstat)
		vmstat_text(out, res);
	for (unsigned i = 0; wl && mm->mem_jobs && i < wl->nr_jobs; i++)
		if (mm->mem_jobs[i].job == i)
			mem_job_text(out, &wl->jobs[i], &mm->mem_jobs[i]);
	unsigned kept = mm->nr_ooms < MM_OOM_KEEP ? mm->nr_ooms : MM_OOM_KEEP;
	for (unsigned i = 0; i < kept; i++)
		oom_text(out, &mm->ooms[i], i + 1, mm->nr_ooms);
	if (mm->nr_ooms > kept)
		fprintf(out, "%u more OOM kills (their reports were not kept)\n", mm->nr_ooms - kept);
}

unsigned mm_failures(FILE *err, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct mm_records *mm = mm_records(res);
	unsigned n = 0;
	for (unsigned i = 0; wl && mm->mem_jobs && i < wl->nr_jobs; i++) {
		const struct vms_rec_mem_job *j = &mm->mem_jobs[i];
		if (j->job != i || !j->error)
			continue;
		fprintf(err, "vmsweep boot: memory job '%.*s' failed: error %u (%s)\n", VMS_WL_NAME_LEN, wl->jobs[i].name,
			j->error, j->error == 12 ? "ENOMEM: the OOM killer ended it" : "the guest's memory job failed");
		n++;
	}
	return n;
}
