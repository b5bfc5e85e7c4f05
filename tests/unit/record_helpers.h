/* Guest records made by hand, as the guest writes them, for the tests of the parsers. */
#ifndef VMSWEEP_TESTS_RECORD_HELPERS_H
#define VMSWEEP_TESTS_RECORD_HELPERS_H
#include <stdint.h>

#include "vmm/ring.h"
#include "vmm/vm_internal.h"

/* Appends a record to b: header, payload, padding to 8 bytes (fails the test on OOM). */
void record_put(struct buf *b, uint32_t type, const void *p, uint32_t len);

/*
 * A guest that said done, with no KVM: a struct vm with only its rings' buffers, its
 * boot record and a CPU record per vCPU already written, and a result to take them
 * into. The tests of a record family's take add their records to vm->results_buf.
 */
struct record_vm {
	struct vm *vm;
	struct vm_result *res;
	struct vm_config cfg; /* cfg.workload: the job file's, or NULL for the built-in workload */
};
struct record_vm *record_vm_new(unsigned nr_cpus, const struct vms_workload *wl);
void record_vm_free(struct record_vm *rv);
/* The guest's records taken: the run must be a protocol violation whose reason says phrase. */
void record_vm_finish_refused(struct record_vm *rv, const char *phrase);
#endif
