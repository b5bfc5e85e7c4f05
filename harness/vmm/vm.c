/* The life of one run: create, load, set up, run with a deadline, stop, tear down. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/error.h"
#include "vmm/disk_irqs.h"
#include "vmm/vm_internal.h"
#include "vmm/x86_setup.h"

#define POLL_MS 2 /* how often the rings are drained while the guest runs */
#define MSR_IA32_TSC 0x10

const char *vm_status_name(enum vm_status s)
{
	static const char *const names[] = {
		[VM_RUNNING] = "running", [VM_DONE] = "done", [VM_PANIC] = "panic", [VM_TRIPLE_FAULT] = "triple-fault",
		[VM_INTERNAL_ERROR] = "kvm-internal-error", [VM_UNSERVED_EXIT] = "unserved-exit", [VM_TIMEOUT] = "timeout",
		[VM_BAD_GUEST] = "protocol-violation", [VM_HOST_ERROR] = "host-error", [VM_INTERRUPTED] = "interrupted",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

int vm_status_exit_code(enum vm_status s)
{
	static const int codes[] = {
		[VM_RUNNING] = 1, [VM_DONE] = 0, [VM_PANIC] = 3, [VM_TRIPLE_FAULT] = 4, [VM_INTERNAL_ERROR] = 5,
		[VM_UNSERVED_EXIT] = 6, [VM_TIMEOUT] = 7, [VM_BAD_GUEST] = 8, [VM_HOST_ERROR] = 1,
		[VM_INTERRUPTED] = 130, /* as a shell reports SIGINT */
	};
	return (unsigned)s < sizeof(codes) / sizeof(codes[0]) ? codes[s] : 1;
}

bool vm_finish(struct vm *vm, enum vm_status status, int cpu, const char *fmt, ...)
{
	int expected = VM_RUNNING;
	if (!atomic_compare_exchange_strong(&vm->status, &expected, (int)status))
		return false;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(vm->res->reason, sizeof(vm->res->reason), fmt, ap);
	va_end(ap);
	vm->res->cpu = cpu;
	vm->res->t_end_us = (clock_now_s() - vm->t0) * 1e6;
	uint64_t one = 1;
	if (write(vm->wake_fd, &one, sizeof(one)) < 0) {
		/* the main loop polls on a timer as well */
	}
	return true;
}

void vm_fail_late(struct vm *vm, const char *msg)
{
	int done = VM_DONE;
	if (atomic_compare_exchange_strong(&vm->status, &done, VM_HOST_ERROR)) {
		snprintf(vm->res->reason, sizeof(vm->res->reason), "%s", msg);
		return;
	}
	size_t n = strlen(vm->res->reason);
	snprintf(vm->res->reason + n, sizeof(vm->res->reason) - n, "; and %s", msg);
}

/* Only the thread that won vm_finish, or the main thread after the vCPUs stopped, writes here. */
void vm_detail(struct vm *vm, const char *fmt, ...)
{
	size_t len = strlen(vm->res->detail);
	va_list ap;
	va_start(ap, fmt);
	if (len < sizeof(vm->res->detail))
		vsnprintf(vm->res->detail + len, sizeof(vm->res->detail) - len, fmt, ap);
	va_end(ap);
}

static int vm_load_kernel(struct vm *vm, char *err, size_t errlen)
{
	uint8_t *file;
	size_t size;
	char why[512];

	if (elf_read_file(vm->cfg->kernel_path, &file, &size, why, sizeof(why)) != 0)
		return errorf(err, errlen, "--kernel %s", why);
	int r = elf_parse(file, size, vm->mem.size, &vm->elf, why, sizeof(why));
	if (r == 0)
		elf_load(&vm->elf, file, vm->mem.host, vm->mem.size);
	else
		errorf(err, errlen, "%s: %s", vm->cfg->kernel_path, why);
	free(file);
	return r;
}

/* The host CPUs that take the disks' interrupts, as a set and a list (--pin io, and the
 * I/O threads of an unpinned VM). A disk whose device is not found (device-mapper, a ram
 * disk) is left out, and said when say. */
static void disks_irq_cpus(const struct vm_config *cfg, cpu_set_t *cpus, char *list, size_t len, bool say)
{
	char why[PATH_MAX + 256];
	for (unsigned i = 0; i < cfg->nr_disks; i++)
		if (disk_irq_cpus(cfg->disks[i].path, cpus, why, sizeof(why)) != 0 && say)
			fprintf(stderr, "vmsweep: --pin io: /dev/vd%c's interrupts: %s\n", 'a' + (int)i, why);
	int cpu_ids[CPU_SETSIZE];
	unsigned n = 0;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, cpus))
			cpu_ids[n++] = c;
	cpu_list_format(cpu_ids, n, list, len);
	if (!n && say)
		fprintf(stderr, "vmsweep: --pin io: no disk's interrupt CPUs known: the vCPUs go compact on every CPU\n");
}

