/* Text and JSON summaries of one boot run. */
#include <jansson.h>
#include <string.h>

#include "cmd/boot_report.h"
#include "fio/fio_json.h"
#include "records/fio.h"
#include "util/hist_stats.h"
#include "util/knob.h"
#include "util/parse.h"

static const double percentiles[] = { 50, 90, 99, 99.9 };

static void print_console_tail(FILE *f, const struct vm_result *res, int lines)
{
	if (!res->console || !res->console_len)
		return;
	const char *p = res->console + res->console_len;
	int n = 0;
	while (p > res->console && n <= lines)
		if (*--p == '\n')
			n++;
	if (*p == '\n')
		p++;
	fprintf(f, "last console lines:\n%s%s", p, res->console[res->console_len - 1] == '\n' ? "" : "\n");
}

void boot_report_text(FILE *out, FILE *err, const struct boot_options *o, const struct vm_result *res)
{
	char mem[32];
	const struct vm_config *c = &o->vm;

	format_size(c->mem_size, mem, sizeof(mem));
	if (res->status != VM_DONE) {
		fprintf(err, "vmsweep boot: %s: %s\n", vm_status_name(res->status), res->reason);
		if (res->detail[0])
			fputs(res->detail, err);
		print_console_tail(err, res, 20);
		if (o->log_path)
			fprintf(err, "console log: %s\n", o->log_path);
		return;
	}
	fprintf(out, "vmsweep boot: done: %u vCPUs, %s, HZ %u, kernel %s (build %.12s)\n", c->nr_cpus, mem, c->hz,
		c->kernel_path, res->build_id[0] ? res->build_id : "none");
	fprintf(out, "boot time (us from VM creation): vm ready %.0f, first instruction %.0f, main %.0f, workload %.0f, done %.0f\n",
		res->t_created_us, res->t_first_insn_us, res->t_main_us, res->t_workload_us, res->t_done_us);
	if (res->have_wakeup && res->wakeup.samples) {
		fprintf(out, "wake-up latency (wake-up to running, %llu wake-ups):",
			(unsigned long long)res->wakeup.samples);
		for (size_t i = 0; i < sizeof(percentiles) / sizeof(percentiles[0]); i++)
			fprintf(out, " p%g %.1f us", percentiles[i],
				(double)hist_percentile(res->wakeup_buckets, VMS_HIST_NR, percentiles[i]) / 1000.0);
		fprintf(out, ", max %.1f us\n", (double)res->wakeup.max_ns / 1000.0);
	}
	fprintf(out, "%4s %9s %8s %8s %8s %8s %8s %6s %8s %11s %6s\n", "CPU", "switches", "preempt", "ticks", "IPIs out",
		"IPIs in", "wakeups", "migr", "halts", "work loops", "idle");
	for (unsigned i = 0; i < res->nr_cpu_recs; i++) {
		const struct vms_rec_cpu *p = &res->cpus[i];
		double total = (double)(p->busy_ns + p->idle_ns);
		fprintf(out, "%4u %9llu %8llu %8llu %8llu %8llu %8llu %6llu %8llu %11llu %5.1f%%\n", p->cpu,
			(unsigned long long)p->nr_switches, (unsigned long long)p->nr_preemptions,
			(unsigned long long)p->nr_ticks,
			(unsigned long long)p->nr_ipi_sent, (unsigned long long)p->nr_ipi_received,
			(unsigned long long)p->nr_wakeups, (unsigned long long)p->nr_migrations,
			(unsigned long long)p->nr_halts, (unsigned long long)p->work_loops,
			total > 0 ? 100.0 * (double)p->idle_ns / total : 0.0);
	}
	if (res->nr_workers) {
		uint64_t lo = UINT64_MAX, hi = 0;
		for (unsigned i = 0; i < res->nr_workers; i++) {
			lo = res->workers[i].loops < lo ? res->workers[i].loops : lo;
			hi = res->workers[i].loops > hi ? res->workers[i].loops : hi;
		}
		fprintf(out, "workload: %u tasks, work loops per task min %llu max %llu\n", res->nr_workers,
			(unsigned long long)lo, (unsigned long long)hi);
	}
	if (res->have_pingpong && res->pingpong.rounds)
		fprintf(out, "pingpong: %llu rounds to CPU %llu, %llu ran there, %llu IPIs, %.1f us per round trip\n",
			(unsigned long long)res->pingpong.rounds, (unsigned long long)res->pingpong.target_cpu,
			(unsigned long long)res->pingpong.ran_on_target, (unsigned long long)res->pingpong.ipis,
			(double)res->pingpong.total_ns / 1000.0 / (double)res->pingpong.rounds);
	if (res->have_compute && res->compute.iters)
		fprintf(out, "compute: %llu iterations in %.3f ms (%.3f ns each)\n", (unsigned long long)res->compute.iters,
			(double)res->compute.ns / 1e6, (double)res->compute.ns / (double)res->compute.iters);
	for (unsigned i = 0; i < RECORD_NR_FAMILIES; i++)
		if (record_families[i]->text)
			record_families[i]->text(out, res, c->workload);
	if (res->nr_tasks) {
		fprintf(out, "tasks at boot:\n%6s %4s %5s %s\n", "PID", "CPU", "STATE", "NAME");
		for (unsigned i = 0; i < res->nr_tasks; i++)
			fprintf(out, "%6u %4u %5u %s\n", res->tasks[i].pid, res->tasks[i].cpu, res->tasks[i].state,
				res->tasks[i].name);
	}
	for (unsigned i = 0; i < res->nr_disks; i++) {
		const struct vm_disk_stats *d = &res->disks[i];
		fprintf(out, "%s: %s, %u queues: %llu reads (%llu MiB), %llu writes (%llu MiB), %llu flushes, %llu I/O errors, %llu refused; %llu notifications, %llu interrupts (%llu suppressed)\n",
			d->name, d->path, d->queues, (unsigned long long)d->reads, (unsigned long long)(d->bytes_read >> 20),
			(unsigned long long)d->writes, (unsigned long long)(d->bytes_written >> 20),
			(unsigned long long)d->flushes, (unsigned long long)d->io_errors, (unsigned long long)d->refused,
			(unsigned long long)d->notifications, (unsigned long long)d->interrupts,
			(unsigned long long)d->interrupts_suppressed);
		if (d->first_error[0])
			fprintf(out, "%s: first error: %s\n", d->name, d->first_error);
	}
	if (res->console_dropped)
		fprintf(out, "console: %llu bytes beyond the host's limit were dropped\n",
			(unsigned long long)res->console_dropped);
	if (o->log_path)
		fprintf(out, "console log: %s\n", o->log_path);
}

