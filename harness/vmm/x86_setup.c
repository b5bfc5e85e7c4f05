/* x86-64 state for a guest that starts at CPL 3 in long mode (see x86_setup.h). */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "util/error.h"
#include "vmm/x86_setup.h"

#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_US 0x4ull
#define PTE_PWT 0x8ull
#define PTE_PCD 0x10ull
#define PTE_PS 0x80ull

#define GIB (1ull << 30)
#define MIB2 (2ull << 20)

static uint64_t *table_at(struct guest_mem *m, uint64_t gpa)
{
	return gmem_ptr(m, gpa, VMS_PAGE_SIZE);
}

static void setup_page_tables(struct guest_mem *m)
{
	uint64_t *pml4 = table_at(m, VMS_PML4), *pdpt = table_at(m, VMS_PDPT), *pt0 = table_at(m, VMS_PT0);
	uint64_t nr_gib = (m->size + GIB - 1) / GIB;

	pml4[0] = VMS_PDPT | PTE_P | PTE_RW | PTE_US;
	for (uint64_t g = 0; g < nr_gib; g++) {
		uint64_t *pd = table_at(m, VMS_PD + g * VMS_PAGE_SIZE);
		pdpt[g] = (VMS_PD + g * VMS_PAGE_SIZE) | PTE_P | PTE_RW | PTE_US;
		for (uint64_t i = 0; i < 512; i++) {
			uint64_t addr = g * GIB + i * MIB2;
			if (addr + MIB2 <= m->size)
				pd[i] = addr | PTE_P | PTE_RW | PTE_US | PTE_PS;
		}
	}
	/* The first 2 MiB in 4 KiB pages, page 0 absent: a null pointer faults. */
	uint64_t *pd0 = table_at(m, VMS_PD);
	pd0[0] = VMS_PT0 | PTE_P | PTE_RW | PTE_US;
	for (uint64_t i = 1; i < 512; i++)
		pt0[i] = i * VMS_PAGE_SIZE | PTE_P | PTE_RW | PTE_US;
	/* The device window, uncached. */
	uint64_t *pd_mmio = table_at(m, VMS_PD_MMIO);
	pdpt[VMS_MMIO_BASE / GIB] = VMS_PD_MMIO | PTE_P | PTE_RW | PTE_US;
	pd_mmio[0] = VMS_MMIO_BASE | PTE_P | PTE_RW | PTE_US | PTE_PS | PTE_PCD | PTE_PWT;
}

static void setup_gdt_tss(struct guest_mem *m, unsigned nr_cpus, uint64_t cpu_areas)
{
	uint64_t *gdt = table_at(m, VMS_GDT);
	uint8_t *iobitmap = gmem_ptr(m, VMS_IOBITMAP, VMS_PAGE_SIZE);
	const unsigned port_byte = VMS_PORT_DOORBELL / 8, io_bytes = port_byte + 3;

	gdt[1] = 0x00af9a000000ffffull; /* kernel code: 64-bit, DPL 0 */
	gdt[2] = 0x00cf92000000ffffull; /* kernel data */
	gdt[3] = 0x00affa000000ffffull; /* user code: 64-bit, DPL 3 */
	gdt[4] = 0x00cff2000000ffffull; /* user data */

	/* Every port closed but the doorbell's four; the byte after the last is all ones. */
	memset(iobitmap, 0xff, io_bytes);
	iobitmap[port_byte] = (uint8_t)~(0xfu << (VMS_PORT_DOORBELL % 8));

	for (unsigned i = 0; i < nr_cpus; i++) {
		uint64_t tss_gpa = VMS_TSS + (uint64_t)i * VMS_TSS_STRIDE;
		uint8_t *tss = gmem_ptr(m, tss_gpa, VMS_TSS_STRIDE);
		uint64_t area = cpu_areas + (uint64_t)i * VMS_CPU_AREA_SIZE;
		uint64_t rsp0 = area + VMS_CPU_NUCLEUS_STACK_TOP, ist1 = area + VMS_CPU_IST_STACK_TOP;
		uint16_t iomap = (uint16_t)(VMS_IOBITMAP - tss_gpa);
		uint64_t limit = iomap + io_bytes - 1;

		memcpy(tss + 4, &rsp0, 8);
		memcpy(tss + 36, &ist1, 8);
		memcpy(tss + 102, &iomap, 2);
		uint64_t *d = &gdt[VMS_TSS_SEL(i) / 8];
		d[0] = (limit & 0xffff) | ((tss_gpa & 0xffffff) << 16) | (0x89ull << 40) | ((limit >> 16 & 0xf) << 48) |
		       ((tss_gpa >> 24 & 0xff) << 56);
		d[1] = tss_gpa >> 32;
	}
}

