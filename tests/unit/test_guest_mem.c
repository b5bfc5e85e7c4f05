/*
 * Guest RAM (harness/vmm/guest_mem.h): gmem_ptr is the one gate for every host access
 * on the guest's behalf, so it must refuse any range with a byte outside RAM,
 * including ranges whose end wraps around 2^64; gmem_alloc gives zeroed, writable
 * memory with and without pre-faulting, and gmem_free leaves an empty guest_mem.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "vmm/guest_mem.h"

#define MIB (1ull << 20)

/* gmem_ptr only does arithmetic on host: a fake RAM of 1 MiB at a real buffer. */
static uint8_t fake_ram[1 << 20];
static const struct guest_mem fake = { .host = fake_ram, .size = sizeof(fake_ram) };
#define SZ ((uint64_t)sizeof(fake_ram))

static void test_ptr_in_range_points_at_the_guest_address(void **state)
{
	assert_ptr_equal(gmem_ptr(&fake, 0, 1), fake_ram);
	assert_ptr_equal(gmem_ptr(&fake, 0, SZ), fake_ram); /* all of RAM */
	assert_ptr_equal(gmem_ptr(&fake, 0x1000, 0x100), fake_ram + 0x1000);
	assert_ptr_equal(gmem_ptr(&fake, 12345, 8), fake_ram + 12345);
}

static void test_ptr_last_byte_is_in_and_one_past_the_end_is_out(void **state)
{
	assert_ptr_equal(gmem_ptr(&fake, SZ - 1, 1), fake_ram + SZ - 1);
	assert_ptr_equal(gmem_ptr(&fake, SZ - 8, 8), fake_ram + SZ - 8);
	assert_null(gmem_ptr(&fake, SZ, 1));
	assert_null(gmem_ptr(&fake, SZ - 1, 2)); /* straddles the end */
	assert_null(gmem_ptr(&fake, SZ - 8, 9));
	assert_null(gmem_ptr(&fake, 0, SZ + 1));
	assert_null(gmem_ptr(&fake, SZ + 4096, 1));
}

static void test_ptr_len_0_at_the_end_is_allowed_past_it_is_not(void **state)
{
	/* An empty range ending at the end of RAM is inside it. */
	assert_ptr_equal(gmem_ptr(&fake, SZ, 0), fake_ram + SZ);
	assert_ptr_equal(gmem_ptr(&fake, 0, 0), fake_ram);
	assert_null(gmem_ptr(&fake, SZ + 1, 0));
	assert_null(gmem_ptr(&fake, UINT64_MAX, 0));
}

static void test_ptr_refuses_ranges_whose_end_wraps_around(void **state)
{
	/* gpa + len overflows 64 bits to a small number: must not pass as "in RAM". */
	assert_null(gmem_ptr(&fake, UINT64_MAX - 1, 4));
	assert_null(gmem_ptr(&fake, UINT64_MAX, 1));
	assert_null(gmem_ptr(&fake, UINT64_MAX, 2));
	assert_null(gmem_ptr(&fake, UINT64_MAX - 0xfff, 0x2000)); /* end wraps to 0x1000 */
	assert_null(gmem_ptr(&fake, 1ull << 63, 1ull << 63)); /* end wraps to exactly 0 */
}

static void test_ptr_refuses_huge_lengths(void **state)
{
	assert_null(gmem_ptr(&fake, 0, UINT64_MAX));
	assert_null(gmem_ptr(&fake, 1, UINT64_MAX));
	assert_null(gmem_ptr(&fake, 0x1000, UINT64_MAX - 0x1000 + 1)); /* end wraps to 0 */
	assert_null(gmem_ptr(&fake, 0x1000, UINT64_MAX - 0x800)); /* end wraps into RAM */
	assert_null(gmem_ptr(&fake, 0, 1ull << 40));
}

static void test_ptr_of_an_empty_guest_mem_refuses_any_byte(void **state)
{
	struct guest_mem none = { 0 };

	assert_null(gmem_ptr(&none, 0, 1));
	assert_null(gmem_ptr(&none, 1, 0));
	assert_null(gmem_ptr(&none, UINT64_MAX, 2));
}

/* ---- gmem_alloc / gmem_free ---- */

