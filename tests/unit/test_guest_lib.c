/*
 * Host-side tests of the guest's freestanding string and printf code.
 * The guest sources are compiled in here under renamed symbols, so that
 * guest_snprintf can be compared byte for byte with glibc's snprintf.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

/* Rename the guest's libc-named symbols so they do not clash with glibc's. */
#define LIB_STRING_NO_BUILTINS
#define memcpy guest_memcpy
#define memmove guest_memmove
#define memset guest_memset
#define memcmp guest_memcmp
#define strlen guest_strlen
#define strnlen guest_strnlen
#define strcmp guest_strcmp
#define strncmp guest_strncmp
#define strlcpy guest_strlcpy
#define strchr guest_strchr
#define vsnprintf guest_vsnprintf
#define snprintf guest_snprintf
#define vscnprintf guest_vscnprintf
#define scnprintf guest_scnprintf
#define simple_strtoull guest_simple_strtoull
#include "../../guest/lib/string.c"
#include "../../guest/lib/vsprintf.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strlcpy
#undef strchr
#undef vsnprintf
#undef snprintf
#undef vscnprintf
#undef scnprintf
#undef simple_strtoull

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- snprintf against glibc ---- */

enum arg_kind {
	A_NONE, A_INT, A_UINT, A_LONG, A_ULONG, A_LLONG, A_ULLONG,
	A_SIZE, A_SSIZE, A_PTRDIFF, A_INTMAX, A_UINTMAX, A_STR, A_PTR,
	A_W_INT, A_P_INT, A_WP_INT, A_W_STR, A_P_STR, A_WP_STR, A_MIX,
};

struct fmt_case {
	const char *fmt;
	enum arg_kind kind;
	long long i;		/* signed values and %c */
	unsigned long long u;	/* unsigned values and pointers */
	const char *s;
	int w, p;		/* '*' width and precision */
};

#define I(f, v)		{ f, A_INT, .i = (v) }
#define U(f, v)		{ f, A_UINT, .u = (v) }
#define L(f, v)		{ f, A_LONG, .i = (v) }
#define UL(f, v)	{ f, A_ULONG, .u = (v) }
#define LL(f, v)	{ f, A_LLONG, .i = (v) }
#define ULL(f, v)	{ f, A_ULLONG, .u = (v) }
#define S(f, v)		{ f, A_STR, .s = (v) }
#define P(f, v)		{ f, A_PTR, .u = (v) }

