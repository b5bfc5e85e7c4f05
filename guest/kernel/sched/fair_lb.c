/*
 * load_balance and its callers (Linux's kernel/sched/fair.c, 5.10+): the periodic
 * rebalance_domains from the tick, newidle_balance, and active balancing through the
 * busiest CPU's stopper, migration/N. Only the fair class's queued tasks move; a task
 * moves with both run queues locked (as 2.6's double_rq_lock did), interrupts masked.
 */
#include <asm/tsc.h>
#include <kernel/kernel.h>
#include <kernel/stop_machine.h>
#include <lib/string.h>
#include "fair_lb.h"
#include "sched.h"

#define LBF_ALL_PINNED 0x01
#define LBF_ACTIVE_LB 0x40
#define MAX_PINNED_INTERVAL 512 /* ms */
#define SCHED_NR_MIGRATE 32 /* sysctl_sched_nr_migrate: the most tasks one load_balance looks at */

struct lb_env {
	struct sched_domain *sd;
	unsigned src_cpu, dst_cpu;
	struct rq *src_rq, *dst_rq;
	enum cpu_idle_type idle;
	long imbalance;
	u64 cpus; /* CPUs still candidates as the busiest */
	unsigned flags, loop, loop_max;
	enum migration_type migration_type;
};

static void update_sg_lb_stats(struct lb_env *env, const struct sched_group *sg, struct sg_lb_stats *sgs)
{
	memset(sgs, 0, sizeof(*sgs));
	for_each_cpu(i) {
		if (!(sg->span & BIT(i)))
			continue;
		struct rq *rq = cpu_rq(i);
		unsigned nr = READ_ONCE(rq->nr_queued) + (READ_ONCE(rq->curr) != rq->idle);
		sgs->group_load += cpu_load(rq);
		sgs->group_util += READ_ONCE(rq->util_avg) < SCHED_CAPACITY_SCALE ? READ_ONCE(rq->util_avg) : SCHED_CAPACITY_SCALE;
		sgs->group_runnable += READ_ONCE(rq->runnable_avg);
		sgs->sum_h_nr_running += cfs_h_nr_running(rq);
		sgs->sum_nr_running += nr;
		if (!nr)
			sgs->idle_cpus++;
	}
	sgs->group_capacity = sg->capacity;
	sgs->group_weight = sg->weight;
	sg_lb_stats_classify(sgs, env->sd->imbalance_pct);
}

static void update_sd_lb_stats(struct lb_env *env, struct sd_lb_stats *sds)
{
	struct sched_domain *sd = env->sd;
	memset(sds, 0, sizeof(*sds));
	sds->prefer_sibling = sd->child && (sd->child->flags & SD_PREFER_SIBLING);
	for (unsigned g = 0; g < sd->nr_groups; g++) {
		struct sched_group *sg = &sd->groups[g];
		struct sg_lb_stats sgs;
		update_sg_lb_stats(env, sg, &sgs);
		if (g == sd->local_group) {
			sds->local = sg;
			sds->local_stat = sgs;
		} else if (update_sd_pick_busiest(sds, &sgs)) {
			sds->busiest = sg;
			sds->busiest_stat = sgs;
		}
		sds->total_load += sgs.group_load;
		sds->total_capacity += sgs.group_capacity;
	}
}

static struct sched_group *find_busiest_group(struct lb_env *env)
{
	struct sd_lb_stats sds;
	struct lb_verdict v;
	update_sd_lb_stats(env, &sds);
	if (!sd_lb_verdict(env->sd, env->idle, &sds, &v))
		return NULL;
	env->imbalance = v.imbalance;
	env->migration_type = v.migration_type;
	return sds.busiest;
}

static struct rq *find_busiest_queue(struct lb_env *env, const struct sched_group *group)
{
	struct rq *busiest = NULL;
	unsigned long busiest_load = 0, busiest_util = 0;
	unsigned busiest_nr = 0;

