/*
 * Real fio's JSON (3.33, --output-format=json or json+) as our fio.<entry>.* metrics
 * (records/fio_metrics.c). Entries are as fio reports them: a job, a group under its
 * first job's name (group_reporting), and numjobs clones, which real fio lists as
 * elements of one jobname, merged as fio_metrics merges them: I/O and histograms added,
 * runtime the longest, means weighted by their samples, maxima the largest.
 *   ios, io_bytes         jobs[].<dir>.total_ios, io_bytes
 *   iops, bw_bytes        those over runtime (ms): our formula (fio rounds bw_bytes down)
 *   clat_mean_ns, _max_ns clat_ns.mean (weighted by N), max
 *   clat_p50_ns..p999     with json+, from clat_ns.bins put into our buckets (fio's, so
 *                         each bin is one bucket) and our estimator, hist_percentile64:
 *                         fio's own, so a single job's come out as fio printed them and
 *                         merged clones as fio would have for their group. Without bins
 *                         (plain json), a one-element entry's clat_ns.percentile values
 *   <dir>.clat_ns         the histogram (json+ only)
 *   syncs                 sync.lat_ns.N: fsyncs and fdatasyncs (sync.total_ios counts only
 *                         the fsyncs), sync_lat_mean_ns its mean
 *   error                 jobs[].error, the first that is not 0
 *   task.cpu_ns           (usr_cpu + sys_cpu) % of job_runtime: getrusage's CPU time of the
 *                         job's threads where ours adds up its tasks' sum_exec_runtime
 * Not mapped: task.migrations and task.wakeups (fio has no such counts).
 * Left out: the exec jobs that run memory jobs (their numbers are the `mem` section's).
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <vmsweep/workload.h>

#include "backend/linux_metrics_internal.h"
#include "util/clamp.h"
#include "util/hist_stats.h"

#define SECTION "fio.json"
static const char *const dir_name[2] = { "read", "write" };

struct lfio_dir {
	uint64_t ios, io_bytes, runtime_ms;
	double clat_sum, clat_n, clat_max;
	uint64_t *counts; /* VMS_HIST_NR, when some element had bins */
	bool all_bins; /* every element with I/O in this direction had its bins */
	json_t *pcts; /* fio's percentiles, of a one-element entry */
};

struct lfio_entry {
	char name[VMS_WL_NAME_LEN + 1];
	unsigned parts; /* the JSON's elements merged here */
	bool does[2], cpuio;
	uint64_t error;
	double syncs, sync_lat_sum, cpu_ns;
	bool cpu_ok;
	struct lfio_dir dir[2];
};

/* A number the guest's fio printed: finite and not negative. */
static bool json_num(const json_t *o, const char *key, double *v)
{
	const json_t *x = json_object_get(o, key);
	if (!json_is_number(x))
		return false;
	*v = json_number_value(x);
	return isfinite(*v) && *v >= 0;
}

static bool json_u64(const json_t *o, const char *key, uint64_t *v)
{
	const json_t *x = json_object_get(o, key);
	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return false;
	*v = (uint64_t)json_integer_value(x);
	return true;
}

/* A name a metric can carry: printable, no blank, no fnmatch character. */
static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > VMS_WL_NAME_LEN)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || strchr("*?[]", *s))
			return false;
	return true;
}

static bool rw_does(const char *rw, int d)
{
	if (!strcmp(rw, "read") || !strcmp(rw, "randread"))
		return d == 0;
	if (!strcmp(rw, "write") || !strcmp(rw, "randwrite") || !strcmp(rw, "trimwrite"))
		return d == 1;
	return true;
}

static bool vms_rw_does(uint32_t rw, int d)
{
	switch (rw) {
	case VMS_RW_READ:
	case VMS_RW_RANDREAD: return d == 0;
	case VMS_RW_WRITE:
	case VMS_RW_RANDWRITE: return d == 1;
	default: return true;
	}
}

/* What the entry's jobs do: from wl's jobs reported under its name, else from fio's
 * own record of the options (the job's, else the global ones). */
static void entry_kind(struct lfio_entry *f, const json_t *job, const json_t *global, const struct vms_workload *wl)
{
	if (wl) {
		for (unsigned k = 0; k < wl->nr_jobs && k < VMS_WL_MAX_JOBS; k++) {
			const struct vms_job *j = &wl->jobs[k], *named = j;
			if (j->flags & VMS_JOB_GROUP_REPORTING) /* reported under its group's first job */
				for (unsigned g = 0; g < k; g++)
					if (wl->jobs[g].group == j->group) {
						named = &wl->jobs[g];
						break;
					}
			if (strncmp(named->name, f->name, VMS_WL_NAME_LEN))
				continue;
			f->cpuio |= j->ioengine == VMS_IOENGINE_CPU;
			for (int d = 0; d < 2; d++)
				f->does[d] |= vms_rw_does(j->rw, d);
		}
		return;
	}
	const json_t *opts[2] = { json_object_get(job, "job options"), global };
	for (int i = 0; i < 2; i++) {
		const char *rw = json_string_value(json_object_get(opts[i], "rw"));
		const char *rw2 = json_string_value(json_object_get(opts[i], "readwrite"));
		const char *engine = json_string_value(json_object_get(opts[i], "ioengine"));
		rw = rw ? rw : rw2;
		if (engine && !strcmp(engine, "cpuio"))
			f->cpuio = true;
		if (rw) {
			for (int d = 0; d < 2; d++)
				f->does[d] |= rw_does(rw, d);
			break;
		}
	}
}

