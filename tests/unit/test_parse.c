/* Value parsing with units: what a user may type on the command line, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "util/parse.h"

#define KIB (1ull << 10)
#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define TIB (1ull << 40)

/* The message must carry the phrase the user acts on. */
static void size_ok(const char *s, uint64_t want)
{
	char err[256] = "";
	uint64_t v = 0xdeadbeef;
	if (parse_size(s, &v, err, sizeof(err)) != 0)
		fail_msg("parse_size(\"%s\") failed: %s", s, err);
	if (v != want)
		fail_msg("parse_size(\"%s\") = %llu, want %llu", s, (unsigned long long)v, (unsigned long long)want);
}

static void size_bad(const char *s, const char *phrase)
{
	char err[256] = "";
	uint64_t v = 12345;
	if (parse_size(s, &v, err, sizeof(err)) != -1)
		fail_msg("parse_size(\"%s\") accepted, = %llu", s, (unsigned long long)v);
	assert_int_equal(v, 12345); /* untouched on error */
	assert_err_has(err, phrase);
	assert_err_has(err, "invalid size");
}

static void dur_ok(const char *s, uint64_t want)
{
	char err[256] = "";
	uint64_t v = 0xdeadbeef;
	if (parse_duration_ns(s, &v, err, sizeof(err)) != 0)
		fail_msg("parse_duration_ns(\"%s\") failed: %s", s, err);
	if (v != want)
		fail_msg("parse_duration_ns(\"%s\") = %llu, want %llu", s, (unsigned long long)v,
			 (unsigned long long)want);
}

static void dur_bad(const char *s, const char *phrase)
{
	char err[256] = "";
	uint64_t v = 12345;
	if (parse_duration_ns(s, &v, err, sizeof(err)) != -1)
		fail_msg("parse_duration_ns(\"%s\") accepted, = %llu", s, (unsigned long long)v);
	assert_int_equal(v, 12345);
	assert_err_has(err, phrase);
	assert_err_has(err, "invalid duration");
}

static void int_ok(const char *s, int64_t min, int64_t max, int64_t want)
{
	char err[256] = "";
	int64_t v = 0x5eed;
	if (parse_int_range(s, min, max, &v, err, sizeof(err)) != 0)
		fail_msg("parse_int_range(\"%s\") failed: %s", s, err);
	if (v != want)
		fail_msg("parse_int_range(\"%s\") = %lld, want %lld", s, (long long)v, (long long)want);
}

static void int_bad(const char *s, int64_t min, int64_t max, const char *phrase)
{
	char err[256] = "";
	int64_t v = 12345;
	if (parse_int_range(s, min, max, &v, err, sizeof(err)) != -1)
		fail_msg("parse_int_range(\"%s\") accepted, = %lld", s, (long long)v);
	assert_int_equal(v, 12345);
	assert_err_has(err, phrase);
}

static void test_size_plain_and_units(void **state)
{
	(void)state;
	size_ok("0", 0);
	size_ok("4096", 4096);
	size_ok("512B", 512);
	size_ok("512b", 512);
	size_ok("512k", 512 * KIB);
	size_ok("512K", 512 * KIB);
	size_ok("512KiB", 512 * KIB);
	size_ok("16M", 16 * MIB);
	size_ok("16m", 16 * MIB);
	size_ok("16Mi", 16 * MIB);
	size_ok("16MiB", 16 * MIB);
	size_ok("16mib", 16 * MIB);
	/* MB is MiB, as in fio and qemu. */
	size_ok("16MB", 16 * MIB);
	size_ok("16mb", 16 * MIB);
	size_ok("1G", GIB);
	size_ok("1GiB", GIB);
	size_ok("1GB", GIB);
	size_ok("2T", 2 * TIB);
	size_ok("2TiB", 2 * TIB);
	size_ok("128 MiB", 128 * MIB); /* what format_size prints */
}

static void test_size_fractions(void **state)
{
	(void)state;
	size_ok("1.5G", GIB + GIB / 2);
	size_ok("1.5k", 1536);
	size_ok("0.5M", MIB / 2);
	size_ok("1.25KiB", 1280);
	size_bad("1.3k", "not a whole number of bytes");
	size_bad("0.5", "not a whole number of bytes");
}

