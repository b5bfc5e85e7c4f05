/*
 * Writeback's part of a run's metric set: the era and its thresholds at the end
 * (writeback.*), each disk's pages and who wrote them (disk.<vdX>.writeback.*), each
 * buffered writer's balance_dirty_pages pauses and write time split
 * (writeback.<job>.*, merged by report name as fio merges a group), and the dirty
 * state every sample_ms as time series (writeback.*, writeback.<vdX>.*).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "records/wb.h"
#include "store/store_internal.h"
#include "util/clamp.h"
#include "util/hist_stats.h"
#include "vmm/vm.h"

static void end_metrics(struct emit *e, const struct vms_rec_wb *r)
{
	emit_put(e, r->model, "writeback.model");
	emit_put(e, (double)r->dirty_ratio, "writeback.dirty_ratio");
	emit_put(e, (double)r->dirty_background_ratio, "writeback.dirty_background_ratio");
	emit_put(e, (double)r->dirty_bytes, "writeback.dirty_bytes");
	emit_put(e, (double)r->dirty_background_bytes, "writeback.dirty_background_bytes");
	emit_put(e, (double)r->dirtyable_at_end, "writeback.dirtyable_pages");
	emit_put(e, (double)r->thresh_at_end, "writeback.thresh_pages");
	emit_put(e, (double)r->bg_thresh_at_end, "writeback.bg_thresh_pages");
	emit_put(e, (double)r->ratelimit_pages, "writeback.ratelimit_pages");
	emit_put(e, (double)r->laptop_flushes, "writeback.laptop_flushes");
	if (r->model == VMS_WB_PDFLUSH) { /* the other eras have no pool */
		emit_put(e, r->pdflush_threads_min, "writeback.pdflush_threads_min");
		emit_put(e, r->pdflush_threads_max, "writeback.pdflush_threads_max");
		emit_put(e, (double)r->pdflush_created, "writeback.pdflush_created");
		emit_put(e, (double)r->pdflush_exited, "writeback.pdflush_exited");
		emit_put(e, (double)r->pdflush_busy_refusals, "writeback.pdflush_busy_refusals");
	}
	for (unsigned i = 0; i < r->nr_disks && i < VMS_MAX_DISKS; i++) {
		const typeof(r->disks[0]) *d = &r->disks[i];
		char name[8], p[32];
		wb_disk_name(i, name, sizeof(name));
		snprintf(p, sizeof(p), "disk.%s.writeback.", name);
		emit_put(e, (double)d->dirtied, "%sdirtied", p);
		emit_put(e, (double)d->written, "%swritten", p);
		for (unsigned k = 0; k < VMS_WB_BY_NR; k++)
			emit_put(e, (double)d->written_by[k], "%swritten_by_%s", p, wb_by_names[k]);
		for (unsigned k = 0; k < WB_NR_WORKS; k++)
			emit_put(e, (double)d->works[k], "%sworks_%s", p, wb_work_names[k]);
		emit_put(e, (double)d->congestion_waits, "%scongestion_waits", p);
		emit_put(e, (double)d->congested_ns, "%scongested_ns", p);
		emit_put(e, (double)d->flusher_busy_ns, "%sflusher_busy_ns", p);
	}
}

/* One report entry: a writer job, its section's clones, or its group (group_reporting). */
struct writer_entry {
	char name[VMS_WL_NAME_LEN + 1];
	uint64_t writes, pages_dirtied, throttled_writes;
	uint64_t time_ns[VMS_WB_TIME_NR];
	uint64_t pauses, pause_max_ns, pause_sum_ns, period_sum_ns, think_sum_ns;
	size_t hist; /* index in the run's hists: the array moves as it grows */
};
_Static_assert(offsetof(struct writer_entry, name) == 0, "job_entry_find reads the name first");

