/*
 * Host-side tests of the guest's watermark arithmetic (guest/mm/watermark.c) against
 * worked Linux numbers. The guest file depends only on <stdbool.h>/<stdint.h>, so it
 * is compiled in here as is; no symbols clash with the host's libc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../guest/mm/watermark.c"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KIB_PER_GIB (1024ul * 1024ul)
#define PAGES_PER_GIB (1ul << (30 - PAGE_SHIFT))
#define PAGES_PER_MIB (1ul << (20 - PAGE_SHIFT))

/* ---- int_sqrt ---- */

static void test_int_sqrt_small(void **state)
{
	static const unsigned long want[] = { 0, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3 };
	for (unsigned long x = 0; x < ARRAY_SIZE(want); x++)
		assert_int_equal(int_sqrt(x), want[x]);
}

static void test_int_sqrt_squares_and_between(void **state)
{
	/* Exact on squares, floor just below and just above them. */
	for (unsigned long r = 1; r < 70000; r++) {
		unsigned long sq = r * r;
		assert_int_equal(int_sqrt(sq), r);
		assert_int_equal(int_sqrt(sq - 1), r - 1);
		assert_int_equal(int_sqrt(sq + r), r);	/* (r+1)^2 - 1 - r */
		assert_int_equal(int_sqrt(sq + 2 * r), r);	/* (r+1)^2 - 1 */
	}
	/* Large values: the largest square that fits, and ULONG_MAX. */
	assert_int_equal(int_sqrt(0xffffffffUL * 0xffffffffUL), 0xffffffffUL);
	assert_int_equal(int_sqrt(~0UL), 0xffffffffUL);
	assert_int_equal(int_sqrt(1UL << 62), 1UL << 31);
	assert_int_equal(int_sqrt((1UL << 62) - 1), (1UL << 31) - 1);
}

static void test_int_sqrt_random(void **state)
{
	srand(4);
	for (int i = 0; i < 200000; i++) {
		unsigned long x = ((unsigned long)rand() << 33) ^ ((unsigned long)rand() << 11) ^
				  (unsigned long)rand();
		unsigned long y = int_sqrt(x);
		assert_true(y * y <= x);
		assert_true((y + 1) * (y + 1) > x); /* y < 2^32, so no overflow */
	}
}

/* ---- calculate_min_free_kbytes ---- */

static void test_min_free_kbytes_worked(void **state)
{
	assert_int_equal(calculate_min_free_kbytes(1 * KIB_PER_GIB), 4096);
	assert_int_equal(calculate_min_free_kbytes(4 * KIB_PER_GIB), 8192);
	assert_int_equal(calculate_min_free_kbytes(16 * KIB_PER_GIB), 16384);
	/* 64 MiB guest: sqrt(65536 * 16) = 1024 */
	assert_int_equal(calculate_min_free_kbytes(64 * 1024), 1024);
	/* not a square: floor(sqrt(3 GiB in KiB * 16)) = floor(7094.7) */
	assert_int_equal(calculate_min_free_kbytes(3 * KIB_PER_GIB), 7094);
}

static void test_min_free_kbytes_clamps(void **state)
{
	/* Tiny: 1 MiB -> sqrt(16384) = 128, exactly the floor; smaller clamps up. */
	assert_int_equal(calculate_min_free_kbytes(0), 128);
	assert_int_equal(calculate_min_free_kbytes(16), 128);
	assert_int_equal(calculate_min_free_kbytes(1023), 128);
	assert_int_equal(calculate_min_free_kbytes(1024), 128);
	assert_int_equal(calculate_min_free_kbytes(1089), 132);	/* sqrt(17424) = 132 */
	/* Huge: the ceiling 262144 K is reached at 4 TiB of lowmem. */
	assert_int_equal(calculate_min_free_kbytes(4096 * KIB_PER_GIB - 1024), 262143);
	assert_int_equal(calculate_min_free_kbytes(4096 * KIB_PER_GIB), 262144);
	assert_int_equal(calculate_min_free_kbytes(65536 * KIB_PER_GIB), 262144);
}

