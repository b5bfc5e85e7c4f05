/* FNV-1a, 64 bits: a fast hash of bytes for names and change detection (not security). */
#ifndef VMSWEEP_UTIL_HASH_H
#define VMSWEEP_UTIL_HASH_H
#include <stddef.h>
#include <stdint.h>

#define FNV1A64_INIT 0xcbf29ce484222325ull

/* h, continued over n more bytes: fnv1a64_update(FNV1A64_INIT, ...) starts one. */
static inline uint64_t fnv1a64_update(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static inline uint64_t fnv1a64(const void *data, size_t n)
{
	return fnv1a64_update(FNV1A64_INIT, data, n);
}
#endif
