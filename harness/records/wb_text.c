/*
 * Writeback's part of `vmsweep boot`'s summary: the era and its thresholds, per disk
 * who wrote the pages, per buffered writer its balance_dirty_pages pauses and where
 * its write time went, and the dirty state's range over the samples.
 */
#include "records/wb.h"
#include "util/hist_stats.h"
#include "vmm/vm.h"

static double pct(uint64_t part, double whole)
{
	return whole > 0 ? 100.0 * (double)part / whole : 0.0;
}

static void end_text(FILE *out, const struct vms_rec_wb *r)
{
	fprintf(out, "writeback: %s, thresholds %llu / %llu pages (background / dirty) of %llu dirtyable",
		wb_model_name(r->model), (unsigned long long)r->bg_thresh_at_end, (unsigned long long)r->thresh_at_end,
		(unsigned long long)r->dirtyable_at_end);
	if (r->model == VMS_WB_PDFLUSH)
		fprintf(out, "; pdflush threads %u..%u (%llu started, %llu exited, %llu times all busy)",
			r->pdflush_threads_min, r->pdflush_threads_max, (unsigned long long)r->pdflush_created,
			(unsigned long long)r->pdflush_exited, (unsigned long long)r->pdflush_busy_refusals);
	if (r->laptop_flushes)
		fprintf(out, "; %llu laptop-mode flushes", (unsigned long long)r->laptop_flushes);
	fputc('\n', out);
	for (unsigned i = 0; i < r->nr_disks && i < VMS_MAX_DISKS; i++) {
		const typeof(r->disks[0]) *d = &r->disks[i];
		char name[8];
		if (!d->dirtied && !d->written)
			continue;
		wb_disk_name(i, name, sizeof(name));
		fprintf(out, "  %s: %llu pages dirtied, %llu written; started by", name, (unsigned long long)d->dirtied,
			(unsigned long long)d->written);
		for (unsigned k = 0; k < VMS_WB_BY_NR; k++)
			fprintf(out, "%s %s %llu", k ? "," : "", wb_by_names[k], (unsigned long long)d->written_by[k]);
		fprintf(out, "; flusher busy %.2f s, congested %.2f s\n", (double)d->flusher_busy_ns * 1e-9,
			(double)d->congested_ns * 1e-9);
	}
}

static void writer_text(FILE *out, const struct vms_rec_wb_writer *x, const struct vms_workload *wl)
{
	double total = 0;
	for (unsigned k = 0; k < VMS_WB_TIME_NR; k++)
		total += (double)x->time_ns[k];
	/* x->job < wl->nr_jobs: taken so */
	fprintf(out, "  '%.*s' (job %u): %llu writes, %llu pages dirtied, %llu pauses", VMS_WL_NAME_LEN,
		wl ? wl->jobs[x->job].name : "?", x->job, (unsigned long long)x->writes,
		(unsigned long long)x->pages_dirtied, (unsigned long long)x->pauses);
	if (x->pauses)
		fprintf(out, " (p50 %.2f ms, p99 %.2f ms, max %.2f ms, mean %.2f ms)",
			(double)hist_percentile(x->pause_buckets, VMS_HIST_NR, 50) * 1e-6,
			(double)hist_percentile(x->pause_buckets, VMS_HIST_NR, 99) * 1e-6, (double)x->pause_max_ns * 1e-6,
			(double)x->pause_sum_ns * 1e-6 / (double)x->pauses);
	fprintf(out, "; %.1f us per write:", x->writes ? total * 1e-3 / (double)x->writes : 0.0);
	for (unsigned k = 0; k < VMS_WB_TIME_NR; k++)
		fprintf(out, "%s %s %.1f%%", k ? "," : "", wb_time_names[k], pct(x->time_ns[k], total));
	fputc('\n', out);
}

void wb_text(FILE *out, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct wb_records *w = wb_records(res);

	if (w->have_end)
		end_text(out, &w->end);
	else if (w->nr_samples || w->nr_writers)
		fputs("writeback: no end record\n", out);
	for (size_t i = 0; i < w->nr_writers; i++)
		writer_text(out, &w->writers[i], wl);
	if (w->nr_samples) {
		uint64_t top = 0, top_wb = 0;
		for (size_t i = 0; i < w->nr_samples; i++) {
			top = w->samples[i].nr_dirty > top ? w->samples[i].nr_dirty : top;
			top_wb = w->samples[i].nr_writeback > top_wb ? w->samples[i].nr_writeback : top_wb;
		}
		fprintf(out, "  %zu samples: nr_dirty at most %llu pages, nr_writeback at most %llu\n", w->nr_samples,
			(unsigned long long)top, (unsigned long long)top_wb);
	}
}
