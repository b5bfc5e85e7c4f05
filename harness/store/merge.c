/*
 * Shard stores joined into one (`vmsweep merge`): each shard of a sweep holds the whole
 * plan, with the same run ids, and records its own share of the runs; the merged store
 * takes every run a shard recorded that it does not hold yet, with all of its results,
 * in one transaction per shard. See store.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/array.h"
#include "util/error.h"

/* What must be the same for two stores to hold one experiment (the plan tables too). */
static const char *const same_keys[] = { "config", "seed", "harness_build_id", "guest_build_id", "vmsweep_version" };

/* The host a shard ran on: kept per shard in the merged store, shard.<I>.<key>; with
 * each disk's host file system, disk.<N>.host. */
const char *const store_host_keys[] = { "hostname", "host_kernel", "cpu_model", "host_cpus", "host_cpu_topology",
					"kvm_caps", "jobs", NULL };
#define HOST_KEYS_GLOB "disk.*.host"

/* "key IN ('hostname', ...) OR key GLOB 'disk.*.host'": the manifest's host keys. */
static void host_keys_where(char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "(key IN (");
	for (size_t i = 0; store_host_keys[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s'%s'", i ? ", " : "", store_host_keys[i]);
	if (used < len)
		snprintf(buf + used, len - used, ") OR key GLOB '%s')", HOST_KEYS_GLOB);
}

/* A key of the attached shard's manifest, malloc'd, or NULL when absent. */
static int shard_manifest_get(struct store *s, const char *key, char **value, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	*value = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM shard.manifest WHERE key = ?1", -1, &st, NULL) != SQLITE_OK)
		return store_db_error(s, "shard manifest", err, errlen);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW && !(*value = strdup((const char *)sqlite3_column_text(st, 0) ?: "")))
		r = errorf(err, errlen, "out of memory");
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = store_db_error(s, "shard manifest", err, errlen);
	sqlite3_finalize(st);
	return r;
}

/* An empty merged store takes the shard's plan, and its manifest but the shard's own
 * keys and the host's (those are kept per shard). */
static int plan_copy(struct store *s, char *err, size_t errlen)
{
	char where[512], sql[1400];
	host_keys_where(where, sizeof(where));
	snprintf(sql, sizeof(sql),
		 "INSERT INTO main.params SELECT idx, name FROM shard.params;"
		 "INSERT INTO main.points SELECT id FROM shard.points;"
		 "INSERT INTO main.point_values SELECT point, param, value FROM shard.point_values;"
		 "INSERT INTO main.runs(id, point, rep, seed) SELECT id, point, rep, seed FROM shard.runs ORDER BY id;"
		 "INSERT OR REPLACE INTO main.manifest SELECT key, value FROM shard.manifest WHERE key NOT GLOB 'shard*'"
		 " AND key != 'created' AND NOT %s;",
		 where);
	return store_exec(s, sql, err, errlen);
}

