/*
 * The guest's CPU topology as CPUID presents it: for a table of shapes, the leaves each
 * vCPU gets are decoded the way Linux decodes them (arch/x86/kernel/cpu/topology.c's
 * detect_extended_topology, and the leaf-4 code of intel_cacheinfo.c), and must give
 * back the shape, each vCPU's package/core/thread and who shares the L3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "vmm/cpu_topology.h"

/* ---- A CPUID of one vCPU, from the leaves the topology gives and a leaf 1 as KVM's ---- */

struct fake_cpu {
	struct cpuid_leaf leaves[CPU_TOPOLOGY_NR_LEAVES + 1];
	size_t n;
};

static void fake_cpu_fill(struct fake_cpu *f, const struct cpu_topology *t, unsigned cpu)
{
	f->n = cpu_topology_leaves(t, cpu, f->leaves);
	assert_true(f->n <= CPU_TOPOLOGY_NR_LEAVES);
	struct cpuid_leaf l1 = { .function = 1, .eax = 0x00a50f00, .ebx = 0xff0a0800, .ecx = 0, .edx = 0x178bfbff };
	cpu_topology_leaf1(t, cpu, &l1);
	f->leaves[f->n++] = l1;
}

/* A leaf the table lacks reads as zeros (as KVM answers on AMD). */
static struct cpuid_leaf cpuid_count(const struct fake_cpu *f, uint32_t fn, uint32_t idx)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->leaves[i].function == fn && (!f->leaves[i].indexed || f->leaves[i].index == idx))
			return f->leaves[i];
	return (struct cpuid_leaf){ .function = fn, .index = idx };
}

/* ---- Linux's decode ---- */

#define LEAFB_SUBTYPE(ecx) (((ecx) >> 8) & 0xff)
#define BITS_SHIFT_NEXT_LEVEL(eax) ((eax) & 0x1f)
#define LEVEL_MAX_SIBLINGS(ebx) ((ebx) & 0xffff)
#define SMT_TYPE 1
#define CORE_TYPE 2
#define INVALID_TYPE 0

struct decoded {
	unsigned apicid, initial_apicid_leaf1;
	unsigned smp_num_siblings, x86_max_cores;
	unsigned phys_proc_id, cpu_core_id, thread; /* thread: the bits below ht_mask_width */
	unsigned llc_id, l2_id, l3_sharing;
	bool htt;
	unsigned leaf1_logical; /* leaf 1 EBX[23:16] */
};

static unsigned get_count_order(unsigned n)
{
	unsigned o = 0;
	while ((1u << o) < n)
		o++;
	return o;
}

/* detect_extended_topology() with leaf 0x1F preferred, as Linux >= 5.2 does */
static void linux_decode(const struct fake_cpu *f, unsigned leaf, struct decoded *d)
{
	struct cpuid_leaf r = cpuid_count(f, leaf, 0);
	/* check_extended_topology_leaf(): the SMT level first, with siblings */
	assert_int_not_equal(r.ebx, 0);
	assert_int_equal(LEAFB_SUBTYPE(r.ecx), SMT_TYPE);
	d->apicid = r.edx;
	d->smp_num_siblings = LEVEL_MAX_SIBLINGS(r.ebx);
	unsigned ht_mask_width = BITS_SHIFT_NEXT_LEVEL(r.eax), core_plus_mask_width = ht_mask_width;
	unsigned core_level_siblings = d->smp_num_siblings;
	unsigned sub_index = 1;
	do {
		r = cpuid_count(f, leaf, sub_index);
		assert_int_equal(r.edx, d->apicid); /* every subleaf gives the x2APIC ID */
		if (LEAFB_SUBTYPE(r.ecx) == CORE_TYPE) {
			core_level_siblings = LEVEL_MAX_SIBLINGS(r.ebx);
			core_plus_mask_width = BITS_SHIFT_NEXT_LEVEL(r.eax);
		}
		assert_int_equal(r.ecx & 0xff, sub_index); /* ECX[7:0] echoes the subleaf */
		sub_index++;
		assert_true(sub_index < 8);
	} while (LEAFB_SUBTYPE(r.ecx) != INVALID_TYPE);
	unsigned core_select_mask = (~(~0u << core_plus_mask_width)) >> ht_mask_width;
	d->cpu_core_id = (d->apicid >> ht_mask_width) & core_select_mask;
	d->phys_proc_id = d->apicid >> core_plus_mask_width;
	d->thread = d->apicid & ((1u << ht_mask_width) - 1);
	d->x86_max_cores = core_level_siblings / d->smp_num_siblings;

	/* leaf 1 */
	struct cpuid_leaf l1 = cpuid_count(f, 1, 0);
	d->initial_apicid_leaf1 = l1.ebx >> 24;
	d->htt = l1.edx >> 28 & 1;
	d->leaf1_logical = l1.ebx >> 16 & 0xff;
	assert_true(l1.ecx >> 21 & 1); /* x2APIC */

	/* init_intel_cacheinfo(): leaf 4 until type 0 */
	for (unsigned i = 0;; i++) {
		assert_true(i < 8);
		r = cpuid_count(f, 4, i);
		unsigned type = r.eax & 0x1f, level = r.eax >> 5 & 7;
		if (!type)
			break;
		unsigned sharing = (r.eax >> 14 & 0xfff) + 1;
		unsigned index_msb = get_count_order(sharing);
		unsigned size = ((r.ebx & 0xfff) + 1) * ((r.ebx >> 12 & 0x3ff) + 1) * ((r.ebx >> 22) + 1) * (r.ecx + 1);
		assert_true(size >= 32768);
		if (level == 2)
			d->l2_id = d->apicid & ~((1u << index_msb) - 1);
		if (level == 3) {
			d->llc_id = d->apicid & ~((1u << index_msb) - 1);
			d->l3_sharing = sharing;
		}
	}
}

