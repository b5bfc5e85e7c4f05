/*
 * The tick of an idle CPU (kernel/time/tick-sched.c, CONFIG_NO_HZ_IDLE; Linux declares
 * these in <linux/tick.h>): an idle CPU that will halt for long stops its periodic
 * tick, programming the LAPIC timer for its next event instead, and restarts it when
 * it leaves idle. The do_timer duty (the global work of the tick: kernel/sampler.c)
 * moves to a CPU that ticks.
 */
#ifndef KERNEL_TICK_H
#define KERNEL_TICK_H
#include <kernel/types.h>

struct cpu;

#define TICK_DO_TIMER_NONE (-1)
extern int tick_do_timer_cpu; /* the CPU that does the tick's global work, or TICK_DO_TIMER_NONE */

/* cpu_idle, interrupts masked, just before the halt: stop the tick (or reprogram it
 * for the next event) when the CPU will idle long enough. */
void tick_nohz_idle_stop_tick(struct cpu *c);
/* The halt returned (interrupts still masked): for the idle governor. */
void tick_nohz_idle_wakeup(struct cpu *c);
/* Leaving idle for a task: the periodic tick again, if it was stopped. */
void tick_nohz_idle_exit(struct cpu *c);
/* From each timer interrupt: takes the do_timer duty when nobody has it. */
void tick_sched_do_timer(struct cpu *c, u64 now);
#endif