static const struct fmt_case fmt_cases[] = {
	{ .fmt = "", .kind = A_NONE },
	{ .fmt = "plain text", .kind = A_NONE },
	{ .fmt = "%%", .kind = A_NONE },
	{ .fmt = "100%% sure %%%%", .kind = A_NONE },

	I("%d", 0), I("%d", 1), I("%d", -1), I("%d", 42), I("%d", INT_MAX), I("%d", INT_MIN),
	I("%i", -12345), I("[%d]", 7),
	U("%u", 0), U("%u", UINT_MAX), U("%x", 0xdeadbeef), U("%X", 0xdeadbeef),
	U("%o", 0), U("%o", 8), U("%o", UINT_MAX), U("%x", 0),
	L("%ld", LONG_MIN), L("%ld", LONG_MAX), L("%li", -1),
	UL("%lu", ULONG_MAX), UL("%lx", ULONG_MAX), UL("%lo", ULONG_MAX),
	LL("%lld", LLONG_MIN), LL("%lld", LLONG_MAX), LL("%lli", 0), LL("%+lld", LLONG_MIN),
	ULL("%llu", ULLONG_MAX), ULL("%llx", ULLONG_MAX), ULL("%llX", 0x0123456789abcdefull),
	ULL("%llo", ULLONG_MAX), ULL("%#llo", ULLONG_MAX), ULL("%#llx", ULLONG_MAX),
	ULL("%llu", 10000000000000000000ull),

	/* hh and h truncate the promoted int */
	I("%hhd", 200), I("%hhd", -128), I("%hhd", 127), I("%hhu", -1), I("%hhx", 0x1234),
	I("%hd", 70000), I("%hd", -32768), I("%hu", -1), I("%hx", 0x12345), I("%hho", 511),
	{ "%zu", A_SIZE, .u = SIZE_MAX }, { "%zx", A_SIZE, .u = 0xabcdef },
	{ "%zd", A_SSIZE, .i = -5 }, { "%zd", A_SSIZE, .i = LONG_MIN },
	{ "%td", A_PTRDIFF, .i = -123456789012ll }, { "%tx", A_PTRDIFF, .i = -1 },
	{ "%jd", A_INTMAX, .i = INTMAX_MIN }, { "%ju", A_UINTMAX, .u = UINTMAX_MAX },
	{ "%jx", A_UINTMAX, .u = 0xfeedull },

	/* width and flags */
	I("%5d", 42), I("%-5d|", 42), I("%05d", 42), I("%05d", -42), I("%+d", 42), I("%+d", 0),
	I("%+d", -42), I("% d", 42), I("% d", -42), I("%+ d", 42), I("% +d", 42), I("% 05d", 42),
	I("%+05d", 42), I("%-+5d|", 42), I("%-05d|", -42), I("%1d", 12345), I("%0d", 7),
	I("%-1d|", 0), I("%020d", INT_MIN), I("%-20d|", INT_MIN), I("%+20d", INT_MAX),
	U("%8x", 0xbeef), U("%-8x|", 0xbeef), U("%08X", 0xbeef), U("%+u", 5), U("% u", 5),
	U("%010o", 0777),

	/* precision */
	I("%.0d", 0), I("%.0d", 1), I("%5.0d|", 0), I("%-5.0d|", 0), I("%.d", 0), I("%.5d", -42),
	I("%.5d", 42), I("%8.5d", -42), I("%08.5d", 42), I("%-8.5d|", 42), I("%+.3d", 7),
	I("% .3d", 7), I("%.1d", 0), I("%.10d", INT_MIN), I("%3.1d", 0),
	U("%.0x", 0), U("%.0o", 0), U("%.0u", 0), U("%.3o", 8), U("%.8x", 0xabc),
	U("%#5.0x|", 0), U("%#.3o", 8), U("%#.3o", 0777),

	/* alternate forms */
	U("%#x", 0), U("%#x", 255), U("%#X", 255), U("%#o", 0), U("%#o", 8), U("%#.0o", 0),
	U("%#08x", 255), U("%#-8x|", 255), U("%#.4x", 255), U("%#10.4x", 255), U("%#010.4x", 255),
	U("%#o", 01234), U("%#5o", 8), U("%#05o", 8), U("%#-5o|", 8),

	/* '*' width and precision, negative values */
	{ "%*d", A_W_INT, .w = 5, .i = 42 }, { "%*d|", A_W_INT, .w = -5, .i = 42 },
	{ "%-*d|", A_W_INT, .w = -5, .i = 42 }, { "%0*d", A_W_INT, .w = 6, .i = -3 },
	{ "%*d", A_W_INT, .w = 0, .i = 42 }, { "%*d", A_W_INT, .w = 300, .i = 42 },
	{ "%.*d", A_P_INT, .p = 3, .i = 7 }, { "%.*d", A_P_INT, .p = -1, .i = 7 },
	{ "%.*d", A_P_INT, .p = 0, .i = 0 }, { "%05.*d", A_P_INT, .p = -1, .i = 7 },
	{ "%*.*d", A_WP_INT, .w = 8, .p = 4, .i = -12 },
	{ "%-*.*d|", A_WP_INT, .w = 8, .p = 4, .i = 12 },
	{ "%*.*d|", A_WP_INT, .w = -8, .p = -4, .i = 12 },
	{ "%*s|", A_W_STR, .w = 8, .s = "abc" }, { "%*s|", A_W_STR, .w = -8, .s = "abc" },
	{ "%.*s|", A_P_STR, .p = 2, .s = "abc" }, { "%.*s|", A_P_STR, .p = -1, .s = "abc" },
	{ "%-*.*s|", A_WP_STR, .w = 6, .p = 2, .s = "abcdef" },
	{ "%*.*s|", A_WP_STR, .w = 1, .p = 10, .s = "abcdef" },

	/* strings */
	S("%s", "hello"), S("%s", ""), S("%10s|", "hello"), S("%-10s|", "hello"), S("%.3s", "hello"),
	S("%10.3s|", "hello"), S("%-10.3s|", "hello"), S("%.0s|", "hello"), S("%.10s|", "hi"),
	S("%2s", "hello"), S("<%s>", "a longer string that will not fit in small buffers"),

	/* characters, including NUL */
	I("%c", 'A'), I("%5c|", 'x'), I("%-5c|", 'x'), I("%c%c", 'a'), I("a%cb", 0), I("%c", 0xe9),

	/* pointers: glibc prints non-NULL %p as %#lx */
	P("%p", 0x1234), P("%p", 0xffff800000001000ull), P("%20p|", 0xdeadbeef),
	P("%-20p|", 0xdeadbeef), P("%p", 1),

	/* several conversions in one format */
	{ "x=%d s=%s u=%#x!", A_MIX, .i = -7, .s = "str", .u = 0xcafe },
	{ "%5d|%-6s|%08x", A_MIX, .i = 123, .s = "ab", .u = 0xbeef },
};

