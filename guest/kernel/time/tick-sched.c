/*
 * NO_HZ_IDLE (kernel/time/tick-sched.c): an idle CPU stops its periodic tick.
 *
 * An idle vCPU woken by every tick costs the host ~150 us a tick here (the wake-up and
 * the emulated CPL-0 entry), taken from the busy vCPUs or the host's I/O threads. So
 * cpu_idle, just before it halts, asks for the CPU's next event: its first timer, the
 * watchdog's period, its sample, and the do_timer duty's work when it may hold it.
 * When that is at least two ticks away (and the idle governor expects a long idle
 * period), the LAPIC timer is reprogrammed to fire once at that event (its periodic
 * mode restarts from the count written: the timer fires then, and again every as long
 * until the CPU writes the tick's count back when it leaves idle). Each write is a
 * trap to the nucleus (~20 us), so the tick is left running for short idle periods.
 *
 * The do_timer duty: tick_do_timer_cpu runs the tick's global work (sampler.c). A CPU
 * stopping its tick gives the duty up (TICK_DO_TIMER_NONE) and the next CPU that
 * ticks takes it; the idle CPUs that may have been its last holders still wake for
 * its events (do_timer_last), so samples and writeback deadlines come on time with
 * every CPU idle.
 */
#include <asm/hypercall.h>
#include <asm/tsc.h>
#include <kernel/boot.h>
#include <kernel/cpuidle.h>
#include <kernel/percpu.h>
#include <kernel/sampler.h>
#include <kernel/sched.h>
#include <kernel/tick.h>
#include <kernel/timer.h>
#include <kernel/watchdog.h>

int tick_do_timer_cpu; /* the boot CPU's at first */

static u64 tick_period_ns(void)
{
	return NSEC_PER_SEC / HZ;
}

/* ns to LAPIC timer counts, capped at what TMICT holds. */
static u32 ns_to_apic_count(u64 ns)
{
	u64 khz = boot_params->apic_timer_khz, max_ns = (u64)UINT32_MAX * 1000000 / khz;
	if (ns > max_ns)
		ns = max_ns;
	u64 count = ns * khz / 1000000;
	return count ? (u32)count : 1;
}

static bool tick_nohz_enabled(void)
{
	return knob(nohz) && HZ;
}

/* tick_nohz_next_event: the earliest thing this CPU must wake for. */
static u64 tick_nohz_next_event(struct cpu *c)
{
	struct tick_sched *ts = &c->ts;
	u64 next = get_next_timer_interrupt(c);

	next = min(next, watchdog_next_event(c, ts->last_tick));
	next = min(next, sample_next_event(c));
	/* The duty's work is polled from the tick, not armed as timers that would wake a CPU: a
	 * CPU going idle while nobody holds it keeps its events too (Linux: only the last holder). */
	int holder = READ_ONCE(tick_do_timer_cpu);
	if (holder == (int)c->id || (holder == TICK_DO_TIMER_NONE && ts->do_timer_last))
		next = min(next, do_timer_next_event());
	return next;
}

static void tick_program_event(struct cpu *c, u64 next, u64 now)
{
	struct tick_sched *ts = &c->ts;
	u64 delta = next > now ? next - now : 0;
	u32 count = ns_to_apic_count(delta);

	hypercall_set_timer(count);
	ts->next_event = next;
	ts->idle_expires = now + (u64)count * 1000000 / boot_params->apic_timer_khz;
}

/* A CPU stopping its tick leaves the duty to the next CPU that ticks. */
static void tick_do_timer_give_up(struct cpu *c)
{
	__atomic_compare_exchange_n(&tick_do_timer_cpu, &(int){ (int)c->id }, TICK_DO_TIMER_NONE, false,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

void tick_nohz_idle_stop_tick(struct cpu *c)
{
	struct tick_sched *ts = &c->ts;

	if (!tick_nohz_enabled())
		return;
	u64 now = ktime_get_ns(), tick = tick_period_ns();
	int holder = READ_ONCE(tick_do_timer_cpu);
	ts->do_timer_last = holder == (int)c->id || holder == TICK_DO_TIMER_NONE;
	u64 next = tick_nohz_next_event(c);
	ts->idle_entrytime = now;
	ts->sleep_length = next > now ? next - now : 0;
	if (ts->tick_stopped) {
		/* stopped in an earlier pass of the idle loop (it may have taken the duty in a wake-up
		 * since): reprogram only when the event moved or the capped count ran out */
		tick_do_timer_give_up(c);
		if (next != ts->next_event || now >= ts->idle_expires)
			tick_program_event(c, next, now);
		return;
	}
	/* not worth two traps for less than two ticks, nor when the CPU is likely woken sooner */
	if (ts->sleep_length < 2 * tick || !menu_stop_tick(c, ts->sleep_length, tick))
		return;
	tick_do_timer_give_up(c);
	ts->tick_stopped = true;
	c->nr_tick_stops++;
	nohz_balance_enter_idle(c);
	tick_program_event(c, next, now);
}

void tick_nohz_idle_wakeup(struct cpu *c)
{
	struct tick_sched *ts = &c->ts;

	if (!tick_nohz_enabled() || !ts->idle_entrytime)
		return;
	u64 pending = READ_ONCE(c->vi.pending), timer = BIT(VMS_VEC_TIMER - VMS_VEC_FIRST_IRQ);
	menu_update(c, ktime_get_ns() - ts->idle_entrytime, ts->sleep_length, pending == timer, tick_period_ns());
	ts->idle_entrytime = 0;
}

void tick_nohz_idle_exit(struct cpu *c)
{
	struct tick_sched *ts = &c->ts;

	if (!ts->tick_stopped)
		return;
	ts->tick_stopped = false;
	c->nr_tick_restarts++;
	hypercall_set_timer(ns_to_apic_count(tick_period_ns())); /* tick_nohz_restart_sched_tick */
}

void tick_sched_do_timer(struct cpu *c, u64 now)
{
	c->ts.last_tick = now;
	if (READ_ONCE(tick_do_timer_cpu) == TICK_DO_TIMER_NONE)
		__atomic_compare_exchange_n(&tick_do_timer_cpu, &(int){ TICK_DO_TIMER_NONE }, (int)c->id, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}
