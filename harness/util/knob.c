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
#define KNOB_WORDS_MAX 4
#define KIB 1024ull

/* Knobs whose values are names (unit "model"): value min + i is words[i]. The numbers
 * are the ABI's; people, configs and reports see only the words ("2.4" would otherwise
 * read as a number). test_knob checks that the words cover each such knob's range. */
static const struct {
	int knob;
	const char *words[KNOB_WORDS_MAX + 1]; /* NULL-terminated */
} knob_words_table[] = {
	{ VMS_KNOB_watermark_model, { "2.4", "2.6.10", "4.6", "2.6.0", NULL } /* numbers kept from before 2.6.0 */ },
	{ VMS_KNOB_kswapd_model, { "2.4", "2.6", "4.8", "auto", NULL } },
	{ VMS_KNOB_reclaim_model, { "4.8", "5.9", "auto", NULL } },
	{ VMS_KNOB_thp, { "never", "madvise", "always", "auto", NULL } },
	{ VMS_KNOB_blk_completion, { "irq", "poll", "hybrid", NULL } },
	{ VMS_KNOB_writeback_model, { "pdflush", "bdi", "ioless", NULL } },
	{ VMS_KNOB_journal_mode, { "journal", "ordered", "writeback", NULL } },
	{ VMS_KNOB_iosched, { "none", "cfq", "auto", NULL } },
};

/* Words that were renamed: configs and stored plans that use the old word still mean the
 * same era. */
static const struct {
	int knob;
	const char *old, *now;
} knob_word_renamed[] = {
	{ VMS_KNOB_watermark_model, "2.6", "2.6.10" },
	{ VMS_KNOB_watermark_model, "modern", "4.6" },
	{ VMS_KNOB_kswapd_model, "modern", "4.8" },
};

/* Knobs that were renamed: the old name is answered with the new one. */
static const struct {
	const char *old, *now;
} knob_renamed[] = {
	{ "blk_poll", "blk_completion" }, /* blk_poll=1 is blk_completion=poll */
};

const char *const *knob_words(int knob)
{
	for (size_t i = 0; i < sizeof(knob_words_table) / sizeof(knob_words_table[0]); i++)
		if (knob_words_table[i].knob == knob)
			return knob_words_table[i].words;
	return NULL;
}

const char *knob_value_word(int knob, int64_t v)
{
	const char *const *w = knob >= 0 && knob < VMS_KNOB_COUNT ? knob_words(knob) : NULL;

	if (knob >= 0 && knob < VMS_KNOB_COUNT && knob_table[knob].min == VMS_KNOB_AUTO && v == VMS_KNOB_AUTO)
		return "auto";
	if (!w || v < knob_table[knob].min)
		return NULL;
	for (int64_t i = knob_table[knob].min; *w; w++, i++)
		if (i == v)
			return *w;
	return NULL;
}