/*
 * The shape and where each vCPU runs: x2APIC IDs from the topology, host CPUs from
 * --pin. KVM makes a vCPU's x2APIC ID its vCPU id, so a shape that is not a power of
 * two needs sparse ids (below KVM_CAP_MAX_VCPU_ID); a KVM without them gets dense ones
 * and a warning, since the guest's decode of the shape is then off.
 */
static int vm_place(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_config *cfg = vm->cfg;
	struct vm_placement *pl = &vm->res->placement;
	int host_cpu[VMS_MAX_CPUS];
	char why[512], pin[512];

	pl->topo = vm_config_topology(cfg);
	if (cpu_topology_nr_cpus(&pl->topo) != cfg->nr_cpus)
		return errorf(err, errlen, "--topology %ux%ux%u is %u vCPUs, --vcpus %u", pl->topo.sockets, pl->topo.cores,
			      pl->topo.threads, cpu_topology_nr_cpus(&pl->topo), cfg->nr_cpus);
	int max_id = ioctl(vm->kvm->fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);
	if (max_id <= 0)
		max_id = vm->kvm->max_vcpus;
	pl->apic_ids_dense = cpu_topology_apic_id_limit(&pl->topo) > (uint32_t)max_id;
	if (pl->apic_ids_dense)
		fprintf(stderr, "vmsweep: warning: topology %ux%ux%u needs x2APIC IDs up to %u and this KVM takes vCPU ids "
			"below %d: the vCPUs get ids 0..%u, which the guest decodes as another shape\n", pl->topo.sockets,
			pl->topo.cores, pl->topo.threads, cpu_topology_apic_id_limit(&pl->topo) - 1, max_id, cfg->nr_cpus - 1);
	for (unsigned i = 0; i < cfg->nr_cpus; i++)
		pl->vcpus[i].apic_id = pl->apic_ids_dense ? i : cpu_topology_apic_id(&pl->topo, i);

	pl->pin = cfg->pin;
	/* unpinned, only how many CPUs there are: no sysfs reads on every boot */
	const char *root = cfg->pin.mode == VM_PIN_NONE ? "" : NULL;
	if (host_cpus_read(&vm->host_cpus, NULL, root, why, sizeof(why)) != 0)
		return errorf(err, errlen, "--pin %s: %s", vm_pin_format(&cfg->pin, pin, sizeof(pin)), why);
	CPU_ZERO(&vm->disk_irq_cpus);
	if (cfg->pin.mode == VM_PIN_IO || cfg->pin.mode == VM_PIN_NONE)
		disks_irq_cpus(cfg, &vm->disk_irq_cpus, pl->disk_irq_cpus, sizeof(pl->disk_irq_cpus),
			       cfg->pin.mode == VM_PIN_IO);
	if (placement_plan(&vm->host_cpus, &cfg->pin, cfg->nr_cpus, &vm->disk_irq_cpus, host_cpu, &pl->overcommit, why,
			   sizeof(why)) != 0)
		return errorf(err, errlen, "--pin %s: %s", vm_pin_format(&cfg->pin, pin, sizeof(pin)), why);
	pl->nr_host_cpus = vm->host_cpus.n;
	if (root) {
		int cpus[HOST_CPUS_MAX];
		char list[256];
		for (unsigned i = 0; i < vm->host_cpus.n; i++)
			cpus[i] = vm->host_cpus.cpus[i].cpu;
		snprintf(pl->host, sizeof(pl->host), "%u CPU%s (%s)", vm->host_cpus.n, vm->host_cpus.n == 1 ? "" : "s",
			 cpu_list_format(cpus, vm->host_cpus.n, list, sizeof(list)));
	} else {
		host_cpus_describe(&vm->host_cpus, pl->host, sizeof(pl->host));
	}
	for (unsigned i = 0; i < cfg->nr_cpus; i++)
		pl->vcpus[i].host_cpu = host_cpu[i];
	return 0;
}

