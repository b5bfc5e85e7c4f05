/* What the store tests share: the plan written from arrays, scratch directories. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "store_helpers.h"
#include "store/store_internal.h"
#include "util/error.h"

int plan_write(struct store *s, size_t nr_params, const char *const *names, size_t nr_points, const int64_t *values,
	       size_t nr_runs, const struct store_plan_run *runs, char *err, size_t errlen)
{
	struct store_plan p = { nr_params, names, nr_points, values, nr_runs, runs };
	size_t *ids = calloc(nr_runs + 1, sizeof(*ids));
	int r = ids ? store_plan_write(s, &p, ids, err, errlen) : errorf(err, errlen, "out of memory");
	free(ids);
	return r;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

void tree_remove(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int64_t store_query(struct store *s, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int scratch_dir_setup(void **state)
{
	char *dir = strdup("/tmp/vmsweep-unit.XXXXXX");
	if (!dir || !mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

int scratch_dir_teardown(void **state)
{
	tree_remove(*state);
	free(*state);
	return 0;
}

const struct store_metric *run_metric(const struct store_run *r, const char *name)
{
	for (size_t i = 0; i < r->nr_metrics; i++)
		if (!strcmp(r->metrics[i].name, name))
			return &r->metrics[i];
	return NULL;
}

double run_metric_is(const struct store_run *r, const char *name)
{
	const struct store_metric *m = run_metric(r, name);
	if (!m)
		fail_msg("no metric %s", name);
	return m->value;
}
