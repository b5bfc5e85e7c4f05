/* The fio options a sweep may vary: their values as integers and back as text. */
#include <stdio.h>
#include <string.h>

#include <vmsweep/workload.h>

#include "fio/sweep_options.h"
#include "util/error.h"
#include "util/parse.h"
#include "util/suggest.h"

/* V_RATE: bytes a second, any number (fio's rate=); V_USEC: a time in microseconds,
 * fio's unit for thinktime=, written with or without a unit. */
enum value_type { V_INT, V_SIZE, V_WORD, V_RATE, V_USEC };

/* Indexed by enum vms_rw, as the compiler's rw= table maps them. */
static const char *const rw_words[] = { "read", "write", "randread", "randwrite", "readwrite", "randrw", NULL };

static const struct sweep_option {
	const char *name;
	enum value_type type;
	int64_t min, max; /* V_INT; V_SIZE: max bytes, multiple of 512 */
	const char *const *words;
} options[] = {
	{ "iodepth", V_INT, 1, 65536, NULL },
	{ "bs", V_SIZE, 512, 1ll << 30, NULL },
	{ "rw", V_WORD, 0, 0, rw_words },
	{ "rwmixread", V_INT, 0, 100, NULL },
	{ "numjobs", V_INT, 1, 64, NULL },
	{ "rate_iops", V_INT, 0, 100000000, NULL },
	{ "rate", V_RATE, 0, 1ll << 40, NULL },
	{ "thinktime", V_USEC, 0, 3600000000ll, NULL },
	{ "size", V_SIZE, 512, 1ll << 50, NULL },
};
#define NR_OPTIONS (sizeof(options) / sizeof(options[0]))

int fio_sweep_option_find(const char *name)
{
	for (size_t i = 0; i < NR_OPTIONS; i++)
		if (!strcmp(options[i].name, name))
			return (int)i;
	return -1;
}

const char *fio_sweep_option_suggest(const char *name)
{
	const char *names[NR_OPTIONS];
	for (size_t i = 0; i < NR_OPTIONS; i++)
		names[i] = options[i].name;
	return name_suggest(name, names, NR_OPTIONS);
}

const char *fio_sweep_option_list(void)
{
	static char list[256];
	size_t off = 0;
	for (size_t i = 0; i < NR_OPTIONS && off < sizeof(list); i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "", options[i].name);
	return list;
}

const char *fio_sweep_option_name(int opt)
{
	return options[opt].name;
}

int fio_sweep_option_ranges(int opt)
{
	return options[opt].type != V_WORD;
}

int fio_sweep_value_parse(int opt, const char *text, int64_t *v, char *cause, size_t len)
{
	const struct sweep_option *o = &options[opt];
	uint64_t u;
	switch (o->type) {
	case V_INT:
		return parse_int_range(text, o->min, o->max, v, cause, len);
	case V_SIZE:
		if (parse_size(text, &u, cause, len))
			return -1;
		if (u < (uint64_t)o->min || u > (uint64_t)o->max || u % 512)
			return errorf(cause, len, "'%s': expected a multiple of 512 bytes from %lld to %lld", text,
				      (long long)o->min, (long long)o->max);
		*v = (int64_t)u;
		return 0;
	case V_RATE:
		if (parse_size(text, &u, cause, len))
			return -1;
		if (u > (uint64_t)o->max)
			return errorf(cause, len, "'%s': more than 1T a second", text);
		*v = (int64_t)u;
		return 0;
	case V_USEC:
		/* a bare number is fio's microseconds */
		if (parse_int_range(text, o->min, o->max, v, NULL, 0) == 0)
			return 0;
		if (parse_duration_ns(text, &u, cause, len))
			return -1;
		if (u % 1000 || u / 1000 > (uint64_t)o->max)
			return errorf(cause, len, "'%s': expected whole microseconds up to an hour", text);
		*v = (int64_t)(u / 1000);
		return 0;
	case V_WORD:
		for (int64_t i = 0; o->words[i]; i++)
			if (!strcmp(o->words[i], text)) {
				*v = i;
				return 0;
			}
		const char *near = name_suggest(text, (const char *const *)o->words, 6);
		return errorf(cause, len, "'%s': expected read, write, randread, randwrite, readwrite or randrw%s%s%s",
			      text, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	}
	return errorf(cause, len, "internal: option type %d", (int)o->type);
}

const char *fio_sweep_value_word(int opt, int64_t v)
{
	const struct sweep_option *o = &options[opt];
	if (o->type != V_WORD || v < 0)
		return NULL;
	for (int64_t i = 0; o->words[i]; i++)
		if (i == v)
			return o->words[i];
	return NULL;
}

const char *fio_sweep_value_text(int opt, int64_t v, char *buf, size_t len)
{
	const char *w = fio_sweep_value_word(opt, v);
	if (w)
		snprintf(buf, len, "%s", w);
	else
		snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

const char *fio_sweep_value_format(int opt, int64_t v, char *buf, size_t len)
{
	static const char units[] = "kmgt";
	if (options[opt].type == V_USEC && v > 0) {
		if (v % 1000000 == 0)
			snprintf(buf, len, "%llds", (long long)(v / 1000000));
		else if (v % 1000 == 0)
			snprintf(buf, len, "%lldms", (long long)(v / 1000));
		else
			snprintf(buf, len, "%lldus", (long long)v);
		return buf;
	}
	if ((options[opt].type != V_SIZE && options[opt].type != V_RATE) || v <= 0)
		return fio_sweep_value_text(opt, v, buf, len);
	int u = -1;
	while (u < 3 && v % 1024 == 0)
		v /= 1024, u++;
	if (u < 0)
		snprintf(buf, len, "%lld", (long long)v);
	else
		snprintf(buf, len, "%lld%c", (long long)v, units[u]);
	return buf;
}