static void test_size_limits(void **state)
{
	(void)state;
	size_ok("18446744073709551615", UINT64_MAX);
	size_ok("16777215T", 16777215ull * TIB);
	size_bad("18446744073709551616", "too large");
	size_bad("16777216T", "too large");
	size_bad("99999999999999999999999999", "too large");
}

static void test_size_rejects(void **state)
{
	char err[256];
	uint64_t v;
	(void)state;

	assert_int_equal(parse_size("12X", &v, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid size '12X': unknown unit 'X' (use K, M, G or T)");
	size_bad("", "empty");
	size_bad("-1", "negative");
	size_bad("-1M", "negative");
	size_bad("M", "expected a number");
	size_bad("abc", "expected a number");
	size_bad(" 12", "expected a number");
	size_bad("16MiBx", "junk 'x' after the unit");
	size_bad("16KBB", "junk 'B' after the unit");
	size_bad("16M ", "junk ' ' after the unit");
	size_bad("16 ", "junk ' ' after the number");
	size_bad("16P", "unknown unit 'P'");
	size_bad("0x10", "unknown unit 'x10'");
	size_bad("1.5.2G", "unknown unit '.2G'");
}

static void test_duration_units(void **state)
{
	(void)state;
	dur_ok("30s", 30000000000ull);
	dur_ok("30S", 30000000000ull);
	dur_ok("30sec", 30000000000ull);
	dur_ok("30 s", 30000000000ull);
	dur_ok("500ms", 500000000ull);
	dur_ok("250us", 250000ull);
	dur_ok("250\xc2\xb5s", 250000ull);
	dur_ok("100ns", 100);
	dur_ok("2m", 120000000000ull);
	dur_ok("2min", 120000000000ull);
	dur_ok("1h", 3600000000000ull);
	dur_ok("0", 0);
	dur_ok("0ms", 0);
	/* A plain number is seconds. */
	dur_ok("10", 10000000000ull);
	dur_ok("0.25", 250000000ull);
}

static void test_duration_fractions_and_limits(void **state)
{
	(void)state;
	dur_ok("1.5s", 1500000000ull);
	dur_ok("1.5ms", 1500000ull);
	dur_ok("0.5h", 1800000000000ull);
	dur_ok("0.0000000001s", 0); /* below a nanosecond: truncated */
	dur_ok("18446744073s", 18446744073000000000ull);
	dur_ok("18446744073709551615ns", UINT64_MAX);
	dur_bad("18446744074s", "too large");
	dur_bad("18446744073709551616ns", "too large");
	dur_bad("6000000h", "too large");
}

static void test_duration_rejects(void **state)
{
	char err[256];
	uint64_t v;
	(void)state;

	assert_int_equal(parse_duration_ns("-1s", &v, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid duration '-1s': negative");
	dur_bad("", "empty");
	dur_bad("s", "expected a number");
	dur_bad("5x", "unknown unit 'x' (use ns, us, ms, s, m or h)");
	dur_bad("5sx", "junk 'x' after the unit");
	dur_bad("5msec", "junk 'ec' after the unit");
	dur_bad("1e3s", "unknown unit 'e3s'");
	dur_bad("5 ", "junk ' ' after the number");
}

static void test_int_forms(void **state)
{
	(void)state;
	int_ok("12", 0, 100, 12);
	int_ok("-3", -10, 10, -3);
	int_ok("+7", 0, 10, 7);
	int_ok("0", 0, 0, 0);
	int_ok("0x10", 0, 100, 16);
	int_ok("0X1f", 0, 100, 31);
	int_ok("-0x10", -100, 100, -16);
	int_ok("010", 0, 100, 10); /* decimal, not octal */
}

static void test_int_range(void **state)
{
	char err[256];
	int64_t v;
	(void)state;

	int_ok("-5", -5, 5, -5);
	int_ok("5", -5, 5, 5);
	int_bad("6", -5, 5, "out of range -5..5");
	int_bad("-6", -5, 5, "out of range -5..5");
	int_ok("9223372036854775807", INT64_MIN, INT64_MAX, INT64_MAX);
	int_ok("-9223372036854775808", INT64_MIN, INT64_MAX, INT64_MIN);
	int_bad("9223372036854775808", INT64_MIN, INT64_MAX, "out of range");
	int_bad("-9223372036854775809", INT64_MIN, INT64_MAX, "out of range");
	int_bad("99999999999999999999999", 0, 10, "out of range 0..10");
	int_bad("0x10000000000000000", INT64_MIN, INT64_MAX, "out of range");

	assert_int_equal(parse_int_range("11", 0, 10, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid integer '11': out of range 0..10");
}

static void test_int_rejects(void **state)
{
	(void)state;
	int_bad("", 0, 10, "empty");
	int_bad("-", 0, 10, "expected a number");
	int_bad("abc", 0, 10, "expected a number");
	int_bad(" 12", 0, 100, "expected a number");
	int_bad("12a", 0, 100, "junk 'a' after the number");
	int_bad("1.5", 0, 100, "junk '.5' after the number");
	int_bad("0x", 0, 100, "junk 'x' after the number");
	int_bad("12 ", 0, 100, "junk ' ' after the number");
	int_bad("0x1g", 0, 100, "junk 'g' after the number");
}

static void test_error_buffer_handling(void **state)
{
	char err[8];
	uint64_t u;
	int64_t i;
	(void)state;

	/* No buffer: still fails, does not crash. */
	assert_int_equal(parse_size("12X", &u, NULL, 0), -1);
	assert_int_equal(parse_duration_ns("-1", &u, NULL, 0), -1);
	assert_int_equal(parse_int_range("x", 0, 1, &i, NULL, 0), -1);
	/* A short buffer is truncated and terminated. */
	memset(err, 'Z', sizeof(err));
	assert_int_equal(parse_size("12X", &u, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid");
}

static void test_format_size(void **state)
{
	char buf[32];
	(void)state;

	assert_string_equal(format_size(0, buf, sizeof(buf)), "0 B");
	assert_string_equal(format_size(512, buf, sizeof(buf)), "512 B");
	assert_string_equal(format_size(1023, buf, sizeof(buf)), "1023 B");
	assert_string_equal(format_size(1024, buf, sizeof(buf)), "1 KiB");
	assert_string_equal(format_size(1536, buf, sizeof(buf)), "1.5 KiB");
	assert_string_equal(format_size(128 * MIB, buf, sizeof(buf)), "128 MiB");
	assert_string_equal(format_size(GIB + GIB / 2, buf, sizeof(buf)), "1.5 GiB");
	assert_string_equal(format_size(GIB + GIB / 4, buf, sizeof(buf)), "1.25 GiB");
	assert_string_equal(format_size(3 * TIB, buf, sizeof(buf)), "3 TiB");
	assert_string_equal(format_size(1ull << 60, buf, sizeof(buf)), "1 EiB");
	assert_string_equal(format_size(UINT64_MAX, buf, sizeof(buf)), "16 EiB");
	/* Rounding up to 1024 of a unit moves to the next unit. */
	assert_string_equal(format_size(MIB - 1, buf, sizeof(buf)), "1 MiB");
	/* Returns the buffer itself. */
	assert_ptr_equal(format_size(1, buf, sizeof(buf)), buf);
}

static void test_format_size_round_trip(void **state)
{
	static const uint64_t sizes[] = { 0, 1, 512, KIB, 1536, 128 * MIB, GIB + GIB / 2, GIB + GIB / 4, 7 * TIB };
	char buf[32];
	(void)state;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		size_ok(format_size(sizes[i], buf, sizeof(buf)), sizes[i]);
}

static void test_format_size_short_buffer(void **state)
{
	char buf[4];
	(void)state;

	memset(buf, 'Z', sizeof(buf));
	assert_string_equal(format_size(128 * MIB, buf, sizeof(buf)), "128");
	memset(buf, 'Z', sizeof(buf));
	assert_string_equal(format_size(GIB + GIB / 2, buf, sizeof(buf)), "1.5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_plain_and_units),
		cmocka_unit_test(test_size_fractions),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_size_rejects),
		cmocka_unit_test(test_duration_units),
		cmocka_unit_test(test_duration_fractions_and_limits),
		cmocka_unit_test(test_duration_rejects),
		cmocka_unit_test(test_int_forms),
		cmocka_unit_test(test_int_range),
		cmocka_unit_test(test_int_rejects),
		cmocka_unit_test(test_error_buffer_handling),
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_format_size_round_trip),
		cmocka_unit_test(test_format_size_short_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
