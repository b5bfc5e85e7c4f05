/* What is left of the plan, recording one run, and reading its histograms back. */
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
	case STORE_SKIPPED:
		return "skipped";
	}
	return "?";
}

static int step_done(struct store *s, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_db_error(s, what, err, errlen);
}

int store_runs_unskip(struct store *s, char *err, size_t errlen)
{
	pthread_mutex_lock(&s->lock);
	int r = store_exec(s, "UPDATE runs SET status = 'planned', cause = NULL, inputs = NULL WHERE status = 'skipped'",
			   err, errlen);
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

/* The id of this inputs text in run_inputs, added when new. */
static int inputs_id(struct store *s, const char *text, int64_t *id, char *err, size_t errlen)
{
	sqlite3_stmt *st = store_stmt(s, ST_INPUTS_INSERT, err, errlen);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	if (step_done(s, st, "run_inputs", err, errlen) || !(st = store_stmt(s, ST_INPUTS_ID, err, errlen)))
		return -1;
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_db_error(s, "run_inputs", err, errlen);
}

int store_recorded_inputs(struct store *s, int (*fn)(void *arg, size_t run_id, const char *inputs), void *arg,
			  char *err, size_t errlen)
{
	int r = 0, rc = SQLITE_DONE;
	pthread_mutex_lock(&s->lock);
	sqlite3_stmt *st = store_stmt(s, ST_RECORDED_INPUTS, err, errlen);
	if (!st) {
		r = -1;
		goto out;
	}
	while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW)
		r = fn(arg, (size_t)sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1));
	if (!r && rc != SQLITE_DONE)
		r = store_db_error(s, "recorded runs", err, errlen);
	sqlite3_reset(st);
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* The statements of one run, inside the caller's transaction. */
static int record_rows(struct store *s, size_t run_id, const struct store_run *r, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int64_t id = (int64_t)run_id;

	if (r->status != STORE_DONE && r->status != STORE_FAILED && r->status != STORE_SKIPPED)
		return errorf(err, errlen, "run %zu: recorded as '%s': only done, failed or skipped runs are recorded", run_id,
			      store_status_name(r->status));
	int64_t inputs = 0;
	if (r->inputs && inputs_id(s, r->inputs, &inputs, err, errlen))
		return -1;
	if (!(st = store_stmt(s, ST_RUN_UPDATE, err, errlen)))
		return -1;
	if (r->inputs)
		sqlite3_bind_int64(st, 8, inputs);
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
