/*
 * Reading a sweep back, as `vmsweep report` needs it: the plan and how far it got, the
 * manifest, which metrics and histograms are present, each metric's values, the failed
 * runs and a run's time series. So the SQL stays in harness/store/ with the schema.
 *
 * Lists come back malloc'd (NULL when empty), for the caller to keep or free; rows
 * that can be many or large (metric values, samples, consoles) go one at a time to a
 * callback instead. A callback returns 0 to go on, or -1 with its message in err,
 * which ends the query with -1. Callbacks run under the store's lock: they must not
 * call the store. Errors otherwise follow store.h.
 */
#ifndef VMSWEEP_STORE_QUERY_H
#define VMSWEEP_STORE_QUERY_H
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Each name and the array malloc'd. */
void store_names_free(char **names, size_t n);
/* The swept parameters' names, in their order. */
int store_params_list(struct store *s, char ***names, size_t *n, char *err, size_t errlen);
/* Every metric name some run has, in the order first recorded (export's columns). */
int store_metric_names_list(struct store *s, char ***names, size_t *n, char *err, size_t errlen);
/* The names of the histograms of 'done' runs, in name order. */
int store_hist_names_list(struct store *s, char ***names, size_t *n, char *err, size_t errlen);

struct store_point {
	size_t id;
	int64_t *values; /* [nr_params] by parameter index; 0 where none is stored */
	size_t nr_planned, nr_done, nr_failed, nr_skipped; /* its runs by status */
};
/* Every point in id order, its values of the first nr_params parameters (those
 * store_params_list names) and its runs counted by status. */
int store_points_list(struct store *s, size_t nr_params, struct store_point **points, size_t *n, char *err,
		      size_t errlen);
void store_points_free(struct store_point *points, size_t n);

struct store_kv {
	char *key, *value;
};
/* The whole manifest, in key order. */
int store_manifest_list(struct store *s, struct store_kv **kv, size_t *n, char *err, size_t errlen);
void store_manifest_free(struct store_kv *kv, size_t n);

/* The point and repetition of run run_id: 1, 0 when the plan has no such run, -1. */
int store_run_get(struct store *s, size_t run_id, size_t *point, unsigned *rep, char *err, size_t errlen);

/* Metric name of each 'done' run that has it, by point then run id: value is NaN where
 * a NaN was recorded (stored as NULL). */
typedef int store_metric_value_fn(void *arg, size_t point, double value, char *err, size_t errlen);
int store_metric_values_read(struct store *s, const char *name, store_metric_value_fn *fn, void *arg, char *err,
			     size_t errlen);

/* Metric name of the 'done' runs at run run_id's point (repeat = auto's evidence):
 * *values malloc'd (NULL when *n is 0), NaN where a NaN was recorded. */
int store_point_values_of_run(struct store *s, size_t run_id, const char *name, double **values, size_t *n,
			      char *err, size_t errlen);

/* A failed run as recorded; the strings last until the callback returns. */
struct store_failed_run {
	size_t run, point;
	unsigned rep;
	int exit_status;
	const char *cause; /* "" when none */
	const char *console; /* NULL when none */
};
typedef int store_failed_run_fn(void *arg, const struct store_failed_run *f, char *err, size_t errlen);
/* The failed runs, in id order. */
int store_failed_runs_read(struct store *s, store_failed_run_fn *fn, void *arg, char *err, size_t errlen);

/* *run = the 'done' run of lowest id that has a time series, -1 when none has. */
int store_series_run_find(struct store *s, int64_t *run, char *err, size_t errlen);
/* The 'done' runs that have a time series, in id order, with their point. */
typedef int store_series_run_fn(void *arg, size_t run, size_t point, char *err, size_t errlen);
int store_series_runs_list(struct store *s, store_series_run_fn *fn, void *arg, char *err, size_t errlen);
/* Run run_id's samples by series name, then time: t_ns as stored (signed), value NaN
 * where a NaN was recorded. The series name lasts until the callback returns. */
typedef int store_sample_fn(void *arg, const char *series, int64_t t_ns, double value, char *err, size_t errlen);
int store_series_read(struct store *s, size_t run_id, store_sample_fn *fn, void *arg, char *err, size_t errlen);
#endif
