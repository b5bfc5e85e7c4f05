/*
 * fio's JSON (fio 3.33 --output-format=json, and json+ with the latency bins) from the
 * guest's fio records, laid out and computed as fio's stat.c does it
 * (show_thread_status_json, add_ddir_status_json, add_ddir_lat_json, show_run_stats):
 *  - a report entry per job, or per group with group_reporting, merged as fio's
 *    sum_thread_stats: latencies pooled (their standard deviations exactly, from the
 *    guest's 128-bit sums of squares, with n - 1 as fio), bw and iops samples summed
 *    (min, max, mean and S each added up, as fio's pure sum), counts added, runtime the
 *    longest, job_runtime and CPU time added;
 *  - bw_bytes, bw and iops from the runtime in ms, as fio's integer arithmetic;
 *  - bw_agg: the entry's mean bw as a percentage of its group's aggregate bandwidth;
 *  - the iodepth maps, and latency_ns/us/ms, as percentages of the reads and writes
 *    (fio's stat_calc_dist with its 0.1 floor, stat_calc_lat with 0.01);
 *  - clat and sync latency percentiles from fio's own buckets; json+ adds the buckets
 *    that are not empty as "bins" (fio's plat_idx_to_val: the guest's histogram is fio's
 *    FIO_IO_U_PLAT scheme, so the bins are a direct export);
 *  - "global options" and "job options" from the job file (fio/fio_json_opts.h);
 *  - disk_util from the guest block layer's counts (/sys/block/vdX/stat as fio reads it).
 * What the guest says is clamped (util/clamp.h) before it becomes a number here.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vmsweep/hist.h>

#include "fio/fio_json.h"
#include "fio/fio_json_opts.h"
#include "util/clamp.h"
#include "util/guest_text.h"
#include "util/hist_stats.h"
#include "util/json_out.h"

/* The guest's counts, summed without wrapping and written as JSON's signed integers;
 * rates clamped: 2^64 bytes in 1 ns used to be UB and a negative bw (util/clamp.h). */
#define U(v) ((json_int_t)clamp_u64_ll(v))
#define D(v) (isfinite(v) ? (v) : 0.0)
#define NR(a) (sizeof(a) / sizeof((a)[0]))

static const double fio_percentiles[] = { 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99 };

typedef unsigned __int128 u128;

/* A latency pooled over jobs (fio's __sum_stat gives the same mean and S). */
struct stat_sum {
	uint64_t n, min, max, sum;
	u128 sumsq;
};

/* bw or iops samples added up over jobs (fio's sum_stat with pure_sum). */
struct rate_sum {
	uint64_t n, min, max;
	double mean, S;
};

struct dir_sum {
	uint64_t io_bytes, ios, runtime_ns;
	struct stat_sum clat, slat, lat;
	struct rate_sum bw, iops;
	uint64_t buckets[VMS_HIST_NR];
};

/* One report entry: a job, or the jobs of a group_reporting group. */
struct entry {
	struct dir_sum dir[2];
	struct stat_sum sync;
	uint64_t sync_buckets[VMS_HIST_NR];
	uint64_t depth[VMS_FIO_MAP_NR], submit[VMS_FIO_MAP_NR], complete[VMS_FIO_MAP_NR];
	uint64_t total_submit, total_complete;
	uint64_t lat_n[VMS_FIO_LAT_N_NR], lat_u[VMS_FIO_LAT_U_NR], lat_m[VMS_FIO_LAT_M_NR];
	uint64_t usr_ns, sys_ns, ctx, majf, minf, job_runtime_ns;
	uint32_t error;
	uint64_t start, end;
};

static u128 sq(const uint64_t v[2])
{
	return (u128)v[1] << 64 | v[0];
}

static u128 sq_add(u128 a, u128 b)
{
	return a + b < a ? ~(u128)0 : a + b;
}

static void stat_merge(struct stat_sum *s, uint64_t n, uint64_t min, uint64_t max, uint64_t sum, u128 sumsq)
{
	if (!n)
		return;
	if (!s->n || min < s->min)
		s->min = min;
	s->max = max > s->max ? max : s->max;
	s->n = add_sat_u64(s->n, n);
	s->sum = add_sat_u64(s->sum, sum);
	s->sumsq = sq_add(s->sumsq, sumsq);
}

