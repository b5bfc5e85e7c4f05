/*
 * Watermarks under Linux's formulas and names, era by era; integer only (the guest is
 * built with -mgeneral-regs-only). Sources: lib/math/int_sqrt.c; mm/page_alloc.c of
 * 2.4.17 (free_area_init_core), 2.6.0 and 2.6.10 (init_per_zone_pages_min,
 * setup_per_zone_pages_min), 6.1 (calculate_min_free_kbytes, __setup_per_zone_wmarks,
 * nr_free_zone_pages); 6.1's mm/khugepaged.c (set_recommended_min_free_kbytes);
 * mm/vmscan.c (inactive_is_low).
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

/*
 * The pages an era counts in a zone: 2.6's present_pages (RAM frames, reserved ones
 * included) or, in the 4.6 era, managed_pages (what the buddy allocator got; Linux
 * switched nr_free_zone_pages and __setup_per_zone_wmarks to it in 3.x).
 */
static uint64_t era_pages(const struct wmark_zone *z, enum watermark_model m)
{
	return m == WMARK_MODEL_4_6 ? z->managed_pages : z->present_pages;
}

unsigned long nr_free_buffer_pages(const struct wmark_zone *zones, unsigned nr, enum watermark_model m)
{
	unsigned long sum = 0;

	for (unsigned i = 0; i < nr; i++) {
		uint64_t size = era_pages(&zones[i], m), high = zones[i].watermark[WMARK_HIGH];

		if (size > high)
			sum += (unsigned long)(size - high);
	}
	return sum;
}

unsigned long era_min_free_kbytes(const struct wmark_zone *zones, unsigned nr, enum watermark_model m)
{
	unsigned long lowmem_kbytes = nr_free_buffer_pages(zones, nr, m) << (PAGE_SHIFT - 10), v;

	switch (m) {
	case WMARK_MODEL_2_4:
		return 0; /* 2.4 has no min_free_kbytes: free_area_init_core sizes each zone */
	case WMARK_MODEL_2_6_0:
		/* 2.6.0 .. 2.6.9 init_per_zone_pages_min: sqrt(lowmem_kbytes), 128 .. 16384 */
		v = int_sqrt(lowmem_kbytes);
		return v < MIN_FREE_KBYTES_MIN ? MIN_FREE_KBYTES_MIN : v > 16384 ? 16384 : v;
	case WMARK_MODEL_2_6_10:
		/* 2.6.10 (Nick Piggin's "restore atomic buffer"): sqrt(16 * lowmem_kbytes), 128 .. 65536 */
		v = int_sqrt(lowmem_kbytes * 16);
		return v < MIN_FREE_KBYTES_MIN ? MIN_FREE_KBYTES_MIN : v > 65536 ? 65536 : v;
	case WMARK_MODEL_4_6:
	default:
		/* 6.1's calculate_min_free_kbytes, capped at 262144 (4.6 itself capped at 65536;
		 * 5.x raised it, which release we did not pin down): 65536 binds only above 256 GiB
		 * of lowmem, far beyond a guest's 64 GiB, so either cap gives the same numbers */
		return calculate_min_free_kbytes(lowmem_kbytes);
	}
}

/* include/linux/math.h mult_frac: x * n / d without overflowing the product. */
static uint64_t mult_frac(uint64_t x, uint64_t n, uint64_t d)
{
	uint64_t q = x / d, r = x % d;

	return q * n + r * n / d;
}

/* 2.4 free_area_init_core: zone_balance_ratio 128, zone_balance_min 20, zone_balance_max 255 */
#define ZONE_BALANCE_RATIO 128u
#define ZONE_BALANCE_MIN 20u
#define ZONE_BALANCE_MAX 255u

void setup_per_zone_wmarks(struct wmark_zone *zones, unsigned nr, unsigned long min_free_kbytes,
			   unsigned watermark_scale_factor, enum watermark_model m)
{
	uint64_t pages_min = min_free_kbytes >> (PAGE_SHIFT - 10);
	uint64_t lowmem_pages = 0;
	unsigned i;

	for (i = 0; i < nr; i++)
		lowmem_pages += era_pages(&zones[i], m);

	for (i = 0; i < nr; i++) {
		struct wmark_zone *zone = &zones[i];
		uint64_t min = 0, low, high, tmp;

		if (m == WMARK_MODEL_2_4) {
			/* mask = realsize / 128 clamped to [20, 255], for every zone with pages */
			if (zone->present_pages) {
				min = zone->present_pages / ZONE_BALANCE_RATIO;
				min = min < ZONE_BALANCE_MIN ? ZONE_BALANCE_MIN : min > ZONE_BALANCE_MAX ? ZONE_BALANCE_MAX : min;
			}
		} else if (lowmem_pages) {
			/* tmp = pages_min * pages; do_div(tmp, lowmem_pages) */
			min = pages_min * era_pages(zone, m) / lowmem_pages;
		}

		switch (m) {
		case WMARK_MODEL_2_4:
		case WMARK_MODEL_2_6_0:
			low = 2 * min;
			high = 3 * min;
			break;
		case WMARK_MODEL_2_6_10:
			/* (min * 5) / 4 and (min * 6) / 4 in 2.6.10; min + tmp/4, min + tmp/2 later: equal */
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

unsigned long thp_recommended_min_free_kbytes(const struct wmark_zone *zones, unsigned nr)
{
	unsigned long nr_zones = 0, recommended_min, cap;

	for (unsigned i = 0; i < nr; i++)
		if (zones[i].managed_pages) /* for_each_populated_zone, all of them <= GFP_USER's zone */
			nr_zones++;
	/* Ensure 2 pageblocks are free to assist fragmentation avoidance */
	recommended_min = PAGEBLOCK_NR_PAGES * nr_zones * 2;
	/* on average two pageblocks almost free of another type, for the 3 MIGRATE_PCPTYPES */
	recommended_min += PAGEBLOCK_NR_PAGES * nr_zones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
	/* don't ever allow to reserve more than 5% of the lowmem */
	cap = nr_free_buffer_pages(zones, nr, WMARK_MODEL_4_6) / 20;
	if (recommended_min > cap)
		recommended_min = cap;
	return recommended_min << (PAGE_SHIFT - 10);
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
