/*
 * The writeback records (guest mm/writeback_report.c, mm/balance_dirty_pages.c): the
 * run's sums per disk, the dirty state every sample_ms, and each buffered writer's
 * balance_dirty_pages pauses and where its write time went. Checked as they come:
 * the guest is not trusted.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "records/family.h"
#include "records/wb.h"
#include "vmsweep/workload.h"
#include "util/error.h"
#include "util/knob.h"
#include "vmm/vm.h"

#define WB_MAX_SAMPLES (1u << 20)
#define WB_MAX_WRITERS 4096

static const struct wb_records no_records;

const struct wb_records *wb_records(const struct vm_result *res)
{
	const struct wb_records *w = record_family_data(res, RECORD_FAMILY_wb);
	return w ? w : &no_records;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : 64;
	while (n < need)
		n *= 2;
	void *p = realloc(*arr, n * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = n;
	return 0;
}

static int wb_take_end(struct wb_records *w, const struct vms_rec_wb *r, char *err, size_t errlen)
{
	if (w->have_end)
		return errorf(err, errlen, "writeback record a second time");
	if (!knob_value_word(VMS_KNOB_writeback_model, r->model))
		return errorf(err, errlen, "writeback record: model %u", r->model);
	if (r->nr_disks > VMS_MAX_DISKS)
		return errorf(err, errlen, "writeback record for %u disks, at most %u", r->nr_disks, VMS_MAX_DISKS);
	for (unsigned i = 0; i < r->nr_disks; i++)
		if (!memchr(r->disks[i].name, '\0', sizeof(r->disks[i].name)))
			return errorf(err, errlen, "writeback record: disk %u's name is not terminated", i);
	w->end = *r;
	w->have_end = true;
	return 0;
}

static int wb_take(struct vm_result *res, const struct vms_workload *wl, uint32_t type, const void *payload,
		   uint32_t len, char *err, size_t errlen)
{
	struct wb_records *w = record_family_data_get(res, RECORD_FAMILY_wb, sizeof(*w));

	(void)len; /* checked against the type by records_parse */
	if (!w)
		return errorf(err, errlen, "out of host memory");
	switch (type) {
	case VMS_REC_WB: {
		struct vms_rec_wb r;
		memcpy(&r, payload, sizeof(r));
		return wb_take_end(w, &r, err, errlen);
	}
	case VMS_REC_WB_SAMPLE: {
		struct vms_rec_wb_sample s;
		memcpy(&s, payload, sizeof(s));
		if (s.nr_disks > VMS_MAX_DISKS)
			return errorf(err, errlen, "writeback sample for %u disks, at most %u", s.nr_disks, VMS_MAX_DISKS);
		if (w->nr_samples >= WB_MAX_SAMPLES)
			return 0; /* a run this long keeps its first million samples */
		if (grow((void **)&w->samples, &w->cap_samples, w->nr_samples + 1, sizeof(s)))
			return errorf(err, errlen, "out of host memory");
		w->samples[w->nr_samples++] = s;
		return 0;
	}
	case VMS_REC_WB_WRITER: {
		struct vms_rec_wb_writer *r;
		if (w->nr_writers >= WB_MAX_WRITERS)
			return errorf(err, errlen, "more than %u writeback writer records", WB_MAX_WRITERS);
		if (grow((void **)&w->writers, &w->cap_writers, w->nr_writers + 1, sizeof(*r)))
			return errorf(err, errlen, "out of host memory");
		r = &w->writers[w->nr_writers];
		memcpy(r, payload, sizeof(*r));
		if (wl && r->job >= wl->nr_jobs)
			return errorf(err, errlen, "writeback writer record for job %u of %u", r->job, wl->nr_jobs);
		uint64_t hist = 0;
		for (unsigned i = 0; i < VMS_HIST_NR_ABI; i++)
			hist += r->pause_buckets[i];
		if (hist != r->pauses)
			return errorf(err, errlen, "writeback writer record of job %u: %llu pauses, %llu in its histogram",
				      r->job, (unsigned long long)r->pauses, (unsigned long long)hist);
		w->nr_writers++;
		return 0;
	}
	}
	return errorf(err, errlen, "record type %u is not writeback's", type);
}

static void wb_free(void *data)
{
	struct wb_records *w = data;
	free(w->samples);
	free(w->writers);
}

static void wb_text(FILE *out, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct wb_records *w = wb_records(res);
	const struct vms_rec_wb *r = &w->end;

	(void)wl;
	if (!w->have_end)
		return;
	fprintf(out, "writeback: %s, thresholds %llu / %llu pages (background / dirty) of %llu dirtyable",
		knob_value_word(VMS_KNOB_writeback_model, r->model), (unsigned long long)r->bg_thresh_at_end,
		(unsigned long long)r->thresh_at_end, (unsigned long long)r->dirtyable_at_end);
	if (r->model == VMS_WB_PDFLUSH)
		fprintf(out, "; pdflush threads %u..%u (%llu started, %llu exited, %llu times all busy)",
			r->pdflush_threads_min, r->pdflush_threads_max, (unsigned long long)r->pdflush_created,
			(unsigned long long)r->pdflush_exited, (unsigned long long)r->pdflush_busy_refusals);
	fputc('\n', out);
	for (unsigned i = 0; i < r->nr_disks; i++) {
		const typeof(r->disks[0]) *d = &r->disks[i];
		if (!d->dirtied && !d->written)
			continue;
		fprintf(out,
			"  %s: %llu pages dirtied, %llu written: background %llu, periodic %llu, sync %llu, "
			"dirtier %llu, fsync %llu, reclaim %llu; congested %.2f s\n",
			d->name, (unsigned long long)d->dirtied, (unsigned long long)d->written,
			(unsigned long long)d->written_by[VMS_WB_BY_FLUSHER_BACKGROUND],
			(unsigned long long)d->written_by[VMS_WB_BY_FLUSHER_PERIODIC],
			(unsigned long long)d->written_by[VMS_WB_BY_FLUSHER_SYNC],
			(unsigned long long)d->written_by[VMS_WB_BY_DIRTIER], (unsigned long long)d->written_by[VMS_WB_BY_FSYNC],
			(unsigned long long)d->written_by[VMS_WB_BY_RECLAIM], (double)d->congested_ns * 1e-9);
	}
	for (size_t i = 0; i < w->nr_writers; i++) {
		const struct vms_rec_wb_writer *x = &w->writers[i];
		fprintf(out, "  job %u.%u: %llu writes, %llu pages dirtied, %llu pauses (max %.1f ms, mean %.1f ms)\n",
			x->job, x->clone, (unsigned long long)x->writes, (unsigned long long)x->pages_dirtied,
			(unsigned long long)x->pauses, (double)x->pause_max_ns * 1e-6,
			x->pauses ? (double)x->pause_sum_ns * 1e-6 / (double)x->pauses : 0.0);
	}
}

const struct record_family_ops wb_records_ops = {
	.name = "wb",
	.take = wb_take,
	.free = wb_free,
	.text = wb_text,
};