static double stat_mean(const struct stat_sum *s)
{
	return s->n ? (double)s->sum / (double)s->n : 0;
}

/* fio's calc_lat: sqrt(S / (n - 1)), S the sum of squared differences from the mean */
static double stat_dev(const struct stat_sum *s)
{
	if (s->n < 2)
		return 0;
	long double n = (long double)s->n, sum = (long double)s->sum;
	long double S = (long double)s->sumsq - sum * sum / n;
	return S > 0 ? (double)sqrtl(S / (n - 1)) : 0;
}

static void rate_merge(struct rate_sum *r, const struct vms_fio_stat *s)
{
	if (!s->n)
		return;
	long double n = (long double)s->n, sum = (long double)s->sum;
	double mean = (double)(sum / n);
	double S = (double)((long double)sq(s->sumsq) - sum * sum / n);
	S = S > 0 ? S : 0;
	if (!r->n) {
		*r = (struct rate_sum){ s->n, s->min, s->max, mean, S };
		return;
	}
	r->n = add_sat_u64(r->n, s->n);
	r->min = add_sat_u64(r->min, s->min);
	r->max = add_sat_u64(r->max, s->max);
	r->mean += mean;
	r->S += S;
}

static void entry_add(struct entry *e, const struct vms_rec_fio_job *r, const struct vms_job *j)
{
	for (int d = 0; d < 2; d++) {
		struct dir_sum *s = &e->dir[d];
		const struct vms_fio_dir *g = &r->dir[d];
		s->io_bytes = add_sat_u64(s->io_bytes, g->io_bytes);
		s->ios = add_sat_u64(s->ios, g->ios);
		s->runtime_ns = g->runtime_ns > s->runtime_ns ? g->runtime_ns : s->runtime_ns;
		stat_merge(&s->clat, g->ios, g->clat_min_ns, g->clat_max_ns, g->clat_sum_ns, sq(g->clat_sumsq));
		stat_merge(&s->slat, g->slat.n, g->slat.min, g->slat.max, g->slat.sum, sq(g->slat.sumsq));
		stat_merge(&s->lat, g->lat.n, g->lat.min, g->lat.max, g->lat.sum, sq(g->lat.sumsq));
		rate_merge(&s->bw, &g->bw);
		rate_merge(&s->iops, &g->iops);
		hist_merge(s->buckets, g->clat_buckets, VMS_HIST_NR);
	}
	stat_merge(&e->sync, r->nr_syncs, r->sync_lat_min_ns, r->sync_lat_max_ns, r->sync_lat_sum_ns,
		   sq(r->sync_lat_sumsq));
	hist_merge(e->sync_buckets, r->sync_buckets, VMS_HIST_NR);
	for (int i = 0; i < VMS_FIO_MAP_NR; i++) {
		e->depth[i] = add_sat_u64(e->depth[i], r->depth_map[i]);
		e->submit[i] = add_sat_u64(e->submit[i], r->submit_map[i]);
		e->complete[i] = add_sat_u64(e->complete[i], r->complete_map[i]);
	}
	e->total_submit = add_sat_u64(e->total_submit, r->total_submit);
	e->total_complete = add_sat_u64(e->total_complete, r->total_complete);
	for (int i = 0; i < VMS_FIO_LAT_N_NR; i++)
		e->lat_n[i] = add_sat_u64(e->lat_n[i], r->lat_n[i]);
	for (int i = 0; i < VMS_FIO_LAT_U_NR; i++)
		e->lat_u[i] = add_sat_u64(e->lat_u[i], r->lat_u[i]);
	for (int i = 0; i < VMS_FIO_LAT_M_NR; i++)
		e->lat_m[i] = add_sat_u64(e->lat_m[i], r->lat_m[i]);
	e->usr_ns = add_sat_u64(e->usr_ns, r->usr_ns);
	e->sys_ns = add_sat_u64(e->sys_ns, r->sys_ns);
	e->ctx = add_sat_u64(e->ctx, r->ctx);
	e->majf = add_sat_u64(e->majf, r->majf);
	e->minf = add_sat_u64(e->minf, r->minf);
	e->error = e->error ? e->error : r->error;
	e->start = r->start_ns < e->start ? r->start_ns : e->start;
	e->end = r->end_ns > e->end ? r->end_ns : e->end;
	/* fio's total_run_time: the job's whole time after ramp_time, its verify phases
	 * included; a group's is its jobs' added up */
	uint64_t measured = r->start_ns + j->ramp_ns;
	if (r->end_ns > measured)
		e->job_runtime_ns = add_sat_u64(e->job_runtime_ns, r->end_ns - measured);
}

