/*
 * What the guest hands back: the console (to the log, the terminal and memory), the
 * results and samples records (checked, then copied into struct vm_result), and the
 * guest's timestamps placed on the host's time line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmsweep/workload.h>

#include "util/array.h"
#include "util/error.h"
#include "util/guest_text.h"
#include "records/family.h"
#include "vmm/vm_internal.h"

/* The guest's console on an operator's terminal, as it comes: no escape sequences, only
 * text. A character the ring cut in two waits for its end, unless the run is over. */
static void console_show(struct vm *vm, bool all)
{
	FILE *f = vm->cfg->console_live;
	size_t n = vm->console_buf.len - vm->console_shown;

	if (!f || !n)
		return;
	const char *text = (const char *)vm->console_buf.data + vm->console_shown;
	if (!all)
		n = guest_text_complete(text, n);
	guest_text_print(f, text, n, 0);
	fflush(f);
	vm->console_shown += n;
}

static int drain_one(struct vm *vm, struct ring_reader *r, struct buf *b)
{
	char err[256];
	if (ring_drain(r, b, err, sizeof(err)) == 0)
		return 0;
	vm_finish(vm, VM_BAD_GUEST, -1, "%s", err);
	return -1;
}

int vm_drain(struct vm *vm)
{
	size_t before = vm->console_buf.len;
	int r = drain_one(vm, &vm->console, &vm->console_buf);

	if (vm->console_buf.len > before) {
		const uint8_t *text = vm->console_buf.data + before;
		size_t n = vm->console_buf.len - before;
		if (vm->log) {
			fwrite(text, 1, n, vm->log);
			fflush(vm->log); /* the log is for people watching a long run, and survives a kill */
		}
		console_show(vm, false);
	}
	if (drain_one(vm, &vm->results, &vm->results_buf) || drain_one(vm, &vm->samples, &vm->samples_buf))
		r = -1;
	vm_samples_take(vm); /* as they come: the raw bytes would pile up otherwise */
	return r;
}

static int take_record(void *ctx, uint32_t type, const void *p, uint32_t len, char *err, size_t errlen)
{
	struct vm *vm = ctx;
	struct vm_result *res = vm->res;

	const struct record_family_ops *family = record_family_of(type);
	if (family)
		return family->take(res, vm->cfg->workload, type, p, len, err, errlen);
	switch (type) {
	case VMS_REC_BOOT:
		memcpy(&res->boot, p, sizeof(res->boot));
		res->have_boot = true;
		break;
	case VMS_REC_CPU: {
		struct vms_rec_cpu c;
		memcpy(&c, p, sizeof(c));
		if (c.cpu >= vm->nr_vcpus || res->nr_cpu_recs >= vm->nr_vcpus || (vm->cpu_recs_seen & (1ull << c.cpu)))
			return errorf(err, errlen, "CPU record for CPU %u of %u%s", c.cpu, vm->nr_vcpus,
				      c.cpu < vm->nr_vcpus && (vm->cpu_recs_seen & (1ull << c.cpu)) ?
					      ", a second time" : "");
		vm->cpu_recs_seen |= 1ull << c.cpu;
		res->cpus[res->nr_cpu_recs++] = c;
		break;
	}
	case VMS_REC_HIST: {
		struct vms_rec_hist h;
		memcpy(&h, p, sizeof(h));
		if (h.id != VMS_HIST_WAKEUP || h.nr_buckets != VMS_HIST_NR)
			return errorf(err, errlen, "histogram %u with %u buckets (expected id %u, %u buckets)", h.id,
				      h.nr_buckets, VMS_HIST_WAKEUP, VMS_HIST_NR);
		res->wakeup = h;
		memcpy(res->wakeup_buckets, (const uint8_t *)p + sizeof(h), sizeof(res->wakeup_buckets));
		res->have_wakeup = true;
		break;
	}
	case VMS_REC_PANIC:
		memcpy(&res->panic, p, sizeof(res->panic));
		res->panic.task[sizeof(res->panic.task) - 1] = 0;
		res->panic.msg[sizeof(res->panic.msg) - 1] = 0;
		if (res->panic.nr_frames > VMS_PANIC_FRAMES)
			res->panic.nr_frames = VMS_PANIC_FRAMES;
		res->have_panic = true;
		break;
	case VMS_REC_PINGPONG:
		memcpy(&res->pingpong, p, sizeof(res->pingpong));
		res->have_pingpong = true;
		break;
	case VMS_REC_COMPUTE:
		memcpy(&res->compute, p, sizeof(res->compute));
		res->have_compute = true;
		break;
	case VMS_REC_TASK:
		if (res->nr_tasks < sizeof(res->tasks) / sizeof(res->tasks[0])) {
			memcpy(&res->tasks[res->nr_tasks], p, sizeof(res->tasks[0]));
			res->tasks[res->nr_tasks].name[sizeof(res->tasks[0].name) - 1] = 0;
			res->nr_tasks++;
		}
		break;
	case VMS_REC_WORKER:
		if (res->nr_workers >= sizeof(res->workers) / sizeof(res->workers[0]))
			return errorf(err, errlen, "more worker records than %zu",
				      sizeof(res->workers) / sizeof(res->workers[0]));
		memcpy(&res->workers[res->nr_workers++], p, sizeof(res->workers[0]));
		break;
	case VMS_REC_SAMPLE:
		if (!vm_result_sample_keep(res, sizeof(res->samples[0])))
			break;
		if (array_grow((void **)&res->samples, &res->cap_samples, res->nr_samples + 1, sizeof(res->samples[0])))
			return errorf(err, errlen, "out of host memory for samples");
		memcpy(&res->samples[res->nr_samples++], p, sizeof(res->samples[0]));
		break;
	}
	return 0;
}

