/*
 * The rounds of a capacity search: each base's search says what to probe next (or
 * that an inconclusive probe needs more runs), the round's runs go through `vmsweep
 * run`'s runner into the store, and the verdicts move each search on. The bases'
 * searches go side by side, so that a round has runs for every worker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capacity/capacity.h"
#include "capacity/round_plan.h"
#include "cmd/cmd.h"
#include "cmd/run.h"
#include "store/capacity.h"
#include "store/query.h"
#include "util/error.h"
#include "vmm/vm.h"

#define MORE_RUNS 2 /* runs added to an inconclusive probe each round */

static struct capacity_probe *probe_add(struct capacity *c, size_t base, int64_t load)
{
	if (c->nr_probes == c->cap_probes) {
		size_t cap = c->cap_probes ? 2 * c->cap_probes : 16;
		struct capacity_probe *p = realloc(c->probes, cap * sizeof(*p));
		if (!p)
			return NULL;
		c->probes = p;
		c->cap_probes = cap;
	}
	struct capacity_probe *p = &c->probes[c->nr_probes];
	memset(p, 0, sizeof(*p));
	p->base = base;
	p->load = load;
	p->runs = c->runs;
	p->seq = c->bases[base].search.nr_probes;
	c->bases[base].current = (long)c->nr_probes++;
	return p;
}

/* Each base's next step; false when every search is over. */
static bool searches_advance(struct capacity *c, char *err, size_t errlen, bool *oom)
{
	bool active = false;
	*oom = false;
	for (size_t b = 0; b < c->base.nr_points; b++) {
		struct capacity_base *base = &c->bases[b];
		if (base->finished)
			continue;
		struct capacity_probe *cur = base->current >= 0 ? &c->probes[base->current] : NULL;
		if (cur && !cur->decided) {
			if (cur->done + cur->failed >= cur->runs) /* inconclusive: more runs */
				cur->runs = cur->runs + MORE_RUNS > c->max_runs ? c->max_runs : cur->runs + MORE_RUNS;
			active = true;
			continue;
		}
		int64_t next = capacity_search_next(&base->search);
		if (next < 0) {
			base->finished = true;
			continue;
		}
		if (!probe_add(c, b, next)) {
			*oom = true;
			errorf(err, errlen, "out of memory");
			return false;
		}
		active = true;
	}
	return active;
}

/* What the round plans: the points the store holds (a search run again into its
 * directory takes them up) and every probe, each with the runs it has or wants. */
static int wants_list(struct capacity *c, struct round_want **out, size_t *nout, char *err, size_t errlen)
{
	struct store *s = NULL;
	struct store_point *pts = NULL;
	size_t npts = 0, np = c->cfg.nr_params;
	*out = NULL;
	*nout = 0;
	if (store_open(c->dir, false, &s, err, errlen) == 0) {
		char **names = NULL;
		size_t nn = 0;
		int r = store_params_list(s, &names, &nn, err, errlen);
		if (!r && nn == np)
			r = store_points_list(s, np, &pts, &npts, err, errlen);
		store_names_free(names, nn);
		store_close(s);
		if (r)
			return -1;
	}
	struct round_want *w = calloc(npts + c->nr_probes + 1, sizeof(*w));
	size_t n = 0;
	if (!w) {
		store_points_free(pts, npts);
		return errorf(err, errlen, "out of memory");
	}
	for (size_t i = 0; i < npts; i++)
		for (size_t b = 0; b < c->base.nr_points; b++)
			if (!memcmp(sweep_plan_point(&c->base, b), pts[i].values, (np - 1) * sizeof(int64_t))) {
				size_t runs = pts[i].nr_planned + pts[i].nr_done + pts[i].nr_failed;
				w[n++] = (struct round_want){ b, pts[i].values[np - 1], (unsigned)(runs ? runs : 1) };
				break;
			}
	store_points_free(pts, npts);
	for (size_t i = 0; i < c->nr_probes; i++) {
		const struct capacity_probe *p = &c->probes[i];
		size_t j;
		for (j = 0; j < n; j++)
			if (w[j].base == p->base && w[j].load == p->load)
				break;
		if (j == n)
			w[n++] = (struct round_want){ p->base, p->load, p->runs };
		else if (w[j].runs < p->runs)
			w[j].runs = p->runs;
	}
	*out = w;
	*nout = n;
	return 0;
}

