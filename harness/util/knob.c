/*
 * The knob table on the host. Every error names the key=value it failed on, so a
 * typo in a long --set list or a sweep is found without guessing.
 */
#include "util/error.h"
#include "util/suggest.h"
#include "util/knob.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/parse.h"

const struct knob_desc knob_table[VMS_KNOB_COUNT] = {
#define KNOB_DESC(name_, def_, min_, max_, unit_, help_) \
	[VMS_KNOB_##name_] = { .name = #name_, .def = def_, .min = min_, .max = max_, .unit = unit_, .help = help_ },
	VMS_KNOBS(KNOB_DESC)
#undef KNOB_DESC
};

#define SUGGEST_MAX_DIST 3


void knob_defaults(int64_t *values)
{
	for (int i = 0; i < VMS_KNOB_COUNT; i++)
		values[i] = knob_table[i].def;
}

int knob_find(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < VMS_KNOB_COUNT; i++)
		if (strcmp(knob_table[i].name, name) == 0)
			return i;
	return -1;
}

/* "spni_ms" and "SPIN_MS" are one and zero edits from "spin_ms" (util/suggest.h). */
const char *knob_suggest(const char *name)
{
	const char *best = NULL;
	unsigned best_d = SUGGEST_MAX_DIST + 1;

	if (!name)
		return NULL;
	for (int i = 0; i < VMS_KNOB_COUNT; i++) {
		unsigned d = edit_distance(name, knob_table[i].name);
		if (d < best_d) {
			best_d = d;
			best = knob_table[i].name;
		}
	}
	return best;
}

static bool unit_is(const struct knob_desc *k, const char *unit)
{
	return strcmp(k->unit, unit) == 0;
}

/* " ms" after a range, but nothing for units that are not quantities. */
static const char *range_unit(const struct knob_desc *k, char *buf, size_t len)
{
	if (unit_is(k, "bool") || unit_is(k, "mode") || !*k->unit)
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, " %s", k->unit);
	return buf;
}

/* Integer syntax ("-12", "0x1f"): what fails parse_int_range only by not fitting in
 * 64 bits, which is out of range too. */
static bool looks_integer(const char *v)
{
	const char *digits = "0123456789";

	if (*v == '-' || *v == '+')
		v++;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		v += 2;
		digits = "0123456789abcdefABCDEF";
	}
	return *v && v[strspn(v, digits)] == '\0';
}

/* Parses v for knob k into *out; on error writes the cause (without the key=value). */
static int knob_value_parse(const struct knob_desc *k, const char *v, int64_t *out, char *cause, size_t len)
{
	char ubuf[32];
	int64_t x;

	if (unit_is(k, "bool")) {
		static const struct {
			const char *word;
			int64_t val;
		} words[] = { { "true", 1 }, { "yes", 1 }, { "on", 1 }, { "false", 0 }, { "no", 0 }, { "off", 0 } };
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			if (strcasecmp(v, words[i].word) == 0) {
				*out = words[i].val;
				return 0;
			}
		}
	}

	int r = parse_int_range(v, INT64_MIN, INT64_MAX, &x, NULL, 0);
	if (r == 0 || looks_integer(v)) {
		if (r == 0 && x >= k->min && x <= k->max) {
			*out = x;
			return 0;
		}
		return errorf(cause, len, "out of range %lld..%lld%s", (long long)k->min, (long long)k->max,
			    range_unit(k, ubuf, sizeof(ubuf)));
	}

	bool ms = unit_is(k, "ms"), s = unit_is(k, "s");
	size_t vl = strlen(v);
	/* A duration starts like a number and ends with a unit: a bare "1.5" would read as
	 * seconds, yet "2" means 2 ms. */
	bool has_unit = vl && (isdigit((unsigned char)v[0]) || v[0] == '-' || v[0] == '.') &&
			(isalpha((unsigned char)v[vl - 1]) || (unsigned char)v[vl - 1] >= 0x80);
	if ((ms || s) && has_unit) {
		uint64_t ns, per = ms ? 1000000ull : 1000000000ull;
		char perr[256];
		if (parse_duration_ns(v, &ns, perr, sizeof(perr))) {
			/* The key=value is already quoted: keep only the cause. */
			char quoted[160];
			size_t ql = (size_t)snprintf(quoted, sizeof(quoted), "invalid duration '%s': ", v);
			bool strip = ql < sizeof(quoted) && strncmp(perr, quoted, ql) == 0;
			return errorf(cause, len, "%s", strip ? perr + ql : perr);
		}
		if (ns % per)
			return errorf(cause, len, "not a whole number of %s", k->unit);
		uint64_t u = ns / per;
		if ((k->min >= 0 && u < (uint64_t)k->min) || k->max < 0 || u > (uint64_t)k->max)
			return errorf(cause, len, "out of range %lld..%lld %s (%s is %llu %s)", (long long)k->min,
				    (long long)k->max, k->unit, v, (unsigned long long)u, k->unit);
		*out = (int64_t)u;
		return 0;
	}

	if (unit_is(k, "bool"))
		return errorf(cause, len, "expected 0/1, true/false, yes/no or on/off");
	if (ms || s)
		return errorf(cause, len, "expected an integer number of %s, or a duration with a unit such as %s",
			    k->unit, ms ? "500ms or 2s" : "30s or 2m");
	if (unit_is(k, "mode") || !*k->unit)
		return errorf(cause, len, "expected an integer");
	return errorf(cause, len, "expected an integer number of %s", k->unit);
}