static int vm_setup(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_config *cfg = vm->cfg;

	if (!(vm->kvm = kvm_host_get(err, errlen)))
		return -1;
	if ((int)cfg->nr_cpus > vm->kvm->max_vcpus)
		return errorf(err, errlen, "--vcpus %u: this host's KVM allows at most %d", cfg->nr_cpus,
			      vm->kvm->max_vcpus);
	vm->nr_vcpus = cfg->nr_cpus;
	if (vm_place(vm, err, errlen) != 0)
		return -1;
	if (cfg->hugepages ? gmem_alloc_huge(&vm->mem, cfg->mem_size, err, errlen) != 0
			   : gmem_alloc(&vm->mem, cfg->mem_size, cfg->prefault, err, errlen) != 0)
		return -1;
	if (vm_load_kernel(vm, err, errlen) != 0 || vm_layout_plan(vm, err, errlen) != 0)
		return -1;

	vm->t0 = clock_now_s();
	vm->fd = ioctl(vm->kvm->fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return errorf(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = vm->mem.size, .userspace_addr = (uint64_t)vm->mem.host
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return errorf(err, errlen, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	ioctl(vm->fd, KVM_SET_TSS_ADDR, 0xfffbd000ul); /* needed on VMX without unrestricted guest only */
	/*
	 * The local APICs in the kernel (timer, IPIs, hlt), no PIC or IOAPIC: devices
	 * interrupt through MSI routes. Destroying a VM with the full irqchip cost 14 ms
	 * on the project's machines (0.15 ms split), more than the rest of a boot.
	 */
	struct kvm_enable_cap split = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 0 } };
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &split) < 0)
		return errorf(err, errlen, "KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP): %s", strerror(errno));
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vcpu_create(vm, i, vm->res->placement.vcpus[i].apic_id, err, errlen) != 0)
			return -1;
	int khz = ioctl(vm->vcpus[0].fd, KVM_GET_TSC_KHZ, 0);
	if (khz <= 0)
		return errorf(err, errlen, "KVM_GET_TSC_KHZ: %s", strerror(errno));
	vm->tsc_khz = (uint64_t)khz;
	if (vm_devices_create(vm, err, errlen) != 0)
		return -1;
	vm_layout_write(vm);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct x86_vcpu_boot b = { .cpu = i, .nr_cpus = vm->nr_vcpus, .entry = vm->elf.entry,
					   .cpu_area = vm->layout.cpu_areas + (uint64_t)i * VMS_CPU_AREA_SIZE, .hz = cfg->hz,
					   .topo = vm->res->placement.topo, .apic_id = vm->res->placement.vcpus[i].apic_id };
		if (x86_setup_vcpu(vm->kvm, vm->vcpus[i].fd, &b, err, errlen) != 0)
			return -1;
	}
	vm->res->t_created_us = (clock_now_s() - vm->t0) * 1e6;
	return 0;
}

/* The guest's TSC against our clock, to place the guest's own timestamps on our time line. */
static void vm_sync_tsc(struct vm *vm)
{
	struct {
		struct kvm_msrs m;
		struct kvm_msr_entry e;
	} msr = { .m.nmsrs = 1, .e.index = MSR_IA32_TSC };
	if (ioctl(vm->vcpus[0].fd, KVM_GET_MSRS, &msr) == 1) {
		vm->host_at_tsc0 = clock_now_s();
		vm->guest_tsc0 = msr.e.data;
	}
}

