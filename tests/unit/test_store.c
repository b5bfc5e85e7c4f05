/*
 * The results store: plan, record, resume, histograms, export, the metric set of a
 * vm_result, and crash safety (a recorder SIGKILLed at random moments, 20 times, on
 * one database). Each test works in its own mkdtemp directory.
 */
#include <errno.h>
#include <math.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <vmsweep/workload.h>

#include "report/report.h"
#include "records/fio.h"
#include "records/mm.h"
#include "store/store.h"
#include "store_helpers.h"
#include "store/store_internal.h"
#include "util/hist_stats.h"
#include "vmm/vm.h"

/* ---- Fixtures ---- */


static struct store *open_ok(const char *dir, bool create)
{
	struct store *s = NULL;
	char err[512] = "";
	if (store_open(dir, create, &s, err, sizeof(err)))
		fail_msg("store_open(%s): %s", dir, err);
	return s;
}

/* The plan of most tests: 2 parameters x 3 x 2 points, NR_REPS repetitions each. */
#define NR_PARAMS 2
#define NR_POINTS 6
#define NR_REPS 3
#define NR_RUNS (NR_POINTS * NR_REPS)
static const char *const param_names[NR_PARAMS] = { "dirty_ratio", "memory_mb" };
static int64_t plan_values[NR_POINTS * NR_PARAMS];
static struct store_plan_run plan_runs[NR_RUNS];

static void make_plan(void)
{
	for (size_t p = 0; p < NR_POINTS; p++) {
		plan_values[p * NR_PARAMS] = 10 * (int64_t)(p % 3 + 1);
		plan_values[p * NR_PARAMS + 1] = 256 << (p / 3);
	}
	/* Shuffled order, as a sweep has it; a seed above 2^63 checks the bit-for-bit store. */
	for (size_t i = 0; i < NR_RUNS; i++)
		plan_runs[i] = (struct store_plan_run){ (i * 7) % NR_POINTS, (unsigned)(i / NR_POINTS),
							0x9e3779b97f4a7c15ull * (i + 1) };
}

static void write_plan(struct store *s)
{
	char err[512] = "";
	make_plan();
	if (plan_write(s, NR_PARAMS, param_names, NR_POINTS, plan_values, NR_RUNS, plan_runs, err, sizeof(err)))
		fail_msg("store_plan_write: %s", err);
}

/* Deterministic results for run id: nr_metrics metrics, one histogram, one series. */
static size_t expect_metrics(size_t id)
{
	return 3 + id % 5;
}
static size_t expect_samples(size_t id)
{
	return 4 + id % 7;
}
static bool expect_failed(size_t id)
{
	return id % 5 == 4;
}
static double metric_value(size_t id, size_t k)
{
	return (double)id * 1000 + (double)k + 0.25;
}
static uint64_t count_at(size_t id, unsigned i)
{
	/* Large counts too: the blob must keep all 64 bits. */
	if (i == VMS_HIST_NR - 1)
		return 0x0123456789abcdefull + id;
	return (i % 97 == id % 97) ? (uint64_t)id * 3 + i : 0;
}

static void make_run(size_t id, struct store_run *r)
{
	char name[64];
	memset(r, 0, sizeof(*r));
	r->status = expect_failed(id) ? STORE_FAILED : STORE_DONE;
	if (expect_failed(id)) {
		snprintf(r->cause, sizeof(r->cause), "timeout: run %zu made no progress", id);
		assert_non_null(r->console = strdup("console line 1\nconsole, line \"2\"\n"));
		r->console_len = strlen(r->console);
	}
	r->started = 1700000000.0 + (double)id;
	r->ended = r->started + 1.5;
	r->wall_ms = 1500;
	r->exit_status = expect_failed(id) ? 7 : 0;
	for (size_t k = 0; k < expect_metrics(id); k++) {
		snprintf(name, sizeof(name), "m.%zu", k);
		assert_int_equal(store_run_metric(r, name, metric_value(id, k)), 0);
	}
	struct store_hist *h = store_run_hist(r, "lat_ns");
	assert_non_null(h);
	for (unsigned i = 0; i < VMS_HIST_NR; i++)
		h->counts[i] = count_at(id, i);
	for (size_t k = 0; k < expect_samples(id); k++)
		assert_int_equal(store_run_sample(r, "nr_running", k * 1000000, (double)(k % 3)), 0);
}

static void record_ok(struct store *s, size_t id)
{
	struct store_run r;
	char err[512] = "";
	make_run(id, &r);
	if (store_run_record(s, id, &r, err, sizeof(err)))
		fail_msg("record run %zu: %s", id, err);
	store_run_free(&r);
}

static void integrity_ok(struct store *s)
{
	char err[1024] = "";
	if (store_integrity_check(s, err, sizeof(err)))
		fail_msg("integrity: %s", err);
}

/* A recorded run holds exactly its results; a planned one nothing. */
static void check_run(struct store *s, size_t id)
{
	int64_t recorded = store_query(s, "SELECT status != 'planned' FROM runs WHERE id = %zu", id);
	int64_t nm = store_query(s, "SELECT count(*) FROM metrics WHERE run = %zu", id);
	int64_t nh = store_query(s, "SELECT count(*) FROM histograms WHERE run = %zu", id);
	int64_t ns = store_query(s, "SELECT count(*) FROM timeseries WHERE run = %zu AND series = 'nr_running'", id);
	int64_t nc = store_query(s, "SELECT count(*) FROM console WHERE run = %zu", id);
	if (!recorded) {
		if (nm || nh || ns || nc)
			fail_msg("run %zu is planned but has %lld metrics, %lld histograms, %lld samples, %lld consoles", id,
				 (long long)nm, (long long)nh, (long long)ns, (long long)nc);
		return;
	}
	if ((size_t)nm != expect_metrics(id) || nh != 1 || (size_t)ns != expect_samples(id) ||
	    nc != (expect_failed(id) ? 1 : 0))
		fail_msg("run %zu is half-written: %lld metrics, %lld histograms, %lld samples, %lld consoles", id,
			 (long long)nm, (long long)nh, (long long)ns, (long long)nc);
	assert_int_equal(store_query(s, "SELECT status = '%s' FROM runs WHERE id = %zu",
				   expect_failed(id) ? "failed" : "done", id),
			 1);
	assert_int_equal(store_query(s, "SELECT sum(value = %zu * 1000 + CAST(substr(name, 3) AS INTEGER) + 0.25)"
				      " FROM metrics WHERE run = %zu",
				   id, id),
			 nm);
}

/* ---- Tests ---- */

