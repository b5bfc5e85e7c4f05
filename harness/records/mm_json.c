/*
 * The memory manager's part of `vmsweep boot --json`: "vmstat" (model, counters by
 * their /proc/vmstat names, zones), "mem_jobs" (latency classes in fio's clat_ns
 * layout, percentiles from fio's buckets), "oom" (one object per kill kept).
 */
#include <jansson.h>

#include "records/mm.h"
#include "util/hist_stats.h"
#include "util/vmstat_names.h"

static const double fio_percentiles[] = { 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99 };

/* "modern", or the number when the guest sent a value without a name. */
static json_t *model_json(uint32_t model)
{
	const char *w = watermark_model_name(model);
	return w ? json_string(w) : json_integer(model);
}

static json_t *counters_json(const uint64_t *counters)
{
	json_t *o = json_object();
	for (unsigned i = 0; i < VMS_NR_VMSTAT; i++)
		json_object_set_new(o, vmstat_item_name(i), json_integer((json_int_t)counters[i]));
	return o;
}

static json_t *vmstat_json(const struct vm_result *res)
{
	const struct mm_records *mm = mm_records(res);
	const struct vms_rec_vmstat *v = &mm->vmstat;
	char zn[VMS_ZONE_NAME_LEN + 1];
	json_t *zones = json_array();
	for (unsigned i = 0; i < v->nr_zones && i < VMS_MAX_ZONES; i++) {
		const struct vms_zone_info *z = &v->zones[i];
		json_array_append_new(zones, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "name",
						       zone_name_format(z, zn), "start_pfn", (json_int_t)z->start_pfn,
						       "spanned_pages", (json_int_t)z->spanned_pages, "managed_pages",
						       (json_int_t)z->managed_pages, "wmark_min", (json_int_t)z->wmark_min,
						       "wmark_low", (json_int_t)z->wmark_low, "wmark_high",
						       (json_int_t)z->wmark_high, "nr_free", (json_int_t)z->nr_free,
						       "min_free_seen", (json_int_t)z->min_free_seen, "deferred_pages",
						       (json_int_t)z->deferred_pages));
	}
	json_t *o = json_pack("{s:o, s:o, s:I, s:i, s:i, s:I, s:I, s:I}", "watermark_model", model_json(v->watermark_model),
			      "kswapd_model", model_json(v->kswapd_model), "min_free_kbytes", (json_int_t)v->min_free_kbytes,
			      "watermark_scale_factor", (int)v->watermark_scale_factor, "swappiness", (int)v->swappiness,
			      "swap_pages", (json_int_t)v->swap_pages, "pages_in_use", (json_int_t)v->pages_in_use,
			      "samples", (json_int_t)mm->nr_vmstat_samples);
	json_object_set_new(o, "zones", zones);
	json_object_set_new(o, "counters", counters_json(v->counters));
	return o;
}

/* As fio's clat_ns: min, max, mean, N, and "percentile" when there are samples. */
static json_t *lat_json(const struct vms_mem_lat_hist *h)
{
	json_t *o = json_pack("{s:I, s:I, s:f, s:I}", "min", (json_int_t)h->min_ns, "max", (json_int_t)h->max_ns, "mean",
			      h->samples ? (double)h->sum_ns / (double)h->samples : 0.0, "N", (json_int_t)h->samples);
	if (h->samples) {
		json_t *p = json_object();
		for (size_t i = 0; i < sizeof(fio_percentiles) / sizeof(fio_percentiles[0]); i++) {
			char key[32];
			snprintf(key, sizeof(key), "%f", fio_percentiles[i]);
			json_object_set_new(p, key, json_integer((json_int_t)hist_percentile(h->buckets, VMS_HIST_NR,
											  fio_percentiles[i])));
		}
		json_object_set_new(o, "percentile", p);
	}
	return o;
}

