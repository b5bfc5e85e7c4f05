/*
 * fio-compatible JSON (fio 3.x --output-format=json): the jobs[] layout with read and
 * write io_bytes, bw, iops, runtime, clat_ns/lat_ns with fio's default percentiles
 * computed from fio's own histogram buckets. vmsweep's guest submits synchronously
 * to its block layer, so slat is 0 and lat equals clat. Standard deviations come
 * from sums of squares in microseconds.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vmsweep/hist.h>

#include "fio/fio_json.h"
#include "util/clamp.h"
#include "util/guest_text.h"
#include "util/hist_stats.h"
#include "util/json_out.h"

/* The guest's counts, summed without wrapping and written as JSON's signed integers;
 * rates clamped: 2^64 bytes in 1 ns used to be UB and a negative bw (util/clamp.h). */
#define U(v) ((json_int_t)clamp_u64_ll(v))

static const double fio_percentiles[] = { 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99 };

/* One direction, summed over the jobs merged into a report entry. */
struct dir_sum {
	uint64_t io_bytes, ios, runtime_ns, min, max, sum, sumsq_us2;
	uint64_t buckets[VMS_HIST_NR];
};

static void dir_add(struct dir_sum *s, const struct vms_fio_dir *d)
{
	s->io_bytes = add_sat_u64(s->io_bytes, d->io_bytes);
	s->ios = add_sat_u64(s->ios, d->ios);
	s->runtime_ns = d->runtime_ns > s->runtime_ns ? d->runtime_ns : s->runtime_ns;
	if (d->ios && (!s->min || d->clat_min_ns < s->min))
		s->min = d->clat_min_ns;
	s->max = d->clat_max_ns > s->max ? d->clat_max_ns : s->max;
	s->sum = add_sat_u64(s->sum, d->clat_sum_ns);
	s->sumsq_us2 = add_sat_u64(s->sumsq_us2, d->clat_sumsq_us2);
	hist_merge(s->buckets, d->clat_buckets, VMS_HIST_NR);
}

static json_t *lat_json(const struct dir_sum *s, bool percentiles)
{
	double mean = s->ios ? (double)s->sum / (double)s->ios : 0;
	double mean_us = mean / 1000.0;
	double var_us2 = s->ios ? (double)s->sumsq_us2 / (double)s->ios - mean_us * mean_us : 0;
	json_t *o = json_pack("{s:I, s:I, s:f, s:f, s:I}", "min", U(s->min), "max", U(s->max), "mean", mean, "stddev",
			      var_us2 > 0 ? sqrt(var_us2) * 1000.0 : 0.0, "N", U(s->ios));
	if (percentiles && s->ios) {
		json_t *p = json_object();
		for (size_t i = 0; i < sizeof(fio_percentiles) / sizeof(fio_percentiles[0]); i++) {
			char key[32];
			snprintf(key, sizeof(key), "%f", fio_percentiles[i]);
			p = json_put(p, key, json_integer((json_int_t)hist_percentile64(s->buckets, VMS_HIST_NR,
											 fio_percentiles[i])));
		}
		o = json_put(o, "percentile", p);
	}
	return o;
}

static json_t *dir_json(const struct dir_sum *s)
{
	double secs = (double)s->runtime_ns / 1e9;
	double bw_bytes = secs > 0 ? (double)s->io_bytes / secs : 0;
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:i, s:i}", "io_bytes", U(s->io_bytes), "io_kbytes",
			      U(s->io_bytes >> 10), "bw_bytes", (json_int_t)clamp_double_ll(bw_bytes), "bw",
			      (json_int_t)clamp_double_ll(bw_bytes / 1024), "iops", secs > 0 ? (double)s->ios / secs : 0.0,
			      "runtime", U(s->runtime_ns / 1000000), "total_ios", U(s->ios), "short_ios", 0, "drop_ios", 0);
	o = json_put(o, "slat_ns", json_pack("{s:i, s:i, s:f, s:f, s:I}", "min", 0, "max", 0, "mean", 0.0, "stddev", 0.0,
					     "N", U(s->ios)));
	o = json_put(o, "clat_ns", lat_json(s, true));
	o = json_put(o, "lat_ns", lat_json(s, false));
	return o;
}

static const char *rw_name(uint32_t rw)
{
	static const char *const names[] = { "read", "write", "randread", "randwrite", "readwrite", "randrw" };
	return rw < sizeof(names) / sizeof(names[0]) ? names[rw] : "?";
}

