/*
 * Where the vCPU threads run on the host (--pin): none (the host scheduler decides),
 * compact (a core's SMT siblings first, then the next core, then the next package),
 * scatter (one per package, then per core, round robin, siblings last) or a list of
 * host CPUs, one per vCPU; or io: compact on the host CPUs that do not take the disks'
 * interrupts (vmm/disk_irqs.h), leaving those to the disks' I/O threads. More vCPUs than
 * allowed host CPUs share them round robin: the run is overcommitted, and says so.
 */
#ifndef VMM_PLACEMENT_H
#define VMM_PLACEMENT_H
#include <stdbool.h>
#include <stddef.h>
#include <vmsweep/abi.h>

#include "vmm/host_cpus.h"

#include <sched.h>

/* (numbers kept: a sweep stores the mode) */
enum vm_pin_mode { VM_PIN_NONE, VM_PIN_COMPACT, VM_PIN_SCATTER, VM_PIN_LIST, VM_PIN_IO };

struct vm_pin {
	enum vm_pin_mode mode;
	unsigned nr; /* VM_PIN_LIST: host CPUs given, in vCPU order */
	int cpus[VMS_MAX_CPUS];
};

/* "none", "compact", "scatter", "list" or "io". */
const char *vm_pin_mode_name(enum vm_pin_mode m);
/* none|compact|scatter|io|LIST (host CPU numbers, a-b ranges, commas). 0, or -1 with err
 * giving the cause (the caller names the option). */
int vm_pin_parse(const char *text, struct vm_pin *p, char *err, size_t errlen);
/* The pin as --pin takes it: a word, or the list. */
const char *vm_pin_format(const struct vm_pin *p, char *buf, size_t len);

/* host_cpu[i]: the host CPU of vCPU i, -1 for none. *overcommit: a host CPU has two
 * vCPUs, or (unpinned) there are more vCPUs than allowed host CPUs. io: avoid holds the
 * disks' interrupt CPUs (NULL or all of them: compact on every CPU). 0, or -1 with err
 * giving the cause (a list of the wrong length; a CPU this process may not use). */
int placement_plan(const struct host_cpus *h, const struct vm_pin *p, unsigned nr_vcpus, const cpu_set_t *avoid,
		   int *host_cpu, bool *overcommit, char *err, size_t errlen);
#endif
