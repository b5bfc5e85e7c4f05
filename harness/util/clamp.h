/*
 * The guest's numbers, converted without undefined behaviour. A double out of an
 * integer type's range (a guest's 2^64 bytes over one nanosecond, say) is undefined
 * when cast (UBSan's float-cast-overflow), and on x86 comes out as INT64_MIN: a
 * negative bandwidth. A uint64_t above INT64_MAX cast to JSON's signed integer comes
 * out negative too. These clamp instead: NaN and negatives to 0, values beyond the
 * type to its maximum. A clamped value is the guest's own nonsense, shown as the
 * largest number the format holds rather than as a wrong one.
 */
#ifndef UTIL_CLAMP_H
#define UTIL_CLAMP_H
#include <stdint.h>

/* v in [0, UINT64_MAX]. */
uint64_t clamp_double_u64(double v);
/* v in [0, LLONG_MAX]: for JSON integers (jansson's json_int_t is long long). */
long long clamp_double_ll(double v);
/* v, or LLONG_MAX above it. */
long long clamp_u64_ll(uint64_t v);
/* a + b, or UINT64_MAX where the sum would wrap (a guest's counters summed over jobs). */
uint64_t add_sat_u64(uint64_t a, uint64_t b);
#endif