	for_each_cpu(i) {
		if (!(group->span & env->cpus & BIT(i)))
			continue;
		struct rq *rq = cpu_rq(i);
		unsigned nr = cfs_h_nr_running(rq);
		if (!nr)
			continue;
		switch (env->migration_type) {
		case migrate_load: {
			unsigned long load = cpu_load(rq);
			/* a lone task heavier than the imbalance would only move the imbalance */
			if (nr == 1 && (long)load > env->imbalance)
				continue;
			if (load > busiest_load)
				busiest_load = load, busiest = rq;
			break;
		}
		case migrate_util:
			if (nr > 1 && READ_ONCE(rq->util_avg) >= busiest_util)
				busiest_util = READ_ONCE(rq->util_avg), busiest = rq;
			break;
		case migrate_task:
			if (nr > busiest_nr)
				busiest_nr = nr, busiest = rq;
			break;
		}
	}
	return busiest;
}

/* task_hot: it ran within sched_migration_cost_ns, so its cache is still warm where it is. */
static bool task_hot(const struct task_struct *p)
{
	s64 cost = knob(sched_migration_cost_ns);
	if (!cost)
		return false;
	return (s64)(ktime_get_ns() - p->last_ran_ns) < cost;
}

static bool can_migrate_task(struct task_struct *p, struct lb_env *env)
{
	if (!(p->cpus_allowed & BIT(env->dst_cpu)))
		return false;
	env->flags &= ~LBF_ALL_PINNED;
	if (p->on_cpu)
		return false;
	if (env->flags & LBF_ACTIVE_LB)
		return true;
	bool hot = task_hot(p);
	if (!hot || env->sd->nr_balance_failed > env->sd->cache_nice_tries) {
		if (hot)
			env->sd->stats.lb_hot_gained[env->idle]++;
		return true;
	}
	return false;
}

/* detach_task + attach_task, both queues locked. */
static void move_task(struct task_struct *p, struct lb_env *env)
{
	dequeue_task(env->src_rq, p);
	p->cpu = env->dst_cpu;
	p->nr_migrations++;
	p->moved_ns = ktime_get_ns();
	enqueue_task(env->dst_rq, p);
	cpu_area(env->dst_cpu)->nr_migrations++;
	check_preempt_curr(env->dst_rq, p);
}

/* detach_tasks: queued fair tasks, longest waiting first, until the imbalance is met. */
static unsigned detach_tasks(struct lb_env *env)
{
	struct list_head *tasks = &env->src_rq->queue[PRIO_NORMAL];
	struct task_struct *p, *n;
	unsigned moved = 0;

	if (env->imbalance <= 0)
		return 0;
	list_for_each_entry_safe(p, n, tasks, run_list) {
		if (env->idle != CPU_NOT_IDLE && cfs_h_nr_running(env->src_rq) <= 1)
			break;
		if (++env->loop > env->loop_max)
			break;
		if (!can_migrate_task(p, env))
			continue;
		switch (env->migration_type) {
		case migrate_load: {
			/* a task heavier than the imbalance goes once balancing has failed often enough */
			unsigned shift = env->sd->nr_balance_failed < 31 ? env->sd->nr_balance_failed : 31;
			if ((long)(NICE_0_LOAD >> shift) > env->imbalance)
				continue;
			env->imbalance -= NICE_0_LOAD;
			break;
		}
		case migrate_util:
			if (SCHED_CAPACITY_SCALE > env->imbalance)
				continue; /* a queued fair task counts whole: its own average is not kept */
			env->imbalance -= SCHED_CAPACITY_SCALE;
			break;
		case migrate_task:
			env->imbalance--;
			break;
		}
		move_task(p, env);
		moved++;
		env->sd->stats.lb_gained[env->idle]++;
		if (env->idle == CPU_NEWLY_IDLE) /* CONFIG_PREEMPTION: one task, then run it */
			break;
		if (env->imbalance <= 0)
			break;
	}
	return moved;
}

static bool need_active_balance(const struct lb_env *env)
{
	return env->sd->nr_balance_failed > env->sd->cache_nice_tries + 2;
}

/* should_we_balance: one CPU of the local group balances the domain, its first idle one or its first. */
static bool should_we_balance(const struct lb_env *env)
{
	if (env->idle == CPU_NEWLY_IDLE)
		return true;
	u64 group = env->sd->groups[env->sd->local_group].span;
	for_each_cpu(i)
		if ((group & BIT(i)) && idle_cpu(i))
			return i == env->dst_cpu;
	return (unsigned)__builtin_ctzll(group) == env->dst_cpu;
}

static int active_load_balance_cpu_stop(void *data);

