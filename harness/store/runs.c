/* The plan (parameters, points, runs), what is left of it, and recording one run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/error.h"

const char *store_status_name(enum store_status st)
{
	switch (st) {
	case STORE_PLANNED:
		return "planned";
	case STORE_DONE:
		return "done";
	case STORE_FAILED:
		return "failed";
	}
	return "?";
}

static int step_done(struct store *s, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_db_error(s, what, err, errlen);
}

static int plan_insert(struct store *s, size_t nr_params, const char *const *names, size_t nr_points,
		       const int64_t *values, size_t nr_runs, const struct store_plan_run *runs, char *err,
		       size_t errlen)
{
	sqlite3_stmt *p = NULL, *v = NULL, *pt = NULL, *r = NULL;
	int ret = -1;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO params(idx, name) VALUES(?1, ?2)", -1, &p, NULL) ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO points(id) VALUES(?1)", -1, &pt, NULL) ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO point_values(point, param, value) VALUES(?1, ?2, ?3)", -1, &v,
			       NULL) ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO runs(id, point, rep, seed) VALUES(?1, ?2, ?3, ?4)", -1, &r, NULL)) {
		store_db_error(s, "prepare", err, errlen);
		goto out;
	}
	for (size_t i = 0; i < nr_params; i++) {
		sqlite3_bind_int64(p, 1, (int64_t)i);
		sqlite3_bind_text(p, 2, names[i], -1, SQLITE_STATIC);
		if (sqlite3_step(p) != SQLITE_DONE) {
			errorf(err, errlen, "%s: parameter '%s': %s", s->path, names[i], sqlite3_errmsg(s->db));
			goto out;
		}
		sqlite3_reset(p);
	}
	for (size_t i = 0; i < nr_points; i++) {
		sqlite3_bind_int64(pt, 1, (int64_t)i);
		if (step_done(s, pt, "points", err, errlen))
			goto out;
		for (size_t k = 0; k < nr_params; k++) {
			sqlite3_bind_int64(v, 1, (int64_t)i);
			sqlite3_bind_text(v, 2, names[k], -1, SQLITE_STATIC);
			sqlite3_bind_int64(v, 3, values[i * nr_params + k]);
			if (step_done(s, v, "point_values", err, errlen))
				goto out;
		}
	}
	for (size_t i = 0; i < nr_runs; i++) {
		sqlite3_bind_int64(r, 1, (int64_t)i);
		sqlite3_bind_int64(r, 2, (int64_t)runs[i].point);
		sqlite3_bind_int64(r, 3, runs[i].rep);
		sqlite3_bind_int64(r, 4, (int64_t)runs[i].seed);
		if (step_done(s, r, "runs", err, errlen))
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(p);
	sqlite3_finalize(pt);
	sqlite3_finalize(v);
	sqlite3_finalize(r);
	return ret;
}

/* The plan already stored against the one given: 0 when equal, else where they differ. */
static int plan_compare(struct store *s, size_t nr_params, const char *const *names, size_t nr_points,
			const int64_t *values, size_t nr_runs, const struct store_plan_run *runs, char *err,
			size_t errlen)
{
	static const char hint[] = "resume with the config the sweep began with, or start a new directory";
	int64_t n;
	sqlite3_stmt *st = NULL;
	int ret = -1, rc;
	size_t i = 0;

	if (store_query_int(s, "SELECT count(*) FROM params", &n, err, errlen))
		return -1;
	if ((size_t)n != nr_params)
		return errorf(err, errlen, "%s holds another plan: %lld swept parameters there, %zu here (%s)", s->path,
			      (long long)n, nr_params, hint);
	if (sqlite3_prepare_v2(s->db, "SELECT name FROM params ORDER BY idx", -1, &st, NULL))
		return store_db_error(s, "prepare", err, errlen);
	for (i = 0; (rc = sqlite3_step(st)) == SQLITE_ROW && i < nr_params; i++) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (strcmp(name ? name : "", names[i])) {
			errorf(err, errlen, "%s holds another plan: parameter %zu is '%s' there, '%s' here (%s)", s->path,
			       i + 1, name ? name : "", names[i], hint);
			goto out;
		}
	}
	sqlite3_finalize(st);
	st = NULL;

	if (store_query_int(s, "SELECT count(*) FROM points", &n, err, errlen))
		return -1;
	if ((size_t)n != nr_points)
		return errorf(err, errlen, "%s holds another plan: %lld points there, %zu here (%s)", s->path,
			      (long long)n, nr_points, hint);
	if (sqlite3_prepare_v2(s->db,
			       "SELECT v.point, p.idx, v.value FROM point_values v JOIN params p ON p.name = v.param"
			       " ORDER BY v.point, p.idx",
			       -1, &st, NULL))
		return store_db_error(s, "prepare", err, errlen);
	for (i = 0; (rc = sqlite3_step(st)) == SQLITE_ROW; i++) {
		size_t pt = (size_t)sqlite3_column_int64(st, 0), k = (size_t)sqlite3_column_int64(st, 1);
		int64_t val = sqlite3_column_int64(st, 2);
		if (i >= nr_points * nr_params || pt * nr_params + k != i) {
			errorf(err, errlen, "%s holds another plan: its point values do not match this grid (%s)", s->path,
			       hint);
			goto out;
		}
		if (val != values[i]) {
			errorf(err, errlen, "%s holds another plan: point %zu has %s = %lld there, %lld here (%s)", s->path,
			       pt, names[k], (long long)val, (long long)values[i], hint);
			goto out;
		}
	}
	if (rc != SQLITE_DONE || i != nr_points * nr_params) {
		errorf(err, errlen, "%s holds another plan: its point values do not match this grid (%s)", s->path, hint);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;

	if (store_query_int(s, "SELECT count(*) FROM runs", &n, err, errlen))
		return -1;
	if ((size_t)n != nr_runs)
		return errorf(err, errlen, "%s holds another plan: %lld runs there, %zu here (%s)", s->path, (long long)n,
			      nr_runs, hint);
	if (sqlite3_prepare_v2(s->db, "SELECT id, point, rep, seed FROM runs ORDER BY id", -1, &st, NULL))
		return store_db_error(s, "prepare", err, errlen);
	for (i = 0; (rc = sqlite3_step(st)) == SQLITE_ROW && i < nr_runs; i++) {
		size_t id = (size_t)sqlite3_column_int64(st, 0), pt = (size_t)sqlite3_column_int64(st, 1);
		unsigned rep = (unsigned)sqlite3_column_int64(st, 2);
		uint64_t seed = (uint64_t)sqlite3_column_int64(st, 3);
		if (id != i || pt != runs[i].point || rep != runs[i].rep || seed != runs[i].seed) {
			errorf(err, errlen,
			       "%s holds another plan: run %zu is point %zu repetition %u seed %llu there, point %zu"
			       " repetition %u seed %llu here (%s)",
			       s->path, i, pt, rep, (unsigned long long)seed, runs[i].point, runs[i].rep,
			       (unsigned long long)runs[i].seed, hint);
			goto out;
		}
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

int store_plan_write(struct store *s, size_t nr_params, const char *const *names, size_t nr_points,
		     const int64_t *values, size_t nr_runs, const struct store_plan_run *runs, char *err,
		     size_t errlen)
{
	int64_t have;
	int r = -1;

	for (size_t i = 0; i < nr_runs; i++)
		if (runs[i].point >= nr_points)
			return errorf(err, errlen, "plan: run %zu is at point %zu of %zu", i, runs[i].point, nr_points);
	for (size_t i = 0; i < nr_params; i++)
		if (!names[i] || !names[i][0])
			return errorf(err, errlen, "plan: parameter %zu has no name", i + 1);
	pthread_mutex_lock(&s->lock);
	if (store_exec(s, "BEGIN IMMEDIATE", err, errlen))
		goto unlock;
	if (store_query_int(s, "SELECT (SELECT count(*) FROM params) + (SELECT count(*) FROM points)"
			       " + (SELECT count(*) FROM runs)",
			    &have, err, errlen))
		goto rollback;
	if (have ? plan_compare(s, nr_params, names, nr_points, values, nr_runs, runs, err, errlen)
		 : plan_insert(s, nr_params, names, nr_points, values, nr_runs, runs, err, errlen))
		goto rollback;
	r = store_exec(s, "COMMIT", err, errlen);
	if (r)
		goto rollback;
	goto unlock;
rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
unlock:
	pthread_mutex_unlock(&s->lock);
	return r;
}

int store_runs_pending(struct store *s, size_t **run_ids, size_t *n, char *err, size_t errlen)
{
	size_t cap = 0, nr = 0, *ids = NULL;
	int rc = SQLITE_DONE, r = 0;

	*run_ids = NULL;
	*n = 0;
	pthread_mutex_lock(&s->lock);
	sqlite3_stmt *st = store_stmt(s, ST_PENDING, err, errlen);
	if (!st) {
		r = -1;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nr == cap) {
			size_t *more = realloc(ids, (cap = cap ? 2 * cap : 256) * sizeof(*ids));
			if (!more) {
				r = errorf(err, errlen, "out of memory");
				goto out;
			}
			ids = more;
		}
		ids[nr++] = (size_t)sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE)
		r = store_db_error(s, "pending runs", err, errlen);
out:
	if (st)
		sqlite3_reset(st);
	pthread_mutex_unlock(&s->lock);
	if (r) {
		free(ids);
		return -1;
	}
	*run_ids = ids;
	*n = nr;
	return 0;
}

static void bind_time(sqlite3_stmt *st, int i, double t)
{
	if (t > 0 && isfinite(t))
		sqlite3_bind_double(st, i, t);
	else
		sqlite3_bind_null(st, i);
}

/* The statements of one run, inside the caller's transaction. */
static int record_rows(struct store *s, size_t run_id, const struct store_run *r, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int64_t id = (int64_t)run_id;

	if (r->status != STORE_DONE && r->status != STORE_FAILED)
		return errorf(err, errlen, "run %zu: recorded as '%s': only done or failed runs are recorded", run_id,
			      store_status_name(r->status));
	if (!(st = store_stmt(s, ST_RUN_UPDATE, err, errlen)))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, store_status_name(r->status), -1, SQLITE_STATIC);
	if (r->cause[0])
		sqlite3_bind_text(st, 3, r->cause, (int)strnlen(r->cause, sizeof(r->cause)), SQLITE_STATIC);
	bind_time(st, 4, r->started);
	bind_time(st, 5, r->ended);
	if (isfinite(r->wall_ms))
		sqlite3_bind_double(st, 6, r->wall_ms);
	sqlite3_bind_int(st, 7, r->exit_status);
	if (step_done(s, st, "runs", err, errlen))
		return -1;
	if (sqlite3_changes(s->db) != 1) {
		if (!(st = store_stmt(s, ST_RUN_STATUS, err, errlen)))
			return -1;
		sqlite3_bind_int64(st, 1, id);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			errorf(err, errlen, "%s: run %zu is already recorded (%s)", s->path, run_id,
			       (const char *)sqlite3_column_text(st, 0));
		else
			errorf(err, errlen, "%s: no run %zu in the plan", s->path, run_id);
		sqlite3_reset(st);
		return -1;
	}

	for (size_t i = 0; i < r->nr_metrics; i++) {
		const struct store_metric *m = &r->metrics[i];
		if (!(st = store_stmt(s, ST_METRIC_INSERT, err, errlen)))
			return -1;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, m->name, (int)strnlen(m->name, sizeof(m->name)), SQLITE_STATIC);
		if (!isnan(m->value))
			sqlite3_bind_double(st, 3, m->value);
		if (sqlite3_step(st) != SQLITE_DONE) {
			errorf(err, errlen, "%s: run %zu: metric '%.*s': %s", s->path, run_id, (int)sizeof(m->name), m->name,
			       sqlite3_errmsg(s->db));
			sqlite3_reset(st);
			return -1;
		}
		sqlite3_reset(st);
	}

	unsigned char *blob = r->nr_hists ? malloc(8 * VMS_HIST_NR) : NULL;
	if (r->nr_hists && !blob)
		return errorf(err, errlen, "out of memory");
	for (size_t i = 0; i < r->nr_hists; i++) {
		const struct store_hist *h = &r->hists[i];
		if (!(st = store_stmt(s, ST_HIST_INSERT, err, errlen))) {
			free(blob);
			return -1;
		}
		store_counts_pack(h->counts, blob);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, h->name, (int)strnlen(h->name, sizeof(h->name)), SQLITE_STATIC);
		sqlite3_bind_int(st, 3, VMS_HIST_NR);
		sqlite3_bind_blob(st, 4, blob, 8 * VMS_HIST_NR, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			errorf(err, errlen, "%s: run %zu: histogram '%.*s': %s", s->path, run_id, (int)sizeof(h->name),
			       h->name, sqlite3_errmsg(s->db));
			free(blob);
			return -1;
		}
	}
	free(blob);

	for (size_t i = 0; i < r->nr_series; i++) {
		const struct store_series *ts = &r->series[i];
		for (size_t k = 0; k < ts->n; k++) {
			if (!(st = store_stmt(s, ST_SAMPLE_INSERT, err, errlen)))
				return -1;
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_text(st, 2, ts->name, (int)strnlen(ts->name, sizeof(ts->name)), SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, (int64_t)ts->v[k].t_ns);
			if (!isnan(ts->v[k].value))
				sqlite3_bind_double(st, 4, ts->v[k].value);
			if (step_done(s, st, "timeseries", err, errlen))
				return -1;
		}
	}

	if (r->console) {
		if (!(st = store_stmt(s, ST_CONSOLE_INSERT, err, errlen)))
			return -1;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, r->console, (int)r->console_len, SQLITE_STATIC);
		if (step_done(s, st, "console", err, errlen))
			return -1;
	}
	return 0;
}

