/*
 * Where things go in guest memory. Below 1 MiB: the boot page and the privileged
 * tables (include/vmsweep/abi.h); from 1 MiB the kernel image. At the top of RAM, as
 * Linux's memblock allocates top-down: the per-CPU areas, the rings and the workload;
 * the guest allocates what lies between (its mem_map from the top of that). So ZONE_DMA
 * (the first 16 MiB) holds the kernel image alone, as a Linux guest's holds nothing of
 * its kernel (loaded at 16 MiB): the zones' sizes and watermarks are comparable.
 */
#include <string.h>

#include "util/error.h"
#include "vmm/vm_internal.h"
#include "vmm/x86_setup.h"

#define PAGE_ALIGN(x) (((x) + VMS_PAGE_SIZE - 1) & ~(uint64_t)(VMS_PAGE_SIZE - 1))
#define MIN_GUEST_HEAP (4ull << 20)

int vm_layout_plan(struct vm *vm, char *err, size_t errlen)
{
	struct vm_layout *l = &vm->layout;
	uint64_t start = PAGE_ALIGN(vm->elf.highest), top = vm->mem.size & ~(uint64_t)(VMS_PAGE_SIZE - 1);
	uint64_t need = (uint64_t)vm->nr_vcpus * VMS_CPU_AREA_SIZE + PAGE_ALIGN(VMS_RING_DATA + CONSOLE_RING_SIZE) +
			PAGE_ALIGN(VMS_RING_DATA + RESULTS_RING_SIZE) + PAGE_ALIGN(VMS_RING_DATA + SAMPLES_RING_SIZE) +
			PAGE_ALIGN(vm->cfg->workload_size);

	if (start + need + MIN_GUEST_HEAP > top)
		return errorf(err, errlen,
			      "--memory %llu MiB is too small for %u vCPUs: the kernel, per-CPU areas and rings take %llu KiB and the guest needs %llu MiB more",
			      (unsigned long long)(vm->mem.size >> 20), vm->nr_vcpus,
			      (unsigned long long)((start + need) >> 10), (unsigned long long)(MIN_GUEST_HEAP >> 20));
	if (vm->cfg->workload_size) {
		top -= PAGE_ALIGN(vm->cfg->workload_size);
		l->workload = top;
	}
	top -= PAGE_ALIGN(VMS_RING_DATA + SAMPLES_RING_SIZE);
	l->samples = top;
	top -= PAGE_ALIGN(VMS_RING_DATA + RESULTS_RING_SIZE);
	l->results = top;
	top -= PAGE_ALIGN(VMS_RING_DATA + CONSOLE_RING_SIZE);
	l->console = top;
	top -= (uint64_t)vm->nr_vcpus * VMS_CPU_AREA_SIZE;
	l->cpu_areas = top;
	l->free_start = start;
	l->free_end = top;
	return 0;
}

void vm_layout_write(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	const struct vm_layout *l = &vm->layout;
	struct vms_boot *bp = gmem_ptr(&vm->mem, VMS_BOOT_PAGE, VMS_BOOT_SIZE);

	memset(bp, 0, VMS_BOOT_SIZE);
	bp->magic = VMS_BOOT_MAGIC;
	bp->abi_version = VMS_ABI_VERSION;
	bp->nr_cpus = vm->nr_vcpus;
	bp->ram_size = vm->mem.size;
	bp->tsc_khz = vm->tsc_khz;
	bp->hz = cfg->hz;
	bp->apic_timer_khz = VMS_APIC_TIMER_KHZ;
	bp->flags = cfg->verbose ? VMS_BOOT_VERBOSE : 0;
	bp->seed = cfg->seed;
	bp->cpu_areas = l->cpu_areas;
	bp->kernel_start = vm->elf.lowest;
	bp->kernel_end = vm->elf.highest;
	bp->free_start = l->free_start;
	bp->free_end = l->free_end;
	bp->console = (struct vms_ring_desc){ l->console, CONSOLE_RING_SIZE };
	bp->results = (struct vms_ring_desc){ l->results, RESULTS_RING_SIZE };
	bp->samples = (struct vms_ring_desc){ l->samples, SAMPLES_RING_SIZE };
	if (l->workload) {
		memcpy(gmem_ptr(&vm->mem, l->workload, cfg->workload_size), cfg->workload, cfg->workload_size);
		bp->workload_addr = l->workload;
		bp->workload_size = cfg->workload_size;
	}
	/* Linux's ZONE_DMA: the first 16 MiB (MAX_DMA_ADDRESS); Normal is the rest. */
	bp->zone_dma_end = vm->mem.size < (16ull << 20) ? vm->mem.size : (16ull << 20);
	bp->nr_disks = vm->nr_disks;
	for (unsigned i = 0; i < vm->nr_disks; i++) {
		const struct virtio_blk_dev *d = vm->disks[i];
		bp->disks[i] = (struct vms_disk){ .mmio_base = d->mmio.base, .capacity = d->capacity,
						  .nr_queues = d->nr_queues,
						  .flags = (d->cfg.read_only ? VMS_DISK_RO : 0) |
							   (d->cfg.swap ? VMS_DISK_SWAP : 0) |
							   (d->cfg.fs == DISK_FS_EXT3 ? VMS_DISK_FS_EXT3 : 0) |
							   (d->log ? VMS_DISK_LOG : 0) };
	}
	bp->nr_knobs = VMS_KNOB_COUNT;
	bp->boot_size = sizeof(*bp);
	memcpy(bp->knobs, cfg->knobs, sizeof(bp->knobs));

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		uint64_t area = l->cpu_areas + (uint64_t)i * VMS_CPU_AREA_SIZE;
		struct vms_vcpu_info *vi = gmem_ptr(&vm->mem, area, VMS_CPU_INFO_MAX);
		vi->self = area;
		vi->cpu = i;
		vi->mask = 1; /* until the kernel is ready for interrupts */
		vi->upcall_entry = vm->elf.note.upcall_entry;
		vi->trap_entry = vm->elf.note.trap_entry;
	}
	/* The rings were sized by ring_reader_init; these cannot fail: the plan fits in RAM. */
	ring_reader_init(&vm->console, "console", &vm->mem, l->console, CONSOLE_RING_SIZE);
	ring_reader_init(&vm->results, "results", &vm->mem, l->results, RESULTS_RING_SIZE);
	ring_reader_init(&vm->samples, "samples", &vm->mem, l->samples, SAMPLES_RING_SIZE);
	x86_setup_tables(&vm->mem, vm->nr_vcpus, l->cpu_areas, &vm->elf.note);
}
