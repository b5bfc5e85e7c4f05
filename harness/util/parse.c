/*
 * Value parsing with units. Numbers are read digit by digit rather than with strtoull,
 * which silently accepts leading spaces and "-1" (as a huge value) and saturates on
 * overflow; fractions are applied in 128-bit integer arithmetic so "1.5G" is exact.
 */
#include "util/error.h"
#include "util/parse.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* digits[.digits]: the integer part, and the fraction as frac/den (den a power of 10). */
struct decimal {
	uint64_t ip;
	uint64_t frac, den;
	bool overflow;     /* integer part does not fit in 64 bits */
	bool frac_dropped; /* nonzero fraction digits beyond what den can hold */
};

/* Returns the end of the number, or NULL when s does not start with one. */
static const char *decimal_read(const char *s, struct decimal *d)
{
	const char *p = s;
	unsigned ndig = 0;

	memset(d, 0, sizeof(*d));
	d->den = 1;
	for (; isdigit((unsigned char)*p); p++, ndig++) {
		unsigned dig = (unsigned)(*p - '0');
		if (d->ip > (UINT64_MAX - dig) / 10)
			d->overflow = true;
		else
			d->ip = d->ip * 10 + dig;
	}
	if (*p == '.' && isdigit((unsigned char)p[1])) {
		for (p++; isdigit((unsigned char)*p); p++, ndig++) {
			/* 10^18 is the largest power of ten that fits; later digits only
			 * matter for the whole-bytes check. */
			if (d->den < 1000000000000000000ull) {
				d->frac = d->frac * 10 + (uint64_t)(*p - '0');
				d->den *= 10;
			} else if (*p != '0') {
				d->frac_dropped = true;
			}
		}
	}
	return ndig ? p : NULL;
}

struct unit {
	const char *name;
	uint64_t mult;
};

/*
 * Matches suffix against the table, case-insensitively. Returns the unit, or NULL with
 * *junk pointing after the longest unit that prefixes suffix (NULL if none does).
 */
static const struct unit *unit_match(const struct unit *units, size_t n, const char *suffix, const char **junk)
{
	size_t best = 0;

	*junk = NULL;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(units[i].name);
		if (strcasecmp(suffix, units[i].name) == 0)
			return &units[i];
		if (l > best && strncasecmp(suffix, units[i].name, l) == 0) {
			best = l;
			*junk = suffix + l;
		}
	}
	return NULL;
}

#define KIB (1ull << 10)
#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define TIB (1ull << 40)

static const struct unit size_units[] = {
	{ "", 1 },     { "b", 1 },
	{ "k", KIB },  { "ki", KIB },  { "kb", KIB },  { "kib", KIB },
	{ "m", MIB },  { "mi", MIB },  { "mb", MIB },  { "mib", MIB },
	{ "g", GIB },  { "gi", GIB },  { "gb", GIB },  { "gib", GIB },
	{ "t", TIB },  { "ti", TIB },  { "tb", TIB },  { "tib", TIB },
};

#define NS_PER_US 1000ull
#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull

