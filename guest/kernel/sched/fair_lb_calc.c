/*
 * load_balance's arithmetic, as Linux 5.10+'s kernel/sched/fair.c does it: a group is
 * overloaded (more tasks than CPUs, and its averages past imbalance_pct), fully busy,
 * or has spare capacity; the busiest group is of the worst type, heaviest within it;
 * and the imbalance is what brings the two to the domain's average, or half the
 * difference in tasks (or idle CPUs) when the local group has room.
 */
#include "fair_lb.h"

/* group_has_capacity: fewer tasks than CPUs, or their averages leave room. */
static bool group_has_capacity(unsigned imbalance_pct, const struct sg_lb_stats *sgs)
{
	if (sgs->sum_nr_running < sgs->group_weight)
		return true;
	if (sgs->group_capacity * imbalance_pct < sgs->group_runnable * 100)
		return false;
	return sgs->group_capacity * 100 > sgs->group_util * imbalance_pct;
}

static bool group_is_overloaded(unsigned imbalance_pct, const struct sg_lb_stats *sgs)
{
	if (sgs->sum_nr_running <= sgs->group_weight)
		return false;
	return sgs->group_capacity * 100 < sgs->group_util * imbalance_pct ||
	       sgs->group_capacity * imbalance_pct < sgs->group_runnable * 100;
}

void sg_lb_stats_classify(struct sg_lb_stats *sgs, unsigned imbalance_pct)
{
	if (group_is_overloaded(imbalance_pct, sgs))
		sgs->group_type = group_overloaded;
	else if (!group_has_capacity(imbalance_pct, sgs))
		sgs->group_type = group_fully_busy;
	else
		sgs->group_type = group_has_spare;
	if (sgs->group_type != group_has_spare)
		sgs->avg_load = sgs->group_load * SCHED_CAPACITY_SCALE / sgs->group_capacity;
}

bool update_sd_pick_busiest(const struct sd_lb_stats *sds, const struct sg_lb_stats *sgs)
{
	const struct sg_lb_stats *busiest = &sds->busiest_stat;
	if (!sgs->sum_h_nr_running)
		return false;
	if (!sds->busiest)
		return true;
	if (sgs->group_type != busiest->group_type)
		return sgs->group_type > busiest->group_type;
	switch (sgs->group_type) {
	case group_overloaded:
	case group_fully_busy:
		return sgs->avg_load > busiest->avg_load;
	case group_has_spare: /* fewest idle CPUs, then most tasks */
		if (sgs->idle_cpus != busiest->idle_cpus)
			return sgs->idle_cpus < busiest->idle_cpus;
		return sgs->sum_nr_running > busiest->sum_nr_running;
	}
	return false;
}

static void calculate_imbalance(const struct sched_domain *sd, enum cpu_idle_type idle, struct sd_lb_stats *sds,
				struct lb_verdict *v)
{
	struct sg_lb_stats *local = &sds->local_stat, *busiest = &sds->busiest_stat;

	if (local->group_type == group_has_spare) {
		if (busiest->group_type > group_fully_busy && !(sd->flags & SD_SHARE_PKG_RESOURCES)) {
			/* across caches: fill the local group's spare capacity */
			long spare = (long)local->group_capacity - (long)local->group_util;
			v->migration_type = migrate_util;
			v->imbalance = spare > 0 ? spare : 0;
			if (idle != CPU_NOT_IDLE && v->imbalance == 0) {
				v->migration_type = migrate_task;
				v->imbalance = 1;
			}
			return;
		}
		v->migration_type = migrate_task;
		long diff = busiest->group_weight == 1 || sds->prefer_sibling
				    ? (long)busiest->sum_nr_running - (long)local->sum_nr_running
				    : (long)local->idle_cpus - (long)busiest->idle_cpus;
		v->imbalance = diff > 0 ? diff >> 1 : 0;
		return;
	}
	if (local->group_type < group_overloaded) {
		local->avg_load = local->group_load * SCHED_CAPACITY_SCALE / local->group_capacity;
		sds->avg_load = sds->total_load * SCHED_CAPACITY_SCALE / sds->total_capacity;
	}
	if (local->avg_load >= busiest->avg_load || sds->avg_load <= local->avg_load) {
		v->imbalance = 0;
		return;
	}
	/* as much load as brings both to the domain's average, no more */
	unsigned long a = (busiest->avg_load - sds->avg_load) * busiest->group_capacity;
	unsigned long b = (sds->avg_load - local->avg_load) * local->group_capacity;
	v->migration_type = migrate_load;
	v->imbalance = (long)((a < b ? a : b) / SCHED_CAPACITY_SCALE);
}

bool sd_lb_verdict(const struct sched_domain *sd, enum cpu_idle_type idle, struct sd_lb_stats *sds,
		   struct lb_verdict *v)
{
	struct sg_lb_stats *local = &sds->local_stat, *busiest = &sds->busiest_stat;

	v->imbalance = 0;
	v->migration_type = migrate_load;
	if (!sds->busiest || local->group_type > busiest->group_type)
		return false;
	if (local->group_type == group_overloaded) {
		if (local->avg_load >= busiest->avg_load)
			return false;
		sds->avg_load = sds->total_load * SCHED_CAPACITY_SCALE / sds->total_capacity;
		if (local->avg_load >= sds->avg_load)
			return false;
		/* both overloaded: not worth it below imbalance_pct */
		if (100 * busiest->avg_load <= sd->imbalance_pct * local->avg_load)
			return false;
	}
	bool force = sds->prefer_sibling && local->group_type == group_has_spare &&
		     busiest->sum_nr_running > local->sum_nr_running + 1;
	if (!force && busiest->group_type != group_overloaded) {
		if (idle == CPU_NOT_IDLE)
			return false; /* a busy CPU pulls only from an overloaded group */
		if (busiest->group_weight > 1 && local->idle_cpus <= busiest->idle_cpus + 1)
			return false;
		if (busiest->sum_h_nr_running == 1)
			return false;
	}
	calculate_imbalance(sd, idle, sds, v);
	return v->imbalance > 0;
}
