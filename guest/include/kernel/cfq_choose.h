/*
 * CFQ's choice of the next request of a queue (block/cfq-iosched.c, cfq_choose_req),
 * kept free of the kernel's headers so that host unit tests can build it
 * (tests/unit/test_cfq_choose.c).
 */
#ifndef VMSWEEP_CFQ_CHOOSE_H
#define VMSWEEP_CFQ_CHOOSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFQ_BACK_MAX_SECTORS (16ull * 1024 * 2) /* cfq_back_max: 16 MiB, in sectors */
#define CFQ_BACK_PENALTY 2ull			 /* cfq_back_penalty */

/* true when a request at sector a goes before one at b, the head at last */
bool cfq_choose_first(uint64_t a, uint64_t b, uint64_t last);
/* of n queued requests (their start sectors), the index cfq dispatches next */
size_t cfq_pick(const uint64_t *sectors, size_t n, uint64_t last);
#endif
