/* A sweep's plan printed for people (a table) and programs (JSON). */
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fio/sweep_options.h"
#include "sweep/plan_print.h"
#include "util/knob.h"
#include "util/param_word.h"

const char *sweep_value_format(const struct sweep_param *prm, int64_t v, char *buf, size_t len)
{
	if (prm->kind == SWEEP_PARAM_FIO)
		return fio_sweep_value_format(prm->knob, v, buf, len);
	if (prm->kind == SWEEP_PARAM_JOB && v >= 0 && (size_t)v < prm->nr_values) {
		const char *path = prm->job_paths[v], *slash = strrchr(path, '/');
		snprintf(buf, len, "%s", slash ? slash + 1 : path); /* the file's name */
		return buf;
	}
	if ((prm->kind == SWEEP_PARAM_TOPOLOGY || prm->kind == SWEEP_PARAM_PIN || prm->kind == SWEEP_PARAM_BACKEND) &&
	    param_value_word(prm->name, v))
		snprintf(buf, len, "%s", param_value_word(prm->name, v));
	else if (prm->kind == SWEEP_PARAM_KNOB && knob_value_word(prm->knob, v))
		snprintf(buf, len, "%s", knob_value_word(prm->knob, v)); /* watermark_model = 2.6, not 1 */
	else if (prm->kind == SWEEP_PARAM_MEMORY && v > 0 && v % (1ll << 30) == 0)
		snprintf(buf, len, "%" PRId64 "G", v >> 30);
	else if (prm->kind == SWEEP_PARAM_MEMORY && v > 0 && v % (1ll << 20) == 0)
		snprintf(buf, len, "%" PRId64 "M", v >> 20);
	else
		snprintf(buf, len, "%" PRId64, v);
	return buf;
}

static void counts_print(FILE *f, const struct sweep_config *c, const struct sweep_plan *p)
{
	const struct sweep_repeat *ar = &c->auto_repeat;
	if (ar->on) {
		fprintf(f, "%zu point%s (%zu of %zu grid point%s filtered out by the constraints) x %u..%u repetitions "
			   "(repeat = auto: until the 95 %% interval of %s%s is within %.3g %% of the mean) = at most %zu "
			   "runs, round by round\n",
			p->nr_points, p->nr_points == 1 ? "" : "s", p->nr_filtered, p->nr_grid, p->nr_grid == 1 ? "" : "s",
			ar->min, ar->max, ar->metrics[0], ar->nr_metrics > 1 ? " and the other ci_metrics" : "",
			100 * ar->ci, p->nr_runs);
		return;
	}
	fprintf(f, "%zu point%s (%zu of %zu grid point%s filtered out by the constraints) x %u repetition%s = %zu run%s\n",
		p->nr_points, p->nr_points == 1 ? "" : "s", p->nr_filtered, p->nr_grid, p->nr_grid == 1 ? "" : "s",
		c->repeat, c->repeat == 1 ? "" : "s", p->nr_runs, p->nr_runs == 1 ? "" : "s");
}

/* The width of a parameter's column: its name or its widest value. */
static int param_width(const struct sweep_param *prm)
{
	char buf[32];
	int w = (int)strlen(prm->name);

	for (size_t v = 0; v < prm->nr_values; v++) {
		int l = (int)strlen(sweep_value_format(prm, prm->values[v], buf, sizeof(buf)));
		w = l > w ? l : w;
	}
	return w;
}

void sweep_plan_print(FILE *f, const struct sweep_config *c, const struct sweep_plan *p)
{
	char buf[32];

	fprintf(f, "sweep %s (%s): %s order, seed %" PRIu64 ", ", c->name, c->path, sweep_order_name(c->order),
		c->seed);
	if (c->timeout_ns)
		fprintf(f, "timeout %.3gs per run, %u at a time\n", (double)c->timeout_ns / 1e9, c->jobs);
	else
		fprintf(f, "no timeout, %u at a time\n", c->jobs);
	fprintf(f, "workload: ");
	if (!c->nr_job_files)
		fprintf(f, "built-in");
	for (size_t i = 0; i < c->nr_job_files; i++)
		fprintf(f, "%s%s", i ? ", " : "", c->job_files[i].path);
	for (size_t i = 0; i < c->nr_sections; i++)
		fprintf(f, "%s%s", i ? ", " : " (sections ", c->sections[i]);
	fprintf(f, "%s\n", c->nr_sections ? ")" : "");
	for (size_t i = 0; i < c->nr_constraints; i++)
		fprintf(f, "constraint: %s\n", c->constraints[i].text);

	int pw[VMS_KNOB_COUNT + 3]; /* each parameter is listed once */
	for (size_t i = 0; i < c->nr_params && i < sizeof(pw) / sizeof(pw[0]); i++)
		pw[i] = param_width(&c->params[i]);
	int wrun = snprintf(buf, sizeof(buf), "%zu", p->nr_runs), wpt = snprintf(buf, sizeof(buf), "%zu", p->nr_points);
	wrun = wrun < 3 ? 3 : wrun;
	wpt = wpt < 5 ? 5 : wpt;
	fprintf(f, "%*s  %*s  %3s  %19s", wrun, "run", wpt, "point", "rep", "seed");
	for (size_t i = 0; i < c->nr_params; i++)
		fprintf(f, "  %*s", pw[i], c->params[i].name);
	fprintf(f, "\n");
	for (size_t r = 0; r < p->nr_runs; r++) {
		const struct sweep_run *run = &p->runs[r];
		const int64_t *vals = sweep_plan_point(p, run->point);
		fprintf(f, "%*zu  %*zu  %3u  %19" PRIu64, wrun, run->index, wpt, run->point, run->rep, run->seed);
		for (size_t i = 0; i < c->nr_params; i++)
			fprintf(f, "  %*s", pw[i], sweep_value_format(&c->params[i], vals[i], buf, sizeof(buf)));
		fprintf(f, "\n");
	}
	counts_print(f, c, p);
}

