/*
 * The report's view of a store: read once, with plain queries on store_db(), so that
 * the figures and documents work from memory. Histograms are merged per point with
 * store_hist_merge_point, whose exact bucket sums give fio's own percentiles.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "report/report.h"
#include "store/store.h"
#include "util/error.h"

/* Console lines kept for a failed run: its start, and its end where the panic is. */
#define CONSOLE_HEAD 8
#define CONSOLE_TAIL 12

static int db_error(struct report *r, const char *what, char *err, size_t errlen)
{
	return errorf(err, errlen, "%s: %s: %s", store_path(r->store), what, sqlite3_errmsg(store_db(r->store)));
}

static sqlite3_stmt *db_prepare(struct report *r, const char *sql, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(store_db(r->store), sql, -1, &st, NULL) != SQLITE_OK) {
		db_error(r, "query", err, errlen);
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* Ends a statement's loop: 0 when it ran to the end, else the error. */
static int db_finish(struct report *r, sqlite3_stmt *st, int rc, char *err, size_t errlen)
{
	int ret = rc == SQLITE_DONE ? 0 : db_error(r, "query", err, errlen);
	sqlite3_finalize(st);
	return ret;
}

static char *text_dup(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	return strdup(t ? t : "");
}

/* Grows *v (of *cap elements of size) to hold n; -1 when out of memory. */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n <= *cap)
		return 0;
	size_t c = *cap ? 2 * *cap : 16;
	while (c < n)
		c *= 2;
	void *m = realloc(*v, c * size);
	if (!m)
		return -1;
	*v = m;
	*cap = c;
	return 0;
}

/* Column 0 of each row as strings. */
static int names_read(struct report *r, const char *sql, char ***list, size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st = db_prepare(r, sql, err, errlen);
	size_t cap = 0;
	int rc;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (grow((void **)list, &cap, *n + 1, sizeof(**list)) || !((*list)[*n] = text_dup(st, 0))) {
			sqlite3_finalize(st);
			return errorf(err, errlen, "out of memory");
		}
		(*n)++;
	}
	return db_finish(r, st, rc, err, errlen);
}

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

static int points_read(struct report *r, char *err, size_t errlen)
{
	sqlite3_stmt *st = db_prepare(r, "SELECT id FROM points ORDER BY id", err, errlen);
	size_t cap = 0;
	int rc;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (grow((void **)&r->points, &cap, r->nr_points + 1, sizeof(*r->points)))
			goto oom;
		struct report_point *p = &r->points[r->nr_points];
		memset(p, 0, sizeof(*p));
		p->id = (size_t)sqlite3_column_int64(st, 0);
		if (!(p->values = calloc(r->nr_params ? r->nr_params : 1, sizeof(*p->values))))
			goto oom;
		r->nr_points++;
	}
	if (db_finish(r, st, rc, err, errlen))
		return -1;

	st = db_prepare(r, "SELECT pv.point, p.idx, pv.value FROM point_values pv JOIN params p ON p.name = pv.param",
			err, errlen);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long i = point_find(r, sqlite3_column_int64(st, 0));
		int64_t k = sqlite3_column_int64(st, 1);
		if (i >= 0 && k >= 0 && (size_t)k < r->nr_params)
			r->points[i].values[k] = sqlite3_column_int64(st, 2);
	}
	if (db_finish(r, st, rc, err, errlen))
		return -1;

	st = db_prepare(r, "SELECT point, status, count(*) FROM runs GROUP BY point, status", err, errlen);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long i = point_find(r, sqlite3_column_int64(st, 0));
		const char *status = (const char *)sqlite3_column_text(st, 1);
		size_t n = (size_t)sqlite3_column_int64(st, 2);
		if (i < 0 || !status)
			continue;
		struct report_point *p = &r->points[i];
		if (!strcmp(status, "done"))
			p->nr_done += n;
		else if (!strcmp(status, "failed"))
			p->nr_failed += n;
		else
			p->nr_planned += n;
	}
	if (db_finish(r, st, rc, err, errlen))
		return -1;
	for (size_t i = 0; i < r->nr_points; i++) {
		r->nr_done += r->points[i].nr_done;
		r->nr_failed += r->points[i].nr_failed;
		r->nr_planned += r->points[i].nr_planned;
	}
	r->nr_runs = r->nr_done + r->nr_failed + r->nr_planned;
	return 0;
