/* The pure part of topology.c: decoding x2APIC IDs and building a CPU's domains (unit-tested on the host). */
#ifndef KERNEL_SCHED_TOPOLOGY_INTERNAL_H
#define KERNEL_SCHED_TOPOLOGY_INTERNAL_H
#include <kernel/sched_topology.h>

/* x2APIC ID fields: thread below smt_shift, core below core_shift, package above;
 * CPUs whose IDs agree above llc_shift share the last level cache. */
struct topo_shifts {
	unsigned smt_shift, core_shift, llc_shift;
};

void topology_decode(const u32 *apic_id, unsigned n, const struct topo_shifts *s, struct cpu_topology *t);
struct sched_domain *build_cpu_domains(unsigned cpu, const struct cpu_topology *t, unsigned n,
				       void *(*zalloc)(size_t));
#endif
