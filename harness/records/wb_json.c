/*
 * Writeback's part of `vmsweep boot --json`: one "writeback" object with the end
 * record (era, thresholds, per disk who wrote the pages), "writers" (each buffered
 * writer's pauses in fio's clat_ns layout and its write time split) and "samples" in
 * columns (one array per field, per disk under "disks".<vdX>, "t_us" the time since
 * CPU 0's first instruction), streamed value by value: a long run's samples are never
 * built whole, and the keys are not repeated per sample. The guest's counters are clamped to JSON's signed
 * integers (util/clamp.h).
 */
#include <jansson.h>

#include "records/wb.h"
#include "store/store_internal.h"
#include "util/clamp.h"
#include "util/hist_stats.h"
#include "util/json_out.h"
#include "vmm/vm.h"

#define U(v) ((json_int_t)clamp_u64_ll(v)) /* a guest's counter as a JSON integer */

static const double fio_percentiles[] = { 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99 };

static json_t *disk_json(const struct vms_rec_wb *r, unsigned i)
{
	const typeof(r->disks[0]) *d = &r->disks[i];
	char name[8];
	json_t *by = json_object(), *works = json_object();

	wb_disk_name(i, name, sizeof(name));
	for (unsigned k = 0; k < VMS_WB_BY_NR; k++)
		by = json_put(by, wb_by_names[k], json_integer(U(d->written_by[k])));
	for (unsigned k = 0; k < WB_NR_WORKS; k++)
		works = json_put(works, wb_work_names[k], json_integer(U(d->works[k])));
	return json_pack("{s:s, s:I, s:I, s:o, s:o, s:I, s:I, s:I}", "disk", name, "dirtied", U(d->dirtied), "written",
			 U(d->written), "written_by", by, "works", works, "congestion_waits", U(d->congestion_waits),
			 "congested_ns", U(d->congested_ns), "flusher_busy_ns", U(d->flusher_busy_ns));
}

static void end_json(struct json_out *out, const struct vms_rec_wb *r)
{
	json_out_member(out, "dirty_ratio", json_integer(U(r->dirty_ratio)));
	json_out_member(out, "dirty_background_ratio", json_integer(U(r->dirty_background_ratio)));
	json_out_member(out, "dirty_bytes", json_integer(U(r->dirty_bytes)));
	json_out_member(out, "dirty_background_bytes", json_integer(U(r->dirty_background_bytes)));
	json_out_member(out, "dirtyable_at_end", json_integer(U(r->dirtyable_at_end)));
	json_out_member(out, "thresh_at_end", json_integer(U(r->thresh_at_end)));
	json_out_member(out, "bg_thresh_at_end", json_integer(U(r->bg_thresh_at_end)));
	json_out_member(out, "ratelimit_pages", json_integer(U(r->ratelimit_pages)));
	json_out_member(out, "laptop_flushes", json_integer(U(r->laptop_flushes)));
	if (r->model == VMS_WB_PDFLUSH)
		json_out_member(out, "pdflush",
				json_pack("{s:I, s:I, s:I, s:I, s:I}", "threads_min", U(r->pdflush_threads_min),
					  "threads_max", U(r->pdflush_threads_max), "created", U(r->pdflush_created),
					  "exited", U(r->pdflush_exited), "busy_refusals", U(r->pdflush_busy_refusals)));
	json_t *disks = json_array();
	for (unsigned i = 0; i < r->nr_disks && i < VMS_MAX_DISKS; i++)
		disks = json_push(disks, disk_json(r, i));
	json_out_member(out, "disks", disks);
}

/* As fio's clat_ns: N, max, mean, and "percentile" when there were pauses. */
static json_t *pauses_json(const struct vms_rec_wb_writer *x)
{
	double n = (double)x->pauses;
	json_t *o = json_pack("{s:I, s:I, s:f, s:f, s:f}", "N", U(x->pauses), "max", U(x->pause_max_ns), "mean",
			      x->pauses ? (double)x->pause_sum_ns / n : 0.0, "period_mean",
			      x->pauses ? (double)x->period_sum_ns / n : 0.0, "think_mean",
			      x->pauses ? (double)wb_think_sum(x->think_sum_ns) / n : 0.0);
	if (x->pauses) {
		json_t *p = json_object();
		for (size_t i = 0; i < sizeof(fio_percentiles) / sizeof(fio_percentiles[0]); i++) {
			char key[32];
			snprintf(key, sizeof(key), "%f", fio_percentiles[i]);
			p = json_put(p, key,
				     json_integer(U(hist_percentile(x->pause_buckets, VMS_HIST_NR, fio_percentiles[i]))));
		}
		o = json_put(o, "percentile", p);
	}
	return o;
}

