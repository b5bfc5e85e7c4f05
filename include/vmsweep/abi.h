/*
 * The host <-> guest ABI of vmsweep: guest-physical layout, the per-CPU area the
 * nucleus and the kernel share, the ELF note that describes the nucleus, the boot
 * page, the rings, and the records the guest hands back.
 *
 * Shared by the host (harness/) and the freestanding guest (guest/). Also included
 * from assembly: C declarations sit behind __ASSEMBLER__.
 *
 * Everything the guest writes here is untrusted by the host.
 */
#ifndef VMSWEEP_ABI_H
#define VMSWEEP_ABI_H

/* Bump on any change of layout or meaning below, or of the knob table (vmsweep/knobs.h). */
#define VMS_ABI_VERSION 15

/* ---- Guest-physical layout (identity mapped, all pages user-accessible) ---- */
#define VMS_PAGE_SIZE 0x1000
#define VMS_BOOT_PAGE 0x1000 /* struct vms_boot, VMS_BOOT_SIZE bytes */
#define VMS_BOOT_SIZE 0x2000
#define VMS_GDT 0x3000
#define VMS_IDT 0x4000
#define VMS_TSS 0x5000 /* VMS_MAX_CPUS TSSs, VMS_TSS_STRIDE apart */
#define VMS_TSS_STRIDE 128
#define VMS_IOBITMAP 0x7000 /* shared by every TSS: only the doorbell port is open */
#define VMS_PML4 0x8000
#define VMS_PDPT 0x9000
#define VMS_PT0 0xa000 /* 4 KiB pages for the first 2 MiB; page 0 is not present */
#define VMS_PD_MMIO 0xb000 /* the device window */
#define VMS_PD 0xc000 /* one page directory per GiB of RAM */
#define VMS_KERNEL_MIN 0x100000 /* nothing of the guest ELF may load below this */

#define VMS_MIN_MEM (16ull << 20)
#define VMS_MAX_MEM (64ull << 30)
#define VMS_MEM_ALIGN (2ull << 20) /* RAM is mapped with 2 MiB pages */
#define VMS_MAX_CPUS 64

/* Device (virtio-mmio) window: mapped uncached, outside RAM; one 512-byte window per device. */
#define VMS_MMIO_BASE (256ull << 30)
#define VMS_MMIO_SIZE (2ull << 20)
#define VMS_MMIO_STRIDE 0x200
#define VMS_MAX_DISKS 8

/* GDT selectors */
#define VMS_KERNEL_CS 0x08
#define VMS_KERNEL_DS 0x10
#define VMS_USER_CS 0x1b /* 0x18 | RPL 3 */
#define VMS_USER_DS 0x23 /* 0x20 | RPL 3 */
#define VMS_TSS_SEL(cpu) (0x28 + 16 * (cpu))

/* ---- Ports ---- */
/* The one port the TSS I/O bitmap opens to CPL 3: `out %eax, %dx` with an event. */
#define VMS_PORT_DOORBELL 0x5e0
/* Only the nucleus (CPL 0) writes here: a fault it cannot hand to the kernel. */
#define VMS_PORT_NUCLEUS 0x5e4
#define VMS_EV_DONE 1
#define VMS_EV_PANIC 2

/* ---- Vectors ---- */
#define VMS_VEC_FIRST_IRQ 0x20 /* pending bit = vector - VMS_VEC_FIRST_IRQ */
#define VMS_NR_IRQ_VECS 32
#define VMS_VEC_TIMER 0x20
#define VMS_VEC_RESCHED 0x21
#define VMS_VEC_CALL 0x22
#define VMS_VEC_VIRTIO 0x23 /* every virtqueue's completions, routed to the queue's CPU */
#define VMS_VEC_SPURIOUS 0xff
#define VMS_STUB_STRIDE 16 /* bytes between the nucleus's per-vector stubs */

/* ---- Hypercalls: `int3` with rax = op; they clobber rax, rcx, rdx ---- */
#define VMS_HC_HALT 0x564d0001 /* halt unless an interrupt is pending */
#define VMS_HC_IPI 0x564d0002 /* rdi = x2APIC ID, rsi = vector */
#define VMS_HC_TIMER 0x564d0003 /* rdi = the LAPIC timer's initial count (TMICT): restarts its countdown, 0 stops it */