/* fio's add_ddir_lat_json */
static json_t *lat_json(const struct stat_sum *s, const uint64_t *buckets, bool plus)
{
	json_t *o = json_pack("{s:I, s:I, s:f, s:f, s:I}", "min", U(s->n ? s->min : 0), "max", U(s->max), "mean",
			      D(stat_mean(s)), "stddev", D(stat_dev(s)), "N", U(s->n));
	if (!buckets || !s->n)
		return o;
	json_t *p = json_object();
	for (size_t i = 0; i < NR(fio_percentiles); i++) {
		char key[32];
		snprintf(key, sizeof(key), "%f", fio_percentiles[i]);
		p = json_put(p, key, json_integer(U(hist_percentile64(buckets, VMS_HIST_NR, fio_percentiles[i]))));
	}
	o = json_put(o, "percentile", p);
	if (plus) {
		json_t *bins = json_object();
		for (unsigned i = 0; i < VMS_HIST_NR; i++)
			if (buckets[i]) {
				char key[32];
				snprintf(key, sizeof(key), "%llu", (unsigned long long)vms_hist_value(i));
				bins = json_put(bins, key, json_integer(U(buckets[i])));
			}
		o = json_put(o, "bins", bins);
	}
	return o;
}

static double rate_dev(const struct rate_sum *r)
{
	return r->n > 1 ? sqrt(r->S / (double)(r->n - 1)) : 0;
}

static uint64_t runtime_ms(const struct dir_sum *s)
{
	return s->runtime_ns / 1000000;
}

/* fio's add_ddir_status_json for read, write and trim; agg_bytes is the group's aggregate bandwidth */
static json_t *dir_json(const struct dir_sum *s, uint64_t agg_bytes, bool plus)
{
	uint64_t runt = runtime_ms(s);
	/* fio: bw_bytes = 1000 * io_bytes / runtime, iops = 1000.0 * total_ios / runtime */
	double bw_bytes = !runt ? 0
			  : s->io_bytes <= UINT64_MAX / 1000 ? (double)(1000 * s->io_bytes / runt) /* exact, as fio */
							     : floor(1000.0 * (double)s->io_bytes / (double)runt);
	double iops = runt ? 1000.0 * (double)s->ios / (double)runt : 0;
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:i, s:i}", "io_bytes", U(s->io_bytes), "io_kbytes",
			      U(s->io_bytes >> 10), "bw_bytes", (json_int_t)clamp_double_ll(bw_bytes), "bw",
			      (json_int_t)clamp_double_ll(floor(bw_bytes / 1024)), "iops", D(iops),
			      "runtime", U(runt), "total_ios", U(s->ios), "short_ios", 0, "drop_ios", 0);
	o = json_put(o, "slat_ns", lat_json(&s->slat, NULL, false));
	o = json_put(o, "clat_ns", lat_json(&s->clat, s->buckets, plus));
	o = json_put(o, "lat_ns", lat_json(&s->lat, NULL, false));
	double p_of_agg = 0, mean = s->bw.n ? s->bw.mean : 0;
	if (s->bw.n) {
		/* fio's convert_agg_kbytes_percent, its mean taken as an int */
		p_of_agg = 100.0;
		if (agg_bytes > 1024) {
			double m = mean < 2147483647.0 ? trunc(mean) : mean; /* no UB for a guest's 2^64 */
			p_of_agg = m * 100.0 / ((double)agg_bytes / 1024.0);
			p_of_agg = p_of_agg > 100.0 ? 100.0 : p_of_agg;
		}
	}
	o = json_put(o, "bw_min", json_integer(U(s->bw.n ? s->bw.min : 0)));
	o = json_put(o, "bw_max", json_integer(U(s->bw.max)));
	o = json_put(o, "bw_agg", json_real(D(p_of_agg)));
	o = json_put(o, "bw_mean", json_real(D(mean)));
	o = json_put(o, "bw_dev", json_real(D(rate_dev(&s->bw))));
	o = json_put(o, "bw_samples", json_integer(U(s->bw.n)));
	o = json_put(o, "iops_min", json_integer(U(s->iops.n ? s->iops.min : 0)));
	o = json_put(o, "iops_max", json_integer(U(s->iops.max)));
	o = json_put(o, "iops_mean", json_real(D(s->iops.n ? s->iops.mean : 0)));
	o = json_put(o, "iops_stddev", json_real(D(rate_dev(&s->iops))));
	return json_put(o, "iops_samples", json_integer(U(s->iops.n)));
}

