/* struct store_run: building one, and the metric set of a guest run (names in metric_docs.c and the record families). */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <vmsweep/workload.h>

#include "records/family.h"
#include "store/store_internal.h"
#include "util/array.h"
#include "util/clamp.h"
#include "util/guest_text.h"
#include "util/hist_stats.h"
#include "vmm/vm.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int set_name(char *dst, const char *name)
{
	size_t len = strlen(name);
	if (len >= STORE_NAME_MAX)
		return -1;
	memcpy(dst, name, len + 1);
	return 0;
}

int store_run_metric(struct store_run *r, const char *name, double value)
{
	if (array_grow((void **)&r->metrics, &r->cap_metrics, r->nr_metrics + 1, sizeof(*r->metrics)))
		return -1;
	struct store_metric *m = &r->metrics[r->nr_metrics];
	if (set_name(m->name, name))
		return -1;
	m->value = value;
	r->nr_metrics++;
	return 0;
}

struct store_hist *store_run_hist(struct store_run *r, const char *name)
{
	if (array_grow((void **)&r->hists, &r->cap_hists, r->nr_hists + 1, sizeof(*r->hists)))
		return NULL;
	struct store_hist *h = &r->hists[r->nr_hists];
	memset(h->counts, 0, sizeof(h->counts));
	if (set_name(h->name, name))
		return NULL;
	r->nr_hists++;
	return h;
}

int store_run_sample(struct store_run *r, const char *series, uint64_t t_ns, double value)
{
	struct store_series *ts = NULL;
	/* The newest series first: samples usually come series by series. */
	for (size_t i = r->nr_series; i-- > 0 && !ts;)
		if (!strcmp(r->series[i].name, series))
			ts = &r->series[i];
	if (!ts) {
		if (array_grow((void **)&r->series, &r->cap_series, r->nr_series + 1, sizeof(*r->series)))
			return -1;
		ts = &r->series[r->nr_series];
		memset(ts, 0, sizeof(*ts));
		if (set_name(ts->name, series))
			return -1;
		r->nr_series++;
	}
	if (array_grow((void **)&ts->v, &ts->cap, ts->n + 1, sizeof(*ts->v)))
		return -1;
	ts->v[ts->n++] = (struct store_sample){ t_ns, value };
	return 0;
}

void store_run_free(struct store_run *r)
{
	if (!r)
		return;
	free(r->metrics);
	free(r->hists);
	for (size_t i = 0; i < r->nr_series; i++)
		free(r->series[i].v);
	free(r->series);
	free(r->console);
	memset(r, 0, sizeof(*r));
}

/* ---- From a vm_result ---- */

void emit_put(struct emit *e, double v, const char *fmt, ...)
{
	char name[STORE_NAME_MAX + 1];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= STORE_NAME_MAX || store_run_metric(e->r, name, v))
		e->bad++;
	else if (!metric_name_known(name)) { /* a programming error: tests meet it first */
		fprintf(stderr, "vmsweep: internal: metric '%s' is in no metric table (store/metric_docs.c, records/)\n", name);
		e->bad++;
	}
}

void emit_fields(struct emit *e, const char *prefix, const void *rec, const struct emit_field *fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		emit_put(e, (double)*(const uint64_t *)((const char *)rec + fields[i].off), "%s%s", prefix,
			 fields[i].name);
}

unsigned job_entry_find(const struct vms_workload *wl, unsigned k, void *entries, size_t size, unsigned ne)
{
	char name[VMS_WL_NAME_LEN + 1];
	/* group_reporting reports the group under its first job's name, as fio does. */
	const struct vms_job *named = &wl->jobs[k];
	if (named->flags & VMS_JOB_GROUP_REPORTING)
		for (unsigned g = 0; g < k; g++)
			if (wl->jobs[g].group == named->group) {
				named = &wl->jobs[g];
				break;
			}
	snprintf(name, sizeof(name), "%.*s", VMS_WL_NAME_LEN, named->name);
	unsigned x = 0;
	while (x < ne && strcmp((const char *)entries + x * size, name))
		x++;
	if (x == ne)
		memcpy((char *)entries + x * size, name, sizeof(name));
	return x;
}

