/*
 * The writeback records as the host takes them from the rings (guest
 * mm/writeback_report.c, mm/balance_dirty_pages.c, workload/fio.c): the run's sums per
 * disk, the dirty state every sample_ms, and each buffered writer's balance_dirty_pages
 * pauses and where its write time went. Everything in them is the guest's word: counts,
 * indices and sums are checked before anything uses them, and each refusal names the
 * record and the field.
 */
#include <stdlib.h>
#include <string.h>

#include "records/wb.h"
#include "util/array.h"
#include "util/error.h"
#include "util/hist_stats.h"
#include "util/knob.h"
#include "vmm/vm.h"

_Static_assert(VMS_HIST_NR_ABI == VMS_HIST_NR, "pause_buckets are fio's buckets");
_Static_assert(VMS_MAX_DISKS <= 26, "vda..vdz");

const char *const wb_by_names[VMS_WB_BY_NR] = {
	[VMS_WB_BY_FLUSHER_BACKGROUND] = "background", [VMS_WB_BY_FLUSHER_PERIODIC] = "periodic",
	[VMS_WB_BY_FLUSHER_SYNC] = "sync",	       [VMS_WB_BY_DIRTIER] = "dirtier",
	[VMS_WB_BY_FSYNC] = "fsync",		       [VMS_WB_BY_RECLAIM] = "reclaim",
};
const char *const wb_work_names[WB_NR_WORKS] = { "background", "periodic", "sync" };
const char *const wb_time_names[VMS_WB_TIME_NR] = {
	[VMS_WB_TIME_COPY] = "copy",
	[VMS_WB_TIME_THROTTLE] = "throttle",
	[VMS_WB_TIME_WRITEBACK] = "writeback_wait",
	[VMS_WB_TIME_RECLAIM] = "reclaim",
};

static const struct wb_records no_records;

const struct wb_records *wb_records(const struct vm_result *res)
{
	const struct wb_records *w = record_family_data(res, RECORD_FAMILY_wb);
	return w ? w : &no_records;
}

struct wb_records *wb_records_get(struct vm_result *res)
{
	return record_family_data_get(res, RECORD_FAMILY_wb, sizeof(struct wb_records));
}

void wb_disk_name(unsigned i, char *buf, size_t len)
{
	snprintf(buf, len, "vd%c", 'a' + (i < 26 ? i : 25));
}

const char *wb_model_name(uint32_t model)
{
	const char *w = knob_value_word(VMS_KNOB_writeback_model, model);
	return w ? w : "?";
}

/*
 * The end record's per-disk counts. written_by counts pages whose writeback started,
 * written those whose writeback ended: at the end the first exceeds the second by the
 * pages still in flight, which is legitimate. What cannot be: a start without a dirty
 * page to start it, i.e. more starts than pages dirtied, plus the pages re-dirtied
 * after a failed write (each failed write also counts in written). So the sum is
 * bounded by dirtied + written; and it must not wrap around to look small.
 */
static int wb_end_disk_check(const struct vms_rec_wb *r, unsigned i, char *err, size_t errlen)
{
	const typeof(r->disks[0]) *d = &r->disks[i];
	uint64_t sum = 0;

	if (!memchr(d->name, '\0', sizeof(d->name)))
		return errorf(err, errlen, "writeback record: disk %u's name is not terminated", i);
	for (unsigned k = 0; k < VMS_WB_BY_NR; k++) {
		if (d->written_by[k] > UINT64_MAX - sum)
			return errorf(err, errlen, "writeback record: disk %u's written_by[] sums past 2^64", i);
		sum += d->written_by[k];
	}
	uint64_t bound = d->dirtied > UINT64_MAX - d->written ? UINT64_MAX : d->dirtied + d->written;
	if (sum > bound)
		return errorf(err, errlen,
			      "writeback record: disk %u's written_by[] sums to %llu pages, more than the %llu dirtied "
			      "and %llu written",
			      i, (unsigned long long)sum, (unsigned long long)d->dirtied, (unsigned long long)d->written);
	return 0;
}

