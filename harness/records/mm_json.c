/*
 * The memory manager's part of `vmsweep boot --json`: "vmstat" (model, counters by
 * their /proc/vmstat names, zones), "vmstat_series" (written sample by sample: whole,
 * a long series cost ~18 times its ring bytes in jansson's objects), "mem_jobs"
 * (latency classes in fio's clat_ns layout, percentiles from fio's buckets), "oom"
 * (one object per kill kept). The guest's counters are clamped to JSON's signed
 * integers (util/clamp.h), its task names were made printable when taken.
 */
#include <jansson.h>

#include "records/mm.h"
#include "util/clamp.h"
#include "util/guest_text.h"
#include "util/hist_stats.h"
#include "util/json_out.h"
#include "util/knob.h"
#include "util/vmstat_names.h"

#define U(v) ((json_int_t)clamp_u64_ll(v)) /* a guest's counter as a JSON integer */
#define COMM(c) guest_text_json_str((c), VMS_TASK_COMM_LEN) /* a task name, valid UTF-8 */

static const double fio_percentiles[] = { 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99 };

/* An era's word ("4.6"), or the number when the guest sent a value without one. */
static json_t *model_json(int knob, uint32_t model)
{
	const char *w = knob_value_word(knob, model);
	return w ? json_string(w) : json_integer(model);
}

static json_t *counters_json(const uint64_t *counters)
{
	json_t *o = json_object();
	for (unsigned i = 0; i < VMS_NR_VMSTAT; i++)
		o = json_put(o, vmstat_item_name(i), json_integer(U(counters[i])));
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
		zones = json_push(zones, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "name",
						       zone_name_format(z, zn), "start_pfn", U(z->start_pfn),
						       "spanned_pages", U(z->spanned_pages), "managed_pages",
						       U(z->managed_pages), "wmark_min", U(z->wmark_min),
						       "wmark_low", U(z->wmark_low), "wmark_high",
						       U(z->wmark_high), "nr_free", U(z->nr_free),
						       "min_free_seen", U(z->min_free_seen), "deferred_pages",
						       U(z->deferred_pages)));
	}
	json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:I, s:i, s:i, s:i, s:I, s:I, s:I}", "watermark_model",
			      model_json(VMS_KNOB_watermark_model, v->watermark_model), "kswapd_model",
			      model_json(VMS_KNOB_kswapd_model, v->kswapd_model), "reclaim_model",
			      model_json(VMS_KNOB_reclaim_model, v->reclaim_model), "thp", model_json(VMS_KNOB_thp, v->thp),
			      "min_free_kbytes", U(v->min_free_kbytes), "watermark_scale_factor",
			      (int)v->watermark_scale_factor, "swappiness", (int)v->swappiness, "page_cluster",
			      (int)v->page_cluster, "swap_pages", U(v->swap_pages), "pages_in_use", U(v->pages_in_use),
			      "samples", U(mm->nr_vmstat_samples));
	o = json_put(o, "zones", zones);
	return json_put(o, "counters", counters_json(v->counters));
}

/* As fio's clat_ns: min, max, mean, N, and "percentile" when there are samples. */
static json_t *lat_json(const struct vms_mem_lat_hist *h)
{
	json_t *o = json_pack("{s:I, s:I, s:f, s:I}", "min", U(h->min_ns), "max", U(h->max_ns), "mean",
			      h->samples ? (double)h->sum_ns / (double)h->samples : 0.0, "N", U(h->samples));
	if (h->samples) {
		json_t *p = json_object();
		for (size_t i = 0; i < sizeof(fio_percentiles) / sizeof(fio_percentiles[0]); i++) {
			char key[32];
			snprintf(key, sizeof(key), "%f", fio_percentiles[i]);
			p = json_put(p, key, json_integer(U(hist_percentile(h->buckets, VMS_HIST_NR,
											  fio_percentiles[i]))));
		}
		o = json_put(o, "percentile", p);
	}
	return o;
}

