/*
 * The VM's devices: virtio-blk disks in the device window, their queue notifications
 * as ioeventfds (no exit to the VMM) and completions as irqfds routed as MSIs to the
 * local APIC of the queue's CPU (the split irqchip has no IOAPIC).
 */
#include <errno.h>
#include <linux/virtio_mmio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "util/error.h"
#include "vmm/vm_internal.h"

static void device_fatal(void *ctx, const char *msg)
{
	vm_finish(ctx, VM_BAD_GUEST, -1, "%s", msg);
}

static void device_host_error(void *ctx, const char *msg)
{
	vm_finish(ctx, VM_HOST_ERROR, -1, "%s", msg);
}

static int route_queue(struct vm *vm, struct blk_queue *q, uint64_t notify_addr, unsigned cpu, char *err, size_t errlen)
{
	struct kvm_ioeventfd io = { .addr = notify_addr, .len = 4, .fd = q->notify_fd, .datamatch = q->index,
				    .flags = KVM_IOEVENTFD_FLAG_DATAMATCH };
	if (ioctl(vm->fd, KVM_IOEVENTFD, &io) < 0)
		return errorf(err, errlen, "KVM_IOEVENTFD: %s", strerror(errno));
	unsigned gsi = vm->nr_routes;
	struct kvm_irq_routing_entry *e = &vm->routes[vm->nr_routes++];
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_MSI;
	e->u.msi.address_lo = 0xfee00000u | (vm->vcpus[cpu].kvm_id << 12); /* fixed delivery to the CPU's x2APIC ID */
	e->u.msi.data = VMS_VEC_VIRTIO; /* edge */
	return (int)gsi;
}

/*
 * Unpinned, the disks' I/O threads get the host CPUs that take the disks' interrupts (when
 * they are some of the allowed CPUs, not all), and the vCPUs are left to the scheduler,
 * which then keeps a busy vCPU off the I/O thread's CPU. A polling vCPU on the interrupts'
 * CPU shares it with them and with the I/O thread they wake: 4k random writes at depth 32,
 * 2 vCPUs, 8 interleaved runs of 2 s: 104-142k IOPS (3 of 7 near 105k) with everything
 * left to the scheduler, 131-145k with the I/O threads on the interrupts' CPU.
 *
 * With --pin, the disks' I/O threads get the allowed host CPUs no vCPU is pinned to. Left
 * to the scheduler, the I/O thread a vCPU's kick wakes is put beside it (wake-affine), on
 * the one CPU the pinned vCPU may not leave, and the two share it while the other core
 * idles: 4k random writes at depth 32 fell from 0.66-0.88 of host fio to 0.20-0.28 when
 * the one vCPU was pinned. With every CPU taken by a vCPU they stay anywhere.
 */
static void io_cpus_plan(struct vm *vm, struct virtio_blk_tuning *t)
{
	struct vm_placement *pl = &vm->res->placement;
	int cpus[HOST_CPUS_MAX];
	size_t n = 0;

	CPU_ZERO(&t->io_cpus);
	pl->io_cpus[0] = 0;
	bool unpinned = vm->cfg->pin.mode == VM_PIN_NONE;
	for (unsigned i = 0; i < vm->host_cpus.n; i++) {
		int c = vm->host_cpus.cpus[i].cpu;
		if (c >= CPU_SETSIZE)
			continue;
		/* unpinned: the interrupts' CPUs; pinned: those no vCPU has */
		bool taken = unpinned && !CPU_ISSET(c, &vm->disk_irq_cpus);
		for (unsigned v = 0; v < vm->nr_vcpus && !unpinned && !taken; v++)
			taken = pl->vcpus[v].host_cpu == c;
		if (!taken) {
			CPU_SET(c, &t->io_cpus);
			cpus[n++] = c;
		}
	}
	if (unpinned && n == vm->host_cpus.n) { /* every CPU takes some: nothing to prefer */
		CPU_ZERO(&t->io_cpus);
		n = 0;
	}
	t->io_pinned = n > 0;
	if (n)
		cpu_list_format(cpus, n, pl->io_cpus, sizeof(pl->io_cpus));
}

