/* The text summary of one boot run (boot_report_json.c: the JSON ones). */
#include <string.h>

#include "cmd/boot_report.h"
#include "util/guest_text.h"
#include "util/hist_stats.h"
#include "util/knob.h"
#include "util/parse.h"

#define CONSOLE_TAIL_MAX 8192 /* bytes of the console printed after a failure, at most */

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
	fputs("last console lines:\n", f);
	/* Lines as long as the guest likes: only their end. */
	if ((size_t)(res->console + res->console_len - p) > CONSOLE_TAIL_MAX) {
		p = res->console + res->console_len - CONSOLE_TAIL_MAX;
		fprintf(f, "[... %zu bytes ...]", (size_t)(p - res->console));
	}
	guest_text_print(f, p, (size_t)(res->console + res->console_len - p), 0);
	if (res->console[res->console_len - 1] != '\n')
		fputc('\n', f);
}

/* The shape, where the vCPUs ran and the host's steal, in two lines. */
static void placement_text(FILE *out, const struct vm_result *res)
{
	const struct vm_placement *p = &res->placement;
	char topo[32], pin[512];
	uint64_t steal, wall;
	fprintf(out, "topology %s (%u socket%s x %u core%s x %u thread%s), x2APIC IDs", cpu_topology_format(&p->topo, topo, sizeof(topo)),
		p->topo.sockets, p->topo.sockets == 1 ? "" : "s", p->topo.cores, p->topo.cores == 1 ? "" : "s", p->topo.threads,
		p->topo.threads == 1 ? "" : "s");
	for (unsigned i = 0; i < res->nr_vcpus; i++)
		fprintf(out, "%s%u", i ? "," : " ", p->vcpus[i].apic_id);
	fprintf(out, "%s; pin %s", p->apic_ids_dense ? " (dense: KVM refused the shape's)" : "",
		vm_pin_format(&p->pin, pin, sizeof(pin)));
	for (unsigned i = 0; p->pin.mode != VM_PIN_NONE && i < res->nr_vcpus; i++)
		fprintf(out, "%s%u->%d", i ? " " : ": vCPU->host CPU ", i, p->vcpus[i].host_cpu);
	vm_placement_steal_total(p, res->nr_vcpus, &steal, &wall);
	fprintf(out, "%s\nhost: %s; steal %.1f ms, %.1f%% of the vCPUs' time\n", p->overcommit ? " (OVERCOMMITTED: vCPUs share host CPUs)" : "",
		p->host, (double)steal / 1e6, wall ? 100.0 * (double)steal / (double)wall : 0.0);
}

