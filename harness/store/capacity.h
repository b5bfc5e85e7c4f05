/*
 * A capacity search's answer and evidence (`vmsweep capacity`), in the sweep's store
 * beside the runs it made. The probes are ordinary points (their load is a parameter
 * like the others, the last) with ordinary runs and metrics; these tables say what the
 * search made of them:
 *   capacity(base, status, passing, failing, probes, note)
 *                                  one row per point of the other parameters (a "base"):
 *                                  status 'found', 'below range', 'above range' or
 *                                  'searching' (stopped before the end); passing: the
 *                                  largest load that met the SLO (NULL: none), failing:
 *                                  the smallest that did not (NULL: none)
 *   capacity_values(base, param, value)
 *                                  the base's values, by index into params
 *   capacity_probes(point, base, seq, load, runs, failed, verdict, note)
 *                                  each probe in the order the search made them: its
 *                                  point, its runs (failed ones among them), 'pass',
 *                                  'fail' or 'inconclusive' (still running)
 *   capacity_checks(point, cond, metric, op, value, n, mean, sd, bound, verdict)
 *                                  each SLO condition at each probe: the metric's mean
 *                                  over the probe's runs and its one-sided bound
 * and the search's settings in the manifest under capacity.* (slo, load, range,
 * resolution, confidence, runs, max_runs, test).
 */
#ifndef VMSWEEP_STORE_CAPACITY_H
#define VMSWEEP_STORE_CAPACITY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_CAPACITY_CONDS 12 /* capacity/capacity.h's CAPACITY_CONDS */

struct store_capacity_check {
	char metric[STORE_NAME_MAX];
	char op; /* '<' or '>' */
	double value, mean, sd, bound; /* sd, bound: NAN when unknown */
	size_t n;
	char verdict[16];
};

struct store_capacity_probe {
	size_t point, base, seq;
	int64_t load;
	size_t runs, failed;
	char verdict[16];
	char note[256];
	size_t nr_checks;
	struct store_capacity_check checks[STORE_CAPACITY_CONDS];
};

struct store_capacity_answer {
	size_t base;
	int64_t *values; /* [nr_values], the base's values by parameter index (the load's left 0) */
	size_t nr_values;
	char status[16];
	bool have_passing, have_failing;
	int64_t passing, failing;
	size_t probes;
	char note[512];
};

/* Makes the tables when missing. */
int store_capacity_prepare(struct store *s, char *err, size_t errlen);
/* Writes (replacing) a probe and its checks, in one transaction. */
int store_capacity_probe_write(struct store *s, const struct store_capacity_probe *p, char *err, size_t errlen);
/* Writes (replacing) an answer and its values (values[i] of parameter i, skip: the load's index). */
int store_capacity_answer_write(struct store *s, const struct store_capacity_answer *a, size_t skip, char *err,
				size_t errlen);

/* Whether the store holds a capacity search (its tables, with an answer). */
int store_capacity_present(struct store *s, bool *present, char *err, size_t errlen);
/* Every answer by base, every probe by base then seq; malloc'd arrays (free with
 * store_capacity_answers_free and free()). */
int store_capacity_answers_read(struct store *s, size_t nr_params, struct store_capacity_answer **a, size_t *n,
				char *err, size_t errlen);
void store_capacity_answers_free(struct store_capacity_answer *a, size_t n);
int store_capacity_probes_read(struct store *s, struct store_capacity_probe **p, size_t *n, char *err, size_t errlen);
#endif
