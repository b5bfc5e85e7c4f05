/* Reading a sweep back for the report (query.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/query.h"
#include "store/store_internal.h"
#include "util/array.h"
#include "util/error.h"

/* Errors say "<path>: <what>: <SQLite's message>", what as the report said it before
 * these queries moved here: mostly "query". */
#define WHAT "query"

/* Prepares sql and takes the lock, which query_end releases; NULL with err set. */
static sqlite3_stmt *query_begin(struct store *s, const char *sql, const char *what, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_db_error(s, what, err, errlen);
		sqlite3_finalize(st);
		pthread_mutex_unlock(&s->lock);
		return NULL;
	}
	return st;
}

/* Ends a query: 0 when rc, its last step, says it ran to the end, else the database's
 * error; -1 also when failed (the caller's error, already in err). */
static int query_end(struct store *s, sqlite3_stmt *st, int rc, bool failed, const char *what, char *err,
		     size_t errlen)
{
	int ret = failed ? -1 : rc == SQLITE_DONE ? 0 : store_db_error(s, what, err, errlen);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static char *text_dup(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	return strdup(t ? t : "");
}

void store_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Column 0 of each row of sql, as strings. */
static int names_list(struct store *s, const char *sql, char ***names, size_t *n, char *err, size_t errlen)
{
	char **list = NULL;
	size_t nr = 0, cap = 0;
	bool oom = false;
	int rc;
	*names = NULL;
	*n = 0;
	sqlite3_stmt *st = query_begin(s, sql, WHAT, err, errlen);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (array_grow((void **)&list, &cap, nr + 1, sizeof(*list)) || !(list[nr] = text_dup(st, 0))) {
			oom = true;
			break;
		}
		nr++;
	}
	if (query_end(s, st, rc, oom, WHAT, err, errlen)) {
		store_names_free(list, nr);
		return oom ? errorf(err, errlen, "out of memory") : -1;
	}
	*names = list;
	*n = nr;
	return 0;
}

int store_params_list(struct store *s, char ***names, size_t *n, char *err, size_t errlen)
{
	return names_list(s, "SELECT name FROM params ORDER BY idx", names, n, err, errlen);
}

int store_metric_names_list(struct store *s, char ***names, size_t *n, char *err, size_t errlen)
{
	return names_list(s, "SELECT name FROM metrics GROUP BY name ORDER BY min(rowid)", names, n, err, errlen);
}

int store_hist_names_list(struct store *s, char ***names, size_t *n, char *err, size_t errlen)
{
	return names_list(s,
			  "SELECT DISTINCT h.name FROM histograms h JOIN runs r ON r.id = h.run "
			  "WHERE r.status = 'done' ORDER BY h.name",
			  names, n, err, errlen);
}

void store_points_free(struct store_point *points, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(points[i].values);
	free(points);
}

/* Index of point id in points[n] (in id order), or -1. */
static long point_find(const struct store_point *points, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((int64_t)points[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && (int64_t)points[lo].id == id ? (long)lo : -1;
}

/* The points' values and run counts, into points[n] already listed. */
static int points_fill(struct store *s, size_t nr_params, struct store_point *points, size_t n, char *err,
		       size_t errlen)
{
	static const char values_sql[] =
		"SELECT pv.point, p.idx, pv.value FROM point_values pv JOIN params p ON p.name = pv.param";
	sqlite3_stmt *st = query_begin(s, values_sql, WHAT, err, errlen);
	int rc;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long i = point_find(points, n, sqlite3_column_int64(st, 0));
		int64_t k = sqlite3_column_int64(st, 1);
		if (i >= 0 && k >= 0 && (size_t)k < nr_params)
			points[i].values[k] = sqlite3_column_int64(st, 2);
	}
	if (query_end(s, st, rc, false, WHAT, err, errlen))
		return -1;

	st = query_begin(s, "SELECT point, status, count(*) FROM runs GROUP BY point, status", WHAT, err, errlen);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long i = point_find(points, n, sqlite3_column_int64(st, 0));
		const char *status = (const char *)sqlite3_column_text(st, 1);
		size_t nr = (size_t)sqlite3_column_int64(st, 2);
		if (i < 0 || !status)
			continue;
		if (!strcmp(status, "done"))
			points[i].nr_done += nr;
		else if (!strcmp(status, "failed"))
			points[i].nr_failed += nr;
		else if (!strcmp(status, "skipped"))
			points[i].nr_skipped += nr;
		else
			points[i].nr_planned += nr;
	}
	return query_end(s, st, rc, false, WHAT, err, errlen);
}