typedef int (*snprintf_fn)(char *, size_t, const char *, ...);

/*
 * Volatile so that GCC cannot see through it: its format-overflow checks
 * would otherwise reject the deliberately absurd calls below.
 */
static snprintf_fn volatile opaque_snprintf = guest_snprintf;

/* Calls through a plain pointer: formats here are data, not literals. */
static int call_fmt(snprintf_fn fn, char *buf, size_t size, const struct fmt_case *c)
{
	switch (c->kind) {
	case A_NONE:
		return fn(buf, size, c->fmt);
	case A_INT:	/* twice, for "%c%c" */
		return fn(buf, size, c->fmt, (int)c->i, (int)c->i);
	case A_UINT:
		return fn(buf, size, c->fmt, (unsigned int)c->u);
	case A_LONG:
		return fn(buf, size, c->fmt, (long)c->i);
	case A_ULONG:
		return fn(buf, size, c->fmt, (unsigned long)c->u);
	case A_LLONG:
		return fn(buf, size, c->fmt, c->i);
	case A_ULLONG:
		return fn(buf, size, c->fmt, c->u);
	case A_SIZE:
		return fn(buf, size, c->fmt, (size_t)c->u);
	case A_SSIZE:
		return fn(buf, size, c->fmt, (ssize_t)c->i);
	case A_PTRDIFF:
		return fn(buf, size, c->fmt, (ptrdiff_t)c->i);
	case A_INTMAX:
		return fn(buf, size, c->fmt, (intmax_t)c->i);
	case A_UINTMAX:
		return fn(buf, size, c->fmt, (uintmax_t)c->u);
	case A_STR:
		return fn(buf, size, c->fmt, c->s);
	case A_PTR:
		return fn(buf, size, c->fmt, (void *)(uintptr_t)c->u);
	case A_W_INT:
		return fn(buf, size, c->fmt, c->w, (int)c->i);
	case A_P_INT:
		return fn(buf, size, c->fmt, c->p, (int)c->i);
	case A_WP_INT:
		return fn(buf, size, c->fmt, c->w, c->p, (int)c->i);
	case A_W_STR:
		return fn(buf, size, c->fmt, c->w, c->s);
	case A_P_STR:
		return fn(buf, size, c->fmt, c->p, c->s);
	case A_WP_STR:
		return fn(buf, size, c->fmt, c->w, c->p, c->s);
	case A_MIX:
		return fn(buf, size, c->fmt, (int)c->i, c->s, (unsigned int)c->u);
	}
	return -1000;
}

#define FMT_BUF 512

static void test_snprintf_vs_libc(void **state)
{
	/* Small sizes exercise truncation; FMT_BUF holds every full output. */
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 7, 8, 13, 16, 33, 64, FMT_BUF };
	char want[FMT_BUF], got[FMT_BUF];
	unsigned int failures = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fmt_cases); i++) {
		const struct fmt_case *c = &fmt_cases[i];

		for (size_t j = 0; j < ARRAY_SIZE(sizes); j++) {
			size_t size = sizes[j];
			int rw, rg;

			/* Same sentinel in both: bytes past size must stay untouched. */
			memset(want, 0x5a, sizeof(want));
			memset(got, 0x5a, sizeof(got));
			rw = call_fmt(snprintf, want, size, c);
			rg = call_fmt(guest_snprintf, got, size, c);
			if (rw != rg || memcmp(want, got, sizeof(want))) {
				size_t show = size ? size - 1 : 0;

				print_error("fmt \"%s\" size %zu: libc %d \"%.*s\", guest %d \"%.*s\"\n",
					    c->fmt, size, rw, (int)show, want, rg, (int)show, got);
				failures++;
			}
		}
		/* C99 allows a NULL buffer with size 0, for measuring. */
		assert_int_equal(call_fmt(guest_snprintf, NULL, 0, c), call_fmt(snprintf, NULL, 0, c));
	}
	assert_int_equal(failures, 0);
}

