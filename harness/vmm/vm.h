/*
 * One guest run on our own KVM driver: create the VM, load the kernel, prepare every
 * privileged structure and the boot page, run the vCPUs (a host thread each), drain
 * the rings, and end with a status and a report whatever the guest does.
 */
#ifndef VMM_VM_H
#define VMM_VM_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <vmsweep/abi.h>
#include <vmsweep/hist.h>

#include "records/family.h"
#include "vmm/cpu_topology.h"
#include "vmm/placement.h"
#include "vmm/blk/disk.h"
#include "vmm/blk/disk_fs.h"
#include "vmm/blk/write_log.h"
#include "vmm/virtio/virtio_mmio.h"

enum vm_status {
	VM_RUNNING = 0,
	VM_DONE,
	VM_PANIC, /* the guest's own report, or a fault its fault handler could not take */
	VM_TRIPLE_FAULT, /* KVM_EXIT_SHUTDOWN */
	VM_INTERNAL_ERROR, /* KVM_EXIT_INTERNAL_ERROR, KVM_EXIT_FAIL_ENTRY */
	VM_UNSERVED_EXIT, /* an exit the VMM does not serve */
	VM_TIMEOUT,
	VM_BAD_GUEST, /* the guest broke the host<->guest protocol */
	VM_HOST_ERROR,
	VM_INTERRUPTED, /* SIGINT or SIGTERM: stopped cleanly, what was measured kept */
};
const char *vm_status_name(enum vm_status s);
/* The process exit status for a run that ended so (documented in `vmsweep --help`). */
int vm_status_exit_code(enum vm_status s);

/* The defaults of vm_config_init, which sweeps and `boot` share. */
#define VM_DEFAULT_MEMORY (128ull << 20)
#define VM_DEFAULT_CPUS 2
/* Debian's CONFIG_HZ_250: each tick costs ~60 us of interrupt delivery on the project's machines. */
#define VM_DEFAULT_HZ 250
/* How long an idle disk queue's host thread polls before it sleeps on its ioeventfd. */
#define VM_DEFAULT_BLK_POLL_US 200

/* The guest's samples one run keeps (CPU and vmstat samples, as the host holds them):
 * 32 MiB, about 100000 vmstat samples of 312 bytes (the first 100 s at sample_ms=1).
 * Later samples are dropped and counted (vm_result.samples_dropped), which the
 * summaries and the store report. Without it a guest that samples fast grew the host
 * without bound: the parsed samples, the store's series (~1.1 times as much), and
 * `--json`, which writes the series element by element (util/json_out.h) since a
 * vmstat sample took ~18 times its ring bytes as jansson objects. The samples ring is
 * parsed as it is drained, so its raw bytes do not pile up either. */
#define VM_SAMPLES_BUDGET (32u << 20)

struct vm_config {
	unsigned backend; /* enum backend_kind (backend/backend.h): 0, kvm, for our own driver */
	uint64_t mem_size;
	unsigned nr_cpus;
	struct cpu_topology topo; /* sockets x cores x threads = nr_cpus; all 0: 1 x nr_cpus x 1 */
	struct vm_pin pin; /* where the vCPU threads run on the host (--pin) */
	bool prefault;
	bool hugepages; /* guest RAM from the host's hugetlb pool (--hugepages); implies prefault */
	const char *kernel_path;
	unsigned hz;
	uint64_t timeout_ns; /* 0: none */
	uint64_t seed;
	bool verbose;
	int64_t knobs[VMS_KNOB_COUNT];
	FILE *console_live; /* NULL: do not show the console */
	const char *console_log; /* NULL: keep it only in memory */
	volatile int *stop_requested; /* set from a signal handler: end the run cleanly */
	unsigned nr_disks;
	struct disk_config disks[VMS_MAX_DISKS];
	uint64_t blk_poll_ns; /* an idle virtio-blk queue thread polls this long before it sleeps */
	const void *workload; /* struct vms_workload, or NULL for the built-in workload */
	size_t workload_size;
};

struct vm_disk_stats {
	char name[8];
	char path[PATH_MAX];
	uint64_t capacity;
	unsigned queues;
	uint64_t reads, writes, flushes, bytes_read, bytes_written;
	uint64_t io_errors, refused, unsupported;
	uint64_t notifications, interrupts, interrupts_suppressed;
	struct disk_model model; /* as resolved for the image (capacity filled in); none: inactive */
	uint64_t model_held, model_late; /* completions the model held; that came after their due time */
	uint64_t queue_requests[VIRTIO_MMIO_MAX_QUEUES]; /* requests each queue took (queues of them) */
	char first_error[256];
	enum disk_fs fs; /* fs=, and mkfs= as given */
	bool has_mkfs;
	char mkfs[DISK_MKFS_MAX];
	struct disk_fsck fsck; /* fsck: e2fsck -fn after the run (ran) */
	char log[PATH_MAX]; /* log=, "" for none; then what the log took */
	struct write_log_stats log_stats;
};