/* ---- The table ---- */

struct shape {
	unsigned s, c, t;
	unsigned apic_ids[16];
};

static const struct shape shapes[] = {
	{ 1, 1, 1, { 0 } },
	{ 1, 4, 1, { 0, 1, 2, 3 } },
	{ 2, 2, 1, { 0, 1, 2, 3 } },
	{ 1, 2, 2, { 0, 1, 2, 3 } },
	{ 2, 2, 2, { 0, 1, 2, 3, 4, 5, 6, 7 } },
	{ 1, 3, 1, { 0, 1, 2 } },
	{ 2, 3, 1, { 0, 1, 2, 4, 5, 6 } },
	{ 1, 1, 2, { 0, 1 } },
	{ 2, 3, 2, { 0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13 } },
};

static void check_shape(const struct shape *sh)
{
	struct cpu_topology t = { sh->s, sh->c, sh->t };
	unsigned n = cpu_topology_nr_cpus(&t);
	char name[32];
	cpu_topology_format(&t, name, sizeof(name));

	for (unsigned cpu = 0; cpu < n; cpu++) {
		struct fake_cpu f;
		fake_cpu_fill(&f, &t, cpu);
		unsigned want_pkg = cpu / (sh->c * sh->t), want_core = cpu / sh->t % sh->c, want_thread = cpu % sh->t;
		if (cpu_topology_apic_id(&t, cpu) != sh->apic_ids[cpu])
			fail_msg("%s: vCPU %u has APIC ID %u, want %u", name, cpu, cpu_topology_apic_id(&t, cpu),
				 sh->apic_ids[cpu]);
		for (unsigned leaf = 0xb;; leaf = 0x1f) {
			struct decoded d = { 0 };
			linux_decode(&f, leaf, &d);
			if (d.apicid != sh->apic_ids[cpu] || d.initial_apicid_leaf1 != (sh->apic_ids[cpu] & 0xff) ||
			    d.smp_num_siblings != sh->t || d.x86_max_cores != sh->c || d.phys_proc_id != want_pkg ||
			    d.cpu_core_id != want_core || d.thread != want_thread)
				fail_msg("%s leaf %#x vCPU %u: decoded apicid %u (leaf 1: %u) siblings %u cores %u pkg %u "
					 "core %u thread %u; want %u, %u, %u, %u, %u, %u",
					 name, leaf, cpu, d.apicid, d.initial_apicid_leaf1, d.smp_num_siblings,
					 d.x86_max_cores, d.phys_proc_id, d.cpu_core_id, d.thread, sh->apic_ids[cpu], sh->t,
					 sh->c, want_pkg, want_core, want_thread);
			/* leaf 1: HTT and a power of two that holds the package's IDs */
			assert_int_equal(d.htt, sh->c * sh->t > 1);
			assert_true(d.leaf1_logical >= sh->c * sh->t);
			assert_int_equal(d.leaf1_logical & (d.leaf1_logical - 1), 0);
			/* L3: the package's CPUs and no other; L2: the core's */
			assert_true(d.l3_sharing >= sh->c * sh->t);
			for (unsigned o = 0; o < n; o++) {
				struct fake_cpu g;
				struct decoded e = { 0 };
				fake_cpu_fill(&g, &t, o);
				linux_decode(&g, leaf, &e);
				bool same_pkg = o / (sh->c * sh->t) == want_pkg;
				bool same_core = same_pkg && o / sh->t % sh->c == want_core;
				if ((e.llc_id == d.llc_id) != same_pkg || (e.l2_id == d.l2_id) != same_core)
					fail_msg("%s: vCPUs %u and %u: shared L3 %d (want %d), shared L2 %d (want %d)", name,
						 cpu, o, e.llc_id == d.llc_id, same_pkg, e.l2_id == d.l2_id, same_core);
				if (o != cpu && e.apicid == d.apicid)
					fail_msg("%s: vCPUs %u and %u share APIC ID %u", name, cpu, o, d.apicid);
			}
			if (leaf == 0x1f)
				break;
		}
	}
	assert_int_equal(cpu_topology_apic_id_limit(&t), sh->apic_ids[n - 1] + 1);
}

