/* A capacity search's verdicts from the store's runs, and its evidence written back. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capacity/capacity.h"
#include "store/capacity.h"
#include "store/query.h"
#include "sweep/plan_print.h"
#include "util/error.h"

void capacity_base_label(const struct capacity *c, size_t base, char *buf, size_t len)
{
	const int64_t *v = sweep_plan_point(&c->base, base);
	size_t off = 0;
	buf[0] = 0;
	for (size_t i = 0; i + 1 < c->cfg.nr_params && off < len; i++) {
		char val[64];
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", i ? " " : "", c->cfg.params[i].name,
					sweep_value_format(&c->cfg.params[i], v[i], val, sizeof(val)));
	}
	if (!buf[0])
		snprintf(buf, len, "(all)");
}

void capacity_answer(const struct capacity *c, size_t base, bool *have_pass, int64_t *pass, bool *have_fail,
		     int64_t *fail, enum capacity_status *status)
{
	const struct capacity_search *s = &c->bases[base].search;
	enum capacity_status st = capacity_search_status(s);
	/* a reversed load searched with its verdicts flipped: its "fails" are the passing values */
	if (c->load.reversed) {
		*have_pass = s->have_fail, *pass = s->fail;
		*have_fail = s->have_pass, *fail = s->pass;
		*status = st == CAPACITY_BELOW ? CAPACITY_ABOVE : st == CAPACITY_ABOVE ? CAPACITY_BELOW : st;
	} else {
		*have_pass = s->have_pass, *pass = s->pass;
		*have_fail = s->have_fail, *fail = s->fail;
		*status = st;
	}
}

struct values_arg {
	struct capacity *c;
	double **v; /* [nr_probes] arrays of max_runs */
	size_t *n;
};

static int value_take(void *arg, size_t point, double value, char *err, size_t errlen)
{
	struct values_arg *a = arg;
	(void)err;
	(void)errlen;
	for (size_t i = 0; i < a->c->nr_probes; i++)
		if (a->c->probes[i].point_id == point && !a->c->probes[i].decided && a->n[i] < a->c->max_runs * 2)
			a->v[i][a->n[i]++] = value;
	return 0;
}

/* The SLO's metric names as the runs recorded them, once some run has. */
static int metrics_resolve(struct capacity *c, struct store *s, char *err, size_t errlen)
{
	char **names = NULL;
	size_t n = 0;
	int r = 0;
	if (c->resolved)
		return 0;
	if (store_metric_names_list(s, &names, &n, err, errlen))
		return -1;
	if (!n)
		goto out; /* no run done yet: the verdicts wait */
	for (size_t k = 0; k < c->slo.n && !r; k++)
		r = slo_metric_resolve(&c->slo.conds[k], names, n, c->metrics[k], sizeof(c->metrics[k]), err, errlen);
	c->resolved = !r;
out:
	store_names_free(names, n);
	return r;
}

/* Runs done and failed at each undecided probe's point. */
static int counts_read(struct capacity *c, struct store *s, char *err, size_t errlen)
{
	struct store_point *pts = NULL;
	size_t n = 0;
	if (store_points_list(s, c->cfg.nr_params, &pts, &n, err, errlen))
		return -1;
	for (size_t i = 0; i < c->nr_probes; i++)
		for (size_t j = 0; j < n; j++)
			if (pts[j].id == c->probes[i].point_id) {
				c->probes[i].done = pts[j].nr_done;
				c->probes[i].failed = pts[j].nr_failed;
			}
	store_points_free(pts, n);
	return 0;
}

static void probe_decide(struct capacity *c, struct capacity_probe *p, double *const *v, const size_t *n)
{
	double alpha = slo_alpha(&c->slo, c->confidence);
	for (size_t k = 0; k < c->slo.n; k++)
		slo_cond_check(&c->slo.conds[k], v[k], n[k], alpha, &p->checks[k]);
	p->verdict = slo_combine(p->checks, c->slo.n);
	p->note[0] = 0;
	if (p->failed) {
		/* a guest that did not finish at this load did not meet any SLO there */
		p->verdict = SLO_FAIL;
		snprintf(p->note, sizeof(p->note), "%zu run%s failed", p->failed, p->failed == 1 ? "" : "s");
	} else if (p->verdict == SLO_UNSURE && p->runs >= c->max_runs) {
		p->verdict = SLO_FAIL;
		snprintf(p->note, sizeof(p->note), "inconclusive after %u runs: counted as failing", p->runs);
	}
	p->decided = p->verdict != SLO_UNSURE && p->done + p->failed >= p->runs;
	if (!p->decided)
		return;
	struct capacity_base *b = &c->bases[p->base];
	bool passed = p->verdict == SLO_PASS;
	capacity_search_record(&b->search, p->load, c->load.reversed ? !passed : passed);
}

static int first_cause(void *arg, const struct store_failed_run *f, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	snprintf(arg, 640, "run %zu: %s", f->run, f->cause);
	return 1; /* the first is enough */
}

/* Before any run is done, runs that fail say the search cannot measure, not that the
 * load is too much: a missing image, a job the guest refuses. */