/* fio's stat_calc_dist (floor 0.1) and stat_calc_lat (floor 0.01) */
static double pct(uint64_t v, uint64_t total, double floor)
{
	if (!total)
		return 0;
	double p = (double)v * 100.0 / (double)total;
	return p < floor && v ? floor : p;
}

static json_t *map_json(const uint64_t *map, uint64_t total, bool depth)
{
	json_t *o = json_object();
	for (int i = 0; i < VMS_FIO_MAP_NR; i++) {
		char name[20];
		if (depth)
			snprintf(name, sizeof(name), i < 6 ? "%d" : ">=%d", 1 << i);
		else if (i == 0)
			snprintf(name, sizeof(name), "0");
		else
			snprintf(name, sizeof(name), i < 6 ? "%d" : ">=%d", i < 6 ? 1 << (i + 1) : 1 << i);
		o = json_put(o, name, json_real(pct(map[i], total, 0.1)));
	}
	return o;
}

static json_t *ranges_json(const uint64_t *v, int nr, uint64_t total)
{
	static const char *const ranges[] = { "2", "4", "10", "20", "50", "100", "250", "500", "750", "1000", "2000", ">=2000" };
	json_t *o = json_object();
	for (int i = 0; i < nr; i++)
		o = json_put(o, ranges[i], json_real(pct(v[i], total, 0.01)));
	return o;
}

struct doc_ctx {
	const struct fio_json_in *in;
	struct entry *e;
	uint64_t (*agg)[2]; /* per group: its aggregate bandwidth, bytes/s (fio's rs->agg) */
};

/* The report entry starting at job i: [i, *last). */
static unsigned entry_end(const struct vms_workload *wl, unsigned i)
{
	unsigned last = i + 1;
	if (wl->jobs[i].flags & VMS_JOB_GROUP_REPORTING)
		while (last < wl->nr_jobs && wl->jobs[last].group == wl->jobs[i].group)
			last++;
	return last;
}

static void entry_build(const struct fio_json_in *in, unsigned i, unsigned last, struct entry *e)
{
	memset(e, 0, sizeof(*e));
	e->start = UINT64_MAX;
	for (unsigned k = i; k < last; k++)
		if (in->wl->jobs[k].ioengine != VMS_IOENGINE_MEM && k < in->nr_jobs)
			entry_add(e, &in->jobs[k], &in->wl->jobs[k]);
}

/* vmsweep's own per entry, beside fio's keys: each job's task (a clone each) over its job */
static json_t *extras_json(const struct fio_json_in *in, unsigned i, unsigned last)
{
	json_t *tasks = json_array();
	for (unsigned k = i; k < last && k < in->nr_jobs; k++) {
		const struct vms_job *j = &in->wl->jobs[k];
		const struct vms_rec_fio_job *r = &in->jobs[k];
		if (j->ioengine == VMS_IOENGINE_MEM)
			continue;
		json_t *t = json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:I}", "jobname", guest_text_json_str(j->name, sizeof(j->name)),
				      "clone", (json_int_t)j->clone, "sum_exec_ns", U(r->task_cpu_ns), "nr_migrations",
				      U(r->task_migrations), "nr_wakeups", U(r->task_wakeups), "nvcsw", U(r->task_nvcsw),
				      "nivcsw", U(r->task_nivcsw));
		if (t && j->ioengine == VMS_IOENGINE_CPU)
			t = json_put(t, "cpu_loops", json_integer(U(r->cpu_loops)));
		tasks = json_push(tasks, t);
	}
	return json_pack("{s:o}", "tasks", tasks);
}