struct vcpu_where {
	bool valid;
	uint64_t rip, rsp, rflags;
	int cpl;
	bool masked; /* the kernel's virtual IF */
	uint64_t pending;
	char rip_sym[128];
};

/* Where each vCPU ran on the host, and what the host took from it (steal). */
struct vm_vcpu_place {
	uint32_t apic_id; /* its x2APIC ID, = its KVM vCPU id */
	int host_cpu; /* pinned to it; -1: not pinned */
	char affinity[128]; /* the thread's affinity as sched_getaffinity read it back, a CPU list */
	bool have_steal;
	uint64_t steal_ns; /* runnable but not running on the host (schedstat run_delay) while it ran */
	uint64_t run_ns; /* on a host CPU (schedstat) */
	uint64_t wall_ns; /* the thread's life, from before its first KVM_RUN to after its last */
};

struct vm_placement {
	struct cpu_topology topo;
	bool apic_ids_dense; /* KVM would not take the shape's sparse vCPU ids: 0..n-1 instead */
	struct vm_pin pin;
	bool overcommit; /* vCPUs share host CPUs */
	char io_cpus[128]; /* with --pin, the host CPUs the disks' I/O threads run on (those no vCPU has); "": anywhere */
	char disk_irq_cpus[128]; /* --pin io or none: the host CPUs that take the disks' interrupts; "": unknown */
	unsigned nr_host_cpus; /* the host CPUs this run may use */
	char host[256]; /* their topology, for people */
	struct vm_vcpu_place vcpus[VMS_MAX_CPUS];
};

struct vm_result {
	enum vm_status status;
	int cpu; /* the vCPU that ended the run, -1 if none */
	char reason[512]; /* one line */
	char detail[8192]; /* registers, backtrace, where each vCPU was */

	/* microseconds from the start of VM creation */
	double t_created_us, t_first_insn_us, t_main_us, t_workload_us, t_done_us, t_end_us;
	uint64_t tsc_khz;
	char build_id[41];

	bool have_boot, have_wakeup, have_pingpong, have_compute, have_panic;
	struct vms_rec_boot boot;
	unsigned nr_cpu_recs;
	struct vms_rec_cpu cpus[VMS_MAX_CPUS];
	struct vms_rec_hist wakeup;
	uint32_t wakeup_buckets[VMS_HIST_NR];
	struct vms_rec_pingpong pingpong;
	struct vms_rec_compute compute;
	struct vms_rec_panic panic;
	unsigned nr_tasks;
	struct vms_rec_task tasks[256];
	unsigned nr_workers;
	struct vms_rec_worker workers[VMS_MAX_CPUS * 64];
	size_t nr_samples, cap_samples;
	struct vms_rec_sample *samples;
	size_t samples_bytes; /* of every kind kept, against VM_SAMPLES_BUDGET */
	uint64_t samples_dropped; /* beyond the budget */

	char *console; /* NUL-terminated */
	size_t console_len;
	uint64_t console_dropped;
	unsigned nr_vcpus;
	struct vcpu_where where[VMS_MAX_CPUS];
	struct vm_placement placement; /* topology, pinning and steal: valid once the VM was set up */
	unsigned nr_disks;
	struct vm_disk_stats disks[VMS_MAX_DISKS];
	/* What each record family took (records/family.h): its own structure. */
	void *family_data[RECORD_NR_FAMILIES];
};

/* A configuration with the defaults: memory, vCPUs, HZ, pre-faulting, seed 1, the
 * knobs' defaults, no disks, no timeout, the built-in workload, no kernel path. */
void vm_config_init(struct vm_config *cfg);
/* guest/guest.elf beside the harness binary (../guest/guest.elf from it), wherever the
 * tree is; else guest/guest.elf in the working directory. */
const char *vm_default_kernel_path(char *buf, size_t len);

/* Runs one guest. 0: it ran (res->status says how it ended); -1: it could not be set
 * up (err says why: bad ELF, no KVM, too little memory). res is allocated by the caller. */
int vm_run(const struct vm_config *cfg, struct vm_result *res, char *err, size_t errlen);
/* The topology a configuration runs: cfg->topo, or 1 x nr_cpus x 1 when none is given. */
struct cpu_topology vm_config_topology(const struct vm_config *cfg);
/* Sum of the vCPUs' steal and of their lives (0 when none was measured). */
void vm_placement_steal_total(const struct vm_placement *p, unsigned nr_vcpus, uint64_t *steal_ns, uint64_t *wall_ns);
/* Frees what the run's records took; may be called again. */
void vm_result_free(struct vm_result *res);
/* Whether a sample of bytes fits the run's VM_SAMPLES_BUDGET, taking its room if so;
 * false counts it dropped (a record family's take, and the VMM's own). */
bool vm_result_sample_keep(struct vm_result *res, size_t bytes);
#endif
