/* Opening the store: the schema, its version, the connection's settings; the manifest;
 * the integrity check. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "store/store_internal.h"
#include "util/error.h"
#include "vmm/host_cpus.h"
#include "vmm/kvm.h"

/* Version 1; later versions are the migrations below, applied in order, so that a store
 * made by an older vmsweep is brought up to date when it is opened for writing. */
static const char schema_sql[] =
	"CREATE TABLE manifest(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE params(idx INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE points(id INTEGER PRIMARY KEY);"
	"CREATE TABLE point_values(point INTEGER NOT NULL REFERENCES points(id),"
	" param TEXT NOT NULL REFERENCES params(name), value INTEGER NOT NULL,"
	" PRIMARY KEY(point, param)) WITHOUT ROWID;"
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, point INTEGER NOT NULL REFERENCES points(id),"
	" rep INTEGER NOT NULL, seed INTEGER NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'planned' CHECK(status IN ('planned', 'done', 'failed')),"
	" cause TEXT, started REAL, ended REAL, wall_ms REAL, exit_status INTEGER);"
	"CREATE INDEX runs_point ON runs(point);"
	/* A rowid table: export orders metric columns by first insertion. */
	"CREATE TABLE metrics(run INTEGER NOT NULL REFERENCES runs(id), name TEXT NOT NULL, value REAL,"
	" PRIMARY KEY(run, name));"
	"CREATE TABLE histograms(run INTEGER NOT NULL REFERENCES runs(id), name TEXT NOT NULL,"
	" nr_buckets INTEGER NOT NULL, counts BLOB NOT NULL CHECK(length(counts) = 8 * nr_buckets),"
	" PRIMARY KEY(run, name));"
	"CREATE TABLE timeseries(run INTEGER NOT NULL REFERENCES runs(id), series TEXT NOT NULL,"
	" t_ns INTEGER NOT NULL, value REAL);"
	"CREATE INDEX timeseries_run ON timeseries(run, series, t_ns);"
	"CREATE TABLE console(run INTEGER PRIMARY KEY REFERENCES runs(id), text TEXT NOT NULL);";

/* migrations[v - 2] takes version v - 1 to v. */
static const char *const migrations[] = {
	/* 2: what determined each run, so that a resume can tell a changed experiment */
	"CREATE TABLE run_inputs(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);"
	"ALTER TABLE runs ADD COLUMN inputs INTEGER REFERENCES run_inputs(id);",
	/* 3: 'skipped' runs (repeat = auto). A CHECK constraint cannot be altered: the table
	 * is rebuilt as SQLite's documented procedure does (foreign keys off meanwhile). */
	"CREATE TABLE runs_v3(id INTEGER PRIMARY KEY, point INTEGER NOT NULL REFERENCES points(id),"
	" rep INTEGER NOT NULL, seed INTEGER NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'planned' CHECK(status IN ('planned', 'done', 'failed', 'skipped')),"
	" cause TEXT, started REAL, ended REAL, wall_ms REAL, exit_status INTEGER,"
	" inputs INTEGER REFERENCES run_inputs(id));"
	"INSERT INTO runs_v3 SELECT id, point, rep, seed, status, cause, started, ended, wall_ms, exit_status, inputs"
	" FROM runs;"
	"DROP TABLE runs;"
	"ALTER TABLE runs_v3 RENAME TO runs;"
	"CREATE INDEX runs_point ON runs(point);",
};
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SCHEMA_VERSION - 1,
	       "one migration per schema version after the first");

