/*
 * The guest memory manager's records as the host takes them from the rings: vmstat at
 * the end, vmstat samples, one record per memory job, OOM kills. Everything in them is
 * the guest's word: counts and indices are checked before anything uses them.
 */
#ifndef VMM_RESULTS_MM_H
#define VMM_RESULTS_MM_H
#include <stddef.h>
#include <stdint.h>
#include <vmsweep/workload.h>

struct vm;

/* Takes a VMS_REC_VMSTAT, _VMSTAT_SAMPLE, _MEM_JOB or _OOM record (of the right length,
 * which records_parse checked) into vm->res; -1 with err when the guest broke the protocol. */
int results_take_mm(struct vm *vm, uint32_t type, const void *payload, char *err, size_t errlen);

/* The jobs of wl that are memory jobs (ioengine=mem). */
unsigned workload_nr_mem_jobs(const struct vms_workload *wl);
#endif
