/*
 * --metrics LIST: which value columns export writes (store/export.h), in the list's
 * order. An item is a name or an fnmatch(3) pattern ("fio.*.write.iops"). A pattern
 * that matches nothing is as much a mistake as an unknown name: a typo would otherwise
 * leave a column out without a word, and the analysis that reads the file fail later,
 * far from the cause.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "store/export_internal.h"
#include "store/store.h"
#include "util/array.h"
#include "util/error.h"
#include "util/suggest.h"

/* Columns a list of no suggestion lists, to show what there is. */
#define LISTED_MAX 12

struct chooser {
	const struct export_table *t;
	struct export_col *cols;
	size_t n, cap;
	bool *taken; /* [EXPORT_NR_RUN_COLS + nr_metrics] */
};

static size_t nr_value_cols(const struct export_table *t)
{
	return EXPORT_NR_RUN_COLS + t->nr_metrics;
}

/* Value column i: the run columns, then the metrics. */
static const char *value_col_name(const struct export_table *t, size_t i)
{
	return i < EXPORT_NR_RUN_COLS ? export_run_col_names[i] : t->metric_names[i - EXPORT_NR_RUN_COLS];
}

static int col_add(struct chooser *c, size_t i)
{
	if (c->taken[i])
		return 0;
	if (array_grow((void **)&c->cols, &c->cap, c->n + 1, sizeof(*c->cols)))
		return -1;
	c->taken[i] = true;
	c->cols[c->n++] = i < EXPORT_NR_RUN_COLS ? (struct export_col){ false, i }
						 : (struct export_col){ true, i - EXPORT_NR_RUN_COLS };
	return 0;
}

static bool is_pattern(const char *s, size_t len)
{
	return strcspn(s, "*?[") < len;
}

static bool item_matches(const char *item, bool pattern, const char *name)
{
	return pattern ? fnmatch(item, name, 0) == 0 : strcmp(item, name) == 0;
}

/* name with pat's wildcard segments ('.'-separated) in place of its own: what pat would
 * have been had it meant name. false when the two have not as many segments. */
static bool candidate_make(const char *pat, const char *name, char *out, size_t len)
{
	size_t o = 0;
	for (;;) {
		size_t pl = strcspn(pat, "."), nl = strcspn(name, ".");
		bool wild = is_pattern(pat, pl);
		size_t sl = wild ? pl : nl;
		if (o + sl + 2 > len)
			return false;
		memcpy(out + o, wild ? pat : name, sl);
		o += sl;
		pat += pl;
		name += nl;
		if (!*pat || !*name) {
			out[o] = '\0';
			return !*pat && !*name;
		}
		out[o++] = '.';
		pat++;
		name++;
	}
}

/* The pattern nearest pat that matches a column ("fio.*.write.iops" for
 * "fio.*.write.iosp"), within the edits name_suggest allows; NULL when none is. */
static const char *pattern_suggest(const struct export_table *t, const char *pat, char *buf, size_t len)
{
	char cand[2 * STORE_NAME_MAX];
	size_t pl = strlen(pat);
	unsigned best_d = (pl < 3 ? 1 : pl < 6 ? 2 : 3) + 1;
	bool found = false;
	for (size_t i = 0; i < nr_value_cols(t); i++) {
		if (!candidate_make(pat, value_col_name(t, i), cand, sizeof(cand)))
			continue;
		unsigned d = edit_distance(pat, cand);
		if (d < best_d) {
			best_d = d;
			snprintf(buf, len, "%s", cand);
			found = true;
		}
	}
	return found ? buf : NULL;
}

/* Every column's name, for name_suggest; malloc'd (the strings are the table's). */
static const char **all_names(const struct export_table *t, size_t *n)
{
	const char **v = malloc((EXPORT_NR_ID_COLS + t->nr_params + nr_value_cols(t)) * sizeof(*v));
	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < EXPORT_NR_ID_COLS; i++)
		v[(*n)++] = export_id_col_names[i];
	for (size_t i = 0; i < t->nr_params; i++)
		v[(*n)++] = t->params[i];
	for (size_t i = 0; i < nr_value_cols(t); i++)
		v[(*n)++] = value_col_name(t, i);
	return v;
}

