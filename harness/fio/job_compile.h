/*
 * Checking fio jobs against the subset vmsweep runs (workloads/README.md) and
 * compiling them into the workload spec the guest executes (vmsweep/workload.h).
 *
 * Every error names file, line and option, e.g.
 *   workloads/x.fio:12: option 'iodeph': unknown option (did you mean 'iodepth'?)
 *   workloads/x.fio:7: bs=1000: not a multiple of 512
 *   workloads/x.fio:3: option 'zero_buffers': not supported by vmsweep (supported options: ...)
 * and nothing is ignored: an option is either compiled or refused.
 */
#ifndef VMSWEEP_FIO_JOB_COMPILE_H
#define VMSWEEP_FIO_JOB_COMPILE_H
#include <stddef.h>
#include <stdint.h>

#include "fio/job_file.h"
#include "util/error.h"
#include "vmm/blk/disk.h"
#include "vmsweep/abi.h"
#include "vmsweep/workload.h"

/* The guest's disks, indexed like their names: /dev/vda = 0, /dev/vdb = 1, ... */
struct fio_disk_info {
	uint64_t size; /* bytes; 0 when not known yet (then offset/size are not checked against it) */
	uint32_t flags; /* VMS_DISK_* (vmsweep/abi.h): no job may use the VMS_DISK_SWAP disk */
};

/*
 * Compiles the jobs of jf for a guest with nr_disks disks (disks may be NULL: sizes
 * and flags unknown). On success returns 0 and *out is a malloc'd workload of *out_size
 * bytes (header and nr_jobs jobs, numjobs already expanded into clones). On error
 * returns -1, *out is NULL and err says file:line: option: cause.
 * ioengine=mem jobs (workloads/README.md) use no disk: their size is whole pages,
 * mem_working_set 0 or whole pages up to size, iodepth 1, and every disk field (disk,
 * rw, rwmixread, bs, offset, rate, rate_iops, fsync_every, pattern) 0.
 */
int fio_compile(const struct fio_job_file *jf, const struct fio_disk_info *disks, unsigned nr_disks,
		struct vms_workload **out, size_t *out_size, char *err, size_t errlen);

/* Reads path (fio_job_file_read) and compiles it (fio_compile). */
int fio_compile_file(const char *path, const struct fio_disk_info *disks, unsigned nr_disks,
		     struct vms_workload **out, size_t *out_size, char *err, size_t errlen);

/* Reads path and compiles it for the disks a command configured (--disk or [guest]
 * disks): each disk's size is its size= or, when the image exists, the image's size
 * (else unknown), and no job may use the swap disk. Every command compiles jobs so. */
int fio_compile_for_disks(const char *path, const struct disk_config *disks, unsigned nr_disks,
			  struct vms_workload **out, size_t *out_size, char *err, size_t errlen);
/* Which sections of a job file to compile, and what to set over their options. */
struct fio_compile_sel {
	/* fio's --section NAME (repeatable): only these job sections, and [global]; as in fio,
	 * the others are not read at all. None: every section. A name that no section has
	 * is an error. */
	const char *const *sections;
	size_t nr_sections;
	/* set in every job section after its own options (a sweep's fio.<option> parameters) */
	const struct fio_option *overrides;
	size_t nr_overrides;
};
int fio_compile_for_disks_sel(const char *path, const struct disk_config *disks, unsigned nr_disks,
			      const struct fio_compile_sel *sel, struct vms_workload **out, size_t *out_size, char *err,
			      size_t errlen);
/* fio_compile_for_disks with overrides[] set in every job section after its own options
 * (a sweep's fio.<option> parameters); their file and line name where they came from in
 * errors. */
int fio_compile_for_disks_with(const char *path, const struct disk_config *disks, unsigned nr_disks,
			       const struct fio_option *overrides, size_t nr_overrides, struct vms_workload **out,
			       size_t *out_size, char *err, size_t errlen);
#endif
