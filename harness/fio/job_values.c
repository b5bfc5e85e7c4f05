/*
 * Option values as fio reads them: sizes and times with fio's units, integers, bools,
 * read,write pairs and data patterns. A form that fio would read differently from
 * what it seems to say (a fraction, "4KiB", "10sec") is refused rather than guessed,
 * so that a job file means the same to vmsweep and to fio.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fio/job_compile_internal.h"
#include "util/parse.h"

/* Sizes: fio's k/m/g/t with its default kb_base=1024 (4k = 4096), which parse_size
 * shares. Refused where fio would read the same text differently: "KiB" (under
 * kb_base=1024 fio takes the IEC forms as powers of 1000: 4KiB is 4000 bytes), and
 * fractions or a space before the unit (fio's strtoll stops there: "1.5k" and "4 k"
 * are 1 and 4 bytes to fio). */
int size_parse(struct compile *c, const struct fio_option *o, const char *what, const char *s,
		      uint64_t *out)
{
	char perr[160];
	const char *u = s;

	if (strchr(s, '%'))
		return bad_value(c, o, "%spercentages are not supported by vmsweep; give a size in bytes", what);
	if (strchr(s, '.'))
		return bad_value(c, o, "%s'%s': fractions are not supported (fio drops them: give whole bytes or "
				 "a smaller unit)", what, s);
	if (strchr(s, ' '))
		return bad_value(c, o, "%s'%s': no space between number and unit (fio would ignore the unit)", what,
				 s);
	while (isdigit((unsigned char)*u))
		u++;
	if (u[0] && (u[1] == 'i' || u[1] == 'I'))
		return bad_value(c, o,
				 "%s'%s' is ambiguous: fio reads %ciB as powers of 1000 under its default "
				 "kb_base=1024; write '%.*s%c' for powers of 1024",
				 what, s, toupper((unsigned char)u[0]), (int)(u - s), s, tolower((unsigned char)u[0]));
	if (parse_size(s, out, perr, sizeof(perr)))
		return bad_value(c, o, "%s%s", what, perr);
	return 0;
}

/* Times: fio's units (us/usec, ms/msec, s, m, h, d); a bare number is in the option's
 * own unit, seconds or (thinktime) microseconds, where parse_duration_ns always takes
 * seconds. fio reads any other suffix as its internal microseconds ("10sec" and
 * "10min" are 10 us, parse.c get_mult_time), so sec, min and ns are refused. */
int time_parse(struct compile *c, const struct fio_option *o, const char *s, bool bare_us, uint64_t *out)
{
	static const struct {
		const char *fio, *canon;
	} units[] = {
		{ "us", "us" }, { "usec", "us" }, { "ms", "ms" }, { "msec", "ms" },
		{ "s", "s" },	{ "m", "m" },	  { "h", "h" },	  { "d", "h" },
	};
	char num[64], buf[80], perr[160];
	const char *u = s, *canon = NULL;
	uint64_t v;

	while (isdigit((unsigned char)*u))
		u++;
	if (*u == '.')
		return bad_value(c, o, "fractions are not supported (fio drops them: use a smaller unit, e.g. 1500ms)");
	if (u == s || (size_t)(u - s) >= sizeof(num))
		return bad_value(c, o, "expected a time such as 10s, 500ms or 100us");
	memcpy(num, s, (size_t)(u - s));
	num[u - s] = '\0';
	if (!*u)
		canon = bare_us ? "us" : "s";
	for (size_t i = 0; !canon && i < ARRAY_SIZE(units); i++)
		if (strcasecmp(u, units[i].fio) == 0)
			canon = units[i].canon;
	if (!canon)
		return bad_value(c, o, "unknown time unit '%s' (fio's units: us, ms, s, m, h, d)", u);
	snprintf(buf, sizeof(buf), "%s%s", num, canon);
	if (parse_duration_ns(buf, &v, perr, sizeof(perr)))
		return bad_value(c, o, "%s", perr);
	if (tolower((unsigned char)*u) == 'd') {
		if (v > UINT64_MAX / 24)
			return bad_value(c, o, "too long");
		v *= 24;
	}
	*out = v;
	return 0;
}

int int_parse(struct compile *c, const struct fio_option *o, const char *s, int64_t min, int64_t max,
		     int64_t *out)
{
	char perr[160];

	if (parse_int_range(s, min, max, out, perr, sizeof(perr)))
		return bad_value(c, o, "%s", perr);
	return 0;
}

