/*
 * The adaptive polling window (include/vmsweep/poll_window.h) that the guest's hybrid
 * completions and the host's queue threads share: cpuidle-haltpoll's rules, checked
 * with worked numbers. A window that never grew would poll fast disks too briefly (every
 * completion a halt and an interrupt); one that never shrank would burn a CPU for each
 * I/O of a slow disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <vmsweep/poll_window.h>

#define US 1000ull

static void test_starts_at_a_quarter(void **state)
{
	struct vms_poll_window w;
	(void)state;

	vms_poll_window_init(&w, 500 * US);
	assert_int_equal(w.ns, 125 * US);
	assert_int_equal(w.limit_ns, 500 * US);
	vms_poll_window_init(&w, 0);
	assert_int_equal(w.ns, 0); /* a limit of 0: never poll */
}

/* A wait the window covered changes nothing. */
static void test_covered_wait_keeps_it(void **state)
{
	struct vms_poll_window w;
	(void)state;

	vms_poll_window_init(&w, 500 * US);
	vms_poll_window_adjust(&w, 40 * US);
	assert_int_equal(w.ns, 125 * US);
	vms_poll_window_adjust(&w, 125 * US);
	assert_int_equal(w.ns, 125 * US);
}

/* Waits longer than the window but within the limit double it, up to the limit. */
static void test_grows_to_the_limit(void **state)
{
	struct vms_poll_window w;
	(void)state;

	vms_poll_window_init(&w, 500 * US);
	vms_poll_window_adjust(&w, 200 * US);
	assert_int_equal(w.ns, 250 * US);
	vms_poll_window_adjust(&w, 300 * US);
	assert_int_equal(w.ns, 500 * US);
	vms_poll_window_adjust(&w, 499 * US);
	assert_int_equal(w.ns, 500 * US);
}

/* Waits longer than the limit halve it, and under 1 us it is none; a short wait after
 * that grows it straight back to a quarter of the limit. */
static void test_shrinks_to_none_and_back(void **state)
{
	struct vms_poll_window w;
	unsigned halvings = 0;
	(void)state;

	vms_poll_window_init(&w, 500 * US);
	while (w.ns) {
		uint64_t before = w.ns;
		vms_poll_window_adjust(&w, 2000 * US); /* a 2 ms disk */
		assert_true(w.ns == before / 2 || (w.ns == 0 && before / 2 < US));
		halvings++;
	}
	assert_int_equal(halvings, 7); /* 125 us -> 62.5 .. 1.95 -> 0.98 us: none */
	vms_poll_window_adjust(&w, 2000 * US);
	assert_int_equal(w.ns, 0);
	vms_poll_window_adjust(&w, 100 * US);
	assert_int_equal(w.ns, 125 * US);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starts_at_a_quarter),
		cmocka_unit_test(test_covered_wait_keeps_it),
		cmocka_unit_test(test_grows_to_the_limit),
		cmocka_unit_test(test_shrinks_to_none_and_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
