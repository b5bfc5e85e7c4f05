/*
 * Host-side tests of the guest's buddy allocator (guest/mm/buddy.c): boot-time
 * freeing into maximal aligned blocks, split/merge invariants under long
 * random operation sequences, fragmentation, and zones that do not start at
 * pfn 0 (merging never crosses a zone boundary).
 *
 * The guest file is compiled in here with BUDDY_HOST_SHIM: this file supplies
 * the few kernel definitions it needs (list.h's helpers, raw_spinlock_t,
 * BUG_ON as a cmocka assertion).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* ---- host shim for the kernel headers buddy.c uses ---- */
#define BUDDY_HOST_SHIM
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define BUG_ON(c) mock_assert(!(c), #c, __FILE__, __LINE__)

struct list_head {
	struct list_head *next, *prev;
};

static inline void INIT_LIST_HEAD(struct list_head *l)
{
	l->next = l->prev = l;
}

static inline void list_add(struct list_head *n, struct list_head *head)
{
	head->next->prev = n;
	n->next = head->next;
	n->prev = head;
	head->next = n;
}

static inline void list_del_init(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	INIT_LIST_HEAD(e);
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)
#define list_for_each_entry(pos, head, member)                                                 \
	for (pos = list_entry((head)->next, __typeof__(*pos), member); &pos->member != (head); \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

typedef struct {
	volatile uint16_t owner, next;
} raw_spinlock_t;

static inline void spin_lock_init(raw_spinlock_t *l)
{
	l->owner = l->next = 0;
}

#include "../../guest/mm/buddy.c"

/* ---- helpers ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* A zone with its own mem_map. */
struct test_zone {
	struct zone z;
	struct page *map;
};

static void tz_init(struct test_zone *t, unsigned long start_pfn, unsigned long n)
{
	t->map = calloc(n ? n : 1, sizeof(struct page));
	assert_non_null(t->map);
	zone_init(&t->z, "Test", start_pfn, n, t->map);
}

static void tz_fini(struct test_zone *t)
{
	free(t->map);
	t->map = NULL;
}

/* The free lists as a canonical snapshot: per order, a bitmap of block heads. */
struct snapshot {
	unsigned long nr_free[MAX_ORDER];
	uint8_t *heads[MAX_ORDER]; /* one byte per frame of the zone */
	unsigned long nr_free_pages;
	unsigned long n;
};

static void snap_take(const struct zone *z, struct snapshot *s)
{
	unsigned int o;
	struct page *page;

	s->n = z->spanned_pages;
	s->nr_free_pages = z->nr_free_pages;
	for (o = 0; o < MAX_ORDER; o++) {
		s->nr_free[o] = z->free_area[o].nr_free;
		s->heads[o] = calloc(s->n ? s->n : 1, 1);
		assert_non_null(s->heads[o]);
		list_for_each_entry(page, &z->free_area[o].free_list, lru)
			s->heads[o][page - z->mem_map] = 1;
	}
}

static void snap_free(struct snapshot *s)
{
	for (unsigned int o = 0; o < MAX_ORDER; o++)
		free(s->heads[o]);
}

static void snap_assert_equal(const struct snapshot *a, const struct snapshot *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->nr_free_pages, b->nr_free_pages);
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		assert_int_equal(a->nr_free[o], b->nr_free[o]);
		assert_memory_equal(a->heads[o], b->heads[o], a->n ? a->n : 1);
	}
}

/* Deferred frames hold whatever was in memory: nobody may read their struct pages. */
static bool in_deferred(const struct zone *z, unsigned long pfn)
{
	return pfn >= z->first_deferred_pfn && pfn < z->deferred_end_pfn;
}

/*
 * Full structural check of the free lists: each block aligned (absolute pfn),
 * wholly in the zone, its head PG_buddy with the list's order, its other frames
 * not PG_buddy; no two blocks overlap and none overlaps an allocated frame
 * (`allocated`, one byte per frame, may be NULL); no free block's buddy is a
 * free block of the same order inside the zone (it would have merged);
 * nr_free per order and nr_free_pages agree with the lists. Returns the free
 * page count.
 */
