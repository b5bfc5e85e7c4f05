/*
 * vCPU threads: one host thread per vCPU runs KVM_RUN and serves its exits. The only
 * exits a healthy guest makes are the doorbell (done, panic); anything else ends the
 * run with a report. A stopping VM kicks each thread out of KVM_RUN with a signal
 * (immediate_exit covers a thread that is just about to enter it).
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/error.h"
#include "vmm/vm_internal.h"

#define KICK_SIGNAL SIGUSR1

static void kick_handler(int sig)
{
	(void)sig; /* only to interrupt KVM_RUN */
}

void vcpus_block_kick_signal(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	sigemptyset(&sa.sa_mask);
	sigaction(KICK_SIGNAL, &sa, NULL); /* no SA_RESTART: KVM_RUN returns EINTR */
}

int vcpu_create(struct vm *vm, unsigned id, uint32_t kvm_id, char *err, size_t errlen)
{
	struct vcpu *v = &vm->vcpus[id];

	v->vm = vm;
	v->id = id;
	v->kvm_id = kvm_id;
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)kvm_id);
	if (v->fd < 0)
		return errorf(err, errlen, "KVM_CREATE_VCPU %u (vCPU %u): %s", kvm_id, id, strerror(errno));
	v->run = mmap(NULL, (size_t)vm->kvm->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return errorf(err, errlen, "mmap of vCPU %u's kvm_run: %s", id, strerror(errno));
	}
	return 0;
}

static const char *exit_reason_name(uint32_t r)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN", [KVM_EXIT_EXCEPTION] = "EXCEPTION", [KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HYPERCALL] = "HYPERCALL", [KVM_EXIT_DEBUG] = "DEBUG", [KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO", [KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN", [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY", [KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_SET_TPR] = "SET_TPR", [KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS", [KVM_EXIT_NMI] = "NMI",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR", [KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
	};
	return r < sizeof(names) / sizeof(names[0]) && names[r] ? names[r] : "?";
}

void vcpu_describe(struct vcpu *v, struct vcpu_where *w)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	memset(w, 0, sizeof(*w));
	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return;
	w->valid = true;
	w->rip = r.rip;
	w->rsp = r.rsp;
	w->rflags = r.rflags;
	w->cpl = s.cs.selector & 3;
	elf_format_addr(&v->vm->elf, r.rip, w->rip_sym, sizeof(w->rip_sym));
	const struct vms_vcpu_info *vi =
		gmem_ptr(&v->vm->mem, v->vm->layout.cpu_areas + (uint64_t)v->id * VMS_CPU_AREA_SIZE, sizeof(*vi));
	if (vi) {
		w->masked = vi->mask != 0;
		w->pending = vi->pending;
	}
}

static void detail_registers(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	char sym[128];

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		vm_detail(v->vm, "vCPU %u: registers unavailable: %s\n", v->id, strerror(errno));
		return;
	}
	vm_detail(v->vm,
		  "vCPU %u registers:\n"
		  "  RIP %016llx %s  CPL %d\n"
		  "  RSP %016llx RFLAGS %08llx CR0 %llx CR2 %llx CR3 %llx CR4 %llx EFER %llx\n"
		  "  RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n"
		  "  RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n"
		  "  R9  %016llx R10 %016llx R11 %016llx R12 %016llx\n"
		  "  R13 %016llx R14 %016llx R15 %016llx\n",
		  v->id, r.rip, elf_format_addr(&v->vm->elf, r.rip, sym, sizeof(sym)), s.cs.selector & 3, r.rsp, r.rflags,
		  s.cr0, s.cr2, s.cr3, s.cr4, s.efer, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.r8, r.r9, r.r10,
		  r.r11, r.r12, r.r13, r.r14, r.r15);
}

/* The nucleus could not hand a fault to the kernel: its frame is on the nucleus stack. */
static void nucleus_fault(struct vcpu *v, uint32_t vector)
{
	struct kvm_regs r;
	char sym[128];
	const uint64_t *frame = NULL;

	if (ioctl(v->fd, KVM_GET_REGS, &r) == 0)
		frame = gmem_ptr(&v->vm->mem, r.rsp, 7 * sizeof(uint64_t));
	bool won;
	if (frame) {
		won = vm_finish(v->vm, VM_PANIC, (int)v->id,
				"vCPU %u: %s fault (vector %u, error %#llx) at %s while the kernel could not take it", v->id,
				(frame[3] & 3) ? "double" : "nucleus", vector, (unsigned long long)frame[1],
				elf_format_addr(&v->vm->elf, frame[2], sym, sizeof(sym)));
		if (won)
			vm_detail(v->vm, "fault frame: rip %#llx cs %#llx rflags %#llx rsp %#llx\n",
				  (unsigned long long)frame[2], (unsigned long long)frame[3], (unsigned long long)frame[4],
				  (unsigned long long)frame[5]);
	} else {
		won = vm_finish(v->vm, VM_PANIC, (int)v->id, "vCPU %u: nucleus fault (vector %u), its frame is unreadable",
				v->id, vector);
	}
	if (won) /* only the thread that ended the run writes the detail */
		detail_registers(v);
}

static void handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;
	uint32_t value = 0;

	if (out && run->io.size == 4 && run->io.count == 1)
		memcpy(&value, (uint8_t *)run + run->io.data_offset, 4);
	if (out && run->io.port == VMS_PORT_DOORBELL && run->io.size == 4 && run->io.count == 1) {
		if (value == VMS_EV_DONE)
			vm_finish(v->vm, VM_DONE, (int)v->id, "guest done");
		else if (value == VMS_EV_PANIC)
			vm_finish(v->vm, VM_PANIC, (int)v->id, "guest panic");
		else
			vm_finish(v->vm, VM_BAD_GUEST, (int)v->id, "vCPU %u rang the doorbell with unknown event %u", v->id,
				  value);
		return;
	}
	if (out && run->io.port == VMS_PORT_NUCLEUS && run->io.size == 4) {
		nucleus_fault(v, value);
		return;
	}
	if (vm_finish(v->vm, VM_UNSERVED_EXIT, (int)v->id, "vCPU %u: port I/O %s port %#x (%u bytes x %u): no device there",
		      v->id, out ? "out to" : "in from", run->io.port, run->io.size, run->io.count))
		detail_registers(v);
}