int store_points_list(struct store *s, size_t nr_params, struct store_point **points, size_t *n, char *err,
		      size_t errlen)
{
	struct store_point *list = NULL;
	size_t nr = 0, cap = 0;
	bool oom = false;
	int rc;
	*points = NULL;
	*n = 0;
	sqlite3_stmt *st = query_begin(s, "SELECT id FROM points ORDER BY id", WHAT, err, errlen);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (array_grow((void **)&list, &cap, nr + 1, sizeof(*list))) {
			oom = true;
			break;
		}
		struct store_point *p = &list[nr];
		memset(p, 0, sizeof(*p));
		p->id = (size_t)sqlite3_column_int64(st, 0);
		if (!(p->values = calloc(nr_params ? nr_params : 1, sizeof(*p->values)))) {
			oom = true;
			break;
		}
		nr++;
	}
	if (query_end(s, st, rc, oom, WHAT, err, errlen) || points_fill(s, nr_params, list, nr, err, errlen)) {
		store_points_free(list, nr);
		return oom ? errorf(err, errlen, "out of memory") : -1;
	}
	*points = list;
	*n = nr;
	return 0;
}

void store_manifest_free(struct store_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

int store_manifest_list(struct store *s, struct store_kv **kv, size_t *n, char *err, size_t errlen)
{
	struct store_kv *list = NULL;
	size_t nr = 0, cap = 0;
	bool oom = false;
	int rc;
	*kv = NULL;
	*n = 0;
	sqlite3_stmt *st = query_begin(s, "SELECT key, value FROM manifest ORDER BY key", WHAT, err, errlen);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (array_grow((void **)&list, &cap, nr + 1, sizeof(*list))) {
			oom = true;
			break;
		}
		struct store_kv *e = &list[nr++];
		e->key = text_dup(st, 0);
		e->value = text_dup(st, 1);
		if (!e->key || !e->value) {
			oom = true;
			break;
		}
	}
	if (query_end(s, st, rc, oom, WHAT, err, errlen)) {
		store_manifest_free(list, nr);
		return oom ? errorf(err, errlen, "out of memory") : -1;
	}
	*kv = list;
	*n = nr;
	return 0;
}

int store_run_get(struct store *s, size_t run_id, size_t *point, unsigned *rep, char *err, size_t errlen)
{
	sqlite3_stmt *st = query_begin(s, "SELECT point, rep FROM runs WHERE id = ?1", WHAT, err, errlen);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)run_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*point = (size_t)sqlite3_column_int64(st, 0);
		*rep = (unsigned)sqlite3_column_int64(st, 1);
	}
	return query_end(s, st, rc == SQLITE_ROW ? SQLITE_DONE : rc, false, WHAT, err, errlen) ? -1 : rc == SQLITE_ROW;
}

static double column_real(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

int store_metric_values_read(struct store *s, const char *name, store_metric_value_fn *fn, void *arg, char *err,
			     size_t errlen)
{
	char what[256];
	snprintf(what, sizeof(what), "metric %s", name);
	sqlite3_stmt *st = query_begin(s,
				       "SELECT r.point, m.value FROM metrics m JOIN runs r ON r.id = m.run "
				       "WHERE r.status = 'done' AND m.name = ?1 ORDER BY r.point, r.id",
				       what, err, errlen);
	bool failed = false;
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(arg, (size_t)sqlite3_column_int64(st, 0), column_real(st, 1), err, errlen)) {
			failed = true;
			break;
		}
	return query_end(s, st, rc, failed, what, err, errlen);
}