/* The error for an item that matched no column. */
static int item_unmatched(const struct export_table *t, const char *item, bool pattern, char *err, size_t errlen)
{
	char buf[2 * STORE_NAME_MAX];
	const char *hint = NULL;
	size_t n, off;
	/* A pattern is suggested a pattern, not a name: the user wanted several columns. */
	if (pattern) {
		hint = pattern_suggest(t, item, buf, sizeof(buf));
	} else {
		const char **names = all_names(t, &n);
		if (!names)
			return errorf(err, errlen, "out of memory");
		hint = name_suggest(item, names, n); /* a string of the table's, not of names */
		free(names);
	}
	if (pattern)
		off = (size_t)snprintf(err, errlen, "'%s' matches no column of this sweep", item);
	else if (metric_name_known(item))
		off = (size_t)snprintf(err, errlen, "metric '%s' is in no run of this sweep", item);
	else
		off = (size_t)snprintf(err, errlen, "unknown column '%s'", item);
	if (hint && off < errlen)
		return errorf(err + off, errlen - off, " (did you mean '%s'?)", hint);
	if (off < errlen)
		off += (size_t)snprintf(err + off, errlen - off, "; its value columns:");
	for (size_t i = 0; i < nr_value_cols(t) && i < LISTED_MAX && off < errlen; i++)
		off += (size_t)snprintf(err + off, errlen - off, "%s %s", i ? "," : "", value_col_name(t, i));
	if (off < errlen)
		snprintf(err + off, errlen - off, "%s (%zu in all; vmsweep export --list-metrics explains the metrics)",
			 nr_value_cols(t) > LISTED_MAX ? ", ..." : "", nr_value_cols(t));
	return -1;
}

/* One item of the list (NUL-terminated, trimmed). */
static int item_choose(struct chooser *c, const char *item, char *err, size_t errlen)
{
	const struct export_table *t = c->t;
	bool pattern = is_pattern(item, strlen(item)), matched = false;
	for (size_t i = 0; i < nr_value_cols(t); i++)
		if (item_matches(item, pattern, value_col_name(t, i))) {
			matched = true;
			if (col_add(c, i))
				return errorf(err, errlen, "out of memory");
		}
	/* The columns every row has: naming them is no mistake, and adds nothing. */
	for (size_t i = 0; i < EXPORT_NR_ID_COLS; i++)
		matched |= item_matches(item, pattern, export_id_col_names[i]);
	for (size_t i = 0; i < t->nr_params; i++)
		matched |= item_matches(item, pattern, t->params[i]);
	return matched ? 0 : item_unmatched(t, item, pattern, err, errlen);
}

static int list_choose(struct chooser *c, const char *list, char *err, size_t errlen)
{
	char *copy = strdup(list);
	int ret = 0;
	if (!copy)
		return errorf(err, errlen, "out of memory");
	for (char *p = copy, *next; p && !ret; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		char *item = p + strspn(p, " \t"), *end = item + strlen(item);
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*item)
			ret = errorf(err, errlen, "an empty name in the list");
		else
			ret = item_choose(c, item, err, errlen);
	}
	free(copy);
	return ret;
}

int export_cols_choose(const struct export_table *t, const char *list, struct export_col **cols, size_t *n,
		       char *err, size_t errlen)
{
	struct chooser c = { .t = t };
	int ret = 0;
	*cols = NULL;
	*n = 0;
	if (!(c.taken = calloc(nr_value_cols(t), sizeof(*c.taken))))
		return errorf(err, errlen, "out of memory");
	if (!list) {
		for (size_t i = 0; i < nr_value_cols(t) && !ret; i++)
			if (col_add(&c, i))
				ret = errorf(err, errlen, "out of memory");
	} else {
		ret = list_choose(&c, list, err, errlen);
	}
	free(c.taken);
	if (ret) {
		free(c.cols);
		return -1;
	}
	*cols = c.cols;
	*n = c.n;
	return 0;
}
