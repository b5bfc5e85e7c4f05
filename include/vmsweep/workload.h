/*
 * The compiled workload: what the host makes of fio job files and hands the guest
 * (boot page: workload_addr, workload_size). Host and guest share it; the guest
 * checks it as it would any input.
 */
#ifndef VMSWEEP_WORKLOAD_H
#define VMSWEEP_WORKLOAD_H
#include <stdint.h>

#define VMS_WL_MAGIC 0x314c5753u /* "SWL1" */
#define VMS_WL_VERSION 11
#define VMS_WL_MAX_JOBS 256 /* after numjobs expansion */
#define VMS_WL_NAME_LEN 32
#define VMS_WL_BSSPLIT_MAX 64 /* fio's BSSPLIT_MAX: block sizes in one direction's bssplit= */
#define VMS_WL_LOG_NAME_LEN 128 /* write_lat_log=NAME and the like: NAME, NUL-terminated */
#define VMS_WL_PATH_LEN 128 /* filename=/mnt/vdX/PATH: PATH, NUL-terminated */
#define VMS_WL_MAX_FILES 64 /* nrfiles=: files of one job */

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
	VMS_IOENGINE_CPU, /* fio's cpuio: burns CPU (cpuload, cpuchunks, cpumode), no disk */
};


/* cpumode= of ioengine=cpuio: what a burn cycle computes (fio's enum stress_mode) */
enum vms_cpumode {
	VMS_CPU_NOOP, /* fio's noop: a busy loop for cpuchunks us */
	VMS_CPU_QSORT, /* fio's qsort: four sorts of 256 Ki 32-bit numbers a cycle */
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
#define VMS_JOB_SYNC (1u << 9) /* sync=1 (O_SYNC): a write completes when a flush after it has */
#define VMS_JOB_DSYNC (1u << 10) /* sync=dsync (O_DSYNC): the same on a raw disk; host fio gets dsync */
#define VMS_JOB_END_FSYNC (1u << 11) /* end_fsync=1: a write phase ends with a flush */
#define VMS_JOB_LAT_LOG (1u << 12) /* write_lat_log: the host writes NAME_lat/_clat/_slat.N.log */
#define VMS_JOB_BW_LOG (1u << 13) /* write_bw_log: NAME_bw.N.log */
#define VMS_JOB_IOPS_LOG (1u << 14) /* write_iops_log: NAME_iops.N.log */
#define VMS_JOB_LOG_OFFSET (1u << 15) /* log_offset=1: the logs' lines carry the I/O's offset */
#define VMS_JOB_HIPRI (1u << 16) /* hipri: the job polls for its completions, interrupts off */
#define VMS_JOB_RATE_POISSON (1u << 17) /* rate_process=poisson: exponential gaps between a direction's I/Os */
#define VMS_JOB_UNLINK (1u << 18) /* unlink=1: a file job's file is deleted when the job is done */
#define VMS_JOB_DATASYNC (1u << 19) /* fdatasync=N (not fsync=N): a file's sync waits only for what its data needs */
#define VMS_JOB_CREATE_ON_OPEN (1u << 20) /* create_on_open=1: files made when the job opens them, not laid out */
#define VMS_JOB_FILENUM (1u << 21) /* path is a prefix: file N of the job is path followed by N (fio's $filenum) */
#define VMS_JOB_EXIT_ON_IO_DONE (1u << 22) /* cpuio's exit_on_io_done: stop once every disk job is done */
#define VMS_WL_PATTERN_MAX 16

/* random_distribution=: how a random job picks its blocks (fio's io_u.c and lib/zipf.c, lib/gauss.c) */
enum vms_rand_dist {
	VMS_RAND_UNIFORM, /* random (fio's default), with the random map unless norandommap */
	VMS_RAND_ZIPF, /* zipf:theta; never a random map, as in fio */
	VMS_RAND_PARETO, /* pareto:h */
	VMS_RAND_NORMAL, /* normal:sigma (fio's gauss) */
};
#define VMS_DIST_CENTER (1u << 0) /* a :center was given: dist_rand_off is fixed, not drawn */

/* One block size of bssplit= and its share in percent, as fio keeps them (options.c bssplit_ddir). */
struct vms_bssplit {
	uint32_t bs;
	uint32_t perc;
};

/* file_service_type=: which of a job's files the next I/O goes to (fio's io_u.c get_next_file) */
enum vms_file_service {
	VMS_FSERVICE_RR, /* roundrobin (fio's default): the next file after file_service_nr I/Os */
	VMS_FSERVICE_SEQ, /* sequential: a file until it is done */
	VMS_FSERVICE_RANDOM, /* random: a file drawn after file_service_nr I/Os */
};

/* Which log file names a job's log_name[] holds. */
enum vms_log_kind { VMS_LOG_LAT, VMS_LOG_BW, VMS_LOG_IOPS, VMS_LOG_KINDS };

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
	uint64_t startdelay_ns; /* the job starts this long after its group (fio's startdelay) */
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
	/* bssplit=, per direction (0 entries: bs[] alone): in fio's order, by perc, ascending;
	 * bs[] then holds the largest size (fio's max_bs), which buffers are sized for */
	uint32_t bssplit_nr[2];
	struct vms_bssplit bssplit[2][VMS_WL_BSSPLIT_MAX];
	/* random_distribution= (enum vms_rand_dist) over dist_nranges ranges of the smaller
	 * minimum block size, as fio's __init_rand_distribution; the host computes what needs
	 * floating point (zipf's zeta(n) sum, the thresholds), the guest draws */
	uint32_t rand_dist;
	uint32_t dist_flags; /* VMS_DIST_* */
	uint64_t dist_nranges;
	uint64_t dist_rand_off; /* with VMS_DIST_CENTER: fio's rand_off for the center */
	/* zipf: [0] and [1] the 32-bit draws below which the value is 1 and 2, [2] eta and
	 * [3] 1/(1-theta) as IEEE doubles; pareto: [2] log(h)/log(1-h) as a double; normal:
	 * [0] fio's stddev in ranges */
	uint64_t dist_param[4];
	uint64_t dist_arg[2]; /* the parameter and the center (-1: none) as given, doubles' bits: for host fio */
	/* write_lat_log=, write_bw_log=, write_iops_log= (VMS_JOB_*_LOG): the file names' NAME
	 * (the job's name when none is given), written by the host from the samples the guest
	 * sends; averaged over log_avg_msec windows in the guest when that is not 0 */
	uint32_t log_avg_msec;
	char log_name[VMS_LOG_KINDS][VMS_WL_LOG_NAME_LEN];
	/* Files on the disk's file system (filename=/mnt/vdX/PATH, or directory=/mnt/vdX/DIR
	 * with fio's names): PATH under the mount, NUL-terminated, or with VMS_JOB_FILENUM the
	 * names' common part ("DIR/JOB.CLONE."), to which each file's number is appended.
	 * Empty: the raw disk. offset is then each file's; size the job's total over its files
	 * (0: their sizes), as fio's size=. */
	char path[VMS_WL_PATH_LEN];
	uint32_t nr_files; /* files of the job: 1..VMS_WL_MAX_FILES; 0 for the raw disk */
	uint32_t file_service; /* enum vms_file_service */
	uint32_t file_service_nr; /* I/Os to a file before the next is picked (fio's roundrobin:N), >= 1 */
	uint32_t pad_files[2]; /* no hole: a run's inputs hash the workload's bytes */
	uint64_t file_size; /* filesize=: each file's size; 0: size / nr_files, else the file's own */
	/* cpus_allowed= / cpumask=: a bit per vCPU the job's thread may run on, one bit
	 * after cpus_allowed_policy=split; 0: any. A vCPU the guest lacks fails the run. */
	uint64_t cpus_allowed;
	/* ioengine=cpuio only (disk is unused): fio's cpu_options. Each cycle burns cpuchunks
	 * us (cpumode=noop) or sorts (qsort), then sleeps so that the job uses cpuload % */
	uint32_t cpuload; /* 1..100 */
	uint32_t cpuchunks_us; /* fio's cpucycle, 50000 by default */
	uint32_t cpumode; /* enum vms_cpumode */
	uint32_t pad_cpu; /* no hole */
};

/* A job on a disk (its disk field means something): neither ioengine=mem nor cpuio. */
static inline int vms_job_on_disk(const struct vms_job *j)
{
	return j->ioengine == VMS_IOENGINE_SYNC || j->ioengine == VMS_IOENGINE_ASYNC;
}

struct vms_workload {
	uint32_t magic;
	uint32_t version;
	uint32_t nr_jobs;
	uint32_t nr_groups;
	struct vms_job jobs[];
};
#endif