/* Formats passed as data, with a spare argument nothing should consume. */
static void check_guest(const char *fmt, const char *expect)
{
	char buf[64];
	int n;

	memset(buf, 0x5a, sizeof(buf));
	n = guest_snprintf(buf, sizeof(buf), fmt, 0);
	assert_string_equal(buf, expect);
	assert_int_equal(n, (int)strlen(expect));
}

static void test_snprintf_unsupported(void **state)
{
	(void)state;
	/* No floating point in the guest: copied literally. */
	check_guest("%f", "%f");
	check_guest("x=%5.2f!", "x=%5.2f!");
	check_guest("%e %g %a %E %G %A", "%e %g %a %E %G %A");
	check_guest("%Lf", "%Lf");
	check_guest("%lf", "%lf");
	check_guest("%n", "%n");
	check_guest("%llq", "%llq");
	/* A spec cut short by the end of the format. */
	check_guest("50%", "50%");
	check_guest("%", "%");
	check_guest("abc%-08.3", "abc%-08.3");
	check_guest("%ll", "%ll");
}

static void test_snprintf_guest_specific(void **state)
{
	char buf[32];
	const char *fmt_s = "%s|%.3s|%8s", *fmt_p = "%p %8p";
	const char *null_str = NULL;
	void *null_ptr = NULL;

	(void)state;
	/* NULL %s prints "(null)", cut by precision like any string. */
	assert_int_equal(opaque_snprintf(buf, sizeof(buf), fmt_s, null_str, null_str, null_str), 19);
	assert_string_equal(buf, "(null)|(nu|  (null)");
	/* NULL %p is 0x0, not glibc's "(nil)". */
	assert_int_equal(opaque_snprintf(buf, sizeof(buf), fmt_p, null_ptr, null_ptr), 12);
	assert_string_equal(buf, "0x0      0x0");
}

static void test_snprintf_returns(void **state)
{
	char buf[16];
	int n;

	(void)state;
	assert_int_equal(guest_snprintf(NULL, 0, "%d", 12345), 5);
	assert_int_equal(guest_snprintf(buf, 0, "%s", "abc"), 3);

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(guest_snprintf(buf, 1, "%s", "abc"), 3);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'x');

	/* Huge widths are counted without being stored. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(opaque_snprintf(buf, 8, "%*d", 100000, 1), 100000);
	assert_string_equal(buf, "       ");
	assert_int_equal(opaque_snprintf(buf, 8, "%*d", INT_MAX, 1), INT_MAX);
	assert_string_equal(buf, "       ");
	assert_int_equal(opaque_snprintf(buf, 8, "%2147483647d", 1), INT_MAX);
	/* Widths beyond int saturate rather than wrap. */
	assert_int_equal(opaque_snprintf(buf, 8, "%99999999999d", 1), INT_MAX);
	assert_int_equal(opaque_snprintf(buf, 8, "%*d", INT_MIN, 1), INT_MAX);
	assert_string_equal(buf, "1      ");

	/* A total beyond INT_MAX is an error, but the buffer stays terminated. */
	memset(buf, 'x', sizeof(buf));
	assert_true(opaque_snprintf(buf, 8, "%*d%*d", INT_MAX, 1, INT_MAX, 2) < 0);
	assert_string_equal(buf, "       ");

	/* scnprintf returns what was stored, so appending is safe. */
	n = guest_scnprintf(buf, sizeof(buf), "%s", "0123456789");
	assert_int_equal(n, 10);
	n += guest_scnprintf(buf + n, sizeof(buf) - n, "%s", "abcdefghij");
	assert_int_equal(n, 15);
	assert_string_equal(buf, "0123456789abcde");
	assert_int_equal(guest_scnprintf(buf + n, sizeof(buf) - n, "%d", 42), 0);
	assert_int_equal(guest_scnprintf(buf, 0, "%d", 42), 0);
	assert_int_equal(guest_scnprintf(buf, 3, "%d", 7), 1);
}

