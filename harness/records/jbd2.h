/*
 * The journal's records: one per mounted ext3 at its unmount (VMS_REC_JBD2: what
 * /proc/fs/jbd2/DEV/info shows, the commit times' histogram, the disk's bytes by kind)
 * and one per fio job that fsynced files on it (VMS_REC_JBD2_FSYNC: where the fsyncs'
 * time went). The family's ops (jbd2.c) take and check them; jbd2_metrics.c,
 * jbd2_text.c and jbd2_json.c report them, with the figures derived here.
 */
#ifndef RECORDS_JBD2_H
#define RECORDS_JBD2_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <vmsweep/abi.h>
#include <vmsweep/workload.h>

#include "records/family.h"

struct jbd2_records {
	struct vms_rec_jbd2 disks[VMS_MAX_DISKS];
	bool seen[VMS_MAX_DISKS];
	unsigned nr;
	struct vms_rec_jbd2_fsync *fsyncs; /* in the order they came, one per job at most */
	size_t nr_fsyncs, cap_fsyncs;
	uint8_t fsync_seen[VMS_WL_MAX_JOBS];
};

/* The run's journal records; an empty set when the guest sent none. */
const struct jbd2_records *jbd2_records(const struct vm_result *res);
/* The same, to fill (the take path and tests); NULL when out of memory. */
struct jbd2_records *jbd2_records_get(struct vm_result *res);

/* Disk i's name ("vda"); the data mode's word ("ordered"; the family took only those). */
void jbd2_disk_name(unsigned i, char *buf, size_t len);
const char *jbd2_mode_name(uint32_t data_mode);

/* sum / transactions (NaN without any): the /proc averages. */
double jbd2_per_transaction(const struct vms_rec_jbd2 *r, uint64_t sum);
/* Bytes that reached the disk (data, metadata, journal) over the bytes the workload
 * wrote into files; NaN when it wrote none. */
double jbd2_write_amplification(const struct vms_rec_jbd2 *r);
/* Percentile p of the commit times, ns, as fio computes clat's (0 without commits). */
uint64_t jbd2_commit_percentile(const struct vms_rec_jbd2 *r, double p);

/* The ops' parts, each in its own file. */
void jbd2_metrics(struct emit *e, const struct vm_result *res, const struct vms_workload *wl);
extern const struct metric_doc jbd2_metric_docs[];
void jbd2_text(FILE *out, const struct vm_result *res, const struct vms_workload *wl);
void jbd2_json(struct json_out *out, const struct vm_result *res, const struct vms_workload *wl);
#endif
