/* The per-CPU time series and the do_timer duty (kernel/sampler.c), from the tick. */
#ifndef KERNEL_SAMPLER_H
#define KERNEL_SAMPLER_H
#include <kernel/types.h>

struct cpu;

void sample_tick(struct cpu *c);
u64 sample_next_event(struct cpu *c); /* this CPU's next sample, UINT64_MAX: none */
u64 do_timer_next_event(void); /* when the do_timer duty has work next, UINT64_MAX: never */
#endif
