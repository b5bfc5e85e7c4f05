/*
 * The Capacity section of a report on a `vmsweep capacity` store (store/capacity.h):
 * per point of the other parameters the bracket of the answer (largest passing load,
 * smallest failing load), a figure of the largest passing load against the first
 * parameter (a line per value of the others), and the search's evidence, each probe's
 * runs, the metric's mean and one-sided bound, and its verdict.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/plot_internal.h"
#include "report/report_tables.h"
#include "store/capacity.h"
#include "util/error.h"

struct report_capacity {
	struct store_capacity_answer *answers;
	size_t nr_answers;
	struct store_capacity_probe *probes;
	size_t nr_probes;
	const char *slo, *load, *test, *resolution; /* the manifest's capacity.* (r->manifest owns them) */
	bool reversed; /* a larger value is less load (thinktime): the answer is the smallest passing value */
};

/* A capacity.* key of the manifest, "?" when missing (a store of an older vmsweep). */
static const char *manifest_value(const struct report *r, const char *key)
{
	const char *v = report_manifest_value(r, key);
	return v ? v : "?";
}

int report_capacity_load(struct report *r, char *err, size_t errlen)
{
	bool present;
	if (store_capacity_present(r->store, &present, err, errlen))
		return -1;
	if (!present || !r->nr_params)
		return 0;
	struct report_capacity *c = calloc(1, sizeof(*c));
	if (!c)
		return errorf(err, errlen, "out of memory");
	r->capacity = c;
	c->slo = manifest_value(r, "capacity.slo");
	c->load = manifest_value(r, "capacity.load");
	c->test = manifest_value(r, "capacity.test");
	c->resolution = manifest_value(r, "capacity.resolution");
	c->reversed = !strcmp(manifest_value(r, "capacity.reversed"), "1");
	return store_capacity_answers_read(r->store, r->nr_params, &c->answers, &c->nr_answers, err, errlen) ||
	       store_capacity_probes_read(r->store, &c->probes, &c->nr_probes, err, errlen);
}

void report_capacity_free(struct report *r)
{
	if (!r->capacity)
		return;
	store_capacity_answers_free(r->capacity->answers, r->capacity->nr_answers);
	free(r->capacity->probes);
	free(r->capacity);
	r->capacity = NULL;
}

/* The load is the store's last parameter; the others label a base. */
static void base_label(const struct report *r, const struct store_capacity_answer *a, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = 0;
	for (size_t i = 0; i + 1 < r->nr_params && off < len; i++) {
		char v[64];
		report_value_format(r, i, a->values[i], v, sizeof(v));
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", i ? " " : "", r->params[i], v);
	}
	if (!buf[0])
		snprintf(buf, len, "(all)");
}

static void load_cell(const struct report_table *t, const struct report *r, bool have, int64_t v)
{
	char s[64] = "-";
	if (have)
		report_value_format(r, r->nr_params - 1, v, s, sizeof(s));
	report_table_cell_printf(t, false, "%s", s);
}

void report_capacity_intro(const struct report *r, char *buf, size_t len)
{
	const struct report_capacity *c = r->capacity;
	snprintf(buf, len,
		 "The %s %s that meets the SLO %s, per point of the other parameters: the heaviest load that"
		 " passed and the lightest that failed, within the resolution %s. A probe passes when %s. The search"
		 " assumes that a load that passes passes at every lighter load (monotonicity).",
		 c->reversed ? "smallest" : "largest", c->load, c->slo, c->resolution, c->test);
}