/* Each probe's point in the store, from a run of it in the plan. */
static int probes_locate(struct capacity *c, const struct sweep_ctx *ctx, char *err, size_t errlen)
{
	const struct sweep_plan *plan = ctx->plan;
	size_t np = c->cfg.nr_params;
	for (size_t i = 0; i < c->nr_probes; i++) {
		struct capacity_probe *p = &c->probes[i];
		bool found = false;
		for (size_t r = 0; r < plan->nr_runs && !found; r++) {
			const int64_t *v = sweep_plan_point(plan, plan->runs[r].point);
			if (v[np - 1] != p->load || memcmp(v, sweep_plan_point(&c->base, p->base), (np - 1) * sizeof(*v)))
				continue;
			unsigned rep;
			if (store_run_get(ctx->store, ctx->run_ids[r], &p->point_id, &rep, err, errlen) < 0)
				return -1;
			found = true;
		}
		if (!found) {
			char label[512], v[64];
			capacity_base_label(c, p->base, label, sizeof(label));
			return errorf(err, errlen, "%s: [constraints] drop %s=%s at %s: the search cannot probe it",
				      c->cfg.path, c->load.name, load_value_format(&c->cfg, p->load, v, sizeof(v)), label);
		}
	}
	return 0;
}

/* One line per probe decided this round. */
static void probes_say(const struct capacity *c, const bool *was_decided)
{
	for (size_t i = 0; i < c->nr_probes; i++) {
		const struct capacity_probe *p = &c->probes[i];
		char label[512], v[64];
		if (!p->decided || was_decided[i])
			continue;
		capacity_base_label(c, p->base, label, sizeof(label));
		fprintf(stderr, "vmsweep capacity: %s: %s=%s: %zu runs: ", label, c->load.name,
			load_value_format(&c->cfg, p->load, v, sizeof(v)), p->done + p->failed);
		for (size_t k = 0; k < c->nr_conds; k++) {
			const struct slo_cond *sc = &c->conds[k];
			char mean[64], bound[64], value[64];
			slo_value_format(sc, p->checks[k].mean, mean, sizeof(mean));
			slo_value_format(sc, p->checks[k].bound, bound, sizeof(bound));
			slo_value_format(sc, capacity_cond_value(c, k, p->load), value, sizeof(value));
			fprintf(stderr, "%s%s mean %s, bound %s %c %s", k ? "; " : "", sc->metric, mean, bound,
				sc->op == SLO_BELOW ? '<' : '>', value);
		}
		fprintf(stderr, ": %s%s%s%s\n", slo_verdict_name(p->verdict), p->note[0] ? " (" : "", p->note,
			p->note[0] ? ")" : "");
	}
}

/* The search's settings checked against those the store holds (a refusal when it holds
 * another search), and written when write. */
static int settings_keep(struct capacity *c, struct store *s, bool write, bool *usage, char *err, size_t errlen)
{
	char range[128], a[64], b[64], runs[64], conf[32], achieved[32];
	snprintf(range, sizeof(range), "%s..%s", load_value_format(&c->cfg, c->load.light, a, sizeof(a)),
		 load_value_format(&c->cfg, c->load.heavy, b, sizeof(b)));
	snprintf(runs, sizeof(runs), "%u", c->runs);
	snprintf(conf, sizeof(conf), "%g", c->confidence);
	snprintf(achieved, sizeof(achieved), "%g", c->achieved);
	const char *kv[][2] = {
		{ "capacity.slo", c->slo_text },
		{ "capacity.load", c->load.name },
		{ "capacity.range", range },
		{ "capacity.resolution", c->resolution_text },
		{ "capacity.confidence", conf },
		{ "capacity.runs", runs },
		{ "capacity.achieved", achieved },
	};
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		char *was = NULL;
		if (store_manifest_get(s, kv[i][0], &was, err, errlen))
			return -1;
		if (was && strcmp(was, kv[i][1])) {
			*usage = true;
			errorf(err, errlen, "%s holds a search with %s '%s', not '%s': a directory holds one search; give"
				      " another --out", c->dir, kv[i][0] + strlen("capacity."), was, kv[i][1]);
			free(was);
			return -1;
		}
		free(was);
		if (write && store_manifest_set(s, kv[i][0], kv[i][1], err, errlen))
			return -1;
	}
	if (!write)
		return 0;
	char maxr[32], test[600];
	snprintf(maxr, sizeof(maxr), "%u", c->max_runs);
	snprintf(test, sizeof(test),
		 "the one-sided t bound on the mean of each condition's per-run metric over the probe's runs is on the"
		 " condition's side of its value, each condition at 1 - %g / k with k conditions (Bonferroni: %g %% for"
		 " them all)%s; an inconclusive probe gets %d more runs, up to %u, and then counts as failing",
		 1 - c->confidence, 100 * c->confidence,
		 c->achieved > 0 && (!strcmp(c->load.name, "fio.rate_iops") || !strcmp(c->load.name, "fio.rate"))
			 ? "; besides the SLO's, each fio job direction must reach the load (its iops or bw_bytes above"
			   " --achieved times the load)"
			 : "",
		 MORE_RUNS, c->max_runs);
	return store_manifest_set(s, "capacity.max_runs", maxr, err, errlen) ||
	       store_manifest_set(s, "capacity.test", test, err, errlen) ||
	       store_manifest_set(s, "capacity.reversed", c->load.reversed ? "1" : "0", err, errlen);
}