static void test_open_errors(void **state)
{
	const char *dir = *state;
	struct store *s = NULL;
	char err[512] = "", path[600];

	assert_int_equal(store_open(dir, false, &s, err, sizeof(err)), -1);
	assert_null(s);
	assert_non_null(strstr(err, "no results store"));

	/* Some other SQLite database in its place is not taken for a store. */
	sqlite3 *db;
	snprintf(path, sizeof(path), "%s/%s", dir, STORE_FILE);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(dir, false, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a vmsweep results store"));
	remove(path);

	/* A newer schema is refused, not misread. */
	s = open_ok(dir, true);
	assert_int_equal(sqlite3_exec(store_db(s), "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	store_close(s);
	assert_int_equal(store_open(dir, false, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "version 99"));
}

/* A version 2 store (made before 'skipped' runs) is brought up to date when opened: its
 * runs, metrics and references kept, 'skipped' then accepted, and unskip makes the
 * skipped runs planned again. */
static void test_migration_to_skipped(void **state)
{
	const char *dir = *state;
	char path[4096], err[512] = "";
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/results.sqlite", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(db,
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
			     "CREATE TABLE metrics(run INTEGER NOT NULL REFERENCES runs(id), name TEXT NOT NULL, value REAL,"
			     " PRIMARY KEY(run, name));"
			     "CREATE TABLE histograms(run INTEGER NOT NULL REFERENCES runs(id), name TEXT NOT NULL,"
			     " nr_buckets INTEGER NOT NULL, counts BLOB NOT NULL CHECK(length(counts) = 8 * nr_buckets),"
			     " PRIMARY KEY(run, name));"
			     "CREATE TABLE timeseries(run INTEGER NOT NULL REFERENCES runs(id), series TEXT NOT NULL,"
			     " t_ns INTEGER NOT NULL, value REAL);"
			     "CREATE TABLE console(run INTEGER PRIMARY KEY REFERENCES runs(id), text TEXT NOT NULL);"
			     "CREATE TABLE run_inputs(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);"
			     "ALTER TABLE runs ADD COLUMN inputs INTEGER REFERENCES run_inputs(id);"
			     "INSERT INTO manifest VALUES('created', '2026-01-01T00:00:00Z');"
			     "INSERT INTO points VALUES(0);"
			     "INSERT INTO run_inputs VALUES(1, 'vcpus=1');"
			     "INSERT INTO runs(id, point, rep, seed, status, inputs) VALUES(0, 0, 0, 11, 'done', 1),"
			     " (1, 0, 1, 12, 'planned', NULL), (2, 0, 2, 13, 'planned', NULL);"
			     "INSERT INTO metrics VALUES(0, 'write.iops', 1000);"
			     "PRAGMA user_version = 2;",
			     NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);

	struct store *s = open_ok(dir, false);
	assert_int_equal(store_query(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(store_query(s, "PRAGMA foreign_keys"), 1);
	assert_int_equal(store_query(s, "SELECT count(*) FROM runs"), 3);
	assert_int_equal(store_query(s, "SELECT inputs FROM runs WHERE id = 0 AND status = 'done' AND seed = 11"), 1);
	assert_int_equal(store_query(s, "SELECT value FROM metrics m JOIN runs r ON r.id = m.run WHERE r.id = 0"), 1000);
	assert_int_equal(store_query(s, "SELECT count(*) FROM pragma_index_list('runs') WHERE name = 'runs_point'"), 1);
	struct store_run r = { .status = STORE_SKIPPED };
	snprintf(r.cause, sizeof(r.cause), "not needed");
	assert_int_equal(store_run_record(s, 1, &r, err, sizeof(err)), 0);
	assert_int_equal(store_query(s, "SELECT count(*) FROM runs WHERE status = 'skipped' AND cause = 'not needed'"), 1);
	size_t *pending = NULL, n = 0;
	assert_int_equal(store_runs_pending(s, &pending, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	free(pending);
	assert_int_equal(store_runs_unskip(s, err, sizeof(err)), 0);
	assert_int_equal(store_runs_pending(s, &pending, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	free(pending);
	assert_int_equal(store_query(s, "SELECT count(*) FROM runs WHERE cause IS NOT NULL"), 0);
	integrity_ok(s);
	store_close(s);
}

static void test_plan_record_resume(void **state)
{
	const char *dir = *state;
	char err[512] = "", *v = NULL;
	struct store *s = open_ok(dir, true);

	assert_int_equal(store_query(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(store_query(s, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
	assert_int_equal(store_query(s, "PRAGMA foreign_keys"), 1);
	assert_int_equal(store_manifest_set(s, "config", "[sweep]\nname = t\n", err, sizeof(err)), 0);
	assert_int_equal(store_manifest_host(s, err, sizeof(err)), 0);
	assert_int_equal(store_manifest_get(s, "created", &v, err, sizeof(err)), 0);
	assert_non_null(v);
	assert_int_equal(strlen(v), strlen("2024-01-01T00:00:00Z"));
	free(v);
	assert_int_equal(store_manifest_get(s, "nonesuch", &v, err, sizeof(err)), 0);
	assert_null(v);

	write_plan(s);
	for (size_t id = 0; id < 7; id++)
		record_ok(s, id);
	integrity_ok(s);
	store_close(s);

	/* Resumed: the same plan is accepted, and what is left is exactly the rest. */
	s = open_ok(dir, false);
	write_plan(s);
	assert_int_equal(store_manifest_get(s, "config", &v, err, sizeof(err)), 0);
	assert_string_equal(v, "[sweep]\nname = t\n");
	free(v);
	size_t *pending = NULL, n = 0;
	assert_int_equal(store_runs_pending(s, &pending, &n, err, sizeof(err)), 0);
	assert_int_equal(n, NR_RUNS - 7);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pending[i], 7 + i);
	free(pending);
	for (size_t id = 0; id < NR_RUNS; id++)
		check_run(s, id);
	assert_int_equal((uint64_t)store_query(s, "SELECT seed FROM runs WHERE id = 17"), plan_runs[17].seed);
	assert_int_equal(store_query(s, "SELECT count(*) FROM console c JOIN runs r ON r.id = c.run"
				      " WHERE r.status = 'failed' AND r.cause LIKE 'timeout: %%'"),
			 1);

	/* Another plan is refused, and says where it differs. */
	const char *other_names[NR_PARAMS] = { "dirty_ratio", "memory_size" };
	assert_int_equal(plan_write(s, NR_PARAMS, other_names, NR_POINTS, plan_values, NR_RUNS, plan_runs, err,
					  sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "another plan"));
	assert_non_null(strstr(err, "memory_size"));
	plan_values[3] += 1;
	assert_int_equal(plan_write(s, NR_PARAMS, param_names, NR_POINTS, plan_values, NR_RUNS, plan_runs, err,
					  sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "holds point 1 (dirty_ratio=20, memory_mb=256), which this config does not plan"));
	plan_values[3] -= 1;
	plan_runs[5].seed++;
	assert_int_equal(plan_write(s, NR_PARAMS, param_names, NR_POINTS, plan_values, NR_RUNS, plan_runs, err,
					  sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "holds run 5"));
	assert_non_null(strstr(err, "seed changed"));
	plan_runs[5].seed--;
	assert_int_equal(plan_write(s, NR_PARAMS, param_names, NR_POINTS, plan_values, NR_RUNS - 1, plan_runs,
					  err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "holds run 17 (dirty_ratio=30, memory_mb=512, repetition 3), which this config"
				    " does not plan"));
	assert_int_equal(store_query(s, "SELECT count(*) FROM runs"), NR_RUNS);

	/* Recording twice, or a run not in the plan: refused, nothing changes. */
	struct store_run r;
	make_run(3, &r);
	r.nr_metrics = 1;
	assert_int_equal(store_run_record(s, 3, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "already recorded"));
	assert_int_equal(store_run_record(s, NR_RUNS + 5, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no run"));
	/* A duplicate metric aborts the whole run: it stays planned, with nothing. */
	snprintf(r.metrics[0].name, sizeof(r.metrics[0].name), "m.1");
	r.nr_metrics = 3;
	assert_int_equal(store_run_record(s, 8, &r, err, sizeof(err)), -1);
	store_run_free(&r);
	check_run(s, 3);
	check_run(s, 8);
	assert_int_equal(store_query(s, "SELECT status = 'planned' FROM runs WHERE id = 8"), 1);
	integrity_ok(s);
	store_close(s);
}

static void test_hist_round_trip_and_merge(void **state)
{
	char err[512] = "";
	struct store *s = open_ok(*state, true);
	uint64_t got[VMS_HIST_NR], want[VMS_HIST_NR] = { 0 };
	size_t nr = 0;

	write_plan(s);
	for (size_t id = 0; id < NR_RUNS; id++)
		record_ok(s, id);
	for (size_t id = 0; id < NR_RUNS; id++) {
		assert_int_equal(store_hist_get(s, id, "lat_ns", got, err, sizeof(err)), 1);
		for (unsigned i = 0; i < VMS_HIST_NR; i++)
			if (got[i] != count_at(id, i))
				fail_msg("run %zu bucket %u: %llu, recorded %llu", id, i, (unsigned long long)got[i],
					 (unsigned long long)count_at(id, i));
	}
	assert_int_equal(store_hist_get(s, 0, "nonesuch", got, err, sizeof(err)), 0);

	/* Point 1's done repetitions, added bucket by bucket. */
	size_t done = 0;
	for (size_t id = 0; id < NR_RUNS; id++)
		if (plan_runs[id].point == 1 && !expect_failed(id)) {
			for (unsigned i = 0; i < VMS_HIST_NR; i++)
				want[i] += count_at(id, i);
			done++;
		}
	assert_true(done >= 1);
	assert_int_equal(store_hist_merge_point(s, 1, "lat_ns", got, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, done);
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(hist_percentile64(got, VMS_HIST_NR, 99), hist_percentile64(want, VMS_HIST_NR, 99));
	store_close(s);
}

/* Splits one CSV line (RFC 4180 quoting) and returns the number of fields. */
static size_t csv_split(const char *line, char fields[][128], size_t max)
{
	size_t n = 0, len = 0;
	bool quoted = false;
	for (const char *p = line;; p++) {
		if (quoted && *p == '"' && p[1] == '"') {
			p++;
		} else if (*p == '"') {
			quoted = !quoted;
			continue;
		} else if ((!quoted && *p == ',') || !*p || (!quoted && *p == '\n')) {
			if (n < max)
				fields[n][len < 127 ? len : 127] = 0;
			n++;
			len = 0;
			if (*p != ',')
				return n;
			continue;
		}
		if (n < max && len < 127)
			fields[n][len] = *p;
		len++;
	}
}

static void test_export(void **state)
{
	char err[512] = "", path[600], line[8192];
	static char fields[64][128];
	struct store *s = open_ok(*state, true);

	write_plan(s);
	/* Runs 0..9 recorded (run 9 with an odd metric name), 10.. still planned. */
	for (size_t id = 0; id < 9; id++)
		record_ok(s, id);
	struct store_run r;
	make_run(9, &r);
	assert_int_equal(store_run_metric(&r, "fio.job,\"1\".read.iops", 1234.5), 0);
	assert_int_equal(store_run_record(s, 9, &r, err, sizeof(err)), 0);
	store_run_free(&r);
	size_t nr_metrics = 7 + 1; /* m.0 .. m.6, and the odd one */
	/* run, point, rep, status; the parameters; seed .. cause; the metrics */
	size_t nr_cols = 4 + NR_PARAMS + 6 + nr_metrics, m0 = 4 + NR_PARAMS + 6;

	snprintf(path, sizeof(path), "%s/export.csv", (char *)*state);
	FILE *f = fopen(path, "w+");
	assert_non_null(f);
	assert_int_equal(store_export(s, "csv", f, err, sizeof(err)), 0);
	rewind(f);
	size_t rows = 0;
	assert_non_null(fgets(line, sizeof(line), f));
	assert_int_equal(csv_split(line, fields, 64), nr_cols);
	assert_string_equal(fields[0], "run");
	assert_string_equal(fields[3], "status");
	assert_string_equal(fields[4], "dirty_ratio");
	assert_string_equal(fields[5], "memory_mb");
	assert_string_equal(fields[6], "seed");
	assert_string_equal(fields[11], "cause");
	assert_string_equal(fields[m0], "m.0");
	assert_string_equal(fields[nr_cols - 1], "fio.job,\"1\".read.iops");
	while (fgets(line, sizeof(line), f)) {
		assert_int_equal(csv_split(line, fields, 64), nr_cols);
		size_t id = (size_t)atoi(fields[0]);
		assert_int_equal(id, rows);
		assert_int_equal(atoi(fields[1]), plan_runs[id].point);
		assert_int_equal(atoi(fields[4]), plan_values[plan_runs[id].point * NR_PARAMS]);
		/* The unsigned seed, though above 2^63 and kept in SQLite's int64. */
		assert_true(strtoull(fields[6], NULL, 10) == plan_runs[id].seed);
		if (id < 10) {
			assert_string_equal(fields[3], expect_failed(id) ? "failed" : "done");
			assert_true(strtod(fields[m0], NULL) == metric_value(id, 0));
			if (expect_metrics(id) < 7) /* a metric it does not have */
				assert_int_equal(fields[m0 + expect_metrics(id)][0], 0);
		} else {
			assert_string_equal(fields[3], "planned");
			assert_int_equal(fields[m0][0], 0);
			assert_int_equal(fields[7][0], 0); /* no wall time */
		}
		rows++;
	}
	assert_int_equal(rows, NR_RUNS);
	fclose(f);

	snprintf(path, sizeof(path), "%s/export.json", (char *)*state);
	f = fopen(path, "w+");
	assert_non_null(f);
	assert_int_equal(store_export(s, "json", f, err, sizeof(err)), 0);
	rewind(f);
	json_error_t jerr;
	json_t *doc = json_loadf(f, 0, &jerr);
	if (!doc)
		fail_msg("export.json: %s at line %d", jerr.text, jerr.line);
	assert_true(json_is_array(doc));
	assert_int_equal(json_array_size(doc), NR_RUNS);
	for (size_t id = 0; id < NR_RUNS; id++) {
		json_t *o = json_array_get(doc, id);
		size_t have = id < 9 ? expect_metrics(id) : id == 9 ? expect_metrics(9) + 1 : 0;
		/* seed always; wall_ms, started, ended, exit_status once recorded; cause when failed */
		size_t run_cols = 1 + (id < 10 ? 4 : 0) + (id < 10 && expect_failed(id));
		assert_int_equal(json_object_size(o), 4 + NR_PARAMS + run_cols + have);
		assert_int_equal(json_integer_value(json_object_get(o, "run")), id);
		/* A string of digits: a JSON number this large is not read back exactly everywhere. */
		char seed[24];
		snprintf(seed, sizeof(seed), "%llu", (unsigned long long)plan_runs[id].seed);
		assert_string_equal(json_string_value(json_object_get(o, "seed")), seed);
		assert_int_equal(json_integer_value(json_object_get(o, "memory_mb")),
				 plan_values[plan_runs[id].point * NR_PARAMS + 1]);
		if (id < 10)
			assert_true(json_number_value(json_object_get(o, "m.1")) == metric_value(id, 1));
	}
	assert_true(json_real_value(json_object_get(json_array_get(doc, 9), "fio.job,\"1\".read.iops")) == 1234.5);
	json_decref(doc);
	fclose(f);

	assert_int_equal(store_export(s, "xml", stdout, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown format"));
	integrity_ok(s);
	store_close(s);
}

/* A synthetic guest run with every kind of record. */
static struct vm_result *fake_result(struct vms_workload **wlp)
{
	struct vm_result *res = calloc(1, sizeof(*res));
	struct vms_workload *wl = calloc(1, sizeof(*wl) + 4 * sizeof(wl->jobs[0]));
	assert_non_null(res);
	assert_non_null(wl);

	res->status = VM_DONE;
	res->t_created_us = 100;
	res->t_first_insn_us = 200;
	res->t_main_us = 300;
	res->t_workload_us = 400;
	res->t_done_us = 4000;
	res->t_end_us = 5000;
	res->tsc_khz = 1000000; /* 1 GHz: a tick is a nanosecond */
	res->have_boot = true;
	res->boot.tsc_first = 1000;
	res->nr_cpu_recs = 2;
	res->cpus[0] = (struct vms_rec_cpu){ .cpu = 0, .nr_switches = 10, .busy_ns = 300, .idle_ns = 700 };
	res->cpus[1] = (struct vms_rec_cpu){ .cpu = 1, .nr_switches = 20, .busy_ns = 700, .idle_ns = 300 };
	res->have_wakeup = true;
	res->wakeup = (struct vms_rec_hist){ .id = VMS_HIST_WAKEUP, .nr_buckets = VMS_HIST_NR, .samples = 4,
					     .min_ns = 500, .max_ns = 2000, .sum_ns = 4300 };
	static const uint64_t lat[] = { 500, 800, 1000, 2000 };
	for (size_t i = 0; i < 4; i++)
		res->wakeup_buckets[vms_hist_index(lat[i])]++;
	res->nr_disks = 1;
	snprintf(res->disks[0].name, sizeof(res->disks[0].name), "vda");
	res->disks[0].reads = 7;

	/* "grp" and "grp2" report as one group named "grp"; "rand" is two clones. */
	wl->magic = VMS_WL_MAGIC;
	wl->version = VMS_WL_VERSION;
	wl->nr_jobs = 4;
	wl->jobs[0] = (struct vms_job){ .name = "grp", .rw = VMS_RW_READ, .flags = VMS_JOB_GROUP_REPORTING, .group = 0 };
	wl->jobs[1] = (struct vms_job){ .name = "grp2", .rw = VMS_RW_WRITE, .flags = VMS_JOB_GROUP_REPORTING, .group = 0 };
	wl->jobs[2] = (struct vms_job){ .name = "rand", .rw = VMS_RW_RANDREAD, .group = 1 };
	wl->jobs[3] = (struct vms_job){ .name = "rand", .rw = VMS_RW_RANDREAD, .group = 2, .clone = 1 };
	fio_records_get(res)->nr_jobs = 4;
	assert_non_null(fio_records_get(res)->jobs = calloc(4, sizeof(*fio_records_get(res)->jobs)));
	struct vms_rec_fio_job *j = fio_records_get(res)->jobs;
	for (unsigned k = 0; k < 4; k++)
		j[k] = (struct vms_rec_fio_job){ .job = k, .start_ns = 1000, .end_ns = 2000000000 };
	j[0].dir[0] = (struct vms_fio_dir){ .ios = 100, .io_bytes = 409600, .runtime_ns = 1000000000,
					    .clat_sum_ns = 100000, .clat_max_ns = 1000 };
	j[0].dir[0].clat_buckets[vms_hist_index(1000)] = 100;
	j[1].dir[1] = (struct vms_fio_dir){ .ios = 50, .io_bytes = 204800, .runtime_ns = 500000000,
					    .clat_sum_ns = 500000, .clat_max_ns = 10000 };
	j[1].dir[1].clat_buckets[vms_hist_index(10000)] = 50;
	j[2].dir[0] = (struct vms_fio_dir){ .ios = 10, .io_bytes = 40960, .runtime_ns = 1000000000 };
	j[2].dir[0].clat_buckets[vms_hist_index(300)] = 10;
	j[3].dir[0] = (struct vms_fio_dir){ .ios = 30, .io_bytes = 122880, .runtime_ns = 2000000000 };
	j[3].dir[0].clat_buckets[vms_hist_index(300)] = 30;

	res->nr_samples = 4;
	assert_non_null(res->samples = calloc(4, sizeof(*res->samples)));
	for (unsigned i = 0; i < 4; i++)
		res->samples[i] = (struct vms_rec_sample){ .tsc = 1000 + (i / 2) * 1000000ull, .cpu = i % 2,
							   .nr_running = i, .nr_switches = 5 * i };
	*wlp = wl;
	return res;
}

static void test_from_vm_result(void **state)
{
	struct vms_workload *wl;
	struct vm_result *res = fake_result(&wl);
	struct store_run r;
	char err[512] = "";

	assert_int_equal(store_run_from_vm_result(res, wl, &r), 0);
	assert_int_equal(r.status, STORE_DONE);
	assert_string_equal(r.cause, "");
	assert_null(r.console);
	assert_true(run_metric_is(&r, "boot_us.done") == 4000);
	assert_true(run_metric_is(&r, "boot_us.first_insn") == 200);
	assert_true(run_metric_is(&r, "cpu.switches") == 30);
	assert_true(run_metric_is(&r, "cpu.idle_pct") == 50);
	assert_true(run_metric_is(&r, "wakeup_ns.mean") == 1075);
	assert_true(run_metric_is(&r, "wakeup_ns.p50") == (double)vms_hist_value(vms_hist_index(800)));
	assert_true(run_metric_is(&r, "wakeup_ns.p999") == (double)vms_hist_value(vms_hist_index(2000)));
	assert_true(run_metric_is(&r, "fio.grp.read.iops") == 100);
	assert_true(run_metric_is(&r, "fio.grp.read.bw_bytes") == 409600);
	assert_true(run_metric_is(&r, "fio.grp.read.clat_p99_ns") == (double)vms_hist_value(vms_hist_index(1000)));
	assert_true(run_metric_is(&r, "fio.grp.write.iops") == 100);
	assert_true(run_metric_is(&r, "fio.grp.write.clat_p50_ns") == (double)vms_hist_value(vms_hist_index(10000)));
	assert_true(run_metric_is(&r, "fio.rand.read.ios") == 40);
	assert_true(run_metric_is(&r, "fio.rand.read.iops") == 20); /* 40 I/Os over the longest clone's 2 s */
	assert_null(run_metric(&r, "fio.grp2.write.iops"));
	assert_null(run_metric(&r, "fio.rand.write.iops"));
	assert_true(run_metric_is(&r, "disk.vda.reads") == 7);
	/* Every name once. */
	for (size_t i = 0; i < r.nr_metrics; i++)
		for (size_t k = i + 1; k < r.nr_metrics; k++)
			if (!strcmp(r.metrics[i].name, r.metrics[k].name))
				fail_msg("metric %s twice", r.metrics[i].name);
	assert_int_equal(r.nr_hists, 4); /* wakeup_ns, grp read and write, rand read */
	assert_string_equal(r.hists[3].name, "fio.rand.read.clat_ns");
	assert_int_equal(r.hists[3].counts[vms_hist_index(300)], 40);
	assert_int_equal(r.nr_series, 6);
	assert_string_equal(r.series[0].name, "cpu.0.nr_running");
	assert_int_equal(r.series[0].n, 2);
	assert_int_equal(r.series[0].v[1].t_ns, 1000000);

	/* Into a store and back. */
	struct store *s = open_ok(*state, true);
	write_plan(s);
	assert_int_equal(store_run_record(s, 0, &r, err, sizeof(err)), 0);
	uint64_t counts[VMS_HIST_NR];
	assert_int_equal(store_hist_get(s, 0, "fio.grp.write.clat_ns", counts, err, sizeof(err)), 1);
	assert_int_equal(counts[vms_hist_index(10000)], 50);
	assert_int_equal(store_query(s, "SELECT count(*) FROM timeseries WHERE run = 0"), 12);
	store_run_free(&r);

	/* A failed run: its cause, and its console with the VMM's detail. */
	res->status = VM_TIMEOUT;
	snprintf(res->reason, sizeof(res->reason), "no progress for 10 s");
	snprintf(res->detail, sizeof(res->detail), "vCPU 0 was at idle+0x10\n");
	assert_non_null(res->console = strdup("booting\n"));
	res->console_len = strlen(res->console);
	assert_int_equal(store_run_from_vm_result(res, wl, &r), 0);
	assert_int_equal(r.status, STORE_FAILED);
	assert_string_equal(r.cause, "timeout: no progress for 10 s");
	assert_int_equal(r.exit_status, vm_status_exit_code(VM_TIMEOUT));
	assert_non_null(strstr(r.console, "booting\n"));
	assert_non_null(strstr(r.console, "vCPU 0 was at idle"));
	assert_int_equal(store_run_record(s, 1, &r, err, sizeof(err)), 0);
	assert_int_equal(store_query(s, "SELECT length(text) FROM console WHERE run = 1"), r.console_len);
	store_run_free(&r);
	integrity_ok(s);
	store_close(s);

	res->status = VM_DONE;
	free(res->console);
	res->console = NULL;
	/* The built-in workload (no job file): no fio metrics. */
	assert_int_equal(store_run_from_vm_result(res, NULL, &r), 0);
	for (size_t i = 0; i < r.nr_metrics; i++)
		assert_true(strncmp(r.metrics[i].name, "fio.", 4));
	store_run_free(&r);
	record_families_free(res);
	free(res->samples);
	free(res);
	free(wl);
}

/* A run of the memory manager: vmstat at the end, two zones, vmstat samples, a
 * memory job of two clones (job 0, 1) beside an fio job that has no record (job 2). */
static struct vm_result *fake_mm_result(struct vms_workload **wlp)
{
	struct vm_result *res = calloc(1, sizeof(*res));
	struct vms_workload *wl = calloc(1, sizeof(*wl) + 3 * sizeof(wl->jobs[0]));
	assert_non_null(res);
	assert_non_null(wl);
	res->status = VM_DONE;
	res->tsc_khz = 1000000; /* 1 GHz */
	res->have_boot = true;
	res->boot.tsc_first = 1000;

	mm_records_get(res)->have_vmstat = true;
	struct vms_rec_vmstat *v = &mm_records_get(res)->vmstat;
	v->min_free_kbytes = 1024;
	v->watermark_model = VMS_WMARK_2_6_10;
	v->swappiness = 60;
	v->nr_zones = 2;
	memcpy(v->zones[0].name, "DMA", 3);
	v->zones[0].wmark_min = 3;
	v->zones[0].min_free_seen = 40;
	memcpy(v->zones[1].name, "Normal", 6);
	v->zones[1] = (struct vms_zone_info){ .name = "Normal", .managed_pages = 30000, .wmark_min = 253,
					      .wmark_low = 316, .wmark_high = 379, .nr_free = 900, .min_free_seen = 200,
					      .deferred_pages = 512 };
	v->counters[VMS_VM_allocstall] = 7;
	v->counters[VMS_VM_pgscan_kswapd] = 4096;
	v->counters[VMS_VM_oom_kill] = 0;

	mm_records_get(res)->nr_vmstat_samples = 3;
	assert_non_null(mm_records_get(res)->vmstat_samples = calloc(3, sizeof(*mm_records_get(res)->vmstat_samples)));
	for (unsigned i = 0; i < 3; i++) {
		struct vms_rec_vmstat_sample *sm = &mm_records_get(res)->vmstat_samples[i];
		sm->tsc = 1000 + i * 10000000ull; /* every 10 ms */
		sm->wmark_min = 256;
		sm->wmark_low = 320;
		sm->wmark_high = 384;
		sm->in_direct_reclaim = i == 2;
		sm->counters[VMS_VM_nr_free_pages] = 5000 - 2000 * i;
		sm->counters[VMS_VM_allocstall] = 3 * i;
	}

	wl->magic = VMS_WL_MAGIC;
	wl->version = VMS_WL_VERSION;
	wl->nr_jobs = 3;
	wl->jobs[0] = (struct vms_job){ .name = "hog", .ioengine = VMS_IOENGINE_MEM, .mem_access = VMS_MEM_RANDOM };
	wl->jobs[1] = (struct vms_job){ .name = "hog", .ioengine = VMS_IOENGINE_MEM, .mem_access = VMS_MEM_RANDOM,
					.group = 1, .clone = 1 };
	wl->jobs[2] = (struct vms_job){ .name = "disk", .rw = VMS_RW_READ, .group = 2 };
	mm_records_get(res)->nr_mem_jobs = 2;
	assert_non_null(mm_records_get(res)->mem_jobs = calloc(3, sizeof(*mm_records_get(res)->mem_jobs)));
	mm_records_get(res)->mem_jobs[2].job = UINT32_MAX;
	for (unsigned k = 0; k < 2; k++) {
		struct vms_rec_mem_job *j = &mm_records_get(res)->mem_jobs[k];
		j->job = k;
		j->start_ns = 1000;
		j->end_ns = 1000 + (k + 1) * 1000000000ull; /* 1 s and 2 s */
		j->pages_allocated = 1000;
		j->accesses = 3000;
		j->swapins = 10 * (k + 1);
		j->rss_max = 500;
		struct vms_mem_lat_hist *h = &j->lat[VMS_MEM_ALLOC_FAST];
		h->samples = 1000;
		h->sum_ns = 1000 * 400;
		h->max_ns = 900;
		h->buckets[vms_hist_index(400)] = 1000;
		h = &j->lat[VMS_MEM_ACCESS_SWAPIN];
		h->samples = j->swapins;
		h->sum_ns = j->swapins * 100000;
		h->max_ns = 300000;
		h->buckets[vms_hist_index(100000)] = (uint32_t)j->swapins - 1;
		h->buckets[vms_hist_index(300000)] = 1;
	}
	*wlp = wl;
	return res;
}

static void fake_mm_free(struct vm_result *res, struct vms_workload *wl)
{
	vm_result_free(res);
	record_families_free(res);
	free(res);
	free(wl);
}

static const struct store_series *series_named(const struct store_run *r, const char *name)
{
	for (size_t i = 0; i < r->nr_series; i++)
		if (!strcmp(r->series[i].name, name))
			return &r->series[i];
	fail_msg("no series %s", name);
	return NULL;
}

/* workers.spread_ms: a CPU counts from 3 samples in a row with a task; a kernel thread
 * passing through one sample does not; a CPU that never gets there leaves it NaN. */
static void test_workers_spread(void **state)
{
	(void)state;
	struct vm_result *res = calloc(1, sizeof(*res));
	struct store_run r;
	assert_non_null(res);
	res->status = VM_DONE;
	res->tsc_khz = 1000; /* 1 MHz: a tick is a microsecond */
	res->have_boot = true;
	res->boot.tsc_workload = 10000;
	res->nr_vcpus = 2;
	res->nr_workers = 2; /* unpinned */
	/* a sample a millisecond from the workload's start; CPU 1: 1 at 1 ms (a kernel
	 * thread), 0 at 2-4 ms, then 1 from 5 ms on */
	static const unsigned cpu1[] = { 0, 1, 0, 0, 0, 1, 1, 1, 1 };
	unsigned n = 0;
	assert_non_null(res->samples = calloc(2 * 9, sizeof(*res->samples)));
	for (unsigned ms = 0; ms < 9; ms++) {
		res->samples[n++] = (struct vms_rec_sample){ .tsc = 10000 + 1000ull * ms, .cpu = 0, .nr_running = 2 };
		res->samples[n++] = (struct vms_rec_sample){ .tsc = 10000 + 1000ull * ms, .cpu = 1, .nr_running = cpu1[ms] };
	}
	res->nr_samples = n;
	assert_int_equal(store_run_from_vm_result(res, NULL, &r), 0);
	assert_true(run_metric_is(&r, "workers.spread_ms") == 5);
	store_run_free(&r);
	res->samples[2 * 7 + 1].nr_running = 0; /* 5-6 ms, then 8 ms: never 3 in a row */
	assert_int_equal(store_run_from_vm_result(res, NULL, &r), 0);
	const struct store_metric *m = run_metric(&r, "workers.spread_ms");
	assert_true(!m || isnan(m->value));
	store_run_free(&r);
	res->workers[0].pinned = 1; /* pinned tasks: not the balancer's */
	assert_int_equal(store_run_from_vm_result(res, NULL, &r), 0);
	assert_null(run_metric(&r, "workers.spread_ms"));
	store_run_free(&r);
	free(res->samples);
	res->samples = NULL;
	vm_result_free(res);
	free(res);
}

static void test_from_vm_result_memory_manager(void **state)
{
	struct vms_workload *wl;
	struct vm_result *res = fake_mm_result(&wl);
	struct store_run r;
	char err[512] = "";

	assert_int_equal(store_run_from_vm_result(res, wl, &r), 0);
	assert_true(run_metric_is(&r, "vmstat.allocstall") == 7);
	assert_true(run_metric_is(&r, "vmstat.pgscan_kswapd") == 4096);
	assert_true(run_metric_is(&r, "vmstat.oom_kill") == 0); /* every counter, zero or not */
	assert_true(run_metric_is(&r, "vmstat.kswapd_high_wmark_hit_quickly") == 0);
	assert_true(run_metric_is(&r, "mm.min_free_kbytes") == 1024);
	assert_true(run_metric_is(&r, "mm.watermark_model") == VMS_WMARK_2_6_10);
	assert_true(run_metric_is(&r, "zone.Normal.wmark_min") == 253);
	assert_true(run_metric_is(&r, "zone.Normal.wmark_low") == 316);
	assert_true(run_metric_is(&r, "zone.Normal.wmark_high") == 379);
	assert_true(run_metric_is(&r, "zone.Normal.min_free_seen") == 200);
	assert_true(run_metric_is(&r, "zone.DMA.min_free_seen") == 40);
	assert_true(run_metric_is(&r, "zone.Normal.deferred_pages") == 512);
	/* Two clones of one section: one entry, counts added, the longest runtime. */
	assert_true(run_metric_is(&r, "mem.hog.pages_allocated") == 2000);
	assert_true(run_metric_is(&r, "mem.hog.swapins") == 30);
	assert_true(run_metric_is(&r, "mem.hog.runtime_ns") == 2e9);
	assert_true(run_metric_is(&r, "mem.hog.accesses_per_s") == 3000);
	assert_true(run_metric_is(&r, "mem.hog.error") == 0);
	assert_true(run_metric_is(&r, "mem.hog.fast_ns.samples") == 2000);
	assert_true(run_metric_is(&r, "mem.hog.fast_ns.mean") == 400);
	assert_true(run_metric_is(&r, "mem.hog.fast_ns.p50") == (double)vms_hist_value(vms_hist_index(400)));
	assert_true(run_metric_is(&r, "mem.hog.swapin_ns.samples") == 30);
	assert_true(run_metric_is(&r, "mem.hog.swapin_ns.p50") == (double)vms_hist_value(vms_hist_index(100000)));
	/* 28 of 30 at 100 us, 2 at 300 us: p99 is in the 300 us bucket. */
	assert_true(run_metric_is(&r, "mem.hog.swapin_ns.p99") == (double)vms_hist_value(vms_hist_index(300000)));
	assert_true(run_metric_is(&r, "mem.hog.swapin_ns.max") == 300000);
	assert_true(run_metric_is(&r, "mem.hog.direct_ns.samples") == 0);
	assert_null(run_metric(&r, "mem.hog.direct_ns.p99")); /* no sample, no percentile */
	assert_null(run_metric(&r, "mem.disk.error"));
	assert_null(run_metric(&r, "fio.disk.error")); /* its record never came */
	for (size_t i = 0; i < r.nr_metrics; i++)
		for (size_t k = i + 1; k < r.nr_metrics; k++)
			if (!strcmp(r.metrics[i].name, r.metrics[k].name))
				fail_msg("metric %s twice", r.metrics[i].name);
	/* Histograms: only the classes with samples, merged over the clones. */
	assert_int_equal(r.nr_hists, 2);
	assert_string_equal(r.hists[0].name, "mem.hog.fast_ns");
	assert_string_equal(r.hists[1].name, "mem.hog.swapin_ns");
	assert_int_equal(r.hists[1].counts[vms_hist_index(100000)], 28);
	/* The time series: free pages against the watermarks, and the rest. */
	assert_int_equal(r.nr_series, 22);
	const struct store_series *ts = series_named(&r, "nr_free_pages");
	assert_int_equal(ts->n, 3);
	assert_int_equal(ts->v[2].t_ns, 20000000);
	assert_true(ts->v[2].value == 1000);
	assert_true(series_named(&r, "wmark_min")->v[1].value == 256);
	assert_true(series_named(&r, "wmark_high")->v[0].value == 384);
	assert_true(series_named(&r, "allocstall")->v[2].value == 6);
	assert_true(series_named(&r, "in_direct_reclaim")->v[2].value == 1);
	static const char *const names[] = { "wmark_low",	 "nr_active_anon", "nr_inactive_anon", "nr_active_file",
					     "nr_inactive_file", "pgscan_kswapd",  "pgscan_direct",    "pgsteal_kswapd",
					     "pgsteal_direct",	 "pswpin",	   "pswpout",	       "kswapd_running",
					     "nr_file_pages",	 "nr_dirty",	   "nr_writeback",     "pgpgin",
					     "pgpgout" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_int_equal(series_named(&r, names[i])->n, 3);

	/* Into a store and back. */
	struct store *s = open_ok(*state, true);
	write_plan(s);
	assert_int_equal(store_run_record(s, 0, &r, err, sizeof(err)), 0);
	assert_int_equal(store_query(s, "SELECT value FROM metrics WHERE run = 0 AND name = 'vmstat.allocstall'"), 7);
	assert_int_equal(store_query(s, "SELECT value FROM metrics WHERE run = 0 AND name = 'zone.Normal.wmark_high'"),
			 379);
	assert_int_equal(store_query(s, "SELECT count(*) FROM timeseries WHERE run = 0"), 22 * 3);
	assert_int_equal(store_query(s, "SELECT value FROM timeseries WHERE run = 0 AND series = 'nr_free_pages'"
				      " AND t_ns = 10000000"),
			 3000);
	uint64_t counts[VMS_HIST_NR];
	assert_int_equal(store_hist_get(s, 0, "mem.hog.swapin_ns", counts, err, sizeof(err)), 1);
	assert_int_equal(counts[vms_hist_index(300000)], 2);
	assert_int_equal(store_hist_get(s, 0, "mem.hog.direct_ns", counts, err, sizeof(err)), 0);
	store_run_free(&r);
	/* A repetition: the point's merged histogram adds both runs' counts. */
	assert_int_equal(store_run_from_vm_result(res, wl, &r), 0);
	size_t other = 0;
	while (plan_runs[other].point != plan_runs[0].point || other == 0)
		other++;
	assert_int_equal(store_run_record(s, other, &r, err, sizeof(err)), 0);
	store_run_free(&r);
	size_t runs = 0;
	assert_int_equal(store_hist_merge_point(s, plan_runs[0].point, "mem.hog.swapin_ns", counts, &runs, err,
						sizeof(err)),
			 0);
	assert_int_equal(runs, 2);
	assert_int_equal(counts[vms_hist_index(100000)], 56);
	integrity_ok(s);
	store_close(s);

	/* A failed run keeps what it measured; a run without the memory manager has none of it. */
	res->status = VM_TIMEOUT;
	assert_int_equal(store_run_from_vm_result(res, wl, &r), 0);
	assert_true(run_metric_is(&r, "vmstat.allocstall") == 7);
	store_run_free(&r);
	res->status = VM_DONE;
	mm_records_get(res)->have_vmstat = false;
	record_families_free(res);
	assert_int_equal(store_run_from_vm_result(res, wl, &r), 0);
	for (size_t i = 0; i < r.nr_metrics; i++)
		if (!strncmp(r.metrics[i].name, "vmstat.", 7) || !strncmp(r.metrics[i].name, "mem.", 4) ||
		    !strncmp(r.metrics[i].name, "zone.", 5))
			fail_msg("metric %s without the memory manager's records", r.metrics[i].name);
	assert_int_equal(r.nr_series, 0);
	store_run_free(&r);
	fake_mm_free(res, wl);
}

/* The names are ones the report's [report] metrics find by their last words. */
static void test_report_finds_the_memory_managers_metrics(void **state)
{
	struct vms_workload *wl;
	struct vm_result *res = fake_mm_result(&wl);
	struct store_run run;
	struct report r;
	bool matched;
	char err[512] = "";

	assert_int_equal(store_run_from_vm_result(res, wl, &run), 0);
	memset(&r, 0, sizeof(r));
	assert_non_null(r.present = calloc(run.nr_metrics, sizeof(*r.present)));
	for (size_t i = 0; i < run.nr_metrics; i++)
		r.present[r.nr_present++] = run.metrics[i].name;
	static const struct {
		const char *asked, *source;
		double scale;
	} cases[] = {
		{ "vmstat.allocstall", "vmstat.allocstall", 1 },
		{ "allocstall", "vmstat.allocstall", 1 },
		{ "pgscan_kswapd", "vmstat.pgscan_kswapd", 1 },
		{ "swapin_p99_us", "mem.hog.swapin_ns.p99", 1e-3 },
		{ "mem.hog.swapin_ns.p99", "mem.hog.swapin_ns.p99", 1 },
		{ "Normal_wmark_min", "zone.Normal.wmark_min", 1 },
		{ "min_free_kbytes", "mm.min_free_kbytes", 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(report_metric_add(&r, cases[i].asked, &matched, err, sizeof(err)), 0);
		if (!matched || r.nr_metrics != 1)
			fail_msg("'%s' matched %zu metrics", cases[i].asked, r.nr_metrics);
		assert_string_equal(r.metrics[0].source, cases[i].source);
		assert_true(fabs(r.metrics[0].scale - cases[i].scale) < 1e-12);
		free(r.metrics[0].label);
		free(r.metrics[0].source);
		free(r.metrics);
		r.metrics = NULL;
		r.nr_metrics = 0;
	}
	free(r.present);
	store_run_free(&run);
	fake_mm_free(res, wl);
}

struct thread_arg {
	struct store *s;
	unsigned which, nr;
	int failed;
};

static void *record_thread(void *p)
{
	struct thread_arg *a = p;
	char err[512];
	for (size_t id = a->which; id < NR_RUNS; id += a->nr) {
		struct store_run r;
		make_run(id, &r);
		a->failed += store_run_record(a->s, id, &r, err, sizeof(err)) != 0;
		store_run_free(&r);
	}
	return NULL;
}

static void test_threads_share_a_store(void **state)
{
	struct store *s = open_ok(*state, true);
	pthread_t t[4];
	struct thread_arg a[4];
	size_t *pending, n;
	char err[512];

	write_plan(s);
	for (unsigned i = 0; i < 4; i++) {
		a[i] = (struct thread_arg){ s, i, 4, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, record_thread, &a[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(a[i].failed, 0);
	}
	assert_int_equal(store_runs_pending(s, &pending, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_null(pending);
	for (size_t id = 0; id < NR_RUNS; id++)
		check_run(s, id);
	integrity_ok(s);
	store_close(s);
}

/* ---- Crash safety ---- */

#define CRASH_POINTS 100
#define CRASH_REPS 100
#define CRASH_RUNS (CRASH_POINTS * CRASH_REPS)
#define CRASH_KILLS 20

static void crash_plan(struct store *s)
{
	static const char *const names[] = { "x" };
	static int64_t values[CRASH_POINTS];
	static struct store_plan_run runs[CRASH_RUNS];
	char err[512] = "";
	for (size_t p = 0; p < CRASH_POINTS; p++)
		values[p] = (int64_t)p;
	for (size_t i = 0; i < CRASH_RUNS; i++)
		runs[i] = (struct store_plan_run){ i % CRASH_POINTS, (unsigned)(i / CRASH_POINTS), i };
	if (plan_write(s, 1, names, CRASH_POINTS, values, CRASH_RUNS, runs, err, sizeof(err)))
		fail_msg("plan: %s", err);
}

/* The child: a resumed sweep that records what is pending until it is killed. */
static void __attribute__((noreturn)) crash_child(const char *dir)
{
	struct store *s = NULL;
	size_t *pending = NULL, n = 0;
	char err[512];
	if (store_open(dir, false, &s, err, sizeof(err)) || store_runs_pending(s, &pending, &n, err, sizeof(err))) {
		fprintf(stderr, "child: %s\n", err);
		_exit(2);
	}
	for (size_t i = 0; i < n; i++) {
		struct store_run r;
		make_run(pending[i], &r);
		/* A longer series makes a bigger transaction, for the kill to land in. */
		for (size_t k = 0; k < 200; k++)
			store_run_sample(&r, "filler", k, (double)k);
		if (store_run_record(s, pending[i], &r, err, sizeof(err))) {
			fprintf(stderr, "child: %s\n", err);
			_exit(2);
		}
		store_run_free(&r);
	}
	_exit(0);
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void test_crash_safety(void **state)
{
	const char *dir = *state;
	char err[1024] = "";
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20), rng = seed | 1;
	size_t recorded_before = 0;
	unsigned progressed = 0;

	struct store *s = open_ok(dir, true);
	crash_plan(s);
	store_close(s);
	print_message("crash safety: seed %llu\n", (unsigned long long)seed);

	for (int k = 0; k < CRASH_KILLS; k++) {
		/* 1..40 ms: some kills land in the open, most in or between transactions. */
		long delay_us = 1000 + (long)(xorshift(&rng) % 39000);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			crash_child(dir);
		struct timespec ts = { 0, delay_us * 1000 };
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (WIFEXITED(status))
			fail_msg("kill %d: the recorder exited with %d before the kill (%ld us)", k, WEXITSTATUS(status),
				 delay_us);
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

		s = open_ok(dir, false);
		if (store_integrity_check(s, err, sizeof(err)))
			fail_msg("kill %d after %ld us: %s", k, delay_us, err);
		size_t recorded = (size_t)store_query(s, "SELECT count(*) FROM runs WHERE status != 'planned'");
		assert_true(recorded >= recorded_before);
		progressed += recorded > recorded_before;
		recorded_before = recorded;
		store_close(s);
	}
	assert_true(progressed >= CRASH_KILLS / 2);
	print_message("crash safety: %zu of %d runs recorded over %d kills, %u of which came after progress\n",
		      recorded_before, CRASH_RUNS, CRASH_KILLS, progressed);

	/* Every run wholly recorded or wholly planned; then the resume finishes them all. */
	s = open_ok(dir, false);
	size_t *pending = NULL, n = 0;
	assert_int_equal(store_runs_pending(s, &pending, &n, err, sizeof(err)), 0);
	assert_int_equal(n, CRASH_RUNS - recorded_before);
	for (size_t id = 0; id < CRASH_RUNS; id++) {
		int64_t nm = store_query(s, "SELECT count(*) FROM metrics WHERE run = %zu", id);
		int64_t planned = store_query(s, "SELECT status = 'planned' FROM runs WHERE id = %zu", id);
		if (planned ? nm != 0 : (size_t)nm != expect_metrics(id))
			fail_msg("run %zu: %s with %lld metrics", id, planned ? "planned" : "recorded", (long long)nm);
	}
	assert_int_equal(store_query(s, "SELECT count(*) FROM timeseries WHERE series = 'filler'"),
			 200 * (int64_t)recorded_before);
	for (size_t i = 0; i < n; i++)
		record_ok(s, pending[i]);
	free(pending);
	assert_int_equal(store_runs_pending(s, &pending, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_query(s, "SELECT count(*) FROM runs WHERE status = 'planned'"), 0);
	int64_t want = 0;
	for (size_t id = 0; id < CRASH_RUNS; id++)
		want += (int64_t)expect_metrics(id);
	assert_int_equal(store_query(s, "SELECT count(*) FROM metrics"), want);
	assert_int_equal(store_query(s, "SELECT count(*) FROM histograms"), CRASH_RUNS);
	for (size_t id = 0; id < CRASH_RUNS; id += 97)
		check_run(s, id);
	integrity_ok(s);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_errors, scratch_dir_setup, scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_plan_record_resume, scratch_dir_setup, scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_migration_to_skipped, scratch_dir_setup, scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_hist_round_trip_and_merge, scratch_dir_setup, scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_export, scratch_dir_setup, scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_from_vm_result, scratch_dir_setup, scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_from_vm_result_memory_manager, scratch_dir_setup, scratch_dir_teardown),
		cmocka_unit_test(test_workers_spread),
		cmocka_unit_test(test_report_finds_the_memory_managers_metrics),
		cmocka_unit_test_setup_teardown(test_threads_share_a_store, scratch_dir_setup, scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_crash_safety, scratch_dir_setup, scratch_dir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
