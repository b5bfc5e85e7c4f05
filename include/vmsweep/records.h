/*
 * The records the guest hands back, one line each: the single list that the enum,
 * the host's length checks, names and ring checks, and the host's dispatch to the
 * record's family are all made from.
 *
 * X(NAME, number, payload struct, family, ring, shape, "name in messages")
 *   family  the host module that takes, checks, stores and reports it (vmm: the
 *           VMM's own; otherwise harness/records/<family>*.c)
 *   ring    RESULTS or SAMPLES: the one ring it may arrive in
 *   shape   FIXED: the payload is exactly the struct; TAIL: the struct and then an
 *           array its family checks (the payload is at least the struct)
 *
 * Numbers are part of the ABI: never reuse one; a new record takes the next.
 */
#ifndef VMSWEEP_RECORDS_H
#define VMSWEEP_RECORDS_H

#define VMS_RECORD_TYPES(X)                                                                  \
	X(BOOT, 1, vms_rec_boot, vmm, RESULTS, FIXED, "boot")                                \
	X(CPU, 2, vms_rec_cpu, vmm, RESULTS, FIXED, "CPU")                                   \
	X(HIST, 3, vms_rec_hist, vmm, RESULTS, TAIL, "histogram")                            \
	X(PANIC, 4, vms_rec_panic, vmm, RESULTS, FIXED, "panic")                             \
	X(PINGPONG, 5, vms_rec_pingpong, vmm, RESULTS, FIXED, "pingpong")                    \
	X(COMPUTE, 6, vms_rec_compute, vmm, RESULTS, FIXED, "compute")                       \
	X(TASK, 7, vms_rec_task, vmm, RESULTS, FIXED, "task")                                \
	X(SAMPLE, 8, vms_rec_sample, vmm, SAMPLES, FIXED, "sample")                          \
	X(WORKER, 9, vms_rec_worker, vmm, RESULTS, FIXED, "worker")                          \
	X(FIO_JOB, 10, vms_rec_fio_job, fio, RESULTS, FIXED, "fio job")                      \
	X(VMSTAT, 11, vms_rec_vmstat, mm, RESULTS, FIXED, "vmstat")                          \
	X(VMSTAT_SAMPLE, 12, vms_rec_vmstat_sample, mm, SAMPLES, FIXED, "vmstat sample")     \
	X(MEM_JOB, 13, vms_rec_mem_job, mm, RESULTS, FIXED, "memory job")                    \
	X(OOM, 14, vms_rec_oom, mm, RESULTS, FIXED, "OOM")                                   \
	X(FIO_LOG, 15, vms_rec_fio_log, iolog, SAMPLES, TAIL, "fio log")                     \
	X(FIO_DISK, 16, vms_rec_fio_disk, fio, RESULTS, FIXED, "fio disk")                  \
	X(BLK, 17, vms_rec_blk, blk, RESULTS, FIXED, "block queue")                          \
	X(WB, 18, vms_rec_wb, wb, RESULTS, FIXED, "writeback")                               \
	X(WB_SAMPLE, 19, vms_rec_wb_sample, wb, SAMPLES, FIXED, "writeback sample")          \
	X(WB_WRITER, 20, vms_rec_wb_writer, wb, RESULTS, FIXED, "writeback writer")          \
	X(JBD2, 21, vms_rec_jbd2, jbd2, RESULTS, FIXED, "journal")                           \
	X(JBD2_FSYNC, 22, vms_rec_jbd2_fsync, jbd2, RESULTS, FIXED, "journal fsync")              \
	X(SCHEDSTAT, 23, vms_rec_schedstat, sched, RESULTS, FIXED, "schedstat")

#ifndef __ASSEMBLER__
enum vms_rec_type {
#define VMS_REC_ENUM(name, nr, type, family, ring, shape, text) VMS_REC_##name = nr,
	VMS_RECORD_TYPES(VMS_REC_ENUM)
#undef VMS_REC_ENUM
	VMS_REC_TYPE_MAX /* one past the highest number */
};
#endif
#endif