static const char *const stmt_sql[ST_NR] = {
	[ST_MANIFEST_SET] = "INSERT OR REPLACE INTO manifest(key, value) VALUES(?1, ?2)",
	[ST_MANIFEST_GET] = "SELECT value FROM manifest WHERE key = ?1",
	[ST_MANIFEST_DELETE] = "DELETE FROM manifest WHERE key GLOB ?1",
	[ST_RUN_UPDATE] = "UPDATE runs SET status = ?2, cause = ?3, started = ?4, ended = ?5, wall_ms = ?6,"
			  " exit_status = ?7, inputs = ?8 WHERE id = ?1 AND status = 'planned'",
	[ST_INPUTS_INSERT] = "INSERT INTO run_inputs(text) VALUES(?1) ON CONFLICT(text) DO NOTHING",
	[ST_INPUTS_ID] = "SELECT id FROM run_inputs WHERE text = ?1",
	[ST_RUN_STATUS] = "SELECT status FROM runs WHERE id = ?1",
	[ST_METRIC_INSERT] = "INSERT INTO metrics(run, name, value) VALUES(?1, ?2, ?3)",
	[ST_HIST_INSERT] = "INSERT INTO histograms(run, name, nr_buckets, counts) VALUES(?1, ?2, ?3, ?4)",
	[ST_HIST_GET] = "SELECT nr_buckets, counts FROM histograms WHERE run = ?1 AND name = ?2",
	[ST_HIST_POINT] = "SELECT h.run, h.nr_buckets, h.counts FROM histograms h JOIN runs r ON r.id = h.run"
			  " WHERE r.point = ?1 AND r.status = 'done' AND h.name = ?2",
	[ST_SAMPLE_INSERT] = "INSERT INTO timeseries(run, series, t_ns, value) VALUES(?1, ?2, ?3, ?4)",
	[ST_CONSOLE_INSERT] = "INSERT INTO console(run, text) VALUES(?1, ?2)",
	[ST_PENDING] = "SELECT id FROM runs WHERE status = 'planned' ORDER BY id",
	[ST_RECORDED_INPUTS] = "SELECT r.id, i.text FROM runs r LEFT JOIN run_inputs i ON i.id = r.inputs"
			       " WHERE r.status != 'planned' ORDER BY r.id",
};