/* The shard holds this store's plan, made by the same build from the same config. */
static int plan_same(struct store *s, const char *shard_dir, char *err, size_t errlen)
{
	static const struct {
		const char *what, *sql;
	} diffs[] = {
		{ "parameters", "SELECT count(*) FROM (SELECT idx, name FROM main.params EXCEPT SELECT idx, name FROM"
				" shard.params UNION ALL SELECT idx, name FROM shard.params EXCEPT SELECT idx, name FROM main.params)" },
		{ "points", "SELECT count(*) FROM (SELECT * FROM main.point_values EXCEPT SELECT * FROM shard.point_values"
			    " UNION ALL SELECT * FROM shard.point_values EXCEPT SELECT * FROM main.point_values)" },
		{ "runs (ids, points, repetitions, seeds)",
		  "SELECT count(*) FROM (SELECT id, point, rep, seed FROM main.runs EXCEPT SELECT id, point, rep, seed FROM"
		  " shard.runs UNION ALL SELECT id, point, rep, seed FROM shard.runs EXCEPT SELECT id, point, rep, seed"
		  " FROM main.runs)" },
	};
	int64_t n;
	for (size_t i = 0; i < sizeof(same_keys) / sizeof(same_keys[0]); i++) {
		char *mine = NULL, *theirs = NULL;
		int r = store_manifest_get(s, same_keys[i], &mine, err, errlen) ? -1 :
			shard_manifest_get(s, same_keys[i], &theirs, err, errlen);
		bool differ = !r && (!mine != !theirs || (mine && strcmp(mine, theirs)));
		free(mine);
		free(theirs);
		if (r)
			return -1;
		if (differ)
			return errorf(err, errlen, "%s is a shard of another sweep: its %s differs from %s's", shard_dir,
				      same_keys[i], s->path);
	}
	for (size_t i = 0; i < sizeof(diffs) / sizeof(diffs[0]); i++) {
		if (store_query_int(s, diffs[i].sql, &n, err, errlen))
			return -1;
		if (n)
			return errorf(err, errlen, "%s is a shard of another sweep: its plan's %s differ from %s's", shard_dir,
				      diffs[i].what, s->path);
	}
	return 0;
}

/* The shard's host, as shard.<I>.<key>; and main's host keys: the value every shard so
 * far agrees on, else "varies from shard to shard". */
static int host_keys_copy(struct store *s, const char *shard, char *err, size_t errlen)
{
	char where[512], sql[640];
	sqlite3_stmt *st;
	int rc, r = 0;

	host_keys_where(where, sizeof(where));
	snprintf(sql, sizeof(sql), "SELECT key, value FROM shard.manifest WHERE %s", where);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_db_error(s, "shard manifest", err, errlen);
	while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0), *v = (const char *)sqlite3_column_text(st, 1);
		char key[160], *now = NULL;
		snprintf(key, sizeof(key), "shard.%s.%s", shard, k);
		r = store_manifest_set(s, key, v ? v : "", err, errlen) || store_manifest_get(s, k, &now, err, errlen);
		if (!r && (!now || strcmp(now, v ? v : ""))) {
			char varies[200];
			snprintf(varies, sizeof(varies), "varies from shard to shard (shard.<I>.%s)", k);
			r = store_manifest_set(s, k, now ? varies : v ? v : "", err, errlen);
		}
		free(now);
	}
	sqlite3_finalize(st);
	return r ? -1 : 0;
}

static int todo_ids(struct store *s, size_t **ids, size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	*ids = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM temp.merge_todo ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return store_db_error(s, "merge", err, errlen);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (array_grow((void **)ids, &cap, *n + 1, sizeof(**ids))) {
			sqlite3_finalize(st);
			return errorf(err, errlen, "out of memory");
		}
		(*ids)[(*n)++] = (size_t)sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_db_error(s, "merge", err, errlen);
}

/* Every result of the runs in merge_todo, from the shard; each metric, sample and row
 * in the shard's order, which export keeps. `+run` keeps SQLite from the (run, ...)
 * index, which would then sort the rows back into rowid order: a shard holds little but
 * its own runs, so a scan reads the same rows (17 % of a 10000-run merge, bench/merge_bench.sh). */
