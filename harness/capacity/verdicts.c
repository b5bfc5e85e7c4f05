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

/* The metric a rate load is measured by: fio.<job>.<dir>.SUFFIX; NULL when the load is none. */
static const char *achieved_suffix(const struct capacity *c)
{
	if (!strcmp(c->load.name, "fio.rate_iops"))
		return ".iops";
	if (!strcmp(c->load.name, "fio.rate"))
		return ".bw_bytes";
	return NULL;
}

/* Each fio job direction's rate metric among names: the load asks each for its rate. */
static int achieved_add(struct capacity *c, char *const *names, size_t n, char *err, size_t errlen)
{
	const char *suffix = achieved_suffix(c);
	if (!suffix || c->achieved <= 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(names[i]), sl = strlen(suffix);
		if (strncmp(names[i], "fio.", 4) || nl <= sl || strcmp(names[i] + nl - sl, suffix) ||
		    (nl < sl + 5 ||
		     (strncmp(names[i] + nl - sl - 5, "write", 5) && strncmp(names[i] + nl - sl - 4, "read", 4))))
			continue;
		if (c->nr_conds == CAPACITY_CONDS)
			return errorf(err, errlen, "--load %s: more than %d fio jobs' directions to hold to the rate",
				      c->load.name, CAPACITY_CONDS - SLO_MAX_CONDS);
		struct slo_cond *sc = &c->conds[c->nr_conds];
		memset(sc, 0, sizeof(*sc));
		snprintf(sc->metric, sizeof(sc->metric), "%s", names[i]);
		sc->op = SLO_ABOVE;
		snprintf(sc->text, sizeof(sc->text), "%s > %g x %s", names[i], c->achieved, c->load.name);
		c->per_load[c->nr_conds++] = c->achieved;
	}
	return 0;
}

/* The conditions with the metric names the runs recorded, once some run has. */
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
	c->nr_conds = 0;
	for (size_t k = 0; k < c->slo.n && !r; k++) {
		c->conds[k] = c->slo.conds[k];
		c->per_load[k] = 0;
		r = slo_metric_resolve(&c->slo.conds[k], names, n, c->conds[k].metric, sizeof(c->conds[k].metric), err,
				       errlen);
		c->nr_conds++;
	}
	if (!r)
		r = achieved_add(c, names, n, err, errlen);
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

/* A condition's value at a probe: the SLO's, or the share of the load to reach. */
double capacity_cond_value(const struct capacity *c, size_t k, int64_t load)
{
	return c->per_load[k] > 0 ? c->per_load[k] * (double)load : c->conds[k].value;
}

static void probe_decide(struct capacity *c, struct capacity_probe *p, double *const *v, const size_t *n)
{
	/* Bonferroni over every condition tested, the load's own among them */
	double alpha = (1 - c->confidence) / (double)(c->nr_conds ? c->nr_conds : 1);
	for (size_t k = 0; k < c->nr_conds; k++) {
		struct slo_cond cond = c->conds[k];
		cond.value = capacity_cond_value(c, k, p->load);
		slo_cond_check(&cond, v[k], n[k], alpha, &p->checks[k]);
	}
	p->verdict = slo_combine(p->checks, c->nr_conds);
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
	double **vals = calloc(np * CAPACITY_CONDS + 1, sizeof(*vals));
	size_t *nv = calloc(np * CAPACITY_CONDS + 1, sizeof(*nv));
	if (!vals || !nv)
		goto oom;
	for (size_t i = 0; i < np * CAPACITY_CONDS; i++)
		if (!(vals[i] = calloc(per, sizeof(double))))
			goto oom;
	for (size_t k = 0; c->resolved && k < c->nr_conds; k++) {
		/* condition k's values: vals[k * np + probe] */
		struct values_arg a = { c, vals + k * np, nv + k * np };
		if (store_metric_values_read(s, c->conds[k].metric, value_take, &a, err, errlen))
			goto out;
	}
	for (size_t i = 0; i < np; i++) {
		struct capacity_probe *p = &c->probes[i];
		double *pv[CAPACITY_CONDS];
		size_t pn[CAPACITY_CONDS];
		if (p->decided || p->done + p->failed < p->runs || !c->resolved)
			continue;
		for (size_t k = 0; k < c->nr_conds; k++) {
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
	for (size_t i = 0; vals && i < np * CAPACITY_CONDS; i++)
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
						   .nr_checks = c->resolved ? c->nr_conds : 0 };
		snprintf(sp.verdict, sizeof(sp.verdict), "%s", slo_verdict_name(p->decided ? p->verdict : SLO_UNSURE));
		snprintf(sp.note, sizeof(sp.note), "%s", p->note);
		for (size_t k = 0; k < sp.nr_checks && k < STORE_CAPACITY_CONDS; k++) {
			struct store_capacity_check *ck = &sp.checks[k];
			snprintf(ck->metric, sizeof(ck->metric), "%s", c->conds[k].metric);
			ck->op = c->conds[k].op == SLO_BELOW ? '<' : '>';
			ck->value = capacity_cond_value(c, k, p->load);
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
