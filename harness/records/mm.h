/*
 * The memory manager's records: vmstat at the end (zones, watermarks, counters), the
 * vmstat samples of sample_ms, one record per memory job, and the OOM kills. The
 * family's ops (mm.c) take them; mm_metrics.c, mm_text.c and mm_json.c report them.
 */
#ifndef RECORDS_MM_H
#define RECORDS_MM_H
#include <stdbool.h>
#include <stdio.h>
#include <vmsweep/abi.h>
#include <vmsweep/workload.h>

#include "records/family.h"

#define MM_OOM_KEEP 16 /* OOM reports kept per run; later ones are only counted */

struct mm_records {
	bool have_vmstat;
	struct vms_rec_vmstat vmstat; /* zone names: [A-Za-z0-9_-], fixed length, NUL-padded */
	size_t nr_vmstat_samples, cap_vmstat_samples;
	struct vms_rec_vmstat_sample *vmstat_samples; /* in the order sampled */
	unsigned nr_mem_jobs;
	/* One per job of the workload: mem_jobs[i].job is i when job i's record arrived,
	 * UINT32_MAX otherwise. */
	struct vms_rec_mem_job *mem_jobs;
	unsigned nr_ooms; /* OOM kills reported; the first MM_OOM_KEEP are kept */
	struct vms_rec_oom ooms[MM_OOM_KEEP]; /* comm strings NUL-terminated */
};

/* The run's memory manager records; an empty set when the guest handed none over. */
const struct mm_records *mm_records(const struct vm_result *res);
/* The same, to fill (the take path and tests); NULL when out of memory. */
struct mm_records *mm_records_get(struct vm_result *res);

/* The jobs of wl that are memory jobs (ioengine=mem). */
unsigned workload_nr_mem_jobs(const struct vms_workload *wl);

/* The ops' parts, each in its own file. */
void mm_metrics(struct emit *e, const struct vm_result *res, const struct vms_workload *wl);
void mm_series(struct emit *e, const struct vm_result *res);
/* The mem.<job>.* metrics and histograms of jobs[] (jobs[k].job == k: job k's record,
 * else none), merged by report name; the libvirt backend's Linux runs give theirs too. */
void mm_mem_job_metrics(struct emit *e, const struct vms_rec_mem_job *jobs, const struct vms_workload *wl);
extern const struct metric_doc mm_metric_docs[];
void mm_text(FILE *out, const struct vm_result *res, const struct vms_workload *wl);
void mm_json(struct json_out *out, const struct vm_result *res, const struct vms_workload *wl);
unsigned mm_failures(FILE *err, const struct vm_result *res, const struct vms_workload *wl);
#endif