/* ---- setup_per_zone_wmarks ---- */

/*
 * The 16 GiB numbers assume one zone whose managed pages are the whole
 * 16 GiB, 4194304 pages (a real machine manages somewhat less), and min_free_kbytes
 * from the same 16 GiB: 16384 K -> pages_min 4096.
 */
static void one_zone_16g(struct wmark_zone *z, enum watermark_model m, unsigned wsf)
{
	memset(z, 0, sizeof(*z));
	z->name = "Normal";
	z->managed_pages = z->present_pages = 16 * PAGES_PER_GIB;
	assert_int_equal(z->managed_pages, 4194304);
	setup_per_zone_wmarks(z, 1, calculate_min_free_kbytes(16 * KIB_PER_GIB), wsf, m);
}

static void test_wmarks_modern_16g(void **state)
{
	struct wmark_zone z;

	one_zone_16g(&z, WMARK_MODEL_4_6, WATERMARK_SCALE_FACTOR_DEFAULT);
	/* g = max(4096/4, 4194304 * 10 / 10000 = 4194) = 4194 */
	assert_int_equal(min_wmark_pages(&z), 4096);
	assert_int_equal(low_wmark_pages(&z), 8290);
	assert_int_equal(high_wmark_pages(&z), 12484);
}

static void test_wmarks_modern_scale_factor(void **state)
{
	struct wmark_zone z;

	/* wsf 1: 4194304/10000 = 419 < 1024, so min/4 wins: the 2.6 spacing doubled for high. */
	one_zone_16g(&z, WMARK_MODEL_4_6, 1);
	assert_int_equal(min_wmark_pages(&z), 4096);
	assert_int_equal(low_wmark_pages(&z), 4096 + 1024);
	assert_int_equal(high_wmark_pages(&z), 4096 + 2048);
	/* wsf 1000 (10 %): g = 419430 */
	one_zone_16g(&z, WMARK_MODEL_4_6, WATERMARK_SCALE_FACTOR_MAX);
	assert_int_equal(low_wmark_pages(&z), 4096 + 419430);
	assert_int_equal(high_wmark_pages(&z), 4096 + 2 * 419430);
}

static void test_wmarks_2_4_16g(void **state)
{
	struct wmark_zone z;

	/* 2.4.17 free_area_init_core: 4194304 / 128 = 32768, clamped to zone_balance_max 255 */
	one_zone_16g(&z, WMARK_MODEL_2_4, WATERMARK_SCALE_FACTOR_DEFAULT);
	assert_int_equal(min_wmark_pages(&z), 255);
	assert_int_equal(low_wmark_pages(&z), 510);
	assert_int_equal(high_wmark_pages(&z), 765);
}

static void test_wmarks_2_6_16g(void **state)
{
	struct wmark_zone z;

	one_zone_16g(&z, WMARK_MODEL_2_6_10, WATERMARK_SCALE_FACTOR_DEFAULT);
	assert_int_equal(min_wmark_pages(&z), 4096);
	assert_int_equal(low_wmark_pages(&z), 5120);
	assert_int_equal(high_wmark_pages(&z), 6144);
	/* 2.6 ignores the scale factor */
	one_zone_16g(&z, WMARK_MODEL_2_6_10, WATERMARK_SCALE_FACTOR_MAX);
	assert_int_equal(low_wmark_pages(&z), 5120);
	assert_int_equal(high_wmark_pages(&z), 6144);
}

