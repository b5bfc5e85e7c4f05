/*
 * The report's view of a store: read once, through the store's queries (store/query.h),
 * so that the figures and documents work from memory. Histograms are merged per point
 * with store_hist_merge_point, whose exact bucket sums give fio's own percentiles.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "store/query.h"
#include "store/store.h"
#include "util/array.h"
#include "util/guest_text.h"
#include "util/error.h"
#include "util/param_word.h"

/* Console lines kept for a failed run: its start, and its end where the panic is. */
#define CONSOLE_HEAD 8
#define CONSOLE_TAIL 12

/* Index into points of point id, or -1 (points are in id order). */
static long point_find(const struct report *r, int64_t id)
{
	size_t lo = 0, hi = r->nr_points;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((int64_t)r->points[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nr_points && (int64_t)r->points[lo].id == id ? (long)lo : -1;
}

/* Points by their values, parameter by parameter. */
static int point_values_cmp(const void *a, const void *b, void *arg)
{
	const struct report *r = arg;
	const int64_t *va = r->points[*(const size_t *)a].values, *vb = r->points[*(const size_t *)b].values;
	for (size_t k = 0; k < r->nr_params; k++)
		if (va[k] != vb[k])
			return va[k] < vb[k] ? -1 : 1;
	return 0;
}

static int points_read(struct report *r, char *err, size_t errlen)
{
	struct store_point *sp;
	size_t n;
	if (store_points_list(r->store, r->nr_params, &sp, &n, err, errlen))
		return -1;
	if (n && !(r->points = calloc(n, sizeof(*r->points)))) {
		store_points_free(sp, n);
		return errorf(err, errlen, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		struct report_point *p = &r->points[i];
		p->id = sp[i].id;
		p->values = sp[i].values; /* now the report's */
		sp[i].values = NULL;
		p->nr_done = sp[i].nr_done;
		p->nr_failed = sp[i].nr_failed;
		p->nr_planned = sp[i].nr_planned;
		p->nr_skipped = sp[i].nr_skipped;
		r->nr_skipped += p->nr_skipped;
		r->nr_done += p->nr_done;
		r->nr_failed += p->nr_failed;
		r->nr_planned += p->nr_planned;
	}
	r->nr_points = n;
	store_points_free(sp, n);
	if (!(r->shown = calloc(n + 1, sizeof(*r->shown))))
		return errorf(err, errlen, "out of memory");
	for (size_t i = 0; i < n; i++)
		r->shown[i] = i;
	qsort_r(r->shown, n, sizeof(*r->shown), point_values_cmp, r);
	r->nr_runs = r->nr_done + r->nr_failed + r->nr_planned;
	return 0;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Splits "a, b ,c" into a new list; -1 when out of memory. */
static int list_split(const char *value, char ***list, size_t *n)
{
	char *copy = strdup(value), *save = NULL;
	size_t cap = 0;
	if (!copy)
		return -1;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		t = trim(t);
		if (!*t)
			continue;
		if (array_grow((void **)list, &cap, *n + 1, sizeof(**list)) || !((*list)[*n] = strdup(t))) {
			free(copy);
			return -1;
		}
		(*n)++;
	}
	free(copy);
	return 0;
}

/* *dst = a copy of v; -1 when out of memory. */
static int str_set(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	return *dst ? 0 : -1;
}

/*
 * The stored config's [sweep] name and [report] keys. The config was checked when the
 * sweep ran, so a line reader suffices (sweep_config_load would also want the job
 * files, which need not exist where the report is made).
 */
static int config_read(struct report *r, const char *text)
{
	char section[32] = "";
	const char *line = text;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *buf = strndup(line, len);
		if (!buf)
			return -1;
		buf[strcspn(buf, ";#")] = '\0'; /* comments; a value cannot hold them */
		char *s = trim(buf), *eq = strchr(s, '=');
		int bad = 0;
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (e && (size_t)(e - s - 1) < sizeof(section))
				snprintf(section, sizeof(section), "%.*s", (int)(e - s - 1), s + 1);
		} else if (eq) {
			*eq = '\0';
			char *key = trim(s), *value = trim(eq + 1);
			if (!strcmp(section, "sweep") && !strcmp(key, "name"))
				bad = str_set(&r->name, value);
			else if (!strcmp(section, "report") && !strcmp(key, "metrics"))
				bad = list_split(value, &r->cfg_metrics, &r->nr_cfg_metrics);
			else if (!strcmp(section, "report") && !strcmp(key, "x"))
				bad = str_set(&r->cfg_x, value);
			else if (!strcmp(section, "report") && !strcmp(key, "lines"))
				bad = str_set(&r->cfg_lines, value);
		}
		free(buf);
		if (bad)
			return -1;
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

static int manifest_read(struct report *r, char *err, size_t errlen)
{
	struct store_kv *kv;
	size_t n;
	if (store_manifest_list(r->store, &kv, &n, err, errlen))
		return -1;
	if (n && !(r->manifest = calloc(n, sizeof(*r->manifest)))) {
		store_manifest_free(kv, n);
		return errorf(err, errlen, "out of memory");
	}
	for (size_t i = 0; i < n; i++) { /* the strings are now the report's */
		r->manifest[i] = (struct report_kv){ kv[i].key, kv[i].value };
		kv[i] = (struct store_kv){ NULL, NULL };
	}
	r->nr_manifest = n;
	store_manifest_free(kv, n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(r->manifest[i].key, "config") && config_read(r, r->manifest[i].value))
			return errorf(err, errlen, "out of memory");
	return 0;
}

static int hists_read(struct report *r, char *err, size_t errlen)
{
	char **names = NULL;
	size_t n = 0;
	uint64_t *counts = malloc(VMS_HIST_NR * sizeof(*counts));
	int ret = -1;
	if (!counts)
		return errorf(err, errlen, "out of memory");
	if (store_hist_names_list(r->store, &names, &n, err, errlen))
		goto out;
	if (!(r->hists = calloc(n ? n : 1, sizeof(*r->hists)))) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct report_hist *h = &r->hists[r->nr_hists++];
		h->name = names[i];
		names[i] = NULL;
		h->pcts = calloc(r->nr_points ? r->nr_points : 1, sizeof(*h->pcts));
		h->samples = calloc(r->nr_points ? r->nr_points : 1, sizeof(*h->samples));
		h->nr_runs = calloc(r->nr_points ? r->nr_points : 1, sizeof(*h->nr_runs));
		if (!h->pcts || !h->samples || !h->nr_runs) {
			errorf(err, errlen, "out of memory");
			goto out;
		}
		for (size_t p = 0; p < r->nr_points; p++) {
			if (store_hist_merge_point(r->store, r->points[p].id, h->name, counts, &h->nr_runs[p], err,
						   errlen))
				goto out;
			for (unsigned b = 0; b < VMS_HIST_NR; b++)
				h->samples[p] += counts[b];
			stats_hist_percentiles(counts, VMS_HIST_NR, stats_report_pcts, STATS_NR_PCTS, h->pcts[p]);
		}
	}
	ret = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(counts);
	return ret;
}

/* The first CONSOLE_HEAD and last CONSOLE_TAIL lines of text, "..." between. */
static char *console_excerpt(const char *text)
{
	size_t nl = 0, len = strlen(text);
	for (size_t i = 0; i < len; i++)
		nl += text[i] == '\n';
	if (nl <= CONSOLE_HEAD + CONSOLE_TAIL + 4) /* eliding fewer lines would save nothing */
		return strdup(text);
	const char *head_end = text, *tail = text + len;
	for (unsigned k = 0; k < CONSOLE_HEAD; k++)
		head_end = strchr(head_end, '\n') + 1;
	if (tail > text && tail[-1] == '\n')
		tail--;
	for (unsigned k = 0; k < CONSOLE_TAIL && tail > text; k++)
		while (--tail > text && tail[-1] != '\n')
			;
	char *out = NULL;
	if (asprintf(&out, "%.*s[... %zu lines ...]\n%s", (int)(head_end - text), text,
		     nl - CONSOLE_HEAD - CONSOLE_TAIL, tail) < 0)
		return NULL;
	return out;
}

struct failed_list {
	struct report *r;
	size_t cap; /* of r->failed */
};

/* Keeps a failed run, and an excerpt of its console. */
static int failed_add(void *arg, const struct store_failed_run *sf, char *err, size_t errlen)
{
	struct failed_list *l = arg;
	struct report *r = l->r;
	if (array_grow((void **)&r->failed, &l->cap, r->nr_failed_runs + 1, sizeof(*r->failed)))
		return errorf(err, errlen, "out of memory");
	struct report_failed *f = &r->failed[r->nr_failed_runs];
	long p = point_find(r, (int64_t)sf->point);
	memset(f, 0, sizeof(*f));
	f->run = sf->run;
	f->point_idx = p >= 0 ? (size_t)p : 0;
	f->rep = sf->rep;
	f->exit_status = sf->exit_status;
	/* The guest's text, whatever store it comes from (an older one kept it raw): no
	 * escape sequence reaches report.md on a terminal, and both documents are UTF-8. */
	f->cause = guest_text_terminal_dup(sf->cause, strlen(sf->cause), GUEST_TEXT_ONE_LINE);
	r->nr_failed_runs++;
	if (!f->cause)
		return errorf(err, errlen, "out of memory");
	if (sf->console) {
		char *console = guest_text_terminal_dup(sf->console, strlen(sf->console), 0);
		f->console = console ? console_excerpt(console) : NULL;
		free(console);
		if (!f->console)
			return errorf(err, errlen, "out of memory");
	}
	return 0;
}

static int failed_read(struct report *r, char *err, size_t errlen)
{
	struct failed_list l = { r, 0 };
	return store_failed_runs_read(r->store, failed_add, &l, err, errlen);
}

static int series_run_find(struct report *r, char *err, size_t errlen)
{
	int64_t run;
	if (store_series_run_find(r->store, &run, err, errlen))
		return -1;
	r->series_run = (long)run;
	return 0;
}

int report_load(struct report *r, struct store *s, const char *dir, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->store = s;
	r->dir = dir;
	r->x = r->lines = -1;
	r->series_run = -1;
	if (store_params_list(s, &r->params, &r->nr_params, err, errlen) || points_read(r, err, errlen) ||
	    manifest_read(r, err, errlen) || store_metric_names_list(s, &r->present, &r->nr_present, err, errlen) ||
	    hists_read(r, err, errlen) || failed_read(r, err, errlen) || series_run_find(r, err, errlen))
		return -1;
	if (!r->nr_points)
		return errorf(err, errlen, "%s: the store holds no plan (was the sweep started?)", dir);
	/* As `vmsweep run` names a sweep without [sweep] name: its config file's name. */
	for (size_t i = 0; !r->name && i < r->nr_manifest; i++)
		if (!strcmp(r->manifest[i].key, "config_path")) {
			const char *path = r->manifest[i].value, *base = strrchr(path, '/');
			base = base ? base + 1 : path;
			size_t len = strlen(base);
			if (len > 4 && !strcmp(base + len - 4, ".ini"))
				len -= 4;
			if (len && !(r->name = strndup(base, len)))
				return errorf(err, errlen, "out of memory");
		}
	if (!r->name && !(r->name = strdup(dir)))
		return errorf(err, errlen, "out of memory");
	if (report_eras_load(r, err, errlen) || report_noise_load(r, err, errlen) || report_repeat_load(r, err, errlen) ||
	    report_capacity_load(r, err, errlen))
		return -1;
	return report_backends_pair(r, err, errlen);
}

static void list_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void report_free(struct report *r)
{
	report_capacity_free(r);
	list_free(r->params, r->nr_params);
	for (size_t i = 0; i < r->nr_points; i++)
		free(r->points[i].values);
	free(r->points);
	free(r->shown);
	free(r->retried);
	free(r->noisy);
	for (size_t i = 0; i < r->nr_repeat_metrics; i++)
		free(r->repeat_metrics[i]);
	free(r->repeat_metrics);
	free(r->repeat_width);
	for (size_t i = 0; i < r->nr_manifest; i++) {
		free(r->manifest[i].key);
		free(r->manifest[i].value);
	}
	free(r->manifest);
	list_free(r->cfg_metrics, r->nr_cfg_metrics);
	free(r->cfg_x);
	free(r->cfg_lines);
	free(r->name);
	list_free(r->present, r->nr_present);
	for (size_t i = 0; i < r->nr_metrics; i++) {
		free(r->metrics[i].label);
		free(r->metrics[i].source);
		free(r->metrics[i].st);
	}
	free(r->metrics);
	for (size_t i = 0; i < r->nr_hists; i++) {
		free(r->hists[i].name);
		free(r->hists[i].pcts);
		free(r->hists[i].samples);
		free(r->hists[i].nr_runs);
	}
	free(r->hists);
	for (size_t i = 0; i < r->nr_failed_runs; i++) {
		free(r->failed[i].cause);
		free(r->failed[i].console);
	}
	free(r->failed);
	for (size_t i = 0; i < r->nr_figures; i++) {
		free(r->figures[i].name);
		free(r->figures[i].caption);
	}
	free(r->figures);
	free(r->pairs);
	memset(r, 0, sizeof(*r));
}

const char *report_manifest_value(const struct report *r, const char *key)
{
	for (size_t i = 0; i < r->nr_manifest; i++)
		if (!strcmp(r->manifest[i].key, key))
			return r->manifest[i].value;
	return NULL;
}

int report_param_find(const struct report *r, const char *name)
{
	for (size_t i = 0; i < r->nr_params; i++)
		if (!strcmp(r->params[i], name))
			return (int)i;
	return -1;
}

void report_value_format(const struct report *r, size_t param, int64_t v, char *buf, size_t len)
{
	const int64_t mib = 1 << 20;
	/* The store keeps watermark_model's number; people know its eras by name, as plan prints them. */
	const char *word = param_value_word(r->params[param], v), *file;
	char key[32];
	snprintf(key, sizeof(key), "job_file.%" PRId64, v);
	/* a job parameter's value: which file, by name */
	if (!word && !strcmp(r->params[param], "job") && (file = report_manifest_value(r, key)))
		word = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	if (word)
		snprintf(buf, len, "%s", word);
	else if (!strcmp(r->params[param], "memory") && v > 0 && v % mib == 0)
		snprintf(buf, len, v % (1024 * mib) ? "%" PRId64 "M" : "%" PRId64 "G",
			 v % (1024 * mib) ? v / mib : v / (1024 * mib));
	else
		snprintf(buf, len, "%" PRId64, v);
}

void report_point_label(const struct report *r, size_t p, int skip, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < r->nr_params && off < len; k++) {
		char v[32];
		if ((int)k == skip)
			continue;
		report_value_format(r, k, r->points[p].values[k], v, sizeof(v));
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "", r->params[k], v);
	}
}