static json_t *job_json(const struct vms_job *j, const struct dir_sum *dirs, uint32_t error, uint64_t elapsed_ns,
			uint64_t job_runtime_ns, uint64_t syncs, uint64_t sync_lat_sum)
{
	char bs[64];
	snprintf(bs, sizeof(bs), "%llu,%llu", (unsigned long long)j->bs[0], (unsigned long long)j->bs[1]);
	json_t *opts = json_pack("{s:s, s:s, s:i, s:s, s:s}", "rw", rw_name(j->rw), "bs", bs, "iodepth", (int)j->iodepth,
				 "ioengine", j->ioengine == VMS_IOENGINE_ASYNC ? "libaio" : "psync", "direct",
				 (j->flags & VMS_JOB_DIRECT) ? "1" : "0");
	json_t *o = json_pack("{s:o, s:i, s:i, s:i, s:I, s:o}", "jobname", guest_text_json_str(j->name, sizeof(j->name)),
			      "groupid", (int)j->group, "error", (int)error, "eta", 0, "elapsed",
			      (json_int_t)(elapsed_ns / 1000000000ull), "job options", opts);
	o = json_put(o, "read", dir_json(&dirs[0]));
	o = json_put(o, "write", dir_json(&dirs[1]));
	struct dir_sum none = { 0 };
	o = json_put(o, "trim", dir_json(&none));
	o = json_put(o, "sync", json_pack("{s:I, s:{s:f, s:I}}", "total_ios", U(syncs), "lat_ns", "mean",
					  syncs ? (double)sync_lat_sum / (double)syncs : 0.0, "N", U(syncs)));
	return json_put(o, "job_runtime", json_integer((json_int_t)(job_runtime_ns / 1000000)));
}

json_t *fio_json_report(const struct vms_workload *wl, const struct vms_rec_fio_job *recs, unsigned nr)
{
	time_t now = time(NULL);
	char when[64];
	json_t *jobs = json_array();
	struct dir_sum *dirs = calloc(2, sizeof(*dirs));

	strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", localtime(&now));
	for (unsigned i = 0; dirs && recs && nr && i < wl->nr_jobs;) {
		const struct vms_job *j = &wl->jobs[i];
		unsigned last = i + 1;
		/* Memory jobs are not fio's: fio's tools would misread them as I/O. */
		if (j->ioengine == VMS_IOENGINE_MEM) {
			i++;
			continue;
		}
		if (j->flags & VMS_JOB_GROUP_REPORTING)
			while (last < wl->nr_jobs && wl->jobs[last].group == j->group)
				last++;
		memset(dirs, 0, 2 * sizeof(*dirs));
		uint32_t error = 0;
		uint64_t start = UINT64_MAX, end = 0, syncs = 0, sync_lat = 0, job_runtime = 0;
		for (unsigned k = i; k < last; k++) {
			if (wl->jobs[k].ioengine == VMS_IOENGINE_MEM)
				continue;
			dir_add(&dirs[0], &recs[k].dir[0]);
			dir_add(&dirs[1], &recs[k].dir[1]);
			error = error ? error : recs[k].error;
			syncs = add_sat_u64(syncs, recs[k].nr_syncs);
			sync_lat = add_sat_u64(sync_lat, recs[k].sync_lat_sum_ns);
			start = recs[k].start_ns < start ? recs[k].start_ns : start;
			end = recs[k].end_ns > end ? recs[k].end_ns : end;
			/* fio's total_run_time: the job's whole time after ramp_time, its verify phases included */
			uint64_t measured = recs[k].start_ns + wl->jobs[k].ramp_ns;
			if (recs[k].end_ns > measured && recs[k].end_ns - measured > job_runtime)
				job_runtime = recs[k].end_ns - measured;
		}
		/* A job that cannot be written fails the document, rather than go missing from it. */
		jobs = json_push(jobs, job_json(j, dirs, error, end > start ? end - start : 0, job_runtime, syncs, sync_lat));
		i = last;
	}
	free(dirs);
	return json_pack("{s:s, s:I, s:I, s:s, s:o}", "fio version", "fio-3.33 (vmsweep guest)", "timestamp",
			 (json_int_t)now, "timestamp_ms", (json_int_t)now * 1000, "time", when, "jobs", jobs);
}