static void boot_metrics(struct emit *e, const struct vm_result *res)
{
	emit_put(e, res->t_created_us, "boot_us.created");
	if (res->have_boot) {
		emit_put(e, res->t_first_insn_us, "boot_us.first_insn");
		emit_put(e, res->t_main_us, "boot_us.main");
		emit_put(e, res->t_workload_us, "boot_us.workload");
		emit_put(e, res->t_done_us, "boot_us.done");
	}
	emit_put(e, res->t_end_us, "boot_us.end");
}

/* Summed over the CPUs; in the order the metrics have always been stored. */
#define CPU_FIELD(name, member) EMIT_FIELD_AS(struct vms_rec_cpu, member, name)
static const struct emit_field cpu_fields[] = {
	CPU_FIELD("switches", nr_switches), CPU_FIELD("preemptions", nr_preemptions),
	CPU_FIELD("ticks", nr_ticks), CPU_FIELD("ipis_sent", nr_ipi_sent),
	CPU_FIELD("ipis_received", nr_ipi_received), CPU_FIELD("wakeups", nr_wakeups),
	CPU_FIELD("migrations", nr_migrations), CPU_FIELD("halts", nr_halts),
	CPU_FIELD("work_loops", work_loops), CPU_FIELD("busy_ns", busy_ns),
	CPU_FIELD("idle_ns", idle_ns), CPU_FIELD("tick_stops", nr_tick_stops),
	CPU_FIELD("tick_restarts", nr_tick_restarts),
};

static void cpu_metrics(struct emit *e, const struct vm_result *res)
{
	struct vms_rec_cpu sum = { 0 };
	unsigned n = res->nr_cpu_recs < VMS_MAX_CPUS ? res->nr_cpu_recs : VMS_MAX_CPUS;
	if (!n)
		return;
	for (unsigned i = 0; i < n; i++)
		for (size_t k = 0; k < ARRAY_SIZE(cpu_fields); k++)
			*(uint64_t *)((char *)&sum + cpu_fields[k].off) +=
				*(const uint64_t *)((const char *)&res->cpus[i] + cpu_fields[k].off);
	emit_fields(e, "cpu.", &sum, cpu_fields, ARRAY_SIZE(cpu_fields));
	double total = (double)sum.busy_ns + (double)sum.idle_ns;
	emit_put(e, total > 0 ? 100.0 * (double)sum.idle_ns / total : NAN, "cpu.idle_pct");
}

/* The host's side of each vCPU: steal (runnable on the host, not running), and overcommit. */
static void host_metrics(struct emit *e, const struct vm_result *res)
{
	const struct vm_placement *p = &res->placement;
	uint64_t steal, wall;
	unsigned n = res->nr_vcpus < VMS_MAX_CPUS ? res->nr_vcpus : VMS_MAX_CPUS;
	vm_placement_steal_total(p, n, &steal, &wall);
	if (!wall)
		return;
	emit_put(e, (double)steal, "cpu.steal_ns");
	emit_put(e, 100.0 * (double)steal / (double)wall, "cpu.steal_pct");
	for (unsigned i = 0; i < n; i++)
		if (p->vcpus[i].have_steal)
			emit_put(e, (double)p->vcpus[i].steal_ns, "cpu.%u.steal_ns", i);
	emit_put(e, p->overcommit, "host.overcommit");
	for (unsigned i = 0; p->pin.mode != VM_PIN_NONE && i < n; i++) /* the placement, when pinned */
		emit_put(e, p->vcpus[i].host_cpu, "cpu.%u.host_cpu", i);
}

void emit_pcts(struct emit *e, const char *prefix, const char *suffix, const uint64_t *counts)
{
	static const struct {
		double p;
		const char *name;
	} pcts[] = { { 50, "p50" }, { 90, "p90" }, { 99, "p99" }, { 99.9, "p999" } };
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		emit_put(e, (double)hist_percentile64(counts, VMS_HIST_NR, pcts[i].p), "%s%s%s", prefix, pcts[i].name,
		    suffix);
}

