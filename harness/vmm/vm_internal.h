/* The VM's internals, shared by vm.c (life cycle), vcpu.c (threads, exits), layout.c and results.c. */
#ifndef VMM_VM_INTERNAL_H
#define VMM_VM_INTERNAL_H
#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>

#include "vmm/blk/virtio_blk.h"
#include "vmm/elf_load.h"
#include "vmm/guest_mem.h"
#include "vmm/kvm.h"
#include "vmm/ring.h"
#include <vmsweep/workload.h>
#include "vmm/vm.h"

#define CONSOLE_RING_SIZE (64u << 10)
#define RESULTS_RING_SIZE (256u << 10)
#define SAMPLES_RING_SIZE (256u << 10)

struct vm;

/* How far a ring's records have been taken (results.c). */
struct ring_parse {
	uint64_t taken; /* bytes of whole records taken and dropped from the buffer */
	bool broken; /* a bad record: nothing after it is read */
};

struct vcpu {
	struct vm *vm;
	unsigned id; /* the guest's CPU index, creation order */
	uint32_t kvm_id; /* KVM_CREATE_VCPU's id: the x2APIC ID */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
};

struct vm_layout {
	uint64_t cpu_areas;
	uint64_t console, results, samples; /* ring addresses */
	uint64_t workload; /* the compiled workload, or 0 */
	uint64_t free_start, free_end;
};

struct vm {
	const struct vm_config *cfg;
	const struct kvm_host *kvm;
	struct vm_result *res;
	int fd;
	struct guest_mem mem;
	struct elf_image elf;
	struct vm_layout layout;
	unsigned nr_vcpus;
	struct vcpu vcpus[VMS_MAX_CPUS];
	struct host_cpus host_cpus; /* what placement chose from */
	cpu_set_t disk_irq_cpus; /* the host CPUs that take the disks' interrupts (pin none or io) */

	atomic_int status; /* enum vm_status: the first to end the run wins */
	atomic_bool stopping;
	int wake_fd; /* eventfd: a vCPU thread ended the run */

	struct ring_reader console, results, samples;
	struct buf console_buf, results_buf, samples_buf;
	size_t console_shown; /* bytes of console_buf shown on cfg->console_live */
	struct ring_parse results_parse, samples_parse;
	uint64_t cpu_recs_seen; /* CPUs whose record arrived: a second one is refused */
	char protocol_error[320]; /* the first way the guest broke the results protocol */
	FILE *log;

	unsigned nr_disks;
	struct virtio_blk_dev *disks[VMS_MAX_DISKS];
	unsigned nr_routes;
	struct kvm_irq_routing_entry routes[VMS_MAX_DISKS * VIRTIO_MMIO_MAX_QUEUES];

	double t0; /* CLOCK_MONOTONIC seconds at the start of VM creation */
	uint64_t tsc_khz, guest_tsc0;
	double host_at_tsc0;
};

/* devices.c */
int vm_devices_create(struct vm *vm, char *err, size_t errlen);
/* A vCPU's MMIO exit; false if no device is at that address. */
bool vm_devices_mmio(struct vm *vm, uint64_t addr, uint8_t *data, uint32_t len, bool is_write);
void vm_devices_stop(struct vm *vm);
void vm_devices_destroy(struct vm *vm);

/* layout.c */
int vm_layout_plan(struct vm *vm, char *err, size_t errlen);
void vm_layout_write(struct vm *vm);

/* vcpu.c */
int vcpu_create(struct vm *vm, unsigned id, uint32_t kvm_id, char *err, size_t errlen);
int vcpu_start(struct vcpu *v, char *err, size_t errlen);
void vcpu_kick(struct vcpu *v);
void vcpu_describe(struct vcpu *v, struct vcpu_where *w);
void vcpus_block_kick_signal(void);

/* Ends the run with status unless something ended it first; returns whether this call did. */
bool vm_finish(struct vm *vm, enum vm_status status, int cpu, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A host failure found after the guest stopped (a disk's write log that could not be
 * finished): a run that was done fails with it; one that had failed already keeps its
 * cause and adds this one. Main thread, once the vCPUs and devices are stopped. */
void vm_fail_late(struct vm *vm, const char *msg);
/* Appends to the result's detail text. */
void vm_detail(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* results.c */
int vm_drain(struct vm *vm);
/* Takes the samples ring's whole records (vm_drain does after each drain). */
void vm_samples_take(struct vm *vm);
void vm_results_finish(struct vm *vm);
#endif
