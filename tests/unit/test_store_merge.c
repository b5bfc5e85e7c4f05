/*
 * Shard stores merged (store/merge.c): every run a shard recorded taken once with all
 * of its results; a re-run adds nothing; a run two shards recorded kept as first merged;
 * a shard of another plan or config refused with nothing changed; the files hook called
 * before the commit, and its failure leaving the merged store as it was.
 */
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "store/store.h"
#include "store/store_internal.h"
#include "store_helpers.h"

#define NR_POINTS 4
#define NR_REPS 3
#define NR_RUNS (NR_POINTS * NR_REPS)
static const char *const names[1] = { "dirty_ratio" };
static const int64_t values[NR_POINTS] = { 5, 10, 20, 40 };
static struct store_plan_run runs[NR_RUNS];

static void manifest(struct store *s, const char *key, const char *value)
{
	char err[256];
	assert_int_equal(store_manifest_set(s, key, value, err, sizeof(err)), 0);
}

/* DIR/NAME: a shard store of the plan, as `run --shard I/2` leaves it. */
static struct store *shard_make(const char *dir, const char *name, unsigned index, const char *host)
{
	char path[512], err[512] = "", text[32];
	struct store *s = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (store_open(path, true, &s, err, sizeof(err)))
		fail_msg("%s", err);
	for (size_t i = 0; i < NR_RUNS; i++)
		runs[i] = (struct store_plan_run){ (i * 3) % NR_POINTS, (unsigned)(i / NR_POINTS), 1000 + i };
	if (plan_write(s, 1, names, NR_POINTS, values, NR_RUNS, runs, err, sizeof(err)))
		fail_msg("%s", err);
	manifest(s, "config", "[sweep]\nname = m\n");
	manifest(s, "seed", "7");
	manifest(s, "harness_build_id", "h1");
	manifest(s, "guest_build_id", "g1");
	manifest(s, "vmsweep_version", "v1");
	manifest(s, "hostname", host);
	manifest(s, "cpu_model", "the same CPU");
	snprintf(text, sizeof(text), "%u/2", index);
	manifest(s, "shard", text);
	manifest(s, "shard.runs", index ? "1,3,5,7,9,11" : "0,2,4,6,8,10");
	return s;
}

/* Run id's results, told apart by tag (which shard recorded it). */
static void record(struct store *s, size_t id, double tag)
{
	struct store_run r = { .status = id % 4 == 3 ? STORE_FAILED : STORE_DONE };
	char err[512] = "", name[32];
	r.started = 1.7e9 + (double)id + tag;
	r.ended = r.started + 1;
	r.wall_ms = 1000;
	r.inputs = id % 2 ? "memory=64M\n" : "memory=128M\n";
	if (r.status == STORE_FAILED) {
		snprintf(r.cause, sizeof(r.cause), "timeout");
		r.console = strdup("panic\n");
		r.console_len = 6;
	}
	for (size_t k = 0; k < 3 + id % 3; k++) {
		snprintf(name, sizeof(name), "m.%zu", k);
		assert_int_equal(store_run_metric(&r, name, (double)id * 10 + (double)k + tag), 0);
	}
	struct store_hist *h = store_run_hist(&r, "lat_ns");
	h->counts[id % VMS_HIST_NR] = id + 1;
	for (size_t k = 0; k < id % 4; k++)
		assert_int_equal(store_run_sample(&r, "nr_dirty", k * 1000, (double)k), 0);
	if (store_run_record(s, id, &r, err, sizeof(err)))
		fail_msg("record %zu: %s", id, err);
	store_run_free(&r);
}

struct files_seen {
	size_t calls, ids;
	int fail;
};

static int files_hook(void *arg, const size_t *ids, size_t n, char *err, size_t errlen)
{
	struct files_seen *f = arg;
	(void)ids;
	f->calls++;
	f->ids += n;
	if (f->fail)
		return snprintf(err, errlen, "disk full"), -1;
	return 0;
}

static struct store_merge merge_ok(struct store *m, const char *dir, const char *name, struct files_seen *f)
{
	char path[512], err[1024] = "";
	struct store_merge r;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (store_merge_shard(m, path, files_hook, f, &r, err, sizeof(err)))
		fail_msg("merge %s: %s", name, err);
	return r;
}

