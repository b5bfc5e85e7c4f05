/*
 * The plan in the store as a sweep grows: values added to a parameter and repeat raised
 * keep the ids of the runs already made and add the new ones after them; a shrunk plan
 * is refused; what determined each recorded run is stored once per distinct text and
 * read back; a store of schema version 1 is brought up to date when opened.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "store/store.h"
#include "store_helpers.h"
#include "store/store_internal.h"

/* One parameter x with values vals[n], repeat reps, runs point-major with seed 100 * value + rep. */
struct test_plan {
	const char *names[1];
	int64_t values[16];
	struct store_plan_run runs[64];
	struct store_plan p;
	size_t ids[64];
};

static void plan_make(struct test_plan *t, const int64_t *vals, size_t n, unsigned reps)
{
	memset(t, 0, sizeof(*t));
	t->names[0] = "x";
	memcpy(t->values, vals, n * sizeof(*vals));
	for (size_t i = 0; i < n; i++)
		for (unsigned r = 0; r < reps; r++)
			t->runs[i * reps + r] = (struct store_plan_run){ i, r, (uint64_t)(100 * vals[i]) + r };
	t->p = (struct store_plan){ 1, t->names, n, t->values, n * reps, t->runs };
}

static int64_t query_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void record(struct store *s, size_t id, const char *inputs)
{
	struct store_run r;
	char err[512] = "";
	memset(&r, 0, sizeof(r));
	r.status = STORE_DONE;
	r.inputs = inputs;
	if (store_run_record(s, id, &r, err, sizeof(err)))
		fail_msg("record %zu: %s", id, err);
}

struct seen {
	size_t n, ids[64];
	const char *texts[64];
	char buf[64][64];
};

static int seen_one(void *arg, size_t run_id, const char *inputs)
{
	struct seen *s = arg;
	s->ids[s->n] = run_id;
	if (inputs)
		snprintf(s->buf[s->n], sizeof(s->buf[0]), "%s", inputs);
	s->texts[s->n] = inputs ? s->buf[s->n] : NULL;
	s->n++;
	return 0;
}

