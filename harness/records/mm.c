/*
 * The memory manager's records as the host takes them from the rings: vmstat at the
 * end, vmstat samples, one record per memory job, OOM kills. Everything in them is the
 * guest's word: counts and indices are checked before anything uses them.
 */
#include <stdlib.h>
#include <string.h>

#include "records/mm.h"
#include "util/array.h"
#include "util/error.h"
#include "util/hist_stats.h"
#include "util/vmstat_names.h"
#include "vmm/vm.h"

static const struct mm_records no_records;

const struct mm_records *mm_records(const struct vm_result *res)
{
	const struct mm_records *mm = record_family_data(res, RECORD_FAMILY_mm);
	return mm ? mm : &no_records;
}

struct mm_records *mm_records_get(struct vm_result *res)
{
	return record_family_data_get(res, RECORD_FAMILY_mm, sizeof(struct mm_records));
}

unsigned workload_nr_mem_jobs(const struct vms_workload *wl)
{
	unsigned n = 0;
	for (unsigned i = 0; wl && i < wl->nr_jobs; i++)
		n += wl->jobs[i].ioengine == VMS_IOENGINE_MEM;
	return n;
}

_Static_assert(VMS_MAX_ZONES <= 10 && VMS_ZONE_NAME_LEN > 5, "zone<i> fits a zone's name");

static bool zone_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Zone names become metric names (zone.<name>.wmark_min): keep them to [A-Za-z0-9_-],
 * NUL-padded, one name per zone. */
static int zones_take(struct vms_rec_vmstat *v, char *err, size_t errlen)
{
	if (v->nr_zones > VMS_MAX_ZONES)
		return errorf(err, errlen, "vmstat record with %u zones, at most %u", v->nr_zones, VMS_MAX_ZONES);
	for (unsigned i = 0; i < v->nr_zones; i++) {
		char *n = v->zones[i].name;
		size_t len = strnlen(n, VMS_ZONE_NAME_LEN);
		for (size_t k = 0; k < len; k++)
			if (!zone_char_ok(n[k]))
				n[k] = '_';
		memset(n + len, 0, VMS_ZONE_NAME_LEN - len);
		if (!len) { /* i < VMS_MAX_ZONES, one digit */
			memcpy(n, "zone", 4);
			n[4] = (char)('0' + i);
		}
		for (unsigned k = 0; k < i; k++)
			if (!memcmp(v->zones[k].name, n, VMS_ZONE_NAME_LEN))
				return errorf(err, errlen, "vmstat record names zones %u and %u both '%.*s'", k, i,
					      VMS_ZONE_NAME_LEN, n);
	}
	memset(&v->zones[v->nr_zones], 0, (VMS_MAX_ZONES - v->nr_zones) * sizeof(v->zones[0]));
	return 0;
}

static int vmstat_take(struct mm_records *mm, const void *p, char *err, size_t errlen)
{
	struct vms_rec_vmstat v;
	memcpy(&v, p, sizeof(v));
	if (mm->have_vmstat)
		return errorf(err, errlen, "vmstat record a second time (the guest sends it once, at the end)");
	if (zones_take(&v, err, errlen))
		return -1;
	mm->vmstat = v;
	mm->have_vmstat = true;
	return 0;
}

/* Within the run's VM_SAMPLES_BUDGET; beyond it dropped, and counted there. */
static int vmstat_sample_take(struct vm_result *res, struct mm_records *mm, const void *p, char *err, size_t errlen)
{
	if (!vm_result_sample_keep(res, sizeof(mm->vmstat_samples[0])))
		return 0;
	if (array_grow((void **)&mm->vmstat_samples, &mm->cap_vmstat_samples, mm->nr_vmstat_samples + 1,
		       sizeof(mm->vmstat_samples[0])))
		return errorf(err, errlen, "out of host memory for vmstat samples");
	memcpy(&mm->vmstat_samples[mm->nr_vmstat_samples++], p, sizeof(mm->vmstat_samples[0]));
	return 0;
}

