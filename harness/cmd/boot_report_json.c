/*
 * `vmsweep boot --json` (the summary) and fio's JSON for --job. The summary is written
 * member by member (util/json_out.h), so a long time series is never built whole. The
 * guest's strings go out as valid UTF-8 (util/guest_text.h) and its counters clamped to
 * JSON's signed integers (util/clamp.h): one bad byte or one huge counter used to make
 * jansson refuse the whole document, which came out empty with exit status 0.
 */
#include <jansson.h>
#include <string.h>

#include "cmd/boot_report.h"
#include "fio/fio_json.h"
#include "records/fio.h"
#include "util/clamp.h"
#include "util/guest_text.h"
#include "util/hist_stats.h"
#include "util/json_out.h"
#include "util/knob.h"

#define U(v) ((json_int_t)clamp_u64_ll(v)) /* a guest's counter as a JSON integer */

/* A fixed-size string field of the guest's (or of its ELF's), as valid UTF-8. */
#define GUEST_STR(field) guest_text_json_str((field), sizeof(field))
/* A host string that need not be UTF-8 (a path). */
#define ANY_STR(s) guest_text_json((s), strlen(s))

/* A built-in workload task: its work, CPU time, moves and wake-up latencies. */
static json_t *worker_json(const struct vms_rec_worker *w)
{
	return json_pack("{s:i, s:i, s:I, s:I, s:I, s:I, s:b, s:I, s:f, s:I}", "cpu", (int)w->cpu, "pid", (int)w->pid,
			 "loops", U(w->loops), "sleeps", U(w->sleeps), "cpu_ns", U(w->cpu_ns), "migrations",
			 U(w->migrations), "pinned", w->pinned != 0, "wakeups", U(w->wakeups), "wakeup_lat_mean_ns",
			 w->wakeups ? (double)w->wakeup_lat_sum_ns / (double)w->wakeups : 0.0, "wakeup_lat_max_ns",
			 U(w->wakeup_lat_max_ns));
}

static json_t *cpu_json(const struct vms_rec_cpu *p)
{
	return json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "cpu", (int)p->cpu,
			 "context_switches", U(p->nr_switches), "ticks", U(p->nr_ticks), "ipis_sent", U(p->nr_ipi_sent),
			 "ipis_received", U(p->nr_ipi_received), "wakeups", U(p->nr_wakeups), "migrations",
			 U(p->nr_migrations), "halts", U(p->nr_halts), "preemptions", U(p->nr_preemptions), "work_loops",
			 U(p->work_loops), "busy_ns", U(p->busy_ns), "idle_ns", U(p->idle_ns));
}

static json_t *wakeup_json(const struct vm_result *res)
{
	json_t *pct = json_object();
	for (size_t i = 0; i < BOOT_NR_PERCENTILES; i++) {
		char key[16];
		snprintf(key, sizeof(key), "%g", boot_percentiles[i]);
		pct = json_put(pct, key, json_integer(U(hist_percentile(res->wakeup_buckets, VMS_HIST_NR,
									 boot_percentiles[i]))));
	}
	const struct vms_rec_hist *h = &res->wakeup;
	return json_pack("{s:I, s:I, s:I, s:f, s:o}", "samples", U(h->samples), "min", U(h->min_ns), "max", U(h->max_ns),
			 "mean", h->samples ? (double)h->sum_ns / (double)h->samples : 0.0, "percentiles", pct);
}

static json_t *boot_us_json(const struct vm_result *res)
{
	/* The guest's own milestones arrive with its results: null when it never handed them over. */
	json_t *boot = json_pack("{s:f}", "vm_created", res->t_created_us);
	boot = json_put(boot, "first_instruction", res->have_boot ? json_real(res->t_first_insn_us) : json_null());
	boot = json_put(boot, "main", res->have_boot ? json_real(res->t_main_us) : json_null());
	boot = json_put(boot, "workload", res->have_boot ? json_real(res->t_workload_us) : json_null());
	boot = json_put(boot, "done", res->have_boot ? json_real(res->t_done_us) : json_null());
	return json_put(boot, "end", json_real(res->t_end_us));
}

