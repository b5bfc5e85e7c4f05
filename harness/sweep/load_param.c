/* The load parameter of a capacity search; see load_param.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fio/sweep_options.h"
#include "sweep/config_internal.h"
#include "sweep/load_param.h"
#include "sweep/plan_print.h"
#include "util/error.h"
#include "util/knob.h"

/* The parameter NAME stands for: fio.<option>, a bare fio option, or a knob. */
static int load_kind(const char *name, char *full, size_t len, enum sweep_param_kind *kind, int *knob)
{
	const char *opt = !strncmp(name, FIO_PARAM_PREFIX, strlen(FIO_PARAM_PREFIX)) ? name + strlen(FIO_PARAM_PREFIX)
										    : name;
	if ((*knob = fio_sweep_option_find(opt)) >= 0) {
		*kind = SWEEP_PARAM_FIO;
		snprintf(full, len, FIO_PARAM_PREFIX "%s", opt);
		return 0;
	}
	if (opt == name && (*knob = knob_find(name)) >= 0) {
		*kind = SWEEP_PARAM_KNOB;
		snprintf(full, len, "%s", name);
		return 0;
	}
	return -1;
}

int load_spec_parse(const char *text, struct load_spec *l, char *err, size_t errlen)
{
	const char *eq = strchr(text, '='), *dots = eq ? strstr(eq, "..") : NULL;
	char name[80], a[64], b[64], cause[512];

	memset(l, 0, sizeof(*l));
	if (!eq || !dots)
		return errorf(err, errlen, "--load '%s': expected NAME=LIGHT..HEAVY, e.g. rate_iops=100..20000", text);
	if ((size_t)(eq - text) >= sizeof(name) || (size_t)(dots - eq - 1) >= sizeof(a) || strlen(dots + 2) >= sizeof(b))
		return errorf(err, errlen, "--load '%s': too long", text);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - text), text);
	snprintf(a, sizeof(a), "%.*s", (int)(dots - eq - 1), eq + 1);
	snprintf(b, sizeof(b), "%s", dots + 2);
	if (load_kind(name, l->name, sizeof(l->name), &l->kind, &l->knob)) {
		const char *hint = fio_sweep_option_suggest(name);
		return errorf(err, errlen, "--load %s: not a load%s%s%s: an fio option a sweep may vary (%s) or a guest knob",
			      name, hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "",
			      fio_sweep_option_list());
	}
	if (!*a || !*b)
		return errorf(err, errlen, "--load '%s': expected NAME=LIGHT..HEAVY with both ends", text);
	if (sweep_value_parse(l->kind, l->knob, a, &l->light, cause, sizeof(cause)) ||
	    sweep_value_parse(l->kind, l->knob, b, &l->heavy, cause, sizeof(cause)))
		return errorf(err, errlen, "--load %s: %s", name, cause);
	if (l->light == l->heavy)
		return errorf(err, errlen, "--load %s: the range %s..%s is one value: nothing to search", name, a, b);
	l->reversed = l->heavy < l->light;
	l->min = l->reversed ? l->heavy : l->light;
	l->max = l->reversed ? l->light : l->heavy;
	if (l->min <= 0)
		return errorf(err, errlen, "--load %s: the range must be above 0 (%s..%s): a load of 0 is no load", name,
			      a, b);
	return 0;
}

int load_param_append(struct sweep_config *c, const struct load_spec *l, char *err, size_t errlen)
{
	int i = sweep_config_param_find(c, l->name);
	if (i >= 0)
		return errorf(err, errlen,
			      "--load %s: %s:%u sweeps %s already; the search chooses its values: take it out of [params]",
			      l->name, c->path, c->params[i].line, l->name);
	char values[64];
	snprintf(values, sizeof(values), "%lld, %lld", (long long)l->min, (long long)l->max);
	struct fio_option o = { .key = (char *)l->name, .value = values, .file = c->path, .line = 0 };
	return sweep_param_add(c, &o, err, errlen);
}

int load_step_parse(const struct load_spec *l, const char *text, int64_t *step, char *err, size_t errlen)
{
	char cause[512];
	if (sweep_value_parse(l->kind, l->knob, text, step, cause, sizeof(cause)))
		return errorf(err, errlen, "--resolution %s: %s (a step of %s, or a share of the answer: 5%%)", text,
			      cause, l->name);
	if (*step <= 0)
		return errorf(err, errlen, "--resolution %s: a step must be above 0", text);
	return 0;
}

const char *load_value_format(const struct sweep_config *c, int64_t v, char *buf, size_t len)
{
	return sweep_value_format(&c->params[c->nr_params - 1], v, buf, len);
}