static unsigned long check_zone(const struct zone *z, const uint8_t *allocated)
{
	unsigned long n = z->spanned_pages, total = 0, i;
	uint8_t *covered = calloc(n ? n : 1, 1);
	unsigned int o;
	struct page *page;

	assert_non_null(covered);
	for (o = 0; o < MAX_ORDER; o++) {
		unsigned long count = 0;

		list_for_each_entry(page, &z->free_area[o].free_list, lru) {
			unsigned long pfn = zone_page_to_pfn(z, page), size = 1ul << o;
			unsigned long idx = pfn - z->zone_start_pfn;

			assert_true(zone_spans_pfn(z, pfn));
			assert_true(pfn + size <= zone_end_pfn(z));
			assert_int_equal(pfn & (size - 1), 0);
			assert_true(PageBuddy(page));
			assert_int_equal(buddy_order(page), o);
			assert_int_equal(page_count(page), 0);
			for (i = 0; i < size; i++) {
				assert_false(covered[idx + i]);
				covered[idx + i] = 1;
				if (allocated)
					assert_false(allocated[idx + i]);
				if (i)
					assert_false(PageBuddy(&page[i]));
			}
			if (o < MAX_ORDER - 1) {
				unsigned long bpfn = pfn ^ size;

				if (zone_spans_pfn(z, bpfn) && !in_deferred(z, bpfn)) {
					const struct page *b = zone_pfn_to_page(z, bpfn);
					assert_false(PageBuddy(b) && buddy_order(b) == o);
				}
			}
			count++;
			total += size;
		}
		assert_int_equal(count, z->free_area[o].nr_free);
	}
	assert_int_equal(total, z->nr_free_pages);
	/* Frames neither free nor allocated are not PG_buddy heads. */
	for (i = 0; i < n; i++)
		if (!covered[i] && !in_deferred(z, z->zone_start_pfn + i))
			assert_false(PageBuddy(&z->mem_map[i]));
	free(covered);
	return total;
}

static unsigned long sum_over_orders(const struct zone *z)
{
	unsigned long s = 0;

	for (unsigned int o = 0; o < MAX_ORDER; o++)
		s += z->free_area[o].nr_free << o;
	return s;
}

/* Reference: memblock's greedy split of [start, end) into maximal aligned blocks. */
static void expected_blocks(unsigned long start, unsigned long end, unsigned long zstart,
			    unsigned long nr_free[MAX_ORDER], uint8_t *heads[MAX_ORDER])
{
	while (start < end) {
		unsigned int o = MAX_ORDER - 1;

		while (o > 0 && ((start & ((1ul << o) - 1)) || start + (1ul << o) > end))
			o--;
		nr_free[o]++;
		heads[o][start - zstart] = 1;
		start += 1ul << o;
	}
}

static void assert_maximal_blocks(const struct zone *z)
{
	struct snapshot got, want;
	unsigned int o;

	snap_take(z, &got);
	memset(&want, 0, sizeof(want));
	want.n = z->spanned_pages;
	want.nr_free_pages = z->spanned_pages;
	for (o = 0; o < MAX_ORDER; o++) {
		want.heads[o] = calloc(want.n ? want.n : 1, 1);
		assert_non_null(want.heads[o]);
	}
	expected_blocks(z->zone_start_pfn, zone_end_pfn(z), z->zone_start_pfn, want.nr_free, want.heads);
	snap_assert_equal(&got, &want);
	snap_free(&got);
	snap_free(&want);
}

/* ---- tests ---- */