int store_point_values_of_run(struct store *s, size_t run_id, const char *name, double **values, size_t *n,
			      char *err, size_t errlen)
{
	sqlite3_stmt *st = query_begin(s,
				       "SELECT m.value FROM metrics m JOIN runs r ON r.id = m.run WHERE r.status = 'done'"
				       " AND m.name = ?2 AND r.point = (SELECT point FROM runs WHERE id = ?1) ORDER BY r.id",
				       WHAT, err, errlen);
	size_t nr = 0, cap = 0;
	double *v = NULL;
	bool oom = false;
	int rc;
	*values = NULL;
	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)run_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (array_grow((void **)&v, &cap, nr + 1, sizeof(*v))) {
			oom = true;
			break;
		}
		v[nr++] = column_real(st, 0);
	}
	if (query_end(s, st, rc, oom, WHAT, err, errlen)) {
		free(v);
		return oom ? errorf(err, errlen, "out of memory") : -1;
	}
	*values = v;
	*n = nr;
	return 0;
}

int store_failed_runs_read(struct store *s, store_failed_run_fn *fn, void *arg, char *err, size_t errlen)
{
	static const char sql[] = "SELECT r.id, r.point, r.rep, r.cause, r.exit_status, c.text FROM runs r "
				  "LEFT JOIN console c ON c.run = r.id WHERE r.status = 'failed' ORDER BY r.id";
	sqlite3_stmt *st = query_begin(s, sql, WHAT, err, errlen);
	bool failed = false;
	int rc;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *cause = (const char *)sqlite3_column_text(st, 3);
		struct store_failed_run f = {
			.run = (size_t)sqlite3_column_int64(st, 0),
			.point = (size_t)sqlite3_column_int64(st, 1),
			.rep = (unsigned)sqlite3_column_int64(st, 2),
			.exit_status = sqlite3_column_int(st, 4),
			.cause = cause ? cause : "",
			.console = (const char *)sqlite3_column_text(st, 5),
		};
		if (fn(arg, &f, err, errlen)) {
			failed = true;
			break;
		}
	}
	return query_end(s, st, rc, failed, WHAT, err, errlen);
}

int store_series_run_find(struct store *s, int64_t *run, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT min(t.run) FROM timeseries t JOIN runs r ON r.id = t.run WHERE r.status = 'done'";
	sqlite3_stmt *st = query_begin(s, sql, WHAT, err, errlen);
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	*run = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL ? sqlite3_column_int64(st, 0) : -1;
	return query_end(s, st, rc == SQLITE_ROW ? SQLITE_DONE : rc, false, WHAT, err, errlen);
}

int store_series_runs_list(struct store *s, store_series_run_fn *fn, void *arg, char *err, size_t errlen)
{
	static const char sql[] = "SELECT r.id, r.point FROM runs r WHERE r.status = 'done' AND "
				  "EXISTS (SELECT 1 FROM timeseries t WHERE t.run = r.id) ORDER BY r.id";
	sqlite3_stmt *st = query_begin(s, sql, WHAT, err, errlen);
	bool failed = false;
	int rc;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(arg, (size_t)sqlite3_column_int64(st, 0), (size_t)sqlite3_column_int64(st, 1), err, errlen)) {
			failed = true;
			break;
		}
	return query_end(s, st, rc, failed, WHAT, err, errlen);
}

int store_series_read(struct store *s, size_t run_id, store_sample_fn *fn, void *arg, char *err, size_t errlen)
{
	static const char sql[] = "SELECT series, t_ns, value FROM timeseries WHERE run = ?1 ORDER BY series, t_ns";
	sqlite3_stmt *st = query_begin(s, sql, "time series", err, errlen);
	bool failed = false;
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)run_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *series = (const char *)sqlite3_column_text(st, 0);
		if (!series) /* NOT NULL in the schema: only when SQLite is out of memory */
			continue;
		if (fn(arg, series, sqlite3_column_int64(st, 1), column_real(st, 2), err, errlen)) {
			failed = true;
			break;
		}
	}
	return query_end(s, st, rc, failed, "time series", err, errlen);
}