static void test_strtoull(void **state)
{
	const char *end;

	(void)state;
	assert_true(guest_simple_strtoull("123", &end, 0) == 123 && *end == '\0');
	assert_true(guest_simple_strtoull("0x1f", &end, 0) == 0x1f && *end == '\0');
	assert_true(guest_simple_strtoull("0X1F", &end, 0) == 0x1f && *end == '\0');
	assert_true(guest_simple_strtoull("017", &end, 0) == 017 && *end == '\0');
	assert_true(guest_simple_strtoull("0", &end, 0) == 0 && *end == '\0');
	assert_true(guest_simple_strtoull("08", &end, 0) == 0 && *end == '8');
	assert_true(guest_simple_strtoull("0x", &end, 0) == 0 && *end == 'x');
	assert_true(guest_simple_strtoull("0xg", &end, 16) == 0 && *end == 'x');
	assert_true(guest_simple_strtoull("12abc", &end, 10) == 12 && *end == 'a');
	assert_true(guest_simple_strtoull("ff", &end, 16) == 0xff && *end == '\0');
	assert_true(guest_simple_strtoull("0xFF", &end, 16) == 0xff && *end == '\0');
	assert_true(guest_simple_strtoull("0x10", &end, 10) == 0 && *end == 'x');
	assert_true(guest_simple_strtoull("1012", &end, 2) == 5 && *end == '2');
	assert_true(guest_simple_strtoull("zZ", &end, 36) == 35 * 36 + 35 && *end == '\0');
	assert_true(guest_simple_strtoull("-1", &end, 0) == 0 && *end == '-');
	assert_true(guest_simple_strtoull("", &end, 0) == 0 && *end == '\0');
	assert_true(guest_simple_strtoull("18446744073709551615", &end, 0) == ULLONG_MAX);
	assert_true(guest_simple_strtoull("18446744073709551616", &end, 0) == ULLONG_MAX);
	assert_true(guest_simple_strtoull("99999999999999999999999x", &end, 10) == ULLONG_MAX);
	assert_int_equal(*end, 'x');
	assert_true(guest_simple_strtoull("0xffffffffffffffff", NULL, 0) == ULLONG_MAX);
	assert_true(guest_simple_strtoull("12", &end, 1) == 0 && *end == '1');
}

/* ---- memory and string functions ---- */

#define GUARD 16
#define MEMBUF (8192 + 2 * 64 + 2 * GUARD)

static unsigned char src_buf[MEMBUF], dst_buf[MEMBUF], ref_buf[MEMBUF];

static void fill_pattern(unsigned char *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 131 + (i >> 8) + 1);
}

static int all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != v)
			return 0;
	}
	return 1;
}

/* Small sizes at every alignment pair, large ones at a few. */
static const size_t small_sizes[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 23, 24, 25, 31, 32, 33,
	39, 40, 41, 47, 48, 49, 55, 56, 57, 63, 64, 65, 71, 79, 80, 81, 95, 96, 97,
	126, 127, 128, 129, 130, 135, 136, 191, 255, 256, 257, 511, 513,
};
static const size_t large_sizes[] = { 1023, 1024, 1025, 4095, 4096, 4097, 8000, 8192 };
static const size_t large_aligns[] = { 0, 1, 3, 7, 8, 15, 63, 64 };

static void check_memcpy(size_t n, size_t sa, size_t da)
{
	void *r;

	memset(dst_buf, 0xee, GUARD + da + n + GUARD);
	r = guest_memcpy(dst_buf + GUARD + da, src_buf + sa, n);
	assert_ptr_equal(r, dst_buf + GUARD + da);
	assert_true(all_bytes(dst_buf, GUARD + da, 0xee));
	if (n)
		assert_memory_equal(dst_buf + GUARD + da, src_buf + sa, n);
	assert_true(all_bytes(dst_buf + GUARD + da + n, GUARD, 0xee));
}

static void test_memcpy(void **state)
{
	(void)state;
	fill_pattern(src_buf, sizeof(src_buf), 7);
	for (size_t i = 0; i < ARRAY_SIZE(small_sizes); i++)
		for (size_t sa = 0; sa <= 64; sa++)
			for (size_t da = 0; da <= 64; da++)
				check_memcpy(small_sizes[i], sa, da);
	for (size_t i = 0; i < ARRAY_SIZE(large_sizes); i++)
		for (size_t a = 0; a < ARRAY_SIZE(large_aligns); a++)
			for (size_t b = 0; b < ARRAY_SIZE(large_aligns); b++)
				check_memcpy(large_sizes[i], large_aligns[a], large_aligns[b]);
}