static void test_wmarks_1g_all_models(void **state)
{
	/* 1 GiB, one zone: min_free_kbytes 4096 -> pages_min 1024. */
	struct wmark_zone z = { .name = "Normal", .present_pages = PAGES_PER_GIB, .managed_pages = PAGES_PER_GIB };
	unsigned long mfk = calculate_min_free_kbytes(KIB_PER_GIB);

	/* 2.4 takes no min_free_kbytes: 262144 / 128 = 2048 -> 255 */
	setup_per_zone_wmarks(&z, 1, mfk, 10, WMARK_MODEL_2_4);
	assert_int_equal(z.watermark[WMARK_MIN], 255);
	assert_int_equal(z.watermark[WMARK_LOW], 510);
	assert_int_equal(z.watermark[WMARK_HIGH], 765);
	setup_per_zone_wmarks(&z, 1, mfk, 10, WMARK_MODEL_2_6_0);
	assert_int_equal(z.watermark[WMARK_MIN], 1024);
	assert_int_equal(z.watermark[WMARK_LOW], 2048);
	assert_int_equal(z.watermark[WMARK_HIGH], 3072);
	setup_per_zone_wmarks(&z, 1, mfk, 10, WMARK_MODEL_2_6_10);
	assert_int_equal(z.watermark[WMARK_LOW], 1280);
	assert_int_equal(z.watermark[WMARK_HIGH], 1536);
	/* modern: 262144 * 10 / 10000 = 262 > 1024/4 = 256 */
	setup_per_zone_wmarks(&z, 1, mfk, 10, WMARK_MODEL_4_6);
	assert_int_equal(z.watermark[WMARK_LOW], 1024 + 262);
	assert_int_equal(z.watermark[WMARK_HIGH], 1024 + 524);
}

static void check_two_zones(unsigned long total_pages, enum watermark_model m)
{
	struct wmark_zone z[2] = {
		{ .name = "DMA", .present_pages = 16 * PAGES_PER_MIB, .managed_pages = 16 * PAGES_PER_MIB },
		{ .name = "Normal", .present_pages = total_pages - 16 * PAGES_PER_MIB,
		  .managed_pages = total_pages - 16 * PAGES_PER_MIB },
	};
	unsigned long mfk = calculate_min_free_kbytes(total_pages << (PAGE_SHIFT - 10));
	unsigned long pages_min = mfk >> (PAGE_SHIFT - 10);
	unsigned long sum;

	setup_per_zone_wmarks(z, 2, mfk, WATERMARK_SCALE_FACTOR_DEFAULT, m);
	sum = z[0].watermark[WMARK_MIN] + z[1].watermark[WMARK_MIN];
	/* Each share floors, so the sum is pages_min less at most one page per zone. */
	assert_true(sum <= pages_min);
	assert_true(sum + 2 > pages_min);
	for (int i = 0; i < 2; i++) {
		/* proportional: min_i == floor(pages_min * managed_i / total) */
		assert_int_equal(z[i].watermark[WMARK_MIN],
				 (unsigned long)((uint64_t)pages_min * z[i].managed_pages / total_pages));
		assert_true(z[i].watermark[WMARK_MIN] <= z[i].watermark[WMARK_LOW]);
		assert_true(z[i].watermark[WMARK_LOW] <= z[i].watermark[WMARK_HIGH]);
	}
	assert_true(z[0].watermark[WMARK_MIN] < z[1].watermark[WMARK_MIN]);
}

static void test_wmarks_two_zones(void **state)
{
	static const enum watermark_model models[] = { /* 2.4 has its own rule: test_era_worked */
		WMARK_MODEL_2_6_0, WMARK_MODEL_2_6_10, WMARK_MODEL_4_6,
	};
	static const unsigned long sizes_mib[] = { 64, 100, 1024, 3000, 4096, 16384 };

	for (size_t i = 0; i < ARRAY_SIZE(models); i++)
		for (size_t j = 0; j < ARRAY_SIZE(sizes_mib); j++)
			check_two_zones(sizes_mib[j] * PAGES_PER_MIB, models[i]);
}

