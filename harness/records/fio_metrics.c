/*
 * The fio jobs' part of a run's metric set: per report entry (a job, its section's
 * clones, or its group), merged as fio merges a group: I/O and histograms added,
 * runtime the longest.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <vmsweep/workload.h>

#include "records/fio.h"
#include "store/store_internal.h"
#include "util/clamp.h"
#include "util/hist_stats.h"
#include "vmm/vm.h"

/* One fio report entry: a job, a group (group_reporting) or a section's clones. */
struct fio_entry {
	char name[VMS_WL_NAME_LEN + 1];
	bool does[2]; /* the rw mode reads / writes */
	bool cpuio; /* ioengine=cpuio: its "reads" are burn cycles of no data, no I/O metrics */
	uint64_t task_cpu_ns, task_migrations, task_wakeups; /* its jobs' tasks, added up */
	uint32_t error;
	uint64_t syncs, sync_lat_ns;
	struct {
		uint64_t io_bytes, ios, runtime_ns, max_ns, sum_ns;
	} dir[2]; /* their histograms are in the run's hists, at hist_idx (fio_metrics) */
};
_Static_assert(offsetof(struct fio_entry, name) == 0, "job_entry_find reads the name first");

static bool rw_does(uint32_t rw, int dir)
{
	switch (rw) {
	case VMS_RW_READ:
	case VMS_RW_RANDREAD:
		return dir == 0;
	case VMS_RW_WRITE:
	case VMS_RW_RANDWRITE:
		return dir == 1;
	default:
		return true;
	}
}

void fio_metrics(struct emit *e, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct fio_records *fr = fio_records(res);
	static const char *const dir_name[2] = { "read", "write" };
	if (!wl || !fr->jobs || !wl->nr_jobs)
		return;
	unsigned nj = wl->nr_jobs < VMS_WL_MAX_JOBS ? wl->nr_jobs : VMS_WL_MAX_JOBS;
	struct fio_entry *ent = calloc(nj, sizeof(*ent));
	size_t *hist_idx = calloc(2 * (size_t)nj, sizeof(*hist_idx));
	unsigned ne = 0;
	if (!ent || !hist_idx) {
		e->bad++;
		goto out;
	}
	for (unsigned k = 0; k < nj; k++) {
		const struct vms_job *j = &wl->jobs[k];
		const struct vms_rec_fio_job *rec = &fr->jobs[k];
		/* A job whose record never came (a failed run): nothing to add. */
		if (!rec->start_ns && !rec->end_ns && !rec->dir[0].ios && !rec->dir[1].ios)
			continue;
		unsigned x = job_entry_find(wl, k, ent, sizeof(*ent), ne);
		if (x == ne) {
			for (int d = 0; d < 2; d++) {
				if (!store_run_hist(e->r, "")) {
					e->bad++;
					goto out;
				}
				/* The hists array may move as it grows: keep indices. */
				hist_idx[2 * ne + (unsigned)d] = e->r->nr_hists - 1;
				snprintf(e->r->hists[e->r->nr_hists - 1].name, STORE_NAME_MAX, "fio.%s.%s.clat_ns",
					 ent[x].name, dir_name[d]);
			}
			ne++;
		}
		struct fio_entry *f = &ent[x];
		f->error = f->error ? f->error : rec->error;
		f->cpuio |= j->ioengine == VMS_IOENGINE_CPU;
		f->task_cpu_ns = add_sat_u64(f->task_cpu_ns, rec->task_cpu_ns);
		f->task_migrations = add_sat_u64(f->task_migrations, rec->task_migrations);
		f->task_wakeups = add_sat_u64(f->task_wakeups, rec->task_wakeups);
		f->syncs = add_sat_u64(f->syncs, rec->nr_syncs); /* the guest's counts: never wrapped */
		f->sync_lat_ns = add_sat_u64(f->sync_lat_ns, rec->sync_lat_sum_ns);
		for (int d = 0; d < 2; d++) {
			const struct vms_fio_dir *src = &rec->dir[d];
			f->does[d] |= rw_does(j->rw, d);
			f->dir[d].io_bytes = add_sat_u64(f->dir[d].io_bytes, src->io_bytes);
			f->dir[d].ios = add_sat_u64(f->dir[d].ios, src->ios);
			f->dir[d].sum_ns = add_sat_u64(f->dir[d].sum_ns, src->clat_sum_ns);
			f->dir[d].runtime_ns = src->runtime_ns > f->dir[d].runtime_ns ? src->runtime_ns : f->dir[d].runtime_ns;
			f->dir[d].max_ns = src->clat_max_ns > f->dir[d].max_ns ? src->clat_max_ns : f->dir[d].max_ns;
			hist_merge(e->r->hists[hist_idx[2 * x + (unsigned)d]].counts, src->clat_buckets, VMS_HIST_NR);
		}
	}
	for (unsigned x = 0; x < ne; x++) {
		struct fio_entry *f = &ent[x];
		emit_put(e, f->error, "fio.%s.error", f->name);
		emit_put(e, (double)f->task_cpu_ns, "fio.%s.task.cpu_ns", f->name);
		emit_put(e, (double)f->task_migrations, "fio.%s.task.migrations", f->name);
		emit_put(e, (double)f->task_wakeups, "fio.%s.task.wakeups", f->name);
		if (f->syncs) {
			emit_put(e, (double)f->syncs, "fio.%s.syncs", f->name);
			emit_put(e, (double)f->sync_lat_ns / (double)f->syncs, "fio.%s.sync_lat_mean_ns", f->name);
		}
		for (int d = 0; d < 2; d++) {
			if ((!f->does[d] && !f->dir[d].ios) || f->cpuio)
				continue;
			char prefix[STORE_NAME_MAX];
			double secs = (double)f->dir[d].runtime_ns / 1e9, ios = (double)f->dir[d].ios;
			snprintf(prefix, sizeof(prefix), "fio.%s.%s.", f->name, dir_name[d]);
			emit_put(e, ios, "%sios", prefix);
			emit_put(e, (double)f->dir[d].io_bytes, "%sio_bytes", prefix);
			emit_put(e, secs > 0 ? ios / secs : ios ? NAN : 0, "%siops", prefix);
			emit_put(e, secs > 0 ? (double)f->dir[d].io_bytes / secs : ios ? NAN : 0, "%sbw_bytes", prefix);
			if (!f->dir[d].ios)
				continue;
			emit_put(e, (double)f->dir[d].sum_ns / ios, "%sclat_mean_ns", prefix);
			char clat[STORE_NAME_MAX + 8];
			snprintf(clat, sizeof(clat), "%sclat_", prefix);
			emit_pcts(e, clat, "_ns", e->r->hists[hist_idx[2 * x + (unsigned)d]].counts);
			emit_put(e, (double)f->dir[d].max_ns, "%sclat_max_ns", prefix);
		}
	}
out:
	free(ent);
	free(hist_idx);
}
