/*
 * The guest scheduler's statistics, as the host receives them: the fields of Linux's
 * /proc/schedstat (version 15, kernel/sched/stats.c show_schedstat) for each CPU and
 * each of its sched domains, with the domain's shape and sd_init parameters, and the
 * topology the CPU read from CPUID.
 */
#ifndef VMSWEEP_SCHEDSTAT_H
#define VMSWEEP_SCHEDSTAT_H
#include <stdint.h>

#define VMS_SCHEDSTAT_VERSION 15
#define VMS_SD_MAX_LEVELS 3 /* SMT, MC, PKG */

/* enum cpu_idle_type: the balancing CPU was idle, busy, or about to idle. */
enum vms_cpu_idle_type { VMS_CPU_IDLE, VMS_CPU_NOT_IDLE, VMS_CPU_NEWLY_IDLE, VMS_CPU_MAX_IDLE_TYPES };

/* A domain's counters, in /proc/schedstat's order. */
struct vms_sd_stats {
	uint64_t lb_count[VMS_CPU_MAX_IDLE_TYPES];     /* load_balance calls */
	uint64_t lb_balanced[VMS_CPU_MAX_IDLE_TYPES];  /* found nothing to move */
	uint64_t lb_failed[VMS_CPU_MAX_IDLE_TYPES];    /* imbalanced, moved nothing */
	uint64_t lb_imbalance[VMS_CPU_MAX_IDLE_TYPES]; /* sum of the imbalances found */
	uint64_t lb_gained[VMS_CPU_MAX_IDLE_TYPES];    /* tasks pulled */
	uint64_t lb_hot_gained[VMS_CPU_MAX_IDLE_TYPES]; /* of which cache-hot */
	uint64_t lb_nobusyq[VMS_CPU_MAX_IDLE_TYPES];   /* a busiest group but no busiest queue */
	uint64_t lb_nobusyg[VMS_CPU_MAX_IDLE_TYPES];   /* no busiest group */
	uint64_t alb_count, alb_failed, alb_pushed;    /* active balance (migration/N) */
	uint64_t sbe_count, sbe_balanced, sbe_pushed;  /* exec balance (unused: no exec) */
	uint64_t sbf_count, sbf_balanced, sbf_pushed;  /* fork balance (unused) */
	uint64_t ttwu_wake_remote; /* wake-ups of a task last on another CPU of this domain */
	uint64_t ttwu_move_affine; /* ... moved to the waker's CPU by wake_affine */
	uint64_t ttwu_move_balance; /* ... moved by SD_BALANCE_WAKE (unused) */
};

struct vms_sched_domain_info {
	char name[8];	       /* "SMT", "MC", "PKG", NUL-terminated */
	uint64_t span;	       /* CPUs, a bit each */
	uint32_t level, flags; /* SD_* of guest/include/kernel/sched_topology.h */
	uint32_t nr_groups;
	uint32_t min_interval, max_interval; /* ms */
	uint32_t busy_factor, imbalance_pct, cache_nice_tries;
	struct vms_sd_stats stats;
};

/* VMS_REC_SCHEDSTAT (results ring, one per CPU at the end). */
struct vms_rec_schedstat {
	uint32_t cpu, apic_id;
	uint32_t package_id, core_id, thread_id, llc_id; /* from CPUID, as Linux's topology_*_id */
	/* the cpu line: yld_count, (0), sched_count, sched_goidle, ttwu_count, ttwu_local,
	 * rq_cpu_time (ns), run_delay (ns), pcount */
	uint64_t yld_count, sched_count, sched_goidle, ttwu_count, ttwu_local;
	uint64_t rq_cpu_time, run_delay, pcount;
	/* what a migration costs: tasks the balancer moved here, and how long they then
	 * waited in this queue before they ran */
	uint64_t nr_moved_in, moved_in_wait_ns;
	uint64_t alb_pushed; /* tasks its migration/N pushed away for active balancing */
	uint64_t affinity_pushed; /* ... and for set_cpus_allowed (a running task pinned away) */
	uint32_t nr_domains, pad;
	struct vms_sched_domain_info domains[VMS_SD_MAX_LEVELS]; /* lowest level first */
};
#endif
