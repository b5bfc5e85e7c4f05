/* The per-CPU time series (kernel/sampler.c), written from the tick every sample_ms. */
#ifndef KERNEL_SAMPLER_H
#define KERNEL_SAMPLER_H

struct cpu;

void sample_tick(struct cpu *c);
#endif
