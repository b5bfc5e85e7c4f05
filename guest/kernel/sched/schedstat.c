/*
 * /proc/schedstat for the host: each CPU's line and its domains' lines (counters of
 * core.c, fair.c and fair_lb.c), with the domains' shape and parameters and the
 * topology the CPU read from CPUID. Written once, at the end of the run.
 */
#include <kernel/kernel.h>
#include <kernel/results.h>
#include <lib/string.h>
#include "sched.h"
#include "topology.h"

void schedstat_report(void)
{
	for_each_cpu(i) {
		struct cpu *c = cpu_area(i);
		struct rq *rq = &c->rq;
		const struct cpu_topology *t = cpu_topology_of(i);
		struct vms_rec_schedstat r = {
			.cpu = i,
			.apic_id = c->apic_id,
			.package_id = t->package_id,
			.core_id = t->core_id,
			.thread_id = t->thread_id,
			.llc_id = t->llc_id,
			.yld_count = rq->yld_count,
			.sched_count = rq->sched_count,
			.sched_goidle = rq->sched_goidle,
			.ttwu_count = rq->ttwu_count,
			.ttwu_local = rq->ttwu_local,
			.rq_cpu_time = rq->rq_cpu_time,
			.run_delay = rq->run_delay,
			.pcount = rq->pcount,
			.nr_moved_in = rq->nr_moved_in,
			.moved_in_wait_ns = rq->moved_in_wait_ns,
			.alb_pushed = rq->alb_pushed,
			.affinity_pushed = rq->affinity_pushed,
		};
		struct sched_domain *sd;
		for_each_domain(i, sd) {
			if (r.nr_domains == VMS_SD_MAX_LEVELS)
				break;
			struct vms_sched_domain_info *d = &r.domains[r.nr_domains++];
			strlcpy(d->name, sd->name, sizeof(d->name));
			d->span = sd->span;
			d->level = (u32)sd->level;
			d->flags = sd->flags;
			d->nr_groups = sd->nr_groups;
			d->min_interval = sd->min_interval;
			d->max_interval = sd->max_interval;
			d->busy_factor = sd->busy_factor;
			d->imbalance_pct = sd->imbalance_pct;
			d->cache_nice_tries = sd->cache_nice_tries;
			d->stats = sd->stats;
		}
		results_record(VMS_REC_SCHEDSTAT, &r, sizeof(r));
	}
}