const char *knob_value_format(int knob, int64_t v, char *buf, size_t len)
{
	const char *w = knob_value_word(knob, v);

	if (w)
		snprintf(buf, len, "%s", w);
	else
		snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

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
	unsigned best_d;

	if (!name)
		return NULL;
	/* As for words: a short name must be closer to count as a typo ("x" is not "thp"). */
	best_d = (strlen(name) < 3 ? 1 : strlen(name) < 6 ? 2 : SUGGEST_MAX_DIST) + 1;
	for (size_t i = 0; i < sizeof(knob_renamed) / sizeof(knob_renamed[0]); i++)
		if (!strcmp(name, knob_renamed[i].old))
			return knob_renamed[i].now;
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

/* "a, b or c", for errors. */
static const char *words_list(const char *const *w, const char *sep, const char *last, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; w[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i == 0 ? "" : w[i + 1] ? sep : last, w[i]);
	return buf;
}

/* A word knob's value; an unknown word is answered with the words, and the nearest
 * ones when some are close ("2.5": did you mean '2.4' or '2.6'?). */
static int knob_word_parse(const struct knob_desc *k, const char *const *words, const char *v, int64_t *out,
			   char *cause, size_t len)
{
	char list[128], near[128];
	const char *best[KNOB_WORDS_MAX];
	size_t nbest = 0, n;
	/* As name_suggest: short values must be closer to count as a typo. */
	unsigned limit = strlen(v) < 3 ? 1 : strlen(v) < 6 ? 2 : SUGGEST_MAX_DIST, best_d = limit + 1;

	for (size_t i = 0; i < sizeof(knob_word_renamed) / sizeof(knob_word_renamed[0]); i++)
		if (knob_word_renamed[i].knob == (int)(k - knob_table) && !strcasecmp(v, knob_word_renamed[i].old))
			v = knob_word_renamed[i].now;
	for (n = 0; words[n]; n++) {
		if (strcasecmp(v, words[n]) == 0) {
			*out = k->min + (int64_t)n;
			return 0;
		}
		unsigned d = edit_distance(v, words[n]);
		if (d > limit)
			continue;
		if (d < best_d)
			nbest = 0, best_d = d;
		if (d == best_d)
			best[nbest++] = words[n];
	}
	words_list(words, ", ", ", ", list, sizeof(list));
	if (nbest) {
		char quoted[KNOB_WORDS_MAX][24];
		const char *q[KNOB_WORDS_MAX + 1];
		for (size_t i = 0; i < nbest; i++) {
			snprintf(quoted[i], sizeof(quoted[i]), "'%s'", best[i]);
			q[i] = quoted[i];
		}
		q[nbest] = NULL;
		return errorf(cause, len, "expected one of %s (did you mean %s?)", list,
			      words_list(q, ", ", " or ", near, sizeof(near)));
	}
	if (looks_integer(v))
		return errorf(cause, len, "expected one of %s (this knob takes the words, not numbers)", list);
	return errorf(cause, len, "expected one of %s", list);
}

/* KiB and bytes knobs: a plain number is the unit; a size with a unit ("8m", "1g") is converted. */
static int knob_size_parse(const struct knob_desc *k, const char *v, int64_t *out, char *cause, size_t len)
{
	uint64_t per = unit_is(k, "KiB") ? KIB : 1;
	char perr[256];
	uint64_t bytes;

	if (parse_size(v, &bytes, perr, sizeof(perr))) {
		char quoted[160];
		size_t ql = (size_t)snprintf(quoted, sizeof(quoted), "invalid size '%s': ", v);
		bool strip = ql < sizeof(quoted) && strncmp(perr, quoted, ql) == 0;
		return errorf(cause, len, "%s", strip ? perr + ql : perr);
	}
	if (bytes % per)
		return errorf(cause, len, "not a whole number of KiB");
	uint64_t u = bytes / per;
	if ((k->min >= 0 && u < (uint64_t)k->min) || k->max < 0 || u > (uint64_t)k->max)
		return errorf(cause, len, "out of range %lld..%lld %s (%s is %llu %s)", (long long)k->min,
			      (long long)k->max, k->unit, v, (unsigned long long)u, k->unit);
	*out = (int64_t)u;
	return 0;
}

/* Parses v for knob k into *out; on error writes the cause (without the key=value). */
static int knob_value_parse(const struct knob_desc *k, const char *v, int64_t *out, char *cause, size_t len)
{
	const char *const *names = knob_words((int)(k - knob_table));
	char ubuf[32];
	int64_t x;

	if (names)
		return knob_word_parse(k, names, v, out, cause, len);

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

	if (k->min == VMS_KNOB_AUTO && strcasecmp(v, "auto") == 0) {
		*out = VMS_KNOB_AUTO;
		return 0;
	}
	int r = parse_int_range(v, INT64_MIN, INT64_MAX, &x, NULL, 0);
	if (r == 0 || looks_integer(v)) {
		bool has_auto = k->min == VMS_KNOB_AUTO;
		int64_t lo = has_auto ? 0 : k->min;
		if (r == 0 && x >= lo && x <= k->max) {
			*out = x;
			return 0;
		}
		return errorf(cause, len, "out of range %s%lld..%lld%s", has_auto ? "auto or " : "", (long long)lo,
			      (long long)k->max, range_unit(k, ubuf, sizeof(ubuf)));
	}

	bool ms = unit_is(k, "ms"), s = unit_is(k, "s");
	size_t vl = strlen(v);
	/* A duration or size starts like a number and ends with a unit: a bare "1.5" would
	 * read as seconds, yet "2" means 2 ms. */
	bool has_unit = vl && (isdigit((unsigned char)v[0]) || v[0] == '-' || v[0] == '.') &&
			(isalpha((unsigned char)v[vl - 1]) || (unsigned char)v[vl - 1] >= 0x80);
	if ((unit_is(k, "KiB") || unit_is(k, "bytes")) && has_unit)
		return knob_size_parse(k, v, out, cause, len);
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
	if (unit_is(k, "KiB"))
		return errorf(cause, len, "expected an integer number of KiB, or a size with a unit such as 512k or 8m");
	if (unit_is(k, "bytes"))
		return errorf(cause, len, "expected an integer number of bytes, or a size with a unit such as 1m or 100m");
	return errorf(cause, len, "expected an integer number of %s", k->unit);
}

/* One key=value of a --set list (item, not NUL-terminated, n bytes). */
static int knob_value_check(int knob, const char *v, int64_t *out, char *cause, size_t len);

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
	int64_t x;
	if (knob_value_check(idx, val, &x, cause, sizeof(cause))) {
		errorf(err, errlen, "--set %s: %s", kv, cause);
		goto out;
	}
	knob_assign(values, idx, x);
	ret = 0;
out:
	free(kv);
	return ret;
}