static void test_wmarks_two_zones_worked(void **state)
{
	/* 1 GiB: DMA 4096 pages, Normal 258048; pages_min 1024 splits 16 + 1008 exactly. */
	struct wmark_zone z[2] = {
		{ .name = "DMA", .managed_pages = 4096 },
		{ .name = "Normal", .managed_pages = 258048 },
	};

	setup_per_zone_wmarks(z, 2, 4096, 10, WMARK_MODEL_4_6);
	assert_int_equal(z[0].watermark[WMARK_MIN], 16);
	assert_int_equal(z[1].watermark[WMARK_MIN], 1008);
	/* DMA: g = max(4, 4096*10/10000 = 4) = 4; Normal: g = max(252, 258) = 258 */
	assert_int_equal(z[0].watermark[WMARK_LOW], 20);
	assert_int_equal(z[0].watermark[WMARK_HIGH], 24);
	assert_int_equal(z[1].watermark[WMARK_LOW], 1266);
	assert_int_equal(z[1].watermark[WMARK_HIGH], 1524);

	/* 64 MiB guest: min_free_kbytes 1024 -> 256 pages; DMA 4096 of 16384 -> 64 + 192. */
	z[0].managed_pages = z[0].present_pages = 4096;
	z[1].managed_pages = z[1].present_pages = 12288;
	setup_per_zone_wmarks(z, 2, calculate_min_free_kbytes(65536), 10, WMARK_MODEL_2_6_10);
	assert_int_equal(z[0].watermark[WMARK_MIN], 64);
	assert_int_equal(z[0].watermark[WMARK_LOW], 80);
	assert_int_equal(z[0].watermark[WMARK_HIGH], 96);
	assert_int_equal(z[1].watermark[WMARK_MIN], 192);
	assert_int_equal(z[1].watermark[WMARK_LOW], 240);
	assert_int_equal(z[1].watermark[WMARK_HIGH], 288);
}

static void test_wmarks_no_overflow(void **state)
{
	/* 4 TiB in one zone at the min_free_kbytes ceiling: 65536 * 2^30 fits in 64 bits. */
	struct wmark_zone z = { .name = "Normal", .managed_pages = 4096 * PAGES_PER_GIB };

	setup_per_zone_wmarks(&z, 1, 262144, 10, WMARK_MODEL_4_6);
	assert_int_equal(z.watermark[WMARK_MIN], 65536);
	assert_int_equal(z.watermark[WMARK_LOW], 65536 + 1073741);
}

static void test_wmarks_empty(void **state)
{
	struct wmark_zone z = { .name = "empty", .managed_pages = 0,
				.watermark = { 7, 7, 7 } };

	setup_per_zone_wmarks(&z, 1, 4096, 10, WMARK_MODEL_4_6);
	assert_int_equal(z.watermark[WMARK_MIN], 0);
	assert_int_equal(z.watermark[WMARK_LOW], 0);
	assert_int_equal(z.watermark[WMARK_HIGH], 0);
	setup_per_zone_wmarks(NULL, 0, 4096, 10, WMARK_MODEL_4_6);
}

/* ---- the eras at 64M, 256M and 1G: each kernel's own arithmetic, worked by hand ---- */

/*
 * Zone sizes. present: the zone's span, DMA [0, 16 MiB) and DMA32 the rest (our guest's
 * RAM has no holes; Linux's DMA32 is within a few pages of it). managed, for the 4.6 era:
 * Linux 6.1's, measured on Debian's kernel in a QEMU guest (DMA 3840: the first 1 MiB
 * reserved; DMA32 48783 at 256M and 242031 at 1G), and at 64M (Debian's kernel does not
 * boot there) our guest's DMA32: the span less its mem_map (12288 - 224).
 */
struct era_case {
	const char *what;
	enum watermark_model m;
	unsigned long present[2], managed[2];
	unsigned long min_free_kbytes;
	unsigned long wm[2][3]; /* DMA, DMA32: min, low, high */
};

#define P64 { 4096, 12288 }
#define P256 { 4096, 61440 }
#define P1G { 4096, 258048 }
#define M64 { 3840, 12064 }
#define M256 { 3840, 48783 }
#define M1G { 3840, 242031 }