static void test_init_all_reserved(void **state)
{
	struct test_zone t;

	(void)state;
	tz_init(&t, 0, 300);
	assert_int_equal(t.z.nr_free_pages, 0);
	assert_int_equal(t.z.managed_pages, 0);
	for (unsigned long i = 0; i < 300; i++) {
		assert_true(PageReserved(&t.map[i]));
		assert_int_equal(page_count(&t.map[i]), 1);
	}
	for (unsigned int o = 0; o < MAX_ORDER; o++)
		assert_null(__rmqueue(&t.z, o));
	assert_null(__rmqueue(&t.z, MAX_ORDER));
	tz_fini(&t);
}

static void test_free_range_maximal_blocks(void **state)
{
	static const struct {
		unsigned long start, n;
	} cases[] = {
		{ 0, 1 }, { 0, 1024 }, { 0, 1025 }, { 0, 5000 }, { 0, 16384 }, { 3, 1 },
		{ 1, 4095 }, { 1000, 3000 }, { 4095, 2050 }, { 0x12345, 77777 },
	};
	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct test_zone t;
		unsigned long n = cases[c].n;

		tz_init(&t, cases[c].start, n);
		zone_free_range(&t.z, cases[c].start, n);
		assert_int_equal(t.z.nr_free_pages, n);
		assert_int_equal(t.z.managed_pages, n);
		assert_int_equal(sum_over_orders(&t.z), n);
		assert_int_equal(check_zone(&t.z, NULL), n);
		assert_maximal_blocks(&t.z);
		for (unsigned long i = 0; i < n; i++)
			assert_false(PageReserved(&t.map[i]));
		tz_fini(&t);
	}
}

/* Freeing in pieces, in any order, ends with the same maximal blocks as at once. */
static void test_free_range_in_pieces(void **state)
{
	const unsigned long start = 777, n = 9000;
	struct test_zone t;
	unsigned long *cuts, ncuts = 0, pos;

	(void)state;
	tz_init(&t, start, n);
	cuts = calloc(n + 2, sizeof(*cuts));
	assert_non_null(cuts);
	rng_state = 0x9e3779b97f4a7c15ull;
	/* Random pieces, then freed back to front. */
	for (pos = start; pos < start + n;) {
		unsigned long len = 1 + rnd() % 700;

		cuts[ncuts++] = pos;
		pos = min(pos + len, start + n);
	}
	cuts[ncuts] = start + n;
	for (unsigned long i = ncuts; i-- > 0;) {
		zone_free_range(&t.z, cuts[i], cuts[i + 1] - cuts[i]);
		assert_int_equal(sum_over_orders(&t.z), t.z.nr_free_pages);
	}
	assert_int_equal(t.z.nr_free_pages, n);
	check_zone(&t.z, NULL);
	assert_maximal_blocks(&t.z);
	/* A range reaching past the zone is clipped to it. */
	free(cuts);
	tz_fini(&t);

	tz_init(&t, 100, 200);
	zone_free_range(&t.z, 0, 1000);
	assert_int_equal(t.z.nr_free_pages, 200);
	assert_int_equal(t.z.managed_pages, 200);
	assert_maximal_blocks(&t.z);
	tz_fini(&t);
}

/* expand(): one order-0 allocation from a single order-10 block leaves one block of each lower order. */
static void test_split(void **state)
{
	struct test_zone t;
	struct page *p;

	(void)state;
	tz_init(&t, 2048, 1024);
	zone_free_range(&t.z, 2048, 1024);
	assert_int_equal(t.z.free_area[10].nr_free, 1);
	p = __rmqueue(&t.z, 0);
	assert_non_null(p);
	assert_int_equal(zone_page_to_pfn(&t.z, p), 2048);
	assert_false(PageBuddy(p));
	assert_int_equal(t.z.nr_free_pages, 1023);
	for (unsigned int o = 0; o < 10; o++) {
		struct page *head = list_first_entry(&t.z.free_area[o].free_list, struct page, lru);

		assert_int_equal(t.z.free_area[o].nr_free, 1);
		assert_int_equal(zone_page_to_pfn(&t.z, head), 2048 + (1ul << o));
	}
	assert_int_equal(t.z.free_area[10].nr_free, 0);
	check_zone(&t.z, NULL);
	__free_one_page(&t.z, p, 2048, 0);
	assert_int_equal(t.z.free_area[10].nr_free, 1);
	assert_int_equal(t.z.nr_free_pages, 1024);
	check_zone(&t.z, NULL);
	tz_fini(&t);
}

