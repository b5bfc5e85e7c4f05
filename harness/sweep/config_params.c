/*
 * [params]: each key a parameter (a guest knob, or memory, vcpus, hz; an fio option of
 * the job, "fio.iodepth"; or "job", a list of job files) with its list of values, and
 * "zip = a, b" lines. Values are read as `vmsweep boot` reads them (knob_set for knobs,
 * sizes for memory), so a sweep accepts exactly what a single boot does, with the same
 * ranges.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "fio/sweep_options.h"
#include "sweep/config_internal.h"
#include "util/error.h"
#include "util/knob.h"
#include "util/parse.h"
#include "util/suggest.h"

/* The guest settings that are parameters besides the knobs, and their ranges as
 * `vmsweep boot` checks them. */
static const char *const setting_names[] = { "memory", "vcpus", "hz", "topology", "pin", "backend" };
#define NR_SETTINGS (sizeof(setting_names) / sizeof(setting_names[0]))

int sweep_list_split(const char *value, char ***items, size_t *n, char *cause, size_t causelen)
{
	const char *p = value;

	*items = NULL;
	*n = 0;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && isspace((unsigned char)*p))
			p++, len--;
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (!len) {
			sweep_list_free(*items, *n);
			*items = NULL;
			*n = 0;
			return errorf(cause, causelen, "empty item in the list '%s'", value);
		}
		char **more = realloc(*items, (*n + 1) * sizeof(*more));
		if (!more || !(more[*n] = strndup(p, len))) {
			if (more)
				*items = more;
			sweep_list_free(*items, *n);
			*items = NULL;
			*n = 0;
			return errorf(cause, causelen, "out of memory");
		}
		*items = more;
		(*n)++;
		if (!end)
			return 0;
		p = end + 1;
	}
}