static json_t *cpu_json(const struct vms_rec_cpu *p)
{
	return json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "cpu", (int)p->cpu,
			 "context_switches", (json_int_t)p->nr_switches, "ticks", (json_int_t)p->nr_ticks, "ipis_sent",
			 (json_int_t)p->nr_ipi_sent, "ipis_received", (json_int_t)p->nr_ipi_received, "wakeups",
			 (json_int_t)p->nr_wakeups, "migrations", (json_int_t)p->nr_migrations, "halts",
			 (json_int_t)p->nr_halts, "preemptions", (json_int_t)p->nr_preemptions, "work_loops", (json_int_t)p->work_loops, "busy_ns", (json_int_t)p->busy_ns,
			 "idle_ns", (json_int_t)p->idle_ns);
}

static json_t *wakeup_json(const struct vm_result *res)
{
	json_t *pct = json_object();
	for (size_t i = 0; i < sizeof(percentiles) / sizeof(percentiles[0]); i++) {
		char key[16];
		snprintf(key, sizeof(key), "%g", percentiles[i]);
		json_object_set_new(pct, key,
				    json_integer((json_int_t)hist_percentile(res->wakeup_buckets, VMS_HIST_NR, percentiles[i])));
	}
	const struct vms_rec_hist *h = &res->wakeup;
	return json_pack("{s:I, s:I, s:I, s:f, s:o}", "samples", (json_int_t)h->samples, "min", (json_int_t)h->min_ns,
			 "max", (json_int_t)h->max_ns, "mean", h->samples ? (double)h->sum_ns / (double)h->samples : 0.0,
			 "percentiles", pct);
}

