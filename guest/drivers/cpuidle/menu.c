/*
 * The idle governor's tick decision, after drivers/cpuidle/governors/menu.c: predict
 * the coming idle period from the recent ones and stop the tick only when the
 * prediction is long (menu_select's stop_tick). A halt that the timer ended counts as
 * long as the CPU's next event was away (menu_update: the tick cut it short, it does not
 * say the CPU would have been woken), one that another interrupt ended as it lasted.
 * The average has 1/8 weight, as rq->avg_idle, over periods capped at 4 ticks, so
 * that a CPU turns from I/O waits of microseconds to long idling (and back) within
 * a handful of halts.
 */
#include <kernel/cpuidle.h>
#include <kernel/percpu.h>

#define MENU_MAX_TICKS 4

bool menu_stop_tick(struct cpu *c, u64 sleep_length_ns, u64 tick_ns)
{
	/* no history yet: the next timer's word, as menu's correction factor starts at 1 */
	u64 predicted = c->ts.idle_periods ? c->ts.predicted_ns : sleep_length_ns;
	return predicted >= 2 * tick_ns;
}

void menu_update(struct cpu *c, u64 measured_ns, u64 sleep_length_ns, bool by_timer, u64 tick_ns)
{
	u64 m = by_timer ? sleep_length_ns : measured_ns;
	if (m > MENU_MAX_TICKS * tick_ns)
		m = MENU_MAX_TICKS * tick_ns;
	if (!c->ts.idle_periods++)
		c->ts.predicted_ns = m;
	s64 diff = (s64)m - (s64)c->ts.predicted_ns;
	c->ts.predicted_ns = (u64)((s64)c->ts.predicted_ns + diff / 8);
}