/* clat_ns.bins {"ns": count} into counts: false when one is ill-formed. */
static bool bins_add(uint64_t *counts, const json_t *bins)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)bins, key, v) {
		char *end;
		if (*key < '0' || *key > '9')
			return false;
		unsigned long long ns = strtoull(key, &end, 10);
		if (*end || !json_is_integer(v) || json_integer_value(v) < 0)
			return false;
		unsigned i = vms_hist_index(ns);
		counts[i] = add_sat_u64(counts[i], (uint64_t)json_integer_value(v));
	}
	return true;
}

/* One element's direction into the entry's: false when ill-formed. */
static bool dir_add(struct lfio_dir *t, const json_t *o, unsigned parts)
{
	uint64_t ios, bytes, runt;
	double mean, n, max;
	const json_t *clat = json_object_get(o, "clat_ns"), *bins = json_object_get(clat, "bins");
	if (!json_u64(o, "total_ios", &ios) || !json_u64(o, "io_bytes", &bytes) || !json_u64(o, "runtime", &runt))
		return false;
	t->ios = add_sat_u64(t->ios, ios);
	t->io_bytes = add_sat_u64(t->io_bytes, bytes);
	t->runtime_ms = runt > t->runtime_ms ? runt : t->runtime_ms;
	if (!ios)
		return true;
	if (!json_num(clat, "mean", &mean) || !json_num(clat, "max", &max))
		return false;
	if (!json_num(clat, "N", &n)) /* fio before 3.x: the I/Os */
		n = (double)ios;
	t->clat_sum += mean * n;
	t->clat_n += n;
	if (!isfinite(t->clat_sum) || !isfinite(t->clat_n)) /* the guest's numbers, huge: not stored */
		return false;
	t->clat_max = max > t->clat_max ? max : t->clat_max;
	t->pcts = parts == 1 ? json_object_get(clat, "percentile") : NULL;
	if (!json_is_object(bins)) {
		t->all_bins = false;
		return true;
	}
	if (!t->counts && !(t->counts = calloc(VMS_HIST_NR, sizeof(*t->counts)))) {
		t->all_bins = false; /* out of memory: no percentiles, rather than none of it */
		return true;
	}
	return bins_add(t->counts, bins);
}

/* One jobs[] element into its entry: false when ill-formed (then counted once). */
static bool element_add(struct lfio_entry *f, const json_t *job)
{
	uint64_t err;
	double usr, sys, runt, v;
	const json_t *sync = json_object_get(job, "sync"), *lat = json_object_get(sync, "lat_ns");
	bool ok = json_u64(job, "error", &err);
	f->parts++;
	if (ok && !f->error)
		f->error = err;
	for (int d = 0; d < 2; d++)
		ok &= dir_add(&f->dir[d], json_object_get(job, dir_name[d]), f->parts);
	uint64_t total;
	if (!json_num(lat, "N", &v)) /* fio before 3.x: the syncs' count only */
		v = json_u64(sync, "total_ios", &total) ? (double)total : 0;
	if (v > 0) {
		double mean;
		if (json_num(lat, "mean", &mean)) {
			f->syncs += v;
			f->sync_lat_sum += mean * v;
		} else
			ok = false;
	}
	f->cpu_ok = (f->parts == 1 || f->cpu_ok) && json_num(job, "usr_cpu", &usr) && json_num(job, "sys_cpu", &sys) &&
		    json_num(job, "job_runtime", &runt);
	if (f->cpu_ok)
		f->cpu_ns += (usr + sys) / 100 * runt * 1e6;
	if (!isfinite(f->cpu_ns) || !isfinite(f->sync_lat_sum)) { /* the guest's numbers, huge: not stored */
		f->cpu_ok = false;
		f->cpu_ns = f->sync_lat_sum = 0;
		ok = false;
	}
	return ok;
}

static void pct_from_fio(struct emit *e, const char *prefix, const json_t *pcts)
{
	static const struct {
		const char *key, *name;
	} p[] = { { "50.000000", "p50" }, { "90.000000", "p90" }, { "99.000000", "p99" }, { "99.900000", "p999" } };
	double v;
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (json_num(pcts, p[i].key, &v))
			emit_put(e, v, "%sclat_%s_ns", prefix, p[i].name);
}

