/*
 * The per-CPU area: GS base points at it for the whole life of the guest. It starts
 * with the nucleus's struct vms_vcpu_info; the kernel's per-CPU data follows, inside
 * VMS_CPU_INFO_MAX bytes. Stacks for the nucleus and the boot/idle task lie above.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <vmsweep/abi.h>

struct timer_list;
struct completion;
struct sched_domain;

struct cpu_stop_work {
	struct list_head list;
	int (*fn)(void *);
	void *arg;
	struct completion *done; /* NULL: stop_one_cpu_nowait */
	int ret;
};

struct rq {
	raw_spinlock_t lock;
	struct list_head queue[NR_PRIO];
	unsigned nr_queued; /* runnable, not counting curr */
	unsigned cfs_queued; /* of which normal tasks (the fair class: what balancing moves) */
	struct task_struct *curr, *idle;

	/* The fair class's averages (kernel/sched/fair.c): PELT's util_avg and
	 * runnable_avg, sampled at the tick; avg_idle for newidle balancing. */
	u64 util_avg, runnable_avg, avg_last_ns, avg_idle_ns_seen;
	u64 avg_idle, idle_stamp;
	/* active balance: this CPU's migration/N pushes a task to push_cpu */
	int active_balance;
	unsigned push_cpu;
	struct cpu_stop_work active_balance_work;

	/* /proc/schedstat's cpu line (sched_info and ttwu_stat) */
	u64 yld_count, sched_count, sched_goidle, ttwu_count, ttwu_local;
	u64 rq_cpu_time, run_delay, pcount;
	u64 nr_moved_in, moved_in_wait_ns; /* tasks moved here, and their wait before they ran */
	u64 alb_pushed, affinity_pushed; /* tasks its migration/N pushed: active balance, set_cpus_allowed */

	/* idle load balancing with the tick stopped (kernel/sched/fair_nohz.c) */
	bool nohz_tick_stopped; /* in nohz.idle_cpus_mask */
	unsigned nohz_flags; /* NOHZ_BALANCE_KICK: asked to balance for the tickless CPUs */
};

/* The tick of an idle CPU (kernel/time/tick-sched.c), with the idle governor's state. */
struct tick_sched {
	bool tick_stopped;
	bool do_timer_last; /* it may hold the do_timer duty's events: it wakes for them */
	u64 next_event; /* the event the stopped tick is programmed for */
	u64 idle_expires; /* when the LAPIC timer fires (next_event, or sooner when it was capped) */
	u64 last_tick; /* the last timer interrupt: the watchdog counts on one every period */
	u64 idle_entrytime, sleep_length; /* the halt under way: its start, its next known event */
	u64 predicted_ns, idle_periods; /* menu: the idle periods' running average, and how many it has seen */
};

struct cpu {
	struct vms_vcpu_info vi;
	struct task_struct *current_task; /* at CPU_CURRENT_OFFSET */
	unsigned id;
	u32 apic_id;
	struct rq rq;
	struct sched_domain *sd; /* its lowest sched domain (kernel/sched/topology.c); NULL: nothing to balance */
	struct task_struct *prev_task; /* the task __switch_to left, for finish_task_switch */

	/* timers (kernel/time/timer.c) */
	raw_spinlock_t timer_lock;
	struct list_head timers;
	struct timer_list *running_timer;

	/* migration/N: the stopper (kernel/stop_machine.c) */
	raw_spinlock_t stop_lock;
	struct list_head stop_works;
	struct task_struct *stopper;

	/* watchdog/N (kernel/watchdog.c) */
	u64 watchdog_touch_ns;
	bool soft_lockup_reported;
	u64 buddy_seen_ticks, buddy_seen_ns;
	bool hard_lockup_reported;

	/* statistics, reported with the results */
	u64 nr_switches, nr_ticks, nr_ipi_sent, nr_ipi_received, nr_wakeups, nr_migrations, nr_halts, nr_preemptions;
	u64 nr_tick_stops, nr_tick_restarts;
	u64 work_loops;
	u64 idle_ns, idle_since_ns;
	u64 next_sample_ns;

	struct tick_sched ts;

	struct task_struct idle_task;
};
_Static_assert(__builtin_offsetof(struct cpu, current_task) == CPU_CURRENT_OFFSET, "current");
_Static_assert(sizeof(struct cpu) <= VMS_CPU_INFO_MAX, "struct cpu outgrows its page");

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	asm volatile("movq %%gs:%c1, %0" : "=r"(c) : "i"(VI_SELF));
	return c;
}

static inline unsigned smp_processor_id(void)
{
	u64 id;
	asm volatile("movq %%gs:%c1, %0" : "=r"(id) : "i"(VI_CPU));
	return (unsigned)id;
}

extern unsigned nr_cpu_ids;
struct cpu *cpu_area(unsigned cpu);
#define cpu_rq(cpu) (&cpu_area(cpu)->rq)
#define for_each_cpu(i) for (unsigned i = 0; i < nr_cpu_ids; i++)
#endif
