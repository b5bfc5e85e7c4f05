/*
 * `vmsweep baseline`: the same fio job on the same backing files, run by the host's
 * fio, so that the guest's figures have a floor to be compared with.
 */
#ifndef BASELINE_H
#define BASELINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmsweep/workload.h"

/* Where each guest disk (/dev/vda = 0, ...) lives on the host, and its size in bytes. */
struct baseline_disk {
	const char *path; /* absolute; free of the characters fio's job parser would cut at */
	uint64_t size;
	int read_only;
};

/* How host fio runs: the engine of the async jobs ("io_uring" or "libaio"), and whether
 * its buffers are in huge pages (iomem=shmhuge). */
struct baseline_fio {
	const char *async_engine;
	bool huge_buffers;
	/* The job for fio inside a Linux guest (the libvirt backend), not on the host's files:
	 * the guest's paths (/dev/vdX, /mnt/vdX/...), each job's own direct=, files, syncs and
	 * cpus_allowed (its CPUs are the guest's); disks[] give only the sizes. */
	bool in_guest;
	uint64_t seed; /* in_guest: the run's seed, which randrepeat=0 memory jobs mix in as ours do */
};

/*
 * Writes an fio job file equivalent to wl: one section per compiled job (numjobs
 * clones already expanded), on the host paths, run as fio says. -1 with err if a job
 * cannot be expressed.
 */
int baseline_job_write(FILE *f, const struct vms_workload *wl, const struct baseline_disk *disks,
		       unsigned nr_disks, const struct baseline_fio *fio, const char *source, char *err, size_t errlen);

/*
 * Whether the host has free huge pages enough for the buffers of every job of wl at
 * once (fio's iodepth x largest block each, rounded up to huge pages). A buffer of
 * scattered 4 KiB pages reaches this machine's virtio disk as more segments, and a
 * 1 MiB request in two (at most 254 segments), so host fio's ordinary buffers made
 * 1 MiB writes 0.7-0.9 as fast as its huge-page buffers, and slower than the guest's,
 * whose RAM, populated at once, is mostly contiguous. *need: the huge pages it takes.
 */
bool baseline_huge_buffers_fit(const struct vms_workload *wl, unsigned long *need);

/* Whether host fio runs the compiled job buffered (direct=0): a buffered job that only
 * writes and makes each write durable before the next; every other job runs direct=1. */
bool baseline_job_buffered(const struct vms_job *j);

/* fio's rw= name of a compiled job's direction, and whether it writes. */
const char *baseline_rw_name(uint32_t rw);
bool baseline_rw_writes(uint32_t rw);
/* The first character of p that fio's job parser would cut or expand at, or 0. */
int baseline_path_unsafe_char(const char *p);

void baseline_usage(FILE *f);

/* What baseline_job.c's writers share with baseline_memjob.c. */
const char *baseline_time_format(uint64_t ns, char *buf, size_t len);
void baseline_job_header_write(FILE *f, unsigned idx, const struct vms_job *j);
void baseline_job_group_write(FILE *f, const struct vms_job *j, bool new_group);
void baseline_cpus_allowed_write(FILE *f, uint64_t mask);
/*
 * A memory job (ioengine=mem) for the Linux guest's fio: an exec job that runs
 * vmsweep-memjob (linux-guest/memjob.c) with the job's size, access, working set,
 * runtime, ramp, thinktime and seed; fio keeps startdelay, groups and stonewall. -1
 * with err for a job fio's exec engine cannot end (no runtime).
 */
int baseline_mem_job_write(FILE *f, unsigned idx, const struct vms_job *j, bool new_group, uint64_t run_seed,
			   char *err, size_t errlen);

/* A child's stdout or stderr, captured whole. */
struct capture {
	char *buf;
	size_t len, cap;
	bool oom;
};

/* Runs argv (no shell), stdout and stderr captured; *status as waitpid gives it. A stop
 * signal caught by baseline_on_stop_signal is passed on to the child. */
int command_run(char *const argv[], struct capture *out, struct capture *errc, int *status, char *err,
		size_t errlen);
/* "io_uring" if this fio has it and the kernel allows it, else "libaio"; NULL with err
 * when fio cannot say. */
const char *fio_async_engine_pick(const char *fio, char *err, size_t errlen);
/* The stop handler while fio runs: forwards SIGINT/SIGTERM to it; the signal caught, or 0. */
void baseline_on_stop_signal(int sig);
int baseline_stop_signal(void);
#endif