static json_t *values_json(const struct sweep_config *c, const int64_t *vals)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < c->nr_params; i++)
		json_object_set_new(o, c->params[i].name, json_integer((json_int_t)vals[i]));
	return o;
}

static json_t *plan_json(const struct sweep_config *c, const struct sweep_plan *p)
{
	json_t *params = json_array(), *points = json_array(), *runs = json_array(), *jobs = json_array(),
	       *constraints = json_array(), *disks = json_array(), *knobs = json_object();

	for (size_t i = 0; i < c->nr_params; i++) {
		const struct sweep_param *prm = &c->params[i];
		json_t *vals = json_array();
		for (size_t v = 0; v < prm->nr_values; v++)
			json_array_append_new(vals, json_integer((json_int_t)prm->values[v]));
		json_array_append_new(params, json_pack("{s:s, s:s, s:o, s:o}", "name", prm->name, "kind",
							sweep_param_kind_name(prm->kind), "values", vals, "zip",
							prm->zip >= 0 ? json_integer(prm->zip) : json_null()));
	}
	for (size_t i = 0; i < c->nr_constraints; i++)
		json_array_append_new(constraints, json_string(c->constraints[i].text));
	for (size_t i = 0; i < c->nr_job_files; i++)
		json_array_append_new(jobs, json_string(c->job_files[i].path));
	for (unsigned i = 0; i < c->nr_disks; i++)
		json_array_append_new(disks, json_string(c->disks[i].path));
	for (int i = 0; i < VMS_KNOB_COUNT; i++)
		if (c->knobs[i] != knob_table[i].def)
			json_object_set_new(knobs, knob_table[i].name, json_integer((json_int_t)c->knobs[i]));
	for (size_t i = 0; i < p->nr_points; i++)
		json_array_append_new(points, json_pack("{s:I, s:o}", "point", (json_int_t)i, "values",
							values_json(c, sweep_plan_point(p, i))));
	for (size_t r = 0; r < p->nr_runs; r++) {
		const struct sweep_run *run = &p->runs[r];
		json_array_append_new(runs, json_pack("{s:I, s:I, s:i, s:I, s:o}", "run", (json_int_t)run->index,
						      "point", (json_int_t)run->point, "rep", (int)run->rep, "seed",
						      (json_int_t)run->seed, "values",
						      values_json(c, sweep_plan_point(p, run->point))));
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:i, s:I, s:i, s:{s:I, s:i, s:i, s:o, s:o}, s:o, s:o, s:o, "
			 "s:{s:I, s:I, s:I, s:I}, s:o, s:o}",
			 "name", c->name, "config", c->path, "order", sweep_order_name(c->order), "seed",
			 (json_int_t)c->seed, "repeat", (int)c->repeat, "timeout_ns", (json_int_t)c->timeout_ns,
			 "jobs", (int)c->jobs, "guest", "memory_bytes", (json_int_t)c->mem_size, "vcpus",
			 (int)c->nr_cpus, "hz", (int)c->hz, "disks", disks, "knobs", knobs, "workload", jobs,
			 "parameters", params, "constraints", constraints, "counts", "grid", (json_int_t)p->nr_grid,
			 "filtered", (json_int_t)p->nr_filtered, "points", (json_int_t)p->nr_points, "runs",
			 (json_int_t)p->nr_runs, "points", points, "runs", runs);
	const struct sweep_repeat *ar = &c->auto_repeat;
	if (o && ar->on) { /* "repeat" is then max_repeat: the runs planned */
		json_t *m = json_array();
		for (size_t i = 0; i < ar->nr_metrics; i++)
			json_array_append_new(m, json_string(ar->metrics[i]));
		json_object_set_new(o, "repeat_auto", json_pack("{s:i, s:i, s:f, s:o}", "min_repeat", (int)ar->min,
								"max_repeat", (int)ar->max, "ci", ar->ci, "ci_metric", m));
	}
	return o;
}

int sweep_plan_print_json(FILE *f, const struct sweep_config *c, const struct sweep_plan *p)
{
	json_t *root = plan_json(c, p);

	if (!root || json_dumpf(root, f, JSON_INDENT(2)) != 0) {
		json_decref(root);
		return -1;
	}
	fputc('\n', f);
	json_decref(root);
	return 0;
}
