/*
 * Percentiles as fio computes them (stat.c, calc_clat_percentiles), so numbers from
 * vmsweep and from fio on the same samples agree to the bucket.
 */
#include "util/hist_stats.h"

#include <stdbool.h>

#include "util/clamp.h"

/* One walk for both count widths: wide selects uint64_t counts over uint32_t. */
static inline uint64_t count_at(const void *counts, bool wide, unsigned i)
{
	return wide ? ((const uint64_t *)counts)[i] : ((const uint32_t *)counts)[i];
}

static uint64_t percentile(const void *counts, bool wide, unsigned nr, double p)
{
	uint64_t total = 0, sum = 0;
	unsigned last = 0;

	for (unsigned i = 0; i < nr; i++) {
		uint64_t c = count_at(counts, wide, i);
		total = add_sat_u64(total, c); /* merged guest counts: never wrapped to a small total */
		if (c)
			last = i;
	}
	if (!total)
		return 0;
	if (p > 100.0)
		p = 100.0;
	/* fio's test, in long double: sum >= p / 100.0 * total. */
	long double want = (long double)p / 100.0L * (long double)total;
	for (unsigned i = 0; i < nr; i++) {
		sum = add_sat_u64(sum, count_at(counts, wide, i));
		if ((long double)sum >= want)
			return vms_hist_value(i);
	}
	/* Only for a NaN p: the walk ends with sum == total otherwise. */
	return vms_hist_value(last);
}

uint64_t hist_percentile(const uint32_t *counts, unsigned nr, double p)
{
	return percentile(counts, false, nr, p);
}

uint64_t hist_percentile64(const uint64_t *counts, unsigned nr, double p)
{
	return percentile(counts, true, nr, p);
}

uint64_t hist_total(const uint32_t *counts, unsigned nr)
{
	uint64_t t = 0;
	for (unsigned i = 0; i < nr; i++)
		t += counts[i]; /* 1856 32-bit counts: cannot wrap */
	return t;
}

uint64_t hist_total64(const uint64_t *counts, unsigned nr)
{
	uint64_t t = 0;
	for (unsigned i = 0; i < nr; i++)
		t = add_sat_u64(t, counts[i]);
	return t;
}

void hist_merge(uint64_t *dst, const uint32_t *src, unsigned nr)
{
	for (unsigned i = 0; i < nr; i++)
		dst[i] += src[i];
}