/* A plain number is seconds. */
static const struct unit duration_units[] = {
	{ "", NS_PER_S },
	{ "ns", 1 },
	{ "us", NS_PER_US },  { "\xc2\xb5s", NS_PER_US }, /* µs */
	{ "ms", NS_PER_MS },
	{ "s", NS_PER_S },    { "sec", NS_PER_S },
	{ "m", 60 * NS_PER_S }, { "min", 60 * NS_PER_S },
	{ "h", 3600 * NS_PER_S },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The shared shape of sizes and durations: a non-negative decimal, optional spaces, a
 * unit from the table. On success *mult, and the number in *d; otherwise -1 with the
 * message written.
 */
static int number_unit_read(const char *s, const char *what, const struct unit *units, size_t nunits,
			    const char *unit_hint, struct decimal *d, uint64_t *mult, char *err, size_t errlen)
{
	const char *p, *junk;
	const struct unit *u;

	if (!s || !*s)
		return errorf(err, errlen, "invalid %s '': empty", what);
	if (*s == '-')
		return errorf(err, errlen, "invalid %s '%s': negative", what, s);
	p = decimal_read(s, d);
	if (!p)
		return errorf(err, errlen, "invalid %s '%s': expected a number", what, s);
	if (d->overflow)
		return errorf(err, errlen, "invalid %s '%s': too large", what, s);
	const char *num_end = p;
	while (*p == ' ')
		p++;
	if (!*p && p != num_end)
		return errorf(err, errlen, "invalid %s '%s': junk '%s' after the number", what, s, num_end);
	u = unit_match(units, nunits, p, &junk);
	if (!u) {
		if (junk)
			return errorf(err, errlen, "invalid %s '%s': junk '%s' after the unit", what, s, junk);
		return errorf(err, errlen, "invalid %s '%s': unknown unit '%s' (use %s)", what, s, p, unit_hint);
	}
	*mult = u->mult;
	return 0;
}

int parse_size(const char *s, uint64_t *out, char *err, size_t errlen)
{
	struct decimal d;
	uint64_t mult;

	if (number_unit_read(s, "size", size_units, ARRAY_SIZE(size_units), "K, M, G or T", &d, &mult, err,
			     errlen))
		return -1;
	unsigned __int128 fpart = (unsigned __int128)d.frac * mult;
	if (fpart % d.den || d.frac_dropped)
		return errorf(err, errlen, "invalid size '%s': not a whole number of bytes", s);
	unsigned __int128 v = (unsigned __int128)d.ip * mult + fpart / d.den;
	if (v > UINT64_MAX)
		return errorf(err, errlen, "invalid size '%s': too large (the limit is 16 EiB)", s);
	*out = (uint64_t)v;
	return 0;
}

int parse_duration_ns(const char *s, uint64_t *out, char *err, size_t errlen)
{
	struct decimal d;
	uint64_t mult;

	if (number_unit_read(s, "duration", duration_units, ARRAY_SIZE(duration_units), "ns, us, ms, s, m or h",
			     &d, &mult, err, errlen))
		return -1;
	/* Truncating below a nanosecond: no clock here resolves it. */
	unsigned __int128 v = (unsigned __int128)d.ip * mult + (unsigned __int128)d.frac * mult / d.den;
	if (v > UINT64_MAX)
		return errorf(err, errlen, "invalid duration '%s': too large (the limit is about 584 years)", s);
	*out = (uint64_t)v;
	return 0;
}

int parse_int_range(const char *s, int64_t min, int64_t max, int64_t *out, char *err, size_t errlen)
{
	const char *p = s;
	bool neg = false, overflow = false;
	unsigned base = 10, ndig = 0;
	uint64_t mag = 0;

	if (!s || !*s)
		return errorf(err, errlen, "invalid integer '': empty");
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
		base = 16;
		p += 2;
	}
	for (;; p++, ndig++) {
		unsigned dig;
		if (isdigit((unsigned char)*p))
			dig = (unsigned)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			dig = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		else
			break;
		if (mag > (UINT64_MAX - dig) / base)
			overflow = true;
		else
			mag = mag * base + dig;
	}
	if (!ndig)
		return errorf(err, errlen, "invalid integer '%s': expected a number", s);
	if (*p)
		return errorf(err, errlen, "invalid integer '%s': junk '%s' after the number", s, p);

	/* Too large for int64 is necessarily outside [min, max]: same message. */
	int64_t v;
	if (overflow || mag > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
		goto range;
	v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	if (v < min || v > max)
		goto range;
	*out = v;
	return 0;
range:
	return errorf(err, errlen, "invalid integer '%s': out of range %lld..%lld", s, (long long)min,
		    (long long)max);
}

const char *format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned i = 0;
	char num[32];

	if (!buf || !len)
		return buf;
	while (i + 1 < ARRAY_SIZE(names) && bytes >= 1ull << (10 * (i + 1)))
		i++;
	if ((bytes & ((1ull << (10 * i)) - 1)) == 0) {
		snprintf(buf, len, "%llu %s", (unsigned long long)(bytes >> (10 * i)), names[i]);
		return buf;
	}
	for (;;) {
		double v = (double)bytes / (double)(1ull << (10 * i));
		snprintf(num, sizeof(num), "%.2f", v);
		/* 1048575 bytes rounds to "1024.00 KiB": say "1 MiB" instead. */
		if (strtod(num, NULL) >= 1024.0 && i + 1 < ARRAY_SIZE(names)) {
			i++;
			continue;
		}
		break;
	}
	char *dot = strchr(num, '.');
	if (dot) {
		char *e = num + strlen(num) - 1;
		while (*e == '0')
			*e-- = '\0';
		if (e == dot)
			*e = '\0';
	}
	snprintf(buf, len, "%s %s", num, names[i]);
	return buf;
}

char *str_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}