struct alloc {
	unsigned long pfn;
	unsigned int order;
};

/*
 * Random allocate/free sequences against bitmap bookkeeping; then free
 * everything and require the initial free lists back exactly.
 */
static void random_ops(unsigned long start, unsigned long n, uint64_t seed, unsigned long ops)
{
	struct test_zone t;
	struct snapshot initial, final;
	uint8_t *allocated = calloc(n, 1);
	struct alloc *live = calloc(n, sizeof(*live));
	unsigned long nlive = 0, in_use = 0, nalloc = 0, nfail = 0;

	assert_non_null(allocated);
	assert_non_null(live);
	rng_state = seed;
	tz_init(&t, start, n);
	zone_free_range(&t.z, start, n);
	check_zone(&t.z, NULL);
	snap_take(&t.z, &initial);

	for (unsigned long op = 0; op < ops; op++) {
		uint64_t r = rnd();
		/* Drift between filling up and draining, so both full and empty zones are visited. */
		bool want_alloc = nlive == 0 || (r % 100) < ((op / 5000) % 2 ? 35 : 65);

		if (want_alloc) {
			/* Mostly small orders, sometimes large ones. */
			unsigned int order = (unsigned int)(rnd() % 100 < 80 ? rnd() % 3 : rnd() % MAX_ORDER);
			bool fits = false;
			struct page *p;

			for (unsigned int o = order; o < MAX_ORDER; o++)
				fits |= t.z.free_area[o].nr_free != 0;
			p = __rmqueue(&t.z, order);
			if (!p) {
				assert_false(fits);
				nfail++;
			} else {
				unsigned long pfn = zone_page_to_pfn(&t.z, p), idx = pfn - start;

				assert_true(fits);
				assert_int_equal(pfn & ((1ul << order) - 1), 0);
				assert_true(pfn + (1ul << order) <= start + n);
				assert_false(PageBuddy(p));
				for (unsigned long i = 0; i < (1ul << order); i++) {
					assert_false(allocated[idx + i]); /* never handed out twice */
					allocated[idx + i] = 1;
				}
				live[nlive].pfn = pfn;
				live[nlive].order = order;
				nlive++;
				in_use += 1ul << order;
				nalloc++;
			}
		} else {
			unsigned long k = rnd() % nlive;
			struct alloc a = live[k];
			unsigned long idx = a.pfn - start;

			live[k] = live[--nlive];
			for (unsigned long i = 0; i < (1ul << a.order); i++)
				allocated[idx + i] = 0;
			__free_one_page(&t.z, zone_pfn_to_page(&t.z, a.pfn), a.pfn, a.order);
			in_use -= 1ul << a.order;
		}
		assert_int_equal(t.z.nr_free_pages, sum_over_orders(&t.z));
		assert_int_equal(t.z.nr_free_pages + in_use, n);
		if (op % 4096 == 0)
			check_zone(&t.z, allocated);
	}
	check_zone(&t.z, allocated);
	/* Both outcomes were exercised. */
	assert_true(nalloc > ops / 4);
	assert_true(nfail > 0);

	/* Free everything, in random order (live[] is already shuffled by swap-removal). */
	while (nlive) {
		unsigned long k = rnd() % nlive;
		struct alloc a = live[k];

		live[k] = live[--nlive];
		__free_one_page(&t.z, zone_pfn_to_page(&t.z, a.pfn), a.pfn, a.order);
		assert_int_equal(t.z.nr_free_pages, sum_over_orders(&t.z));
	}
	assert_int_equal(t.z.nr_free_pages, n);
	check_zone(&t.z, NULL);
	snap_take(&t.z, &final);
	snap_assert_equal(&initial, &final);
	assert_maximal_blocks(&t.z);

	snap_free(&initial);
	snap_free(&final);
	free(allocated);
	free(live);
	tz_fini(&t);
}

