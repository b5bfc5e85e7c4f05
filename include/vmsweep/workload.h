/*
 * The compiled workload: what the host makes of fio job files and hands the guest
 * (boot page: workload_addr, workload_size). Host and guest share it; the guest
 * checks it as it would any input.
 */
#ifndef VMSWEEP_WORKLOAD_H
#define VMSWEEP_WORKLOAD_H
#include <stdint.h>

#define VMS_WL_MAGIC 0x314c5753u /* "SWL1" */
#define VMS_WL_VERSION 3
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

/*
 * verify=: how the data a job wrote is checked when read back. The numbers are fio's
 * (verify.h), as they go into each block's header (verify_type), so that a block looks
 * as fio would write it.
 */
enum vms_verify {
	VMS_VERIFY_NONE = 0,
	VMS_VERIFY_MD5 = 2, /* a header per block with the MD5 of the rest */
	VMS_VERIFY_CRC32C = 5, /* ... with its CRC-32C (also verify=crc32c-intel, as in fio) */
	VMS_VERIFY_PATTERN_HDR = 17, /* verify_pattern= without verify=: a header, then the pattern (fio's VERIFY_PATTERN) */
	VMS_VERIFY_PATTERN = 18, /* verify=pattern: the pattern only, no header (fio's VERIFY_PATTERN_NO_HDR) */
	VMS_VERIFY_NULL = 19, /* verify=null: read back, check nothing */
};

/* enum vms_job_flags */
#define VMS_JOB_DIRECT (1u << 0)
#define VMS_JOB_TIME_BASED (1u << 1)
#define VMS_JOB_NORANDOMMAP (1u << 2)
#define VMS_JOB_RANDREPEAT (1u << 3)
#define VMS_JOB_GROUP_REPORTING (1u << 4)
#define VMS_JOB_STONEWALL (1u << 5) /* wait for every earlier job before starting */
/* 1u << 6 was VMS_JOB_VERIFY before enum vms_verify */
#define VMS_JOB_DO_VERIFY (1u << 7) /* do_verify=1 (fio's default): a write job reads back what it wrote */
#define VMS_JOB_VERIFY_ONLY (1u << 8) /* verify_only: a write job replays its writes without I/O, then verifies */
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
	uint32_t pattern_len; /* bytes of pattern, 0: none (see pattern) */
	/* what writes carry: verify_pattern if the job verifies (else random data, seeded per
	 * write), else buffer_pattern (else verify_pattern, else fio's default fill) */
	uint8_t pattern[VMS_WL_PATTERN_MAX];
	uint32_t verify; /* enum vms_verify */
	/* ioengine=mem only (disk is unused) */
	uint32_t mem_access; /* enum vms_mem_access */
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
