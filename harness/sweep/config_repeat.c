/*
 * [sweep] repeat = N | auto, and auto's settings: a point repeats until the 95 %
 * confidence interval of each ci_metric's mean is within ci of the mean (its half-width,
 * Student's t), between min_repeat and max_repeat runs, as the Phoronix Test Suite's
 * dynamic run count does. The plan holds max_repeat runs of each point; the runs a point
 * did not need are recorded as 'skipped' (cmd/run_repeat.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sweep/config_internal.h"
#include "util/error.h"
#include "util/parse.h"

#define REPEAT_MAX 10000
#define MIN_REPEAT_DEFAULT 3
#define MAX_REPEAT_DEFAULT 20

bool sweep_repeat_key_is(const char *key)
{
	return !strcmp(key, "repeat") || !strcmp(key, "min_repeat") || !strcmp(key, "max_repeat") ||
	       !strcmp(key, "ci") || !strcmp(key, "ci_metric");
}

static int count_value(const struct fio_option *o, unsigned min, unsigned *v, char *err, size_t errlen)
{
	char why[256];
	int64_t x;
	if (parse_int_range(o->value, min, REPEAT_MAX, &x, why, sizeof(why)))
		return errorf_at(err, errlen, o->file, o->line, "%s = %s: %s", o->key, o->value, why);
	*v = (unsigned)x;
	return 0;
}

int sweep_repeat_key(struct sweep_config *c, const struct fio_option *o, char *err, size_t errlen)
{
	struct sweep_repeat *r = &c->auto_repeat;
	char why[256];

	if (!strcmp(o->key, "repeat")) {
		r->line = o->line;
		if (!strcmp(o->value, "auto")) {
			r->on = true;
			return 0;
		}
		return count_value(o, 1, &c->repeat, err, errlen);
	}
	if (!r->first_line)
		r->first_line = o->line;
	if (!strcmp(o->key, "min_repeat"))
		return count_value(o, 2, &r->min, err, errlen);
	if (!strcmp(o->key, "max_repeat"))
		return count_value(o, 2, &r->max, err, errlen);
	if (!strcmp(o->key, "ci")) {
		char *end;
		double x = strtod(o->value, &end);
		if (end != o->value && *end == '%') {
			x /= 100;
			end++;
		}
		if (end == o->value || *end || !(x > 0 && x < 1))
			return errorf_at(err, errlen, o->file, o->line,
					 "ci = %s: expected the interval's half-width as a share of the mean, "
					 "a percentage (2%%) or a fraction (0.02) above 0 and below 1",
					 o->value);
		r->ci = x;
		return 0;
	}
	r->metrics_line = o->line;
	if (sweep_list_split(o->value, &r->metrics, &r->nr_metrics, why, sizeof(why)))
		return errorf_at(err, errlen, o->file, o->line, "ci_metric: %s", why);
	return 0;
}

int sweep_repeat_check(struct sweep_config *c, char *err, size_t errlen)
{
	struct sweep_repeat *r = &c->auto_repeat;

	if (!r->on) {
		if (r->first_line)
			return errorf_at(err, errlen, c->path, r->first_line,
					 "min_repeat, max_repeat, ci and ci_metric are repeat = auto's settings, "
					 "and repeat is %u here",
					 c->repeat);
		return 0;
	}
	if (!r->min)
		r->min = MIN_REPEAT_DEFAULT;
	if (!r->max)
		r->max = r->min > MAX_REPEAT_DEFAULT ? r->min : MAX_REPEAT_DEFAULT;
	if (r->min > r->max)
		return errorf_at(err, errlen, c->path, r->first_line ? r->first_line : r->line,
				 "min_repeat %u is more than max_repeat %u", r->min, r->max);
	if (!r->nr_metrics)
		return errorf_at(err, errlen, c->path, r->line,
				 "repeat = auto: which metric's interval must be narrow? add ci_metric = NAME "
				 "(a store metric, e.g. write.iops; vmsweep export --list-metrics lists them)");
	if (!(r->ci > 0))
		r->ci = 0.02;
	c->repeat = r->max; /* the plan holds every run a point may need */
	return 0;
}

void sweep_repeat_free(struct sweep_repeat *r)
{
	sweep_list_free(r->metrics, r->nr_metrics);
	memset(r, 0, sizeof(*r));
}