static void idt_set(uint64_t *idt, unsigned vec, uint64_t handler, unsigned dpl, unsigned ist)
{
	idt[vec * 2] = (handler & 0xffff) | ((uint64_t)VMS_KERNEL_CS << 16) | ((uint64_t)ist << 32) |
		       ((0x8eull | (uint64_t)dpl << 5) << 40) | ((handler >> 16 & 0xffff) << 48);
	idt[vec * 2 + 1] = handler >> 32;
}

static void setup_idt(struct guest_mem *m, const struct vms_note *note)
{
	uint64_t *idt = table_at(m, VMS_IDT);

	for (unsigned v = 0; v < 32; v++) {
		unsigned ist = (v == 2 || v == 8 || v == 18) ? 1 : 0; /* NMI, #DF, #MC on their own stack */
		idt_set(idt, v, note->exc_stubs + (uint64_t)v * note->stub_stride, 0, ist);
	}
	idt_set(idt, 3, note->hcall_entry, 3, 0); /* int3 from CPL 3: the hypercall */
	for (unsigned i = 0; i < VMS_NR_IRQ_VECS; i++)
		idt_set(idt, VMS_VEC_FIRST_IRQ + i, note->irq_stubs + (uint64_t)i * note->stub_stride, 0, 0);
	idt_set(idt, VMS_VEC_SPURIOUS, note->spurious_entry, 0, 0);
}

void x86_setup_tables(struct guest_mem *m, unsigned nr_cpus, uint64_t cpu_areas, const struct vms_note *note)
{
	setup_page_tables(m);
	setup_gdt_tss(m, nr_cpus, cpu_areas);
	setup_idt(m, note);
}

/*
 * KVM's supported CPUID with the topology's leaves: 0x4, 0xB and 0x1F replaced (an AMD
 * host's KVM offers no 0xB or 0x4 at all), leaf 0x1 patched and leaf 0's maximum basic
 * leaf raised to 0x1F so that a guest looks at them. EDX of 0xB/0x1F is the vCPU's
 * real x2APIC ID, which differs from the shape's only when KVM forced dense ids.
 */
static int set_cpuid(const struct kvm_host *k, int fd, const struct x86_vcpu_boot *b)
{
	struct cpuid_leaf topo[CPU_TOPOLOGY_NR_LEAVES];
	size_t nt = cpu_topology_leaves(&b->topo, b->cpu, topo);
	size_t bytes = sizeof(struct kvm_cpuid2) + (k->cpuid->nent + nt) * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *c = __builtin_alloca(bytes);

	memset(c, 0, bytes);
	for (unsigned i = 0; i < k->cpuid->nent; i++) {
		struct kvm_cpuid_entry2 e = k->cpuid->entries[i];
		if (cpu_topology_owns(e.function))
			continue;
		if (e.function == 0 && e.eax < CPU_TOPOLOGY_MAX_BASIC_LEAF)
			e.eax = CPU_TOPOLOGY_MAX_BASIC_LEAF;
		if (e.function == 1) {
			struct cpuid_leaf l1 = { .function = 1, .eax = e.eax, .ebx = e.ebx, .ecx = e.ecx, .edx = e.edx };
			cpu_topology_leaf1(&b->topo, b->cpu, &l1);
			e.ebx = (l1.ebx & 0x00ffffffu) | (b->apic_id & 0xff) << 24;
			e.ecx = l1.ecx;
			e.edx = l1.edx;
		}
		c->entries[c->nent++] = e;
	}
	for (size_t i = 0; i < nt; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[c->nent++];
		*e = (struct kvm_cpuid_entry2){ .function = topo[i].function, .index = topo[i].index,
						.flags = topo[i].indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
						.eax = topo[i].eax, .ebx = topo[i].ebx, .ecx = topo[i].ecx, .edx = topo[i].edx };
		if (e->function != 4)
			e->edx = b->apic_id;
	}
	return ioctl(fd, KVM_SET_CPUID2, c);
}

