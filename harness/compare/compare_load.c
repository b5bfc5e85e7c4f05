/* Opening the sweeps, matching their points and choosing the metrics: see compare.h. */
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "store/store.h"
#include "util/error.h"

#define LABEL_MAX 1024

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Point p's parameters as "name=value", sorted by name: sweeps that list their
 * parameters in another order still match. */
static char *row_label(const struct report *r, size_t p)
{
	char *parts[64], buf[LABEL_MAX];
	size_t n = r->nr_params < 64 ? r->nr_params : 64, off = 0;
	for (size_t k = 0; k < n; k++) {
		char v[64], kv[160];
		report_value_format(r, k, r->points[p].values[k], v, sizeof(v));
		snprintf(kv, sizeof(kv), "%s=%s", r->params[k], v);
		parts[k] = strdup(kv);
	}
	qsort(parts, n, sizeof(parts[0]), cmp_str);
	buf[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		if (parts[k] && off < sizeof(buf))
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", off ? " " : "", parts[k]);
		free(parts[k]);
	}
	return strdup(n ? buf : "(no parameter)");
}

static int rows_match(struct compare *c, char *err, size_t errlen)
{
	const struct report *base = &c->sweeps[0].r;
	c->rows = calloc(base->nr_points ? base->nr_points : 1, sizeof(*c->rows));
	if (!c->rows)
		return errorf(err, errlen, "out of memory");
	for (size_t i = 0; i < base->nr_points; i++) {
		size_t p = base->shown[i]; /* the report's order: by parameter values */
		struct compare_row *row = &c->rows[c->nr_rows++];
		if (!(row->label = row_label(base, p)))
			return errorf(err, errlen, "out of memory");
		row->point[0] = p;
	}
	for (size_t s = 1; s < c->nr_sweeps; s++) {
		const struct report *r = &c->sweeps[s].r;
		for (size_t i = 0; i < c->nr_rows; i++)
			c->rows[i].point[s] = COMPARE_NONE;
		for (size_t p = 0; p < r->nr_points; p++) {
			char *label = row_label(r, p);
			bool found = false;
			if (!label)
				return errorf(err, errlen, "out of memory");
			for (size_t i = 0; i < c->nr_rows && !found; i++)
				if (!strcmp(c->rows[i].label, label)) {
					c->rows[i].point[s] = p;
					found = true;
				}
			c->nr_unmatched[s] += !found;
			free(label);
		}
	}
	return 0;
}

static int metrics_choose(struct compare *c, const char *const *names, size_t n, char *err, size_t errlen)
{
	struct report *r = &c->sweeps[0].r;
	bool matched;
	for (size_t i = 0; i < n; i++) {
		if (report_metric_add(r, names[i], &matched, err, errlen))
			return -1;
		if (!matched) {
			report_metric_missing(r, names[i], err, errlen);
			return 2;
		}
	}
	for (size_t i = 0; !n && i < r->nr_cfg_metrics; i++)
		if (report_metric_add(r, r->cfg_metrics[i], &matched, err, errlen))
			return -1;
	if (!r->nr_metrics && report_metrics_default(r, err, errlen))
		return -1;
	if (!(c->metrics = calloc(r->nr_metrics ? r->nr_metrics : 1, sizeof(*c->metrics))))
		return errorf(err, errlen, "out of memory");
	for (size_t i = 0; i < r->nr_metrics; i++) {
		bool dup = false;
		for (size_t j = 0; j < c->nr_metrics; j++)
			dup |= !strcmp(c->metrics[j].name, r->metrics[i].source);
		if (dup)
			continue;
		struct compare_metric *m = &c->metrics[c->nr_metrics++];
		if (!(m->name = strdup(r->metrics[i].source)))
			return errorf(err, errlen, "out of memory");
		m->better = compare_metric_better(m->name);
	}
	return 0;
}

static const char *manifest_value(const struct report *r, const char *key)
{
	for (size_t i = 0; i < r->nr_manifest; i++)
		if (!strcmp(r->manifest[i].key, key))
			return r->manifest[i].value;
	return NULL;
}

static bool diff_listed(const struct compare *c, const char *key)
{
	for (size_t d = 0; d < c->nr_diffs; d++)
		if (!strcmp(c->diffs[d].key, key))
			return true;
	return false;
}

/* Keys whose values differ between the sweeps, each once (when a sweep was made is not a
 * difference). */
static int manifests_diff(struct compare *c, char *err, size_t errlen)
{
	for (size_t s = 0; s < c->nr_sweeps; s++)
		for (size_t i = 0; i < c->sweeps[s].r.nr_manifest; i++) {
			const char *key = c->sweeps[s].r.manifest[i].key, *base = manifest_value(&c->sweeps[0].r, key);
			bool differs = false;
			for (size_t t = 1; t < c->nr_sweeps; t++) {
				const char *v = manifest_value(&c->sweeps[t].r, key);
				differs |= !base || !v || strcmp(base, v);
			}
			if (!differs || !strcmp(key, "created") || diff_listed(c, key))
				continue;
			struct compare_manifest_diff *d = realloc(c->diffs, (c->nr_diffs + 1) * sizeof(*d));
			if (!d)
				return errorf(err, errlen, "out of memory");
			c->diffs = d;
			d = &c->diffs[c->nr_diffs++];
			memset(d, 0, sizeof(*d));
			if (!(d->key = strdup(key)))
				return errorf(err, errlen, "out of memory");
			for (size_t t = 0; t < c->nr_sweeps; t++) {
				const char *v = manifest_value(&c->sweeps[t].r, key);
				if (v && !(d->values[t] = strdup(v)))
					return errorf(err, errlen, "out of memory");
			}
		}
	return 0;
}

int compare_load(struct compare *c, const char *const *dirs, size_t n, const char *const *metrics, size_t nr_metrics,
		 char *err, size_t errlen)
{
	int rc;
	if (n < 2)
		return errorf(err, errlen, "compare needs two sweeps at least (BASE NEW)"), 2;
	if (n > COMPARE_SWEEPS_MAX)
		return errorf(err, errlen, "compare takes at most %d sweeps", COMPARE_SWEEPS_MAX), 2;
	for (size_t s = 0; s < n; s++) {
		struct compare_sweep *sw = &c->sweeps[s];
		sw->dir = dirs[s];
		if (store_open(dirs[s], false, &sw->store, err, errlen))
			return -1;
		c->nr_sweeps++;
		if (report_load(&sw->r, sw->store, dirs[s], err, errlen))
			return -1;
	}
	if ((rc = metrics_choose(c, metrics, nr_metrics, err, errlen)) || rows_match(c, err, errlen) ||
	    manifests_diff(c, err, errlen))
		return rc ? rc : -1;
	return 0;
}

void compare_free(struct compare *c)
{
	for (size_t i = 0; i < c->nr_rows; i++)
		free(c->rows[i].label);
	free(c->rows);
	for (size_t i = 0; i < c->nr_metrics; i++)
		free(c->metrics[i].name);
	free(c->metrics);
	free(c->cells);
	for (size_t d = 0; d < c->nr_diffs; d++) {
		free(c->diffs[d].key);
		for (size_t s = 0; s < c->nr_sweeps; s++)
			free(c->diffs[d].values[s]);
	}
	free(c->diffs);
	for (size_t s = 0; s < c->nr_sweeps; s++) {
		report_free(&c->sweeps[s].r);
		store_close(c->sweeps[s].store);
	}
}