/* One key=value of a --set list (item, not NUL-terminated, n bytes). */
static int knob_set_one(int64_t *values, const char *item, size_t n, char *err, size_t errlen)
{
	char cause[512];
	char *kv = strndup(item, n);
	int ret = -1;

	if (!kv)
		return errorf(err, errlen, "--set %.*s: out of memory", (int)n, item);
	char *eq = strchr(kv, '=');
	if (!eq) {
		errorf(err, errlen, "--set %s: expected key=value", kv);
		goto out;
	}
	*eq = '\0';
	const char *key = kv, *val = eq + 1;
	if (!*key) {
		*eq = '=';
		errorf(err, errlen, "--set %s: expected key=value (the knob name is missing)", kv);
		goto out;
	}
	int idx = knob_find(key);
	if (idx < 0) {
		const char *hint = knob_suggest(key);
		*eq = '=';
		if (hint)
			errorf(err, errlen, "--set %s: unknown knob '%.*s' (did you mean '%s'?)", kv, (int)(eq - kv), kv,
			     hint);
		else
			errorf(err, errlen, "--set %s: unknown knob '%.*s' (see --help for the list)", kv,
			     (int)(eq - kv), kv);
		goto out;
	}
	*eq = '=';
	if (!*val) {
		errorf(err, errlen, "--set %s: empty value", kv);
		goto out;
	}
	if (knob_value_parse(&knob_table[idx], val, &values[idx], cause, sizeof(cause))) {
		errorf(err, errlen, "--set %s: %s", kv, cause);
		goto out;
	}
	ret = 0;
out:
	free(kv);
	return ret;
}

int knob_set(int64_t *values, const char *arg, char *err, size_t errlen)
{
	int64_t tmp[VMS_KNOB_COUNT];

	if (!arg || !*arg)
		return errorf(err, errlen, "--set: expected key=value");
	/* Applied to a copy so that a failure leaves the caller's values untouched. */
	memcpy(tmp, values, sizeof(tmp));
	for (const char *item = arg;;) {
		const char *end = strchr(item, ',');
		size_t n = end ? (size_t)(end - item) : strlen(item);
		if (n == 0)
			return errorf(err, errlen, "--set %s: empty entry in the list", arg);
		if (knob_set_one(tmp, item, n, err, errlen))
			return -1;
		if (!end)
			break;
		item = end + 1;
	}
	memcpy(values, tmp, sizeof(tmp));
	return 0;
}

void knob_print_help(FILE *f)
{
	char def[32], range[64];
	int wn = (int)strlen("knob"), wd = (int)strlen("default"), wr = (int)strlen("range"),
	    wu = (int)strlen("unit");

	for (int i = 0; i < VMS_KNOB_COUNT; i++) {
		const struct knob_desc *k = &knob_table[i];
		int l = snprintf(def, sizeof(def), "%lld", (long long)k->def);
		wd = l > wd ? l : wd;
		l = snprintf(range, sizeof(range), "%lld..%lld", (long long)k->min, (long long)k->max);
		wr = l > wr ? l : wr;
		l = (int)strlen(k->name);
		wn = l > wn ? l : wn;
		l = (int)strlen(k->unit);
		wu = l > wu ? l : wu;
	}
	fprintf(f, "  %-*s  %*s  %-*s  %-*s  %s\n", wn, "knob", wd, "default", wr, "range", wu, "unit", "description");
	for (int i = 0; i < VMS_KNOB_COUNT; i++) {
		const struct knob_desc *k = &knob_table[i];
		snprintf(def, sizeof(def), "%lld", (long long)k->def);
		snprintf(range, sizeof(range), "%lld..%lld", (long long)k->min, (long long)k->max);
		fprintf(f, "  %-*s  %*s  %-*s  %-*s  %s\n", wn, k->name, wd, def, wr, range, wu, k->unit, k->help);
	}
}