static int wb_end_take(struct wb_records *w, const void *p, char *err, size_t errlen)
{
	struct vms_rec_wb r;

	memcpy(&r, p, sizeof(r));
	if (w->have_end)
		return errorf(err, errlen, "writeback record a second time (the guest sends it once, at the end)");
	if (!knob_value_word(VMS_KNOB_writeback_model, r.model))
		return errorf(err, errlen, "writeback record: model %u is no writeback_model", r.model);
	if (r.nr_disks > VMS_MAX_DISKS)
		return errorf(err, errlen, "writeback record: nr_disks %u, at most %u", r.nr_disks, VMS_MAX_DISKS);
	for (unsigned i = 0; i < r.nr_disks; i++)
		if (wb_end_disk_check(&r, i, err, errlen))
			return -1;
	/* The pool starts every thread it has (pdflush.c): none exits unstarted. */
	if (r.pdflush_exited > r.pdflush_created)
		return errorf(err, errlen, "writeback record: pdflush_exited %llu, more than the %llu created",
			      (unsigned long long)r.pdflush_exited, (unsigned long long)r.pdflush_created);
	if (r.pdflush_threads_min > r.pdflush_threads_max)
		return errorf(err, errlen, "writeback record: pdflush_threads_min %u above pdflush_threads_max %u",
			      r.pdflush_threads_min, r.pdflush_threads_max);
	memset(&r.disks[r.nr_disks], 0, (VMS_MAX_DISKS - r.nr_disks) * sizeof(r.disks[0]));
	w->end = r;
	w->have_end = true;
	return 0;
}

/* Within the run's VM_SAMPLES_BUDGET; beyond it dropped, and counted there. Checked
 * first: a broken sample is a broken guest whether or not it is kept. */
static int wb_sample_take(struct vm_result *res, struct wb_records *w, const void *p, char *err, size_t errlen)
{
	struct vms_rec_wb_sample s;

	memcpy(&s, p, sizeof(s));
	if (s.nr_disks > VMS_MAX_DISKS)
		return errorf(err, errlen, "writeback sample: nr_disks %u, at most %u", s.nr_disks, VMS_MAX_DISKS);
	for (unsigned i = 0; i < s.nr_disks; i++) {
		/* flags: the report draws them as 0/1 */
		if (s.disks[i].congested > 1)
			return errorf(err, errlen, "writeback sample: disk %u's congested is %u, not 0 or 1", i,
				      s.disks[i].congested);
		if (s.disks[i].writeback_running > 1)
			return errorf(err, errlen, "writeback sample: disk %u's writeback_running is %u, not 0 or 1", i,
				      s.disks[i].writeback_running);
	}
	if (!vm_result_sample_keep(res, sizeof(s)))
		return 0;
	if (array_grow((void **)&w->samples, &w->cap_samples, w->nr_samples + 1, sizeof(s)))
		return errorf(err, errlen, "out of host memory for writeback samples");
	memset(&s.disks[s.nr_disks], 0, (VMS_MAX_DISKS - s.nr_disks) * sizeof(s.disks[0]));
	w->samples[w->nr_samples++] = s;
	return 0;
}

/* A writer is a buffered fio job that writes (guest workload/fio.c gives only those a record). */
static int wb_writer_job_check(const struct vms_workload *wl, uint32_t job, char *err, size_t errlen)
{
	if (!wl || job >= wl->nr_jobs || job >= VMS_WL_MAX_JOBS)
		return errorf(err, errlen, "writeback writer record: job %u of %u", job, wl ? wl->nr_jobs : 0);
	const struct vms_job *j = &wl->jobs[job];
	bool writes = j->rw != VMS_RW_READ && j->rw != VMS_RW_RANDREAD;
	if (j->ioengine == VMS_IOENGINE_MEM || (j->flags & VMS_JOB_DIRECT) || !writes)
		return errorf(err, errlen, "writeback writer record: job %u ('%.*s') does not write through the page cache",
			      job, VMS_WL_NAME_LEN, j->name);
	return 0;
}

/*
 * The pauses: the histogram holds each one (so its percentiles and the count agree),
 * the longest lies in its highest bucket, and the sum lies between the longest and
 * count times the longest. A write is throttled at most once.
 */
