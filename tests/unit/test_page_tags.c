/*
 * The page cache's dirty tags (guest/mm/page_tags.c), compiled here with a host shim:
 * fsync finds every tagged page once, in index order, in batches of any size; a page
 * tagged again behind the cursor (still under writeback) is found by the next pass,
 * not lost, which a summary bit cleared with tags left in its word would do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define PAGE_TAGS_HOST_SHIM
struct address_space {
	unsigned long *dirty_tags, *dirty_summary;
	unsigned long tag_pages;
};
#define kzalloc(n) calloc(1, (n))
#define kfree free
bool mapping_tags_init(struct address_space *m, unsigned long pages);
void mapping_tag_dirty(struct address_space *m, unsigned long index);
unsigned mapping_take_tagged(struct address_space *m, unsigned long *pos, unsigned long *out, unsigned max);
unsigned long mapping_tagged_end(struct address_space *m);
#include "../../guest/mm/page_tags.c"

#define PAGES (70u * 64 * 64 + 13) /* summary words beyond one, a part word at the end */

static void mapping_free(struct address_space *m)
{
	free(m->dirty_tags);
	free(m->dirty_summary);
}

/* One whole pass in batches of max: the indexes, in order, into got; how many. */
static unsigned take_all(struct address_space *m, unsigned max, unsigned long *got)
{
	unsigned long pos = 0, batch[97];
	unsigned n = 0, k;
	while ((k = mapping_take_tagged(m, &pos, batch, max))) {
		memcpy(got + n, batch, k * sizeof(*batch));
		n += k;
	}
	return n;
}

static void test_every_tag_once_in_order(void **state)
{
	static const unsigned batches[] = { 1, 3, 64, 97 };
	(void)state;

	for (size_t b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
		struct address_space m = { 0 };
		unsigned long *want = calloc(PAGES, sizeof(*want)), *got = calloc(PAGES, sizeof(*got));
		unsigned nw = 0;
		assert_true(mapping_tags_init(&m, PAGES));
		srand(7 + (unsigned)b);
		for (unsigned long i = 0; i < PAGES; i++)
			if (rand() % 37 == 0 || i == 0 || i == PAGES - 1 || (i >= 4096 && i < 4096 + 130))
				want[nw++] = i;
		for (unsigned i = nw; i-- > 0;) /* tagged out of order, some twice */
			mapping_tag_dirty(&m, want[i]);
		mapping_tag_dirty(&m, want[nw / 2]);
		mapping_tag_dirty(&m, PAGES); /* past the disk: ignored */
		assert_int_equal(take_all(&m, batches[b], got), nw);
		assert_memory_equal(got, want, nw * sizeof(*want));
		assert_int_equal(take_all(&m, batches[b], got), 0); /* taken: untagged */
		mapping_free(&m);
		free(want);
		free(got);
	}
}

/* fsync tags again what is still dirty or under writeback, behind its cursor. */
static void test_tagged_again_is_found_next_pass(void **state)
{
	struct address_space m = { 0 };
	unsigned long pos = 0, batch[4], got[16];
	(void)state;

	assert_true(mapping_tags_init(&m, PAGES));
	for (unsigned long i = 10; i < 20; i++)
		mapping_tag_dirty(&m, i);
	assert_int_equal(mapping_take_tagged(&m, &pos, batch, 4), 4); /* 10..13 */
	for (unsigned i = 0; i < 4; i++)
		mapping_tag_dirty(&m, batch[i]); /* under writeback: tagged again */
	unsigned n = 4;
	while (n < 10)
		n += mapping_take_tagged(&m, &pos, batch, 4);
	assert_int_equal(n, 10);
	assert_int_equal(mapping_take_tagged(&m, &pos, batch, 4), 0); /* the pass is over */
	assert_int_equal(take_all(&m, 16, got), 4); /* the next pass finds 10..13 */
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(got[i], 10 + i);
	mapping_free(&m);
}

/* A data-integrity pass stops one past the highest tag at its start (TOWRITE's bound). */
static void test_tagged_end(void **state)
{
	struct address_space m = { 0 };
	(void)state;

	assert_true(mapping_tags_init(&m, PAGES));
	assert_int_equal(mapping_tagged_end(&m), 0);
	mapping_tag_dirty(&m, 5);
	assert_int_equal(mapping_tagged_end(&m), 6);
	mapping_tag_dirty(&m, 64 * 64 + 63); /* the last bit of a word, past the first summary word */
	assert_int_equal(mapping_tagged_end(&m), 64 * 64 + 64);
	mapping_tag_dirty(&m, PAGES - 1);
	assert_int_equal(mapping_tagged_end(&m), PAGES);
	unsigned long pos = PAGES - 1, got;
	assert_int_equal(mapping_take_tagged(&m, &pos, &got, 1), 1); /* taken: the end moves back */
	assert_int_equal(mapping_tagged_end(&m), 64 * 64 + 64);
	mapping_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_tag_once_in_order),
		cmocka_unit_test(test_tagged_again_is_found_next_pass),
		cmocka_unit_test(test_tagged_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