static const struct era_case era_cases[] = {
	/* 2.4.17 free_area_init_core: min = present / 128 in [20, 255]; 2x, 3x (the numbers) */
	{ "2.4 64M", WMARK_MODEL_2_4, P64, M64, 0, { { 32, 64, 96 }, { 96, 192, 288 } } },
	{ "2.4 256M", WMARK_MODEL_2_4, P256, M256, 0, { { 32, 64, 96 }, { 255, 510, 765 } } },
	{ "2.4 1G", WMARK_MODEL_2_4, P1G, M1G, 0, { { 32, 64, 96 }, { 255, 510, 765 } } },
	/*
	 * 2.6.0 init_per_zone_pages_min: sqrt(present KiB) in [128, 16384]; 64M: sqrt(65536) =
	 * 256 KiB = 64 pages, DMA 64 * 4096 / 16384 = 16; 256M: sqrt(262144) = 512 -> 128
	 * pages, DMA 128 * 4096 / 65536 = 8; 1G: sqrt(1048576) = 1024 -> 256, DMA 4, DMA32 252.
	 */
	{ "2.6.0 64M", WMARK_MODEL_2_6_0, P64, M64, 256, { { 16, 32, 48 }, { 48, 96, 144 } } },
	{ "2.6.0 256M", WMARK_MODEL_2_6_0, P256, M256, 512, { { 8, 16, 24 }, { 120, 240, 360 } } },
	{ "2.6.0 1G", WMARK_MODEL_2_6_0, P1G, M1G, 1024, { { 4, 8, 12 }, { 252, 504, 756 } } },
	/* 2.6.10: sqrt(16 * present KiB) in [128, 65536]; low = min * 5 / 4, high = min * 6 / 4 */
	{ "2.6.10 64M", WMARK_MODEL_2_6_10, P64, M64, 1024, { { 64, 80, 96 }, { 192, 240, 288 } } },
	{ "2.6.10 256M", WMARK_MODEL_2_6_10, P256, M256, 2048, { { 32, 40, 48 }, { 480, 600, 720 } } },
	{ "2.6.10 1G", WMARK_MODEL_2_6_10, P1G, M1G, 4096, { { 16, 20, 24 }, { 1008, 1260, 1512 } } },
	/*
	 * 4.6 (6.1's numbers): sqrt(16 * managed KiB); split by managed; g = max(min / 4,
	 * managed / 1000). 1G: 245871 pages -> sqrt(15735744) = 3966 KiB = 991 pages; DMA
	 * 991 * 3840 / 245871 = 15, g = max(3, 3) = 3; DMA32 975, g = max(243, 242) = 243.
	 */
	{ "4.6 64M", WMARK_MODEL_4_6, P64, M64, 1008, { { 60, 75, 90 }, { 191, 238, 285 } } },
	{ "4.6 256M", WMARK_MODEL_4_6, P256, M256, 1835, { { 33, 41, 49 }, { 424, 530, 636 } } },
	{ "4.6 1G", WMARK_MODEL_4_6, P1G, M1G, 3966, { { 15, 18, 21 }, { 975, 1218, 1461 } } },
};

static void era_zones(const struct era_case *c, struct wmark_zone *z)
{
	memset(z, 0, 2 * sizeof(*z));
	for (int i = 0; i < 2; i++) {
		z[i].name = i ? "DMA32" : "DMA";
		z[i].present_pages = c->present[i];
		z[i].managed_pages = c->managed[i];
	}
}

static void test_era_worked(void **state)
{
	for (size_t k = 0; k < ARRAY_SIZE(era_cases); k++) {
		const struct era_case *c = &era_cases[k];
		struct wmark_zone z[2];

		era_zones(c, z);
		unsigned long mfk = era_min_free_kbytes(z, 2, c->m);
		if (mfk != c->min_free_kbytes)
			fail_msg("%s: min_free_kbytes %lu, want %lu", c->what, mfk, c->min_free_kbytes);
		setup_per_zone_wmarks(z, 2, mfk, WATERMARK_SCALE_FACTOR_DEFAULT, c->m);
		for (int i = 0; i < 2; i++)
			for (int w = 0; w < 3; w++)
				if (z[i].watermark[w] != c->wm[i][w])
					fail_msg("%s: %s watermark %d is %lu, want %lu", c->what, z[i].name, w,
						 z[i].watermark[w], c->wm[i][w]);
	}
	(void)state;
}