/* The payload is records_parse's aligned copy: read in place, it is 37 KB. */
static int mem_job_take(struct mm_records *mm, const struct vms_workload *wl, const struct vms_rec_mem_job *j,
			char *err, size_t errlen)
{

	if (!wl || j->job >= wl->nr_jobs)
		return errorf(err, errlen, "memory job record for job %u of %u", j->job, wl ? wl->nr_jobs : 0);
	if (wl->jobs[j->job].ioengine != VMS_IOENGINE_MEM)
		return errorf(err, errlen, "memory job record for job %u ('%.*s'), which is not a memory job", j->job,
			      VMS_WL_NAME_LEN, wl->jobs[j->job].name);
	if (!mm->mem_jobs) {
		if (!(mm->mem_jobs = malloc(wl->nr_jobs * sizeof(*mm->mem_jobs))))
			return errorf(err, errlen, "out of host memory");
		for (unsigned i = 0; i < wl->nr_jobs; i++) {
			memset(&mm->mem_jobs[i], 0, sizeof(mm->mem_jobs[i]));
			mm->mem_jobs[i].job = UINT32_MAX;
		}
	}
	if (mm->mem_jobs[j->job].job == j->job)
		return errorf(err, errlen, "memory job record for job %u a second time", j->job);
	/* Percentiles walk the buckets, means divide by samples: the two must agree. */
	for (unsigned c = 0; c < VMS_MEM_LAT_NR; c++) {
		uint64_t in_buckets = hist_total(j->lat[c].buckets, VMS_HIST_NR);
		if (in_buckets != j->lat[c].samples)
			return errorf(err, errlen,
				      "memory job %u: its %s latency histogram holds %llu samples, the record says %llu",
				      j->job, mem_lat_class_name(c), (unsigned long long)in_buckets,
				      (unsigned long long)j->lat[c].samples);
	}
	memcpy(&mm->mem_jobs[j->job], j, sizeof(*j));
	mm->nr_mem_jobs++;
	return 0;
}

/* Task names go to terminals and JSON: printable ASCII only, NUL-terminated. */
static void comm_terminate(char *comm)
{
	comm[VMS_TASK_COMM_LEN - 1] = 0;
	for (char *c = comm; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
}

static int oom_take(struct mm_records *mm, const struct vms_rec_oom *o, char *err, size_t errlen)
{
	if (o->nr_tasks > VMS_OOM_TASKS)
		return errorf(err, errlen, "OOM record with %u tasks, at most %u", o->nr_tasks, VMS_OOM_TASKS);
	if (mm->nr_ooms < MM_OOM_KEEP) {
		struct vms_rec_oom *k = &mm->ooms[mm->nr_ooms];
		memcpy(k, o, sizeof(*k));
		comm_terminate(k->comm);
		comm_terminate(k->victim_comm);
		for (unsigned i = 0; i < k->nr_tasks; i++)
			comm_terminate(k->tasks[i].comm);
		memset(&k->tasks[k->nr_tasks], 0, (VMS_OOM_TASKS - k->nr_tasks) * sizeof(k->tasks[0]));
	}
	if (mm->nr_ooms < UINT32_MAX)
		mm->nr_ooms++;
	return 0;
}

static int mm_take(struct vm_result *res, const struct vms_workload *wl, uint32_t type, const void *payload,
		   uint32_t len, char *err, size_t errlen)
{
	struct mm_records *mm = mm_records_get(res);

	(void)len; /* records_parse checked it against the type */
	if (!mm)
		return errorf(err, errlen, "out of host memory");
	switch (type) {
	case VMS_REC_VMSTAT: return vmstat_take(mm, payload, err, errlen);
	case VMS_REC_VMSTAT_SAMPLE: return vmstat_sample_take(res, mm, payload, err, errlen);
	case VMS_REC_MEM_JOB: return mem_job_take(mm, wl, payload, err, errlen);
	case VMS_REC_OOM: return oom_take(mm, payload, err, errlen);
	default: return errorf(err, errlen, "record type %u is not the memory manager's", type);
	}
}

static int mm_check_done(const struct vm_result *res, const struct vms_workload *wl, char *why, size_t len)
{
	unsigned nr_mem = workload_nr_mem_jobs(wl);

	if (wl && mm_records(res)->nr_mem_jobs != nr_mem)
		return errorf(why, len, "guest said done with results for %u of %u memory jobs",
			      mm_records(res)->nr_mem_jobs, nr_mem);
	return 0;
}

static void mm_free(void *data)
{
	struct mm_records *mm = data;

	free(mm->vmstat_samples);
	free(mm->mem_jobs);
}

static uint64_t mm_first_sample(const struct vm_result *res)
{
	const struct mm_records *mm = mm_records(res);

	return mm->vmstat_samples && mm->nr_vmstat_samples ? mm->vmstat_samples[0].tsc : UINT64_MAX;
}

const struct record_family_ops mm_records_ops = {
	.name = "mm",
	.take = mm_take,
	.check_done = mm_check_done,
	.free = mm_free,
	.metrics = mm_metrics,
	.series = mm_series,
	.series_start = mm_first_sample,
	.metric_docs = mm_metric_docs,
	.text = mm_text,
	.json = mm_json,
	.failures = mm_failures,
};
