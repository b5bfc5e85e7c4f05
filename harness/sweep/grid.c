/* Grid expansion, constraints and the run order; see grid.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep/expr.h"
#include "sweep/grid.h"
#include "util/knob.h"
#include "util/error.h"
#include "util/hash.h"

uint64_t splitmix64_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t mix(uint64_t x)
{
	return splitmix64_next(&x);
}

/* A uniform integer below n (n > 0), rejecting the few outputs that would bias x % n. */
static uint64_t random_below(uint64_t *state, uint64_t n)
{
	uint64_t threshold = (0 - n) % n, x;

	do
		x = splitmix64_next(state);
	while (x < threshold);
	return x % n;
}

static uint64_t run_seed(const struct sweep_config *c, const int64_t *vals, unsigned rep)
{
	uint64_t h = mix(c->seed);

	for (size_t i = 0; i < c->nr_params; i++) {
		h = mix(h ^ fnv1a64(c->params[i].name, strlen(c->params[i].name)));
		h = mix(h ^ (uint64_t)vals[i]);
	}
	return mix(h ^ rep) & INT64_MAX;
}

/* A factor of the product: one parameter, or a zip group taken together. */
struct factor {
	int zip; /* -1: the parameter alone */
	size_t param, count;
};

static size_t factors_list(const struct sweep_config *c, struct factor *f)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nr_params; i++) {
		const struct sweep_param *p = &c->params[i];
		if (p->zip >= 0) {
			/* a zip is one factor, at the place of its first member in parameter order */
			bool seen = false;
			for (size_t j = 0; j < i; j++)
				seen |= c->params[j].zip == p->zip;
			if (seen)
				continue;
		}
		f[n++] = (struct factor){ p->zip, i, p->nr_values };
	}
	return n;
}

static void point_fill(const struct sweep_config *c, const struct factor *f, size_t nf, const size_t *idx,
		       int64_t *vals)
{
	for (size_t k = 0; k < nf; k++) {
		if (f[k].zip < 0) {
			vals[f[k].param] = c->params[f[k].param].values[idx[k]];
			continue;
		}
		const struct sweep_zip *z = &c->zips[f[k].zip];
		for (size_t m = 0; m < z->nr_params; m++)
			vals[z->params[m]] = c->params[z->params[m]].values[idx[k]];
	}
}

/* 1: the point passes every constraint; 0: it does not; -1: err says why. */
static int point_allowed(const struct sweep_config *c, const int64_t *vals, char *err, size_t errlen)
{
	char cause[256], at[512];
	int64_t r;

	for (size_t i = 0; i < c->nr_constraints; i++) {
		const struct sweep_constraint *k = &c->constraints[i];
		if (sweep_expr_eval(k->expr, vals, &r, cause, sizeof(cause)) == 0) {
			if (!r)
				return 0;
			continue;
		}
		size_t o = 0;
		for (size_t j = 0; j < c->nr_params && o < sizeof(at); j++)
			o += (size_t)snprintf(at + o, sizeof(at) - o, "%s%s=%lld", j ? ", " : "", c->params[j].name,
					      (long long)vals[j]);
		return errorf_at(err, errlen, c->path, k->line, "constraint '%s': %s at the point %s", k->text, cause,
				 at);
	}
	return 1;
}

static int points_expand(const struct sweep_config *c, struct sweep_plan *p, char *err, size_t errlen)
{
	size_t nf, cap = 0, *idx = NULL;
	struct factor *f = calloc(c->nr_params + 1, sizeof(*f));
	int64_t *vals = calloc(c->nr_params + 1, sizeof(*vals));
	int ret = -1;

	if (!f || !vals)
		goto nomem;
	nf = factors_list(c, f);
	p->nr_grid = 1;
	for (size_t k = 0; k < nf; k++) {
		if (f[k].count && p->nr_grid > SWEEP_GRID_MAX / f[k].count) {
			errorf_at(err, errlen, c->path, c->params_line, "[params]: more than %d grid points",
				  SWEEP_GRID_MAX);
			goto out;
		}
		p->nr_grid *= f[k].count;
	}
	if (!(idx = calloc(nf + 1, sizeof(*idx))))
		goto nomem;
	for (size_t g = 0; g < p->nr_grid; g++) {
		point_fill(c, f, nf, idx, vals);
		int ok = point_allowed(c, vals, err, errlen);
		if (ok < 0)
			goto out;
		if (ok) {
			if (p->nr_points == SWEEP_POINTS_MAX) {
				errorf_at(err, errlen, c->path, c->params_line,
					  "[params]: more than %d points after the constraints", SWEEP_POINTS_MAX);
				goto out;
			}
			if (p->nr_points == cap) {
				cap = cap ? cap * 2 : 64;
				int64_t *nv = realloc(p->values, cap * (c->nr_params + 1) * sizeof(*nv));
				if (!nv)
					goto nomem;
				p->values = nv;
			}
			memcpy(p->values + p->nr_points * c->nr_params, vals, c->nr_params * sizeof(*vals));
			p->nr_points++;
		} else {
			p->nr_filtered++;
		}
		/* the next index, last factor fastest */
		for (size_t k = nf; k-- > 0;) {
			if (++idx[k] < f[k].count)
				break;
			idx[k] = 0;
		}
	}
	if (!p->nr_points) {
		errorf_at(err, errlen, c->path, c->constraints_line ? c->constraints_line : c->params_line,
			  "[constraints]: no run left after the constraints (%zu grid point%s, all filtered out)",
			  p->nr_grid, p->nr_grid == 1 ? "" : "s");
		goto out;
	}
	ret = 0;
	goto out;
nomem:
	errorf(err, errlen, "%s: out of memory", c->path);
out:
	free(f);
	free(vals);
	free(idx);
	return ret;
}