static void test_random_ops(void **state)
{
	(void)state;
	random_ops(0, 8192, 0x1234abcd5678ef01ull, 100000);
}

static void test_random_ops_unaligned_zone(void **state)
{
	(void)state;
	/* Starts and ends off any large alignment: blocks of every order at the edges. */
	random_ops(4093, 6151, 0xfeedface0badf00dull, 100000);
}

static void test_fragmentation(void **state)
{
	const unsigned long n = 4096;
	struct test_zone t;
	struct snapshot initial, s1, s2;
	unsigned long i;

	(void)state;
	tz_init(&t, 0, n);
	zone_free_range(&t.z, 0, n);
	snap_take(&t.z, &initial);
	for (i = 0; i < n; i++) {
		struct page *p = __rmqueue(&t.z, 0);

		assert_non_null(p);
		assert_int_equal(page_count(p), 0);
	}
	assert_int_equal(t.z.nr_free_pages, 0);
	assert_null(__rmqueue(&t.z, 0));
	/* Free every other page: half the memory free, nothing above order 0. */
	for (i = 0; i < n; i += 2)
		__free_one_page(&t.z, zone_pfn_to_page(&t.z, i), i, 0);
	assert_int_equal(t.z.nr_free_pages, n / 2);
	assert_int_equal(t.z.free_area[0].nr_free, n / 2);
	check_zone(&t.z, NULL);
	snap_take(&t.z, &s1);
	for (unsigned int o = 1; o < MAX_ORDER; o++)
		assert_null(__rmqueue(&t.z, o)); /* order 10 (and every order > 0) fails cleanly */
	assert_null(__rmqueue(&t.z, MAX_ORDER));
	snap_take(&t.z, &s2);
	snap_assert_equal(&s1, &s2); /* failed attempts changed nothing */
	/* The other half frees back into the original blocks. */
	for (i = 1; i < n; i += 2)
		__free_one_page(&t.z, zone_pfn_to_page(&t.z, i), i, 0);
	snap_free(&s2);
	snap_take(&t.z, &s2);
	snap_assert_equal(&initial, &s2);
	assert_non_null(__rmqueue(&t.z, 10));
	snap_free(&initial);
	snap_free(&s1);
	snap_free(&s2);
	tz_fini(&t);
}

/*
 * Two adjacent zones over one mem_map, the boundary at pfn 1000 (not aligned
 * beyond 8): blocks 992..999 (zone A) and 1000..1007 (zone B) are buddies by
 * pfn, but merging must not cross the zones.
 */