void report_capacity_write(const struct report_format_ops *ops, FILE *f, const struct report *r)
{
	const struct report_capacity *c = r->capacity;
	struct report_table t = { .ops = ops, .f = f };
	char label[1024];
	if (!c)
		return;
	fputs(ops->head_begin, f);
	report_table_head(&t, "point");
	report_table_head(&t, c->reversed ? "smallest passing" : "largest passing");
	report_table_head(&t, c->reversed ? "largest failing" : "smallest failing");
	report_table_head(&t, "probes");
	report_table_head(&t, "status");
	report_table_head_end(&t);
	for (size_t i = 0; i < c->nr_answers; i++) {
		const struct store_capacity_answer *a = &c->answers[i];
		base_label(r, a, label, sizeof(label));
		fputs(ops->row_begin, f);
		fputs(ops->cell, f);
		ops->text_write(f, label);
		fputs(ops->cell_end, f);
		load_cell(&t, r, a->have_passing, a->passing);
		load_cell(&t, r, a->have_failing, a->failing);
		report_table_cell_printf(&t, false, "%zu", a->probes);
		fputs(ops->cell, f);
		ops->text_write(f, a->status);
		if (a->note[0]) {
			ops->text_write(f, ": ");
			ops->text_write(f, a->note);
		}
		fputs(ops->cell_end, f);
		fputs(ops->row_end, f);
	}
	fputs(ops->table_end, f);

	/* the evidence: every probe, in the order each search made them */
	ops->title_write(f, "The search's probes", false);
	t.columns = 0;
	fputs(ops->head_begin, f);
	report_table_head(&t, "point");
	report_table_head(&t, "probe");
	report_table_head(&t, c->load);
	report_table_head(&t, "runs");
	report_table_head(&t, "condition");
	report_table_head(&t, "mean");
	report_table_head(&t, "bound");
	report_table_head(&t, "condition's verdict");
	report_table_head(&t, "probe's verdict");
	report_table_head_end(&t);
	for (size_t i = 0; i < c->nr_probes; i++) {
		const struct store_capacity_probe *p = &c->probes[i];
		const struct store_capacity_answer *a = NULL;
		for (size_t j = 0; j < c->nr_answers; j++)
			if (c->answers[j].base == p->base)
				a = &c->answers[j];
		for (size_t k = 0; k < (p->nr_checks ? p->nr_checks : 1); k++) {
			const struct store_capacity_check *ck = p->nr_checks ? &p->checks[k] : NULL;
			char cond[256] = "", mean[64], bound[64];
			if (a)
				base_label(r, a, label, sizeof(label));
			else
				snprintf(label, sizeof(label), "base %zu", p->base);
			fputs(ops->row_begin, f);
			fputs(ops->cell, f);
			ops->text_write(f, k ? "" : label);
			fputs(ops->cell_end, f);
			report_table_cell_printf(&t, false, "%zu", p->seq + 1);
			load_cell(&t, r, true, p->load);
			report_table_cell_printf(&t, p->failed > 0, "%zu%s", p->runs, p->failed ? " (failed ones among them)" : "");
			if (ck)
				snprintf(cond, sizeof(cond), "%s %c %.6g", ck->metric, ck->op, ck->value);
			fputs(ops->cell, f);
			ops->text_write(f, cond);
			fputs(ops->cell_end, f);
			report_num_format(ck ? ck->mean : NAN, mean, sizeof(mean));
			report_num_format(ck ? ck->bound : NAN, bound, sizeof(bound));
			report_table_cell_printf(&t, false, "%s", mean);
			report_table_cell_printf(&t, false, "%s", bound);
			fputs(ops->cell, f);
			ops->text_write(f, ck ? ck->verdict : "");
			fputs(ops->cell_end, f);
			fputs(ops->cell, f);
			ops->text_write(f, k ? "" : p->verdict);
			if (p->note[0] && !k) {
				ops->text_write(f, ": ");
				ops->text_write(f, p->note);
			}
			fputs(ops->cell_end, f);
			fputs(ops->row_end, f);
		}
	}
	fputs(ops->table_end, f);
}

static int value_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* The figure's x axis: the report's x (the config's [report] x) unless that is the
 * load, else the first parameter. */
static size_t axis_x(const struct report *r)
{
	return r->x >= 0 && (size_t)r->x + 1 < r->nr_params ? (size_t)r->x : 0;
}

/* Whether answers a and b lie on one line: alike in every parameter but x (and the load). */
static bool same_line(const struct report *r, const struct store_capacity_answer *a,
		      const struct store_capacity_answer *b)
{
	for (size_t p = 0; p + 1 < r->nr_params; p++)
		if (p != axis_x(r) && a->values[p] != b->values[p])
			return false;
	return true;
}

/* The line's title: its values of the parameters but x. */
static void line_title(const struct report *r, const struct store_capacity_answer *a, char *buf, size_t len)
{
	size_t off = 0;
	char v[64];
	buf[0] = 0;
	for (size_t p = 0; p + 1 < r->nr_params && off < len; p++) {
		if (p == axis_x(r))
			continue;
		report_value_format(r, p, a->values[p], v, sizeof(v));
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "", r->params[p], v);
	}
	if (!buf[0])
		snprintf(buf, len, "largest passing .. smallest failing");
}

