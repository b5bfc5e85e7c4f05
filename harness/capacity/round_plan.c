/* The plan of a capacity search's round; see round_plan.h. */
#include <stdlib.h>
#include <string.h>

#include "capacity/round_plan.h"
#include "util/error.h"

static int load_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* The wanted point that full point values are, or -1. */
static long want_find(const struct sweep_plan *base, const struct round_want *w, size_t nw, const int64_t *values,
		      size_t nr_params)
{
	for (size_t j = 0; j < nw; j++)
		if (w[j].load == values[nr_params - 1] &&
		    !memcmp(sweep_plan_point(base, w[j].base), values, (nr_params - 1) * sizeof(*values)))
			return (long)j;
	return -1;
}

int round_plan_build(struct sweep_config *cfg, const struct sweep_plan *base, const struct round_want *w, size_t nw,
		     struct sweep_plan *out, char *err, size_t errlen)
{
	struct sweep_param *load = &cfg->params[cfg->nr_params - 1];
	int64_t *saved_values = load->values, *loads = calloc(nw + 1, sizeof(*loads));
	size_t saved_nr = load->nr_values, nr_loads = 0, np = cfg->nr_params;
	unsigned saved_repeat = cfg->repeat, repeat = 1;
	struct sweep_plan full;
	long *want_of = NULL;
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (!loads)
		return errorf(err, errlen, "out of memory");
	for (size_t j = 0; j < nw; j++) {
		loads[nr_loads++] = w[j].load;
		if (w[j].runs > repeat)
			repeat = w[j].runs;
	}
	qsort(loads, nr_loads, sizeof(*loads), load_cmp);
	size_t k = 0;
	for (size_t j = 0; j < nr_loads; j++)
		if (!k || loads[k - 1] != loads[j])
			loads[k++] = loads[j];
	load->values = loads;
	load->nr_values = k ? k : 1;
	if (!k)
		loads[0] = saved_values[0];
	cfg->repeat = repeat;
	int planned = sweep_plan(cfg, &full, err, errlen);
	load->values = saved_values;
	load->nr_values = saved_nr;
	cfg->repeat = saved_repeat;
	free(loads);
	if (planned)
		return -1;

	out->nr_params = np;
	out->nr_grid = full.nr_grid;
	out->values = calloc(nw * np + 1, sizeof(*out->values));
	out->runs = calloc(full.nr_runs + 1, sizeof(*out->runs));
	want_of = calloc(full.nr_points + 1, sizeof(*want_of));
	long *index_of = calloc(nw + 1, sizeof(*index_of));
	if (!out->values || !out->runs || !want_of || !index_of) {
		errorf(err, errlen, "out of memory");
		free(index_of);
		goto out;
	}
	/* the points in the order of w; a point planned twice (two wants alike) taken once */
	for (size_t j = 0; j < nw; j++)
		index_of[j] = -1;
	for (size_t i = 0; i < full.nr_points; i++) {
		want_of[i] = want_find(base, w, nw, sweep_plan_point(&full, i), np);
		if (want_of[i] >= 0 && index_of[want_of[i]] < 0)
			index_of[want_of[i]] = 0;
		else
			want_of[i] = -1;
	}
	for (size_t j = 0; j < nw; j++)
		if (index_of[j] == 0) {
			index_of[j] = (long)out->nr_points;
			for (size_t i = 0; i < full.nr_points; i++)
				if (want_of[i] == (long)j)
					memcpy(out->values + out->nr_points * np, sweep_plan_point(&full, i),
					       np * sizeof(*out->values));
			out->nr_points++;
		}
	for (size_t i = 0; i < full.nr_runs; i++) {
		struct sweep_run run = full.runs[i];
		long j = want_of[run.point];
		if (j < 0 || run.rep >= w[j].runs)
			continue;
		run.point = (size_t)index_of[j];
		run.index = out->nr_runs;
		out->runs[out->nr_runs++] = run;
	}
	free(index_of);
	r = 0;
out:
	free(want_of);
	sweep_plan_free(&full);
	if (r)
		sweep_plan_free(out);
	return r;
}
