/*
 * Balancing the fair class (normal tasks) across CPUs, after Linux's CFS balancer
 * (kernel/sched/fair.c, 5.10+), under its names. This file: PELT averages, wake-up
 * placement and its counters; load_balance and its callers are in fair_lb.c.
 *  - rebalance_domains, from the tick: each domain every balance_interval ms (times
 *    busy_factor when the CPU is busy), load_balance between the domain's groups;
 *  - newidle_balance, when a CPU is about to idle, unless it idles too briefly
 *    (avg_idle < sched_migration_cost_ns) or no CPU has a task waiting;
 *  - load_balance: find_busiest_group (group_classify: has_spare, fully_busy,
 *    overloaded; calculate_imbalance), find_busiest_queue, detach_tasks with
 *    can_migrate_task / task_hot; after repeated failures (nr_balance_failed >
 *    cache_nice_tries + 2) active balance: the busiest CPU's migration/N pushes a task;
 *  - select_task_rq_fair at wake-up: wake_affine, then select_idle_sibling within the
 *    last level cache.
 * Loads: every task has nice 0, so a CPU's load is its runnable fair tasks times
 * NICE_0_LOAD, as the instantaneous rq->load.weight of the kernels before PELT drove
 * balancing; utilisation and runnable averages are PELT's (32 ms half-life), sampled at
 * the tick. Counters are /proc/schedstat's.
 */
#include <asm/tsc.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/sched_topology.h>
#include <kernel/stop_machine.h>
#include "sched.h"
#include "topology.h"

/* ---- PELT, at the tick ---- */

/* y^n in 32-bit fixed point, y^32 = 1/2 (Linux's runnable_avg_yN_inv). */
static const u32 runnable_avg_yN_inv[32] = {
	0xffffffff, 0xfa83b2da, 0xf5257d14, 0xefe4b99a, 0xeac0c6e6, 0xe5b906e6, 0xe0ccdeeb, 0xdbfbb796,
	0xd744fcc9, 0xd2a81d91, 0xce248c14, 0xc9b9bd85, 0xc5672a10, 0xc12c4cc9, 0xbd08a39e, 0xb8fbaf46,
	0xb504f333, 0xb123f581, 0xad583ee9, 0xa9a15ab4, 0xa5fed6a9, 0xa2704302, 0x9ef5325f, 0x9b8d39b9,
	0x9837f050, 0x94f4efa8, 0x91c3d44a, 0x8ea4398a, 0x8b95c1e3, 0x88980e80, 0x85aac367, 0x82cd8698,
};

/* decay_load: val * y^n, n in 1024 us periods. */
static u64 decay_load(u64 val, u64 n)
{
	if (n > 63 * 32)
		return 0;
	val >>= n / 32;
	return (val * runnable_avg_yN_inv[n % 32]) >> 32;
}

/* The averages move towards what the last tick period held: the CPU's busy share and its runnable fair tasks. */
void update_rq_load_avg(struct cpu *c)
{
	struct rq *rq = &c->rq;
	u64 now = ktime_get_ns(), delta = now - rq->avg_last_ns;
	u64 periods = delta >> 20; /* ~1024 us */
	if (!rq->avg_last_ns || !periods) {
		if (!rq->avg_last_ns) {
			rq->avg_last_ns = now;
			rq->avg_idle_ns_seen = c->idle_ns;
		}
		return;
	}
	u64 idle_total = c->idle_ns + (rq->curr == rq->idle ? now - c->idle_since_ns : 0);
	u64 idle = idle_total - rq->avg_idle_ns_seen;
	u64 busy = idle >= delta ? 0 : delta - idle;
	u64 keep = decay_load(1024, periods), gain = 1024 - keep;
	rq->util_avg = decay_load(rq->util_avg, periods) + gain * busy / delta;
	rq->runnable_avg = decay_load(rq->runnable_avg, periods) + gain * cfs_h_nr_running(rq);
	rq->avg_last_ns = now;
	rq->avg_idle_ns_seen = idle_total;
}

/* update_avg: the idle periods' average, 1/8 weight, capped (as rq->avg_idle). */
void update_avg_idle(struct rq *rq, u64 idle_ns)
{
	u64 cap = 2 * (u64)knob(sched_migration_cost_ns);
	s64 diff = (s64)idle_ns - (s64)rq->avg_idle;
	rq->avg_idle += diff / 8;
	if (rq->avg_idle > cap)
		rq->avg_idle = cap;
}