static void check_memset(size_t n, size_t da, int c)
{
	void *r;

	memset(dst_buf, 0xee, GUARD + da + n + GUARD);
	r = guest_memset(dst_buf + GUARD + da, c, n);
	assert_ptr_equal(r, dst_buf + GUARD + da);
	assert_true(all_bytes(dst_buf, GUARD + da, 0xee));
	assert_true(all_bytes(dst_buf + GUARD + da, n, (unsigned char)c));
	assert_true(all_bytes(dst_buf + GUARD + da + n, GUARD, 0xee));
}

static void test_memset(void **state)
{
	/* 0x1ff and -1 check that only the low byte of c is used. */
	static const int values[] = { 0, 0xa5, 0x1ff, -1, 0x80 };

	(void)state;
	for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
		for (size_t i = 0; i < ARRAY_SIZE(small_sizes); i++)
			for (size_t da = 0; da <= 64; da++)
				check_memset(small_sizes[i], da, values[v]);
		for (size_t i = 0; i < ARRAY_SIZE(large_sizes); i++)
			for (size_t a = 0; a < ARRAY_SIZE(large_aligns); a++)
				check_memset(large_sizes[i], large_aligns[a], values[v]);
	}
}

static void test_memmove(void **state)
{
	static const size_t sizes[] = {
		0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65,
		127, 128, 129, 200, 255, 256, 300, 1000, 3000,
	};
	const size_t base = 4096;

	(void)state;
	/* Every shift from far below to far above, overlapping or not. */
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (long delta = -1100; delta <= 1100; delta++) {
			size_t n = sizes[i];
			unsigned char *s = dst_buf + base, *d = dst_buf + base + delta;
			void *r;

			if (delta > 80 && delta < 1000 && (delta & 15))
				continue;
			if (delta < -80 && delta > -1000 && (delta & 15))
				continue;
			fill_pattern(dst_buf, sizeof(dst_buf), (unsigned int)(n + delta));
			memcpy(ref_buf, dst_buf, sizeof(ref_buf));
			memmove(ref_buf + base + delta, ref_buf + base, n);
			r = guest_memmove(d, s, n);
			assert_ptr_equal(r, d);
			assert_memory_equal(dst_buf, ref_buf, sizeof(dst_buf));
		}
	}
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_memcmp(void **state)
{
	unsigned char a[80] = { 0 }, b[80] = { 0 };

	(void)state;
	assert_int_equal(guest_memcmp(a, b, 0), 0);
	for (size_t off = 0; off < 8; off++) {
		for (size_t n = 1; n <= 64; n++) {
			fill_pattern(a, sizeof(a), 3);
			memcpy(b, a, sizeof(b));
			assert_int_equal(guest_memcmp(a + off, b + off, n), 0);
			for (size_t k = 0; k < n; k++) {
				fill_pattern(a, sizeof(a), 3);
				memcpy(b, a, sizeof(b));
				/* 0x80 against 0x7f: bytes compare unsigned. */
				a[off + k] = 0x80;
				b[off + k] = 0x7f;
				assert_true(guest_memcmp(a + off, b + off, n) > 0);
				assert_true(guest_memcmp(b + off, a + off, n) < 0);
				/* A later difference must not outweigh an earlier one. */
				if (k + 1 < n) {
					a[off + k + 1] = 0x00;
					b[off + k + 1] = 0xff;
					assert_true(guest_memcmp(a + off, b + off, n) > 0);
				}
				/* Differences beyond n are ignored. */
				assert_int_equal(guest_memcmp(a + off, b + off, k), 0);
			}
		}
	}
	assert_int_equal(sign(guest_memcmp("abc", "abd", 3)), sign(memcmp("abc", "abd", 3)));
}