static void entry_emit(struct linux_emit *m, struct lfio_entry *f)
{
	struct emit *e = &m->e;
	emit_put(e, (double)f->error, "fio.%s.error", f->name);
	if (f->cpu_ok)
		emit_put(e, f->cpu_ns, "fio.%s.task.cpu_ns", f->name);
	if (f->syncs > 0) {
		emit_put(e, f->syncs, "fio.%s.syncs", f->name);
		emit_put(e, f->sync_lat_sum / f->syncs, "fio.%s.sync_lat_mean_ns", f->name);
	}
	for (int d = 0; d < 2; d++) {
		struct lfio_dir *t = &f->dir[d];
		if ((!f->does[d] && !t->ios) || f->cpuio)
			continue;
		char prefix[STORE_NAME_MAX];
		double secs = (double)t->runtime_ms / 1e3, ios = (double)t->ios;
		snprintf(prefix, sizeof(prefix), "fio.%s.%s.", f->name, dir_name[d]);
		emit_put(e, ios, "%sios", prefix);
		emit_put(e, (double)t->io_bytes, "%sio_bytes", prefix);
		emit_put(e, secs > 0 ? ios / secs : ios ? NAN : 0, "%siops", prefix);
		emit_put(e, secs > 0 ? (double)t->io_bytes / secs : ios ? NAN : 0, "%sbw_bytes", prefix);
		if (!t->ios || !(t->clat_n > 0))
			continue;
		emit_put(e, t->clat_sum / t->clat_n, "%sclat_mean_ns", prefix);
		if (t->counts && t->all_bins && hist_total64(t->counts, VMS_HIST_NR)) {
			char clat[STORE_NAME_MAX + 8], hname[STORE_NAME_MAX + 16];
			snprintf(clat, sizeof(clat), "%sclat_", prefix);
			emit_pcts(e, clat, "_ns", t->counts);
			snprintf(hname, sizeof(hname), "%sclat_ns", prefix);
			struct store_hist *h = store_run_hist(e->r, hname);
			if (h)
				memcpy(h->counts, t->counts, sizeof(h->counts));
			else
				e->bad++;
		} else if (t->pcts && f->parts == 1)
			pct_from_fio(e, prefix, t->pcts);
		emit_put(e, t->clat_max, "%sclat_max_ns", prefix);
	}
}

void linux_fio_metrics(struct linux_emit *m, const struct linux_sections *s, const struct vms_workload *wl)
{
	const struct linux_section *sec = linux_section_find(s, SECTION);
	if (!sec)
		return;
	/* fio may print a note before its JSON on stdout: the JSON starts at a line's '{' */
	const char *p = sec->data;
	while (*p && *p != '{')
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p);
	json_error_t je;
	json_t *root = json_loadb(p, sec->len - (size_t)(p - sec->data), JSON_DISABLE_EOF_CHECK, &je);
	const json_t *jobs = json_object_get(root, "jobs"), *global = json_object_get(root, "global options");
	if (!root || !json_is_array(jobs)) {
		linux_section_bad(m, SECTION, root ? "no \"jobs\" array" : "not JSON: line %d: %s", je.line, je.text);
		json_decref(root);
		return;
	}
	size_t nj = json_array_size(jobs) < VMS_WL_MAX_JOBS ? json_array_size(jobs) : VMS_WL_MAX_JOBS;
	struct lfio_entry *ent = calloc(nj ? nj : 1, sizeof(*ent));
	unsigned ne = 0, bad = 0;
	if (!ent) {
		m->e.bad++;
		json_decref(root);
		return;
	}
	for (size_t i = 0; i < nj; i++) {
		const json_t *job = json_array_get(jobs, i);
		const char *name = json_string_value(json_object_get(job, "jobname")),
			   *engine = json_string_value(json_object_get(json_object_get(job, "job options"), "ioengine"));
		if (engine && !strcmp(engine, "exec"))
			continue; /* a memory job (cmd/baseline_memjob.c): left out, as ours leave theirs out */
		if (!name || !name_ok(name)) {
			bad++;
			continue;
		}
		unsigned x = 0;
		while (x < ne && strcmp(ent[x].name, name))
			x++;
		if (x == ne) {
			memcpy(ent[ne].name, name, strlen(name) + 1);
			for (int d = 0; d < 2; d++)
				ent[ne].dir[d].all_bins = true;
			entry_kind(&ent[ne++], job, global, wl);
		}
		bad += !element_add(&ent[x], job);
	}
	if (json_array_size(jobs) > nj)
		bad++;
	for (unsigned x = 0; x < ne; x++)
		entry_emit(m, &ent[x]);
	if (bad)
		linux_section_bad(m, SECTION, "%u of %zu jobs[] elements ill-formed or beyond %d (left out or in part)", bad,
				  json_array_size(jobs), VMS_WL_MAX_JOBS);
	for (unsigned x = 0; x < ne; x++)
		for (int d = 0; d < 2; d++)
			free(ent[x].dir[d].counts);
	free(ent);
	json_decref(root);
}
