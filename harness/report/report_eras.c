/*
 * The memory-manager eras a sweep ran (the runs' mm.watermark_model, mm.kswapd_model and
 * mm.reclaim_model), each with what it models as that kernel had it and what it takes
 * from today's kernel: a figure of the "2.4 era" must not be read as 2.4 whole.
 */
#include <math.h>
#include <string.h>

#include "report/report_tables.h"
#include "store/query.h"
#include "util/error.h"
#include "util/knob.h"
#include "util/mm_eras.h"

static int era_seen(void *arg, size_t point, double value, char *err, size_t errlen)
{
	uint32_t *seen = arg;
	(void)point;
	(void)err;
	(void)errlen;
	if (value >= 0 && value < 32 && value == floor(value))
		*seen |= 1u << (unsigned)value;
	return 0;
}

int report_eras_load(struct report *r, char *err, size_t errlen)
{
	char name[64];
	for (unsigned k = 0; k < mm_era_nr_knobs && k < REPORT_ERA_KNOBS; k++) {
		snprintf(name, sizeof(name), "mm.%s", knob_table[mm_era_knobs[k]].name);
		if (store_metric_values_read(r->store, name, era_seen, &r->eras_seen[k], err, errlen))
			return -1;
	}
	return 0;
}

bool report_eras_any(const struct report *r)
{
	for (unsigned k = 0; k < REPORT_ERA_KNOBS; k++)
		if (r->eras_seen[k])
			return true;
	return false;
}

static void text_cell(const struct report_table *t, const char *s)
{
	fputs(t->ops->cell, t->f);
	t->ops->text_write(t->f, s);
	fputs(t->ops->cell_end, t->f);
}

void report_eras_write(const struct report_format_ops *ops, FILE *f, const struct report *r)
{
	struct report_table t = { .ops = ops, .f = f };

	if (!report_eras_any(r))
		return;
	fputs(ops->head_begin, f);
	report_table_head(&t, "knob");
	report_table_head(&t, "era");
	report_table_head(&t, "as that kernel had it");
	report_table_head(&t, "today's kernel instead");
	report_table_head_end(&t);
	for (unsigned k = 0; k < mm_era_nr_knobs && k < REPORT_ERA_KNOBS; k++)
		for (unsigned v = 0; v < 32; v++) {
			if (!(r->eras_seen[k] & (1u << v)))
				continue;
			int knob = mm_era_knobs[k];
			const char *word = knob_value_word(knob, v), *modelled = mm_era_modelled(knob, v),
				   *todays = mm_era_todays(knob, v);
			char num[16];
			snprintf(num, sizeof(num), "%u", v);
			fputs(ops->row_begin, f);
			text_cell(&t, knob_table[knob].name);
			text_cell(&t, word ? word : num);
			text_cell(&t, modelled ? modelled : "(not an era this harness knows)");
			text_cell(&t, todays ? todays : "nothing: the era is whole");
			fputs(ops->row_end, f);
		}
	fputs(ops->table_end, f);
}
