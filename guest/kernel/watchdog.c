/*
 * The lockup detectors of kernel/watchdog.c: watchdog/N (an rt thread) touches a
 * per-CPU timestamp; the tick reports a soft lockup when it is older than
 * watchdog_thresh. Each CPU's tick also watches the next CPU's tick count, as the
 * buddy hard-lockup detector does, to catch a CPU stuck with interrupts masked. An
 * idle CPU whose tick is stopped still takes a timer interrupt every watchdog period
 * (watchdog_next_event), as Linux's watchdog hrtimer fires on idle CPUs, so its buddy
 * sees its count move.
 */
#include <asm/tsc.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/kthread.h>
#include <kernel/printk.h>
#include <kernel/timer.h>
#include <kernel/watchdog.h>

/* set_sample_period: watchdog_thresh * 2 / 5 */
static unsigned watchdog_period_ms(void)
{
	return (unsigned)knob(watchdog_thresh) * 1000 * 2 / 5;
}

static int watchdog(void *data)
{
	struct cpu *c = data;
	unsigned period_ms = watchdog_period_ms();

	for (;;) {
		WRITE_ONCE(c->watchdog_touch_ns, ktime_get_ns());
		msleep(period_ms);
	}
	return 0;
}

void watchdog_tick(struct cpu *c)
{
	u64 thresh = (u64)knob(watchdog_thresh) * NSEC_PER_SEC;
	u64 now = ktime_get_ns(), touch = READ_ONCE(c->watchdog_touch_ns);

	if (!thresh)
		return;
	if (touch && now - touch > thresh) {
		if (!c->soft_lockup_reported) {
			c->soft_lockup_reported = true;
			printk("BUG: soft lockup - CPU#%u stuck for %lus! [%s:%d]\n", c->id, (now - touch) / NSEC_PER_SEC,
			       current->comm, current->pid);
			if (knob(softlockup_panic))
				panic("softlockup: hung tasks");
		}
	} else {
		c->soft_lockup_reported = false;
	}

	if (nr_cpu_ids < 2)
		return;
	struct cpu *buddy = cpu_area((c->id + 1) % nr_cpu_ids);
	u64 ticks = READ_ONCE(buddy->nr_ticks);
	if (ticks != c->buddy_seen_ticks || !c->buddy_seen_ns) {
		c->buddy_seen_ticks = ticks;
		c->buddy_seen_ns = now;
		c->hard_lockup_reported = false;
	} else if (now - c->buddy_seen_ns > thresh && !c->hard_lockup_reported) {
		c->hard_lockup_reported = true;
		printk("Watchdog detected hard LOCKUP on cpu %u\n", buddy->id);
	}
}

u64 watchdog_next_event(struct cpu *c, u64 last_tick)
{
	(void)c;
	if (!knob(watchdog_thresh) || nr_cpu_ids < 2)
		return UINT64_MAX;
	return last_tick + (u64)watchdog_period_ms() * NSEC_PER_MSEC;
}

void lockup_detector_init(void)
{
	if (!knob(watchdog_thresh) || !HZ)
		return;
	for_each_cpu(i) {
		struct task_struct *p = kthread_create_on_cpu(watchdog, cpu_area(i), (int)i, PRIO_RT, "watchdog/%u", i);
		wake_up_process(p);
	}
}