void boot_report_text(FILE *out, FILE *err, const struct boot_options *o, const struct vm_result *res)
{
	char mem[32];
	const struct vm_config *c = &o->vm;

	format_size(c->mem_size, mem, sizeof(mem));
	if (res->status != VM_DONE) {
		/* The reason and the detail quote the guest: never raw on a terminal. */
		fprintf(err, "vmsweep boot: %s: ", vm_status_name(res->status));
		guest_text_print(err, res->reason, strnlen(res->reason, sizeof(res->reason)), GUEST_TEXT_ONE_LINE);
		fputc('\n', err);
		guest_text_print(err, res->detail, strnlen(res->detail, sizeof(res->detail)), 0);
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
		for (size_t i = 0; i < BOOT_NR_PERCENTILES; i++)
			fprintf(out, " p%g %.1f us", boot_percentiles[i],
				(double)hist_percentile(res->wakeup_buckets, VMS_HIST_NR, boot_percentiles[i]) / 1000.0);
		fprintf(out, ", max %.1f us\n", (double)res->wakeup.max_ns / 1000.0);
	}
	placement_text(out, res);
	fprintf(out, "%4s %9s %8s %8s %8s %8s %8s %6s %8s %11s %6s %6s\n", "CPU", "switches", "preempt", "ticks", "IPIs out",
		"IPIs in", "wakeups", "migr", "halts", "work loops", "idle", "steal");
	for (unsigned i = 0; i < res->nr_cpu_recs; i++) {
		const struct vms_rec_cpu *p = &res->cpus[i];
		double total = (double)(p->busy_ns + p->idle_ns);
		const struct vm_vcpu_place *v = p->cpu < res->nr_vcpus ? &res->placement.vcpus[p->cpu] : NULL;
		fprintf(out, "%4u %9llu %8llu %8llu %8llu %8llu %8llu %6llu %8llu %11llu %5.1f%% %5.1f%%\n", p->cpu,
			(unsigned long long)p->nr_switches, (unsigned long long)p->nr_preemptions,
			(unsigned long long)p->nr_ticks,
			(unsigned long long)p->nr_ipi_sent, (unsigned long long)p->nr_ipi_received,
			(unsigned long long)p->nr_wakeups, (unsigned long long)p->nr_migrations,
			(unsigned long long)p->nr_halts, (unsigned long long)p->work_loops,
			total > 0 ? 100.0 * (double)p->idle_ns / total : 0.0,
			v && v->have_steal && v->wall_ns ? 100.0 * (double)v->steal_ns / (double)v->wall_ns : 0.0);
	}
	if (res->nr_workers) {
		uint64_t lo = UINT64_MAX, hi = 0, cpu_lo = UINT64_MAX, cpu_hi = 0, migrations = 0, wakeups = 0, lat_sum = 0,
			 lat_max = 0;
		for (unsigned i = 0; i < res->nr_workers; i++) {
			const struct vms_rec_worker *w = &res->workers[i];
			lo = w->loops < lo ? w->loops : lo;
			hi = w->loops > hi ? w->loops : hi;
			cpu_lo = w->cpu_ns < cpu_lo ? w->cpu_ns : cpu_lo;
			cpu_hi = w->cpu_ns > cpu_hi ? w->cpu_ns : cpu_hi;
			migrations += w->migrations;
			wakeups += w->wakeups;
			lat_sum += w->wakeup_lat_sum_ns;
			lat_max = w->wakeup_lat_max_ns > lat_max ? w->wakeup_lat_max_ns : lat_max;
		}
		fprintf(out,
			"workload: %u tasks%s, work loops per task min %llu max %llu, CPU time per task min %.1f max %.1f ms, "
			"%llu migrations; wake-ups %llu, latency mean %.1f max %.1f us\n",
			res->nr_workers, res->workers[0].pinned ? " (pinned)" : "", (unsigned long long)lo,
			(unsigned long long)hi, (double)cpu_lo / 1e6, (double)cpu_hi / 1e6, (unsigned long long)migrations,
			(unsigned long long)wakeups, wakeups ? (double)lat_sum / (double)wakeups / 1e3 : 0.0,
			(double)lat_max / 1e3);
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
		for (unsigned i = 0; i < res->nr_tasks; i++) {
			char name[4 * sizeof(res->tasks[i].name)];
			guest_text_terminal(name, sizeof(name), res->tasks[i].name,
					    strnlen(res->tasks[i].name, sizeof(res->tasks[i].name)), GUEST_TEXT_ONE_LINE);
			fprintf(out, "%6u %4u %5u %s\n", res->tasks[i].pid, res->tasks[i].cpu, res->tasks[i].state, name);
		}
	}
	for (unsigned i = 0; i < res->nr_disks; i++) {
		const struct vm_disk_stats *d = &res->disks[i];
		fprintf(out, "%s: %s, %u queues: %llu reads (%llu MiB), %llu writes (%llu MiB), %llu flushes, %llu I/O errors, %llu refused; %llu notifications, %llu interrupts (%llu suppressed)\n",
			d->name, d->path, d->queues, (unsigned long long)d->reads, (unsigned long long)(d->bytes_read >> 20),
			(unsigned long long)d->writes, (unsigned long long)(d->bytes_written >> 20),
			(unsigned long long)d->flushes, (unsigned long long)d->io_errors, (unsigned long long)d->refused,
			(unsigned long long)d->notifications, (unsigned long long)d->interrupts,
			(unsigned long long)d->interrupts_suppressed);
		char model[512];
		if (disk_model_active(&d->model))
			fprintf(out, "%s: model %s: %llu completions held to their due time, %llu came later (the host's disk was slower)\n",
				d->name, disk_model_text(&d->model, model, sizeof(model)), (unsigned long long)d->model_held,
				(unsigned long long)d->model_late);
		if (d->first_error[0])
			fprintf(out, "%s: first error: %s\n", d->name, d->first_error);
		if (d->fs)
			fprintf(out, "%s: fs=%s%s%s%s\n", d->name, disk_fs_name(d->fs), d->has_mkfs ? ", made with mkfs.ext3 " : "",
				d->has_mkfs ? d->mkfs : "",
				!d->fsck.ran ? "" : d->fsck.clean ? "; e2fsck -fn after the run: clean" : "; e2fsck -fn after the run: NOT clean");
		if (d->log[0])
			fprintf(out, "%s: write log %s: %llu entries: the image before the run (%llu writes, %llu KiB), then %llu writes (%llu KiB), %llu flushes and %llu marks of the guest's\n",
				d->name, d->log, (unsigned long long)d->log_stats.entries, (unsigned long long)d->log_stats.base_writes,
				(unsigned long long)(d->log_stats.base_bytes >> 10), (unsigned long long)d->log_stats.writes,
				(unsigned long long)(d->log_stats.bytes >> 10), (unsigned long long)d->log_stats.flushes,
				(unsigned long long)d->log_stats.marks);
	}
	if (res->samples_dropped)
		fprintf(out, "samples: %llu dropped beyond the host's budget of %u MiB per run (VM_SAMPLES_BUDGET)\n",
			(unsigned long long)res->samples_dropped, VM_SAMPLES_BUDGET >> 20);
	if (res->console_dropped)
		fprintf(out, "console: %llu bytes beyond the host's limit were dropped\n",
			(unsigned long long)res->console_dropped);
	if (o->log_path)
		fprintf(out, "console log: %s\n", o->log_path);
}
