/*
 * `vmsweep compare BASE NEW [NEW2 ...]`: did anything change between sweeps? Points are
 * matched by their parameters' values; for each point, metric and sweep after the first,
 * the medians, the relative change of the median with a distribution-free interval
 * (Hodges-Lehmann), a two-sample test, Holm's correction over every comparison made, and
 * a verdict. compare_load.c opens and matches the sweeps, compare_cells.c computes,
 * compare_write.c and compare_json.c print; compare_direction.c knows which way is better.
 */
#ifndef VMSWEEP_COMPARE_COMPARE_H
#define VMSWEEP_COMPARE_COMPARE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report/report.h"

#define COMPARE_SWEEPS_MAX 64 /* a history of two months of nights */
#define COMPARE_NONE ((size_t)-1) /* a row's point absent from a sweep */

enum compare_test { COMPARE_TEST_AUTO, COMPARE_TEST_MWU, COMPARE_TEST_WELCH };

enum compare_verdict {
	VERDICT_MISSING, /* a side has no done run with the metric */
	VERDICT_INCONCLUSIVE, /* neither a change beyond the threshold nor its absence is shown */
	VERDICT_SAME, /* no change: the change is within the threshold */
	VERDICT_BETTER,
	VERDICT_WORSE,
	VERDICT_CHANGED, /* beyond the threshold and significant, for a metric of no known direction */
};

struct compare_sweep {
	const char *dir;
	struct store *store;
	struct report r; /* params, points, manifest, metric names */
	double **values; /* [point][run]: the current metric's done values (compare_cells.c) */
	size_t *nr_values;
};

/* Points of equal parameter values across the sweeps: one row each. */
struct compare_row {
	char *label; /* "memory=64M watermark_model=4.6", parameters by name */
	size_t point[COMPARE_SWEEPS_MAX]; /* index into each sweep's r.points, or COMPARE_NONE */
};

struct compare_metric {
	char *name;
	int better; /* +1 higher is better, -1 lower, 0 not known (compare_direction.c) */
};

struct compare_cell {
	size_t n_base, n_new;
	double median_base, median_new;
	double change, lo, hi; /* (new - base) / |base median|, and its interval */
	double achieved; /* the interval's confidence: below the asked one when runs are few */
	double p, p_adjusted; /* two-sided; Holm over every cell tested */
	enum compare_test test; /* the one used (never auto) */
	enum compare_verdict verdict;
};

struct compare_options {
	double threshold; /* relative: 0.05 */
	double alpha; /* 0.05 */
	double conf; /* of the intervals: 0.95 */
	enum compare_test test;
};

struct compare_manifest_diff {
	char *key;
	char *values[COMPARE_SWEEPS_MAX]; /* NULL: the sweep has no such key */
};

struct compare {
	struct compare_options opt;
	struct compare_sweep sweeps[COMPARE_SWEEPS_MAX];
	size_t nr_sweeps;
	struct compare_row *rows;
	size_t nr_rows;
	size_t nr_unmatched[COMPARE_SWEEPS_MAX]; /* points of a sweep in no row with the base */
	struct compare_metric *metrics;
	size_t nr_metrics;
	struct compare_cell *cells; /* [row][metric][sweep - 1] */
	struct compare_manifest_diff *diffs;
	size_t nr_diffs;
	size_t nr_verdict[VERDICT_CHANGED + 1];
};

static inline struct compare_cell *compare_cell(const struct compare *c, size_t row, size_t metric, size_t sweep)
{
	return &c->cells[(row * c->nr_metrics + metric) * (c->nr_sweeps - 1) + sweep - 1];
}

/* compare_load.c: opens the sweeps, matches their points, chooses the metrics (names as
 * `vmsweep report --metric` takes them; none: the base config's [report] metrics, else the
 * report's defaults), lists the manifests' differences. -1 with err; 2 for bad usage. */
int compare_load(struct compare *c, const char *const *dirs, size_t n, const char *const *metrics, size_t nr_metrics,
		 char *err, size_t errlen);
void compare_free(struct compare *c);

/* compare_cells.c: every cell, the correction and the verdicts. */
int compare_compute(struct compare *c, char *err, size_t errlen);
/* A metric's done values of each point of a sweep into sw->values; and freeing them. */
int compare_values_read(struct compare_sweep *sw, const char *metric, char *err, size_t errlen);
void compare_values_free(struct compare_sweep *sw);

/* history.c: `vmsweep history`: per metric a figure of each point's mean and 95 % band
 * across the sweeps, a table, and each point's drift per sweep (a least-squares line
 * through the means, with its interval), into out/history.md and out/history-*.svg/png. */
int history_write(struct compare *c, const char *out, char *err, size_t errlen);

/* reproduce.c: for `vmsweep rerun`, sweeps[1] (the rerun) against sweeps[0]: per figure and
 * point whether the two means' 95 % intervals overlap, as Markdown on f; *nr_not counts the
 * points whose do not. */
int reproduce_write(struct compare *c, FILE *f, size_t *nr_not, char *err, size_t errlen);

/* compare_direction.c */
int compare_metric_better(const char *name);

/* compare_write.c: text, md, html; compare_json.c: json. */
const char *compare_verdict_name(enum compare_verdict v);
const char *compare_test_name(enum compare_test t);
int compare_write(FILE *f, const struct compare *c, const char *format);
int compare_json_write(FILE *f, const struct compare *c);
#endif