static void entry_add(struct emit *e, struct writer_entry *x, const struct vms_rec_wb_writer *r)
{
	x->writes = add_sat_u64(x->writes, r->writes);
	x->pages_dirtied = add_sat_u64(x->pages_dirtied, r->pages_dirtied);
	x->throttled_writes = add_sat_u64(x->throttled_writes, r->throttled_writes);
	for (unsigned k = 0; k < VMS_WB_TIME_NR; k++)
		x->time_ns[k] = add_sat_u64(x->time_ns[k], r->time_ns[k]);
	x->pauses = add_sat_u64(x->pauses, r->pauses);
	x->pause_max_ns = r->pause_max_ns > x->pause_max_ns ? r->pause_max_ns : x->pause_max_ns;
	x->pause_sum_ns = add_sat_u64(x->pause_sum_ns, r->pause_sum_ns);
	x->period_sum_ns = add_sat_u64(x->period_sum_ns, r->period_sum_ns);
	x->think_sum_ns += r->think_sum_ns; /* two's complement: see wb_think_sum */
	hist_merge(e->r->hists[x->hist].counts, r->pause_buckets, VMS_HIST_NR);
}

/* Figures that do not grow with the run's length: per pause, per write, shares of time. */
static void entry_metrics(struct emit *e, const struct writer_entry *x)
{
	char p[STORE_NAME_MAX];
	double total = 0, writes = (double)x->writes, pauses = (double)x->pauses;

	snprintf(p, sizeof(p), "writeback.%s.", x->name);
	emit_put(e, writes, "%swrites", p);
	emit_put(e, (double)x->pages_dirtied, "%spages_dirtied", p);
	emit_put(e, (double)x->throttled_writes, "%sthrottled_writes", p);
	emit_put(e, pauses, "%spauses", p);
	for (unsigned k = 0; k < VMS_WB_TIME_NR; k++)
		total += (double)x->time_ns[k];
	for (unsigned k = 0; k < VMS_WB_TIME_NR && x->writes; k++) {
		emit_put(e, (double)x->time_ns[k] / writes, "%s%s_ns_per_write", p, wb_time_names[k]);
		emit_put(e, total > 0 ? (double)x->time_ns[k] / total : 0, "%s%s_fraction", p, wb_time_names[k]);
	}
	if (!x->pauses)
		return;
	char pause[STORE_NAME_MAX + 8];
	snprintf(pause, sizeof(pause), "%spause_", p);
	emit_pcts(e, pause, "_ns", e->r->hists[x->hist].counts);
	emit_put(e, (double)x->pause_max_ns, "%spause_max_ns", p);
	emit_put(e, (double)x->pause_sum_ns / pauses, "%spause_mean_ns", p);
	emit_put(e, (double)x->period_sum_ns / pauses, "%speriod_mean_ns", p);
	emit_put(e, (double)wb_think_sum(x->think_sum_ns) / pauses, "%sthink_mean_ns", p);
}

static void writer_metrics(struct emit *e, const struct wb_records *w, const struct vms_workload *wl)
{
	if (!wl || !w->nr_writers || !wl->nr_jobs)
		return;
	unsigned ne = 0;
	struct writer_entry *ent = calloc(w->nr_writers, sizeof(*ent));
	if (!ent) {
		e->bad++;
		return;
	}
	for (size_t i = 0; i < w->nr_writers; i++) {
		const struct vms_rec_wb_writer *r = &w->writers[i]; /* r->job < wl->nr_jobs: taken so */
		unsigned x = job_entry_find(wl, r->job, ent, sizeof(*ent), ne);
		if (x == ne) {
			char name[STORE_NAME_MAX + 1];
			int n = snprintf(name, sizeof(name), "writeback.%s.pause_ns", ent[x].name);
			if (n < 0 || n >= STORE_NAME_MAX || !store_run_hist(e->r, name)) {
				e->bad++;
				goto out;
			}
			ent[x].hist = e->r->nr_hists - 1;
			ne++;
		}
		entry_add(e, &ent[x], r);
	}
	for (unsigned x = 0; x < ne; x++)
		entry_metrics(e, &ent[x]);
out:
	free(ent);
}

void wb_metrics(struct emit *e, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct wb_records *w = wb_records(res);

	if (w->have_end)
		end_metrics(e, &w->end);
	writer_metrics(e, w, wl);
}