static void test_zone_boundary(void **state)
{
	const unsigned long split = 1000, total = 4096;
	struct page *map = calloc(total, sizeof(struct page));
	struct zone a, b;
	struct snapshot a0, b0, a1, b1;
	struct page *p;

	(void)state;
	assert_non_null(map);
	zone_init(&a, "DMA", 0, split, map);
	zone_init(&b, "Normal", split, total - split, map + split);
	zone_free_range(&a, 0, split);
	zone_free_range(&b, split, total - split);
	assert_int_equal(a.nr_free_pages, split);
	assert_int_equal(b.nr_free_pages, total - split);
	check_zone(&a, NULL);
	check_zone(&b, NULL);
	assert_maximal_blocks(&a);
	assert_maximal_blocks(&b);
	/* The two order-3 buddies straddling the boundary stay apart. */
	assert_true(PageBuddy(&map[992]) && buddy_order(&map[992]) == 3);
	assert_true(PageBuddy(&map[1000]) && buddy_order(&map[1000]) == 3);
	/* B's largest blocks are aligned on the absolute pfn, not relative to its start. */
	assert_true(PageBuddy(&map[1024]) && buddy_order(&map[1024]) == 10);
	snap_take(&a, &a0);
	snap_take(&b, &b0);

	/* Empty both zones page by page, then free every page, alternating zones. */
	for (unsigned long i = 0; i < total; i++) {
		struct zone *z = i < split ? &a : &b;

		p = __rmqueue(z, 0);
		assert_non_null(p);
		assert_true(zone_spans_pfn(z, zone_page_to_pfn(z, p)));
	}
	assert_null(__rmqueue(&a, 0));
	assert_null(__rmqueue(&b, 0));
	for (unsigned long k = 0; k < total; k++) {
		/* pfns 992..1007 first, from both sides, then the rest. */
		unsigned long pfn = k < 16 ? 992 + (k % 2 ? 8 + k / 2 : k / 2) : (k - 16 < 992 ? k - 16 : k);
		struct zone *z = pfn < split ? &a : &b;

		__free_one_page(z, &map[pfn], pfn, 0);
		assert_int_equal(z->nr_free_pages, sum_over_orders(z));
	}
	assert_int_equal(a.nr_free_pages, split);
	assert_int_equal(b.nr_free_pages, total - split);
	check_zone(&a, NULL);
	check_zone(&b, NULL);
	assert_true(PageBuddy(&map[992]) && buddy_order(&map[992]) == 3);
	assert_true(PageBuddy(&map[1000]) && buddy_order(&map[1000]) == 3);
	snap_take(&a, &a1);
	snap_take(&b, &b1);
	snap_assert_equal(&a0, &a1);
	snap_assert_equal(&b0, &b1);
	snap_free(&a0);
	snap_free(&b0);
	snap_free(&a1);
	snap_free(&b1);
	free(map);
}

/*
 * A zone alone, starting at an unaligned pfn, with random alloc/free traffic:
 * nothing ever lands outside it, and freeing all restores its initial blocks
 * (covered by random_ops); here, also that a block at the zone's first pfn
 * does not look for a buddy below it.
 */
static void test_zone_not_at_zero(void **state)
{
	struct test_zone t;
	struct page *pages[8];
	unsigned long i;

	(void)state;
	tz_init(&t, 1028, 4); /* 1028..1031: one order-2 block; its order-2 buddy 1024 is outside */
	zone_free_range(&t.z, 1028, 4);
	assert_int_equal(t.z.free_area[2].nr_free, 1);
	for (i = 0; i < 4; i++) {
		pages[i] = __rmqueue(&t.z, 0);
		assert_non_null(pages[i]);
	}
	assert_null(__rmqueue(&t.z, 0));
	for (i = 0; i < 4; i++)
		__free_one_page(&t.z, pages[i], zone_page_to_pfn(&t.z, pages[i]), 0);
	assert_int_equal(t.z.free_area[2].nr_free, 1);
	assert_int_equal(t.z.nr_free_pages, 4);
	check_zone(&t.z, NULL);
	tz_fini(&t);
}

/* ---- deferred struct page init ---- */

/* Poison: as a struct page it reads PG_buddy with a wild order and list pointers. */
#define POISON 0xa5

struct deferred_zone {
	struct test_zone t;
	unsigned long dstart, dend;
};

static void dz_init(struct deferred_zone *d, unsigned long start, unsigned long n, unsigned long dstart,
		    unsigned long dend)
{
	d->t.map = malloc((n ? n : 1) * sizeof(struct page));
	assert_non_null(d->t.map);
	memset(d->t.map, POISON, n * sizeof(struct page));
	zone_init_deferred(&d->t.z, "Test", start, n, d->t.map, dstart, dend - dstart);
	d->dstart = dstart;
	d->dend = dend;
}

