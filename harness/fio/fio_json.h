/* fio's --output-format=json for the guest's fio jobs, so fio's own tools read it. */
#ifndef FIO_JSON_H
#define FIO_JSON_H
#include <jansson.h>
#include <vmsweep/abi.h>
#include <vmsweep/workload.h>

/* The whole document: {"fio version", "timestamp", "jobs": [...]}. Jobs of a group with
 * group_reporting are merged into one entry, as fio does. */
json_t *fio_json_report(const struct vms_workload *wl, const struct vms_rec_fio_job *recs, unsigned nr);
#endif