static void wakeup_metrics(struct emit *e, const struct vm_result *res)
{
	const struct vms_rec_hist *h = &res->wakeup;
	if (!res->have_wakeup || !h->samples)
		return;
	struct store_hist *sh = store_run_hist(e->r, "wakeup_ns");
	if (!sh) {
		e->bad++;
		return;
	}
	hist_merge(sh->counts, res->wakeup_buckets, VMS_HIST_NR);
	emit_put(e, (double)h->samples, "wakeup_ns.samples");
	emit_put(e, (double)h->sum_ns / (double)h->samples, "wakeup_ns.mean");
	emit_put(e, (double)h->min_ns, "wakeup_ns.min");
	emit_put(e, (double)h->max_ns, "wakeup_ns.max");
	emit_pcts(e, "wakeup_ns.", "", sh->counts);
}

static void misc_metrics(struct emit *e, const struct vm_result *res)
{
	const struct vms_rec_pingpong *pp = &res->pingpong;
	if (res->have_pingpong && pp->rounds) {
		emit_put(e, (double)pp->rounds, "pingpong.rounds");
		emit_put(e, (double)pp->total_ns / (double)pp->rounds, "pingpong.round_trip_ns");
		emit_put(e, 100.0 * (double)pp->ran_on_target / (double)pp->rounds, "pingpong.ran_on_target_pct");
		emit_put(e, (double)pp->ipis, "pingpong.ipis");
	}
	if (res->have_compute && res->compute.iters) {
		emit_put(e, (double)res->compute.iters, "compute.iters");
		emit_put(e, (double)res->compute.ns, "compute.ns");
		emit_put(e, (double)res->compute.ns / (double)res->compute.iters, "compute.ns_per_iter");
	}
	unsigned nw = res->nr_workers < sizeof(res->workers) / sizeof(res->workers[0])
			      ? res->nr_workers
			      : (unsigned)(sizeof(res->workers) / sizeof(res->workers[0]));
	if (nw) {
		uint64_t lo = UINT64_MAX, hi = 0, sum = 0, cpu_lo = UINT64_MAX, cpu_hi = 0, migrations = 0;
		double wake_n = 0, wake_sum = 0, wake_max = 0, task_mean_max = 0;
		for (unsigned i = 0; i < nw; i++) {
			uint64_t l = res->workers[i].loops, c = res->workers[i].cpu_ns;
			lo = l < lo ? l : lo;
			hi = l > hi ? l : hi;
			sum += l;
			cpu_lo = c < cpu_lo ? c : cpu_lo;
			cpu_hi = c > cpu_hi ? c : cpu_hi;
			migrations += res->workers[i].migrations;
			const struct vms_rec_worker *w = &res->workers[i];
			wake_n += (double)w->wakeups;
			wake_sum += (double)w->wakeup_lat_sum_ns;
			wake_max = (double)w->wakeup_lat_max_ns > wake_max ? (double)w->wakeup_lat_max_ns : wake_max;
			double mean = w->wakeups ? (double)w->wakeup_lat_sum_ns / (double)w->wakeups : 0;
			task_mean_max = mean > task_mean_max ? mean : task_mean_max;
		}
		emit_put(e, (double)sum, "workers.loops");
		emit_put(e, (double)lo, "workers.loops_min");
		emit_put(e, (double)hi, "workers.loops_max");
		emit_put(e, (double)cpu_lo, "workers.cpu_ns_min");
		emit_put(e, (double)cpu_hi, "workers.cpu_ns_max");
		emit_put(e, cpu_hi ? (double)cpu_lo / (double)cpu_hi : 0, "workers.cpu_fairness");
		emit_put(e, (double)migrations, "workers.migrations");
		emit_put(e, wake_n ? wake_sum / wake_n : NAN, "workers.wakeup_lat_mean_ns");
		emit_put(e, wake_n ? task_mean_max : NAN, "workers.wakeup_lat_task_mean_max_ns");
		emit_put(e, wake_n ? wake_max : NAN, "workers.wakeup_lat_max_ns");
	}
}

#define DISK_FIELD(member) EMIT_FIELD(struct vm_disk_stats, member)
static const struct emit_field disk_fields[] = {
	DISK_FIELD(reads), DISK_FIELD(writes), DISK_FIELD(flushes), DISK_FIELD(bytes_read),
	DISK_FIELD(bytes_written), DISK_FIELD(io_errors), DISK_FIELD(refused), DISK_FIELD(unsupported),
	DISK_FIELD(notifications), DISK_FIELD(interrupts), DISK_FIELD(interrupts_suppressed),
	DISK_FIELD(model_held), DISK_FIELD(model_late),
};