/* The LAPIC timer counts at KVM's APIC bus rate (1 GHz) divided by 1 (TDCR): a count is a ns. */
#define VMS_APIC_TIMER_KHZ 1000000u

/* ---- The per-CPU area: GS base points at it; carved by the VMM ---- */
#define VMS_CPU_AREA_SIZE 0x8000
#define VMS_CPU_INFO_MAX 0x1000 /* vcpu_info + the kernel's per-CPU data */
#define VMS_CPU_NUCLEUS_STACK_TOP 0x2000 /* RSP0: interrupts from CPL 3 land here */
#define VMS_CPU_IST_STACK_TOP 0x3000 /* IST1: NMI, #DF, #MC */
#define VMS_CPU_BOOT_STACK_TOP 0x8000 /* rsp at the first instruction; later the idle task's */

/* Offsets into struct vms_vcpu_info, for the nucleus. */
#define VI_SELF 0
#define VI_PENDING 8
#define VI_MASK 16
#define VI_IN_FAULT 17
#define VI_UPCALL 24
#define VI_TRAP 32
#define VI_CPU 40
#define VI_F_VECTOR 48
#define VI_F_ERROR 56
#define VI_F_RIP 64
#define VI_F_RSP 72
#define VI_F_RFLAGS 80
#define VI_F_CR2 88
#define VI_TSC_FIRST 96

/* ---- ELF note that describes the nucleus (name "vmsweep", type VMS_NOTE_TYPE) ---- */
#define VMS_NOTE_NAME "vmsweep"
#define VMS_NOTE_TYPE 0x564d5301

/* ---- Rings ---- */
#define VMS_RING_DATA 128 /* offset of the data in a ring */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct vms_vcpu_info {
	uint64_t self; /* its own address: this_cpu() is one load */
	uint64_t pending; /* bit v set by the nucleus for vector 0x20 + v */
	uint8_t mask; /* the virtual IF: 1 = interrupts masked */
	uint8_t in_fault; /* the kernel is handling a fault: a second one goes to the VMM */
	uint8_t pad0[6];
	uint64_t upcall_entry; /* CPL-3 address the nucleus redirects interrupts to */
	uint64_t trap_entry; /* CPL-3 address the nucleus redirects faults to */
	uint64_t cpu;
	uint64_t f_vector, f_error, f_rip, f_rsp, f_rflags, f_cr2; /* the last fault */
	uint64_t tsc_first; /* guest TSC at this CPU's first instruction */
};
_Static_assert(__builtin_offsetof(struct vms_vcpu_info, pending) == VI_PENDING, "abi");
_Static_assert(__builtin_offsetof(struct vms_vcpu_info, mask) == VI_MASK, "abi");
_Static_assert(__builtin_offsetof(struct vms_vcpu_info, in_fault) == VI_IN_FAULT, "abi");
_Static_assert(__builtin_offsetof(struct vms_vcpu_info, upcall_entry) == VI_UPCALL, "abi");
_Static_assert(__builtin_offsetof(struct vms_vcpu_info, trap_entry) == VI_TRAP, "abi");
_Static_assert(__builtin_offsetof(struct vms_vcpu_info, cpu) == VI_CPU, "abi");
_Static_assert(__builtin_offsetof(struct vms_vcpu_info, f_vector) == VI_F_VECTOR, "abi");
_Static_assert(__builtin_offsetof(struct vms_vcpu_info, f_cr2) == VI_F_CR2, "abi");
_Static_assert(__builtin_offsetof(struct vms_vcpu_info, tsc_first) == VI_TSC_FIRST, "abi");

/* Descriptor of the ELF note; all addresses guest-physical (identity). */
struct vms_note {
	uint32_t abi_version;
	uint32_t stub_stride;
	uint64_t exc_stubs; /* 32 stubs, vectors 0..31 */
	uint64_t irq_stubs; /* VMS_NR_IRQ_VECS stubs from VMS_VEC_FIRST_IRQ */
	uint64_t hcall_entry; /* vector 3 (int3), DPL 3 */
	uint64_t spurious_entry;
	uint64_t upcall_entry; /* kernel, CPL 3 */
	uint64_t trap_entry; /* kernel, CPL 3 */
};