static void test_era_caps(void **state)
{
	/* 2.6.0's ceiling was 16384 KiB (sqrt of 256 GiB), 2.6.10's 65536; both floor at 128 */
	struct wmark_zone z = { .name = "DMA32", .present_pages = 512ul * PAGES_PER_GIB, .managed_pages = 1 };

	assert_int_equal(era_min_free_kbytes(&z, 1, WMARK_MODEL_2_6_0), 16384);
	assert_int_equal(era_min_free_kbytes(&z, 1, WMARK_MODEL_2_6_10), 65536);
	assert_int_equal(era_min_free_kbytes(&z, 1, WMARK_MODEL_4_6), 128); /* counts managed pages */
	z.present_pages = 16;
	assert_int_equal(era_min_free_kbytes(&z, 1, WMARK_MODEL_2_6_0), 128);
	assert_int_equal(era_min_free_kbytes(&z, 1, WMARK_MODEL_2_4), 0);
	/* 2.4's zone_balance_min: a zone of 1000 pages still keeps 20 */
	z.present_pages = 1000;
	setup_per_zone_wmarks(&z, 1, 0, 10, WMARK_MODEL_2_4);
	assert_int_equal(min_wmark_pages(&z), 20);
	assert_int_equal(high_wmark_pages(&z), 60);
	(void)state;
}

/*
 * 6.1's set_recommended_min_free_kbytes against Debian 6.1 measured with THP always
 * (vmsweep's Linux backend, QEMU, 2 vCPUs): 1G -> 45056 KiB (512 * 2 zones * (2 + 9)
 * pages) and DMA 175/218/261, DMA32 11088/13860/16632, exactly Linux's; 256M -> the 5 %
 * cap, (52623 - 685) / 20 = 2596 pages = 10384 KiB (Linux: 10388, its high watermarks
 * being a few pages lower at that point; its zones 189/236/283 and 2407/3008/3609).
 */
static void test_thp_recommended(void **state)
{
	struct wmark_zone z[2];

	era_zones(&era_cases[11], z); /* 4.6 1G */
	setup_per_zone_wmarks(z, 2, era_min_free_kbytes(z, 2, WMARK_MODEL_4_6), 10, WMARK_MODEL_4_6);
	assert_int_equal(thp_recommended_min_free_kbytes(z, 2), 45056);
	setup_per_zone_wmarks(z, 2, 45056, 10, WMARK_MODEL_4_6);
	assert_int_equal(z[0].watermark[WMARK_MIN], 175);
	assert_int_equal(z[0].watermark[WMARK_LOW], 218);
	assert_int_equal(z[0].watermark[WMARK_HIGH], 261);
	assert_int_equal(z[1].watermark[WMARK_MIN], 11088);
	assert_int_equal(z[1].watermark[WMARK_LOW], 13860);
	assert_int_equal(z[1].watermark[WMARK_HIGH], 16632);

	era_zones(&era_cases[10], z); /* 4.6 256M: high 49 + 636 */
	setup_per_zone_wmarks(z, 2, era_min_free_kbytes(z, 2, WMARK_MODEL_4_6), 10, WMARK_MODEL_4_6);
	assert_int_equal(nr_free_buffer_pages(z, 2, WMARK_MODEL_4_6), 3840 + 48783 - 49 - 636);
	assert_int_equal(thp_recommended_min_free_kbytes(z, 2), (3840 + 48783 - 685) / 20 * 4);
	setup_per_zone_wmarks(z, 2, 10384, 10, WMARK_MODEL_4_6);
	assert_int_equal(z[0].watermark[WMARK_MIN], 189);
	assert_int_equal(z[0].watermark[WMARK_HIGH], 283);
	assert_int_equal(z[1].watermark[WMARK_MIN], 2406);

	/* an empty zone is not populated: one zone, 512 * 11 pages = 22528 KiB */
	z[0].managed_pages = 0;
	z[1].managed_pages = PAGES_PER_GIB;
	memset(z[1].watermark, 0, sizeof(z[1].watermark));
	assert_int_equal(thp_recommended_min_free_kbytes(z, 2), 22528);
	(void)state;
}

