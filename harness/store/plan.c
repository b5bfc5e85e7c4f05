/*
 * The plan in the store: its parameters, points and runs, matched against the plan of
 * the config a resume is given. A sweep may grow (values added to a parameter, repeat
 * raised): points are matched by their values and runs by (point, repetition), so the
 * runs already made keep their ids and the new ones are added after them. It may not
 * shrink or change under them: different parameters, a stored point or run the config
 * no longer plans, or a run whose seed differs are refused, naming the first one.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/error.h"

static const char hint[] = "resume with the config the sweep began with (values may be added, not removed),"
			   " or start a new directory";

/* The plan as stored: parameter names, points (id and values), runs. */
struct stored_plan {
	size_t nr_params;
	char **names;
	size_t nr_points;
	int64_t *point_ids;
	int64_t *values; /* nr_points x nr_params, in point_ids' order */
	size_t nr_runs;
	struct stored_run {
		int64_t id, point;
		unsigned rep;
		uint64_t seed;
	} *runs;
	int64_t next_point, next_run; /* ids for what is added */
};

static void stored_plan_free(struct stored_plan *sp)
{
	for (size_t i = 0; i < sp->nr_params; i++)
		free(sp->names[i]);
	free(sp->names);
	free(sp->point_ids);
	free(sp->values);
	free(sp->runs);
	memset(sp, 0, sizeof(*sp));
}

static int count_rows(struct store *s, const char *table, size_t *n, char *err, size_t errlen)
{
	char sql[64];
	int64_t v;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	if (store_query_int(s, sql, &v, err, errlen))
		return -1;
	*n = (size_t)v;
	return 0;
}

static int stored_plan_read(struct store *s, struct stored_plan *sp, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = SQLITE_DONE;

	memset(sp, 0, sizeof(*sp));
	if (count_rows(s, "params", &sp->nr_params, err, errlen) || count_rows(s, "points", &sp->nr_points, err, errlen) ||
	    count_rows(s, "runs", &sp->nr_runs, err, errlen) ||
	    store_query_int(s, "SELECT ifnull(max(id), -1) + 1 FROM points", &sp->next_point, err, errlen) ||
	    store_query_int(s, "SELECT ifnull(max(id), -1) + 1 FROM runs", &sp->next_run, err, errlen))
		return -1;
	sp->names = calloc(sp->nr_params + 1, sizeof(*sp->names));
	sp->point_ids = calloc(sp->nr_points + 1, sizeof(*sp->point_ids));
	sp->values = calloc(sp->nr_points * sp->nr_params + 1, sizeof(*sp->values));
	sp->runs = calloc(sp->nr_runs + 1, sizeof(*sp->runs));
	if (!sp->names || !sp->point_ids || !sp->values || !sp->runs)
		return errorf(err, errlen, "out of memory");

	if (sqlite3_prepare_v2(s->db, "SELECT name FROM params ORDER BY idx", -1, &st, NULL))
		return store_db_error(s, "prepare", err, errlen);
	for (i = 0; i < sp->nr_params && (rc = sqlite3_step(st)) == SQLITE_ROW; i++) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (!(sp->names[i] = strdup(name ? name : "")))
			goto oom;
	}
	sqlite3_finalize(st);

	/* Points in id order; each point's values in parameter order. */
	if (sqlite3_prepare_v2(s->db,
			       "SELECT pt.id, v.value FROM points pt LEFT JOIN point_values v ON v.point = pt.id"
			       " LEFT JOIN params p ON p.name = v.param ORDER BY pt.id, p.idx",
			       -1, &st, NULL))
		return store_db_error(s, "prepare", err, errlen);
	size_t pt = 0, k = 0;
	bool bad = false, first = true;
	while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (first || id != sp->point_ids[pt]) {
			if (!first) {
				bad |= k != sp->nr_params;
				pt++;
			}
			if (pt >= sp->nr_points)
				break;
			first = false, k = 0;
			sp->point_ids[pt] = id;
		}
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			continue;
		if (k >= sp->nr_params)
			bad = true;
		else
			sp->values[pt * sp->nr_params + k++] = sqlite3_column_int64(st, 1);
	}
	if (!first) {
		bad |= k != sp->nr_params;
		pt++;
	}
	sqlite3_finalize(st);
	if (bad || rc != SQLITE_DONE || pt != sp->nr_points)
		return errorf(err, errlen, "%s: the stored points do not each have one value per parameter", s->path);

	if (sqlite3_prepare_v2(s->db, "SELECT id, point, rep, seed FROM runs ORDER BY id", -1, &st, NULL))
		return store_db_error(s, "prepare", err, errlen);
	for (i = 0; i < sp->nr_runs && (rc = sqlite3_step(st)) == SQLITE_ROW; i++)
		sp->runs[i] = (struct stored_run){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
						   (unsigned)sqlite3_column_int64(st, 2),
						   (uint64_t)sqlite3_column_int64(st, 3) };
	sqlite3_finalize(st);
	return 0;