static void vm_wait(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	double deadline = cfg->timeout_ns ? clock_now_s() + (double)cfg->timeout_ns * 1e-9 : 0;
	struct pollfd pfd = { .fd = vm->wake_fd, .events = POLLIN };

	while (atomic_load(&vm->status) == VM_RUNNING) {
		if (poll(&pfd, 1, POLL_MS) > 0) {
			uint64_t n;
			if (read(vm->wake_fd, &n, sizeof(n)) < 0) {
				/* nothing to do: poll again */
			}
		}
		if (vm_drain(vm) != 0)
			break;
		if (cfg->stop_requested && *cfg->stop_requested)
			vm_finish(vm, VM_INTERRUPTED, -1, "interrupted by a signal");
		if (deadline && clock_now_s() >= deadline)
			vm_finish(vm, VM_TIMEOUT, -1, "timed out after %.3f s (--timeout)", (double)cfg->timeout_ns * 1e-9);
	}
}

static void vm_stop(struct vm *vm)
{
	atomic_store(&vm->stopping, true);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
	vm->res->nr_vcpus = vm->nr_vcpus;
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vcpu_describe(&vm->vcpus[i], &vm->res->where[i]);
}

static void vm_destroy(struct vm *vm)
{
	vm_devices_destroy(vm); /* stops the I/O threads before guest memory goes */
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		if (v->run)
			munmap(v->run, (size_t)vm->kvm->vcpu_mmap_size);
		if (v->fd > 0)
			close(v->fd);
	}
	if (vm->fd > 0)
		close(vm->fd);
	if (vm->wake_fd >= 0)
		close(vm->wake_fd);
	if (vm->log)
		fclose(vm->log);
	gmem_free(&vm->mem);
	elf_image_free(&vm->elf);
	buf_free(&vm->console_buf);
	buf_free(&vm->results_buf);
	buf_free(&vm->samples_buf);
}

int vm_run(const struct vm_config *cfg, struct vm_result *res, char *err, size_t errlen)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	int ret = -1;

	if (!vm)
		return errorf(err, errlen, "out of memory");
	memset(res, 0, sizeof(*res));
	res->cpu = -1;
	vm->cfg = cfg;
	vm->res = res;
	vm->fd = -1;
	atomic_init(&vm->status, VM_RUNNING);
	vm->console_buf.limit = 64u << 20;
	vm->results_buf.limit = 64u << 20;
	vm->samples_buf.limit = 256u << 20;
	vm->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->wake_fd < 0) {
		errorf(err, errlen, "eventfd: %s", strerror(errno));
		goto out;
	}
	if (cfg->console_log && !(vm->log = fopen(cfg->console_log, "w"))) {
		errorf(err, errlen, "--log %s: %s", cfg->console_log, strerror(errno));
		goto out;
	}
	if (vm_setup(vm, err, errlen) != 0)
		goto out;
	res->tsc_khz = vm->tsc_khz;
	memcpy(res->build_id, vm->elf.build_id, sizeof(res->build_id));

	vcpus_block_kick_signal();
	vm_sync_tsc(vm);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vcpu_start(&vm->vcpus[i], err, errlen) != 0) {
			vm_finish(vm, VM_HOST_ERROR, -1, "%s", err);
			break;
		}
	vm_wait(vm);
	vm_stop(vm);
	vm_devices_stop(vm);
	vm_drain(vm);
	vm_results_finish(vm);
	ret = 0;
out:
	vm_destroy(vm);
	free(vm);
	return ret;
}

struct cpu_topology vm_config_topology(const struct vm_config *cfg)
{
	return cfg->topo.sockets ? cfg->topo : cpu_topology_flat(cfg->nr_cpus);
}

void vm_placement_steal_total(const struct vm_placement *p, unsigned nr_vcpus, uint64_t *steal_ns, uint64_t *wall_ns)
{
	*steal_ns = *wall_ns = 0;
	for (unsigned i = 0; i < nr_vcpus && i < VMS_MAX_CPUS; i++)
		if (p->vcpus[i].have_steal) {
			*steal_ns += p->vcpus[i].steal_ns;
			*wall_ns += p->vcpus[i].wall_ns;
		}
}

void vm_result_free(struct vm_result *res)
{
	record_families_free(res);
	free(res->samples);
	free(res->console);
	res->samples = NULL;
	res->nr_samples = res->cap_samples = 0;
	res->console = NULL;
}