static int all_failed_check(const struct capacity *c, struct store *s, char *err, size_t errlen)
{
	size_t done = 0, failed = 0;
	char cause[640] = "";
	for (size_t i = 0; i < c->nr_probes; i++) {
		done += c->probes[i].done;
		failed += c->probes[i].failed;
	}
	if (done || !failed)
		return 0;
	if (store_failed_runs_read(s, first_cause, cause, err, errlen) < 0 && !cause[0])
		return -1;
	return errorf(err, errlen, "every run of the first probes failed (%zu), so nothing was measured: %s", failed,
		      cause);
}

int capacity_verdicts_take(struct capacity *c, struct store *s, char *err, size_t errlen)
{
	int r = -1;
	if (counts_read(c, s, err, errlen) || all_failed_check(c, s, err, errlen) || metrics_resolve(c, s, err, errlen))
		return -1;
	size_t np = c->nr_probes, per = c->max_runs * 2;
	double **vals = calloc(np * SLO_MAX_CONDS + 1, sizeof(*vals));
	size_t *nv = calloc(np * SLO_MAX_CONDS + 1, sizeof(*nv));
	if (!vals || !nv)
		goto oom;
	for (size_t i = 0; i < np * SLO_MAX_CONDS; i++)
		if (!(vals[i] = calloc(per, sizeof(double))))
			goto oom;
	for (size_t k = 0; c->resolved && k < c->slo.n; k++) {
		/* condition k's values: vals[k * np + probe] */
		struct values_arg a = { c, vals + k * np, nv + k * np };
		if (store_metric_values_read(s, c->metrics[k], value_take, &a, err, errlen))
			goto out;
	}
	for (size_t i = 0; i < np; i++) {
		struct capacity_probe *p = &c->probes[i];
		double *pv[SLO_MAX_CONDS];
		size_t pn[SLO_MAX_CONDS];
		if (p->decided || p->done + p->failed < p->runs)
			continue;
		for (size_t k = 0; k < c->slo.n; k++) {
			pv[k] = vals[k * np + i];
			pn[k] = nv[k * np + i];
		}
		probe_decide(c, p, pv, pn);
	}
	r = 0;
	goto out;
oom:
	errorf(err, errlen, "out of memory");
out:
	for (size_t i = 0; vals && i < np * SLO_MAX_CONDS; i++)
		free(vals[i]);
	free(vals);
	free(nv);
	return r;
}

int capacity_evidence_write(struct capacity *c, struct store *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->nr_probes; i++) {
		const struct capacity_probe *p = &c->probes[i];
		struct store_capacity_probe sp = { .point = p->point_id, .base = p->base, .seq = p->seq, .load = p->load,
						   .runs = p->done + p->failed, .failed = p->failed,
						   .nr_checks = c->slo.n };
		snprintf(sp.verdict, sizeof(sp.verdict), "%s", slo_verdict_name(p->decided ? p->verdict : SLO_UNSURE));
		snprintf(sp.note, sizeof(sp.note), "%s", p->note);
		for (size_t k = 0; k < c->slo.n && k < STORE_CAPACITY_CONDS; k++) {
			struct store_capacity_check *ck = &sp.checks[k];
			snprintf(ck->metric, sizeof(ck->metric), "%s", c->resolved ? c->metrics[k] : c->slo.conds[k].metric);
			ck->op = c->slo.conds[k].op == SLO_BELOW ? '<' : '>';
			ck->value = c->slo.conds[k].value;
			ck->n = p->checks[k].n;
			ck->mean = p->checks[k].n ? p->checks[k].mean : NAN;
			ck->sd = p->checks[k].sd;
			ck->bound = p->checks[k].bound;
			snprintf(ck->verdict, sizeof(ck->verdict), "%s", slo_verdict_name(p->checks[k].verdict));
		}
		if (store_capacity_probe_write(s, &sp, err, errlen))
			return -1;
	}
	for (size_t b = 0; b < c->base.nr_points; b++) {
		const struct capacity_search *se = &c->bases[b].search;
		struct store_capacity_answer a = { .base = b, .nr_values = c->cfg.nr_params, .probes = se->nr_probes };
		int64_t *vals = calloc(c->cfg.nr_params, sizeof(*vals));
		enum capacity_status st;
		if (!vals)
			return errorf(err, errlen, "out of memory");
		memcpy(vals, sweep_plan_point(&c->base, b), (c->cfg.nr_params - 1) * sizeof(*vals));
		a.values = vals;
		capacity_answer(c, b, &a.have_passing, &a.passing, &a.have_failing, &a.failing, &st);
		snprintf(a.status, sizeof(a.status), "%s", capacity_status_name(st));
		if (se->nonmonotone) {
			char x[64], y[64];
			snprintf(a.note, sizeof(a.note), "not monotone: the verdicts at %s and %s contradict each other",
				 load_value_format(&c->cfg, se->contra_load, x, sizeof(x)),
				 load_value_format(&c->cfg, se->contra_other, y, sizeof(y)));
		}
		int r = store_capacity_answer_write(s, &a, c->cfg.nr_params - 1, err, errlen);
		free(vals);
		if (r)
			return -1;
	}
	return 0;
}