/*
 * A single-producer single-consumer byte ring in guest memory. The guest produces
 * (head), the host consumes (tail). The host keeps its own copy of the size and
 * checks head on every read: 0 <= head - tail <= size.
 */
struct vms_ring {
	uint64_t size; /* bytes of data, a power of two; written by the host */
	volatile uint64_t head; /* bytes ever written, by the guest */
	uint8_t pad0[48];
	volatile uint64_t tail; /* bytes ever consumed, by the host */
	uint8_t pad1[56];
	uint8_t data[];
};
_Static_assert(__builtin_offsetof(struct vms_ring, data) == VMS_RING_DATA, "abi");

struct vms_ring_desc {
	uint64_t addr; /* guest-physical address of a struct vms_ring */
	uint64_t size; /* its data size */
};

#define VMS_BOOT_MAGIC 0x3130544f4f42534dull /* "MSBOOT01" */
#define VMS_BOOT_VERBOSE 1u

#include <vmsweep/knobs.h>
#include <vmsweep/vmstat.h>
#include <vmsweep/iolog.h>

#define VMS_DISK_RO 1u
#define VMS_DISK_SWAP 2u /* the guest's swap device (swapon) */
#define VMS_DISK_FS_EXT3 4u /* mounted by the guest at /mnt/vdX (guest/fs/ext3) */
#define VMS_DISK_LOG 8u /* the host records the disk's writes (--disk ...,log=): it takes log marks */

/*
 * A log mark (docs/WRITE_LOG.md): a virtio-blk request of a type of our own, far from
 * the spec's numbers, whose data (device-readable, 1 to VMS_BLK_LOG_MARK_MAX bytes of
 * printable ASCII) the host puts into the disk's write log as a mark, where the request
 * reached it: after every write and flush the guest had seen complete, as dm-log-writes'
 * `dmsetup message ... mark NAME`. Names starting "vmsweep-" are the host's own.
 */
#define VMS_VIRTIO_BLK_T_LOG_MARK 0x564d5301u /* "VMS", 1 */
#define VMS_BLK_LOG_MARK_MAX 256

/* A virtio-blk disk: /dev/vda is disks[0]. Queue q interrupts CPU q % nr_cpus. */
struct vms_disk {
	uint64_t mmio_base;
	uint64_t capacity; /* bytes */
	uint32_t nr_queues;
	uint32_t flags; /* VMS_DISK_* */
};

struct vms_boot {
	uint64_t magic;
	uint32_t abi_version;
	uint32_t nr_cpus;
	uint64_t ram_size;
	uint64_t tsc_khz;
	uint32_t hz; /* periodic tick, 0 = none */
	uint32_t flags; /* VMS_BOOT_* */
	uint64_t seed;
	uint64_t cpu_areas; /* CPU i's area at cpu_areas + i * VMS_CPU_AREA_SIZE */
	uint64_t kernel_start, kernel_end;
	uint64_t free_start, free_end; /* RAM the guest may allocate */
	struct vms_ring_desc console, results, samples;
	uint64_t workload_addr, workload_size; /* struct vms_workload (vmsweep/workload.h), 0 if none */
	uint64_t zone_dma_end; /* ZONE_DMA is [0, zone_dma_end), ZONE_NORMAL the rest of RAM */
	uint32_t nr_disks;
	uint32_t apic_timer_khz; /* the LAPIC timer's count rate (VMS_APIC_TIMER_KHZ); the tick's count is apic_timer_khz * 1000 / hz */
	struct vms_disk disks[VMS_MAX_DISKS];
	uint32_t nr_knobs; /* VMS_KNOB_COUNT of the host: the guest refuses another */
	uint32_t boot_size; /* sizeof(struct vms_boot) of the host: likewise */
	int64_t knobs[VMS_KNOB_COUNT];
};
_Static_assert(sizeof(struct vms_boot) <= VMS_BOOT_SIZE, "boot page overflows");

