/* The capacity tables (store/capacity.h): made by the search, read by the report. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/capacity.h"
#include "store/store_internal.h"
#include "util/error.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS capacity(base INTEGER PRIMARY KEY, status TEXT NOT NULL, passing INTEGER,"
	" failing INTEGER, probes INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE IF NOT EXISTS capacity_values(base INTEGER NOT NULL, param INTEGER NOT NULL,"
	" value INTEGER NOT NULL, PRIMARY KEY(base, param));"
	"CREATE TABLE IF NOT EXISTS capacity_probes(point INTEGER PRIMARY KEY REFERENCES points(id),"
	" base INTEGER NOT NULL, seq INTEGER NOT NULL, load INTEGER NOT NULL, runs INTEGER NOT NULL,"
	" failed INTEGER NOT NULL, verdict TEXT NOT NULL, note TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE IF NOT EXISTS capacity_checks(point INTEGER NOT NULL REFERENCES points(id),"
	" cond INTEGER NOT NULL, metric TEXT NOT NULL, op TEXT NOT NULL, value REAL NOT NULL, n INTEGER NOT NULL,"
	" mean REAL, sd REAL, bound REAL, verdict TEXT NOT NULL, PRIMARY KEY(point, cond));";

int store_capacity_prepare(struct store *s, char *err, size_t errlen)
{
	return store_exec(s, schema, err, errlen);
}

static void bind_real(sqlite3_stmt *st, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* Runs sql with the binds done by bind(arg, st, row) for rows 0..rows-1 (one statement). */
static int rows_exec(struct store *s, const char *sql, size_t rows, void (*bind)(const void *, sqlite3_stmt *, size_t),
		     const void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_db_error(s, "capacity", err, errlen);
	for (size_t i = 0; i < rows; i++) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		bind(arg, st, i);
		if (sqlite3_step(st) != SQLITE_DONE) {
			store_db_error(s, "capacity", err, errlen);
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return 0;
}

static void probe_bind(const void *arg, sqlite3_stmt *st, size_t row)
{
	const struct store_capacity_probe *p = arg;
	(void)row;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)p->point);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)p->base);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)p->seq);
	sqlite3_bind_int64(st, 4, p->load);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)p->runs);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)p->failed);
	sqlite3_bind_text(st, 7, p->verdict, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, p->note, -1, SQLITE_STATIC);
}

static void check_bind(const void *arg, sqlite3_stmt *st, size_t row)
{
	const struct store_capacity_probe *p = arg;
	const struct store_capacity_check *c = &p->checks[row];
	char op[2] = { c->op, 0 };
	sqlite3_bind_int64(st, 1, (sqlite3_int64)p->point);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)row);
	sqlite3_bind_text(st, 3, c->metric, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, op, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 5, c->value);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)c->n);
	bind_real(st, 7, c->mean);
	bind_real(st, 8, c->sd);
	bind_real(st, 9, c->bound);
	sqlite3_bind_text(st, 10, c->verdict, -1, SQLITE_STATIC);
}

/* BEGIN, the writes, COMMIT (or ROLLBACK) under the store's lock. */
static int transaction(struct store *s, int (*writes)(struct store *, const void *, size_t, char *, size_t),
		       const void *arg, size_t extra, char *err, size_t errlen)
{
	int r;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		r = store_db_error(s, "capacity: begin", err, errlen);
	} else if ((r = writes(s, arg, extra, err, errlen))) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	} else if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		r = store_db_error(s, "capacity: commit", err, errlen);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int probe_writes(struct store *s, const void *arg, size_t extra, char *err, size_t errlen)
{
	const struct store_capacity_probe *p = arg;
	(void)extra;
	return rows_exec(s, "INSERT OR REPLACE INTO capacity_probes VALUES(?,?,?,?,?,?,?,?)", 1, probe_bind, p, err,
			 errlen) ||
	       rows_exec(s, "INSERT OR REPLACE INTO capacity_checks VALUES(?,?,?,?,?,?,?,?,?,?)", p->nr_checks, check_bind,
			 p, err, errlen);
}

int store_capacity_probe_write(struct store *s, const struct store_capacity_probe *p, char *err, size_t errlen)
{
	return transaction(s, probe_writes, p, 0, err, errlen);
}

static void answer_bind(const void *arg, sqlite3_stmt *st, size_t row)
{
	const struct store_capacity_answer *a = arg;
	(void)row;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)a->base);
	sqlite3_bind_text(st, 2, a->status, -1, SQLITE_STATIC);
	if (a->have_passing)
		sqlite3_bind_int64(st, 3, a->passing);
	if (a->have_failing)
		sqlite3_bind_int64(st, 4, a->failing);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)a->probes);
	sqlite3_bind_text(st, 6, a->note, -1, SQLITE_STATIC);
}

struct value_rows {
	const struct store_capacity_answer *a;
	size_t skip;
};

static void value_bind(const void *arg, sqlite3_stmt *st, size_t row)
{
	const struct value_rows *v = arg;
	size_t param = row < v->skip ? row : row + 1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)v->a->base);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)param);
	sqlite3_bind_int64(st, 3, v->a->values[param]);
}

static int answer_writes(struct store *s, const void *arg, size_t skip, char *err, size_t errlen)
{
	const struct store_capacity_answer *a = arg;
	struct value_rows v = { a, skip };
	size_t rows = a->nr_values - (skip < a->nr_values);
	return rows_exec(s, "INSERT OR REPLACE INTO capacity VALUES(?,?,?,?,?,?)", 1, answer_bind, a, err, errlen) ||
	       rows_exec(s, "INSERT OR REPLACE INTO capacity_values VALUES(?,?,?)", rows, value_bind, &v, err, errlen);
}

