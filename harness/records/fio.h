/*
 * The fio jobs' records: one per (cloned) job of the workload, as fio's io_stat and
 * clat histogram per direction. fio.c takes them; fio_metrics.c stores them; the
 * fio-compatible JSON (fio/fio_json.c) is made from them.
 */
#ifndef RECORDS_FIO_H
#define RECORDS_FIO_H
#include <stdint.h>
#include <vmsweep/abi.h>
#include <vmsweep/workload.h>

#include "records/family.h"

struct fio_json_opts;

struct fio_records {
	unsigned nr_jobs; /* records taken */
	/* In the workload's job order, one per job (memory jobs' left zero). */
	struct vms_rec_fio_job *jobs;
	uint8_t seen[VMS_WL_MAX_JOBS];
	/* disk_util: the disks' counts, in the order the guest sent them */
	struct vms_rec_fio_disk disks[VMS_MAX_DISKS];
	unsigned nr_disks;
	uint8_t disk_seen[VMS_MAX_DISKS];
	/* Set by the command, not the guest: the job file's options for fio's JSON, and
	 * FIO_JSON_* flags (json+). */
	const struct fio_json_opts *opts;
	unsigned json_flags;
};

/* The run's fio records; an empty set when the guest handed none over. */
const struct fio_records *fio_records(const struct vm_result *res);
struct fio_records *fio_records_get(struct vm_result *res);

/* The command's part of fio's JSON (fio_records' opts and json_flags), set after the run
 * when the guest handed fio records over. */
void fio_records_json_set(struct vm_result *res, const struct fio_json_opts *opts, unsigned flags);
/* fio's JSON of the run (fio/fio_json.h); NULL when it could not be built. */
struct json_t *fio_records_json(const struct vm_result *res, const struct vms_workload *wl);

void fio_metrics(struct emit *e, const struct vm_result *res, const struct vms_workload *wl);
extern const struct metric_doc fio_metric_docs[];
#endif
