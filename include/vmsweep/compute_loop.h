/*
 * The compute benchmark's loop, compiled into both the guest and the host benchmark
 * so that `make bench` compares like with like. A serial xorshift chain: nothing to
 * vectorise, nothing to fold away.
 */
#ifndef VMSWEEP_COMPUTE_LOOP_H
#define VMSWEEP_COMPUTE_LOOP_H
#include <stdint.h>

static inline uint64_t vms_compute_loop(uint64_t iters, uint64_t x)
{
	x |= 1;
	for (uint64_t i = 0; i < iters; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		x += i;
	}
	return x;
}
#endif