/* A disk's series are kept when it took part: pages dirtied or written on it. */
static bool disk_active(const struct wb_records *w, unsigned i)
{
	if (w->have_end)
		return i < w->end.nr_disks && (w->end.disks[i].dirtied || w->end.disks[i].written);
	for (size_t k = 0; k < w->nr_samples; k++)
		if (i < w->samples[k].nr_disks && w->samples[k].disks[i].wb_dirty)
			return true;
	return false;
}

#define SAMPLE(e, name, t, v) ((e)->bad += store_run_sample((e)->r, (name), (t), (double)(v)) != 0)

static void disk_series(struct emit *e, const struct vms_wb_disk_sample *d, const char *disk, uint64_t t)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
#define F(m) { #m, offsetof(struct vms_wb_disk_sample, m) }
		F(wb_dirty),   F(wb_thresh),	F(dirty_ratelimit), F(balanced_dirty_ratelimit),
		F(write_bw),   F(avg_write_bw), F(dirty_rate),
#undef F
	};
	char name[STORE_NAME_MAX];
	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		snprintf(name, sizeof(name), "writeback.%s.%s", disk, fields[k].name);
		SAMPLE(e, name, t, *(const uint64_t *)((const char *)d + fields[k].off));
	}
}

/* The data of Linux's global_dirty_state and bdi_dirty_ratelimit tracepoints. */
void wb_series(struct emit *e, const struct vm_result *res)
{
	const struct wb_records *w = wb_records(res);
	bool active[VMS_MAX_DISKS], pdflush = w->have_end && w->end.model == VMS_WB_PDFLUSH;
	char disk[VMS_MAX_DISKS][8];

	if (!w->nr_samples || !res->tsc_khz)
		return;
	for (unsigned i = 0; i < VMS_MAX_DISKS; i++) {
		active[i] = disk_active(w, i);
		wb_disk_name(i, disk[i], sizeof(disk[i]));
	}
	for (size_t k = 0; k < w->nr_samples && !pdflush; k++)
		pdflush = w->samples[k].nr_pdflush_threads != 0;
	uint64_t t0 = series_t0(res);
	for (size_t k = 0; k < w->nr_samples; k++) {
		const struct vms_rec_wb_sample *s = &w->samples[k];
		if (s->tsc < t0) /* the guest's word: untrusted */
			continue;
		/* The guest's TSC: any value, so the ns may not fit; the store keeps int64 (util/clamp.h). */
		uint64_t t = (uint64_t)clamp_double_ll((double)(s->tsc - t0) * 1e6 / (double)res->tsc_khz);
		SAMPLE(e, "writeback.nr_dirty", t, s->nr_dirty);
		SAMPLE(e, "writeback.nr_writeback", t, s->nr_writeback);
		/* What the thresholds are compared with: balance_dirty_pages' "dirty". */
		SAMPLE(e, "writeback.dirty", t, (double)s->nr_dirty + (double)s->nr_writeback);
		SAMPLE(e, "writeback.bg_thresh", t, s->bg_thresh);
		SAMPLE(e, "writeback.thresh", t, s->thresh);
		SAMPLE(e, "writeback.freerun", t, s->freerun);
		SAMPLE(e, "writeback.setpoint", t, s->setpoint);
		SAMPLE(e, "writeback.limit", t, s->limit);
		if (pdflush)
			SAMPLE(e, "writeback.nr_pdflush_threads", t, s->nr_pdflush_threads);
		for (unsigned i = 0; i < s->nr_disks && i < VMS_MAX_DISKS; i++)
			if (active[i])
				disk_series(e, &s->disks[i], disk[i], t);
	}
}