int vm_devices_create(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_config *cfg = vm->cfg;
	struct virtio_blk_tuning tuning = { .poll_ns = cfg->blk_poll_ns };
	io_cpus_plan(vm, &tuning);
	int gsis[VMS_MAX_DISKS][VIRTIO_MMIO_MAX_QUEUES];

	for (unsigned i = 0; i < cfg->nr_disks; i++) {
		unsigned queues = cfg->disks[i].queues ? cfg->disks[i].queues : vm->nr_vcpus;
		uint64_t base = VMS_MMIO_BASE + (uint64_t)i * VMS_MMIO_STRIDE;
		struct virtio_blk_dev *d = calloc(1, sizeof(*d));
		if (!d)
			return errorf(err, errlen, "out of memory");
		vm->disks[vm->nr_disks++] = d;
		if (virtio_blk_create(d, i, &cfg->disks[i], base, queues, &vm->mem, &tuning, err, errlen) != 0)
			return -1;
		d->fatal = device_fatal;
		d->host_error = device_host_error;
		d->fatal_ctx = vm;
		for (unsigned q = 0; q < queues; q++)
			if ((gsis[i][q] = route_queue(vm, &d->q[q], base + VIRTIO_MMIO_QUEUE_NOTIFY, q % vm->nr_vcpus, err,
						      errlen)) < 0)
				return -1;
	}
	if (!vm->nr_routes)
		return 0;
	struct kvm_irq_routing *table = calloc(1, sizeof(*table) + vm->nr_routes * sizeof(table->entries[0]));
	if (!table)
		return errorf(err, errlen, "out of memory");
	table->nr = vm->nr_routes;
	memcpy(table->entries, vm->routes, vm->nr_routes * sizeof(table->entries[0]));
	int r = ioctl(vm->fd, KVM_SET_GSI_ROUTING, table);
	free(table);
	if (r < 0)
		return errorf(err, errlen, "KVM_SET_GSI_ROUTING: %s", strerror(errno));
	for (unsigned i = 0; i < vm->nr_disks; i++)
		for (unsigned q = 0; q < vm->disks[i]->nr_queues; q++) {
			struct kvm_irqfd irqfd = { .fd = (uint32_t)vm->disks[i]->q[q].irq_fd, .gsi = (uint32_t)gsis[i][q] };
			if (ioctl(vm->fd, KVM_IRQFD, &irqfd) < 0)
				return errorf(err, errlen, "KVM_IRQFD: %s", strerror(errno));
		}
	return 0;
}

bool vm_devices_mmio(struct vm *vm, uint64_t addr, uint8_t *data, uint32_t len, bool is_write)
{
	if (addr < VMS_MMIO_BASE || len > 8)
		return false;
	uint64_t index = (addr - VMS_MMIO_BASE) / VMS_MMIO_STRIDE;
	if (index >= vm->nr_disks)
		return false;
	uint64_t off = (addr - VMS_MMIO_BASE) % VMS_MMIO_STRIDE;
	if (off + len > VMS_MMIO_STRIDE)
		return false;
	virtio_mmio_access(&vm->disks[index]->mmio, off, data, len, is_write);
	return true;
}

/* Stops device service (I/O threads) once the vCPUs are stopped: no I/O after the run.
 * Then the disks' write logs are finished and their file systems checked. */
void vm_devices_stop(struct vm *vm)
{
	char err[1300];
	for (unsigned i = 0; i < vm->nr_disks; i++)
		virtio_mmio_stop(&vm->disks[i]->mmio);
	for (unsigned i = 0; i < vm->nr_disks; i++)
		if (virtio_blk_finish(vm->disks[i], err, sizeof(err)))
			vm_fail_late(vm, err);
}

void vm_devices_destroy(struct vm *vm)
{
	struct vm_result *res = vm->res;

	for (unsigned i = 0; i < vm->nr_disks; i++) {
		struct virtio_blk_dev *d = vm->disks[i];
		virtio_blk_destroy(d);
		struct vm_disk_stats *s = &res->disks[res->nr_disks++];
		snprintf(s->name, sizeof(s->name), "%s", d->name);
		snprintf(s->path, sizeof(s->path), "%s", d->cfg.path);
		s->capacity = d->capacity;
		s->queues = d->nr_queues;
		s->reads = d->stats.reads;
		s->writes = d->stats.writes;
		s->flushes = d->stats.flushes;
		s->bytes_read = d->stats.bytes_read;
		s->bytes_written = d->stats.bytes_written;
		s->io_errors = d->stats.io_errors;
		s->refused = d->stats.refused;
		s->unsupported = d->stats.unsupported;
		s->notifications = d->stats.notifications;
		s->interrupts = d->stats.interrupts;
		s->interrupts_suppressed = d->stats.interrupts_suppressed;
		if (d->modelled)
			s->model = d->model.m;
		for (unsigned q = 0; q < d->nr_queues; q++)
			s->queue_requests[q] = d->q[q].requests;
		s->model_held = d->stats.model_held;
		s->model_late = d->stats.model_late;
		s->fs = d->cfg.fs;
		s->has_mkfs = d->cfg.has_mkfs;
		snprintf(s->mkfs, sizeof(s->mkfs), "%s", d->cfg.mkfs);
		s->fsck = d->fsck;
		snprintf(s->log, sizeof(s->log), "%s", d->cfg.log);
		s->log_stats = d->log_stats;
		snprintf(s->first_error, sizeof(s->first_error), "%s", d->first_error[0] ? d->first_error : d->mmio.failure);
		free(d);
	}
	vm->nr_disks = 0;
}