/* ---- inactive_is_low ---- */

static void test_inactive_is_low_under_1g(void **state)
{
	/* inactive + active = 1 GiB - 1 page: gb = 0, ratio 1: low iff inactive < active */
	unsigned long t = PAGES_PER_GIB - 1;

	assert_true(inactive_is_low(70000, t - 70000, t));
	assert_true(inactive_is_low(t / 2, t - t / 2, t));		/* 131071 < 131072 */
	assert_false(inactive_is_low(t - t / 2, t / 2, t));		/* 131072 < 131071 */
	assert_false(inactive_is_low(0, 0, 0));
	assert_true(inactive_is_low(0, 1, 1));
}

static void test_inactive_is_low_at_1g(void **state)
{
	/* exactly 1 GiB: gb = 1, ratio int_sqrt(10) = 3 */
	unsigned long t = PAGES_PER_GIB;

	assert_false(inactive_is_low(70000, t - 70000, t));		/* 210000 < 192144 */
	assert_false(inactive_is_low(t / 4, t - t / 4, t));		/* 3*65536 == 196608 */
	assert_true(inactive_is_low(t / 4 - 1, t - t / 4 + 1, t));	/* 196605 < 196609 */
	/* The same split one page short of 1 GiB has ratio 1 and is low. */
	assert_true(inactive_is_low(70000, t - 1 - 70000, t - 1));
}

static void test_inactive_is_low_larger(void **state)
{
	/* 10 GiB: ratio int_sqrt(100) = 10 */
	unsigned long t = 10 * PAGES_PER_GIB;

	assert_false(inactive_is_low(t / 11 + 1, t - t / 11 - 1, t));
	assert_true(inactive_is_low(t / 11 - 1000, t - t / 11 + 1000, t));
	/* 1 TiB: ratio int_sqrt(10240) = 101 */
	t = 1024 * PAGES_PER_GIB;
	assert_true(inactive_is_low(t / 102 - 1000, t - t / 102 + 1000, t));
	assert_false(inactive_is_low(t / 102 + 1, t - t / 102 - 1, t));
}

/* ---- model names ---- */

static void test_model_names(void **state)
{
	assert_string_equal(watermark_model_name(WMARK_MODEL_2_4), "2.4");
	assert_string_equal(watermark_model_name(WMARK_MODEL_2_6_0), "2.6.0");
	assert_string_equal(watermark_model_name(WMARK_MODEL_2_6_10), "2.6.10");
	assert_string_equal(watermark_model_name(WMARK_MODEL_4_6), "4.6");
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int_sqrt_small),
		cmocka_unit_test(test_int_sqrt_squares_and_between),
		cmocka_unit_test(test_int_sqrt_random),
		cmocka_unit_test(test_min_free_kbytes_worked),
		cmocka_unit_test(test_min_free_kbytes_clamps),
		cmocka_unit_test(test_wmarks_modern_16g),
		cmocka_unit_test(test_wmarks_modern_scale_factor),
		cmocka_unit_test(test_wmarks_2_4_16g),
		cmocka_unit_test(test_wmarks_2_6_16g),
		cmocka_unit_test(test_wmarks_1g_all_models),
		cmocka_unit_test(test_wmarks_two_zones),
		cmocka_unit_test(test_wmarks_two_zones_worked),
		cmocka_unit_test(test_wmarks_no_overflow),
		cmocka_unit_test(test_wmarks_empty),
		cmocka_unit_test(test_era_worked),
		cmocka_unit_test(test_era_caps),
		cmocka_unit_test(test_thp_recommended),
		cmocka_unit_test(test_inactive_is_low_under_1g),
		cmocka_unit_test(test_inactive_is_low_at_1g),
		cmocka_unit_test(test_inactive_is_low_larger),
		cmocka_unit_test(test_model_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
