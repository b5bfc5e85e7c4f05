/*
 * The writeback records: the run's sums per disk at the end (VMS_REC_WB), the dirty
 * state every sample_ms (VMS_REC_WB_SAMPLE), one record per buffered writer job
 * (VMS_REC_WB_WRITER). The family's ops (wb.c) take and check them; wb_metrics.c,
 * wb_text.c and wb_json.c report them.
 */
#ifndef RECORDS_WB_H
#define RECORDS_WB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <vmsweep/abi.h>
#include <vmsweep/workload.h>

#include "records/family.h"

struct wb_records {
	bool have_end;
	struct vms_rec_wb end; /* disks past nr_disks zeroed */
	struct vms_rec_wb_sample *samples; /* in the order sampled; disks past nr_disks zeroed */
	size_t nr_samples, cap_samples;
	struct vms_rec_wb_writer *writers; /* in the order they came, one per job at most */
	size_t nr_writers, cap_writers;
	uint8_t writer_seen[VMS_WL_MAX_JOBS];
};

/* The run's writeback records; an empty set when the guest sent none. */
const struct wb_records *wb_records(const struct vm_result *res);
/* The same, to fill (the take path and tests); NULL when out of memory. */
struct wb_records *wb_records_get(struct vm_result *res);

/* What the record's arrays are indexed by, as metric and JSON words. */
extern const char *const wb_by_names[VMS_WB_BY_NR]; /* written_by[]: "background", ... "reclaim" */
#define WB_NR_WORKS 3 /* the flusher's work kinds: works[] of each disk */
_Static_assert(sizeof(((struct vms_rec_wb *)0)->disks[0].works) == WB_NR_WORKS * sizeof(uint64_t), "works[]");
extern const char *const wb_work_names[WB_NR_WORKS]; /* works[]: "background", "periodic", "sync" */
extern const char *const wb_time_names[VMS_WB_TIME_NR]; /* time_ns[]: "copy", ... "reclaim" */

/* Disk i's name as the host names it ("vda"), as blk and the disk metrics do. */
void wb_disk_name(unsigned i, char *buf, size_t len);
/* The writeback era's name ("ioless"); the family took only models that have one. */
const char *wb_model_name(uint32_t model);

/*
 * A writer's think_sum_ns as the signed sum it is. Linux's think (the tracepoint's
 * now - dirty_paused_when) is negative when the task comes back before its last
 * pause would have ended; the guest adds those into the uint64_t modulo 2^64, so the
 * sum read as int64_t is exact (a true sum past 2^63 ns would take 292 years).
 */
static inline int64_t wb_think_sum(uint64_t think_sum_ns)
{
	return (int64_t)think_sum_ns;
}

/* The ops' parts, each in its own file. */
void wb_metrics(struct emit *e, const struct vm_result *res, const struct vms_workload *wl);
void wb_series(struct emit *e, const struct vm_result *res);
extern const struct metric_doc wb_metric_docs[];
void wb_text(FILE *out, const struct vm_result *res, const struct vms_workload *wl);
void wb_json(struct json_out *out, const struct vm_result *res, const struct vms_workload *wl);
#endif