static int wb_writer_check(const struct vms_rec_wb_writer *r, char *err, size_t errlen)
{
	uint64_t in_hist = hist_total(r->pause_buckets, VMS_HIST_NR);
	unsigned top = VMS_HIST_NR;

	if (in_hist != r->pauses)
		return errorf(err, errlen, "writeback writer record of job %u: pauses %llu, %llu in pause_buckets", r->job,
			      (unsigned long long)r->pauses, (unsigned long long)in_hist);
	if (r->throttled_writes > r->writes)
		return errorf(err, errlen, "writeback writer record of job %u: throttled_writes %llu of %llu writes",
			      r->job, (unsigned long long)r->throttled_writes, (unsigned long long)r->writes);
	if (!r->pauses) {
		if (r->pause_max_ns || r->pause_sum_ns)
			return errorf(err, errlen, "writeback writer record of job %u: no pauses, pause_%s_ns %llu", r->job,
				      r->pause_max_ns ? "max" : "sum",
				      (unsigned long long)(r->pause_max_ns ? r->pause_max_ns : r->pause_sum_ns));
		return 0;
	}
	while (top > 0 && !r->pause_buckets[top - 1])
		top--;
	if (vms_hist_index(r->pause_max_ns) != top - 1)
		return errorf(err, errlen,
			      "writeback writer record of job %u: pause_max_ns %llu is not in the highest bucket of "
			      "pause_buckets",
			      r->job, (unsigned long long)r->pause_max_ns);
	if (r->pause_sum_ns < r->pause_max_ns ||
	    (unsigned __int128)r->pause_sum_ns > (unsigned __int128)r->pause_max_ns * r->pauses)
		return errorf(err, errlen,
			      "writeback writer record of job %u: pause_sum_ns %llu outside [pause_max_ns, pauses x "
			      "pause_max_ns]",
			      r->job, (unsigned long long)r->pause_sum_ns);
	return 0;
}

/* The payload is records_parse's aligned copy: read in place, it is 7.5 KB. */
static int wb_writer_take(struct wb_records *w, const struct vms_workload *wl, const struct vms_rec_wb_writer *r,
			  char *err, size_t errlen)
{
	if (wb_writer_job_check(wl, r->job, err, errlen) || wb_writer_check(r, err, errlen))
		return -1;
	if (w->writer_seen[r->job])
		return errorf(err, errlen, "writeback writer record for job %u a second time", r->job);
	if (array_grow((void **)&w->writers, &w->cap_writers, w->nr_writers + 1, sizeof(*r)))
		return errorf(err, errlen, "out of host memory");
	w->writers[w->nr_writers++] = *r;
	w->writer_seen[r->job] = 1;
	return 0;
}

static int wb_take(struct vm_result *res, const struct vms_workload *wl, uint32_t type, const void *payload,
		   uint32_t len, char *err, size_t errlen)
{
	struct wb_records *w = wb_records_get(res);

	(void)len; /* records_parse checked it against the type */
	if (!w)
		return errorf(err, errlen, "out of host memory");
	switch (type) {
	case VMS_REC_WB: return wb_end_take(w, payload, err, errlen);
	case VMS_REC_WB_SAMPLE: return wb_sample_take(res, w, payload, err, errlen);
	case VMS_REC_WB_WRITER: return wb_writer_take(w, wl, payload, err, errlen);
	default: return errorf(err, errlen, "record type %u is not writeback's", type);
	}
}

static void wb_free(void *data)
{
	struct wb_records *w = data;
	free(w->samples);
	free(w->writers);
}

static uint64_t wb_first_sample(const struct vm_result *res)
{
	const struct wb_records *w = wb_records(res);
	return w->nr_samples ? w->samples[0].tsc : UINT64_MAX;
}

const struct record_family_ops wb_records_ops = {
	.name = "wb",
	.take = wb_take,
	.free = wb_free,
	.metrics = wb_metrics,
	.series = wb_series,
	.series_start = wb_first_sample,
	.metric_docs = wb_metric_docs,
	.text = wb_text,
	.json = wb_json,
};