/* ---- Records in the results and samples rings: header, payload, padded to 8 ---- */
#include <vmsweep/records.h>
#define VMS_REC_MAX_LEN (64u << 10)
#define VMS_HIST_NR_ABI 1856 /* = VMS_HIST_NR of vmsweep/hist.h */

struct vms_rec_hdr {
	uint32_t type;
	uint32_t len; /* payload bytes, not counting this header or padding */
};

struct vms_rec_boot {
	uint64_t tsc_first; /* CPU 0's first instruction */
	uint64_t tsc_main; /* start_kernel entered */
	uint64_t tsc_workload; /* the workload starts */
	uint64_t tsc_done; /* the results are written */
	uint64_t nr_tasks;
	uint64_t hz;
};

struct vms_rec_cpu {
	uint32_t cpu;
	uint32_t pad;
	uint64_t tsc_first;
	uint64_t nr_switches;
	uint64_t nr_ticks;
	uint64_t nr_ipi_sent;
	uint64_t nr_ipi_received;
	uint64_t nr_wakeups;
	uint64_t nr_migrations;
	uint64_t work_loops; /* the built-in workload's compute iterations on this CPU */
	uint64_t busy_ns; /* not idle */
	uint64_t idle_ns;
	uint64_t nr_halts;
	uint64_t nr_preemptions; /* involuntary switches: the task was still runnable */
	uint64_t nr_tick_stops; /* idle with the tick stopped (NO_HZ_IDLE): times it stopped */
	uint64_t nr_tick_restarts; /* ... and was restarted on leaving idle */
};

struct vms_rec_worker {
	uint32_t cpu, pid; /* cpu: the one it was pinned to, or where it ended (pinned 0) */
	uint64_t loops; /* compute chunks it did */
	uint64_t sleeps;
	uint64_t cpu_ns; /* its time on a CPU */
	uint64_t migrations; /* moves to another CPU */
	uint32_t pinned, pad;
	uint64_t wakeups; /* its wake-ups that ran (the sleeps it woke from) */
	uint64_t wakeup_lat_sum_ns, wakeup_lat_max_ns; /* wake-up to running */
};

enum vms_hist_id { VMS_HIST_WAKEUP = 1 };
struct vms_rec_hist {
	uint32_t id;
	uint32_t nr_buckets; /* VMS_HIST_NR */
	uint64_t samples, min_ns, max_ns, sum_ns;
	uint32_t buckets[]; /* fio's log-linear buckets, see vmsweep/hist.h */
};

#define VMS_PANIC_FRAMES 24
struct vms_rec_panic {
	uint64_t cpu, pid;
	char task[16];
	char msg[160];
	uint64_t vector; /* ~0 when not a CPU exception */
	uint64_t error, rip, rsp, rflags, cr2;
	uint64_t regs[16]; /* rax rbx rcx rdx rsi rdi rbp rsp r8..r15 */
	uint32_t nr_frames;
	uint32_t pad;
	uint64_t frames[VMS_PANIC_FRAMES];
};

struct vms_rec_pingpong {
	uint64_t rounds;
	uint64_t target_cpu;
	uint64_t ran_on_target; /* wake-ups after which the woken task ran on target_cpu */
	uint64_t ipis; /* resched IPIs sent while ping-ponging */
	uint64_t total_ns;
};

struct vms_rec_compute {
	uint64_t iters;
	uint64_t ns;
	uint64_t result; /* the loop's value, so it cannot be optimised away */
};

struct vms_rec_task {
	uint32_t pid, cpu;
	uint32_t state, prio;
	char name[16];
};

/* A latency (or a rate) as fio's io_stat keeps it: count, min, max, sum and the sum of
 * squares in 128 bits (lo, hi), so that the host computes fio's mean and its standard
 * deviation (with n - 1) exactly, and merges jobs as fio's sum_stat does. */
struct vms_fio_stat {
	uint64_t n, min, max, sum;
	uint64_t sumsq[2]; /* low, high 64 bits */
};