/* The largest passing load (and the bracket up to the smallest failing one) against the
 * first parameter, a line per value of the rest; a point where nothing passed is left
 * out, a line with none left out whole. */
int report_capacity_plot(const struct plot_ctx *pc, char *err, size_t errlen)
{
	const struct report *r = pc->r;
	const struct report_capacity *c = r->capacity;
	char path[4096], *buf = NULL, label[1024], v[64];
	size_t len = 0, nx = 0, blocks = 0;
	if (!c || r->nr_params < 2 || !c->nr_answers)
		return 0;
	int64_t *xs = calloc(c->nr_answers, sizeof(*xs));
	size_t *first = calloc(c->nr_answers, sizeof(*first)); /* each drawn line's first answer */
	FILE *d = NULL, *b = NULL;
	int ret = -1;
	if (!xs || !first) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < c->nr_answers; i++)
		xs[nx++] = c->answers[i].values[axis_x(r)];
	qsort(xs, nx, sizeof(*xs), value_cmp);
	size_t k = 0;
	for (size_t i = 0; i < nx; i++)
		if (!k || xs[k - 1] != xs[i])
			xs[k++] = xs[i];
	nx = k;
	if (!(d = plot_data_open(pc, "capacity", path, sizeof(path), err, errlen)))
		goto out;
	fputs("# x-index largest-passing smallest-failing (the passing load when none failed)\n", d);
	for (size_t i = 0; i < c->nr_answers; i++) {
		bool seen = false, any = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = same_line(r, &c->answers[j], &c->answers[i]);
		for (size_t j = i; j < c->nr_answers && !seen; j++)
			any |= same_line(r, &c->answers[j], &c->answers[i]) && c->answers[j].have_passing;
		if (seen || !any)
			continue;
		for (size_t j = i; j < c->nr_answers; j++) {
			const struct store_capacity_answer *a = &c->answers[j];
			if (!same_line(r, a, &c->answers[i]) || !a->have_passing)
				continue;
			size_t x = 0;
			while (xs[x] != a->values[axis_x(r)])
				x++;
			fprintf(d, "%zu %lld %lld\n", x, (long long)a->passing,
				(long long)(a->have_failing ? a->failing : a->passing));
		}
		fputs("\n\n", d);
		first[blocks++] = i;
	}
	if (plot_data_close(d, path, err, errlen))
		goto out;
	if (!blocks) {
		ret = 0; /* nothing passed anywhere: no line to draw */
		goto out;
	}
	if (!(b = plot_body_open(&buf, &len))) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	fputs("set xlabel ", b);
	gnuplot_quote(b, r->params[axis_x(r)]);
	fputs("\nset ylabel ", b);
	snprintf(label, sizeof(label), "largest %s meeting the SLO", c->load);
	gnuplot_quote(b, label);
	fputs("\nset title ", b);
	gnuplot_quote(b, c->slo);
	fprintf(b, "\nset key outside right\nset xrange [-0.5:%zu.5]\nset yrange [0:*]\nset xtics (", nx - 1);
	for (size_t x = 0; x < nx; x++) {
		report_value_format(r, axis_x(r), xs[x], v, sizeof(v));
		fputs(x ? ", " : "", b);
		gnuplot_quote(b, v);
		fprintf(b, " %zu", x);
	}
	fputs(")\nplot ", b);
	for (k = 0; k < blocks; k++) {
		fprintf(b, "%s'%s' index %zu using 1:2:2:3 with yerrorbars lc %zu title ", k ? ", " : "", path, k, k + 1);
		line_title(r, &c->answers[first[k]], label, sizeof(label));
		gnuplot_quote(b, label);
		fprintf(b, ", '' index %zu using 1:2 with lines lc %zu notitle", k, k + 1);
	}
	fputc('\n', b);
	snprintf(label, sizeof(label),
		 "The largest %s that meets %s against %s: the point is the largest passing load, its bar reaches the"
		 " smallest failing one (none: nothing failed up to the range's end)",
		 c->load, c->slo, r->params[axis_x(r)]);
	ret = plot_draw(pc, "capacity", b, &buf, label, err, errlen);
out:
	free(xs);
	free(first);
	return ret;
}
