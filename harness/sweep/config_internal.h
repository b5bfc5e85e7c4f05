/* Shared between the files of the sweep config reader; not an interface. */
#ifndef SWEEP_CONFIG_INTERNAL_H
#define SWEEP_CONFIG_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "fio/job_file.h"
#include "sweep/config.h"

/* A [constraints] line: an expression, which the fio reader cannot hold (it is no key). */
struct sweep_raw_line {
	char *text; /* comment removed, trimmed */
	unsigned line, col; /* col: 1-based column where text starts */
};

struct sweep_ini {
	struct fio_job_file jf; /* every section; [constraints] without its lines */
	struct sweep_raw_line *constraints;
	size_t nr_constraints;
};

/* The section names a config may use, in the order documented. */
extern const char *const sweep_sections[];
extern const size_t sweep_nr_sections;

int sweep_ini_read(const char *path, struct sweep_ini *ini, char *err, size_t errlen);
void sweep_ini_free(struct sweep_ini *ini);

/* A value of a parameter or [guest] setting, in the parameter's unit (memory in bytes),
 * checked against its range; cause quotes the value. */
int sweep_value_parse(enum sweep_param_kind kind, int knob, const char *text, int64_t *v, char *cause,
		      size_t len);

/* [params]: the parameters and zip groups of section s (config_params.c). */
int sweep_params_parse(struct sweep_config *c, const struct fio_section *s, char *err, size_t errlen);
/* One [params] line: a parameter and its values ([sweep] backend = ... is one too). */
int sweep_param_add(struct sweep_config *c, const struct fio_option *o, char *err, size_t errlen);

/* Splits a comma-separated list into trimmed items (malloc'd copies); -1 on an empty
 * item (cause says which) or out of memory. */
int sweep_list_split(const char *value, char ***items, size_t *n, char *cause, size_t causelen);
void sweep_list_free(char **items, size_t n);

/* [sweep] repeat and repeat = auto's settings (config_repeat.c). */
bool sweep_repeat_key_is(const char *key);
int sweep_repeat_key(struct sweep_config *c, const struct fio_option *o, char *err, size_t errlen);
/* After every section: auto's defaults and checks; c->repeat becomes max_repeat. */
int sweep_repeat_check(struct sweep_config *c, char *err, size_t errlen);
void sweep_repeat_free(struct sweep_repeat *r);

#endif