static json_t *writer_json(const struct vms_rec_wb_writer *x, const struct vms_workload *wl)
{
	char name[VMS_WL_NAME_LEN + 1];
	double total = 0;
	json_t *ns = json_object(), *frac = json_object(), *per = json_object();

	/* x->job < wl->nr_jobs: taken so */
	snprintf(name, sizeof(name), "%.*s", VMS_WL_NAME_LEN, wl ? wl->jobs[x->job].name : "");
	for (unsigned k = 0; k < VMS_WB_TIME_NR; k++)
		total += (double)x->time_ns[k];
	for (unsigned k = 0; k < VMS_WB_TIME_NR; k++) {
		ns = json_put(ns, wb_time_names[k], json_integer(U(x->time_ns[k])));
		frac = json_put(frac, wb_time_names[k], json_real(total > 0 ? (double)x->time_ns[k] / total : 0.0));
		per = json_put(per, wb_time_names[k],
			       json_real(x->writes ? (double)x->time_ns[k] / (double)x->writes : 0.0));
	}
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}", "jobname", name, "job", U(x->job),
			 "writes", U(x->writes), "pages_dirtied", U(x->pages_dirtied), "throttled_writes",
			 U(x->throttled_writes), "pauses", U(x->pauses), "pause_ns", pauses_json(x), "time_ns", ns,
			 "time_fraction", frac, "ns_per_write", per);
}

/* One column: the field at off of every sample (disk: its disk's, or -1 for the sample's own). */
static void column_json(struct json_out *out, const char *key, const struct wb_records *w, int disk, size_t off,
			size_t size)
{
	json_out_array_begin(out, key);
	for (size_t k = 0; k < w->nr_samples; k++) {
		const char *p = disk < 0 ? (const char *)&w->samples[k] : (const char *)&w->samples[k].disks[disk];
		uint64_t v = size == sizeof(uint64_t) ? *(const uint64_t *)(p + off) : *(const uint32_t *)(p + off);
		json_out_array_add(out, json_integer(U(v)));
	}
	json_out_array_end(out);
}

#define SAMPLE_COL(m) { #m, offsetof(struct vms_rec_wb_sample, m), sizeof(((struct vms_rec_wb_sample *)0)->m) }
#define DISK_COL(m) { #m, offsetof(struct vms_wb_disk_sample, m), sizeof(((struct vms_wb_disk_sample *)0)->m) }
static const struct column {
	const char *name;
	size_t off, size;
} sample_cols[] = {
	SAMPLE_COL(nr_dirty),  SAMPLE_COL(nr_writeback), SAMPLE_COL(bg_thresh), SAMPLE_COL(thresh),
	SAMPLE_COL(freerun),   SAMPLE_COL(setpoint),     SAMPLE_COL(limit),	    SAMPLE_COL(nr_pdflush_threads),
}, disk_cols[] = {
	DISK_COL(wb_dirty),	DISK_COL(wb_thresh),	DISK_COL(dirty_ratelimit), DISK_COL(balanced_dirty_ratelimit),
	DISK_COL(write_bw),	DISK_COL(avg_write_bw), DISK_COL(dirty_rate),	   DISK_COL(congested),
	DISK_COL(writeback_running),
};

static void samples_json(struct json_out *out, const struct vm_result *res, const struct wb_records *w)
{
	uint64_t t0 = series_t0(res);
	unsigned nr_disks = 0;

	json_out_object_begin(out, "samples");
	json_out_member(out, "n", json_integer((json_int_t)w->nr_samples));
	json_out_array_begin(out, "t_us");
	for (size_t k = 0; k < w->nr_samples; k++) {
		uint64_t tsc = w->samples[k].tsc;
		/* before t0 or without a TSC rate: the guest's word, shown as 0 */
		double us = tsc >= t0 && res->tsc_khz ? (double)(tsc - t0) * 1e3 / (double)res->tsc_khz : 0;
		json_out_array_add(out, json_integer(clamp_double_ll(us)));
		nr_disks = w->samples[k].nr_disks > nr_disks ? w->samples[k].nr_disks : nr_disks;
	}
	json_out_array_end(out);
	for (size_t c = 0; c < sizeof(sample_cols) / sizeof(sample_cols[0]); c++)
		column_json(out, sample_cols[c].name, w, -1, sample_cols[c].off, sample_cols[c].size);
	/* By disk name; a disk past a sample's nr_disks reads 0 there (zeroed when taken). */
	json_out_object_begin(out, "disks");
	for (unsigned i = 0; i < nr_disks && i < VMS_MAX_DISKS; i++) {
		char key[16];
		wb_disk_name(i, key, sizeof(key));
		json_out_object_begin(out, key);
		for (size_t c = 0; c < sizeof(disk_cols) / sizeof(disk_cols[0]); c++)
			column_json(out, disk_cols[c].name, w, (int)i, disk_cols[c].off, disk_cols[c].size);
		json_out_object_end(out);
	}
	json_out_object_end(out);
	json_out_object_end(out);
}

void wb_json(struct json_out *out, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct wb_records *w = wb_records(res);

	if (!w->have_end && !w->nr_samples && !w->nr_writers)
		return;
	json_out_object_begin(out, "writeback");
	if (w->have_end) {
		json_out_member(out, "model", json_string(wb_model_name(w->end.model)));
		end_json(out, &w->end);
	}
	json_t *writers = json_array();
	for (size_t i = 0; i < w->nr_writers; i++)
		writers = json_push(writers, writer_json(&w->writers[i], wl));
	json_out_member(out, "writers", writers);
	samples_json(out, res, w);
	json_out_object_end(out);
}