/* One direction (read or write) of an fio job, as fio's io_stat + clat histogram. */
struct vms_fio_dir {
	uint64_t io_bytes, ios;
	uint64_t runtime_ns; /* from the job's start (after ramp) to its last completion */
	uint64_t clat_min_ns, clat_max_ns, clat_sum_ns;
	uint64_t clat_sumsq[2]; /* sum of squared clat in ns^2, 128 bits (low, high) */
	uint64_t errors;
	/* fio's slat (prepared -> handed to the device; none for sync engines, as fio) and
	 * lat (prepared -> completed), ns */
	struct vms_fio_stat slat, lat;
	/* fio's bw and iops samples, one per bw_avg_time/iops_avg_time (500 ms) of the
	 * job's time after ramp that moved data in this direction: KiB/s and I/O/s */
	struct vms_fio_stat bw, iops;
	uint32_t clat_buckets[VMS_HIST_NR_ABI];
};

/* fio's fixed maps (stat.h FIO_IO_U_MAP_NR, FIO_IO_U_LAT_N_NR, _U_NR, _M_NR) */
#define VMS_FIO_MAP_NR 7
#define VMS_FIO_LAT_N_NR 10
#define VMS_FIO_LAT_U_NR 10
#define VMS_FIO_LAT_M_NR 12

/* fio job errors are errno values, as fio reports them; these two have a meaning the
 * host explains (a verify mismatch is EILSEQ in fio too). */
#define VMS_FIO_EIO 5
#define VMS_FIO_EVERIFY 84 /* EILSEQ: a block read back is not what was written (verify=) */

/* What a verify failure found (vms_rec_fio_job.error_why with VMS_FIO_EVERIFY), in fio's
 * words (verify.c verify_header and the checksums). */
enum vms_verify_fail {
	VMS_VFAIL_NONE,
	VMS_VFAIL_MAGIC, /* "bad magic header": no fio header there at all */
	VMS_VFAIL_LEN, /* "bad header length" */
	VMS_VFAIL_SEED, /* "bad header rand_seed": another write's data */
	VMS_VFAIL_OFFSET, /* "bad header offset": a block written for another offset (a misplaced block) */
	VMS_VFAIL_NUMBERIO, /* "bad header numberio": an older write of this block */
	VMS_VFAIL_HDR_CRC, /* "bad header crc": the header itself is damaged */
	VMS_VFAIL_TYPE, /* the header is of another verify= type */
	VMS_VFAIL_DATA, /* the data's checksum, or the pattern, does not match */
};

struct vms_rec_fio_job {
	uint32_t job; /* index into the workload's jobs */
	uint32_t error; /* 0, or the first error (e.g. VMS_FIO_EIO) */
	uint64_t start_ns, end_ns; /* guest ns since boot */
	uint64_t nr_syncs; /* flushes issued for fsync=/fdatasync= */
	uint64_t sync_lat_sum_ns;
	/* where the first error was: the disk offset and length of the I/O, or for a verify
	 * failure of the header interval, with what was found and wanted (error_why) */
	uint64_t error_offset;
	uint32_t error_len;
	uint32_t error_why; /* enum vms_verify_fail */
	uint64_t error_got, error_want; /* VMS_VFAIL_MAGIC, _LEN, _SEED, _OFFSET, _NUMBERIO, _HDR_CRC, _TYPE, _DATA (checksums: the first 8 bytes) */
	struct vms_fio_dir dir[2]; /* [0] read, [1] write */
	/* the flushes' latency beyond nr_syncs and sync_lat_sum_ns (fio's sync_stat) */
	uint64_t sync_lat_min_ns, sync_lat_max_ns;
	uint64_t sync_lat_sumsq[2]; /* ns^2, 128 bits (low, high) */
	/* fio's io_u_map (the job's I/Os in flight as each is submitted, flushes included, as
	 * fio counts them), io_u_submit (I/Os per submission) and io_u_complete (completions
	 * the job reaped at once), with the submissions and reaps counted */
	uint64_t depth_map[VMS_FIO_MAP_NR], submit_map[VMS_FIO_MAP_NR], complete_map[VMS_FIO_MAP_NR];
	uint64_t total_submit, total_complete;
	/* fio's io_u_lat_n, _u, _m: completion latencies (clat) in fio's fixed ranges */
	uint64_t lat_n[VMS_FIO_LAT_N_NR], lat_u[VMS_FIO_LAT_U_NR], lat_m[VMS_FIO_LAT_M_NR];
	/* the job's task: CPU time in the fio engine (usr) and in the block layer and page
	 * cache on its behalf (sys), context switches, page faults (fio's getrusage) */
	uint64_t usr_ns, sys_ns, ctx, majf, minf;
	uint32_t sync_buckets[VMS_HIST_NR_ABI]; /* the flushes' latency, fio's buckets */
	/* vmsweep's own, not fio's: the job's task over the job (fio_stats_start to _finish):
	 * its time on a CPU (sum_exec_ns), moves to another CPU (nr_migrations), wake-ups
	 * (voluntary switches but those of fio's own yields: each sleep ends in one),
	 * switches (nvcsw, nivcsw); for ioengine=cpuio the compute loop's iterations */
	uint64_t task_cpu_ns, task_migrations, task_wakeups, task_nvcsw, task_nivcsw, cpu_loops;
};

