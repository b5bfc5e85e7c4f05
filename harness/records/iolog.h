/*
 * fio's log files (write_lat_log, write_bw_log, write_iops_log): the samples the
 * guest's jobs send (record FIO_LOG, vmsweep/iolog.h), kept within the run's samples
 * budget (VM_SAMPLES_BUDGET: 32 bytes an I/O, 16 a window), and the files written from
 * them as fio 3.33 writes them (iolog.c flush_samples): lines "time, value, ddir, bs,
 * prio", or "time, value, ddir, bs, offset, prio" with log_offset=1.
 */
#ifndef RECORDS_IOLOG_H
#define RECORDS_IOLOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <vmsweep/abi.h>
#include <vmsweep/workload.h>

#include "records/family.h"

struct iolog_job {
	struct vms_fio_log_io *io; /* log_avg_msec=0 */
	struct vms_fio_log_avg *avg; /* log_avg_msec=N */
	size_t nr, cap;
	uint64_t host_dropped; /* beyond the run's samples budget */
	uint64_t guest_dropped; /* lost in the guest (its END record says how many) */
	bool ended; /* the END record came */
};

struct iolog_records {
	struct iolog_job *jobs; /* one per job of the workload */
	unsigned nr_jobs;
};

const struct iolog_records *iolog_records(const struct vm_result *res);

/* One of the run's log files: NAME_lat.N.log and the like. */
struct iolog_file {
	char name[VMS_WL_LOG_NAME_LEN + 32];
	uint32_t job;
	enum vms_fio_log_type type;
};

/* The files the workload's jobs write, in fio's order (per job: lat, slat, clat, bw,
 * iops); a malloc'd array (NULL when none) and its length. */
size_t iolog_files_list(const struct vms_workload *wl, struct iolog_file **out);
/* The lines of one file into f; -1 on a write error (errno). */
int iolog_file_write(FILE *f, const struct vm_result *res, const struct vms_workload *wl, const struct iolog_file *lf);
/* `vmsweep boot`: every file at its name, from the working directory as fio writes them;
 * warnings (samples that are not in them) on warn. -1 with err. */
int iolog_files_write(const struct vm_result *res, const struct vms_workload *wl, FILE *warn, const char *prefix,
		      char *err, size_t errlen);
#endif