int store_db_error(struct store *s, const char *what, char *err, size_t errlen)
{
	return errorf(err, errlen, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

sqlite3_stmt *store_stmt(struct store *s, enum store_stmt which, char *err, size_t errlen)
{
	if (!s->stmt[which] && sqlite3_prepare_v3(s->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
						  &s->stmt[which], NULL) != SQLITE_OK) {
		store_db_error(s, "prepare", err, errlen);
		return NULL;
	}
	sqlite3_reset(s->stmt[which]);
	sqlite3_clear_bindings(s->stmt[which]);
	return s->stmt[which];
}

int store_exec(struct store *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		errorf(err, errlen, "%s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int store_query_int(struct store *s, const char *sql, int64_t *v, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_db_error(s, "prepare", err, errlen);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_db_error(s, sql, err, errlen);
}

void store_counts_pack(const uint64_t *counts, unsigned char *blob)
{
	for (unsigned i = 0; i < VMS_HIST_NR; i++)
		for (unsigned b = 0; b < 8; b++)
			blob[8 * i + b] = (unsigned char)(counts[i] >> (8 * b));
}

uint64_t store_counts_unpack_one(const unsigned char *blob, unsigned i)
{
	uint64_t v = 0;
	for (unsigned b = 0; b < 8; b++)
		v |= (uint64_t)blob[8 * i + b] << (8 * b);
	return v;
}

static void utc_now(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Creates the schema in a fresh database, or checks the version of an existing one.
 * Under BEGIN IMMEDIATE, so two processes opening one new store do not both create. */
static int schema_prepare(struct store *s, bool *created, char *err, size_t errlen)
{
	int64_t version;
	*created = false;
	if (store_exec(s, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	if (store_query_int(s, "PRAGMA user_version", &version, err, errlen))
		goto fail;
	if (version == 0) {
		int64_t tables;
		char now[32];
		if (store_query_int(s, "SELECT count(*) FROM sqlite_schema", &tables, err, errlen))
			goto fail;
		if (tables) {
			errorf(err, errlen, "%s: a database, but not a vmsweep results store", s->path);
			goto fail;
		}
		if (store_exec(s, schema_sql, err, errlen))
			goto fail;
		utc_now(now, sizeof(now));
		if (store_manifest_set(s, "created", now, err, errlen))
			goto fail;
		version = 1;
		*created = true;
	} else if (version > STORE_SCHEMA_VERSION) {
		errorf(err, errlen, "%s: results store schema version %lld, this vmsweep reads up to version %d", s->path,
		       (long long)version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	for (; version < STORE_SCHEMA_VERSION; version++) {
		char sql[64];
		int64_t broken;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", (long long)version + 1);
		if (store_exec(s, migrations[version - 1], err, errlen) || store_exec(s, sql, err, errlen))
			goto fail;
		if (store_query_int(s, "SELECT count(*) FROM pragma_foreign_key_check", &broken, err, errlen))
			goto fail;
		if (broken) {
			errorf(err, errlen, "%s: updating the store to version %lld left %lld broken references", s->path,
			       (long long)version + 1, (long long)broken);
			goto fail;
		}
	}
	return store_exec(s, "COMMIT", err, errlen);
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* A handle for DIR/results.sqlite, not yet opened. */
static struct store *store_new(const char *dir, char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof(*s));
	if (!s) {
		errorf(err, errlen, "out of memory");
		return NULL;
	}
	if ((size_t)snprintf(s->path, sizeof(s->path), "%s/%s", dir, STORE_FILE) >= sizeof(s->path)) {
		free(s);
		errorf(err, errlen, "%s: path too long", dir);
		return NULL;
	}
	return s;
}

int store_open(const char *dir, bool create, struct store **out, char *err, size_t errlen)
{
	struct stat st;
	*out = NULL;
	struct store *s = store_new(dir, err, errlen);
	if (!s)
		return -1;
	if (create && mkdir(dir, 0777) && errno != EEXIST) {
		errorf(err, errlen, "%s: %s", dir, strerror(errno));
		free(s);
		return -1;
	}
	if (!create && stat(s->path, &st)) {
		errorf(err, errlen, "%s: no results store (%s: %s)", dir, STORE_FILE, strerror(errno));
		free(s);
		return -1;
	}
	pthread_mutex_init(&s->lock, NULL);
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK) {
		if (!s->db) {
			errorf(err, errlen, "%s: out of memory", s->path);
			free(s);
			return -1;
		}
		store_db_error(s, "open", err, errlen);
		store_close(s);
		return -1;
	}
	/* Other processes (a report during the sweep, a second sweep by mistake) wait rather
	 * than fail. synchronous=NORMAL in WAL mode survives the process being killed; a
	 * power cut may lose the last runs, which then stay planned and run again. */
	sqlite3_busy_timeout(s->db, 30000);
	sqlite3_extended_result_codes(s->db, 1);
	/* WAL when the store is made (the mode stays with the file): an existing store keeps
	 * the mode it has, as a shard's store, which a sweep on a cluster keeps in the
	 * rollback journal (store_journal_rollback). Foreign keys on after the migrations,
	 * which may rebuild a table (SQLite's procedure for a change ALTER TABLE cannot make)
	 * and check the keys themselves. */
	bool created;
	int64_t wal = 0;
	if (schema_prepare(s, &created, err, errlen) || store_exec(s, "PRAGMA foreign_keys = ON", err, errlen) ||
	    (created && store_exec(s, "PRAGMA journal_mode = WAL", err, errlen)) ||
	    store_query_int(s, "SELECT journal_mode = 'wal' FROM pragma_journal_mode", &wal, err, errlen) ||
	    store_exec(s, wal ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL", err, errlen)) {
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

int store_open_readonly(const char *dir, struct store **out, char *err, size_t errlen)
{
	int64_t version;
	*out = NULL;
	struct store *s = store_new(dir, err, errlen);
	if (!s)
		return -1;
	pthread_mutex_init(&s->lock, NULL);
	if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		if (s->db)
			store_db_error(s, "open", err, errlen);
		else
			errorf(err, errlen, "%s: out of memory", s->path);
		store_close(s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, 30000);
	if (store_query_int(s, "PRAGMA user_version", &version, err, errlen)) {
		store_close(s);
		return -1;
	}
	if (version != STORE_SCHEMA_VERSION) {
		errorf(err, errlen, "%s: %s (store schema version %lld; this vmsweep reads %d)", s->path,
		       version ? "made by another vmsweep" : "not a vmsweep results store (or one not begun)",
		       (long long)version, STORE_SCHEMA_VERSION);
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

int store_journal_rollback(struct store *s, char *err, size_t errlen)
{
	return store_exec(s, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL", err, errlen);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_NR; i++)
		sqlite3_finalize(s->stmt[i]);
	if (s->db) {
		sqlite3_exec(s->db, "PRAGMA optimize", NULL, NULL, NULL);
		sqlite3_close(s->db);
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

/* A manifest statement with one or two text parameters, run once. */
static int manifest_change(struct store *s, enum store_stmt which, const char *a, const char *b, char *err,
			   size_t errlen)
{
	int r = 0;
	pthread_mutex_lock(&s->lock);
	sqlite3_stmt *st = store_stmt(s, which, err, errlen);
	if (!st) {
		r = -1;
	} else {
		sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
		if (b)
			sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			r = store_db_error(s, "manifest", err, errlen);
		sqlite3_reset(st);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

int store_manifest_set(struct store *s, const char *key, const char *value, char *err, size_t errlen)
{
	return manifest_change(s, ST_MANIFEST_SET, key, value, err, errlen);
}

int store_manifest_delete(struct store *s, const char *pattern, char *err, size_t errlen)
{
	return manifest_change(s, ST_MANIFEST_DELETE, pattern, NULL, err, errlen);
}

int store_manifest_get(struct store *s, const char *key, char **value, char *err, size_t errlen)
{
	int r = 0;
	*value = NULL;
	pthread_mutex_lock(&s->lock);
	sqlite3_stmt *st = store_stmt(s, ST_MANIFEST_GET, err, errlen);
	if (!st) {
		r = -1;
	} else {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const char *v = (const char *)sqlite3_column_text(st, 0);
			if (!(*value = strdup(v ? v : "")))
				r = errorf(err, errlen, "out of memory");
		} else if (rc != SQLITE_DONE) {
			r = store_db_error(s, "manifest", err, errlen);
		}
		sqlite3_reset(st);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

static void cpu_model(char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	snprintf(buf, len, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) || !colon)
			continue;
		colon += 1 + strspn(colon + 1, " \t");
		colon[strcspn(colon, "\n")] = 0;
		snprintf(buf, len, "%s", colon);
		break;
	}
	if (f)
		fclose(f);
}

int store_manifest_host(struct store *s, char *err, size_t errlen)
{
	struct utsname u;
	char buf[2048], kerr[256];

	if (uname(&u) == 0)
		snprintf(buf, sizeof(buf), "%s %s %s %s", u.sysname, u.release, u.version, u.machine);
	else
		snprintf(buf, sizeof(buf), "unknown");
	if (store_manifest_set(s, "host_kernel", buf, err, errlen))
		return -1;
	cpu_model(buf, sizeof(buf));
	if (store_manifest_set(s, "cpu_model", buf, err, errlen))
		return -1;
	snprintf(buf, sizeof(buf), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	if (store_manifest_set(s, "host_cpus", buf, err, errlen))
		return -1;
	/* what --pin and the topology's placement chose from: packages, cores, threads */
	struct host_cpus *hc = malloc(sizeof(*hc));
	if (hc && host_cpus_read(hc, NULL, NULL, kerr, sizeof(kerr)) == 0)
		host_cpus_describe(hc, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "unavailable");
	free(hc);
	if (store_manifest_set(s, "host_cpu_topology", buf, err, errlen))
		return -1;
	const struct kvm_host *k = kvm_host_get(kerr, sizeof(kerr));
	if (k)
		kvm_host_describe(k, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "unavailable: %s", kerr);
	return store_manifest_set(s, "kvm_caps", buf, err, errlen);
}

/* Appends the rows of a check query to err; 1 if there were any. */
static int check_rows(struct store *s, const char *sql, const char *ok, const char *what, char *err, size_t errlen,
		      size_t *off)
{
	sqlite3_stmt *st;
	int found = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_db_error(s, "prepare", err, errlen);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *row = (const char *)sqlite3_column_text(st, 0);
		if (ok && row && !strcmp(row, ok))
			continue;
		if (!found && *off < errlen)
			*off += (size_t)snprintf(err + *off, errlen - *off, "%s%s: %s:", *off ? "; " : "", s->path, what);
		if (found < 5 && *off < errlen)
			*off += (size_t)snprintf(err + *off, errlen - *off, " %s", row ? row : "?");
		found++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_db_error(s, what, err, errlen);
	return found ? 1 : 0;
}

int store_integrity_check(struct store *s, char *err, size_t errlen)
{
	/* Results under a planned run would mean a transaction that was not one. */
	static const char planned_sql[] =
		"SELECT 'run ' || r.id || ' is planned but has ' || x.what FROM runs r JOIN ("
		" SELECT DISTINCT run, 'metrics' AS what FROM metrics UNION ALL"
		" SELECT DISTINCT run, 'histograms' FROM histograms UNION ALL"
		" SELECT DISTINCT run, 'a time series' FROM timeseries UNION ALL"
		" SELECT run, 'a console' FROM console) x ON x.run = r.id WHERE r.status = 'planned'";
	size_t off = 0;
	char dummy[1];
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	pthread_mutex_lock(&s->lock);
	int a = check_rows(s, "PRAGMA integrity_check", "ok", "integrity_check", err, errlen, &off);
	int b = a < 0 ? -1 : check_rows(s,
					"SELECT \"table\" || ' row ' || ifnull(rowid, '?') || ' refers to a missing '"
					" || parent FROM pragma_foreign_key_check",
					NULL, "foreign_key_check", err, errlen, &off);
	int c = b < 0 ? -1 : check_rows(s, planned_sql, NULL, "half-recorded runs", err, errlen, &off);
	pthread_mutex_unlock(&s->lock);
	return a || b || c ? -1 : 0;
}
