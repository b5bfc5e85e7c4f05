/* A sweep's disk images (sweep/run_disks.c): fs= disks fresh for every run. */
#ifndef VMSWEEP_SWEEP_RUN_DISKS_H
#define VMSWEEP_SWEEP_RUN_DISKS_H
#include <stddef.h>

#include "vmm/blk/disk.h"
#include "vmm/vm.h"

/* Before the first run: each fs= disk's template image, made (mkfs) if it does not exist. */
int sweep_disks_prepare(const struct disk_config *disks, unsigned nr_disks, char *err, size_t errlen);
/* The images run vm boots, for worker of nr_workers: a fresh copy of each fs= disk's
 * template (PATH.wN), and PATH.wN for a raw disk when runs go in parallel; for shard S
 * (-1: not sharded) PATH.sS.wN, raw disks too, as other shards may run beside it. */
int sweep_run_disks(struct vm_config *vm, int shard, unsigned worker, unsigned nr_workers, char *err, size_t errlen);
#endif
