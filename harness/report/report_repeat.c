/*
 * repeat = auto in the report (sweep/config_repeat.c): how many runs each point took,
 * the 95 % interval its ci_metrics reached (as a share of the mean), and whether that
 * met the target or the point stopped at max_repeat without it, so that a reader knows
 * which points are as precise as the sweep asked.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_tables.h"
#include "util/error.h"

/* The interval's half-width over the mean for metric `name` at each point (NAN: none). */
static int metric_widths(struct report *r, const char *name, double *rel, char *err, size_t errlen)
{
	struct sample_stats *st;
	int ret = report_metric_stats(r, name, &st, err, errlen);
	for (size_t p = 0; !ret && p < r->nr_points; p++)
		rel[p] = stats_ci95_rel_half(&st[p]);
	free(st);
	return ret;
}

/* The ci_metric list as the manifest holds it: "a,b,c". */
static int metrics_split(struct report *r, const char *list, char *err, size_t errlen)
{
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		char **more = realloc(r->repeat_metrics, (r->nr_repeat_metrics + 1) * sizeof(*more));
		if (!more)
			return errorf(err, errlen, "out of memory");
		r->repeat_metrics = more;
		if (!(more[r->nr_repeat_metrics] = strndup(p, len)))
			return errorf(err, errlen, "out of memory");
		r->nr_repeat_metrics++;
		p += len + (p[len] == ',');
	}
	return 0;
}

int report_repeat_load(struct report *r, char *err, size_t errlen)
{
	const char *ci = report_manifest_value(r, "repeat.ci"), *metrics = report_manifest_value(r, "repeat.ci_metric");
	const char *span = report_manifest_value(r, "repeat.auto");

	if (!ci || !metrics || !*metrics || !span || sscanf(span, "%u..%u", &r->repeat_min, &r->repeat_max) != 2)
		return 0;
	r->repeat_ci = strtod(ci, NULL);
	if (metrics_split(r, metrics, err, errlen))
		return -1;
	if (!(r->repeat_width = calloc(r->nr_repeat_metrics * (r->nr_points ? r->nr_points : 1), sizeof(double))))
		return errorf(err, errlen, "out of memory");
	for (size_t m = 0; m < r->nr_repeat_metrics; m++)
		if (metric_widths(r, r->repeat_metrics[m], r->repeat_width + m * r->nr_points, err, errlen))
			return -1;
	return 0;
}

bool report_repeat_any(const struct report *r)
{
	return r->nr_repeat_metrics > 0;
}

/* Whether point p's intervals all met the target. */
static bool point_met(const struct report *r, size_t p)
{
	for (size_t m = 0; m < r->nr_repeat_metrics; m++) {
		double w = r->repeat_width[m * r->nr_points + p];
		if (!(w <= r->repeat_ci))
			return false;
	}
	return true;
}

size_t report_repeat_unmet(const struct report *r)
{
	size_t n = 0;
	for (size_t p = 0; p < r->nr_points; p++)
		n += r->points[p].nr_done && !point_met(r, p);
	return n;
}

void report_repeat_write(const struct report_format_ops *ops, FILE *f, const struct report *r)
{
	struct report_table t = { .ops = ops, .f = f };
	char label[1024], head[300];

	if (!report_repeat_any(r))
		return;
	fputs(ops->head_begin, f);
	report_table_head(&t, "point");
	report_table_head(&t, "parameters");
	report_table_head(&t, "runs");
	report_table_head(&t, "not needed");
	for (size_t m = 0; m < r->nr_repeat_metrics; m++) {
		snprintf(head, sizeof(head), "%s ± (95 %%)", r->repeat_metrics[m]);
		report_table_head(&t, head);
	}
	report_table_head(&t, "target");
	report_table_head_end(&t);
	for (size_t i = 0; i < r->nr_points; i++) {
		size_t p = r->shown ? r->shown[i] : i;
		const struct report_point *pt = &r->points[p];
		bool met = point_met(r, p);
		report_point_label(r, p, -1, label, sizeof(label));
		fputs(ops->row_begin, f);
		report_table_cell_printf(&t, false, "%zu", pt->id);
		fputs(ops->cell, f);
		ops->text_write(f, label);
		fputs(ops->cell_end, f);
		report_table_cell_printf(&t, false, "%zu%s", pt->nr_done, pt->nr_planned ? "+" : "");
		report_table_cell_printf(&t, false, "%zu", pt->nr_skipped);
		for (size_t m = 0; m < r->nr_repeat_metrics; m++) {
			double w = r->repeat_width[m * r->nr_points + p];
			if (isnan(w))
				report_table_cell_printf(&t, true, "none");
			else
				report_table_cell_printf(&t, !(w <= r->repeat_ci), "%.2g %%", 100 * w);
		}
		report_table_cell_printf(&t, !met, "%s", met ? "met" : pt->nr_planned ? "not yet" : "not met at max_repeat");
		fputs(ops->row_end, f);
	}
	fputs(ops->table_end, f);
}