void sweep_list_free(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

/* The kind of parameter a name stands for; -1 when it is none. *knob: the knob, or the
 * fio option of a "fio.<option>" name. */
static int param_kind(const char *name, int *knob)
{
	if (!strncmp(name, FIO_PARAM_PREFIX, strlen(FIO_PARAM_PREFIX))) {
		*knob = fio_sweep_option_find(name + strlen(FIO_PARAM_PREFIX));
		return *knob >= 0 ? SWEEP_PARAM_FIO : -1;
	}
	*knob = knob_find(name);
	if (*knob >= 0)
		return SWEEP_PARAM_KNOB;
	if (!strcmp(name, "memory"))
		return SWEEP_PARAM_MEMORY;
	if (!strcmp(name, "vcpus"))
		return SWEEP_PARAM_VCPUS;
	if (!strcmp(name, "hz"))
		return SWEEP_PARAM_HZ;
	if (!strcmp(name, "topology"))
		return SWEEP_PARAM_TOPOLOGY;
	if (!strcmp(name, "pin"))
		return SWEEP_PARAM_PIN;
	if (!strcmp(name, "backend"))
		return SWEEP_PARAM_BACKEND;
	if (!strcmp(name, "job"))
		return SWEEP_PARAM_JOB;
	return -1;
}

int sweep_value_parse(enum sweep_param_kind kind, int knob, const char *text, int64_t *v, char *cause,
		      size_t len)
{
	char why[512], *kv = NULL;
	uint64_t u;

	switch (kind) {
	case SWEEP_PARAM_KNOB: {
		int64_t tmp[VMS_KNOB_COUNT];
		knob_defaults(tmp);
		if (asprintf(&kv, "%s=%s", knob_table[knob].name, text) < 0)
			return errorf(cause, len, "out of memory");
		if (knob_set(tmp, kv, why, sizeof(why))) {
			/* knob_set quotes "--set key=value: "; the caller names the key already. */
			size_t pl = strlen("--set ") + strlen(kv) + 2;
			bool strip = strlen(why) >= pl && !strncmp(why, "--set ", 6);
			errorf(cause, len, "'%s': %s", text, strip ? why + pl : why);
			free(kv);
			return -1;
		}
		free(kv);
		*v = tmp[knob];
		return 0;
	}
	case SWEEP_PARAM_MEMORY:
		if (parse_size(text, &u, cause, len))
			return -1;
		if (u < VMS_MIN_MEM || u > VMS_MAX_MEM)
			return errorf(cause, len, "'%s': out of range 16M..64G", text);
		if (u % VMS_MEM_ALIGN)
			return errorf(cause, len, "'%s': not a multiple of 2M (guest RAM is mapped in 2 MiB pages)", text);
		*v = (int64_t)u;
		return 0;
	case SWEEP_PARAM_VCPUS:
		return parse_int_range(text, 1, VMS_MAX_CPUS, v, cause, len);
	case SWEEP_PARAM_HZ:
		/* KVM's LAPIC timer period is at least 200 us (min_timer_period_us): 5000 Hz at most, as for boot --hz */
		return parse_int_range(text, 0, 5000, v, cause, len);
	case SWEEP_PARAM_FIO:
		return fio_sweep_value_parse(knob, text, v, cause, len);
	case SWEEP_PARAM_TOPOLOGY: {
		struct cpu_topology t;
		if (cpu_topology_parse(text, &t, cause, len))
			return -1;
		*v = cpu_topology_pack(&t);
		return 0;
	}
	case SWEEP_PARAM_PIN: {
		struct vm_pin pin;
		if (vm_pin_parse(text, &pin, cause, len))
			return -1;
		/* A list names host CPUs for one machine's run, and a sweep's runs share the host --jobs at a time */
		if (pin.mode == VM_PIN_LIST)
			return errorf(cause, len, "'%s': a sweep pins with none, compact, scatter or io (a list of host CPUs "
				      "is for vmsweep boot --pin)", text);
		*v = pin.mode;
		return 0;
	}
	case SWEEP_PARAM_BACKEND: {
		int b = backend_parse(text);
		if (b < 0)
			return errorf(cause, len, "'%s': kvm (our own guest kernel) or libvirt (Linux, through libvirt)", text);
		*v = b;
		return 0;
	}
	case SWEEP_PARAM_JOB:
		break; /* job_item_add: a path, not a value */
	}
	return errorf(cause, len, "internal: parameter kind %d", (int)kind);
}

/* A range's step: a positive number in the parameter's unit. */
static int step_parse(enum sweep_param_kind kind, int knob, const char *text, int64_t *v, char *cause, size_t len)
{
	uint64_t u;

	if (kind == SWEEP_PARAM_TOPOLOGY || kind == SWEEP_PARAM_PIN || kind == SWEEP_PARAM_BACKEND)
		return errorf(cause, len, "step '%s': %s takes a list, not a range", text,
			      kind == SWEEP_PARAM_PIN ? "pin" : kind == SWEEP_PARAM_BACKEND ? "backend" : "topology (1x2x1, 2x1x1)");
	if (text[0] == '-' || !strcmp(text, "0"))
		return errorf(cause, len, "step '%s': the step must be greater than 0", text);
	if (kind == SWEEP_PARAM_MEMORY) {
		if (parse_size(text, &u, cause, len))
			return -1;
		if (u % VMS_MEM_ALIGN)
			return errorf(cause, len, "step '%s': not a multiple of 2M", text);
		*v = (int64_t)u;
		return u ? 0 : errorf(cause, len, "step '%s': the step must be greater than 0", text);
	}
	if (kind == SWEEP_PARAM_FIO) {
		if (!fio_sweep_option_ranges(knob))
			return errorf(cause, len, "step '%s': fio.%s takes a list of words, not a range", text,
				      fio_sweep_option_name(knob));
		if (parse_size(text, &u, cause, len))
			return -1;
		*v = (int64_t)u;
		return u ? 0 : errorf(cause, len, "step '%s': the step must be greater than 0", text);
	}
	if (parse_int_range(text, 1, INT64_MAX, v, NULL, 0) == 0)
		return 0;
	if (kind == SWEEP_PARAM_KNOB &&
	    (!strcmp(knob_table[knob].unit, "ms") || !strcmp(knob_table[knob].unit, "s"))) {
		uint64_t per = strcmp(knob_table[knob].unit, "ms") ? 1000000000ull : 1000000ull;
		if (parse_duration_ns(text, &u, cause, len))
			return -1;
		if (!u || u % per)
			return errorf(cause, len, "step '%s': not a positive whole number of %s", text,
				      knob_table[knob].unit);
		*v = (int64_t)(u / per);
		return 0;
	}
	return errorf(cause, len, "step '%s': expected a positive integer", text);
}

/* One list item: a value, or "START..END step STEP" (END included when a step lands on it). */
static int item_parse(struct sweep_param *p, const char *item, char *cause, size_t len)
{
	const char *dots = strstr(item, "..");
	int64_t lo, hi, step, x;
	char *a = NULL, *b = NULL, *s = NULL;
	int ret = -1;

	if (!dots) {
		if (sweep_value_parse(p->kind, p->knob, item, &x, cause, len))
			return -1;
		lo = hi = x;
		step = 1;
	} else {
		const char *rest = dots + 2, *st = rest;
		while ((st = strstr(st, "step")) &&
		       !((st == rest || isspace((unsigned char)st[-1])) && (isspace((unsigned char)st[4]) || !st[4])))
			st += 4;
		if (!st) {
			errorf(cause, len, "range '%s' has no step: write it as START..END step STEP", item);
			goto out;
		}
		a = strndup(item, (size_t)(dots - item));
		b = strndup(rest, (size_t)(st - rest));
		s = strdup(st + 4);
		if (!a || !b || !s) {
			errorf(cause, len, "out of memory");
			goto out;
		}
		char *parts[3] = { a, b, s };
		for (int i = 0; i < 3; i++) {
			char *q = parts[i], *e;
			while (isspace((unsigned char)*q))
				q++;
			e = q + strlen(q);
			while (e > q && isspace((unsigned char)e[-1]))
				*--e = '\0';
			parts[i] = q;
		}
		if (!*parts[0] || !*parts[1] || !*parts[2]) {
			errorf(cause, len, "range '%s': expected START..END step STEP", item);
			goto out;
		}
		if (sweep_value_parse(p->kind, p->knob, parts[0], &lo, cause, len) ||
		    sweep_value_parse(p->kind, p->knob, parts[1], &hi, cause, len) ||
		    step_parse(p->kind, p->knob, parts[2], &step, cause, len))
			goto out;
		if (lo > hi) {
			errorf(cause, len, "range '%s': the start is above the end", item);
			goto out;
		}
	}
	/* (hi - lo) / step + 1 values, without overflowing on wide ranges */
	uint64_t count = (uint64_t)(hi - lo) / (uint64_t)step + 1;
	if (count > SWEEP_VALUES_MAX || p->nr_values + count > SWEEP_VALUES_MAX) {
		errorf(cause, len, "'%s': more than %d values", item, SWEEP_VALUES_MAX);
		goto out;
	}
	int64_t *vals = realloc(p->values, (p->nr_values + count) * sizeof(*vals));
	if (!vals) {
		errorf(cause, len, "out of memory");
		goto out;
	}
	p->values = vals;
	for (uint64_t i = 0; i < count; i++) {
		x = lo + (int64_t)(i * (uint64_t)step);
		for (size_t j = 0; j < p->nr_values; j++)
			if (p->values[j] == x) {
				errorf(cause, len, "value %lld appears twice in the list", (long long)x);
				goto out;
			}
		p->values[p->nr_values++] = x;
	}
	ret = 0;
out:
	free(a);
	free(b);
	free(s);
	return ret;
}

/* One job file of a "job" parameter: relative to the config, as [workload] job is. */
static int job_item_add(struct sweep_param *p, const struct fio_option *o, const char *item, char *cause, size_t len)
{
	const char *slash = strrchr(o->file, '/');
	char *path = NULL;
	int r = item[0] != '/' && slash ? asprintf(&path, "%.*s%s", (int)(slash - o->file + 1), o->file, item)
					: asprintf(&path, "%s", item);
	if (r < 0)
		return errorf(cause, len, "out of memory");
	for (size_t j = 0; j < p->nr_values; j++)
		if (!strcmp(p->job_paths[j], path)) {
			free(path);
			return errorf(cause, len, "'%s' appears twice in the list", item);
		}
	char **paths = realloc(p->job_paths, (p->nr_values + 1) * sizeof(*paths));
	int64_t *vals = paths ? realloc(p->values, (p->nr_values + 1) * sizeof(*vals)) : NULL;
	if (paths)
		p->job_paths = paths;
	if (!vals) {
		free(path);
		return errorf(cause, len, "out of memory");
	}
	p->values = vals;
	p->job_paths[p->nr_values] = path;
	p->values[p->nr_values] = (int64_t)p->nr_values;
	p->nr_values++;
	return 0;
}

/* "unknown parameter" with the nearest name of its kind. */
static int param_unknown(const struct fio_option *o, char *err, size_t errlen)
{
	const char *cands[VMS_KNOB_COUNT + NR_SETTINGS + 1];
	const char *prefix = FIO_PARAM_PREFIX;
	if (!strncmp(o->key, prefix, strlen(prefix))) {
		const char *hint = fio_sweep_option_suggest(o->key + strlen(prefix));
		return errorf_at(err, errlen, o->file, o->line, "[params] %s: not an fio option a sweep varies%s%s%s (%s)",
				 o->key, hint ? " (did you mean 'fio." : "", hint ? hint : "", hint ? "'?)" : "",
				 fio_sweep_option_list());
	}
	for (int i = 0; i < VMS_KNOB_COUNT; i++)
		cands[i] = knob_table[i].name;
	for (size_t i = 0; i < NR_SETTINGS; i++)
		cands[VMS_KNOB_COUNT + i] = setting_names[i];
	cands[VMS_KNOB_COUNT + NR_SETTINGS] = "job";
	const char *hint = name_suggest(o->key, cands, VMS_KNOB_COUNT + NR_SETTINGS + 1);
	if (hint)
		return errorf_at(err, errlen, o->file, o->line, "[params] %s: unknown parameter (did you mean '%s'?)",
				 o->key, hint);
	return errorf_at(err, errlen, o->file, o->line,
			 "[params] %s: unknown parameter (a guest knob of `vmsweep boot --help`, memory, vcpus, hz,"
			 " topology, pin, backend, job, or fio.<option>: %s)",
			 o->key, fio_sweep_option_list());
}

int sweep_param_add(struct sweep_config *c, const struct fio_option *o, char *err, size_t errlen)
{
	char cause[512], **items = NULL;
	size_t n = 0;
	int knob, kind = param_kind(o->key, &knob);

	if (kind < 0)
		return param_unknown(o, err, errlen);
	for (size_t i = 0; i < c->nr_params; i++)
		if (!strcmp(c->params[i].name, o->key))
			return errorf_at(err, errlen, o->file, o->line,
					 "[params] %s: parameter listed twice (first at line %u)", o->key,
					 c->params[i].line);
	if (!o->value || !*o->value)
		return errorf_at(err, errlen, o->file, o->line,
				 "[params] %s: no values (write '%s = 1, 2, 4' or '%s = 1..8 step 1')", o->key, o->key,
				 o->key);
	struct sweep_param *ps = realloc(c->params, (c->nr_params + 1) * sizeof(*ps));
	if (!ps)
		return errorf_at(err, errlen, o->file, o->line, "out of memory");
	c->params = ps;
	struct sweep_param *p = &ps[c->nr_params];
	*p = (struct sweep_param){ .name = strdup(o->key), .kind = kind,
				   .knob = kind == SWEEP_PARAM_KNOB || kind == SWEEP_PARAM_FIO ? knob : -1, .zip = -1,
				   .line = o->line };
	c->nr_params++;
	if (!p->name)
		return errorf_at(err, errlen, o->file, o->line, "out of memory");
	if (sweep_list_split(o->value, &items, &n, cause, sizeof(cause)))
		return errorf_at(err, errlen, o->file, o->line, "[params] %s: %s", o->key, cause);
	for (size_t i = 0; i < n; i++) {
		if (kind == SWEEP_PARAM_JOB ? job_item_add(p, o, items[i], cause, sizeof(cause))
					    : item_parse(p, items[i], cause, sizeof(cause))) {
			errorf_at(err, errlen, o->file, o->line, "[params] %s: %s", o->key, cause);
			sweep_list_free(items, n);
			return -1;
		}
	}
	sweep_list_free(items, n);
	return 0;
}

static int zip_add(struct sweep_config *c, const struct fio_option *o, char *err, size_t errlen)
{
	const char **names = calloc(c->nr_params + 1, sizeof(*names));
	char cause[512], **items = NULL;
	size_t n = 0;
	int ret = -1;

	if (!names)
		return errorf_at(err, errlen, o->file, o->line, "out of memory");
	if (!o->value || sweep_list_split(o->value, &items, &n, cause, sizeof(cause))) {
		free(names);
		return errorf_at(err, errlen, o->file, o->line, "zip: %s",
				 o->value ? cause : "expected 'zip = a, b' (parameters that vary together)");
	}
	if (n < 2) {
		errorf_at(err, errlen, o->file, o->line, "zip = %s: a zip needs at least two parameters", o->value);
		goto out;
	}
	struct sweep_zip *zs = realloc(c->zips, (c->nr_zips + 1) * sizeof(*zs));
	if (!zs || !(zs[c->nr_zips].params = calloc(n, sizeof(size_t)))) {
		if (zs)
			c->zips = zs;
		errorf_at(err, errlen, o->file, o->line, "out of memory");
		goto out;
	}
	c->zips = zs;
	struct sweep_zip *z = &zs[c->nr_zips++];
	z->nr_params = 0;
	z->line = o->line;
	for (size_t i = 0; i < c->nr_params; i++)
		names[i] = c->params[i].name;
	for (size_t i = 0; i < n; i++) {
		int k = sweep_config_param_find(c, items[i]);
		if (k < 0) {
			const char *hint = name_suggest(items[i], names, c->nr_params);
			errorf_at(err, errlen, o->file, o->line, "zip: '%s' is not a parameter of [params]%s%s%s",
				  items[i], hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
			goto out;
		}
		struct sweep_param *p = &c->params[k];
		if (p->zip >= 0) {
			errorf_at(err, errlen, o->file, o->line, "zip: '%s' is already in the zip at line %u", p->name,
				  c->zips[p->zip].line);
			goto out;
		}
		struct sweep_param *first = z->nr_params ? &c->params[z->params[0]] : NULL;
		if (first && p->nr_values != first->nr_values) {
			errorf_at(err, errlen, o->file, o->line,
				  "zip = %s: '%s' has %zu values and '%s' has %zu (zipped parameters are paired value "
				  "by value, so they need as many)",
				  o->value, first->name, first->nr_values, p->name, p->nr_values);
			goto out;
		}
		p->zip = (int)(c->nr_zips - 1);
		z->params[z->nr_params++] = (size_t)k;
	}
	ret = 0;
out:
	sweep_list_free(items, n);
	free(names);
	return ret;
}

int sweep_params_parse(struct sweep_config *c, const struct fio_section *s, char *err, size_t errlen)
{
	c->params_line = s->line;
	for (size_t i = 0; i < s->nr_opts; i++)
		if (strcmp(s->opts[i].key, "zip") && sweep_param_add(c, &s->opts[i], err, errlen))
			return -1;
	/* zips after every parameter: a zip line may come before the parameters it names */
	for (size_t i = 0; i < s->nr_opts; i++)
		if (!strcmp(s->opts[i].key, "zip") && zip_add(c, &s->opts[i], err, errlen))
			return -1;
	return 0;
}
