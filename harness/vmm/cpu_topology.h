/*
 * The guest's CPU topology (sockets x cores x threads) as real x86 hardware presents
 * it: x2APIC IDs laid out per package/core/thread, and the CPUID leaves that describe
 * them (0x1, 0x4, 0xB, 0x1F), so that Linux's detect_extended_topology and its leaf-4
 * cache code read back the same shape. Pure arithmetic, no KVM: x86_setup.c turns the
 * leaves into KVM_SET_CPUID2 entries, and tests/unit/test_cpu_topology.c decodes them.
 *
 * vCPU i (creation order; the guest's CPU index) is thread i % T of core (i / T) % C of
 * package i / (C*T): SMT siblings are neighbours, as Linux numbers them from the MADT.
 * Its x2APIC ID is pkg << (core_bits + thread_bits) | core << thread_bits | thread,
 * with thread_bits = ceil(log2 T) and core_bits = ceil(log2 C): a shape that is not a
 * power of two leaves holes (2x3x1: IDs 0, 1, 2, 4, 5, 6), as on real machines.
 */
#ifndef VMM_CPU_TOPOLOGY_H
#define VMM_CPU_TOPOLOGY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpu_topology {
	unsigned sockets, cores, threads; /* cores per socket, threads per core; 0: not given */
};

/* Parses "sockets=S,cores=C,threads=T" (any of them, the rest 1) or "SxCxT".
 * 0, or -1 with err giving the cause (the caller names the option). */
int cpu_topology_parse(const char *text, struct cpu_topology *t, char *err, size_t errlen);
/* 1 socket x n cores x 1 thread: what --vcpus N alone means. */
struct cpu_topology cpu_topology_flat(unsigned nr_cpus);
static inline unsigned cpu_topology_nr_cpus(const struct cpu_topology *t)
{
	return t->sockets * t->cores * t->threads;
}
/* "SxCxT", as sweep configs write it. */
const char *cpu_topology_format(const struct cpu_topology *t, char *buf, size_t len);
/* A shape packed into one integer (a sweep parameter's value), and back. */
int64_t cpu_topology_pack(const struct cpu_topology *t);
struct cpu_topology cpu_topology_unpack(int64_t v);

unsigned cpu_topology_thread_bits(const struct cpu_topology *t);
unsigned cpu_topology_core_bits(const struct cpu_topology *t);
/* The x2APIC ID of vCPU cpu (0 .. nr_cpus-1). */
uint32_t cpu_topology_apic_id(const struct cpu_topology *t, unsigned cpu);
/* The largest x2APIC ID + 1 (what KVM_CAP_MAX_VCPU_ID must allow). */
uint32_t cpu_topology_apic_id_limit(const struct cpu_topology *t);

/* One CPUID entry: function, subleaf (indexed: the subleaf matters, as
 * KVM_CPUID_FLAG_SIGNIFCANT_INDEX says) and its registers. */
struct cpuid_leaf {
	uint32_t function, index;
	bool indexed;
	uint32_t eax, ebx, ecx, edx;
};

/* The leaves a topology owns for vCPU cpu: 0x4 subleaves 0..4, 0xB and 0x1F subleaves
 * 0..2. Returns how many were written to out (CPU_TOPOLOGY_NR_LEAVES at most). */
#define CPU_TOPOLOGY_NR_LEAVES 11
size_t cpu_topology_leaves(const struct cpu_topology *t, unsigned cpu, struct cpuid_leaf *out);
/* Patches leaf 0x1 as KVM gave it: initial APIC ID, logical processors per package, HTT, x2APIC. */
void cpu_topology_leaf1(const struct cpu_topology *t, unsigned cpu, struct cpuid_leaf *l);
/* Whether a function is one cpu_topology_leaves writes (its KVM entries are replaced). */
bool cpu_topology_owns(uint32_t function);
/* The basic leaves must reach 0x1F for a guest to look at leaf 0x1F. */
#define CPU_TOPOLOGY_MAX_BASIC_LEAF 0x1fu
#endif
