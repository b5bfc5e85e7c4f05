/*
 * load_balance's arithmetic (fair_lb_calc.c), apart from the run queues it reads so
 * that tests/unit/test_sched_balance.c can check it against worked examples: a
 * group's statistics and type, the busiest group, and the imbalance to move.
 */
#ifndef KERNEL_SCHED_FAIR_LB_H
#define KERNEL_SCHED_FAIR_LB_H
#include <kernel/sched_topology.h>

enum group_type { group_has_spare, group_fully_busy, group_overloaded };
enum migration_type { migrate_load, migrate_util, migrate_task };

/* A group's statistics (update_sg_lb_stats); avg_load once the type is known. */
struct sg_lb_stats {
	unsigned long avg_load, group_load, group_capacity, group_util, group_runnable;
	unsigned sum_nr_running, sum_h_nr_running, idle_cpus, group_weight;
	enum group_type group_type;
};

/* A domain's: its local group, the busiest other one, the totals. */
struct sd_lb_stats {
	struct sched_group *busiest, *local;
	unsigned long total_load, total_capacity, avg_load;
	bool prefer_sibling; /* the child domain spreads tasks (SD_PREFER_SIBLING) */
	struct sg_lb_stats busiest_stat, local_stat;
};

/* What to move: an amount of load, of utilisation, or a number of tasks. */
struct lb_verdict {
	long imbalance;
	enum migration_type migration_type;
};

/* group_classify, then the group's avg_load when it is not spare. */
void sg_lb_stats_classify(struct sg_lb_stats *sgs, unsigned imbalance_pct);
/* update_sd_pick_busiest: whether sgs is busier than the busiest so far. */
bool update_sd_pick_busiest(const struct sd_lb_stats *sds, const struct sg_lb_stats *sgs);
/* find_busiest_group's verdict on the gathered statistics: true with what to move, or balanced. */
bool sd_lb_verdict(const struct sched_domain *sd, enum cpu_idle_type idle, struct sd_lb_stats *sds,
		   struct lb_verdict *v);
#endif
