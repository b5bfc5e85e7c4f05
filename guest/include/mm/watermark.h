/*
 * Per-zone watermarks and the LRU balance rule, as Linux computes them
 * (mm/page_alloc.c: calculate_min_free_kbytes, __setup_per_zone_wmarks;
 * mm/vmscan.c: inactive_is_low; lib/math/int_sqrt.c). Pure integer logic with no
 * dependencies beyond <stdbool.h>, so host unit tests can compile watermark.c as is.
 * Each era's low/high rule is at enum watermark_model; how the allocator and kswapd
 * use the marks, in guest/mm/page_alloc.c and guest/mm/kswapd.c.
 */
#ifndef MM_WATERMARK_H
#define MM_WATERMARK_H
#include <stdbool.h>

#ifndef PAGE_SHIFT
#define PAGE_SHIFT 12
#endif

/* Bounds of 6.1's calculate_min_free_kbytes (mm/page_alloc.c; 65536 before 5.x). */
#define MIN_FREE_KBYTES_MIN 128ul
#define MIN_FREE_KBYTES_MAX 262144ul
/* vm.watermark_scale_factor: default 10 (0.1 % of a zone), range 1..1000 as in the reference (newer kernels allow up to 3000). */
#define WATERMARK_SCALE_FACTOR_DEFAULT 10u
#define WATERMARK_SCALE_FACTOR_MAX 1000u

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	NR_WMARK,
};

/* Which kernel era's low/high rule __setup_per_zone_wmarks follows (vmsweep/vmstat.h's numbers). */
enum watermark_model {
	/* 2.4 (free_area_init_core): no min_free_kbytes; per zone min = present/128 in
	 * [20, 255], low = 2*min, high = 3*min */
	WMARK_MODEL_2_4,
	/* 2.6.10 .. 4.5: min_free_kbytes = sqrt(16 * lowmem KiB) in [128, 65536], split by
	 * present pages; low = min + min/4, high = min + min/2 */
	WMARK_MODEL_2_6_10,
	/* 4.6+ (6.1's numbers): min_free_kbytes = sqrt(16 * managed KiB) in [128, 262144],
	 * split by managed pages; g = max(min/4, managed * wsf / 10000); low = min + g,
	 * high = low + g */
	WMARK_MODEL_4_6,
	/* 2.6.0 .. 2.6.9: min_free_kbytes = sqrt(lowmem KiB) in [128, 16384], split by
	 * present pages; low = 2*min, high = 3*min */
	WMARK_MODEL_2_6_0,
};

/* khugepaged's set_recommended_min_free_kbytes (x86-64: 2 MiB pageblocks, 3 pcp types) */
#define PAGEBLOCK_NR_PAGES 512ul
#define MIGRATE_PCPTYPES 3ul

struct wmark_zone {
	const char *name;
	unsigned long present_pages;		/* in: RAM frames of the zone (2.4 and 2.6 count these) */
	unsigned long managed_pages;		/* in: frames the buddy allocator got (4.6 on) */
	unsigned long watermark[NR_WMARK];	/* out, in pages; high is read by nr_free_buffer_pages */
};

#define min_wmark_pages(z) ((z)->watermark[WMARK_MIN])
#define low_wmark_pages(z) ((z)->watermark[WMARK_LOW])
#define high_wmark_pages(z) ((z)->watermark[WMARK_HIGH])

/* floor(sqrt(x)), as lib/math/int_sqrt.c. */
unsigned long int_sqrt(unsigned long x);

/* Linux's default min_free_kbytes: int_sqrt(lowmem_kbytes * 16), clamped to [128, 262144]. */
unsigned long calculate_min_free_kbytes(unsigned long lowmem_kbytes);

/*
 * nr_free_buffer_pages as era m counts it: the sum over the zones of their pages less
 * their high watermark (0 before the first setup_per_zone_wmarks), pages being present
 * pages before the 4.6 era, managed pages in it.
 */
unsigned long nr_free_buffer_pages(const struct wmark_zone *zones, unsigned nr, enum watermark_model m);

/* Era m's default min_free_kbytes from the zones (0 for 2.4, which has none). */
unsigned long era_min_free_kbytes(const struct wmark_zone *zones, unsigned nr, enum watermark_model m);

/*
 * 6.1's set_recommended_min_free_kbytes (mm/khugepaged.c), for THP madvise or always:
 * pageblock_nr_pages * nr_zones * (2 + MIGRATE_PCPTYPES^2), at most 5 % of
 * nr_free_buffer_pages (managed - high: call it after setup_per_zone_wmarks). The
 * caller raises min_free_kbytes to it only if it is higher, then sets the marks again.
 */
unsigned long thp_recommended_min_free_kbytes(const struct wmark_zone *zones, unsigned nr);

/*
 * Fill every zone's watermark[]. 2.4: from each zone's present pages alone
 * (min_free_kbytes unused). Other eras: pages_min = min_free_kbytes / 4 split over the
 * zones in proportion to their pages (present before 4.6, managed in 4.6), then low and
 * high by the era's rule; watermark_scale_factor is used by the 4.6 era only. All zones
 * are lowmem (x86-64); no boost.
 */
void setup_per_zone_wmarks(struct wmark_zone *zones, unsigned nr, unsigned long min_free_kbytes,
			   unsigned watermark_scale_factor, enum watermark_model m);

/*
 * mm/vmscan.c inactive_is_low: is the inactive list too small relative to the active
 * one? inactive_ratio = int_sqrt(10 * GB of inactive+active), or 1 under 1 GB; the list
 * is low when inactive * inactive_ratio < active. Sizes in pages.
 * total_pages_of_that_lru_type is accepted for the caller's convenience but not used:
 * as in Linux (4.8+), the size that picks the ratio is inactive + active itself.
 */
bool inactive_is_low(unsigned long inactive, unsigned long active,
		     unsigned long total_pages_of_that_lru_type);

/* "2.4", "2.6.0", "2.6.10", "4.6" (the knob's words: harness/util/knob.c). */
const char *watermark_model_name(enum watermark_model m);

#endif
