/* A comparison as JSON, for scripts: every cell with its numbers and verdict. */
#include <jansson.h>
#include <math.h>

#include "compare/compare.h"
#include "util/json_out.h"

/* NaN and infinities are not JSON: null. */
static json_t *real(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *cell_json(const struct compare *c, size_t row, size_t m, size_t s)
{
	const struct compare_cell *cell = compare_cell(c, row, m, s);
	json_t *o = json_object();
	o = json_put(o, "point", json_string(c->rows[row].label));
	o = json_put(o, "metric", json_string(c->metrics[m].name));
	o = json_put(o, "sweep", json_string(c->sweeps[s].dir));
	o = json_put(o, "n_base", json_integer((json_int_t)cell->n_base));
	o = json_put(o, "n_new", json_integer((json_int_t)cell->n_new));
	o = json_put(o, "median_base", real(cell->median_base));
	o = json_put(o, "median_new", real(cell->median_new));
	o = json_put(o, "change", real(cell->change));
	json_t *ci = json_array();
	ci = json_push(ci, real(cell->lo));
	ci = json_push(ci, real(cell->hi));
	o = json_put(o, "change_ci", ci);
	o = json_put(o, "ci_confidence", real(cell->achieved));
	o = json_put(o, "p", real(cell->p));
	o = json_put(o, "p_adjusted", real(cell->p_adjusted));
	o = json_put(o, "test", cell->verdict == VERDICT_MISSING ? json_null() : json_string(compare_test_name(cell->test)));
	return json_put(o, "verdict", json_string(compare_verdict_name(cell->verdict)));
}

int compare_json_write(FILE *f, const struct compare *c)
{
	json_t *root = json_object(), *sweeps = json_array(), *diffs = json_object(), *metrics = json_array(),
	       *cells = json_array(), *summary = json_object();
	for (size_t s = 0; s < c->nr_sweeps; s++)
		sweeps = json_push(sweeps, json_pack("{s:s, s:I, s:I}", "dir", c->sweeps[s].dir, "runs_done",
						     (json_int_t)c->sweeps[s].r.nr_done, "points_unmatched",
						     (json_int_t)c->nr_unmatched[s]));
	for (size_t d = 0; d < c->nr_diffs; d++) {
		json_t *v = json_array();
		for (size_t s = 0; s < c->nr_sweeps; s++)
			v = json_push(v, c->diffs[d].values[s] ? json_string(c->diffs[d].values[s]) : json_null());
		diffs = json_put(diffs, c->diffs[d].key, v);
	}
	for (size_t m = 0; m < c->nr_metrics; m++)
		metrics = json_push(metrics, json_pack("{s:s, s:s}", "name", c->metrics[m].name, "better",
						       c->metrics[m].better > 0   ? "higher"
						       : c->metrics[m].better < 0 ? "lower"
										  : "none"));
	for (size_t row = 0; row < c->nr_rows; row++)
		for (size_t m = 0; m < c->nr_metrics; m++)
			for (size_t s = 1; s < c->nr_sweeps; s++)
				cells = json_push(cells, cell_json(c, row, m, s));
	for (int v = 0; v <= VERDICT_CHANGED; v++)
		summary = json_put(summary, compare_verdict_name((enum compare_verdict)v),
				   json_integer((json_int_t)c->nr_verdict[v]));
	root = json_put(root, "sweeps", sweeps);
	root = json_put(root, "threshold", json_real(c->opt.threshold));
	root = json_put(root, "alpha", json_real(c->opt.alpha));
	root = json_put(root, "confidence", json_real(c->opt.conf));
	root = json_put(root, "test", json_string(compare_test_name(c->opt.test)));
	root = json_put(root, "manifest_differences", diffs);
	root = json_put(root, "metrics", metrics);
	root = json_put(root, "cells", cells);
	root = json_put(root, "summary", summary);
	int rc = root ? json_dumpf(root, f, JSON_INDENT(2)) : -1;
	json_decref(root);
	fputc('\n', f);
	return rc || ferror(f) ? -1 : 0;
}
