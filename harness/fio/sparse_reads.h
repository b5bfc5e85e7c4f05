/* A read job on a sparse image measures holes, not the disk: say so before it runs. */
#ifndef FIO_SPARSE_READS_H
#define FIO_SPARSE_READS_H
#include <stdio.h>

#include <vmsweep/workload.h>

#include "vmm/blk/disk.h"

/* One warning per disk that a job of wl reads while its image has holes (or is yet to be
 * made) and prefill is not set; prefix starts each line. Returns how many. */
unsigned sparse_reads_warn(const struct vms_workload *wl, const struct disk_config *disks, unsigned nr_disks,
			   FILE *f, const char *prefix);
#endif