static void disk_metrics(struct emit *e, const struct vm_result *res)
{
	unsigned n = res->nr_disks < VMS_MAX_DISKS ? res->nr_disks : VMS_MAX_DISKS;
	for (unsigned i = 0; i < n; i++) {
		const struct vm_disk_stats *d = &res->disks[i];
		char name[sizeof(d->name) + 1], prefix[STORE_NAME_MAX];
		snprintf(name, sizeof(name), "%.*s", (int)sizeof(d->name), d->name);
		if (!name[0])
			snprintf(name, sizeof(name), "vd%c", 'a' + i);
		snprintf(prefix, sizeof(prefix), "disk.%s.", name);
		emit_fields(e, prefix, d, disk_fields, ARRAY_SIZE(disk_fields));
	}
}

/* Empty fio direction histograms (directions a job does not do), memory job latency
 * classes that had no sample and writers' pauses when none paused are left out. */
static void drop_empty_hists(struct store_run *r)
{
	size_t w = 0;
	for (size_t i = 0; i < r->nr_hists; i++) {
		bool empty = hist_total64(r->hists[i].counts, VMS_HIST_NR) == 0;
		if (empty && (!strncmp(r->hists[i].name, "fio.", 4) || !strncmp(r->hists[i].name, "mem.", 4) ||
			      !strncmp(r->hists[i].name, "writeback.", 10)))
			continue;
		if (w != i)
			r->hists[w] = r->hists[i];
		w++;
	}
	r->nr_hists = w;
}

uint64_t series_t0(const struct vm_result *res)
{
	if (res->have_boot && res->boot.tsc_first)
		return res->boot.tsc_first;
	uint64_t t0 = UINT64_MAX;
	if (res->samples && res->nr_samples)
		t0 = res->samples[0].tsc;
	for (unsigned i = 0; i < RECORD_NR_FAMILIES; i++)
		if (record_families[i]->series_start) {
			uint64_t t = record_families[i]->series_start(res);
			t0 = t < t0 ? t : t0;
		}
	return t0 == UINT64_MAX ? 0 : t0;
}

/*
 * The built-in workload's unpinned tasks: ms from the workload's start until every CPU
 * had one, read from the CPU samples' nr_running (sample_ms): a CPU counts from the first
 * of SPREAD_SAMPLES samples in a row with something running, so that a kernel thread
 * passing through does not. NaN when some CPU never got there. With tasks_packed=1 (all
 * start on CPU 0) it is the balancer's convergence.
 */
#define SPREAD_SAMPLES 3
static double workers_spread_ms(const struct vm_result *res)
{
	uint64_t since[VMS_MAX_CPUS] = { 0 }, got[VMS_MAX_CPUS] = { 0 }, start = res->boot.tsc_workload, last = 0;
	unsigned run[VMS_MAX_CPUS] = { 0 }, n = res->nr_vcpus < VMS_MAX_CPUS ? res->nr_vcpus : VMS_MAX_CPUS;

	/* each CPU writes its own samples, in its order */
	for (size_t i = 0; i < res->nr_samples; i++) {
		const struct vms_rec_sample *sm = &res->samples[i];
		unsigned c = sm->cpu;
		if (c >= n || sm->tsc < start || got[c])
			continue;
		if (!sm->nr_running) {
			run[c] = 0;
			continue;
		}
		if (!run[c]++)
			since[c] = sm->tsc;
		if (run[c] == SPREAD_SAMPLES)
			got[c] = since[c];
	}
	for (unsigned c = 0; c < n; c++) {
		if (!got[c])
			return NAN;
		last = got[c] > last ? got[c] : last;
	}
	return (double)(last - start) / (double)res->tsc_khz;
}