/* A return address: the call is the byte before it, which may end another function. */
static const char *format_return_addr(const struct elf_image *elf, uint64_t addr, char *buf, size_t len)
{
	uint64_t off;
	const struct elf_symbol *s = addr ? elf_symbolize(elf, addr - 1, &off) : NULL;
	if (!s)
		return elf_format_addr(elf, addr, buf, len);
	snprintf(buf, len, "%s+%#llx", s->name, (unsigned long long)(addr - s->addr));
	return buf;
}

/* Ends a running run as a protocol violation, or remembers why a finished one is one. */
static void vm_protocol_error(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vm_protocol_error(struct vm *vm, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (!vm->protocol_error[0])
		vsnprintf(vm->protocol_error, sizeof(vm->protocol_error), fmt, ap);
	va_end(ap);
	if (!vm_finish(vm, VM_BAD_GUEST, -1, "%s", vm->protocol_error))
		vm_detail(vm, "%s\n", vm->protocol_error);
}

static double guest_us(struct vm *vm, uint64_t tsc)
{
	if (!tsc || !vm->guest_tsc0)
		return 0;
	return (vm->host_at_tsc0 - vm->t0) * 1e6 + ((double)tsc - (double)vm->guest_tsc0) * 1000.0 / (double)vm->tsc_khz;
}

/* Each record only in its own ring (vmsweep/records.h). */
static int take_result(void *ctx, uint32_t type, const void *p, uint32_t len, char *err, size_t errlen)
{
	if (record_in_samples_ring(type))
		return errorf(err, errlen, "%s record in the results ring (it belongs in the samples ring)",
			      record_type_name(type));
	return take_record(ctx, type, p, len, err, errlen);
}

static int take_sample(void *ctx, uint32_t type, const void *p, uint32_t len, char *err, size_t errlen)
{
	if (!record_in_samples_ring(type))
		return errorf(err, errlen, "record type %u (%s) in the samples ring", type, record_type_name(type));
	return take_record(ctx, type, p, len, err, errlen);
}

bool vm_result_sample_keep(struct vm_result *res, size_t bytes)
{
	if (bytes > VM_SAMPLES_BUDGET - res->samples_bytes) {
		if (res->samples_dropped < UINT64_MAX)
			res->samples_dropped++;
		return false;
	}
	res->samples_bytes += bytes;
	return true;
}

/* Takes the whole records of b and keeps only an unfinished one at its end, so that a
 * ring parsed as it is drained holds no more than that. A broken stream makes a "done"
 * run a protocol violation (its results cannot be trusted), and the rest of that ring
 * is not read. */
static void parse_some(struct vm *vm, struct buf *b, struct ring_parse *rp, const char *what, record_fn fn)
{
	char err[300];
	size_t used = 0;

	if (rp->broken)
		return;
	if (b->dropped) {
		vm_protocol_error(vm, "%s ring: the guest wrote %llu bytes more than the host keeps", what,
				  (unsigned long long)b->dropped);
		rp->broken = true;
		return;
	}
	if (records_parse(b->data, b->len, &used, fn, vm, err, sizeof(err)) != 0) {
		if (rp->taken)
			vm_protocol_error(vm, "%s ring, %llu bytes in: %s", what, (unsigned long long)rp->taken, err);
		else
			vm_protocol_error(vm, "%s ring: %s", what, err);
		rp->broken = true;
		return;
	}
	if (used) {
		memmove(b->data, b->data + used, b->len - used);
		b->len -= used;
		rp->taken += used;
	}
}

void vm_samples_take(struct vm *vm)
{
	parse_some(vm, &vm->samples_buf, &vm->samples_parse, "samples", take_sample);
}

static void parse_all(struct vm *vm, struct buf *b, struct ring_parse *rp, const char *what, record_fn fn)
{
	parse_some(vm, b, rp, what, fn);
	if (!rp->broken && b->len && atomic_load(&vm->status) == VM_DONE)
		vm_detail(vm, "%s ring: %zu bytes of an unfinished record at the end\n", what, b->len);
}

void vm_results_finish(struct vm *vm)
{
	struct vm_result *res = vm->res;
	char sym[128];

	parse_all(vm, &vm->results_buf, &vm->results_parse, "results", take_result);
	parse_all(vm, &vm->samples_buf, &vm->samples_parse, "samples", take_sample);
	res->status = (enum vm_status)atomic_load(&vm->status);
	if (res->status == VM_DONE && vm->protocol_error[0]) {
		res->status = VM_BAD_GUEST;
		snprintf(res->reason, sizeof(res->reason), "%s", vm->protocol_error);
	}
	/* A family that misses records makes a "done" run a protocol violation. */
	for (unsigned i = 0; i < RECORD_NR_FAMILIES && res->status == VM_DONE; i++) {
		const struct record_family_ops *f = record_families[i];
		if (f->check_done && f->check_done(res, vm->cfg->workload, res->reason, sizeof(res->reason)))
			res->status = VM_BAD_GUEST;
	}
	if (res->status == VM_DONE && (!res->have_boot || res->nr_cpu_recs != vm->nr_vcpus)) {
		res->status = VM_BAD_GUEST;
		snprintf(res->reason, sizeof(res->reason), "guest said done but handed back %s (%u of %u CPU records)",
			 res->have_boot ? "incomplete results" : "no boot record", res->nr_cpu_recs, vm->nr_vcpus);
	}

	if (res->have_boot) {
		res->t_first_insn_us = guest_us(vm, res->boot.tsc_first);
		res->t_main_us = guest_us(vm, res->boot.tsc_main);
		res->t_workload_us = guest_us(vm, res->boot.tsc_workload);
		res->t_done_us = guest_us(vm, res->boot.tsc_done);
	}
	if (res->status == VM_PANIC && res->have_panic) {
		const struct vms_rec_panic *p = &res->panic;
		/* The guest's words, on one line and without escape sequences. */
		char task[4 * sizeof(p->task)];
		guest_text_terminal(task, sizeof(task), p->task, strnlen(p->task, sizeof(p->task)), GUEST_TEXT_ONE_LINE);
		size_t n = (size_t)snprintf(res->reason, sizeof(res->reason), "guest panic on CPU %llu (%s, pid %llu): ",
					    (unsigned long long)p->cpu, task, (unsigned long long)p->pid);
		guest_text_terminal(res->reason + n, sizeof(res->reason) - n, p->msg, strnlen(p->msg, sizeof(p->msg)),
				    GUEST_TEXT_ONE_LINE);
		if (p->vector != ~0ull)
			vm_detail(vm, "RIP %s\n", elf_format_addr(&vm->elf, p->rip, sym, sizeof(sym)));
		else /* panic(): its caller */
			vm_detail(vm, "RIP %s\n", format_return_addr(&vm->elf, p->rip, sym, sizeof(sym)));
		if (p->vector != ~0ull)
			vm_detail(vm, "exception vector %llu, error code %#llx, CR2 %#llx\n", (unsigned long long)p->vector,
				  (unsigned long long)p->error, (unsigned long long)p->cr2);
		vm_detail(vm, "Call Trace:\n");
		for (uint32_t i = 0; i < p->nr_frames; i++)
			vm_detail(vm, "  %s\n", format_return_addr(&vm->elf, p->frames[i], sym, sizeof(sym)));
	}
	if (res->status == VM_TIMEOUT || res->status == VM_BAD_GUEST || res->status == VM_INTERRUPTED)
		for (unsigned i = 0; i < res->nr_vcpus; i++) {
			const struct vcpu_where *w = &res->where[i];
			if (w->valid)
				vm_detail(vm, "vCPU %u was at %s (CPL %d, RSP %#llx), interrupts %s%s\n", i, w->rip_sym, w->cpl,
					  (unsigned long long)w->rsp, w->masked ? "masked" : "enabled",
					  w->pending ? ", some pending" : "");
		}

	/* The reason and the detail quote the guest (its panic message, its ELF's symbol
	 * names) and may have cut a character short: made safe once, for every reader. */
	guest_text_terminal_inplace(res->reason, sizeof(res->reason), GUEST_TEXT_ONE_LINE);
	guest_text_terminal_inplace(res->detail, sizeof(res->detail), 0);
	console_show(vm, true);

	/* The buffer itself becomes the result's console: up to 64 MiB, not copied. */
	char *console = realloc(vm->console_buf.data, vm->console_buf.len + 1);
	if (console) {
		console[vm->console_buf.len] = 0;
		res->console = console;
		res->console_len = vm->console_buf.len;
		vm->console_buf.data = NULL;
		vm->console_buf.len = vm->console_buf.cap = 0;
	}
	res->console_dropped = vm->console_buf.dropped;
}
