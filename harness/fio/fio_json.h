/* fio's --output-format=json (and json+) for the guest's fio jobs, so fio's own tools read it. */
#ifndef FIO_JSON_H
#define FIO_JSON_H
#include <jansson.h>
#include <vmsweep/abi.h>
#include <vmsweep/workload.h>

struct fio_json_opts;

#define FIO_JSON_PLUS 1u /* json+: clat_ns and sync lat_ns get their "bins" */

struct fio_json_in {
	const struct vms_workload *wl;
	const struct vms_rec_fio_job *jobs; /* one per job of wl, in its order */
	unsigned nr_jobs; /* 0: no jobs[] entries */
	const struct vms_rec_fio_disk *disks; /* disk_util, in this order */
	unsigned nr_disks;
	const struct fio_json_opts *opts; /* "global options", "job options", "desc"; NULL: none */
	unsigned flags; /* FIO_JSON_* */
};

/* The whole document: {"fio version", "timestamp", ..., "jobs": [...], "disk_util": [...]}.
 * Jobs of a group with group_reporting are merged into one entry, as fio does; memory
 * jobs are left out. NULL when a part could not be built. */
json_t *fio_json_build(const struct fio_json_in *in);

/* fio_json_build of records alone: no options, no disk_util, json. nr 0: no jobs. */
json_t *fio_json_report(const struct vms_workload *wl, const struct vms_rec_fio_job *recs, unsigned nr);
#endif