int store_capacity_answer_write(struct store *s, const struct store_capacity_answer *a, size_t skip, char *err,
				size_t errlen)
{
	return transaction(s, answer_writes, a, skip, err, errlen);
}

int store_capacity_present(struct store *s, bool *present, char *err, size_t errlen)
{
	int64_t n = 0;
	*present = false;
	if (store_query_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'capacity'", &n, err,
			    errlen))
		return -1;
	if (n && store_query_int(s, "SELECT count(*) FROM capacity", &n, err, errlen))
		return -1;
	*present = n > 0;
	return 0;
}

static void text_copy(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	snprintf(out, len, "%s", t ? t : "");
}

static double real_get(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

void store_capacity_answers_free(struct store_capacity_answer *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		free(a[i].values);
	free(a);
}

int store_capacity_answers_read(struct store *s, size_t nr_params, struct store_capacity_answer **out, size_t *n,
				char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL, *vs = NULL;
	struct store_capacity_answer *a = NULL;
	size_t nr = 0;
	int rc = SQLITE_DONE, r = -1;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "SELECT base, status, passing, failing, probes, note FROM capacity ORDER BY base",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT param, value FROM capacity_values WHERE base = ?", -1, &vs, NULL) !=
		    SQLITE_OK) {
		store_db_error(s, "capacity", err, errlen);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_capacity_answer *grown = realloc(a, (nr + 1) * sizeof(*a));
		if (!grown)
			goto oom;
		a = grown;
		struct store_capacity_answer *x = &a[nr++];
		memset(x, 0, sizeof(*x));
		if (!(x->values = calloc(nr_params + 1, sizeof(*x->values))))
			goto oom;
		x->nr_values = nr_params;
		x->base = (size_t)sqlite3_column_int64(st, 0);
		text_copy(st, 1, x->status, sizeof(x->status));
		if ((x->have_passing = sqlite3_column_type(st, 2) != SQLITE_NULL))
			x->passing = sqlite3_column_int64(st, 2);
		if ((x->have_failing = sqlite3_column_type(st, 3) != SQLITE_NULL))
			x->failing = sqlite3_column_int64(st, 3);
		x->probes = (size_t)sqlite3_column_int64(st, 4);
		text_copy(st, 5, x->note, sizeof(x->note));
		sqlite3_reset(vs);
		sqlite3_bind_int64(vs, 1, (sqlite3_int64)x->base);
		while (sqlite3_step(vs) == SQLITE_ROW) {
			int64_t param = sqlite3_column_int64(vs, 0);
			if (param >= 0 && (size_t)param < nr_params)
				x->values[param] = sqlite3_column_int64(vs, 1);
		}
	}
	if (rc != SQLITE_DONE) {
		store_db_error(s, "capacity", err, errlen);
		goto out;
	}
	r = 0;
	goto out;
oom:
	errorf(err, errlen, "out of memory");
out:
	sqlite3_finalize(st);
	sqlite3_finalize(vs);
	pthread_mutex_unlock(&s->lock);
	if (r)
		store_capacity_answers_free(a, nr);
	else {
		*out = a;
		*n = nr;
	}
	return r;
}

int store_capacity_probes_read(struct store *s, struct store_capacity_probe **out, size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL, *cs = NULL;
	struct store_capacity_probe *p = NULL;
	size_t nr = 0;
	int rc = SQLITE_DONE, r = -1;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db,
			       "SELECT point, base, seq, load, runs, failed, verdict, note FROM capacity_probes"
			       " ORDER BY base, seq",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "SELECT cond, metric, op, value, n, mean, sd, bound, verdict FROM capacity_checks"
			       " WHERE point = ? ORDER BY cond",
			       -1, &cs, NULL) != SQLITE_OK) {
		store_db_error(s, "capacity", err, errlen);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_capacity_probe *grown = realloc(p, (nr + 1) * sizeof(*p));
		if (!grown) {
			errorf(err, errlen, "out of memory");
			goto out;
		}
		p = grown;
		struct store_capacity_probe *x = &p[nr++];
		memset(x, 0, sizeof(*x));
		x->point = (size_t)sqlite3_column_int64(st, 0);
		x->base = (size_t)sqlite3_column_int64(st, 1);
		x->seq = (size_t)sqlite3_column_int64(st, 2);
		x->load = sqlite3_column_int64(st, 3);
		x->runs = (size_t)sqlite3_column_int64(st, 4);
		x->failed = (size_t)sqlite3_column_int64(st, 5);
		text_copy(st, 6, x->verdict, sizeof(x->verdict));
		text_copy(st, 7, x->note, sizeof(x->note));
		sqlite3_reset(cs);
		sqlite3_bind_int64(cs, 1, (sqlite3_int64)x->point);
		while (sqlite3_step(cs) == SQLITE_ROW && x->nr_checks < STORE_CAPACITY_CONDS) {
			struct store_capacity_check *c = &x->checks[x->nr_checks++];
			text_copy(cs, 1, c->metric, sizeof(c->metric));
			const char *op = (const char *)sqlite3_column_text(cs, 2);
			c->op = op && *op ? *op : '<';
			c->value = sqlite3_column_double(cs, 3);
			c->n = (size_t)sqlite3_column_int64(cs, 4);
			c->mean = real_get(cs, 5);
			c->sd = real_get(cs, 6);
			c->bound = real_get(cs, 7);
			text_copy(cs, 8, c->verdict, sizeof(c->verdict));
		}
	}
	if (rc != SQLITE_DONE) {
		store_db_error(s, "capacity", err, errlen);
		goto out;
	}
	r = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(cs);
	pthread_mutex_unlock(&s->lock);
	if (r)
		free(p);
	else {
		*out = p;
		*n = nr;
	}
	return r;
}