const struct metric_doc wb_metric_docs[] = {
	{ "writeback.model", "the writeback era (writeback_model): 0 pdflush, 1 bdi, 2 ioless" },
	{ "writeback.dirty_ratio", "vm.dirty_ratio in effect (auto resolved to the era's), 0 when dirty_bytes is set" },
	{ "writeback.dirty_background_ratio", "vm.dirty_background_ratio in effect, 0 when dirty_background_bytes is set" },
	{ "writeback.dirty_bytes", "vm.dirty_bytes, 0 when the ratio is in effect" },
	{ "writeback.dirty_background_bytes", "vm.dirty_background_bytes, 0 when the ratio is in effect" },
	{ "writeback.dirtyable_pages", "global_dirtyable_memory at the end, pages" },
	{ "writeback.thresh_pages", "the dirty threshold (throttling) at the end, pages" },
	{ "writeback.bg_thresh_pages", "the background writeback threshold at the end, pages" },
	{ "writeback.ratelimit_pages", "ratelimit_pages: pages a task dirties between balance_dirty_pages calls" },
	{ "writeback.laptop_flushes", "laptop mode's flushes of everything" },
	{ "writeback.pdflush_threads_min", "pdflush era: the fewest pdflush threads seen" },
	{ "writeback.pdflush_threads_max", "pdflush era: the most pdflush threads seen" },
	{ "writeback.pdflush_created", "pdflush era: pdflush threads started" },
	{ "writeback.pdflush_exited", "pdflush era: pdflush threads that exited, idle for over a second" },
	{ "writeback.pdflush_busy_refusals", "pdflush era: work refused because every thread was busy" },
	{ "disk.*.writeback.dirtied", "pages dirtied on the disk (per disk: vda, vdb, ...)" },
	{ "disk.*.writeback.written", "its pages whose writeback completed" },
	{ "disk.*.writeback.written_by_background", "pages whose writeback the flusher (or pdflush) started over the background threshold" },
	{ "disk.*.writeback.written_by_periodic", "started by periodic writeback of expired data (kupdate)" },
	{ "disk.*.writeback.written_by_sync", "started by sync or laptop mode's flush" },
	{ "disk.*.writeback.written_by_dirtier", "started by the dirtying task in balance_dirty_pages (pdflush, bdi eras)" },
	{ "disk.*.writeback.written_by_fsync", "started by fsync, fdatasync, O_SYNC, end_fsync" },
	{ "disk.*.writeback.written_by_reclaim", "started by kswapd or direct reclaim (pageout)" },
	{ "disk.*.writeback.works_background", "background work the disk's flusher did" },
	{ "disk.*.writeback.works_periodic", "periodic (kupdate) work done" },
	{ "disk.*.writeback.works_sync", "sync work done" },
	{ "disk.*.writeback.congestion_waits", "congestion_wait calls that found the disk congested" },
	{ "disk.*.writeback.congested_ns", "time its request queue was congested (2.6's 7/8 full), ns" },
	{ "disk.*.writeback.flusher_busy_ns", "time a flusher (or pdflush thread) spent writing it, ns" },
	{ "writeback.*.writes", "a buffered writer job's writes (per job, as fio reports it)" },
	{ "writeback.*.pages_dirtied", "pages its writes newly dirtied" },
	{ "writeback.*.throttled_writes", "writes that paused in balance_dirty_pages" },
	{ "writeback.*.pauses", "its balance_dirty_pages pauses" },
	{ "writeback.*.pause_p[0-9]*_ns", "pause length percentiles p50, p90, p99, p999 from fio's buckets, ns" },
	{ "writeback.*.pause_max_ns", "its longest pause, ns" },
	{ "writeback.*.pause_mean_ns", "its mean pause, ns" },
	{ "writeback.*.period_mean_ns", "mean period of the pauses (the tracepoint's period: pages over the task's rate), ns" },
	{ "writeback.*.think_mean_ns", "mean think time before a pause (the tracepoint's think; negative: back before the last pause's end), ns" },
	{ "writeback.*.copy_ns_per_write", "per write: copying into the page cache, ns" },
	{ "writeback.*.throttle_ns_per_write", "per write: in balance_dirty_pages (sleeping, or writing in older eras), ns" },
	{ "writeback.*.writeback_wait_ns_per_write", "per write: waiting on a page under writeback, ns" },
	{ "writeback.*.reclaim_ns_per_write", "per write: allocating its page cache pages, reclaim included, ns" },
	{ "writeback.*.copy_fraction", "share of the writes' time spent copying, 0..1" },
	{ "writeback.*.throttle_fraction", "share of the writes' time in balance_dirty_pages" },
	{ "writeback.*.writeback_wait_fraction", "share waiting on pages under writeback" },
	{ "writeback.*.reclaim_fraction", "share allocating pages, reclaim included" },
	{ NULL, NULL },
};