static void alloc_is_zeroed_and_writable(bool prefault)
{
	struct guest_mem m = { (uint8_t *)1, 1, !prefault, true }; /* stale values: alloc sets them all */
	char err[256] = "";
	const uint64_t size = 4 * MIB;

	if (gmem_alloc(&m, size, prefault, err, sizeof(err)) != 0)
		fail_msg("gmem_alloc(4 MiB, prefault=%d): %s", prefault, err);
	assert_non_null(m.host);
	assert_int_equal(m.size, size);
	/* populated tells the disk engines whether pinning the RAM would populate it. */
	assert_int_equal(m.populated, prefault);
	assert_false(m.huge);
	for (uint64_t i = 0; i < size; i++)
		if (m.host[i])
			fail_msg("byte %llu of new guest RAM is 0x%02x", (unsigned long long)i, m.host[i]);
	/* Writable throughout, and gmem_ptr serves the whole range. */
	for (uint64_t off = 0; off < size; off += 4096)
		m.host[off] = (uint8_t)(off >> 12);
	m.host[size - 1] = 0xab;
	assert_ptr_equal(gmem_ptr(&m, size - 1, 1), m.host + size - 1);
	assert_int_equal(*(uint8_t *)gmem_ptr(&m, size - 1, 1), 0xab);
	assert_int_equal(*(uint8_t *)gmem_ptr(&m, 5 * 4096, 1), 5);
	assert_null(gmem_ptr(&m, size, 1));

	gmem_free(&m);
	assert_null(m.host);
	assert_int_equal(m.size, 0);
	assert_false(m.populated);
	assert_null(gmem_ptr(&m, 0, 1));
	/* Freeing twice is harmless (error paths free what may not be there). */
	gmem_free(&m);
	assert_null(m.host);
	assert_int_equal(m.size, 0);
}

static void test_alloc_with_prefault_is_zeroed_and_writable(void **state)
{
	alloc_is_zeroed_and_writable(true);
}

static void test_alloc_without_prefault_is_zeroed_and_writable(void **state)
{
	alloc_is_zeroed_and_writable(false);
}

static void test_alloc_with_prefault_refuses_more_than_the_host_has(void **state)
{
	struct guest_mem m;
	char err[256] = "";

	/* 1 PiB: no test machine has it available. The message points at the way out. */
	assert_int_equal(gmem_alloc(&m, 1ull << 50, true, err, sizeof(err)), -1);
	assert_null(m.host);
	assert_int_equal(m.size, 0);
	assert_false(m.populated);
	assert_err_has(err, "--no-prefault");
}

/* --hugepages: a pool too small for the RAM says how many pages it takes and where to get them. */
static void test_alloc_huge_says_what_the_pool_lacks(void **state)
{
	struct guest_mem m;
	char err[256] = "";
	(void)state;

	assert_int_equal(gmem_alloc_huge(&m, 1ull << 50, err, sizeof(err)), -1); /* 1 PiB: no pool has it */
	assert_null(m.host);
	assert_false(m.huge);
	if (!strstr(err, "has no huge pages")) {
		assert_err_has(err, "huge pages of");
		assert_err_has(err, "vm.nr_hugepages");
	}
	assert_int_equal(gmem_alloc_huge(&m, (1ull << 30) + 4096, err, sizeof(err)), -1);
	if (!strstr(err, "has no huge pages"))
		assert_err_has(err, "not a whole number");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_huge_says_what_the_pool_lacks),
		cmocka_unit_test(test_ptr_in_range_points_at_the_guest_address),
		cmocka_unit_test(test_ptr_last_byte_is_in_and_one_past_the_end_is_out),
		cmocka_unit_test(test_ptr_len_0_at_the_end_is_allowed_past_it_is_not),
		cmocka_unit_test(test_ptr_refuses_ranges_whose_end_wraps_around),
		cmocka_unit_test(test_ptr_refuses_huge_lengths),
		cmocka_unit_test(test_ptr_of_an_empty_guest_mem_refuses_any_byte),
		cmocka_unit_test(test_alloc_with_prefault_is_zeroed_and_writable),
		cmocka_unit_test(test_alloc_without_prefault_is_zeroed_and_writable),
		cmocka_unit_test(test_alloc_with_prefault_refuses_more_than_the_host_has),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