int store_run_record(struct store *s, size_t run_id, const struct store_run *r, char *err, size_t errlen)
{
	int ret = -1;
	if (r->console && r->console_len > (size_t)INT32_MAX)
		return errorf(err, errlen, "run %zu: console of %zu bytes", run_id, r->console_len);
	pthread_mutex_lock(&s->lock);
	/* IMMEDIATE: take the write lock now, so a busy database waits here, not at COMMIT. */
	if (store_exec(s, "BEGIN IMMEDIATE", err, errlen))
		goto out;
	if (record_rows(s, run_id, r, err, errlen) || store_exec(s, "COMMIT", err, errlen)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	ret = 0;
out:
	pthread_mutex_unlock(&s->lock);
	return ret;
}

/* Adds (or copies, when add is false) a stored blob into counts. */
static int counts_from_row(struct store *s, sqlite3_stmt *st, int col, uint64_t *counts, bool add, char *err,
			   size_t errlen)
{
	int64_t nr = sqlite3_column_int64(st, col);
	const unsigned char *blob = sqlite3_column_blob(st, col + 1);
	int len = sqlite3_column_bytes(st, col + 1);
	if (nr != VMS_HIST_NR || len != 8 * VMS_HIST_NR || !blob)
		return errorf(err, errlen, "%s: a histogram of %lld buckets, this vmsweep uses %d", s->path,
			      (long long)nr, VMS_HIST_NR);
	for (unsigned i = 0; i < VMS_HIST_NR; i++)
		counts[i] = (add ? counts[i] : 0) + store_counts_unpack_one(blob, i);
	return 0;
}

int store_hist_get(struct store *s, size_t run_id, const char *name, uint64_t counts[VMS_HIST_NR], char *err,
		   size_t errlen)
{
	int r = -1;
	pthread_mutex_lock(&s->lock);
	sqlite3_stmt *st = store_stmt(s, ST_HIST_GET, err, errlen);
	if (st) {
		sqlite3_bind_int64(st, 1, (int64_t)run_id);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			r = counts_from_row(s, st, 0, counts, false, err, errlen) ? -1 : 1;
		else if (rc == SQLITE_DONE)
			r = 0;
		else
			store_db_error(s, "histograms", err, errlen);
		sqlite3_reset(st);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

int store_hist_merge_point(struct store *s, size_t point, const char *name, uint64_t counts[VMS_HIST_NR],
			   size_t *nr_runs, char *err, size_t errlen)
{
	int r = -1, rc = SQLITE_DONE;
	memset(counts, 0, VMS_HIST_NR * sizeof(counts[0]));
	*nr_runs = 0;
	pthread_mutex_lock(&s->lock);
	sqlite3_stmt *st = store_stmt(s, ST_HIST_POINT, err, errlen);
	if (!st)
		goto out;
	sqlite3_bind_int64(st, 1, (int64_t)point);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (counts_from_row(s, st, 1, counts, true, err, errlen))
			goto out;
		(*nr_runs)++;
	}
	if (rc != SQLITE_DONE)
		store_db_error(s, "histograms", err, errlen);
	else
		r = 0;
out:
	if (st)
		sqlite3_reset(st);
	pthread_mutex_unlock(&s->lock);
	return r;
}