static void series_metrics(struct emit *e, const struct vm_result *res)
{
	if (res->samples_dropped) /* only then: every other run's metric set stays as it was */
		emit_put(e, (double)res->samples_dropped, "samples.dropped");
	if (!res->samples || !res->nr_samples || !res->tsc_khz)
		return;
	if (res->have_boot && res->boot.tsc_workload && res->nr_workers && !res->workers[0].pinned)
		emit_put(e, workers_spread_ms(res), "workers.spread_ms");
	uint64_t t0 = series_t0(res);
	for (size_t i = 0; i < res->nr_samples; i++) {
		const struct vms_rec_sample *sm = &res->samples[i];
		if (sm->tsc < t0 || sm->cpu >= VMS_MAX_CPUS) /* the guest's word: untrusted */
			continue;
		/* The guest's TSC: any value, so the ns may not fit; the store keeps int64 (util/clamp.h). */
		uint64_t t_ns = (uint64_t)clamp_double_ll((double)(sm->tsc - t0) * 1e6 / (double)res->tsc_khz);
		char name[STORE_NAME_MAX];
		snprintf(name, sizeof(name), "cpu.%u.nr_running", sm->cpu);
		e->bad += store_run_sample(e->r, name, t_ns, (double)sm->nr_running) != 0;
		snprintf(name, sizeof(name), "cpu.%u.switches", sm->cpu);
		e->bad += store_run_sample(e->r, name, t_ns, (double)sm->nr_switches) != 0;
		snprintf(name, sizeof(name), "cpu.%u.ticks", sm->cpu);
		e->bad += store_run_sample(e->r, name, t_ns, (double)sm->nr_ticks) != 0;
	}
}

/* The console (and what the VMM found) of a failed run, as the report and `sqlite3` will
 * show it: the guest's text in its terminal form, which is valid UTF-8 for the TEXT
 * column and holds no escape sequence. The console log file keeps the raw bytes. */
static int failed_console(const struct vm_result *res, struct store_run *out)
{
	static const char sep[] = "\n--- vmsweep: detail ---\n";
	char *console = guest_text_terminal_dup(res->console ? res->console : "", res->console ? res->console_len : 0, 0);
	char *detail = guest_text_terminal_dup(res->detail, strnlen(res->detail, sizeof(res->detail)), 0);
	char *text = NULL;
	if (console && detail) {
		size_t clen = strlen(console), dlen = strlen(detail);
		size_t len = clen + (dlen ? sizeof(sep) - 1 + dlen : 0);
		if ((text = malloc(len + 1))) {
			memcpy(text, console, clen);
			if (dlen) {
				memcpy(text + clen, sep, sizeof(sep) - 1);
				memcpy(text + clen + sizeof(sep) - 1, detail, dlen);
			}
			text[len] = 0;
			out->console = text;
			out->console_len = len;
		}
	}
	free(console);
	free(detail);
	return text ? 0 : -1;
}

int store_run_from_vm_result(const struct vm_result *res, const struct vms_workload *wl, struct store_run *out)
{
	struct emit e = { out, 0 };

	memset(out, 0, sizeof(*out));
	out->status = res->status == VM_DONE ? STORE_DONE : STORE_FAILED;
	if (out->status == STORE_FAILED) { /* cut, if need be, between whole characters */
		size_t n = (size_t)snprintf(out->cause, sizeof(out->cause), "%s: ", vm_status_name(res->status));
		guest_text_terminal(out->cause + n, sizeof(out->cause) - n, res->reason,
				    strnlen(res->reason, sizeof(res->reason)), GUEST_TEXT_ONE_LINE);
	}
	out->exit_status = vm_status_exit_code(res->status);
	out->wall_ms = res->t_end_us / 1000.0;

	boot_metrics(&e, res);
	cpu_metrics(&e, res);
	host_metrics(&e, res);
	wakeup_metrics(&e, res);
	misc_metrics(&e, res);
	for (unsigned i = 0; i < RECORD_NR_FAMILIES; i++)
		if (record_families[i]->metrics)
			record_families[i]->metrics(&e, res, wl);
	drop_empty_hists(out);
	disk_metrics(&e, res);
	series_metrics(&e, res);
	for (unsigned i = 0; i < RECORD_NR_FAMILIES; i++)
		if (record_families[i]->series)
			record_families[i]->series(&e, res);
	if (out->status == STORE_FAILED && failed_console(res, out))
		e.bad++;
	if (e.bad) {
		store_run_free(out);
		return -1;
	}
	return 0;
}
