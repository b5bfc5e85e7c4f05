/*
 * The compiled workload: what the host makes of fio job files and hands the guest
 * (boot page: workload_addr, workload_size). Host and guest share it; the guest
 * checks it as it would any input.
 */
#ifndef VMSWEEP_WORKLOAD_H
#define VMSWEEP_WORKLOAD_H
#include <stdint.h>

#define VMS_WL_MAGIC 0x314c5753u /* "SWL1" */
#define VMS_WL_VERSION 2
#define VMS_WL_MAX_JOBS 256 /* after numjobs expansion */
#define VMS_WL_NAME_LEN 32

enum vms_rw {
	VMS_RW_READ,
	VMS_RW_WRITE,
	VMS_RW_RANDREAD,
	VMS_RW_RANDWRITE,
	VMS_RW_READWRITE, /* fio rw=readwrite / rw=rw: sequential mixed */
	VMS_RW_RANDRW,
};

enum vms_ioengine {
	VMS_IOENGINE_SYNC, /* fio psync/sync: one I/O at a time */
	VMS_IOENGINE_ASYNC, /* fio libaio/io_uring: up to iodepth in flight */
	VMS_IOENGINE_MEM, /* vmsweep's extension: anonymous memory, no disk (see mem_access) */
};

/* ioengine=mem: how the job touches its anonymous memory (size bytes). */
enum vms_mem_access {
	VMS_MEM_SEQ, /* page after page, over and over */
	VMS_MEM_RANDOM, /* touch all once, then random pages of the first mem_working_set bytes */
	VMS_MEM_CHURN, /* allocate size, free it, again */
};

/* enum vms_job_flags */
#define VMS_JOB_DIRECT (1u << 0)
#define VMS_JOB_TIME_BASED (1u << 1)
#define VMS_JOB_NORANDOMMAP (1u << 2)
#define VMS_JOB_RANDREPEAT (1u << 3)
#define VMS_JOB_GROUP_REPORTING (1u << 4)
#define VMS_JOB_STONEWALL (1u << 5) /* wait for every earlier job before starting */
#define VMS_JOB_VERIFY (1u << 6) /* verify=pattern: reads must return the pattern */
#define VMS_WL_PATTERN_MAX 16

struct vms_job {
	char name[VMS_WL_NAME_LEN]; /* the job's section name, NUL-terminated */
	uint32_t disk; /* index of the guest disk (/dev/vda = 0, vdb = 1, ...) */
	uint32_t rw; /* enum vms_rw */
	uint32_t rwmixread; /* percent of reads in mixed workloads, 0..100 */
	uint32_t ioengine; /* enum vms_ioengine */
	uint32_t iodepth; /* >= 1 */
	uint32_t flags; /* VMS_JOB_* */
	uint32_t group; /* reporting group: the jobs of one group report together */
	uint32_t clone; /* 0..numjobs-1: which clone of its job section this is */
	uint64_t bs[2]; /* block size of reads, of writes; bytes, multiple of 512 */
	uint64_t offset; /* bytes into the disk where the job's region starts */
	uint64_t size; /* bytes of the region (0: to the end of the disk) */
	uint64_t runtime_ns; /* 0: until size is done (or forever if time_based) */
	uint64_t ramp_ns; /* not measured during this time */
	uint64_t rate_bps[2]; /* bytes/s cap for reads, writes; 0: none */
	uint64_t rate_iops[2];
	uint64_t thinktime_ns; /* pause after each I/O */
	uint64_t randseed;
	uint32_t fsync_every; /* fsync=/fdatasync=: a flush after this many writes; 0: none */
	uint32_t pattern_len; /* buffer_pattern / verify_pattern bytes, 0: fio's default fill */
	uint8_t pattern[VMS_WL_PATTERN_MAX];
	/* ioengine=mem only (disk is unused) */
	uint32_t mem_access; /* enum vms_mem_access */
	uint32_t pad;
	uint64_t mem_working_set; /* bytes; 0: all of size */
};

struct vms_workload {
	uint32_t magic;
	uint32_t version;
	uint32_t nr_jobs;
	uint32_t nr_groups;
	struct vms_job jobs[];
};
#endif