/* The free lists are those of the same zone with its deferred range freed at boot. */
static void assert_same_as_eager(const struct deferred_zone *d)
{
	struct test_zone eager;
	struct snapshot a, b;

	tz_init(&eager, d->t.z.zone_start_pfn, d->t.z.spanned_pages);
	zone_free_range(&eager.z, d->dstart, d->dend - d->dstart);
	snap_take(&d->t.z, &a);
	snap_take(&eager.z, &b);
	snap_assert_equal(&a, &b);
	snap_free(&a);
	snap_free(&b);
	tz_fini(&eager);
}

static bool poisoned(const struct page *p)
{
	for (size_t i = 0; i < sizeof(*p); i++)
		if (((const uint8_t *)p)[i] != POISON)
			return false;
	return true;
}

/* zone_init_deferred writes every struct page but the deferred ones; the range is clipped to the zone. */
static void test_deferred_init_leaves_range_alone(void **state)
{
	(void)state;
	struct deferred_zone d;
	unsigned long start = 100, n = 5000;

	dz_init(&d, start, n, 50, 4800); /* starts before the zone: clipped to 100 */
	assert_int_equal(d.t.z.first_deferred_pfn, 100);
	assert_int_equal(d.t.z.deferred_end_pfn, 4800);
	assert_int_equal(zone_deferred_pages(&d.t.z), 4700);
	assert_int_equal(d.t.z.nr_free_pages, 0);
	assert_int_equal(d.t.z.managed_pages, 0);
	for (unsigned long pfn = start; pfn < start + n; pfn++) {
		const struct page *p = zone_pfn_to_page(&d.t.z, pfn);
		if (pfn < 4800) {
			assert_true(poisoned(p));
		} else {
			assert_true(PageReserved(p));
			assert_int_equal(page_count(p), 1);
		}
	}
	tz_fini(&d.t);

	/* A range outside the zone defers nothing. */
	dz_init(&d, start, n, 6000, 7000);
	assert_int_equal(zone_deferred_pages(&d.t.z), 0);
	tz_fini(&d.t);
}

/* Growing chunk by chunk, in requests of any size, ends where freeing it all at boot does. */
static void test_deferred_grow_matches_eager(void **state)
{
	(void)state;
	const unsigned long start = 4093, n = 9000, dstart = 4500, dend = 12800;
	struct deferred_zone d;

	rng_state = 0x0ddba11cafef00dull;
	dz_init(&d, start, n, dstart, dend);
	unsigned long left = dend - dstart, steps = 0;
	while (zone_deferred_pages(&d.t.z)) {
		unsigned long first = d.t.z.first_deferred_pfn, want = 1 + rnd() % 1500;
		unsigned long got = deferred_init_memmap_chunk(&d.t.z, want);

		assert_true(got >= min(want, left)); /* at least what was asked, while any is left */
		/* whole chunks: it stops only at a MAX_ORDER_NR_PAGES boundary or the end */
		assert_true(d.t.z.first_deferred_pfn == dend || d.t.z.first_deferred_pfn % MAX_ORDER_NR_PAGES == 0);
		assert_int_equal(d.t.z.first_deferred_pfn, first + got);
		left -= got;
		assert_int_equal(zone_deferred_pages(&d.t.z), left);
		assert_int_equal(d.t.z.managed_pages, dend - dstart - left);
		assert_int_equal(check_zone(&d.t.z, NULL), dend - dstart - left);
		steps++;
	}
	assert_true(steps > 3);
	assert_int_equal(deferred_init_memmap_chunk(&d.t.z, 1), 0); /* nothing left */

	assert_same_as_eager(&d);
	tz_fini(&d.t);
}

/*
 * Allocation and freeing interleaved with growth, as __rmqueue_grow does it: blocks
 * next to the deferred part merge only with initialised frames (the poison would
 * corrupt the lists if one were read), nothing is handed out twice, and once all is
 * grown and freed the lists are the maximal blocks.
 */