oom:
	sqlite3_finalize(st);
	return errorf(err, errlen, "out of memory");
}

/* "name=value, name=value" of one point, for messages. */
static void point_describe(char *buf, size_t len, size_t nr_params, char *const *names, const int64_t *vals)
{
	size_t off = 0;
	buf[0] = 0;
	for (size_t k = 0; k < nr_params && off < len; k++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%lld", k ? ", " : "", names[k], (long long)vals[k]);
	if (!nr_params)
		snprintf(buf, len, "the only point");
}

static int values_cmp(const int64_t *a, const int64_t *b, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (a[k] != b[k])
			return a[k] < b[k] ? -1 : 1;
	return 0;
}

static const struct store_plan *cmp_plan; /* qsort has no argument for it */
static int cmp_points(const void *a, const void *b)
{
	size_t n = cmp_plan->nr_params;
	return values_cmp(cmp_plan->values + *(const size_t *)a * n, cmp_plan->values + *(const size_t *)b * n, n);
}

/* The plan's point with these values, or -1: a binary search over order[] (the plan's
 * points sorted by value). */
static long point_lookup(const struct store_plan *p, const size_t *order, const int64_t *vals)
{
	size_t lo = 0, hi = p->nr_points;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = values_cmp(p->values + order[mid] * p->nr_params, vals, p->nr_params);
		if (c == 0)
			return (long)order[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Index of the stored point with this id (point_ids[] is in id order), or -1. */
static long stored_point_find(const struct stored_plan *sp, int64_t id)
{
	size_t lo = 0, hi = sp->nr_points;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (sp->point_ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sp->nr_points && sp->point_ids[lo] == id ? (long)lo : -1;
}

/*
 * Maps the stored plan onto p: point_ids[i] = the stored id of p's point i (-1: new),
 * run_ids[i] = the stored id of p's run i (STORE_RUN_NEW: new). Refuses what would
 * mix two experiments.
 */
static int plan_map(struct store *s, const struct stored_plan *sp, const struct store_plan *p, int64_t *point_ids,
		    size_t *run_ids, char *err, size_t errlen)
{
	char what[512];
	size_t *order = NULL, *by_rep = NULL;
	long *plan_point = NULL; /* stored point index -> plan point */
	unsigned reps = 0;
	int ret = -1;

	if (sp->nr_params != p->nr_params)
		return errorf(err, errlen, "%s holds another plan: %zu swept parameters there, %zu here (%s)", s->path,
			      sp->nr_params, p->nr_params, hint);
	for (size_t k = 0; k < p->nr_params; k++)
		if (strcmp(sp->names[k], p->names[k]))
			return errorf(err, errlen, "%s holds another plan: parameter %zu is '%s' there, '%s' here (%s)",
				      s->path, k + 1, sp->names[k], p->names[k], hint);
	for (size_t i = 0; i < p->nr_runs; i++)
		if (p->runs[i].rep + 1 > reps)
			reps = p->runs[i].rep + 1;
	order = malloc((p->nr_points + 1) * sizeof(*order));
	plan_point = malloc((sp->nr_points + 1) * sizeof(*plan_point));
	by_rep = malloc((p->nr_points * reps + 1) * sizeof(*by_rep));
	if (!order || !plan_point || !by_rep) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < p->nr_points; i++)
		order[i] = i, point_ids[i] = -1;
	cmp_plan = p;
	qsort(order, p->nr_points, sizeof(*order), cmp_points);
	for (size_t i = 0; i < sp->nr_points; i++) {
		const int64_t *vals = sp->values + i * sp->nr_params;
		plan_point[i] = point_lookup(p, order, vals);
		if (plan_point[i] < 0) {
			point_describe(what, sizeof(what), sp->nr_params, sp->names, vals);
			errorf(err, errlen, "%s holds point %lld (%s), which this config does not plan (%s)", s->path,
			       (long long)sp->point_ids[i], what, hint);
			goto out;
		}
		point_ids[plan_point[i]] = sp->point_ids[i];
	}

	for (size_t i = 0; i < p->nr_points * reps; i++)
		by_rep[i] = STORE_RUN_NEW;
	for (size_t i = 0; i < p->nr_runs; i++) {
		by_rep[p->runs[i].point * reps + p->runs[i].rep] = i;
		run_ids[i] = STORE_RUN_NEW;
	}
	for (size_t i = 0; i < sp->nr_runs; i++) {
		const struct stored_run *r = &sp->runs[i];
		long sp_point = stored_point_find(sp, r->point);
		if (sp_point < 0) {
			errorf(err, errlen, "%s: run %lld is at point %lld, which is not stored", s->path, (long long)r->id,
			       (long long)r->point);
			goto out;
		}
		size_t pp = (size_t)plan_point[sp_point];
		size_t idx = r->rep < reps ? by_rep[pp * reps + r->rep] : STORE_RUN_NEW;
		point_describe(what, sizeof(what), sp->nr_params, sp->names, sp->values + (size_t)sp_point * sp->nr_params);
		if (idx == STORE_RUN_NEW) {
			errorf(err, errlen, "%s holds run %lld (%s, repetition %u), which this config does not plan: repeat"
					    " is %u here (%s)",
			       s->path, (long long)r->id, what, r->rep + 1, reps, hint);
			goto out;
		}
		if (p->runs[idx].seed != r->seed) {
			errorf(err, errlen, "%s holds run %lld (%s, repetition %u) with seed %llu, this config gives it"
					    " seed %llu: the sweep's seed changed (%s)",
			       s->path, (long long)r->id, what, r->rep + 1, (unsigned long long)r->seed,
			       (unsigned long long)p->runs[idx].seed, hint);
			goto out;
		}
		run_ids[idx] = (size_t)r->id;
	}
	ret = 0;
out:
	free(order);
	free(plan_point);
	free(by_rep);
	return ret;
}

static int step_insert(struct store *s, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_db_error(s, what, err, errlen);
}

/* Inserts the parameters (into an empty store), the new points and the new runs. */
static int plan_insert(struct store *s, const struct stored_plan *sp, const struct store_plan *p, int64_t *point_ids,
		       size_t *run_ids, char *err, size_t errlen)
{
	sqlite3_stmt *prm = NULL, *pt = NULL, *v = NULL, *r = NULL;
	int64_t next_point = sp->next_point, next_run = sp->next_run;
	int ret = -1;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO params(idx, name) VALUES(?1, ?2)", -1, &prm, NULL) ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO points(id) VALUES(?1)", -1, &pt, NULL) ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO point_values(point, param, value) VALUES(?1, ?2, ?3)", -1, &v,
			       NULL) ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO runs(id, point, rep, seed) VALUES(?1, ?2, ?3, ?4)", -1, &r, NULL)) {
		store_db_error(s, "prepare", err, errlen);
		goto out;
	}
	for (size_t k = 0; !sp->nr_params && k < p->nr_params; k++) {
		sqlite3_bind_int64(prm, 1, (int64_t)k);
		sqlite3_bind_text(prm, 2, p->names[k], -1, SQLITE_STATIC);
		if (step_insert(s, prm, "params", err, errlen))
			goto out;
	}
	for (size_t i = 0; i < p->nr_points; i++) {
		if (point_ids[i] >= 0)
			continue;
		point_ids[i] = next_point++;
		sqlite3_bind_int64(pt, 1, point_ids[i]);
		if (step_insert(s, pt, "points", err, errlen))
			goto out;
		for (size_t k = 0; k < p->nr_params; k++) {
			sqlite3_bind_int64(v, 1, point_ids[i]);
			sqlite3_bind_text(v, 2, p->names[k], -1, SQLITE_STATIC);
			sqlite3_bind_int64(v, 3, p->values[i * p->nr_params + k]);
			if (step_insert(s, v, "point_values", err, errlen))
				goto out;
		}
	}
	/* New runs take the next ids in the order of execution, as a new sweep's do. */
	for (size_t i = 0; i < p->nr_runs; i++) {
		if (run_ids[i] != STORE_RUN_NEW)
			continue;
		run_ids[i] = (size_t)next_run++;
		sqlite3_bind_int64(r, 1, (int64_t)run_ids[i]);
		sqlite3_bind_int64(r, 2, point_ids[p->runs[i].point]);
		sqlite3_bind_int64(r, 3, p->runs[i].rep);
		sqlite3_bind_int64(r, 4, (int64_t)p->runs[i].seed);
		if (step_insert(s, r, "runs", err, errlen))
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(prm);
	sqlite3_finalize(pt);
	sqlite3_finalize(v);
	sqlite3_finalize(r);
	return ret;
}

static int plan_check_args(const struct store_plan *p, char *err, size_t errlen)
{
	for (size_t i = 0; i < p->nr_runs; i++)
		if (p->runs[i].point >= p->nr_points)
			return errorf(err, errlen, "plan: run %zu is at point %zu of %zu", i, p->runs[i].point,
				      p->nr_points);
	for (size_t i = 0; i < p->nr_params; i++)
		if (!p->names[i] || !p->names[i][0])
			return errorf(err, errlen, "plan: parameter %zu has no name", i + 1);
	return 0;
}

/* Reads, maps and (when write) adds, in one transaction. */
static int plan_sync(struct store *s, const struct store_plan *p, bool write, size_t *run_ids, size_t *nr_new,
		     char *err, size_t errlen)
{
	struct stored_plan sp;
	int64_t *point_ids = calloc(p->nr_points + 1, sizeof(*point_ids));
	int r = -1;

	memset(&sp, 0, sizeof(sp));
	if (!point_ids)
		return errorf(err, errlen, "out of memory");
	if (plan_check_args(p, err, errlen))
		goto out_free;
	pthread_mutex_lock(&s->lock);
	if (store_exec(s, write ? "BEGIN IMMEDIATE" : "BEGIN", err, errlen))
		goto unlock;
	if (stored_plan_read(s, &sp, err, errlen))
		goto rollback;
	if (!sp.nr_params && !sp.nr_points && !sp.nr_runs) {
		for (size_t i = 0; i < p->nr_points; i++)
			point_ids[i] = -1;
		for (size_t i = 0; i < p->nr_runs; i++)
			run_ids[i] = STORE_RUN_NEW;
	} else if (plan_map(s, &sp, p, point_ids, run_ids, err, errlen)) {
		goto rollback;
	}
	if (nr_new) {
		*nr_new = 0;
		for (size_t i = 0; i < p->nr_runs; i++)
			*nr_new += run_ids[i] == STORE_RUN_NEW;
	}
	if (write && plan_insert(s, &sp, p, point_ids, run_ids, err, errlen))
		goto rollback;
	r = store_exec(s, "COMMIT", err, errlen);
	if (!r)
		goto unlock;
rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
unlock:
	pthread_mutex_unlock(&s->lock);
out_free:
	stored_plan_free(&sp);
	free(point_ids);
	return r;
}

int store_plan_match(struct store *s, const struct store_plan *p, size_t *run_ids, size_t *nr_new, char *err,
		     size_t errlen)
{
	return plan_sync(s, p, false, run_ids, nr_new, err, errlen);
}

int store_plan_write(struct store *s, const struct store_plan *p, size_t *run_ids, char *err, size_t errlen)
{
	return plan_sync(s, p, true, run_ids, NULL, err, errlen);
}