static int runs_order(const struct sweep_config *c, struct sweep_plan *p, char *err, size_t errlen)
{
	if (p->nr_points > SWEEP_RUNS_MAX / c->repeat)
		return errorf_at(err, errlen, c->path, c->params_line, "%zu points x repeat %u: more than %d runs",
				 p->nr_points, c->repeat, SWEEP_RUNS_MAX);
	p->nr_runs = p->nr_points * c->repeat;
	p->runs = calloc(p->nr_runs, sizeof(*p->runs));
	if (!p->runs)
		return errorf(err, errlen, "%s: out of memory", c->path);
	/* repeat = auto in random order goes round by round (every point's repetition r,
	 * shuffled, before any point's r + 1), so that a point's earlier runs are in when
	 * the runner decides whether it needs the next. */
	bool rounds = c->auto_repeat.on && c->order == SWEEP_ORDER_RANDOM;
	for (size_t i = 0; i < p->nr_points; i++)
		for (unsigned r = 0; r < c->repeat; r++)
			p->runs[rounds ? r * p->nr_points + i : i * c->repeat + r] = (struct sweep_run){
				.point = i, .rep = r, .seed = run_seed(c, sweep_plan_point(p, i), r) };
	if (c->order == SWEEP_ORDER_RANDOM) {
		uint64_t state = c->seed;
		size_t span = rounds ? p->nr_points : p->nr_runs;
		for (size_t base = 0; base < p->nr_runs; base += span)
			for (size_t i = span; i > 1; i--) {
				size_t j = (size_t)random_below(&state, i);
				struct sweep_run t = p->runs[base + i - 1];
				p->runs[base + i - 1] = p->runs[base + j];
				p->runs[base + j] = t;
			}
	}
	for (size_t i = 0; i < p->nr_runs; i++)
		p->runs[i].index = i;
	return 0;
}

int sweep_plan(const struct sweep_config *c, struct sweep_plan *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->nr_params = c->nr_params;
	if (c->repeat < 1)
		return errorf(err, errlen, "%s: repeat must be at least 1", c->path);
	if (points_expand(c, p, err, errlen) || runs_order(c, p, err, errlen)) {
		sweep_plan_free(p);
		return -1;
	}
	return 0;
}

void sweep_plan_free(struct sweep_plan *p)
{
	free(p->values);
	free(p->runs);
	memset(p, 0, sizeof(*p));
}

void sweep_point_apply(const struct sweep_config *c, const struct sweep_plan *p, size_t point, struct vm_config *vm)
{
	const int64_t *vals = sweep_plan_point(p, point);

	vm->mem_size = c->mem_size;
	vm->nr_cpus = c->nr_cpus;
	vm->topo = c->topo;
	vm->pin = c->pin;
	vm->hz = c->hz;
	vm->prefault = true;
	vm->timeout_ns = c->timeout_ns;
	vm->blk_poll_ns = c->blk_poll_ns;
	vm->hugepages = c->hugepages;
	memcpy(vm->knobs, c->knobs, sizeof(vm->knobs));
	vm->nr_disks = c->nr_disks;
	memcpy(vm->disks, c->disks, sizeof(vm->disks));
	for (size_t i = 0; i < c->nr_params; i++) {
		const struct sweep_param *prm = &c->params[i];
		switch (prm->kind) {
		case SWEEP_PARAM_KNOB: knob_assign(vm->knobs, prm->knob, vals[i]); break;
		case SWEEP_PARAM_MEMORY: vm->mem_size = (uint64_t)vals[i]; break;
		case SWEEP_PARAM_VCPUS: vm->nr_cpus = (unsigned)vals[i]; break;
		case SWEEP_PARAM_HZ: vm->hz = (unsigned)vals[i]; break;
		case SWEEP_PARAM_TOPOLOGY:
			vm->topo = cpu_topology_unpack(vals[i]);
			vm->nr_cpus = cpu_topology_nr_cpus(&vm->topo);
			break;
		case SWEEP_PARAM_PIN: vm->pin = (struct vm_pin){ .mode = (enum vm_pin_mode)vals[i] }; break;
		case SWEEP_PARAM_BACKEND: vm->backend = (unsigned)vals[i]; break;
		case SWEEP_PARAM_FIO: /* the point's workload: sweep/point_workload.c */
		case SWEEP_PARAM_JOB: break;
		}
	}
}

void sweep_run_apply(const struct sweep_config *c, const struct sweep_plan *p, size_t run, struct vm_config *vm)
{
	sweep_point_apply(c, p, p->runs[run].point, vm);
	vm->seed = p->runs[run].seed;
}
