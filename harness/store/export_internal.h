/* What export.c, export_columns.c and export_where.c share: the sweep as export reads
 * it, one run's row, and the value columns. See store/export.h for the columns. */
#ifndef VMSWEEP_STORE_EXPORT_INTERNAL_H
#define VMSWEEP_STORE_EXPORT_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The runs table's columns written after the parameters, in this order. */
enum export_run_col {
	EXPORT_SEED,
	EXPORT_WALL_MS,
	EXPORT_STARTED,
	EXPORT_ENDED,
	EXPORT_EXIT_STATUS,
	EXPORT_CAUSE,
	EXPORT_NR_RUN_COLS
};
extern const char *const export_run_col_names[EXPORT_NR_RUN_COLS];

/* The columns every row has, before the parameters. */
#define EXPORT_NR_ID_COLS 4
extern const char *const export_id_col_names[EXPORT_NR_ID_COLS]; /* run, point, rep, status */

struct export_metric {
	const char *name;
	size_t idx; /* in metric_names */
};

struct export_table {
	size_t nr_params, nr_points, nr_metrics;
	char **params;
	int *word_knob; /* [nr_params]: 1 when its values are words (util/param_word.h), else -1 */
	int64_t *values; /* [point * nr_params + param] */
	char **metric_names; /* in the order first recorded */
	char **job_files; /* the manifest's job_file.N: a "job" parameter's value N names one */
	size_t nr_job_files;
	struct export_metric *by_name; /* sorted by name, for export_metric_find */
};

/* The index of metric name in metric_names, or -1. */
long export_metric_find(const struct export_table *t, const char *name);
/* The index of parameter name, or -1. */
long export_param_find(const struct export_table *t, const char *name);

/* One run as read; a NaN double or has_exit false is a NULL in the store. */
struct export_row {
	int64_t id, point, rep;
	char status[16];
	const int64_t *values; /* the point's parameters; NULL when the plan has no such point */
	uint64_t seed;
	double wall_ms, started, ended;
	bool has_exit;
	int64_t exit_status;
	const char *cause; /* "" when none */
	double *vals; /* [nr_metrics] */
	bool *has; /* [nr_metrics]: the run has metric m, and it is a number */
};

/* A value column: a run column (enum export_run_col) or a metric (its index). */
struct export_col {
	bool metric;
	size_t idx;
};

/*
 * The value columns export writes: with list NULL every run column, then every metric;
 * otherwise those list names (a comma-separated list of names and fnmatch patterns),
 * in its order, each once. *cols is malloc'd. -1 with err naming the item of list that
 * is wrong: an unknown name, a pattern that matches nothing, an empty item.
 */
int export_cols_choose(const struct export_table *t, const char *list, struct export_col **cols, size_t *n,
		       char *err, size_t errlen);

/* A --where expression, parsed against a table's names (export_where.c). */
struct export_where;
/* -1 with err: "column N: why", e.g. "column 1: unknown name 'vcpu' (did you mean 'vcpus'?)". */
int export_where_parse(const char *text, const struct export_table *t, struct export_where **out, char *err,
		       size_t errlen);
/* Whether row r (of the table the expression was parsed against) passes. */
bool export_where_match(const struct export_where *w, const struct export_row *r);
void export_where_free(struct export_where *w);

#endif
