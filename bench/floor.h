/* The physical floor of a VM's life cycle on this host, with nothing of vmsweep in it. */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H
#include <stdint.h>

/* KVM_CREATE_VM, a memory slot of mem_size (not pre-faulted), one vCPU, run a
 * one-instruction guest (hlt in real mode) to its exit, close. Seconds, or < 0. */
double floor_lifecycle(uint64_t mem_size);
#endif
