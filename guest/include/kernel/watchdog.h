/* The lockup detectors (kernel/watchdog.c; Linux declares them in <linux/nmi.h>). */
#ifndef KERNEL_WATCHDOG_H
#define KERNEL_WATCHDOG_H
#include <kernel/types.h>

struct cpu;

void lockup_detector_init(void); /* watchdog/N on every CPU, unless watchdog_thresh is 0 */
void watchdog_tick(struct cpu *c); /* from the tick, interrupts masked */
/* When a CPU whose tick is stopped must take a timer interrupt for its buddy's check. */
u64 watchdog_next_event(struct cpu *c, u64 last_tick);
#endif
