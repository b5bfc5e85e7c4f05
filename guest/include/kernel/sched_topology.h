/*
 * Sched domains (Linux's include/linux/sched/topology.h): each CPU has a chain of
 * domains, lowest first (SMT: the threads of a core; MC: the cores sharing the last
 * level cache; PKG: every CPU), each divided into groups, the child domains' spans.
 * Balancing moves tasks between the groups of a domain. Masks are u64, a bit per CPU.
 */
#ifndef KERNEL_SCHED_TOPOLOGY_H
#define KERNEL_SCHED_TOPOLOGY_H
#include <kernel/types.h>
#include <vmsweep/schedstat.h>

/* SD_* flags, as include/linux/sched/sd_flags.h names them (our own values). */
#define SD_BALANCE_NEWIDLE 0x0001
#define SD_BALANCE_EXEC 0x0002
#define SD_BALANCE_FORK 0x0004
#define SD_BALANCE_WAKE 0x0008
#define SD_WAKE_AFFINE 0x0010
#define SD_SHARE_CPUCAPACITY 0x0080 /* SMT: the members share a core */
#define SD_SHARE_PKG_RESOURCES 0x0200 /* the members share the LLC (SD_SHARE_LLC since 6.8) */
#define SD_PREFER_SIBLING 0x1000

#define SCHED_CAPACITY_SCALE 1024
#define NICE_0_LOAD 1024

enum cpu_idle_type { CPU_IDLE = VMS_CPU_IDLE, CPU_NOT_IDLE = VMS_CPU_NOT_IDLE, CPU_NEWLY_IDLE = VMS_CPU_NEWLY_IDLE };

struct sched_group {
	u64 span;
	unsigned weight;
	unsigned capacity; /* SCHED_CAPACITY_SCALE per CPU: all CPUs are alike here */
};

struct sched_domain {
	struct sched_domain *parent, *child;
	const char *name;
	int level;
	unsigned flags;
	u64 span;
	unsigned span_weight;
	unsigned min_interval, max_interval; /* ms */
	unsigned busy_factor, imbalance_pct, cache_nice_tries;
	/* runtime */
	unsigned balance_interval; /* ms, min_interval..max_interval */
	unsigned nr_balance_failed;
	u64 last_balance_ns;
	struct vms_sd_stats stats; /* /proc/schedstat's domain line */
	unsigned nr_groups;
	unsigned local_group; /* the group holding the CPU the domain belongs to */
	struct sched_group groups[];
};

/* What the CPU read from CPUID (Linux's topology_*_id and cpu_llc_id). */
struct cpu_topology {
	u32 package_id, core_id, thread_id, llc_id;
	u64 thread_siblings, llc_siblings; /* cpu_smt_mask, cpu_coregroup_mask */
};

#define for_each_domain(cpu, __sd) for (__sd = cpu_area(cpu)->sd; __sd; __sd = __sd->parent)

void sched_init_domains(void);
void schedstat_report(void); /* VMS_REC_SCHEDSTAT per CPU (schedstat.c) */
bool cpus_share_cache(unsigned a, unsigned b);
const struct cpu_topology *cpu_topology_of(unsigned cpu); /* topology_sibling_cpumask and friends */
#endif