/* ---- schedstat at wake-up ---- */

/* ttwu_stat: counted on the waker's CPU, and in its lowest domain spanning cpu. */
void ttwu_stat(unsigned cpu, unsigned waker)
{
	struct rq *rq = cpu_rq(waker);
	__atomic_add_fetch(&rq->ttwu_count, 1, __ATOMIC_RELAXED);
	if (cpu == waker) {
		__atomic_add_fetch(&rq->ttwu_local, 1, __ATOMIC_RELAXED);
		return;
	}
	struct sched_domain *sd;
	for_each_domain(waker, sd)
		if (sd->span & BIT(cpu)) {
			__atomic_add_fetch(&sd->stats.ttwu_wake_remote, 1, __ATOMIC_RELAXED);
			break;
		}
}

/* ---- wake-up placement ---- */

/* wake_affine: the waker's CPU when it is idle and shares the cache, or carries less load. */
static unsigned wake_affine(struct sched_domain *sd, unsigned this_cpu, unsigned prev_cpu, bool sync)
{
	struct rq *this_rq = cpu_rq(this_cpu);
	unsigned target = prev_cpu;
	if (idle_cpu(this_cpu) && cpus_share_cache(this_cpu, prev_cpu))
		target = idle_cpu(prev_cpu) ? prev_cpu : this_cpu;
	else if (sync && READ_ONCE(this_rq->nr_queued) == 0)
		target = this_cpu; /* wake_affine_idle: the waker alone there, and about to sleep */
	else if (idle_cpu(prev_cpu))
		target = prev_cpu;
	else {
		/* wake_affine_weight: this CPU's load with the task (less the waker's, if sync) against prev's without it */
		u64 this_eff = (u64)cpu_load(this_rq) + NICE_0_LOAD;
		if (sync && this_eff >= 2 * NICE_0_LOAD)
			this_eff -= NICE_0_LOAD;
		u64 prev_eff = (u64)cpu_load(cpu_rq(prev_cpu));
		this_eff *= 100;
		prev_eff *= 100 + (sd->imbalance_pct - 100) / 2;
		if (this_eff < prev_eff)
			target = this_cpu;
	}
	if (target == this_cpu)
		__atomic_add_fetch(&sd->stats.ttwu_move_affine, 1, __ATOMIC_RELAXED);
	return target;
}

/* select_idle_sibling: target if idle, else prev if idle and cache-sharing, else an idle core then an idle CPU of target's LLC. */
static unsigned select_idle_sibling(struct task_struct *p, unsigned prev, unsigned target)
{
	if (idle_cpu(target))
		return target;
	if (prev != target && cpus_share_cache(prev, target) && idle_cpu(prev) && (p->cpus_allowed & BIT(prev)))
		return prev;
	u64 llc = cpu_topology_of(target)->llc_siblings, idle = 0; /* the LLC's idle CPUs, looked at once */
	for_each_cpu(cpu)
		if ((llc & BIT(cpu)) && idle_cpu(cpu))
			idle |= BIT(cpu);
	unsigned fallback = target;
	bool found_cpu = false;
	for (unsigned k = 1; k <= nr_cpu_ids; k++) {
		unsigned cpu = (target + k) % nr_cpu_ids;
		if (!(idle & p->cpus_allowed & BIT(cpu)))
			continue;
		u64 sib = cpu_topology_of(cpu)->thread_siblings;
		if ((sib & idle) == sib) /* select_idle_core: every thread of its core idle */
			return cpu;
		if (!found_cpu)
			fallback = cpu, found_cpu = true;
	}
	return fallback;
}

unsigned select_task_rq_fair(struct task_struct *p, unsigned prev_cpu, unsigned this_cpu, int wake_flags)
{
	if (!sched_balance_on() || !cpu_area(this_cpu)->sd)
		return prev_cpu;
	unsigned new_cpu = prev_cpu;
	bool want_affine = p->cpus_allowed & BIT(this_cpu);
	struct sched_domain *sd;
	for_each_domain(this_cpu, sd)
		if (want_affine && (sd->flags & SD_WAKE_AFFINE) && (sd->span & BIT(prev_cpu))) {
			if (this_cpu != prev_cpu)
				new_cpu = wake_affine(sd, this_cpu, prev_cpu, wake_flags & WF_SYNC);
			break;
		}
	new_cpu = select_idle_sibling(p, prev_cpu, new_cpu);
	return (p->cpus_allowed & BIT(new_cpu)) ? new_cpu : prev_cpu;
}