static void test_merge(void **state)
{
	const char *dir = *state;
	char path[512], err[1024] = "", *v = NULL;
	struct files_seen f = { 0 };
	struct store *a = shard_make(dir, "a", 0, "node-a"), *b = shard_make(dir, "b", 1, "node-b"), *m = NULL;

	for (size_t id = 0; id < NR_RUNS; id += 2)
		record(a, id, 0);
	for (size_t id = 1; id < NR_RUNS - 1; id += 2) /* 11 left planned: a task cancelled */
		record(b, id, 0);
	snprintf(path, sizeof(path), "%s/main", dir);
	assert_int_equal(store_open(path, true, &m, err, sizeof(err)), 0);

	struct store_merge r = merge_ok(m, dir, "a", &f);
	assert_int_equal(r.added, 6);
	assert_string_equal(r.shard, "0");
	assert_int_equal(f.ids, 6);
	r = merge_ok(m, dir, "b", &f);
	assert_int_equal(r.added, 5);
	assert_int_equal(store_query(m, "SELECT count(*) FROM runs"), NR_RUNS);
	assert_int_equal(store_query(m, "SELECT count(*) FROM runs WHERE status = 'planned'"), 1);
	/* Everything each run has, as its shard has it */
	for (size_t id = 0; id < NR_RUNS - 1; id++) {
		struct store *from = id % 2 ? b : a;
		static const char *const tables[] = { "metrics", "histograms", "timeseries", "console" };
		for (size_t t = 0; t < 4; t++)
			assert_int_equal(store_query(m, "SELECT count(*) FROM %s WHERE run = %zu", tables[t], id),
					 store_query(from, "SELECT count(*) FROM %s WHERE run = %zu", tables[t], id));
		assert_int_equal(store_query(m, "SELECT sum(value) * 100 FROM metrics WHERE run = %zu", id),
				 store_query(from, "SELECT sum(value) * 100 FROM metrics WHERE run = %zu", id));
		assert_int_equal(store_query(m, "SELECT length(i.text) FROM runs r JOIN run_inputs i ON i.id = r.inputs"
					      " WHERE r.id = %zu", id),
				 id % 2 ? 11 : 12);
	}
	assert_int_equal(store_query(m, "SELECT count(*) FROM runs WHERE status = 'failed'"), 2); /* 3 and 7; 11 is still planned */
	assert_int_equal(store_query(m, "SELECT count(*) FROM run_inputs"), 2);
	/* the hosts: per shard, and main's says they differ unless they agree */
	assert_int_equal(store_manifest_get(m, "shard.1.hostname", &v, err, sizeof(err)), 0);
	assert_string_equal(v, "node-b");
	free(v);
	assert_int_equal(store_manifest_get(m, "hostname", &v, err, sizeof(err)), 0);
	assert_non_null(strstr(v, "varies"));
	free(v);
	assert_int_equal(store_manifest_get(m, "cpu_model", &v, err, sizeof(err)), 0);
	assert_string_equal(v, "the same CPU");
	free(v);
	assert_int_equal(store_manifest_get(m, "shard.0.runs", &v, err, sizeof(err)), 0);
	assert_string_equal(v, "0,2,4,6,8,10");
	free(v);

	/* Again: nothing added, nothing doubled */
	int64_t metrics = store_query(m, "SELECT count(*) FROM metrics");
	r = merge_ok(m, dir, "a", &f);
	assert_int_equal(r.added, 0);
	assert_int_equal(r.already, 6);
	assert_int_equal(store_query(m, "SELECT count(*) FROM metrics"), metrics);

	/* The cancelled run, resumed; and run 0 recorded by b as well: a's kept */
	record(b, 11, 0);
	record(b, 0, 0.5);
	f.calls = f.ids = 0;
	r = merge_ok(m, dir, "b", &f);
	assert_int_equal(r.added, 1);
	assert_int_equal(r.duplicates, 1);
	assert_int_equal(f.ids, 1);
	assert_int_equal(store_query(m, "SELECT count(*) FROM runs WHERE status = 'planned'"), 0);
	assert_int_equal(store_query(m, "SELECT started * 10 FROM runs WHERE id = 0"), 17000000000);

	/* A failing files hook: the merge is undone */
	struct store *c = shard_make(dir, "c", 1, "node-c");
	record(c, 11, 0);
	store_close(m);
	snprintf(path, sizeof(path), "%s/fresh", dir);
	assert_int_equal(store_open(path, true, &m, err, sizeof(err)), 0);
	f.fail = 1;
	snprintf(path, sizeof(path), "%s/c", dir);
	struct store_merge rm;
	assert_int_equal(store_merge_shard(m, path, files_hook, &f, &rm, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "disk full"));
	assert_int_equal(store_query(m, "SELECT count(*) FROM runs WHERE status != 'planned'"), 0);
	f.fail = 0;
	r = merge_ok(m, dir, "c", &f);
	assert_int_equal(r.added, 1);

	/* Another plan (a seed), another config: refused, naming it; nothing changes */
	struct store *d = shard_make(dir, "d", 0, "node-d");
	assert_int_equal(sqlite3_exec(store_db(d), "UPDATE runs SET seed = seed + 1 WHERE id = 4", NULL, NULL, NULL), 0);
	record(d, 4, 0);
	snprintf(path, sizeof(path), "%s/d", dir);
	assert_int_equal(store_merge_shard(m, path, files_hook, &f, &rm, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another sweep"));
	assert_non_null(strstr(err, "runs"));
	struct store *e = shard_make(dir, "e", 0, "node-e");
	manifest(e, "config", "[sweep]\nname = other\n");
	record(e, 4, 0);
	snprintf(path, sizeof(path), "%s/e", dir);
	assert_int_equal(store_merge_shard(m, path, files_hook, &f, &rm, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "its config differs"));
	assert_int_equal(store_query(m, "SELECT count(*) FROM runs WHERE status != 'planned'"), 1);

	enum store_status *st;
	size_t n;
	assert_int_equal(store_run_statuses(m, &st, &n, err, sizeof(err)), 0);
	assert_int_equal(n, NR_RUNS);
	assert_int_equal(st[11], STORE_FAILED);
	assert_int_equal(st[10], STORE_PLANNED);
	free(st);
	assert_int_equal(store_integrity_check(m, err, sizeof(err)), 0);
	assert_int_equal(store_query(m, "PRAGMA foreign_keys"), 1); /* off only while a merge copies */
	store_close(a);
	store_close(b);
	store_close(c);
	store_close(d);
	store_close(e);
	store_close(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_merge, scratch_dir_setup, scratch_dir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