static const char copy_sql[] =
	"INSERT INTO main.run_inputs(text) SELECT DISTINCT i.text FROM shard.run_inputs i JOIN shard.runs r ON"
	" r.inputs = i.id WHERE r.id IN (SELECT id FROM temp.merge_todo) ON CONFLICT(text) DO NOTHING;"
	/* row values rather than UPDATE ... FROM, which SQLite has only since 3.33 */
	"UPDATE main.runs SET (status, cause, started, ended, wall_ms, exit_status, inputs) = (SELECT r.status,"
	" r.cause, r.started, r.ended, r.wall_ms, r.exit_status, (SELECT mi.id FROM main.run_inputs mi JOIN"
	" shard.run_inputs si ON si.text = mi.text WHERE si.id = r.inputs) FROM shard.runs r WHERE r.id = main.runs.id)"
	" WHERE id IN (SELECT id FROM temp.merge_todo);"
	"INSERT INTO main.metrics(run, name, value) SELECT run, name, value FROM shard.metrics"
	" WHERE +run IN (SELECT id FROM temp.merge_todo) ORDER BY rowid;"
	"INSERT INTO main.histograms(run, name, nr_buckets, counts) SELECT run, name, nr_buckets, counts"
	" FROM shard.histograms WHERE run IN (SELECT id FROM temp.merge_todo);"
	"INSERT INTO main.timeseries(run, series, t_ns, value) SELECT run, series, t_ns, value FROM shard.timeseries"
	" WHERE +run IN (SELECT id FROM temp.merge_todo) ORDER BY rowid;"
	"INSERT INTO main.console(run, text) SELECT run, text FROM shard.console"
	" WHERE run IN (SELECT id FROM temp.merge_todo);";

int store_merge_shard(struct store *s, const char *shard_dir, store_merge_files_fn files, void *arg,
		      struct store_merge *m, char *err, size_t errlen)
{
	char path[PATH_MAX + 16], *shard = NULL;
	int64_t n, version;
	size_t *ids = NULL, nr = 0;
	int r = -1;
	bool attached = false;

	memset(m, 0, sizeof(*m));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", shard_dir, STORE_FILE) >= sizeof(path))
		return errorf(err, errlen, "%s: path too long", shard_dir);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "ATTACH DATABASE ?1 AS shard", -1, &st, NULL) != SQLITE_OK) {
		store_db_error(s, "attach", err, errlen);
		goto out;
	}
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	attached = sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	if (!attached) {
		errorf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto out;
	}
	if (store_query_int(s, "PRAGMA shard.user_version", &version, err, errlen))
		goto out;
	int64_t tables;
	if (!version && store_query_int(s, "SELECT count(*) FROM shard.sqlite_schema", &tables, err, errlen) == 0 &&
	    !tables) {
		m->empty = true; /* a task that ended before its store was begun: nothing to merge */
		r = 0;
		goto out;
	}
	if (version == STORE_SCHEMA_VERSION &&
	    store_query_int(s, "SELECT count(*) FROM shard.runs", &tables, err, errlen) == 0 && !tables) {
		m->empty = true; /* begun, then refused before its plan was written */
		r = 0;
		goto out;
	}
	if (version != STORE_SCHEMA_VERSION) {
		errorf(err, errlen, "%s: %s (store schema version %lld; this vmsweep writes %d)", path,
		       version ? "made by another vmsweep" : "not a vmsweep results store", (long long)version,
		       STORE_SCHEMA_VERSION);
		goto out;
	}
	/* Deferred transactions: the shard, which its task may still be writing, is only read
	 * (a shared lock for the moments of each), s written. The first settles the plan and
	 * what is new; the runs' files are copied between the two, with no lock held (a merge
	 * that stops before its second commit is done again in full); the second copies the
	 * rows of the runs that are still new. Foreign keys unchecked: every copied row's run
	 * is in s (plan_same), and checking each reference costs a third of the merge. */
	if (store_exec(s, "PRAGMA foreign_keys = OFF; BEGIN", err, errlen))
		goto out;
	if (store_query_int(s, "SELECT count(*) FROM main.runs", &n, err, errlen) || (!n && plan_copy(s, err, errlen)) ||
	    plan_same(s, shard_dir, err, errlen) || shard_manifest_get(s, "shard", &shard, err, errlen))
		goto rollback;
	if (store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS merge_todo(id INTEGER PRIMARY KEY); DELETE FROM temp.merge_todo;"
			  "INSERT INTO temp.merge_todo SELECT r.id FROM shard.runs r JOIN main.runs m ON m.id = r.id"
			  " WHERE r.status != 'planned' AND m.status = 'planned'",
		       err, errlen))
		goto rollback;
	/* Recorded on both sides: the same record (merged before), or another (a duplicate,
	 * kept as first merged) */
	int64_t same, other;
	if (store_query_int(s, "SELECT count(*) FROM shard.runs r JOIN main.runs m ON m.id = r.id WHERE r.status != 'planned'"
			   " AND m.status != 'planned' AND m.status = r.status AND m.started IS r.started",
			&same, err, errlen) ||
	    store_query_int(s, "SELECT count(*) FROM shard.runs r JOIN main.runs m ON m.id = r.id WHERE r.status != 'planned'"
			   " AND m.status != 'planned' AND (m.status != r.status OR m.started IS NOT r.started)",
			&other, err, errlen) ||
	    todo_ids(s, &ids, &nr, err, errlen) || store_exec(s, "COMMIT", err, errlen))
		goto rollback;
	m->added = nr;
	m->already = (size_t)same;
	m->duplicates = (size_t)other;
	if (shard && strlen(shard) < sizeof(m->shard))
		snprintf(m->shard, sizeof(m->shard), "%.*s", (int)strcspn(shard, "/"), shard);
	if (nr && files && files(arg, ids, nr, err, errlen))
		goto out;
	/* nothing else writes s (merge holds its directory's lock); a shard's recorded run
	 * stays recorded, but for a skipped one its resume made planned again meanwhile */
	if (store_exec(s, "BEGIN; DELETE FROM temp.merge_todo WHERE id NOT IN (SELECT id FROM shard.runs"
			  " WHERE status != 'planned')",
		       err, errlen) ||
	    (nr && store_exec(s, copy_sql, err, errlen)) ||
	    (m->shard[0] && host_keys_copy(s, m->shard, err, errlen)))
		goto rollback;
	if (m->shard[0]) {
		char key[64], *runs = NULL;
		snprintf(key, sizeof(key), "shard.%s.runs", m->shard);
		int e = shard_manifest_get(s, "shard.runs", &runs, err, errlen);
		if (!e && runs)
			e = store_manifest_set(s, key, runs, err, errlen);
		free(runs);
		if (e)
			goto rollback;
	}
	if (store_exec(s, "COMMIT", err, errlen))
		goto rollback;
	r = 0;
	goto out;
rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (attached)
		sqlite3_exec(s->db, "DETACH DATABASE shard", NULL, NULL, NULL);
	free(ids);
	free(shard);
	return r;
}

int store_run_statuses(struct store *s, enum store_status **status, size_t *nr_ids, char *err, size_t errlen)
{
	int64_t max;
	*status = NULL;
	*nr_ids = 0;
	pthread_mutex_lock(&s->lock);
	int r = store_query_int(s, "SELECT coalesce(max(id), 0) FROM runs", &max, err, errlen);
	sqlite3_stmt *st = NULL;
	if (!r && !(*status = calloc((size_t)max + 1, sizeof(**status))))
		r = errorf(err, errlen, "out of memory");
	if (!r && sqlite3_prepare_v2(s->db, "SELECT id, status FROM runs", -1, &st, NULL) != SQLITE_OK)
		r = store_db_error(s, "run statuses", err, errlen);
	int rc = SQLITE_DONE;
	while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 1);
		enum store_status v = !strcmp(t, "done") ? STORE_DONE : !strcmp(t, "failed") ? STORE_FAILED :
				      !strcmp(t, "skipped") ? STORE_SKIPPED : STORE_PLANNED;
		(*status)[sqlite3_column_int64(st, 0)] = v;
	}
	if (!r && rc != SQLITE_DONE)
		r = store_db_error(s, "run statuses", err, errlen);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	if (r) {
		free(*status);
		*status = NULL;
		return -1;
	}
	*nr_ids = (size_t)max + 1;
	return 0;
}
