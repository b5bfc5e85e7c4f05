/*
 * The host's side of the guest's rings (console, results, samples): drain what the
 * guest produced, checking every index it wrote, and parse the records in it.
 */
#ifndef VMM_RING_H
#define VMM_RING_H
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <vmsweep/abi.h>

#include "vmm/guest_mem.h"

struct buf {
	uint8_t *data;
	size_t len, cap, limit; /* limit: the most it keeps; more is counted in dropped */
	uint64_t dropped;
};
int buf_append(struct buf *b, const void *p, size_t n);
void buf_free(struct buf *b);

struct ring_reader {
	const char *name;
	struct vms_ring *ring; /* host pointer, checked at setup */
	uint64_t size; /* the host's own copy; the guest may scribble on ring->size */
	uint64_t tail;
};

/* Sets up the ring at gpa with size bytes of data (a power of two). */
int ring_reader_init(struct ring_reader *r, const char *name, struct guest_mem *m, uint64_t gpa, uint64_t size);
/* Appends what the guest has produced to out. -1 with err when the guest broke the ring. */
int ring_drain(struct ring_reader *r, struct buf *out, char *err, size_t errlen);

/* Calls fn for each whole record in [data, data + len); -1 with err on a malformed one.
 * *used is set to the bytes of whole records (a partial record at the end is left). */
typedef int (*record_fn)(void *ctx, uint32_t type, const void *payload, uint32_t len, char *err, size_t errlen);
int records_parse(const uint8_t *data, size_t len, size_t *used, record_fn fn, void *ctx, char *err, size_t errlen);
/* The payload size a record type must have (records with a variable part: the fixed part); 0 if unknown. */
size_t record_min_len(uint32_t type);
/* "vmstat", "memory job", ... for messages; "unknown" for a type the host does not know. */
const char *record_type_name(uint32_t type);
/* Whether the list of record types (vmsweep/records.h) has the type. */
bool record_type_known(uint32_t type);
/* Whether the type belongs in the samples ring (else in the results ring). */
bool record_in_samples_ring(uint32_t type);
#endif
