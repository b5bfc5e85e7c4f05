/*
 * What a point runs: its job file (the "job" parameter's value, or [workload]'s) with
 * its fio.<option> parameters set in every job section, compiled once per point.
 */
#ifndef SWEEP_POINT_WORKLOAD_H
#define SWEEP_POINT_WORKLOAD_H
#include <stddef.h>

#include <vmsweep/workload.h>

#include "sweep/config.h"
#include "sweep/grid.h"

/* The point's job file, or NULL for the built-in workload. */
const char *sweep_point_job(const struct sweep_config *c, const struct sweep_plan *p, size_t point);

/* Every job file of the sweep (the job parameter's values, or [workload]'s), at most max
 * into paths; returns how many there are. */
size_t sweep_job_files(const struct sweep_config *c, const char **paths, size_t max);

/* The point's workload, malloc'd (*wl NULL: the built-in one). -1 with err naming the
 * job file's line or the config's parameter line. */
int sweep_point_workload(const struct sweep_config *c, const struct sweep_plan *p, size_t point,
			 struct vms_workload **wl, size_t *size, char *err, size_t errlen);
struct fio_json_opts;
/* The point's job file's options as fio's JSON writes them (fio/fio_json_opts.h), its
 * fio.<option> parameters included; *opts NULL for the built-in workload. */
int sweep_point_json_opts(const struct sweep_config *c, const struct sweep_plan *p, size_t point,
			  const struct vms_workload *wl, struct fio_json_opts **opts, char *err, size_t errlen);
/* Every point's workload: (*wls)[point] and (*sizes)[point], malloc'd arrays; free
 * with sweep_workloads_free. */
int sweep_workloads_compile(const struct sweep_config *c, const struct sweep_plan *p, struct vms_workload ***wls,
			    size_t **sizes, char *err, size_t errlen);
void sweep_workloads_free(struct vms_workload **wls, size_t *sizes, size_t nr_points);
#endif