static json_t *mem_job_json(const struct vms_job *jb, const struct vms_rec_mem_job *j)
{
	char name[VMS_WL_NAME_LEN + 1];
	snprintf(name, sizeof(name), "%.*s", VMS_WL_NAME_LEN, jb->name);
	json_t *o = json_pack("{s:s, s:i, s:i, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "jobname", name,
			      "job", (int)j->job, "clone", (int)jb->clone, "error", (json_int_t)j->error, "mem_access",
			      mem_access_name(jb->mem_access), "size", (json_int_t)jb->size, "mem_working_set",
			      (json_int_t)jb->mem_working_set, "start_ns", (json_int_t)j->start_ns, "end_ns",
			      (json_int_t)j->end_ns, "pages_allocated", (json_int_t)j->pages_allocated, "pages_freed",
			      (json_int_t)j->pages_freed, "accesses", (json_int_t)j->accesses, "swapins",
			      (json_int_t)j->swapins, "rss_max_pages", (json_int_t)j->rss_max);
	json_t *lat = json_object();
	for (unsigned c = 0; c < VMS_MEM_LAT_NR; c++)
		json_object_set_new(lat, mem_lat_class_name(c), lat_json(&j->lat[c]));
	json_object_set_new(o, "lat_ns", lat);
	return o;
}

static json_t *oom_json(const struct vms_rec_oom *o)
{
	json_t *tasks = json_array();
	for (unsigned i = 0; i < o->nr_tasks && i < VMS_OOM_TASKS; i++)
		json_array_append_new(tasks, json_pack("{s:I, s:s, s:I, s:I}", "pid", (json_int_t)o->tasks[i].pid, "comm",
						       o->tasks[i].comm, "rss_pages", (json_int_t)o->tasks[i].rss,
						       "swapents", (json_int_t)o->tasks[i].swapents));
	json_t *j = json_pack("{s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:I}", "ns", (json_int_t)o->ns, "pid",
			      (json_int_t)o->pid, "comm", o->comm, "order", (json_int_t)o->order, "gfp_mask",
			      (json_int_t)o->gfp_mask, "nr_free",
			      (json_int_t)o->nr_free, "swap_free", (json_int_t)o->swap_free, "swap_total",
			      (json_int_t)o->swap_total);
	json_object_set_new(j, "victim", json_pack("{s:I, s:s, s:I, s:I}", "pid", (json_int_t)o->victim_pid, "comm",
						   o->victim_comm, "rss_pages", (json_int_t)o->victim_rss, "swapents",
						   (json_int_t)o->victim_swapents));
	json_object_set_new(j, "tasks", tasks);
	json_object_set_new(j, "counters", counters_json(o->counters));
	return j;
}

/* The samples of sample_ms: every vmstat counter, the watermarks, and who was reclaiming. */
static json_t *vmstat_series_json(const struct vm_result *res)
{
	const struct mm_records *mm = mm_records(res);
	json_t *a = json_array();
	for (size_t i = 0; i < mm->nr_vmstat_samples; i++) {
		const struct vms_rec_vmstat_sample *s = &mm->vmstat_samples[i];
		json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:i, s:i}", "tsc", (json_int_t)s->tsc, "wmark_min",
				      (json_int_t)s->wmark_min, "wmark_low", (json_int_t)s->wmark_low, "wmark_high",
				      (json_int_t)s->wmark_high, "in_direct_reclaim", (int)s->in_direct_reclaim,
				      "kswapd_running", (int)s->kswapd_running);
		json_t *c = counters_json(s->counters);
		json_object_update(o, c);
		json_decref(c);
		json_array_append_new(a, o);
	}
	return a;
}

void mm_json(json_t *root, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct mm_records *mm = mm_records(res);
	if (mm->have_vmstat)
		json_object_set_new(root, "vmstat", vmstat_json(res));
	if (mm->nr_vmstat_samples)
		json_object_set_new(root, "vmstat_series", vmstat_series_json(res));
	if (wl && mm->mem_jobs) {
		json_t *jobs = json_array();
		for (unsigned i = 0; i < wl->nr_jobs; i++)
			if (mm->mem_jobs[i].job == i)
				json_array_append_new(jobs, mem_job_json(&wl->jobs[i], &mm->mem_jobs[i]));
		json_object_set_new(root, "mem_jobs", jobs);
	}
	if (mm->nr_ooms) {
		json_t *ooms = json_array();
		for (unsigned i = 0; i < mm->nr_ooms && i < MM_OOM_KEEP; i++)
			json_array_append_new(ooms, oom_json(&mm->ooms[i]));
		json_object_set_new(root, "oom", ooms);
		json_object_set_new(root, "oom_kills", json_integer(mm->nr_ooms));
	}
}