static unsigned load_balance(unsigned this_cpu, struct sched_domain *sd, enum cpu_idle_type idle,
			     bool *continue_balancing)
{
	struct lb_env env = { .sd = sd, .dst_cpu = this_cpu, .dst_rq = cpu_rq(this_cpu), .idle = idle,
			      .loop_max = SCHED_NR_MIGRATE, .cpus = sd->span };
	unsigned ld_moved = 0;
	bool active_balance = false;
	struct rq *busiest;

	sd->stats.lb_count[idle]++;
	if (!should_we_balance(&env)) {
		*continue_balancing = false;
		goto out_balanced;
	}
redo:;
	struct sched_group *group = find_busiest_group(&env);
	if (!group) {
		sd->stats.lb_nobusyg[idle]++;
		goto out_balanced;
	}
	busiest = find_busiest_queue(&env, group);
	if (!busiest) {
		sd->stats.lb_nobusyq[idle]++;
		goto out_balanced;
	}
	sd->stats.lb_imbalance[idle] += (u64)env.imbalance;
	env.src_rq = busiest;
	env.src_cpu = (unsigned)(container_of(busiest, struct cpu, rq)->id);
	if (cfs_h_nr_running(busiest) > 1) {
		env.flags |= LBF_ALL_PINNED;
		env.loop = 0;
		double_rq_lock(env.dst_rq, busiest);
		ld_moved = detach_tasks(&env);
		double_rq_unlock(env.dst_rq, busiest);
		if (!ld_moved && (env.flags & LBF_ALL_PINNED)) {
			/* every task there is pinned away from us: try the others */
			env.cpus &= ~BIT(env.src_cpu);
			if (env.cpus & ~sd->groups[sd->local_group].span)
				goto redo;
			goto out_pinned;
		}
	}
	if (!ld_moved) {
		sd->stats.lb_failed[idle]++;
		if (idle != CPU_NEWLY_IDLE)
			sd->nr_balance_failed++;
		if (need_active_balance(&env)) {
			raw_spin_lock(&busiest->lock);
			if (!(busiest->curr->cpus_allowed & BIT(this_cpu))) {
				raw_spin_unlock(&busiest->lock);
				goto out_pinned;
			}
			if (!busiest->active_balance) {
				busiest->active_balance = 1;
				busiest->push_cpu = this_cpu;
				active_balance = true;
			}
			raw_spin_unlock(&busiest->lock);
			if (active_balance)
				stop_one_cpu_nowait(env.src_cpu, active_load_balance_cpu_stop, busiest,
						    &busiest->active_balance_work);
			sd->nr_balance_failed = sd->cache_nice_tries + 1;
		}
	} else {
		sd->nr_balance_failed = 0;
	}
	if (!active_balance || need_active_balance(&env))
		sd->balance_interval = sd->min_interval; /* it was unbalanced: look again soon */
	return ld_moved;

out_balanced:
	sd->stats.lb_balanced[idle]++;
	sd->nr_balance_failed = 0;
out_pinned:
	if (idle == CPU_NEWLY_IDLE)
		return 0;
	/* balanced: look less often, up to max_interval (longer when all was pinned) */
	if (((env.flags & LBF_ALL_PINNED) && sd->balance_interval < MAX_PINNED_INTERVAL) ||
	    sd->balance_interval < sd->max_interval)
		sd->balance_interval *= 2;
	return 0;
}

/*
 * On the busiest CPU, in its migration/N (which preempted the task that was running
 * there, so that it is now queued): push one fair task to push_cpu.
 */
