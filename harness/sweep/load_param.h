/*
 * The load of a capacity search (`vmsweep capacity --load NAME=LIGHT..HEAVY`): a
 * parameter the search chooses the values of, added to a sweep config as its last.
 */
#ifndef SWEEP_LOAD_PARAM_H
#define SWEEP_LOAD_PARAM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sweep/config.h"

struct load_spec {
	char name[96]; /* the parameter's name: fio.rate_iops, or a knob's */
	int64_t light, heavy; /* the range as written, lightest load first */
	int64_t min, max; /* the same ordered */
	bool reversed; /* heavy < light: a larger value is less load (thinktime) */
	enum sweep_param_kind kind;
	int knob;
};

/*
 * Parses NAME=LIGHT..HEAVY: NAME an fio option a sweep may vary (with or without
 * "fio.") or a guest knob; the values in its unit and range. Written from the lightest
 * load to the heaviest, so that 10ms..100us of thinktime searches down. -1 with err
 * naming --load and the cause.
 */
int load_spec_parse(const char *text, struct load_spec *l, char *err, size_t errlen);

/* Adds the load to c as its last parameter, with the values min and max; refused when
 * c's [params] has it already. -1 with err. */
int load_param_append(struct sweep_config *c, const struct load_spec *l, char *err, size_t errlen);

/* A step of the load, in its unit ("500", "1M"): -1 with err naming --resolution. */
int load_step_parse(const struct load_spec *l, const char *text, int64_t *step, char *err, size_t errlen);

/* The load's value as a person writes it ("2000", "4k", "10ms"). */
const char *load_value_format(const struct sweep_config *c, int64_t v, char *buf, size_t len);
#endif
