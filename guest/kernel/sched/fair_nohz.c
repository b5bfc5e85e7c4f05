/*
 * Idle load balancing for the CPUs whose tick is stopped (kernel/sched/fair.c,
 * CONFIG_NO_HZ_COMMON): a CPU that stops its tick joins nohz.idle_cpus_mask and no
 * longer balances from its tick, so a busy CPU's tick kicks one of them
 * (nohz_balancer_kick: when it has tasks waiting, or its last level cache has more
 * than one busy CPU) with an IPI, and that CPU balances for every tickless CPU and
 * itself (_nohz_idle_balance), pulling tasks as their own ticks would have. A CPU
 * leaves the mask at its first busy tick (nohz_balance_exit_idle), as in Linux.
 */
#include <asm/irq.h>
#include <asm/tsc.h>
#include <kernel/kernel.h>
#include <kernel/sched_topology.h>
#include "sched.h"
#include "topology.h"

#define NOHZ_BALANCE_KICK 1u

static struct {
	u64 idle_cpus_mask;
	unsigned nr_cpus;
	u64 next_balance; /* no kick before this, ns */
} nohz;

void nohz_balance_enter_idle(struct cpu *c)
{
	struct rq *rq = &c->rq;

	if (!sched_balance_on() || !c->sd || rq->nohz_tick_stopped)
		return;
	rq->nohz_tick_stopped = true;
	__atomic_or_fetch(&nohz.idle_cpus_mask, BIT(c->id), __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&nohz.nr_cpus, 1, __ATOMIC_SEQ_CST);
}

static void nohz_balance_exit_idle(struct cpu *c)
{
	struct rq *rq = &c->rq;

	if (!rq->nohz_tick_stopped)
		return;
	rq->nohz_tick_stopped = false;
	__atomic_and_fetch(&nohz.idle_cpus_mask, ~BIT(c->id), __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&nohz.nr_cpus, 1, __ATOMIC_SEQ_CST);
}

/* find_new_ilb: the first tickless CPU that is still idle. */
static int find_new_ilb(unsigned this_cpu)
{
	u64 mask = READ_ONCE(nohz.idle_cpus_mask) & ~BIT(this_cpu);

	for (; mask; mask &= mask - 1) {
		unsigned cpu = (unsigned)__builtin_ctzll(mask);
		if (idle_cpu(cpu))
			return (int)cpu;
	}
	return -1;
}

static void kick_ilb(unsigned this_cpu, unsigned flags)
{
	int ilb = find_new_ilb(this_cpu);

	if (ilb < 0)
		return;
	/* no other kick until the idle balance says when its next balance is due */
	WRITE_ONCE(nohz.next_balance, ktime_get_ns() + NSEC_PER_MSEC);
	if (__atomic_fetch_or(&cpu_rq((unsigned)ilb)->nohz_flags, flags, __ATOMIC_ACQ_REL) & NOHZ_BALANCE_KICK)
		return; /* kicked already, the IPI is on its way */
	arch_send_call_function_single_ipi((unsigned)ilb);
}

/* sd_llc_shared's nr_busy_cpus, counted: the CPUs of this CPU's last level cache that are not idle. */
static unsigned llc_nr_busy_cpus(unsigned cpu)
{
	u64 llc = cpu_topology_of(cpu)->llc_siblings;
	unsigned n = 0;

	for_each_cpu(i)
		if ((llc & BIT(i)) && !idle_cpu(i))
			n++;
	return n;
}

void nohz_balancer_kick(struct cpu *c)
{
	struct rq *rq = &c->rq;

	if (idle_cpu(c->id)) /* rq->idle_balance: an idle CPU's tick balances for itself */
		return;
	nohz_balance_exit_idle(c);
	if (!READ_ONCE(nohz.nr_cpus) || ktime_get_ns() < READ_ONCE(nohz.next_balance))
		return;
	if (READ_ONCE(rq->nr_queued) + 1 >= 2 || llc_nr_busy_cpus(c->id) > 1)
		kick_ilb(c->id, NOHZ_BALANCE_KICK);
}

/* _nohz_idle_balance: each tickless idle CPU's due domains, then this CPU's. */
static void _nohz_idle_balance(struct cpu *this)
{
	u64 mask = READ_ONCE(nohz.idle_cpus_mask) & ~BIT(this->id), next_balance = UINT64_MAX;

	for (; mask; mask &= mask - 1) {
		unsigned cpu = (unsigned)__builtin_ctzll(mask);
		if (need_resched()) /* this CPU got work: leave the rest to the next kick */
			goto out;
		if (!idle_cpu(cpu))
			continue;
		next_balance = min(next_balance, rebalance_domains(cpu_area(cpu), CPU_IDLE));
	}
	next_balance = min(next_balance, rebalance_domains(this, CPU_IDLE));
out:
	WRITE_ONCE(nohz.next_balance, next_balance == UINT64_MAX ? 0 : next_balance);
}

/* nohz_csd_func and nohz_idle_balance: the kicked CPU, in its IPI, balances if it is still idle. */
void nohz_csd_func(struct cpu *c)
{
	unsigned flags = __atomic_exchange_n(&c->rq.nohz_flags, 0, __ATOMIC_ACQ_REL);

	if (!(flags & NOHZ_BALANCE_KICK) || !sched_balance_on() || !c->sd || !idle_cpu(c->id))
		return;
	_nohz_idle_balance(c);
}