/* One round: the plan of every probe, its new runs run, the verdicts taken. */
static int round_run(struct capacity *c, bool *usage, bool *interrupted, char *err, size_t errlen)
{
	struct round_want *w = NULL;
	size_t nw = 0;
	struct sweep_plan plan;
	struct sweep_ctx ctx = { .cfg = &c->cfg, .plan = &plan, .grows = true, .nr_workers = c->jobs };
	bool *was = NULL;
	int r = -1;

	memset(&plan, 0, sizeof(plan));
	*interrupted = false;
	if (wants_list(c, &w, &nw, err, errlen) || round_plan_build(&c->cfg, &c->base, w, nw, &plan, err, errlen))
		goto out;
	if (compile_workloads(&c->cfg, &plan, &ctx, err, errlen)) {
		*usage = true;
		goto out;
	}
	vm_default_kernel_path(ctx.kernel, sizeof(ctx.kernel));
	ctx.dir = c->dir;
	ctx.noise_base = c->noise_base;
	if (run_store_setup(&ctx, c->dir, usage, err, errlen) || store_capacity_prepare(ctx.store, err, errlen) ||
	    settings_keep(c, ctx.store, true, usage, err, errlen) || probes_locate(c, &ctx, err, errlen))
		goto out;
	if (ctx.nr_pending) {
		if (run_backends_begin(&ctx, err, errlen)) {
			run_backends_end(&ctx);
			goto out;
		}
		runs_execute(&ctx);
		run_backends_end(&ctx);
	}
	size_t *left = NULL, nleft = 0;
	if (store_runs_pending(ctx.store, &left, &nleft, err, errlen))
		goto out;
	free(left);
	if (nleft) {
		*interrupted = true;
		r = 0;
		goto out;
	}
	if (!(was = calloc(c->nr_probes + 1, sizeof(*was)))) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < c->nr_probes; i++)
		was[i] = c->probes[i].decided;
	if (capacity_verdicts_take(c, ctx.store, err, errlen)) {
		*usage = c->resolved == false;
		goto out;
	}
	probes_say(c, was);
	r = capacity_evidence_write(c, ctx.store, err, errlen);
out:
	free(was);
	free(w);
	run_store_free(&ctx);
	release_workloads(&ctx);
	sweep_plan_free(&plan);
	return r;
}

int capacity_rounds_run(struct capacity *c, bool *usage, char *err, size_t errlen)
{
	bool oom, interrupted;
	struct store *s;
	*usage = false;
	/* refused before the first round writes its plan into another search's store */
	if (store_open(c->dir, false, &s, err, errlen) == 0) {
		int r = settings_keep(c, s, false, usage, err, errlen);
		store_close(s);
		if (r)
			return -1;
	}
	for (size_t b = 0; b < c->base.nr_points; b++) {
		capacity_search_init(&c->bases[b].search, &c->range);
		c->bases[b].current = -1;
	}
	while (searches_advance(c, err, errlen, &oom)) {
		if (round_run(c, usage, &interrupted, err, errlen))
			return -1;
		if (interrupted)
			return EXIT_INTERRUPTED;
	}
	return oom ? -1 : 0;
}
