/*
 * Watermarks under Linux's formulas and names; integer only (the guest is built with
 * -mgeneral-regs-only). Sources: lib/math/int_sqrt.c, mm/page_alloc.c
 * (calculate_min_free_kbytes, __setup_per_zone_wmarks), mm/vmscan.c (inactive_is_low).
 */
#include <stdbool.h>
#include <stdint.h>

/* Relative so that host unit tests can #include this file without -Iguest/include. */
#include "../include/mm/watermark.h"

/* Index of the most significant set bit; x != 0. */
static inline unsigned long wm_fls(unsigned long x)
{
	return (unsigned long)(sizeof(x) * 8 - 1) - (unsigned long)__builtin_clzl(x);
}

unsigned long int_sqrt(unsigned long x)
{
	unsigned long b, m, y = 0;

	if (x <= 1)
		return x;

	m = 1UL << (wm_fls(x) & ~1UL);
	while (m != 0) {
		b = y + m;
		y >>= 1;

		if (x >= b) {
			x -= b;
			y += m;
		}
		m >>= 2;
	}

	return y;
}

unsigned long calculate_min_free_kbytes(unsigned long lowmem_kbytes)
{
	unsigned long min_free_kbytes = int_sqrt(lowmem_kbytes * 16);

	if (min_free_kbytes < MIN_FREE_KBYTES_MIN)
		min_free_kbytes = MIN_FREE_KBYTES_MIN;
	if (min_free_kbytes > MIN_FREE_KBYTES_MAX)
		min_free_kbytes = MIN_FREE_KBYTES_MAX;
	return min_free_kbytes;
}

/* include/linux/math.h mult_frac: x * n / d without overflowing the product. */
static uint64_t mult_frac(uint64_t x, uint64_t n, uint64_t d)
{
	uint64_t q = x / d, r = x % d;

	return q * n + r * n / d;
}

void setup_per_zone_wmarks(struct wmark_zone *zones, unsigned nr, unsigned long min_free_kbytes,
			   unsigned watermark_scale_factor, enum watermark_model m)
{
	uint64_t pages_min = min_free_kbytes >> (PAGE_SHIFT - 10);
	uint64_t lowmem_pages = 0;
	unsigned i;

	for (i = 0; i < nr; i++)
		lowmem_pages += zones[i].managed_pages;

	for (i = 0; i < nr; i++) {
		struct wmark_zone *zone = &zones[i];
		uint64_t min = 0, low, high, tmp;

		/* tmp = pages_min * managed; do_div(tmp, lowmem_pages) */
		if (lowmem_pages)
			min = pages_min * (uint64_t)zone->managed_pages / lowmem_pages;

		switch (m) {
		case WMARK_MODEL_2_4:
		case WMARK_MODEL_2_6_0:
			low = 2 * min;
			high = 3 * min;
			break;
		case WMARK_MODEL_2_6_10:
			low = min + (min >> 2);
			high = min + (min >> 1);
			break;
		case WMARK_MODEL_4_6:
		default:
			/*
			 * Set the kswapd watermarks distance according to the scale factor
			 * in proportion to available memory, but ensure a minimum size on
			 * small systems.
			 */
			tmp = mult_frac(zone->managed_pages, watermark_scale_factor, 10000);
			if (tmp < (min >> 2))
				tmp = min >> 2;
			low = min + tmp;
			high = low + tmp;
			break;
		}
		zone->watermark[WMARK_MIN] = (unsigned long)min;
		zone->watermark[WMARK_LOW] = (unsigned long)low;
		zone->watermark[WMARK_HIGH] = (unsigned long)high;
	}
}

bool inactive_is_low(unsigned long inactive, unsigned long active,
		     unsigned long total_pages_of_that_lru_type)
{
	unsigned long inactive_ratio, gb;

	(void)total_pages_of_that_lru_type;
	gb = (inactive + active) >> (30 - PAGE_SHIFT);
	if (gb)
		inactive_ratio = int_sqrt(10 * gb);
	else
		inactive_ratio = 1;

	return inactive * inactive_ratio < active;
}

const char *watermark_model_name(enum watermark_model m)
{
	switch (m) {
	case WMARK_MODEL_2_4:
		return "2.4";
	case WMARK_MODEL_2_6_0:
		return "2.6.0";
	case WMARK_MODEL_2_6_10:
		return "2.6.10";
	case WMARK_MODEL_4_6:
		return "4.6";
	}
	return "?";
}
