/* The checks before a sweep's first boot, and its expected duration. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <vmsweep/workload.h>

#include "sweep/preflight.h"
#include "util/error.h"
#include "util/meminfo.h"

/*
 * The workload's time: stonewall groups run one after the other, the jobs of a group
 * together, each for ramp + runtime. *size_bound: some job ends when its size is done
 * (then this is only what the timed jobs take).
 */
static double workload_seconds(const struct vms_workload *wl, bool *size_bound)
{
	double total = 0, group = 0;
	*size_bound = false;
	for (uint32_t i = 0; i < wl->nr_jobs; i++) {
		const struct vms_job *j = &wl->jobs[i];
		if (i && (j->flags & VMS_JOB_STONEWALL)) {
			total += group;
			group = 0;
		}
		double t = (double)(j->ramp_ns + j->runtime_ns) * 1e-9;
		if (!j->runtime_ns)
			*size_bound = true;
		group = t > group ? t : group;
	}
	return total + group;
}

double sweep_point_seconds(const struct sweep_config *c, const struct sweep_plan *p, size_t point, const void *wl,
			   bool *size_bound)
{
	int du = sweep_config_param_find(c, "duration_ms");
	*size_bound = false;
	if (wl)
		return workload_seconds(wl, size_bound);
	return (double)(du >= 0 ? sweep_plan_point(p, point)[du] : c->knobs[VMS_KNOB_duration_ms]) * 1e-3;
}

const char *duration_format(double s, char *buf, size_t len)
{
	if (s >= 3600)
		snprintf(buf, len, "%ld h %02ld min", (long)(s / 3600), (long)(s / 60) % 60);
	else if (s >= 60)
		snprintf(buf, len, "%ld min %02ld s", (long)(s / 60), (long)s % 60);
	else
		snprintf(buf, len, "%.0f s", s);
	return buf;
}

int sweep_preflight(const struct sweep_config *c, const struct sweep_plan *p, unsigned jobs, const void *const *wl,
		    FILE *warn, const char *prefix, struct sweep_estimate *est, char *err, size_t errlen)
{
	int mem = sweep_config_param_find(c, "memory"), du = sweep_config_param_find(c, "duration_ms");
	bool size_bound = false;
	double total = 0;
	uint64_t max_mem = c->mem_size;

	if (!jobs)
		jobs = 1;
	for (size_t i = 0; i < p->nr_points; i++) {
		const int64_t *v = sweep_plan_point(p, i);
		const struct vms_workload *w = wl ? wl[i] : NULL;
		bool bound = false;
		double run_s = sweep_point_seconds(c, p, i, w, &bound);
		size_bound |= bound;
		uint64_t m = mem >= 0 ? (uint64_t)v[mem] : c->mem_size;
		max_mem = m > max_mem ? m : max_mem;
		if (c->timeout_ns && run_s > (double)c->timeout_ns * 1e-9) {
			unsigned line = c->timeout_line ? c->timeout_line : du >= 0 ? c->params[du].line : 0;
			return errorf_at(err, errlen, c->path, line,
					 "timeout %.3g s is shorter than %s %.3g s%s: every such run would time out"
					 " (raise [sweep] timeout)",
					 (double)c->timeout_ns * 1e-9, w ? "the job's ramp_time + runtime" : "duration_ms",
					 run_s, c->timeout_line ? "" : " (the default timeout)");
		}
		total += (run_s + SWEEP_RUN_OVERHEAD_S) * c->repeat;
	}
	/* The guest's memory is pre-faulted: jobs of them at once must fit in what the host has. */
	uint64_t avail = meminfo_available_bytes();
	if (avail && max_mem * jobs > avail) {
		unsigned line = mem >= 0 ? c->params[mem].line : c->memory_line;
		return errorf_at(err, errlen, c->path, line,
				 "memory %llu MiB%s x %u at a time is more than the host has available (%llu MiB,"
				 " MemAvailable): the runs would fail to pre-fault it",
				 (unsigned long long)(max_mem >> 20), mem >= 0 ? " (the largest point)" : "", jobs,
				 (unsigned long long)(avail >> 20));
	}
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (warn && cpus > 0 && jobs > (unsigned long)cpus)
		fprintf(warn, "%swarning: %u runs at a time on %ld host CPUs: they will share CPUs and measure each"
			      " other (recorded in the manifest as jobs)\n",
			prefix, jobs, cpus);
	if (est) {
		est->seconds = total / jobs;
		est->lower_bound = size_bound;
	}
	return 0;
}