static int set_sregs(int fd, const struct x86_vcpu_boot *b)
{
	struct kvm_sregs s;
	if (ioctl(fd, KVM_GET_SREGS, &s) < 0)
		return -1;
	struct kvm_segment cs = { .selector = VMS_USER_CS, .limit = 0xffffffff, .type = 11, .present = 1, .dpl = 3,
				  .s = 1, .l = 1, .g = 1 };
	struct kvm_segment ds = { .selector = VMS_USER_DS, .limit = 0xffffffff, .type = 3, .present = 1, .dpl = 3,
				  .db = 1, .s = 1, .g = 1 };
	s.cs = cs;
	s.ds = s.es = s.fs = s.ss = s.gs = ds;
	s.gs.base = b->cpu_area; /* the per-CPU area, for good */
	s.tr = (struct kvm_segment){ .base = VMS_TSS + (uint64_t)b->cpu * VMS_TSS_STRIDE,
				     .limit = (VMS_IOBITMAP - VMS_TSS - b->cpu * VMS_TSS_STRIDE) + VMS_PORT_DOORBELL / 8 + 2,
				     .selector = (uint16_t)VMS_TSS_SEL(b->cpu), .type = 11, .present = 1 };
	s.ldt = (struct kvm_segment){ .unusable = 1 };
	s.gdt.base = VMS_GDT;
	s.gdt.limit = (uint16_t)(VMS_TSS_SEL(b->nr_cpus) - 1);
	s.idt.base = VMS_IDT;
	s.idt.limit = 256 * 16 - 1;
	s.cr0 = 0x80050033; /* PG WP NE ET MP PE */
	s.cr3 = VMS_PML4;
	s.cr4 = 0x620; /* OSXMMEXCPT OSFXSR PAE */
	s.efer = 0x500; /* LMA LME */
	s.apic_base = 0xfee00000 | (1u << 11) | (1u << 10) | (b->cpu == 0 ? 1u << 8 : 0); /* on, x2APIC, BSP */
	return ioctl(fd, KVM_SET_SREGS, &s);
}

static int set_lapic(int fd, unsigned hz)
{
	struct kvm_lapic_state la;
	if (ioctl(fd, KVM_GET_LAPIC, &la) < 0)
		return -1;
#define LAPIC_REG(off) (*(uint32_t *)(la.regs + (off)))
	LAPIC_REG(0x80) = 0; /* TPR */
	LAPIC_REG(0xf0) = 0x100 | VMS_VEC_SPURIOUS; /* software enable */
	LAPIC_REG(0x350) = 1u << 16; /* LINT0 masked: no PIC */
	LAPIC_REG(0x360) = 1u << 16;
	LAPIC_REG(0x370) = 1u << 16; /* error */
	LAPIC_REG(0x3e0) = 0xb; /* divide by 1: KVM's APIC bus runs at 1 GHz (VMS_APIC_TIMER_KHZ) */
	if (hz) {
		LAPIC_REG(0x320) = VMS_VEC_TIMER | (1u << 17); /* periodic */
		LAPIC_REG(0x380) = VMS_APIC_TIMER_KHZ * 1000u / hz;
	} else {
		LAPIC_REG(0x320) = VMS_VEC_TIMER | (1u << 16);
		LAPIC_REG(0x380) = 0;
	}
#undef LAPIC_REG
	return ioctl(fd, KVM_SET_LAPIC, &la);
}

int x86_setup_vcpu(const struct kvm_host *k, int fd, const struct x86_vcpu_boot *b, char *err, size_t errlen)
{
	const char *step;
	struct kvm_regs regs = {
		.rip = b->entry,
		.rsp = b->cpu_area + VMS_CPU_BOOT_STACK_TOP,
		.rdi = b->cpu,
		.rsi = VMS_BOOT_PAGE,
		.rflags = 0x202, /* IF */
	};
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	if ((step = "KVM_SET_CPUID2", set_cpuid(k, fd, b)) < 0 || (step = "KVM_SET_SREGS", set_sregs(fd, b)) < 0 ||
	    (step = "KVM_SET_REGS", ioctl(fd, KVM_SET_REGS, &regs)) < 0 ||
	    (step = "KVM_SET_LAPIC", set_lapic(fd, b->hz)) < 0 ||
	    (step = "KVM_SET_MP_STATE", ioctl(fd, KVM_SET_MP_STATE, &mp)) < 0) {
		return errorf(err, errlen, "vCPU %u: %s: %s", b->cpu, step, strerror(errno));
	}
	return 0;
}