/* fio's bool: 0 or 1, given explicitly. */
int bool_parse(struct compile *c, const struct fio_option *o, bool *out)
{
	if (strcmp(o->value, "0") && strcmp(o->value, "1"))
		return bad_value(c, o, "expected 0 or 1");
	*out = o->value[0] == '1';
	return 0;
}

/*
 * fio's per-direction lists (bs, rate, rate_iops): "a" is for reads and writes,
 * "a,b" for reads then writes; an empty field keeps the value already there (from
 * [global] or the default). As in fio's handle_option, one trailing comma is dropped
 * ("8k," is "8k"). A third field is for trims, which vmsweep never issues.
 */
int pair_parse(struct compile *c, const struct fio_option *o, bool is_size, int64_t max,
		      uint64_t out[2])
{
	char *dup = strdup(o->value), *p = dup, *field[4];
	uint64_t v[2] = { out[0], out[1] };
	unsigned n = 0;
	int ret = -1;

	if (!dup)
		return compile_fail_at(c, o->file, o->line, "out of memory");
	if (*dup && dup[strlen(dup) - 1] == ',')
		dup[strlen(dup) - 1] = '\0';
	while (n < ARRAY_SIZE(field) && p) {
		field[n++] = p;
		p = strchr(p, ',');
		if (p)
			*p++ = '\0';
	}
	if (p || n > 3) {
		bad_value(c, o, "too many values (at most read,write)");
		goto out;
	}
	if (n == 3 && *field[2]) {
		bad_value(c, o, "a third (trim) value is not supported: vmsweep does not trim");
		goto out;
	}
	for (unsigned i = 0; i < n && i < 2; i++) {
		const char *what = n == 1 ? "" : i ? "write value: " : "read value: ";
		if (!*field[i])
			continue;
		if (is_size) {
			if (size_parse(c, o, what, field[i], &v[i]))
				goto out;
		} else {
			int64_t iv;
			if (int_parse(c, o, field[i], 0, max, &iv))
				goto out;
			v[i] = (uint64_t)iv;
		}
	}
	if (n == 1 ? !*field[0] : !*field[0] && !*field[1]) {
		bad_value(c, o, "no value");
		goto out;
	}
	if (n == 1)
		v[1] = v[0];
	out[0] = v[0];
	out[1] = v[1];
	ret = 0;
out:
	free(dup);
	return ret;
}

/* Options without a value (fio's FIO_OPT_STR_SET); "=0" clears, "=1" sets. */
int flag_value(struct compile *c, const struct fio_option *o, bool *v)
{
	if (!o->value) {
		*v = true;
		return 0;
	}
	return bool_parse(c, o, v);
}

static int hex_digit(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* fio's pattern forms: 0x hex digits (bytes in the order written) or a quoted string. */
int pattern_parse(struct compile *c, const struct fio_option *o, uint8_t *out, uint32_t *out_len)
{
	const char *v = o->value;
	size_t n = strlen(v), len = 0;
	uint8_t *p = out;

	if (n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0]) {
		len = n - 2;
		if (!len || len > VMS_WL_PATTERN_MAX)
			return bad_value(c, o, "a quoted pattern of 1 to %d characters", VMS_WL_PATTERN_MAX);
		memcpy(p, v + 1, len);
	} else if (n > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		size_t digits = n - 2;
		if (digits > 2 * VMS_WL_PATTERN_MAX)
			return bad_value(c, o, "at most %d bytes (%d hex digits)", VMS_WL_PATTERN_MAX, 2 * VMS_WL_PATTERN_MAX);
		for (size_t i = 0; i < digits; i++) {
			int d = hex_digit(v[2 + i]);
			if (d < 0)
				return bad_value(c, o, "'%c' is not a hex digit", v[2 + i]);
			/* an odd count: the first digit stands alone, as 0xabc = 0a bc */
			size_t pos = (i + (digits & 1)) / 2;
			p[pos] = (uint8_t)(((i + (digits & 1)) & 1) ? (p[pos] | d) : d << 4);
		}
		len = (digits + 1) / 2;
	} else {
		return bad_value(c, o, "expected 0x followed by hex digits, or a quoted string");
	}
	*out_len = (uint32_t)len;
	return 0;
}
