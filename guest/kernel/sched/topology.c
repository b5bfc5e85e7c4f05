/*
 * The CPU topology and the sched domains built on it (Linux's
 * arch/x86/kernel/cpu/topology.c, cacheinfo and kernel/sched/topology.c).
 *
 * Each CPU's x2APIC ID comes from CPUID leaf 0xB (the CPU reads its own at boot); the
 * field widths from leaf 0xB's levels (SMT, then core: detect_extended_topology) and
 * the last level cache's sharing from leaf 4. Without leaf 0xB the CPUs are taken to
 * be one package of single-thread cores sharing one cache, as a kernel would without
 * topology leaves.
 *
 * Domains, as default_topology: SMT (cpu_smt_mask), MC (cpu_coregroup_mask: the LLC),
 * PKG (cpu_cpu_mask: every CPU, one node); a level spanning one CPU or no more than
 * the level below is dropped (sd_degenerate, sd_parent_degenerate). sd_init's
 * parameters are those of Linux 5.10+: intervals from the span's weight, busy_factor
 * 16, imbalance_pct 110 for SMT and 117 above, cache_nice_tries 0 for SMT, 1 above.
 *
 * tests/unit/test_sched_topology.c builds this file on the host with
 * SCHED_TOPOLOGY_HOST_SHIM, which supplies the types and the allocator.
 */
#ifndef SCHED_TOPOLOGY_HOST_SHIM
#include <asm/cpuid.h>
#include <asm/tsc.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <lib/string.h>
#include "sched.h"
#endif
#include "topology.h"

static unsigned hweight64(u64 m)
{
	return (unsigned)__builtin_popcountll(m);
}

/* The smallest shift that holds n values (get_count_order). */
static unsigned count_order(unsigned n)
{
	unsigned s = 0;
	while ((1u << s) < n)
		s++;
	return s;
}

void topology_decode(const u32 *apic_id, unsigned n, const struct topo_shifts *s, struct cpu_topology *t)
{
	for (unsigned i = 0; i < n; i++) {
		u32 a = apic_id[i];
		t[i] = (struct cpu_topology){
			.package_id = a >> s->core_shift,
			.core_id = (a & ((1u << s->core_shift) - 1)) >> s->smt_shift,
			.thread_id = a & ((1u << s->smt_shift) - 1),
			.llc_id = a >> s->llc_shift,
		};
	}
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < n; j++) {
			if (apic_id[i] >> s->smt_shift == apic_id[j] >> s->smt_shift)
				t[i].thread_siblings |= 1ull << j;
			if (t[i].llc_id == t[j].llc_id)
				t[i].llc_siblings |= 1ull << j;
		}
}

/* The levels of default_topology: the span of each at a CPU, and its flags. */
enum { SD_LV_SMT, SD_LV_MC, SD_LV_PKG, SD_LV_NR };
static const char *const sd_level_name[SD_LV_NR] = { "SMT", "MC", "PKG" };

static u64 level_mask(const struct cpu_topology *t, unsigned n, unsigned cpu, int level)
{
	switch (level) {
	case SD_LV_SMT:
		return t[cpu].thread_siblings;
	case SD_LV_MC:
		/* a domain must span its child: the LLC holds the core's threads (cpu_coregroup_mask) */
		return t[cpu].llc_siblings | t[cpu].thread_siblings;
	default:
		return n == 64 ? ~0ull : (1ull << n) - 1;
	}
}

static unsigned level_flags(int level)
{
	unsigned f = SD_BALANCE_NEWIDLE | SD_BALANCE_EXEC | SD_BALANCE_FORK | SD_WAKE_AFFINE | SD_PREFER_SIBLING;
	if (level == SD_LV_SMT)
		f |= SD_SHARE_CPUCAPACITY | SD_SHARE_PKG_RESOURCES;
	else if (level == SD_LV_MC)
		f |= SD_SHARE_PKG_RESOURCES;
	return f;
}

/* sd_init: the parameters Linux derives from the level's flags and weight. */
static void sd_init(struct sched_domain *sd, int level, u64 span)
{
	unsigned w = hweight64(span);
	sd->name = sd_level_name[level];
	sd->flags = level_flags(level);
	sd->span = span;
	sd->span_weight = w;
	sd->min_interval = w;
	sd->max_interval = 2 * w;
	sd->balance_interval = w;
	sd->busy_factor = 16;
	sd->imbalance_pct = 117;
	sd->cache_nice_tries = 0;
	if (sd->flags & SD_SHARE_CPUCAPACITY) {
		sd->imbalance_pct = 110;
	} else {
		sd->cache_nice_tries = 1; /* MC and PKG alike */
	}
}

/*
 * The domains of one CPU, lowest first, with degenerate levels removed: NULL when
 * every level spans only the CPU itself (one CPU: nothing to balance).
 */