static json_t *entry_json(const struct doc_ctx *c, unsigned i, unsigned last)
{
	const struct fio_json_in *in = c->in;
	const struct vms_job *j = &in->wl->jobs[i], *lj = &in->wl->jobs[last - 1];
	const struct entry *e = c->e;
	bool plus = in->flags & FIO_JSON_PLUS;
	uint64_t rw_total = add_sat_u64(e->dir[0].ios, e->dir[1].ios);

	json_t *o = json_pack("{s:o, s:i, s:i, s:i, s:I}", "jobname", guest_text_json_str(j->name, sizeof(j->name)),
			      "groupid", (int)j->group, "error", (int)e->error, "eta", 0, "elapsed",
			      (json_int_t)(e->end > e->start ? (e->end - e->start) / 1000000000ull : 0));
	/* fio writes the options of the entry's last job */
	if (in->opts && last - 1 < in->opts->nr_jobs && in->opts->job[last - 1].present)
		o = json_put(o, "job options", fio_json_optlist_json(&in->opts->job[last - 1]));
	o = json_put(o, "read", dir_json(&e->dir[0], c->agg[j->group][0], plus));
	o = json_put(o, "write", dir_json(&e->dir[1], c->agg[j->group][1], plus));
	static const struct dir_sum none;
	o = json_put(o, "trim", dir_json(&none, 0, plus));
	o = json_put(o, "sync", json_pack("{s:I, s:o}", "total_ios", U(e->sync.n), "lat_ns",
					  lat_json(&e->sync, e->sync_buckets, plus)));
	uint64_t runt_ms = e->job_runtime_ns / 1000000;
	/* fio: CPU time in ms over total_run_time in ms */
	o = json_put(o, "job_runtime", json_integer(U(runt_ms)));
	o = json_put(o, "usr_cpu", json_real(runt_ms ? (double)(e->usr_ns / 1000000) * 100.0 / (double)runt_ms : 0));
	o = json_put(o, "sys_cpu", json_real(runt_ms ? (double)(e->sys_ns / 1000000) * 100.0 / (double)runt_ms : 0));
	o = json_put(o, "ctx", json_integer(U(e->ctx)));
	o = json_put(o, "majf", json_integer(U(e->majf)));
	o = json_put(o, "minf", json_integer(U(e->minf)));
	o = json_put(o, "iodepth_level", map_json(e->depth, rw_total, true));
	o = json_put(o, "iodepth_submit", map_json(e->submit, e->total_submit, false));
	o = json_put(o, "iodepth_complete", map_json(e->complete, e->total_complete, false));
	o = json_put(o, "latency_ns", ranges_json(e->lat_n, VMS_FIO_LAT_N_NR, rw_total));
	o = json_put(o, "latency_us", ranges_json(e->lat_u, VMS_FIO_LAT_U_NR, rw_total));
	o = json_put(o, "latency_ms", ranges_json(e->lat_m, VMS_FIO_LAT_M_NR, rw_total));
	/* fio's latency_target options are not vmsweep's: their defaults, and the depth
	 * fio's latency_qd starts at (the job's iodepth) */
	o = json_put(o, "latency_depth", json_integer((json_int_t)lj->iodepth));
	o = json_put(o, "latency_target", json_integer(0));
	o = json_put(o, "latency_percentile", json_real(100.0));
	o = json_put(o, "latency_window", json_integer(0));
	const char *desc = in->opts && i < in->opts->nr_jobs ? in->opts->desc[i] : NULL;
	if (desc && *desc)
		o = json_put(o, "desc", guest_text_json(desc, strlen(desc)));
	return json_put(o, "vmsweep", extras_json(in, i, last));
}

