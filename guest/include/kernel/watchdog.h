/* The lockup detectors (kernel/watchdog.c; Linux declares them in <linux/nmi.h>). */
#ifndef KERNEL_WATCHDOG_H
#define KERNEL_WATCHDOG_H

struct cpu;

void lockup_detector_init(void); /* watchdog/N on every CPU, unless watchdog_thresh is 0 */
void watchdog_tick(struct cpu *c); /* from the tick, interrupts masked */
#endif