/* The two forms of a dirty threshold: writing one clears the other, as Linux's sysctl
 * handlers do (dirty_ratio_handler sets vm_dirty_bytes = 0 and the reverse). */
static const struct {
	int a, b;
} knob_exclusive[] = {
	{ VMS_KNOB_dirty_ratio, VMS_KNOB_dirty_bytes },
	{ VMS_KNOB_dirty_background_ratio, VMS_KNOB_dirty_background_bytes },
};

void knob_assign(int64_t *values, int knob, int64_t v)
{
	values[knob] = v;
	for (size_t i = 0; i < sizeof(knob_exclusive) / sizeof(knob_exclusive[0]); i++) {
		if (knob == knob_exclusive[i].a)
			values[knob_exclusive[i].b] = 0; /* 0 bytes: the ratio applies */
		else if (knob == knob_exclusive[i].b && v)
			values[knob_exclusive[i].a] = 0;
	}
}

/* Linux's dirty_bytes_min: a nonzero vm.dirty_bytes is at least two pages. */
#define DIRTY_BYTES_MIN 8192

static int knob_value_check(int knob, const char *v, int64_t *out, char *cause, size_t len)
{
	if (knob_value_parse(&knob_table[knob], v, out, cause, len))
		return -1;
	if (knob == VMS_KNOB_dirty_bytes && *out && *out < DIRTY_BYTES_MIN)
		return errorf(cause, len, "at least %d bytes (two pages), or 0 for dirty_ratio's", DIRTY_BYTES_MIN);
	return 0;
}

int knob_parse(int knob, const char *v, int64_t *out, char *cause, size_t len)
{
	if (knob < 0 || knob >= VMS_KNOB_COUNT)
		return errorf(cause, len, "no such knob");
	return knob_value_check(knob, v, out, cause, len);
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

/* The range column: "0..3600000", or a word knob's words "2.4|2.6|modern". */
static const char *range_format(int knob, char *buf, size_t len)
{
	const char *const *w = knob_words(knob);

	if (w)
		return words_list(w, "|", "|", buf, len);
	if (knob_table[knob].min == VMS_KNOB_AUTO)
		snprintf(buf, len, "auto|0..%lld", (long long)knob_table[knob].max);
	else
		snprintf(buf, len, "%lld..%lld", (long long)knob_table[knob].min, (long long)knob_table[knob].max);
	return buf;
}

void knob_print_help(FILE *f)
{
	char def[32], range[64];
	int wn = (int)strlen("knob"), wd = (int)strlen("default"), wr = (int)strlen("range"),
	    wu = (int)strlen("unit");

	for (int i = 0; i < VMS_KNOB_COUNT; i++) {
		const struct knob_desc *k = &knob_table[i];
		int l = (int)strlen(knob_value_format(i, k->def, def, sizeof(def)));
		wd = l > wd ? l : wd;
		l = (int)strlen(range_format(i, range, sizeof(range)));
		wr = l > wr ? l : wr;
		l = (int)strlen(k->name);
		wn = l > wn ? l : wn;
		l = (int)strlen(k->unit);
		wu = l > wu ? l : wu;
	}
	fprintf(f, "  %-*s  %*s  %-*s  %-*s  %s\n", wn, "knob", wd, "default", wr, "range", wu, "unit", "description");
	for (int i = 0; i < VMS_KNOB_COUNT; i++) {
		const struct knob_desc *k = &knob_table[i];
		knob_value_format(i, k->def, def, sizeof(def));
		range_format(i, range, sizeof(range));
		fprintf(f, "  %-*s  %*s  %-*s  %-*s  %s\n", wn, k->name, wd, def, wr, range, wu, k->unit, k->help);
	}
}
