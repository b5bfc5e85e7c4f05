/*
 * `vmsweep capacity`: a search per point of the other parameters (a "base") for the
 * largest load that meets an SLO, shared by the command (cmd/capacity.c), its rounds
 * (capacity/rounds.c) and its verdicts (capacity/verdicts.c).
 */
#ifndef CAPACITY_CAPACITY_H
#define CAPACITY_CAPACITY_H
#include <stdbool.h>
#include <stddef.h>

#include "capacity/search.h"
#include "capacity/slo.h"
#include "store/store.h"
#include "sweep/config.h"
#include "sweep/grid.h"
#include "sweep/load_param.h"

/* The SLO's conditions and, for a rate load, that the job achieved it: at most this many. */
#define CAPACITY_CONDS (SLO_MAX_CONDS + 4)

struct capacity_probe {
	size_t base, seq; /* seq: its place among the base's probes */
	int64_t load; /* the parameter's value (for a reversed load, as written too) */
	unsigned runs; /* runs asked for so far */
	size_t point_id; /* in the store, once planned */
	size_t done, failed;
	bool decided; /* verdict is final: pass, fail (inconclusive ones at max_runs count as fail) */
	enum slo_verdict verdict;
	struct slo_check checks[CAPACITY_CONDS]; /* one per capacity.conds */
	char note[200];
};

struct capacity_base {
	struct capacity_search search; /* in the load's order: for a reversed load, pass means fail */
	long current; /* its probe in flight, -1: none */
	bool finished;
};

struct capacity {
	struct sweep_config cfg; /* with the load as its last parameter */
	struct sweep_plan base; /* the points of the other parameters */
	struct load_spec load;
	struct slo slo;
	struct capacity_range range;
	double confidence;
	unsigned runs, max_runs, jobs;
	struct noise_baseline noise_base; /* the noise sentinels' baseline (sweep/noise.h) */
	const char *dir;
	char slo_text[600], resolution_text[64];

	struct capacity_base *bases; /* [base.nr_points] */
	struct capacity_probe *probes;
	size_t nr_probes, cap_probes;
	double achieved; /* --achieved: a rate load must be reached to this share (0: not asked) */
	/* What a probe is tested on, once the runs name their metrics (resolved): the SLO's
	 * conditions with the store's names, then for a rate load (rate_iops, rate) each fio
	 * direction's iops or bw_bytes > achieved x load (per_load: the value's factor, 0 for
	 * the SLO's own). */
	struct slo_cond conds[CAPACITY_CONDS];
	double per_load[CAPACITY_CONDS];
	size_t nr_conds;
	bool resolved;
};

/* ---- rounds.c ---- */
/* Runs the rounds until every base's search is over: 0, 130 when interrupted (the runs
 * stay planned: the same command again goes on), or -1 with err (*usage when the
 * config or the SLO is at fault). */
int capacity_rounds_run(struct capacity *c, bool *usage, char *err, size_t errlen);

/* ---- verdicts.c ---- */
/* Reads the undecided probes' runs from s and decides what can be decided; records
 * each decided probe in its base's search. -1 with err. */
int capacity_verdicts_take(struct capacity *c, struct store *s, char *err, size_t errlen);
/* Condition k's value at a probe of load. */
double capacity_cond_value(const struct capacity *c, size_t k, int64_t load);
/* Writes every probe's evidence and every base's answer so far to s. */
int capacity_evidence_write(struct capacity *c, struct store *s, char *err, size_t errlen);
/* The base's answer in the load's own terms: the largest passing and the smallest failing. */
void capacity_answer(const struct capacity *c, size_t base, bool *have_pass, int64_t *pass, bool *have_fail,
		     int64_t *fail, enum capacity_status *status);
/* "memory=128M dirty_ratio=10" ("(all)" when no other parameter). */
void capacity_base_label(const struct capacity *c, size_t base, char *buf, size_t len);
#endif
