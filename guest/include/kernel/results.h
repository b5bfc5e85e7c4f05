/* Writing to the shared-memory rings the host drains: console, results, samples. */
#ifndef KERNEL_RESULTS_H
#define KERNEL_RESULTS_H
#include <kernel/types.h>
#include <vmsweep/abi.h>

void ring_write(struct vms_ring *r, const void *buf, size_t len);
/* One record (header + payload, padded to 8) into the results ring. */
void results_record(uint32_t type, const void *payload, uint32_t len);
void samples_record(uint32_t type, const void *payload, uint32_t len);
void results_init(void);
extern struct vms_ring *console_ring;
#endif