static json_t *panic_json(const struct vms_rec_panic *p)
{
	json_t *frames = json_array();
	for (uint32_t i = 0; i < p->nr_frames && i < VMS_PANIC_FRAMES; i++)
		frames = json_push(frames, json_integer((json_int_t)p->frames[i]));
	return json_pack("{s:o, s:I, s:I, s:o, s:I, s:I, s:I, s:o}", "message", GUEST_STR(p->msg), "cpu", U(p->cpu), "pid",
			 U(p->pid), "task", GUEST_STR(p->task), "vector", (json_int_t)p->vector, "rip",
			 (json_int_t)p->rip, "cr2", (json_int_t)p->cr2, "frames", frames);
}

/* The disk's model with every parameter as the run resolved it; null for none. Times in ns,
 * rate in bytes/s; 0 for a limit not set (rate, iops) or an unlimited number of channels. */
static json_t *model_json(const struct disk_model *m)
{
	char text[512];
	if (!disk_model_active(m))
		return json_null();
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:i, s:I}", "profile", disk_profile_name(m->profile), "text",
			      disk_model_text(m, text, sizeof(text)), "rate", U(m->rate), "iops", U(m->iops), "lat_ns",
			      U(m->lat_ns), "channels", (int)m->channels, "flush_ns", U(m->flush_ns));
	if (m->profile == DISK_PROFILE_HDD)
		o = json_put(o, "hdd",
			     json_pack("{s:i, s:I, s:I, s:I, s:I, s:I}", "rpm", (int)m->rpm, "revolution_ns",
				       U(disk_model_revolution_ns(m)), "seek_min_ns", U(m->seek_min_ns), "seek_ns",
				       U(m->seek_ns), "seek_max_ns", U(m->seek_max_ns), "capacity", U(m->capacity)));
	return o;
}

static json_t *disk_json(const struct vm_disk_stats *d)
{
	json_t *o = json_pack("{s:s, s:o, s:I, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "name",
			 d->name, "path", ANY_STR(d->path), "capacity", U(d->capacity), "queues", (int)d->queues, "reads",
			 U(d->reads), "writes", U(d->writes), "flushes", U(d->flushes), "bytes_read", U(d->bytes_read),
			 "bytes_written", U(d->bytes_written), "io_errors", U(d->io_errors), "refused", U(d->refused),
			 "unsupported", U(d->unsupported), "notifications", U(d->notifications), "interrupts",
			 U(d->interrupts), "interrupts_suppressed", U(d->interrupts_suppressed), "first_error",
			 GUEST_STR(d->first_error));
	json_t *qr = json_array();
	for (unsigned q = 0; q < d->queues && q < VIRTIO_MMIO_MAX_QUEUES; q++)
		qr = json_push(qr, json_integer(U(d->queue_requests[q])));
	o = json_put(o, "queue_requests", qr);
	o = json_put(o, "model", model_json(&d->model));
	o = json_put(o, "model_held", json_integer(U(d->model_held)));
	o = json_put(o, "model_late", json_integer(U(d->model_late)));
	/* fs=ext3 and what the host did for it: mkfs's options as given, e2fsck after the run */
	o = json_put(o, "fs", d->fs ? json_string(disk_fs_name(d->fs)) : json_null());
	o = json_put(o, "mkfs", d->has_mkfs ? ANY_STR(d->mkfs) : json_null());
	o = json_put(o, "fsck", d->fsck.ran ? json_pack("{s:i, s:b, s:o}", "exit", d->fsck.exit, "clean", d->fsck.clean,
							"output", ANY_STR(d->fsck.output))
					 : json_null());
	if (!d->log[0])
		return json_put(o, "log", json_null());
	const struct write_log_stats *l = &d->log_stats;
	return json_put(o, "log",
			json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "path", ANY_STR(d->log), "entries",
				  U(l->entries), "base_writes", U(l->base_writes), "base_bytes", U(l->base_bytes), "writes",
				  U(l->writes), "bytes", U(l->bytes), "flushes", U(l->flushes), "marks", U(l->marks)));
}

