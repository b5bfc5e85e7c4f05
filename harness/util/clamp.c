/* See clamp.h. The bounds are compared as doubles: 2^64 and 2^63 are exact there. */
#include <limits.h>

#include "util/clamp.h"

uint64_t clamp_double_u64(double v)
{
	if (!(v > 0)) /* NaN too */
		return 0;
	if (v >= 18446744073709551616.0) /* 2^64 */
		return UINT64_MAX;
	return (uint64_t)v;
}

long long clamp_double_ll(double v)
{
	if (!(v > 0))
		return 0;
	if (v >= 9223372036854775808.0) /* 2^63 */
		return LLONG_MAX;
	return (long long)v;
}

long long clamp_u64_ll(uint64_t v)
{
	return v > (uint64_t)LLONG_MAX ? LLONG_MAX : (long long)v;
}

uint64_t add_sat_u64(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}
