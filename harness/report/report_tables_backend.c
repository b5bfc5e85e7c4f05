/*
 * The model / Linux tables of report.html and report.md: for each metric, the medians
 * of the paired points' runs on each backend (report_backend.c) and their ratio. Medians,
 * not means: a Linux run under TCG has the odd slow outlier, and a ratio of medians is
 * what a reader checks by eye against the points' tables.
 */
#include <math.h>
#include <string.h>

#include "report/report_tables.h"

/* What a metric's pairs give: their ratios' geometric mean, how many ranges are apart. */
struct metric_summary {
	struct report_geomean g;
	size_t apart;
};

static void metric_summarize(const struct report *r, const struct report_metric *m, struct metric_summary *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < r->nr_pairs; i++) {
		struct report_ratio q;
		report_ratio_compute(&m->st[r->pairs[i].kvm], &m->st[r->pairs[i].libvirt], &q);
		report_geomean_add(&out->g, q.ratio);
		out->apart += q.apart;
	}
}

/* A ratio's cell: "1.25", "1.25 ≠" when the ranges are apart, "—" when there is none. */
static void ratio_cell_write(const struct report_table *t, double ratio, bool apart)
{
	char b[64];
	fputs(t->ops->cell, t->f);
	if (isnan(ratio)) {
		fputs(t->ops->no_ratio, t->f);
	} else {
		report_num_format(ratio, b, sizeof(b));
		fputs(b, t->f);
	}
	if (apart)
		fputs(t->ops->apart_mark, t->f);
	fputs(t->ops->cell_end, t->f);
}

static void summary_write(const struct report_format_ops *ops, FILE *f, const struct report *r)
{
	struct report_table t = { ops, f, 0 };
	fputs(ops->head_begin, f);
	report_table_head(&t, "metric");
	report_table_head(&t, "points compared");
	report_table_head(&t, "kvm / libvirt (geometric mean)");
	report_table_head(&t, "ranges apart");
	report_table_head_end(&t);
	for (size_t i = 0; i < r->nr_metrics; i++) {
		struct metric_summary s;
		metric_summarize(r, &r->metrics[i], &s);
		fputs(ops->row_begin, f);
		fputs(ops->cell, f);
		ops->text_write(f, r->metrics[i].label);
		fputs(ops->cell_end, f);
		report_table_cell_printf(&t, false, "%zu of %zu", s.g.n, r->nr_pairs);
		ratio_cell_write(&t, report_geomean_value(&s.g), false);
		report_table_cell_printf(&t, false, "%zu", s.apart);
		fputs(ops->row_end, f);
	}
	fputs(ops->table_end, f);
}

/* The pair's parameters but the backend; its points' ids, kvm's first. */
static void pair_row_begin(const struct report_table *t, const struct report *r, int backend,
			   const struct report_pair *pr)
{
	fputs(t->ops->row_begin, t->f);
	report_table_cell_printf(t, false, "%zu / %zu", r->points[pr->kvm].id, r->points[pr->libvirt].id);
	for (size_t k = 0; k < r->nr_params; k++) {
		char v[32];
		if ((int)k == backend)
			continue;
		report_value_format(r, k, r->points[pr->kvm].values[k], v, sizeof(v));
		report_table_cell_printf(t, false, "%s", v);
	}
}

static void metric_pairs_write(const struct report_format_ops *ops, FILE *f, const struct report *r, int backend,
			       const struct report_metric *m)
{
	struct report_table t = { ops, f, 0 };
	struct metric_summary s;
	metric_summarize(r, m, &s);
	if (!s.g.n)
		return; /* the summary says 0 compared: a metric one backend does not record */
	/* Folded: the summary has the one number per metric most readers want. */
	ops->title_write(f, m->label, true);
	fputs(ops->head_begin, f);
	report_table_head(&t, "points");
	for (size_t k = 0; k < r->nr_params; k++)
		if ((int)k != backend)
			report_table_head(&t, r->params[k]);
	report_table_head(&t, "kvm median");
	report_table_head(&t, "libvirt median");
	report_table_head(&t, "kvm / libvirt");
	report_table_head_end(&t);
	for (size_t i = 0; i < r->nr_pairs; i++) {
		struct report_ratio q;
		report_ratio_compute(&m->st[r->pairs[i].kvm], &m->st[r->pairs[i].libvirt], &q);
		pair_row_begin(&t, r, backend, &r->pairs[i]);
		report_table_num_cell(&t, q.kvm);
		report_table_num_cell(&t, q.libvirt);
		ratio_cell_write(&t, q.ratio, q.apart);
		fputs(ops->row_end, f);
	}
	fputs(ops->row_begin, f);
	report_table_cell_printf(&t, false, "geometric mean");
	for (size_t k = 0; k < r->nr_params; k++)
		if ((int)k != backend)
			report_table_cell_printf(&t, false, "%s", "");
	report_table_cell_printf(&t, false, "%s", "");
	report_table_cell_printf(&t, false, "%s", "");
	ratio_cell_write(&t, report_geomean_value(&s.g), false);
	fputs(ops->row_end, f);
	fputs(ops->table_end, f);
	fputs(ops->fold_end, f);
}

void report_backends_write(const struct report_format_ops *ops, FILE *f, const struct report *r)
{
	int backend = report_backend_param(r);
	if (!r->nr_pairs || backend < 0)
		return;
	summary_write(ops, f, r);
	for (size_t i = 0; i < r->nr_metrics; i++)
		metric_pairs_write(ops, f, r, backend, &r->metrics[i]);
}