/* A vCPU's steal: ns runnable on the host but not running, and its fraction of the vCPU thread's life. */
static json_t *steal_put(json_t *o, const struct vm_vcpu_place *v)
{
	o = json_put(o, "steal_ns", v->have_steal ? json_integer(U(v->steal_ns)) : json_null());
	return json_put(o, "steal_fraction",
			v->have_steal && v->wall_ns ? json_real((double)v->steal_ns / (double)v->wall_ns) : json_null());
}

/* Topology, where each vCPU ran on the host and what the host took from it. */
static json_t *placement_json(const struct vm_result *res)
{
	const struct vm_placement *p = &res->placement;
	char buf[512];
	uint64_t steal, wall;
	json_t *vcpus = json_array();
	for (unsigned i = 0; i < res->nr_vcpus; i++) {
		const struct vm_vcpu_place *v = &p->vcpus[i];
		json_t *o = json_pack("{s:i, s:i, s:o, s:s}", "vcpu", (int)i, "apic_id", (int)v->apic_id, "host_cpu",
				      v->host_cpu >= 0 ? json_integer(v->host_cpu) : json_null(), "affinity", v->affinity);
		o = steal_put(o, v);
		vcpus = json_push(vcpus, json_put(o, "run_ns", v->have_steal ? json_integer(U(v->run_ns)) : json_null()));
	}
	vm_placement_steal_total(p, res->nr_vcpus, &steal, &wall);
	json_t *o = json_pack("{s:{s:i, s:i, s:i}, s:s, s:b, s:s, s:b, s:{s:i, s:s}}", "topology", "sockets",
			      (int)p->topo.sockets, "cores", (int)p->topo.cores, "threads", (int)p->topo.threads, "topology_text",
			      cpu_topology_format(&p->topo, buf, sizeof(buf)), "apic_ids_dense", p->apic_ids_dense, "pin",
			      vm_pin_format(&p->pin, buf + 64, sizeof(buf) - 64), "overcommit", p->overcommit, "host",
			      "cpus", (int)p->nr_host_cpus, "summary", p->host);
	o = json_put(o, "io_cpus", p->io_cpus[0] ? json_string(p->io_cpus) : json_null());
	o = json_put(o, "disk_irq_cpus", p->disk_irq_cpus[0] ? json_string(p->disk_irq_cpus) : json_null());
	o = json_put(o, "steal_ns", json_integer(U(steal)));
	o = json_put(o, "steal_fraction", wall ? json_real((double)steal / (double)wall) : json_null());
	return json_put(o, "vcpus", vcpus);
}

