/*
 * Host-side tests of CFQ's request choice (guest/block/cfq_choose.c, after
 * block/cfq-iosched.c's cfq_choose_req): worked cases of the forward, backward and
 * wrapped distances, and ten sequential writers' writeback in one async queue, which
 * the disk must get in runs (a few seeks), not in arrival order (a seek per request):
 * the 3.2 block layer under Wu's ten-dd IO-less table (issue #15).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../guest/block/cfq_choose.c"

static void test_choose_worked(void **state)
{
	(void)state;
	/* forward: the nearer first */
	assert_true(cfq_choose_first(1100, 1500, 1000));
	assert_false(cfq_choose_first(1500, 1100, 1000));
	/* backward costs twice its distance: 100 back (200) loses to 150 ahead, beats 250 */
	assert_false(cfq_choose_first(900, 1150, 1000));
	assert_true(cfq_choose_first(900, 1250, 1000));
	/* more than 16 MiB back wraps: any other goes first, even far ahead */
	assert_false(cfq_choose_first(1000000 - CFQ_BACK_MAX_SECTORS - 1, 9000000, 1000000));
	assert_true(cfq_choose_first(9000000, 1000000 - CFQ_BACK_MAX_SECTORS - 1, 1000000));
	/* both wrapped: the lower first (one back seek) */
	assert_true(cfq_choose_first(10, 20, 1000000));
	/* a tie: the higher sector */
	assert_true(cfq_choose_first(1100, 950, 1000));
	assert_false(cfq_choose_first(950, 1100, 1000));
	/* the head's own position: distance 0 */
	assert_int_equal(cfq_pick((uint64_t[]){ 5000, 3000, 4096, 7000 }, 4, 4096), 2);
}

#define FILES 10
#define SLICE 64 /* sectors a flusher pass finds dirty in each file: 32 KiB */
#define DEPTH 40 /* async requests waiting in the elevator */

/*
 * Ten files 50 MiB apart, each appended by its writer; the flusher's passes submit a
 * slice of each in turn (file 0, 1, ... 9, 0, ...), so the queue holds their slices
 * interleaved. The disk takes one request at a time (cfq_quantum aside) and a new
 * slice arrives for each one it takes. Counted: requests that do not start where the
 * previous one ended (seeks).
 */
static unsigned seeks_of_ten_writers(unsigned dispatches)
{
	uint64_t q[DEPTH], next[FILES], last = 0;
	unsigned n = 0, f = 0, seeks = 0;

	for (unsigned i = 0; i < FILES; i++)
		next[i] = (uint64_t)i * 102400; /* 50 MiB apart, in sectors */
	while (n < DEPTH) {
		q[n++] = next[f];
		next[f] += SLICE;
		f = (f + 1) % FILES;
	}
	for (unsigned d = 0; d < dispatches; d++) {
		size_t i = cfq_pick(q, n, last);
		if (d && q[i] != last)
			seeks++;
		last = q[i] + SLICE;
		q[i] = next[f]; /* the next slice arrives in its place */
		next[f] += SLICE;
		f = (f + 1) % FILES;
	}
	return seeks;
}

static void test_ten_writers_in_runs(void **state)
{
	(void)state;
	/* In arrival order every request seeks (999 of 1000); sorted, the head stays in a
	 * file while its slices wait and moves on in one direction: at most one seek in 4. */
	unsigned seeks = seeks_of_ten_writers(1000);
	printf("ten writers, 1000 requests: %u seeks\n", seeks);
	assert_true(seeks <= 250);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choose_worked),
		cmocka_unit_test(test_ten_writers_in_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