/* fio's json_array_add_disk_util: ticks in ms, util the share of the time with I/O in flight */
static json_t *disk_json(const struct vms_rec_fio_disk *d)
{
	char name[16];
	snprintf(name, sizeof(name), "vd%c", 'a' + (int)(d->disk % 26));
	double util = d->elapsed_ns ? 100.0 * (double)(d->io_ticks_ns / 1000000) / (double)(d->elapsed_ns / 1000000) : 0;
	util = d->elapsed_ns < 1000000 ? 0 : util > 100.0 ? 100.0 : util;
	json_t *o = json_pack("{s:s}", "name", name);
	o = json_put(o, "read_ios", json_integer(U(d->ios[0])));
	o = json_put(o, "write_ios", json_integer(U(d->ios[1])));
	o = json_put(o, "read_merges", json_integer(U(d->merges[0])));
	o = json_put(o, "write_merges", json_integer(U(d->merges[1])));
	o = json_put(o, "read_ticks", json_integer(U(d->ticks_ns[0] / 1000000)));
	o = json_put(o, "write_ticks", json_integer(U(d->ticks_ns[1] / 1000000)));
	o = json_put(o, "in_queue", json_integer(U(d->time_in_queue_ns / 1000000)));
	return json_put(o, "util", json_real(D(util)));
}

json_t *fio_json_build(const struct fio_json_in *in)
{
	const struct vms_workload *wl = in->wl;
	time_t now = time(NULL);
	char when[64];
	struct doc_ctx c = { .in = in, .e = malloc(sizeof(struct entry)) };
	unsigned nr_groups = 1;
	json_t *jobs = json_array();

	strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", localtime(&now));
	for (unsigned i = 0; wl && i < wl->nr_jobs; i++)
		nr_groups = wl->jobs[i].group + 1 > nr_groups ? wl->jobs[i].group + 1 : nr_groups;
	c.agg = calloc(nr_groups, sizeof(*c.agg));
	uint64_t (*max_run)[2] = calloc(nr_groups, sizeof(*max_run));
	if (!c.e || !c.agg || !max_run) {
		json_decref(jobs);
		jobs = NULL; /* fails the document */
	}
	/* fio's show_run_stats: each group's bytes and longest runtime of its entries */
	for (unsigned i = 0, last; jobs && in->jobs && in->nr_jobs && i < wl->nr_jobs; i = last) {
		last = entry_end(wl, i);
		entry_build(in, i, last, c.e);
		for (int d = 0; d < 2; d++) {
			uint64_t runt = runtime_ms(&c.e->dir[d]);
			if (!runt)
				continue;
			c.agg[wl->jobs[i].group][d] = add_sat_u64(c.agg[wl->jobs[i].group][d], c.e->dir[d].io_bytes);
			max_run[wl->jobs[i].group][d] = runt > max_run[wl->jobs[i].group][d] ? runt : max_run[wl->jobs[i].group][d];
		}
	}
	for (unsigned g = 0; jobs && g < nr_groups; g++)
		for (int d = 0; d < 2; d++)
			c.agg[g][d] = max_run[g][d] ? clamp_double_u64((double)c.agg[g][d] * 1000.0 / (double)max_run[g][d]) : 0;
	for (unsigned i = 0, last; jobs && in->jobs && in->nr_jobs && i < wl->nr_jobs; i = last) {
		last = entry_end(wl, i);
		/* Memory jobs are not fio's: fio's tools would misread them as I/O. */
		if (wl->jobs[i].ioengine == VMS_IOENGINE_MEM) {
			last = i + 1;
			continue;
		}
		entry_build(in, i, last, c.e);
		/* A job that cannot be written fails the document, rather than go missing from it. */
		jobs = json_push(jobs, entry_json(&c, i, last));
	}
	free(c.e);
	free(c.agg);
	free(max_run);
	json_t *doc = json_pack("{s:s, s:I, s:I, s:s}", "fio version", "fio-3.33 (vmsweep guest)", "timestamp",
				(json_int_t)now, "timestamp_ms", (json_int_t)now * 1000, "time", when);
	if (in->opts && in->opts->global.present)
		doc = json_put(doc, "global options", fio_json_optlist_json(&in->opts->global));
	doc = json_put(doc, "jobs", jobs);
	if (in->nr_disks) {
		json_t *du = json_array();
		for (unsigned i = 0; i < in->nr_disks; i++)
			du = json_push(du, disk_json(&in->disks[i]));
		doc = json_put(doc, "disk_util", du);
	}
	return doc;
}

json_t *fio_json_report(const struct vms_workload *wl, const struct vms_rec_fio_job *recs, unsigned nr)
{
	struct fio_json_in in = { .wl = wl, .jobs = recs, .nr_jobs = recs && nr && wl ? wl->nr_jobs : 0 };
	return fio_json_build(&in);
}
