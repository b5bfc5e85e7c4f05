/* Guest records made by hand, as the guest writes them, for the tests of the parsers. */
#ifndef VMSWEEP_TESTS_RECORD_HELPERS_H
#define VMSWEEP_TESTS_RECORD_HELPERS_H
#include <stdint.h>

#include "vmm/ring.h"

/* Appends a record to b: header, payload, padding to 8 bytes (fails the test on OOM). */
void record_put(struct buf *b, uint32_t type, const void *p, uint32_t len);
#endif