/* What fio reads from /sys/block/vdX/stat, as the guest's block layer counted it over
 * the fio jobs' run: fio's disk_util. One per disk an fio job used. */
struct vms_rec_fio_disk {
	uint32_t disk; /* /dev/vda = 0 */
	uint32_t pad;
	uint64_t elapsed_ns; /* the time the counts cover */
	uint64_t ios[2], merges[2], sectors[2], ticks_ns[2]; /* [0] read, [1] write: requests done, bios merged into them, 512-byte sectors, their time from start to completion */
	uint64_t flush_ios, flush_ticks_ns;
	uint64_t io_ticks_ns; /* time with a request in flight */
	uint64_t time_in_queue_ns; /* the requests' times added up (Linux's time_in_queue) */
};

/* How a disk's completions were found over the run (guest/block/blk-poll.c): one per
 * disk, its hardware queues added up. found[] adds up to completed. */
enum vms_blk_found { VMS_BLK_FOUND_IRQ, VMS_BLK_FOUND_IDLE_POLL, VMS_BLK_FOUND_SUBMITTER_POLL, VMS_BLK_FOUND_NR };
struct vms_rec_blk {
	uint32_t disk; /* /dev/vda = 0 */
	uint32_t completion; /* enum vms_blk_completion */
	uint64_t completed; /* requests */
	uint64_t found[VMS_BLK_FOUND_NR]; /* by the interrupt, an idle CPU's poll, a waiting submitter's poll */
	uint64_t idle_poll_ns, submitter_poll_ns; /* CPU time spent polling for them */
	uint64_t poll_windows, poll_windows_expired; /* hybrid polls (idle CPUs, submitters); those that ran out */
	uint64_t kicks, kicks_suppressed; /* notifications sent; not sent, the host being awake */
	/* writeback throttling (guest/block/blk-wbt.c, the wbt_lat_usec knob); zeros when off */
	uint64_t wbt_lat_ns; /* the read latency target */
	uint64_t wbt_throttled, wbt_throttled_ns; /* writes that waited for room, and how long in all */
	uint64_t wbt_windows; /* monitoring windows that ended */
	int32_t wbt_scale_step, wbt_scale_step_min, wbt_scale_step_max; /* at the end; the extremes */
	uint32_t wbt_max_depth; /* writes in flight allowed at the end (REQ_SYNC's; background a quarter) */
	/* the I/O scheduler (guest/block/cfq-iosched.c, the iosched knob) */
	uint32_t iosched; /* enum vms_iosched: none or cfq */
	uint32_t pad2;
	uint64_t cfq_sync_dispatched, cfq_async_dispatched; /* requests sent to the device, by kind */
	uint64_t cfq_async_held; /* times an async request was kept back for sync I/O or its depth */
};

struct vms_rec_sample {
	uint64_t tsc;
	uint32_t cpu, pad;
	uint64_t nr_switches, nr_ticks, nr_running;
};

#include <vmsweep/writeback.h> /* the writeback records (records.h) */
#include <vmsweep/journal.h> /* the journal records (records.h) */
#include <vmsweep/schedstat.h> /* the scheduler's records (records.h) */
#endif /* __ASSEMBLER__ */
#endif
