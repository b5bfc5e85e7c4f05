/* The scheduler's records as the host keeps them (records/sched.c). */
#ifndef RECORDS_SCHED_H
#define RECORDS_SCHED_H
#include <stdbool.h>

#include <vmsweep/abi.h>

struct vm_result;

struct sched_records {
	struct vms_rec_schedstat cpus[VMS_MAX_CPUS];
	bool seen[VMS_MAX_CPUS];
	unsigned nr;
};

/* The run's, or an empty set before the first record. */
const struct sched_records *sched_records(const struct vm_result *res);
#endif
