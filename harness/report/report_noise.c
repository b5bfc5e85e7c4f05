/*
 * The noise sentinels' verdicts in the report (sweep/noise.h): how many runs were run
 * again for being noisy and how many stayed noisy, by point, so that a reader knows which
 * numbers were taken on a busy host.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_tables.h"
#include "store/query.h"
#include "util/error.h"

struct noise_arg {
	struct report *r;
	size_t *counts;
};

static int noise_take(void *arg, size_t point, double value, char *err, size_t errlen)
{
	struct noise_arg *a = arg;
	(void)err;
	(void)errlen;
	for (size_t p = 0; p < a->r->nr_points; p++)
		if (a->r->points[p].id == point && value > 0 && isfinite(value)) {
			a->counts[p] += (size_t)value;
			break;
		}
	return 0;
}

int report_noise_load(struct report *r, char *err, size_t errlen)
{
	size_t n = r->nr_points ? r->nr_points : 1;
	if (!(r->noisy = calloc(n, sizeof(*r->noisy))) || !(r->retried = calloc(n, sizeof(*r->retried))))
		return errorf(err, errlen, "out of memory");
	struct noise_arg noisy = { r, r->noisy }, retried = { r, r->retried };
	if (store_metric_values_read(r->store, "noise.noisy", noise_take, &noisy, err, errlen) ||
	    store_metric_values_read(r->store, "noise.retries", noise_take, &retried, err, errlen))
		return -1;
	for (size_t p = 0; p < r->nr_points; p++) {
		r->nr_noisy += r->noisy[p];
		r->nr_retried += r->retried[p];
	}
	return 0;
}

void report_noise_write(const struct report_format_ops *ops, FILE *f, const struct report *r)
{
	struct report_table t = { .ops = ops, .f = f };
	char label[1024];

	if (!r->nr_noisy && !r->nr_retried)
		return;
	fputs(ops->head_begin, f);
	report_table_head(&t, "point");
	report_table_head(&t, "parameters");
	report_table_head(&t, "runs run again");
	report_table_head(&t, "runs recorded noisy");
	report_table_head_end(&t);
	for (size_t i = 0; i < r->nr_points; i++) {
		size_t p = r->shown ? r->shown[i] : i;
		if (!r->noisy[p] && !r->retried[p])
			continue;
		report_point_label(r, p, -1, label, sizeof(label));
		fputs(ops->row_begin, f);
		report_table_cell_printf(&t, false, "%zu", r->points[p].id);
		fputs(ops->cell, f);
		ops->text_write(f, label);
		fputs(ops->cell_end, f);
		report_table_cell_printf(&t, false, "%zu", r->retried[p]);
		report_table_cell_printf(&t, r->noisy[p] > 0, "%zu", r->noisy[p]);
		fputs(ops->row_end, f);
	}
	fputs(ops->table_end, f);
}
