/*
 * The idle governor's one decision here (drivers/cpuidle/governors/menu.c's stop_tick):
 * whether the coming idle period is likely long enough to stop the tick for. Each
 * reprogramming of the LAPIC timer is a trap to the nucleus (~20 us on this project's
 * hosts), two per idle period, so a CPU woken every few microseconds by I/O keeps its tick.
 */
#ifndef KERNEL_CPUIDLE_H
#define KERNEL_CPUIDLE_H
#include <kernel/types.h>

struct cpu;

/* Whether to stop the tick for an idle period whose next known event is sleep_length_ns away. */
bool menu_stop_tick(struct cpu *c, u64 sleep_length_ns, u64 tick_ns);
/* menu_reflect/menu_update: the halt lasted measured_ns; by_timer: the timer ended it. */
void menu_update(struct cpu *c, u64 measured_ns, u64 sleep_length_ns, bool by_timer, u64 tick_ns);
#endif