/* The run's own lists: CPUs, workers, tasks, where each vCPU was, disks. */
static void lists_json(struct json_out *o, const struct vm_result *res)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < res->nr_cpu_recs; i++) {
		json_t *c = cpu_json(&res->cpus[i]);
		if (res->cpus[i].cpu < res->nr_vcpus) /* the host's view of the same vCPU */
			c = steal_put(c, &res->placement.vcpus[res->cpus[i].cpu]);
		a = json_push(a, c);
	}
	json_out_member(o, "cpus", a);
	a = json_array();
	for (unsigned i = 0; i < res->nr_workers; i++)
		a = json_push(a, worker_json(&res->workers[i]));
	json_out_member(o, "workers", a);
	if (res->have_wakeup)
		json_out_member(o, "wakeup_latency_ns", wakeup_json(res));
	if (res->have_pingpong)
		json_out_member(o, "pingpong",
				json_pack("{s:I, s:I, s:I, s:I, s:I}", "rounds", U(res->pingpong.rounds), "target_cpu",
					  U(res->pingpong.target_cpu), "ran_on_target", U(res->pingpong.ran_on_target),
					  "ipis", U(res->pingpong.ipis), "total_ns", U(res->pingpong.total_ns)));
	if (res->have_compute)
		json_out_member(o, "compute",
				json_pack("{s:I, s:I}", "iterations", U(res->compute.iters), "ns", U(res->compute.ns)));
	if (res->have_panic)
		json_out_member(o, "panic", panic_json(&res->panic));
	a = json_array();
	for (unsigned i = 0; i < res->nr_tasks; i++)
		a = json_push(a, json_pack("{s:i, s:i, s:i, s:o}", "pid", (int)res->tasks[i].pid, "cpu",
						   (int)res->tasks[i].cpu, "state", (int)res->tasks[i].state, "name",
						   GUEST_STR(res->tasks[i].name)));
	json_out_member(o, "tasks", a);
	a = json_array();
	for (unsigned i = 0; res->status != VM_DONE && i < res->nr_vcpus; i++)
		if (res->where[i].valid)
			a = json_push(a, json_pack("{s:i, s:I, s:o, s:i, s:b}", "vcpu", (int)i, "rip",
							   (json_int_t)res->where[i].rip, "where",
							   GUEST_STR(res->where[i].rip_sym), "cpl", res->where[i].cpl,
							   "irqs_masked", res->where[i].masked));
	json_out_member(o, "vcpu_state", a);
	a = json_array();
	for (unsigned i = 0; i < res->nr_disks; i++)
		a = json_push(a, disk_json(&res->disks[i]));
	json_out_member(o, "disks", a);
}

int boot_report_json(FILE *out, const struct boot_options *o, const struct vm_result *res)
{
	const struct vm_config *c = &o->vm;
	struct json_out j;

	json_out_begin(&j, out);
	json_out_member(&j, "status", json_string(vm_status_name(res->status)));
	json_out_member(&j, "exit_code", json_integer(vm_status_exit_code(res->status)));
	json_out_member(&j, "reason", GUEST_STR(res->reason));
	json_out_member(&j, "vcpus", json_integer(c->nr_cpus));
	json_out_member(&j, "memory_bytes", json_integer(U(c->mem_size)));
	json_out_member(&j, "hz", json_integer(c->hz));
	json_out_member(&j, "kernel", ANY_STR(c->kernel_path));
	json_out_member(&j, "build_id", GUEST_STR(res->build_id));
	json_t *knobs = json_object();
	for (int i = 0; i < VMS_KNOB_COUNT; i++)
		knobs = json_put(knobs, knob_table[i].name, json_integer(c->knobs[i]));
	json_out_member(&j, "knobs", knobs);
	json_out_member(&j, "boot_us", boot_us_json(res));
	json_out_member(&j, "placement", placement_json(res));
	lists_json(&j, res);
	for (unsigned i = 0; i < RECORD_NR_FAMILIES; i++)
		if (record_families[i]->json)
			record_families[i]->json(&j, res, c->workload);
	json_out_member(&j, "detail", GUEST_STR(res->detail));
	json_out_member(&j, "samples", json_integer(U(res->nr_samples)));
	json_out_member(&j, "samples_dropped", json_integer(U(res->samples_dropped))); /* VM_SAMPLES_BUDGET */
	if (o->log_path)
		json_out_member(&j, "console_log", ANY_STR(o->log_path));
	return json_out_end(&j);
}

int boot_report_fio(FILE *out, const struct boot_options *o, const struct vm_result *res)
{
	json_t *doc = fio_records_json(res, o->vm.workload);
	int r = doc ? json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : -1;
	fputc('\n', out);
	json_decref(doc);
	return r != 0 || fflush(out) != 0 || ferror(out) ? -1 : 0;
}