static void test_grow_keeps_ids_and_adds_after(void **state)
{
	struct store *s = NULL;
	struct test_plan t;
	char err[512] = "";
	size_t nr_new = 99;

	assert_int_equal(store_open(*state, true, &s, err, sizeof(err)), 0);
	plan_make(&t, (int64_t[]){ 10, 30 }, 2, 2);
	assert_int_equal(store_plan_match(s, &t.p, t.ids, &nr_new, err, sizeof(err)), 0);
	assert_int_equal(nr_new, 4); /* an empty store: everything is new */
	assert_int_equal(store_plan_write(s, &t.p, t.ids, err, sizeof(err)), 0);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(t.ids[i], i);
	record(s, 0, "memory=1\n");
	record(s, 3, "memory=1\n");

	/* A value in the middle and a third repetition: 3 points x 3. */
	plan_make(&t, (int64_t[]){ 10, 20, 30 }, 3, 3);
	assert_int_equal(store_plan_match(s, &t.p, t.ids, &nr_new, err, sizeof(err)), 0);
	assert_int_equal(nr_new, 5);
	assert_int_equal(t.ids[0], 0); /* x=10 rep 0 */
	assert_int_equal(t.ids[1], 1);
	assert_int_equal(t.ids[2], STORE_RUN_NEW);
	assert_int_equal(t.ids[6], 2); /* x=30 rep 0 */
	assert_int_equal(t.ids[7], 3);
	assert_int_equal(query_int(s, "SELECT count(*) FROM runs"), 4); /* match wrote nothing */
	assert_int_equal(store_plan_write(s, &t.p, t.ids, err, sizeof(err)), 0);
	/* New runs take the next ids in plan order: x=10 rep 2, x=20 reps 0..2, x=30 rep 2. */
	assert_int_equal(t.ids[2], 4);
	assert_int_equal(t.ids[3], 5);
	assert_int_equal(t.ids[4], 6);
	assert_int_equal(t.ids[5], 7);
	assert_int_equal(t.ids[8], 8);
	assert_int_equal(query_int(s, "SELECT count(*) FROM runs"), 9);
	assert_int_equal(query_int(s, "SELECT count(*) FROM points"), 3);
	assert_int_equal(query_int(s, "SELECT p.id FROM points p JOIN point_values v ON v.point = p.id"
				      " WHERE v.value = 20"),
			 2);
	assert_int_equal(query_int(s, "SELECT status = 'done' FROM runs WHERE id = 3"), 1);
	size_t *pending = NULL, n = 0;
	assert_int_equal(store_runs_pending(s, &pending, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 7);
	free(pending);

	/* The same grown plan again: nothing new. */
	assert_int_equal(store_plan_match(s, &t.p, t.ids, &nr_new, err, sizeof(err)), 0);
	assert_int_equal(nr_new, 0);
	store_close(s);
}

static void test_shrink_and_other_plans_are_refused(void **state)
{
	struct store *s = NULL;
	struct test_plan t;
	char err[512] = "";
	size_t nr_new;

	assert_int_equal(store_open(*state, true, &s, err, sizeof(err)), 0);
	plan_make(&t, (int64_t[]){ 10, 20 }, 2, 2);
	assert_int_equal(store_plan_write(s, &t.p, t.ids, err, sizeof(err)), 0);

	plan_make(&t, (int64_t[]){ 10 }, 1, 2);
	assert_int_equal(store_plan_match(s, &t.p, t.ids, &nr_new, err, sizeof(err)), -1);
	assert_err_has(err, "holds point 1 (x=20), which this config does not plan");
	plan_make(&t, (int64_t[]){ 10, 20 }, 2, 1);
	assert_int_equal(store_plan_write(s, &t.p, t.ids, err, sizeof(err)), -1);
	assert_err_has(err, "repetition 2), which this config does not plan: repeat is 1 here");
	plan_make(&t, (int64_t[]){ 10, 20 }, 2, 2);
	t.runs[3].seed++;
	assert_int_equal(store_plan_write(s, &t.p, t.ids, err, sizeof(err)), -1);
	assert_err_has(err, "the sweep's seed changed");
	plan_make(&t, (int64_t[]){ 10, 20 }, 2, 2);
	t.names[0] = "y";
	assert_int_equal(store_plan_write(s, &t.p, t.ids, err, sizeof(err)), -1);
	assert_err_has(err, "parameter 1 is 'x' there, 'y' here");
	assert_int_equal(query_int(s, "SELECT count(*) FROM runs"), 4);
	store_close(s);
}

static void test_inputs_stored_once_and_read_back(void **state)
{
	struct store *s = NULL;
	struct test_plan t;
	struct seen seen = { 0 };
	char err[512] = "";

	assert_int_equal(store_open(*state, true, &s, err, sizeof(err)), 0);
	plan_make(&t, (int64_t[]){ 1, 2 }, 2, 2);
	assert_int_equal(store_plan_write(s, &t.p, t.ids, err, sizeof(err)), 0);
	record(s, 0, "a=1\n");
	record(s, 1, "a=1\n");
	record(s, 2, "a=2\n");
	assert_int_equal(query_int(s, "SELECT count(*) FROM run_inputs"), 2);
	assert_int_equal(store_recorded_inputs(s, seen_one, &seen, err, sizeof(err)), 0);
	assert_int_equal(seen.n, 3); /* run 3 is still planned */
	assert_int_equal(seen.ids[2], 2);
	assert_string_equal(seen.texts[0], "a=1\n");
	assert_string_equal(seen.texts[2], "a=2\n");
	store_close(s);
}

/* A store made by a vmsweep of schema version 1 (no inputs) opens, migrated. */
static void test_version_1_store_is_migrated(void **state)
{
	struct store *s = NULL;
	struct test_plan t;
	struct seen seen = { 0 };
	char err[512] = "";

	assert_int_equal(store_open(*state, true, &s, err, sizeof(err)), 0);
	plan_make(&t, (int64_t[]){ 1 }, 1, 2);
	assert_int_equal(store_plan_write(s, &t.p, t.ids, err, sizeof(err)), 0);
	record(s, 0, NULL);
	assert_int_equal(sqlite3_exec(store_db(s),
				      "ALTER TABLE runs DROP COLUMN inputs; DROP TABLE run_inputs; PRAGMA user_version = 1",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	store_close(s);

	assert_int_equal(store_open(*state, false, &s, err, sizeof(err)), 0);
	assert_int_equal(query_int(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	record(s, 1, "b=1\n");
	assert_int_equal(store_recorded_inputs(s, seen_one, &seen, err, sizeof(err)), 0);
	assert_int_equal(seen.n, 2);
	assert_null(seen.texts[0]);
	assert_string_equal(seen.texts[1], "b=1\n");
	assert_int_equal(store_integrity_check(s, err, sizeof(err)), 0);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_grow_keeps_ids_and_adds_after, scratch_dir_setup, scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_shrink_and_other_plans_are_refused, scratch_dir_setup, scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_inputs_stored_once_and_read_back, scratch_dir_setup, scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_version_1_store_is_migrated, scratch_dir_setup, scratch_dir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
