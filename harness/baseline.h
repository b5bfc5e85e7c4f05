/*
 * `vmsweep baseline`: the same fio job on the same backing files, run by the host's
 * fio, so that the guest's figures have a floor to be compared with.
 */
#ifndef BASELINE_H
#define BASELINE_H
#include <stdint.h>
#include <stdio.h>

#include "vmsweep/workload.h"

/* Where each guest disk (/dev/vda = 0, ...) lives on the host, and its size in bytes. */
struct baseline_disk {
	const char *path; /* absolute; free of the characters fio's job parser would cut at */
	uint64_t size;
	int read_only;
};

/*
 * Writes an fio job file equivalent to wl: one section per compiled job (numjobs
 * clones already expanded), on the host paths, with async_engine ("io_uring" or
 * "libaio") for the async jobs. -1 with err if a job cannot be expressed.
 */
int baseline_job_write(FILE *f, const struct vms_workload *wl, const struct baseline_disk *disks,
		       unsigned nr_disks, const char *async_engine, const char *source, char *err, size_t errlen);

void baseline_usage(FILE *f);
/* The command: argv[0] is "baseline". Returns the exit status. */
int baseline_run(int argc, char **argv);
#endif
