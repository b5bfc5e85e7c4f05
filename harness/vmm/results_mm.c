/* The memory manager's records, checked and copied into struct vm_result (vmm/results_mm.h). */
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/hist_stats.h"
#include "util/vmstat_names.h"
#include "vmm/results_mm.h"
#include "vmm/vm_internal.h"

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

static int vmstat_take(struct vm_result *res, const void *p, char *err, size_t errlen)
{
	struct vms_rec_vmstat v;
	memcpy(&v, p, sizeof(v));
	if (res->have_vmstat)
		return errorf(err, errlen, "vmstat record a second time (the guest sends it once, at the end)");
	if (zones_take(&v, err, errlen))
		return -1;
	res->vmstat = v;
	res->have_vmstat = true;
	return 0;
}

static int vmstat_sample_take(struct vm_result *res, const void *p, char *err, size_t errlen)
{
	if (res->nr_vmstat_samples == res->cap_vmstat_samples) {
		size_t cap = res->cap_vmstat_samples ? 2 * res->cap_vmstat_samples : 256;
		struct vms_rec_vmstat_sample *s = realloc(res->vmstat_samples, cap * sizeof(*s));
		if (!s)
			return errorf(err, errlen, "out of host memory for vmstat samples");
		res->vmstat_samples = s;
		res->cap_vmstat_samples = cap;
	}
	memcpy(&res->vmstat_samples[res->nr_vmstat_samples++], p, sizeof(res->vmstat_samples[0]));
	return 0;
}

/* The payload is records_parse's aligned copy: read in place, it is 37 KB. */
static int mem_job_take(struct vm *vm, const struct vms_rec_mem_job *j, char *err, size_t errlen)
{
	struct vm_result *res = vm->res;
	const struct vms_workload *wl = vm->cfg->workload;

	if (!wl || j->job >= wl->nr_jobs)
		return errorf(err, errlen, "memory job record for job %u of %u", j->job, wl ? wl->nr_jobs : 0);
	if (wl->jobs[j->job].ioengine != VMS_IOENGINE_MEM)
		return errorf(err, errlen, "memory job record for job %u ('%.*s'), which is not a memory job", j->job,
			      VMS_WL_NAME_LEN, wl->jobs[j->job].name);
	if (!res->mem_jobs) {
		if (!(res->mem_jobs = malloc(wl->nr_jobs * sizeof(*res->mem_jobs))))
			return errorf(err, errlen, "out of host memory");
		for (unsigned i = 0; i < wl->nr_jobs; i++) {
			memset(&res->mem_jobs[i], 0, sizeof(res->mem_jobs[i]));
			res->mem_jobs[i].job = UINT32_MAX;
		}
	}
	if (res->mem_jobs[j->job].job == j->job)
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
	memcpy(&res->mem_jobs[j->job], j, sizeof(*j));
	res->nr_mem_jobs++;
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

static int oom_take(struct vm_result *res, const struct vms_rec_oom *o, char *err, size_t errlen)
{
	if (o->nr_tasks > VMS_OOM_TASKS)
		return errorf(err, errlen, "OOM record with %u tasks, at most %u", o->nr_tasks, VMS_OOM_TASKS);
	if (res->nr_ooms < VM_OOM_KEEP) {
		struct vms_rec_oom *k = &res->ooms[res->nr_ooms];
		memcpy(k, o, sizeof(*k));
		comm_terminate(k->comm);
		comm_terminate(k->victim_comm);
		for (unsigned i = 0; i < k->nr_tasks; i++)
			comm_terminate(k->tasks[i].comm);
		memset(&k->tasks[k->nr_tasks], 0, (VMS_OOM_TASKS - k->nr_tasks) * sizeof(k->tasks[0]));
	}
	if (res->nr_ooms < UINT32_MAX)
		res->nr_ooms++;
	return 0;
}

int results_take_mm(struct vm *vm, uint32_t type, const void *payload, char *err, size_t errlen)
{
	switch (type) {
	case VMS_REC_VMSTAT: return vmstat_take(vm->res, payload, err, errlen);
	case VMS_REC_VMSTAT_SAMPLE: return vmstat_sample_take(vm->res, payload, err, errlen);
	case VMS_REC_MEM_JOB: return mem_job_take(vm, payload, err, errlen);
	case VMS_REC_OOM: return oom_take(vm->res, payload, err, errlen);
	default:
		return errorf(err, errlen, "record type %u is not the memory manager's", type);
	}
}

void vm_result_free_mm(struct vm_result *res)
{
	free(res->vmstat_samples);
	free(res->mem_jobs);
	res->vmstat_samples = NULL;
	res->nr_vmstat_samples = res->cap_vmstat_samples = 0;
	res->mem_jobs = NULL;
	res->nr_mem_jobs = 0;
}