/* Serves one exit; false when the run is over for this vCPU. */
static bool handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct vm *vm = v->vm;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(v);
		return atomic_load(&vm->status) == VM_RUNNING;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_MMIO:
		if (vm_devices_mmio(vm, run->mmio.phys_addr, run->mmio.data, run->mmio.len, run->mmio.is_write))
			return true;
		if (vm_finish(vm, VM_UNSERVED_EXIT, (int)v->id, "vCPU %u: MMIO %s %#llx (%u bytes): no device there", v->id,
			      run->mmio.is_write ? "write to" : "read from", (unsigned long long)run->mmio.phys_addr,
			      run->mmio.len))
			detail_registers(v);
		return false;
	case KVM_EXIT_SHUTDOWN:
		if (vm_finish(vm, VM_TRIPLE_FAULT, (int)v->id, "vCPU %u: triple fault (KVM_EXIT_SHUTDOWN)", v->id))
			detail_registers(v);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		if (vm_finish(vm, VM_INTERNAL_ERROR, (int)v->id, "vCPU %u: KVM internal error, suberror %u%s", v->id,
			      run->internal.suberror,
			      run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ? " (instruction emulation failed)" : "")) {
			for (uint32_t i = 0; i < run->internal.ndata && i < 16; i++)
				vm_detail(vm, "  data[%u] = %#llx\n", i, run->internal.data[i]);
			detail_registers(v);
		}
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		if (vm_finish(vm, VM_INTERNAL_ERROR, (int)v->id, "vCPU %u: KVM_EXIT_FAIL_ENTRY, hardware reason %#llx", v->id,
			      run->fail_entry.hardware_entry_failure_reason))
			detail_registers(v);
		return false;
	default:
		if (vm_finish(vm, VM_UNSERVED_EXIT, (int)v->id, "vCPU %u: KVM exit %u (%s), which vmsweep does not serve",
			      v->id, run->exit_reason, exit_reason_name(run->exit_reason)))
			detail_registers(v);
		return false;
	}
}

/* This thread's schedstat: ns on a CPU and ns runnable waiting for one (run_delay). */
static bool schedstat_read(uint64_t *run_ns, uint64_t *delay_ns)
{
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	bool ok = f && fscanf(f, "%" SCNu64 " %" SCNu64, run_ns, delay_ns) == 2;
	if (f)
		fclose(f);
	return ok;
}

/* The affinity the thread has, as read back: proof that the pin took. */
static void affinity_note(struct vm_vcpu_place *pl)
{
	cpu_set_t set;
	int cpus[HOST_CPUS_MAX];
	size_t n = 0;
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		snprintf(pl->affinity, sizeof(pl->affinity), "?");
		return;
	}
	for (int c = 0; c < HOST_CPUS_MAX; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	cpu_list_format(cpus, n, pl->affinity, sizeof(pl->affinity));
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	struct vm_vcpu_place *pl = &vm->res->placement.vcpus[v->id];
	uint64_t run0 = 0, delay0 = 0, run1, delay1;
	double t0 = clock_now_s();
	bool have0 = schedstat_read(&run0, &delay0);

	affinity_note(pl);

	while (!atomic_load(&vm->stopping) && atomic_load(&vm->status) == VM_RUNNING) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				if (!atomic_load(&vm->stopping))
					v->run->immediate_exit = 0;
				continue;
			}
			vm_finish(vm, VM_HOST_ERROR, (int)v->id, "vCPU %u: KVM_RUN: %s", v->id, strerror(errno));
			break;
		}
		if (!handle_exit(v))
			break;
	}
	if (have0 && schedstat_read(&run1, &delay1)) {
		pl->have_steal = true;
		pl->steal_ns = delay1 - delay0;
		pl->run_ns = run1 - run0;
		pl->wall_ns = (uint64_t)((clock_now_s() - t0) * 1e9);
	}
	uint64_t one = 1;
	if (write(vm->wake_fd, &one, sizeof(one)) < 0) {
		/* the main loop also polls on a timer */
	}
	return NULL;
}

int vcpu_start(struct vcpu *v, char *err, size_t errlen)
{
	pthread_attr_t attr;
	int host_cpu = v->vm->res->placement.vcpus[v->id].host_cpu;
	int r = pthread_attr_init(&attr);
	if (r == 0 && host_cpu >= 0) {
		/* born on its host CPU: it never runs elsewhere, not even for its first instruction */
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(host_cpu, &set);
		r = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	if (r == 0)
		r = pthread_create(&v->thread, &attr, vcpu_thread, v);
	pthread_attr_destroy(&attr);
	if (r != 0)
		return errorf(err, errlen, "cannot start the thread of vCPU %u%s: %s", v->id,
			      host_cpu >= 0 ? " on its host CPU (--pin)" : "", strerror(r));
	v->started = true;
	char name[16]; /* top -H and perf show which thread is which vCPU */
	snprintf(name, sizeof(name), "vcpu%u", v->id);
	pthread_setname_np(v->thread, name);
	return 0;
}

void vcpu_kick(struct vcpu *v)
{
	if (!v->started)
		return;
	v->run->immediate_exit = 1;
	pthread_kill(v->thread, KICK_SIGNAL);
}
