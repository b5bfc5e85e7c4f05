/*
 * Everything privileged is prepared before the first instruction and never changes:
 * identity-mapped user-accessible page tables, GDT, IDT, a TSS per vCPU with one open
 * I/O port, and each vCPU's registers, CPUID and local APIC (x2APIC, periodic tick).
 */
#ifndef VMM_X86_SETUP_H
#define VMM_X86_SETUP_H
#include <stddef.h>
#include <stdint.h>
#include <vmsweep/abi.h>

#include "vmm/cpu_topology.h"
#include "vmm/guest_mem.h"
#include "vmm/kvm.h"

/* Page tables, GDT, IDT (from the nucleus note), TSSs and the I/O bitmap. */
void x86_setup_tables(struct guest_mem *m, unsigned nr_cpus, uint64_t cpu_areas, const struct vms_note *note);

struct x86_vcpu_boot {
	unsigned cpu, nr_cpus;
	uint64_t entry, cpu_area;
	unsigned hz;
	struct cpu_topology topo; /* the shape CPUID describes */
	uint32_t apic_id; /* this vCPU's x2APIC ID (its KVM vCPU id) */
};

/* CPUID, segment and control registers, general registers, LAPIC, MP state. */
int x86_setup_vcpu(const struct kvm_host *k, int vcpu_fd, const struct x86_vcpu_boot *b, char *err, size_t errlen);
#endif