static void test_deferred_interleaved_ops(void **state)
{
	(void)state;
	const unsigned long start = 0, n = 8192, dstart = 700, dend = 8192;
	struct deferred_zone d;
	uint8_t *allocated = calloc(n, 1);
	struct alloc *live = calloc(n, sizeof(*live));
	unsigned long nlive = 0, grows = 0;

	assert_non_null(allocated);
	assert_non_null(live);
	rng_state = 0xabad1deaull;
	dz_init(&d, start, n, dstart, dend);
	/* the frames below the deferred part are "the kernel": reserved, never freed */
	for (unsigned long op = 0; op < 60000; op++) {
		if (nlive == 0 || rnd() % 100 < 60) {
			unsigned int order = (unsigned int)(rnd() % 100 < 80 ? rnd() % 3 : rnd() % MAX_ORDER);
			struct page *p;

			while (!(p = __rmqueue(&d.t.z, order)) && deferred_init_memmap_chunk(&d.t.z, 1ul << order))
				grows++;
			if (!p)
				continue;
			unsigned long pfn = zone_page_to_pfn(&d.t.z, p);
			assert_true(pfn >= dstart && pfn < d.t.z.first_deferred_pfn);
			for (unsigned long i = 0; i < (1ul << order); i++) {
				assert_false(allocated[pfn + i]);
				allocated[pfn + i] = 1;
			}
			live[nlive++] = (struct alloc){ .pfn = pfn, .order = order };
		} else {
			unsigned long k = rnd() % nlive;
			struct alloc a = live[k];

			live[k] = live[--nlive];
			memset(allocated + a.pfn, 0, 1ul << a.order);
			__free_one_page(&d.t.z, zone_pfn_to_page(&d.t.z, a.pfn), a.pfn, a.order);
		}
		if (op % 2048 == 0)
			check_zone(&d.t.z, allocated);
	}
	assert_int_equal(zone_deferred_pages(&d.t.z), 0); /* the workload outgrew it */
	assert_true(grows >= (dend - dstart) / MAX_ORDER_NR_PAGES);
	while (nlive) {
		struct alloc a = live[--nlive];
		__free_one_page(&d.t.z, zone_pfn_to_page(&d.t.z, a.pfn), a.pfn, a.order);
	}
	assert_int_equal(check_zone(&d.t.z, NULL), dend - dstart);
	assert_same_as_eager(&d);
	free(allocated);
	free(live);
	tz_fini(&d.t);
}

static void test_double_free_caught(void **state)
{
	struct test_zone t;
	struct page *p;

	(void)state;
	tz_init(&t, 0, 64);
	zone_free_range(&t.z, 0, 64);
	p = __rmqueue(&t.z, 2);
	assert_non_null(p);
	__free_one_page(&t.z, p, zone_page_to_pfn(&t.z, p), 2);
	expect_assert_failure(__free_one_page(&t.z, p, zone_page_to_pfn(&t.z, p), 6));
	/* A misaligned block is refused too. */
	assert_non_null(__rmqueue(&t.z, 0)); /* pfn 0 */
	p = __rmqueue(&t.z, 0);              /* pfn 1 */
	assert_int_equal(zone_page_to_pfn(&t.z, p), 1);
	expect_assert_failure(__free_one_page(&t.z, p, 1, 3));
	/* A block reaching past the zone's end is refused. */
	expect_assert_failure(__free_one_page(&t.z, &t.map[0], 0, 7));
	tz_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_all_reserved),
		cmocka_unit_test(test_free_range_maximal_blocks),
		cmocka_unit_test(test_free_range_in_pieces),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_random_ops),
		cmocka_unit_test(test_random_ops_unaligned_zone),
		cmocka_unit_test(test_fragmentation),
		cmocka_unit_test(test_zone_boundary),
		cmocka_unit_test(test_zone_not_at_zero),
		cmocka_unit_test(test_double_free_caught),
		cmocka_unit_test(test_deferred_init_leaves_range_alone),
		cmocka_unit_test(test_deferred_grow_matches_eager),
		cmocka_unit_test(test_deferred_interleaved_ops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