struct sched_domain *build_cpu_domains(unsigned cpu, const struct cpu_topology *t, unsigned n,
				       void *(*zalloc)(size_t))
{
	struct sched_domain *lowest = NULL, *prev = NULL;
	u64 prev_span = 1ull << cpu;

	for (int level = 0; level < SD_LV_NR; level++) {
		u64 span = level_mask(t, n, cpu, level) | prev_span;
		/* sd_degenerate (one CPU) and sd_parent_degenerate (no wider than its child) */
		if (hweight64(span) == 1 || span == prev_span)
			continue;
		/* its groups: the spans one level down (the child's, before degenerate ones went) */
		u64 groups[64], left = span;
		unsigned nr = 0;
		while (left) {
			unsigned j = (unsigned)__builtin_ctzll(left);
			u64 g = 1ull << j;
			for (int below = level - 1; below >= 0; below--) {
				g = level_mask(t, n, j, below) & span;
				if (g)
					break;
			}
			if (!g)
				g = 1ull << j;
			groups[nr++] = g;
			left &= ~g;
		}
		struct sched_domain *sd = zalloc(sizeof(*sd) + nr * sizeof(struct sched_group));
		if (!sd)
			return NULL;
		sd_init(sd, level, span);
		sd->nr_groups = nr;
		for (unsigned g = 0; g < nr; g++) {
			sd->groups[g] = (struct sched_group){ .span = groups[g], .weight = hweight64(groups[g]) };
			sd->groups[g].capacity = sd->groups[g].weight * SCHED_CAPACITY_SCALE;
			if (groups[g] & (1ull << cpu))
				sd->local_group = g;
		}
		sd->child = prev;
		if (prev)
			prev->parent = sd;
		else
			lowest = sd;
		prev = sd;
		prev_span = span;
	}
	for (struct sched_domain *sd = lowest; sd; sd = sd->parent)
		sd->level = sd->child ? sd->child->level + 1 : 0;
	return lowest;
}

#ifndef SCHED_TOPOLOGY_HOST_SHIM
static struct cpu_topology topology[VMS_MAX_CPUS];

/* detect_extended_topology and the leaf-4 walk for the LLC, on CPU 0 (CPUID exits: ~20 us each); false without leaf 0xB. */
static bool topology_read_shifts(struct topo_shifts *s)
{
	u32 a, b, c, d, max;
	cpuid_count(0, 0, &max, &b, &c, &d);
	*s = (struct topo_shifts){ .smt_shift = 0, .core_shift = count_order(nr_cpu_ids) };
	s->llc_shift = s->core_shift;
	bool leaf_b = false;
	if (max >= 0xb) {
		cpuid_count(0xb, 0, &a, &b, &c, &d);
		if ((b & 0xffff) && ((c >> 8) & 0xff) == 1) { /* subleaf 0 is the SMT level */
			s->smt_shift = a & 0x1f;
			for (u32 sub = 1; sub < 8; sub++) {
				cpuid_count(0xb, sub, &a, &b, &c, &d);
				if (!((c >> 8) & 0xff))
					break;
				if (((c >> 8) & 0xff) == 2) /* the core level: the package's shift */
					s->core_shift = a & 0x1f;
			}
			s->llc_shift = s->core_shift;
			leaf_b = true;
		}
	}
	if (leaf_b && max >= 4) {
		for (u32 sub = 0; sub < 8; sub++) {
			cpuid_count(4, sub, &a, &b, &c, &d);
			if (!(a & 0x1f))
				break;
			/* the highest level seen last: its sharing, a power of two of APIC IDs */
			s->llc_shift = count_order(((a >> 14) & 0xfff) + 1);
		}
	}
	return leaf_b;
}

static void *sd_zalloc(size_t n)
{
	return kzalloc(n);
}

bool cpus_share_cache(unsigned a, unsigned b)
{
	return topology[a].llc_id == topology[b].llc_id;
}

const struct cpu_topology *cpu_topology_of(unsigned cpu)
{
	return &topology[cpu];
}

/* After every CPU wrote its x2APIC ID: decode the topology and attach the domains. */
void sched_init_domains(void)
{
	struct topo_shifts s;
	u32 apic[VMS_MAX_CPUS];

	bool leaf_b = topology_read_shifts(&s);
	for_each_cpu(i)
		apic[i] = cpu_area(i)->apic_id;
	topology_decode(apic, nr_cpu_ids, &s, topology);
	for_each_cpu(i) {
		struct sched_domain *sd = build_cpu_domains(i, topology, nr_cpu_ids, sd_zalloc);
		u64 now = ktime_get_ns();
		for (struct sched_domain *d = sd; d; d = d->parent) {
			d->last_balance_ns = now;
			d->flags &= ~(unsigned)knob(sched_domain_flags_clear);
		}
		__atomic_store_n(&cpu_area(i)->sd, sd, __ATOMIC_RELEASE);
	}
	printk("topology: %u CPUs, x2APIC shifts SMT %u package %u LLC %u%s\n", nr_cpu_ids, s.smt_shift,
	       s.core_shift, s.llc_shift, leaf_b ? "" : " (no CPUID leaf 0xB: one package of cores)");
	for (struct sched_domain *d = cpu_area(0)->sd; d; d = d->parent)
		printk("CPU0 domain %d %s span %lx groups %u interval %u-%u ms imbalance_pct %u cache_nice_tries %u\n",
		       d->level, d->name, d->span, d->nr_groups, d->min_interval, d->max_interval, d->imbalance_pct,
		       d->cache_nice_tries);
}
#endif