/* An exact-size heap copy without a NUL, so ASan catches any over-read. */
static char *unterminated(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

static void test_strlen(void **state)
{
	char buf[128];

	(void)state;
	for (size_t off = 0; off < 16; off++) {
		for (size_t len = 0; len < 80; len++) {
			memset(buf, 'a', sizeof(buf));
			buf[off + len] = '\0';
			assert_int_equal(guest_strlen(buf + off), len);
			assert_int_equal(guest_strnlen(buf + off, len + 5), len);
			assert_int_equal(guest_strnlen(buf + off, len), len);
			assert_int_equal(guest_strnlen(buf + off, len / 2), len / 2);
		}
	}
	assert_int_equal(guest_strnlen("abc", 0), 0);
	{
		char *p = unterminated("abcdef", 6);

		assert_int_equal(guest_strnlen(p, 6), 6);
		assert_int_equal(guest_strnlen(p, 3), 3);
		free(p);
	}
}

static void test_strcmp(void **state)
{
	static const char *const strs[] = { "", "a", "b", "ab", "abc", "abd", "abcd", "\x80", "\x7f", "A" };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(strs); j++) {
			assert_int_equal(sign(guest_strcmp(strs[i], strs[j])), sign(strcmp(strs[i], strs[j])));
			for (size_t n = 0; n < 6; n++)
				assert_int_equal(sign(guest_strncmp(strs[i], strs[j], n)),
						 sign(strncmp(strs[i], strs[j], n)));
		}
	}
	/* strncmp stops at n, even without a NUL in sight. */
	{
		char *a = unterminated("abcdef", 6), *b = unterminated("abcdeg", 6);

		assert_int_equal(guest_strncmp(a, b, 5), 0);
		assert_true(guest_strncmp(a, b, 6) < 0);
		assert_int_equal(guest_strncmp(a, a, 6), 0);
		free(a);
		free(b);
	}
}

static void test_strlcpy(void **state)
{
	const char *src = "hello world";	/* 11 chars */
	char dst[32];

	(void)state;
	memset(dst, 'x', sizeof(dst));
	assert_int_equal(guest_strlcpy(dst, src, 0), 11);
	assert_true(all_bytes((unsigned char *)dst, sizeof(dst), 'x'));

	assert_int_equal(guest_strlcpy(dst, src, 1), 11);
	assert_int_equal(dst[0], '\0');
	assert_int_equal(dst[1], 'x');

	memset(dst, 'x', sizeof(dst));
	assert_int_equal(guest_strlcpy(dst, src, 5), 11);
	assert_string_equal(dst, "hell");
	assert_int_equal(dst[5], 'x');

	assert_int_equal(guest_strlcpy(dst, src, 11), 11);
	assert_string_equal(dst, "hello worl");

	memset(dst, 'x', sizeof(dst));
	assert_int_equal(guest_strlcpy(dst, src, 12), 11);
	assert_string_equal(dst, src);

	/* No padding: the bytes after the NUL are left alone. */
	memset(dst, 'x', sizeof(dst));
	assert_int_equal(guest_strlcpy(dst, src, sizeof(dst)), 11);
	assert_string_equal(dst, src);
	assert_int_equal(dst[12], 'x');

	assert_int_equal(guest_strlcpy(dst, "", sizeof(dst)), 0);
	assert_string_equal(dst, "");
}

static void test_strchr(void **state)
{
	const char *s = "hello";
	const char *hi = "a\xe9" "b";

	(void)state;
	assert_ptr_equal(guest_strchr(s, 'h'), s);
	assert_ptr_equal(guest_strchr(s, 'l'), s + 2);
	assert_ptr_equal(guest_strchr(s, 'o'), s + 4);
	assert_null(guest_strchr(s, 'z'));
	/* The terminator is part of the string. */
	assert_ptr_equal(guest_strchr(s, '\0'), s + 5);
	/* c is converted to char, whichever way it was passed. */
	assert_ptr_equal(guest_strchr(hi, 0xe9), hi + 1);
	assert_ptr_equal(guest_strchr(hi, (char)0xe9), hi + 1);
	assert_ptr_equal(guest_strchr(hi, 0x100 + 'b'), hi + 2);
	assert_null(guest_strchr("", 'a'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snprintf_vs_libc),
		cmocka_unit_test(test_snprintf_unsupported),
		cmocka_unit_test(test_snprintf_guest_specific),
		cmocka_unit_test(test_snprintf_returns),
		cmocka_unit_test(test_strtoull),
		cmocka_unit_test(test_memcpy),
		cmocka_unit_test(test_memset),
		cmocka_unit_test(test_memmove),
		cmocka_unit_test(test_memcmp),
		cmocka_unit_test(test_strlen),
		cmocka_unit_test(test_strcmp),
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_strchr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