static int active_load_balance_cpu_stop(void *data)
{
	struct rq *busiest_rq = data;
	unsigned busiest_cpu = smp_processor_id(), target_cpu = READ_ONCE(busiest_rq->push_cpu);
	struct rq *target_rq = cpu_rq(target_cpu);
	struct sched_domain *sd = NULL, *d;
	unsigned long flags;

	local_irq_save(flags);
	double_rq_lock(busiest_rq, target_rq);
	if (busiest_rq != cpu_rq(busiest_cpu) || !busiest_rq->active_balance || cfs_h_nr_running(busiest_rq) < 1)
		goto out_unlock;
	for_each_domain(target_cpu, d)
		if (d->span & BIT(busiest_cpu)) {
			sd = d;
			break;
		}
	if (sd) {
		struct lb_env env = { .sd = sd, .dst_cpu = target_cpu, .dst_rq = target_rq, .src_cpu = busiest_cpu,
				      .src_rq = busiest_rq, .idle = CPU_IDLE, .flags = LBF_ACTIVE_LB,
				      .migration_type = migrate_task, .imbalance = 1, .loop_max = SCHED_NR_MIGRATE };
		__atomic_add_fetch(&sd->stats.alb_count, 1, __ATOMIC_RELAXED);
		struct task_struct *p, *n, *moved = NULL;
		list_for_each_entry_safe(p, n, &busiest_rq->queue[PRIO_NORMAL], run_list)
			if (can_migrate_task(p, &env)) { /* detach_one_task */
				move_task(p, &env);
				moved = p;
				break;
			}
		if (moved) {
			__atomic_add_fetch(&sd->stats.alb_pushed, 1, __ATOMIC_RELAXED);
			busiest_rq->alb_pushed++;
		} else {
			__atomic_add_fetch(&sd->stats.alb_failed, 1, __ATOMIC_RELAXED);
		}
	}
out_unlock:
	busiest_rq->active_balance = 0;
	double_rq_unlock(busiest_rq, target_rq);
	local_irq_restore(flags);
	return 0;
}

/* get_sd_balance_interval, in ns: busy CPUs balance busy_factor times less often. */
static u64 sd_balance_interval_ns(const struct sched_domain *sd, bool busy)
{
	u64 ms = sd->balance_interval;
	if (busy)
		ms *= sd->busy_factor;
	u64 max_ms = 100 * (u64)nr_cpu_ids; /* max_load_balance_interval: HZ * CPUs / 10 */
	if (ms > max_ms)
		ms = max_ms;
	return (ms ? ms : 1) * NSEC_PER_MSEC;
}

u64 rebalance_domains(struct cpu *c, enum cpu_idle_type idle)
{
	bool continue_balancing = true, busy = idle != CPU_IDLE;
	u64 now = ktime_get_ns(), next_balance = UINT64_MAX;
	struct sched_domain *sd;

	for_each_domain(c->id, sd) {
		if (!continue_balancing)
			break;
		if (now - sd->last_balance_ns >= sd_balance_interval_ns(sd, busy)) {
			if (load_balance(c->id, sd, idle, &continue_balancing)) {
				idle = idle_cpu(c->id) ? CPU_IDLE : CPU_NOT_IDLE;
				busy = idle != CPU_IDLE;
			}
			sd->last_balance_ns = now;
		}
		next_balance = min(next_balance, sd->last_balance_ns + sd_balance_interval_ns(sd, busy));
	}
	return next_balance;
}

/* From the tick, interrupts masked (Linux raises SCHED_SOFTIRQ for this); a busy CPU's
 * tick also kicks an idle CPU whose tick is stopped to balance for them (fair_nohz.c). */
void trigger_load_balance(struct cpu *c)
{
	if (!sched_balance_on() || !c->sd)
		return;
	rebalance_domains(c, idle_cpu(c->id) ? CPU_IDLE : CPU_NOT_IDLE);
	nohz_balancer_kick(c);
}

/* Any CPU with a task waiting (the root domain's overload flag). */
static bool rd_overloaded(void)
{
	for_each_cpu(i) {
		struct rq *rq = cpu_rq(i);
		if (READ_ONCE(rq->nr_queued) + (READ_ONCE(rq->curr) != rq->idle) > 1)
			return true;
	}
	return false;
}

bool newidle_balance(struct cpu *c)
{
	struct rq *rq = &c->rq;
	if (!sched_balance_on() || !c->sd)
		return false;
	rq->idle_stamp = ktime_get_ns();
	/* an idle period shorter than a migration's cost is not worth one */
	if (rq->avg_idle < (u64)knob(sched_migration_cost_ns) || !rd_overloaded())
		return false;
	bool continue_balancing = true;
	unsigned pulled = 0;
	struct sched_domain *sd;
	for_each_domain(c->id, sd) {
		if (!(sd->flags & SD_BALANCE_NEWIDLE) || !continue_balancing)
			continue;
		pulled = load_balance(c->id, sd, CPU_NEWLY_IDLE, &continue_balancing);
		if (pulled || READ_ONCE(rq->nr_queued))
			break;
	}
	if (pulled)
		rq->idle_stamp = 0;
	return pulled || READ_ONCE(rq->nr_queued);
}