static json_t *mem_job_json(const struct vms_job *jb, const struct vms_rec_mem_job *j)
{
	char name[VMS_WL_NAME_LEN + 1];
	snprintf(name, sizeof(name), "%.*s", VMS_WL_NAME_LEN, jb->name);
	json_t *o = json_pack("{s:s, s:i, s:i, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "jobname", name,
			      "job", (int)j->job, "clone", (int)jb->clone, "error", U(j->error), "mem_access",
			      mem_access_name(jb->mem_access), "size", U(jb->size), "mem_working_set",
			      U(jb->mem_working_set), "start_ns", U(j->start_ns), "end_ns",
			      U(j->end_ns), "pages_allocated", U(j->pages_allocated), "pages_freed",
			      U(j->pages_freed), "accesses", U(j->accesses), "swapins",
			      U(j->swapins), "rss_max_pages", U(j->rss_max));
	json_t *lat = json_object();
	for (unsigned c = 0; c < VMS_MEM_LAT_NR; c++)
		lat = json_put(lat, mem_lat_class_name(c), lat_json(&j->lat[c]));
	return json_put(o, "lat_ns", lat);
}

static json_t *oom_json(const struct vms_rec_oom *o)
{
	json_t *tasks = json_array();
	for (unsigned i = 0; i < o->nr_tasks && i < VMS_OOM_TASKS; i++)
		tasks = json_push(tasks, json_pack("{s:I, s:o, s:I, s:I}", "pid", U(o->tasks[i].pid), "comm",
						   COMM(o->tasks[i].comm), "rss_pages", U(o->tasks[i].rss), "swapents",
						   U(o->tasks[i].swapents)));
	json_t *j = json_pack("{s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:I}", "ns", U(o->ns), "pid",
			      U(o->pid), "comm", COMM(o->comm), "order", U(o->order), "gfp_mask",
			      U(o->gfp_mask), "nr_free",
			      U(o->nr_free), "swap_free", U(o->swap_free), "swap_total",
			      U(o->swap_total));
	j = json_put(j, "victim", json_pack("{s:I, s:o, s:I, s:I}", "pid", U(o->victim_pid), "comm",
					    COMM(o->victim_comm), "rss_pages", U(o->victim_rss), "swapents",
					    U(o->victim_swapents)));
	j = json_put(j, "tasks", tasks);
	return json_put(j, "counters", counters_json(o->counters));
}

/* The samples of sample_ms: every vmstat counter, the watermarks, and who was reclaiming. */
static json_t *vmstat_sample_json(const struct vms_rec_vmstat_sample *s)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:i, s:i, s:i}", "tsc", U(s->tsc), "wmark_min", U(s->wmark_min),
			      "wmark_low", U(s->wmark_low), "wmark_high", U(s->wmark_high), "in_direct_reclaim",
			      (int)s->in_direct_reclaim, "kswapd_running", (int)s->kswapd_running, "kswapd_woken",
			      (int)(s->kswapd_woken != 0));
	json_t *c = counters_json(s->counters);
	if (!o || !c || json_object_update(o, c)) {
		json_decref(o);
		o = NULL;
	}
	json_decref(c);
	return o;
}

void mm_json(struct json_out *out, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct mm_records *mm = mm_records(res);
	if (mm->have_vmstat)
		json_out_member(out, "vmstat", vmstat_json(res));
	if (mm->nr_vmstat_samples) {
		json_out_array_begin(out, "vmstat_series");
		for (size_t i = 0; i < mm->nr_vmstat_samples; i++)
			json_out_array_add(out, vmstat_sample_json(&mm->vmstat_samples[i]));
		json_out_array_end(out);
	}
	if (wl && mm->mem_jobs) {
		json_t *jobs = json_array();
		for (unsigned i = 0; i < wl->nr_jobs; i++)
			if (mm->mem_jobs[i].job == i)
				jobs = json_push(jobs, mem_job_json(&wl->jobs[i], &mm->mem_jobs[i]));
		json_out_member(out, "mem_jobs", jobs);
	}
	if (mm->nr_ooms) {
		json_t *ooms = json_array();
		for (unsigned i = 0; i < mm->nr_ooms && i < MM_OOM_KEEP; i++)
			ooms = json_push(ooms, oom_json(&mm->ooms[i]));
		json_out_member(out, "oom", ooms);
		json_out_member(out, "oom_kills", json_integer(mm->nr_ooms));
	}
}