static void test_shapes_decode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		check_shape(&shapes[i]);
}

static void test_leaf1_single(void **state)
{
	(void)state;
	struct cpu_topology t = { 1, 1, 1 };
	struct cpuid_leaf l1 = { .function = 1, .ebx = 0x12345678, .edx = 1u << 28 };
	cpu_topology_leaf1(&t, 0, &l1);
	assert_int_equal(l1.edx >> 28 & 1, 0); /* one logical processor: no HTT */
	assert_int_equal(l1.ebx & 0xffff, 0x5678); /* brand index, CLFLUSH size kept */
	assert_int_equal(l1.ebx >> 24, 0);
}

static void parse_ok(const char *text, unsigned s, unsigned c, unsigned th)
{
	struct cpu_topology t;
	char err[256] = "";
	if (cpu_topology_parse(text, &t, err, sizeof(err)))
		fail_msg("'%s' refused: %s", text, err);
	if (t.sockets != s || t.cores != c || t.threads != th)
		fail_msg("'%s' = %ux%ux%u, want %ux%ux%u", text, t.sockets, t.cores, t.threads, s, c, th);
	struct cpu_topology u = cpu_topology_unpack(cpu_topology_pack(&t));
	assert_memory_equal(&t, &u, sizeof(t));
}

static void parse_bad(const char *text, const char *phrase)
{
	struct cpu_topology t = { 9, 9, 9 };
	char err[256] = "";
	if (!cpu_topology_parse(text, &t, err, sizeof(err)))
		fail_msg("'%s' accepted as %ux%ux%u", text, t.sockets, t.cores, t.threads);
	assert_err_has(err, phrase);
	assert_int_equal(t.sockets, 9);
}

static void test_parse(void **state)
{
	(void)state;
	parse_ok("sockets=2,cores=2,threads=1", 2, 2, 1);
	parse_ok("cores=4", 1, 4, 1);
	parse_ok("threads=2,sockets=2", 2, 1, 2);
	parse_ok("2x2x1", 2, 2, 1);
	parse_ok("1X3X1", 1, 3, 1);
	parse_ok("1x64x1", 1, 64, 1);
	parse_bad("0x1x1", "sockets 0: out of range 1..64");
	parse_bad("1x0x1", "cores 0");
	parse_bad("2x2", "expected SOCKETSxCORESxTHREADS");
	parse_bad("2x2x1x1", "expected SOCKETSxCORESxTHREADS");
	parse_bad("axbxc", "sockets 'a': expected a whole number");
	parse_bad("2x2x-1", "threads '-1'");
	parse_bad("sockets=2,cores=2,sockets=1", "sockets given twice");
	parse_bad("dies=2", "unknown key");
	parse_bad("sockets=2,", "ends with a comma");
	parse_bad("4x4x8", "= 128 vCPUs: at most 64");
	parse_bad("", "empty");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes_decode),
		cmocka_unit_test(test_leaf1_single),
		cmocka_unit_test(test_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
