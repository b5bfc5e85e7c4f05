/* The host's one clock for intervals and deadlines: CLOCK_MONOTONIC, which wall-clock changes do not move. */
#ifndef UTIL_CLOCK_H
#define UTIL_CLOCK_H
#include <stdint.h>

/* Seconds since an arbitrary fixed point: for differences only. */
double clock_now_s(void);
/* The same in nanoseconds, exact: for busy-poll windows and other short spans. */
uint64_t clock_now_ns(void);
#endif