int boot_report_json(FILE *out, const struct boot_options *o, const struct vm_result *res)
{
	const struct vm_config *c = &o->vm;
	json_t *root = json_pack("{s:s, s:i, s:s, s:i, s:I, s:i, s:s, s:s}", "status", vm_status_name(res->status),
				 "exit_code", vm_status_exit_code(res->status), "reason", res->reason, "vcpus",
				 (int)c->nr_cpus, "memory_bytes", (json_int_t)c->mem_size, "hz", (int)c->hz, "kernel",
				 c->kernel_path, "build_id", res->build_id);
	json_t *knobs = json_object();
	for (int i = 0; i < VMS_KNOB_COUNT; i++)
		json_object_set_new(knobs, knob_table[i].name, json_integer(c->knobs[i]));
	json_object_set_new(root, "knobs", knobs);
	/* The guest's own milestones arrive with its results: null when it never handed them over. */
	json_t *boot = json_pack("{s:f}", "vm_created", res->t_created_us);
	json_object_set_new(boot, "first_instruction", res->have_boot ? json_real(res->t_first_insn_us) : json_null());
	json_object_set_new(boot, "main", res->have_boot ? json_real(res->t_main_us) : json_null());
	json_object_set_new(boot, "workload", res->have_boot ? json_real(res->t_workload_us) : json_null());
	json_object_set_new(boot, "done", res->have_boot ? json_real(res->t_done_us) : json_null());
	json_object_set_new(boot, "end", json_real(res->t_end_us));
	json_object_set_new(root, "boot_us", boot);
	json_t *cpus = json_array();
	for (unsigned i = 0; i < res->nr_cpu_recs; i++)
		json_array_append_new(cpus, cpu_json(&res->cpus[i]));
	json_object_set_new(root, "cpus", cpus);
	json_t *workers = json_array();
	for (unsigned i = 0; i < res->nr_workers; i++)
		json_array_append_new(workers, json_pack("{s:i, s:i, s:I, s:I}", "cpu", (int)res->workers[i].cpu, "pid",
							 (int)res->workers[i].pid, "loops", (json_int_t)res->workers[i].loops,
							 "sleeps", (json_int_t)res->workers[i].sleeps));
	json_object_set_new(root, "workers", workers);
	if (res->have_wakeup)
		json_object_set_new(root, "wakeup_latency_ns", wakeup_json(res));
	if (res->have_pingpong)
		json_object_set_new(root, "pingpong",
				    json_pack("{s:I, s:I, s:I, s:I, s:I}", "rounds", (json_int_t)res->pingpong.rounds,
					      "target_cpu", (json_int_t)res->pingpong.target_cpu, "ran_on_target",
					      (json_int_t)res->pingpong.ran_on_target, "ipis", (json_int_t)res->pingpong.ipis,
					      "total_ns", (json_int_t)res->pingpong.total_ns));
	if (res->have_compute)
		json_object_set_new(root, "compute",
				    json_pack("{s:I, s:I}", "iterations", (json_int_t)res->compute.iters, "ns",
					      (json_int_t)res->compute.ns));
	if (res->have_panic) {
		json_t *frames = json_array();
		for (uint32_t i = 0; i < res->panic.nr_frames; i++)
			json_array_append_new(frames, json_integer((json_int_t)res->panic.frames[i]));
		json_object_set_new(root, "panic",
				    json_pack("{s:s, s:I, s:I, s:s, s:I, s:I, s:I, s:o}", "message", res->panic.msg, "cpu",
					      (json_int_t)res->panic.cpu, "pid", (json_int_t)res->panic.pid, "task",
					      res->panic.task, "vector", (json_int_t)res->panic.vector, "rip",
					      (json_int_t)res->panic.rip, "cr2", (json_int_t)res->panic.cr2, "frames", frames));
	}
	json_t *tasks = json_array();
	for (unsigned i = 0; i < res->nr_tasks; i++)
		json_array_append_new(tasks, json_pack("{s:i, s:i, s:i, s:s}", "pid", (int)res->tasks[i].pid, "cpu",
						       (int)res->tasks[i].cpu, "state", (int)res->tasks[i].state, "name",
						       res->tasks[i].name));
	json_object_set_new(root, "tasks", tasks);
	json_t *vcpus = json_array();
	for (unsigned i = 0; res->status != VM_DONE && i < res->nr_vcpus; i++)
		if (res->where[i].valid)
			json_array_append_new(vcpus, json_pack("{s:i, s:I, s:s, s:i, s:b}", "vcpu", (int)i, "rip",
							       (json_int_t)res->where[i].rip, "where", res->where[i].rip_sym,
							       "cpl", res->where[i].cpl, "irqs_masked", res->where[i].masked));
	json_object_set_new(root, "vcpu_state", vcpus);
	json_t *disks = json_array();
	for (unsigned i = 0; i < res->nr_disks; i++) {
		const struct vm_disk_stats *d = &res->disks[i];
		json_array_append_new(disks, json_pack("{s:s, s:s, s:I, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s}",
						       "name", d->name, "path", d->path, "capacity", (json_int_t)d->capacity,
						       "queues", (int)d->queues, "reads", (json_int_t)d->reads, "writes",
						       (json_int_t)d->writes, "flushes", (json_int_t)d->flushes, "bytes_read",
						       (json_int_t)d->bytes_read, "bytes_written", (json_int_t)d->bytes_written,
						       "io_errors", (json_int_t)d->io_errors, "refused", (json_int_t)d->refused,
						       "unsupported", (json_int_t)d->unsupported, "notifications",
						       (json_int_t)d->notifications, "interrupts", (json_int_t)d->interrupts,
						       "interrupts_suppressed", (json_int_t)d->interrupts_suppressed,
						       "first_error", d->first_error));
	}
	json_object_set_new(root, "disks", disks);
	for (unsigned i = 0; i < RECORD_NR_FAMILIES; i++)
		if (record_families[i]->json)
			record_families[i]->json(root, res, o->vm.workload);
	json_object_set_new(root, "detail", json_string(res->detail));
	json_object_set_new(root, "samples", json_integer((json_int_t)res->nr_samples));
	if (o->log_path)
		json_object_set_new(root, "console_log", json_string(o->log_path));
	int r = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(root);
	return r;
}

int boot_report_fio(FILE *out, const struct boot_options *o, const struct vm_result *res)
{
	json_t *doc = fio_json_report(o->vm.workload, fio_records(res)->jobs, fio_records(res)->nr_jobs);
	int r = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(doc);
	return r;
}