oom:
	sqlite3_finalize(st);
	return errorf(err, errlen, "out of memory");
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
		if (grow((void **)list, &cap, *n + 1, sizeof(**list)) || !((*list)[*n] = strdup(t))) {
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
	sqlite3_stmt *st = db_prepare(r, "SELECT key, value FROM manifest ORDER BY key", err, errlen);
	size_t cap = 0;
	int rc;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (grow((void **)&r->manifest, &cap, r->nr_manifest + 1, sizeof(*r->manifest)))
			goto oom;
		struct report_kv *kv = &r->manifest[r->nr_manifest];
		kv->key = text_dup(st, 0);
		kv->value = text_dup(st, 1);
		r->nr_manifest++;
		if (!kv->key || !kv->value)
			goto oom;
		if (!strcmp(kv->key, "config") && config_read(r, kv->value))
			goto oom;
	}
	return db_finish(r, st, rc, err, errlen);
oom:
	sqlite3_finalize(st);
	return errorf(err, errlen, "out of memory");
}

static int hists_read(struct report *r, char *err, size_t errlen)
{
	char **names = NULL;
	size_t n = 0;
	uint64_t *counts = malloc(VMS_HIST_NR * sizeof(*counts));
	int ret = -1;
	if (!counts)
		return errorf(err, errlen, "out of memory");
	if (names_read(r,
		       "SELECT DISTINCT h.name FROM histograms h JOIN runs r ON r.id = h.run "
		       "WHERE r.status = 'done' ORDER BY h.name",
		       &names, &n, err, errlen))
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

static int failed_read(struct report *r, char *err, size_t errlen)
{
	sqlite3_stmt *st = db_prepare(r,
				      "SELECT r.id, r.point, r.rep, r.cause, r.exit_status, c.text FROM runs r "
				      "LEFT JOIN console c ON c.run = r.id WHERE r.status = 'failed' ORDER BY r.id",
				      err, errlen);
	size_t cap = 0;
	int rc;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (grow((void **)&r->failed, &cap, r->nr_failed_runs + 1, sizeof(*r->failed)))
			goto oom;
		struct report_failed *f = &r->failed[r->nr_failed_runs];
		long p = point_find(r, sqlite3_column_int64(st, 1));
		memset(f, 0, sizeof(*f));
		f->run = (size_t)sqlite3_column_int64(st, 0);
		f->point_idx = p >= 0 ? (size_t)p : 0;
		f->rep = (unsigned)sqlite3_column_int64(st, 2);
		f->exit_status = sqlite3_column_int(st, 4);
		f->cause = text_dup(st, 3);
		r->nr_failed_runs++;
		if (!f->cause)
			goto oom;
		const char *console = (const char *)sqlite3_column_text(st, 5);
		if (console && !(f->console = console_excerpt(console)))
			goto oom;
	}
	return db_finish(r, st, rc, err, errlen);
oom:
	sqlite3_finalize(st);
	return errorf(err, errlen, "out of memory");
}

static int series_run_find(struct report *r, char *err, size_t errlen)
{
	sqlite3_stmt *st = db_prepare(r,
				      "SELECT min(t.run) FROM timeseries t JOIN runs r ON r.id = t.run "
				      "WHERE r.status = 'done'",
				      err, errlen);
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	r->series_run =
		rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL ? (long)sqlite3_column_int64(st, 0) : -1;
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	return db_finish(r, st, rc, err, errlen);
}

int report_load(struct report *r, struct store *s, const char *dir, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->store = s;
	r->dir = dir;
	r->x = r->lines = -1;
	r->series_run = -1;
	if (names_read(r, "SELECT name FROM params ORDER BY idx", &r->params, &r->nr_params, err, errlen) ||
	    points_read(r, err, errlen) || manifest_read(r, err, errlen) ||
	    names_read(r, "SELECT name FROM metrics GROUP BY name ORDER BY min(rowid)", &r->present, &r->nr_present,
		       err, errlen) ||
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
	return 0;
}

static void list_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void report_free(struct report *r)
{
	list_free(r->params, r->nr_params);
	for (size_t i = 0; i < r->nr_points; i++)
		free(r->points[i].values);
	free(r->points);
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
	memset(r, 0, sizeof(*r));
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
	if (!strcmp(r->params[param], "memory") && v > 0 && v % mib == 0)
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
