/*
 * What report.html and report.md share (report_tables.c): the walk over points,
 * metrics and histograms that lays out their tables is written once, and each
 * document supplies its markup as an ops table, as fio's ioengine_ops. The prose
 * around the tables stays in each document's file: it differs in wording, not only in
 * markup.
 */
#ifndef VMSWEEP_REPORT_TABLES_H
#define VMSWEEP_REPORT_TABLES_H
#include <stdbool.h>
#include <stdio.h>

#include "report/report.h"

struct report_format_ops {
	/* Text quoted as the document needs it in a cell. */
	void (*text_write)(FILE *f, const char *s);
	/* A table's own title (a histogram's, a metric's); folded: the table hidden until asked for. */
	void (*title_write)(FILE *f, const char *title, bool folded);
	/* After the head row: Markdown's rule, one cell per column; NULL for none. */
	void (*rule_write)(FILE *f, size_t columns);
	/* The markup around tables, rows and cells. */
	const char *head_begin, *head_end, *row_begin, *row_end, *table_end, *fold_end;
	const char *head_cell, *head_cell_end, *cell, *cell_end;
	const char *bad_cell; /* a cell the reader must not miss: a failure count */
	const char *note_begin, *note_end; /* a head cell's second line: where a metric's numbers come from */
	const char *plus_minus; /* between a mean and half its interval */
	const char *clip_mark; /* after an interval's lower end clipped at 0 (stats_ci_clip) */
	const char *mean_note; /* after a metric's head in the points table: what its cells hold */
	const char *apart_mark; /* after a model / Linux ratio whose two ranges do not overlap */
	const char *no_ratio; /* a ratio not computed (a median missing or 0) */
};

/* One table being written, for the files that write tables (report_tables.c,
 * report_tables_backend.c); columns counts its head cells. */
struct report_table {
	const struct report_format_ops *ops;
	FILE *f;
	size_t columns;
};
/* A head cell of label (quoted); the head row's end (and Markdown's rule). */
void report_table_head(struct report_table *t, const char *label);
void report_table_head_end(const struct report_table *t);
/* A cell of printf text, which must need no quoting; bad: the reader must not miss it. */
void __attribute__((format(printf, 3, 4)))
report_table_cell_printf(const struct report_table *t, bool bad, const char *fmt, ...);
/* A cell of a number as report_num_format writes it. */
void report_table_num_cell(const struct report_table *t, double v);

/* The points: n, failed, and each metric's mean ± half its 95 % interval, and CV. An
 * interval of fewer than STATS_CI_MIN_N runs is "n<3" instead; a clipped one is written
 * whole, "(0† .. 5.2)", since it is no longer symmetric. */
void report_points_write(const struct report_format_ops *ops, FILE *f, const struct report *r);
/* One table per histogram: its percentiles at each point, in microseconds. */
void report_latency_write(const struct report_format_ops *ops, FILE *f, const struct report *r);
/* One table per metric: its statistics at each point. */
void report_stats_write(const struct report_format_ops *ops, FILE *f, const struct report *r);

/* The model against Linux (report_tables_backend.c), when r->pairs: per metric the
 * geometric mean of the kvm / libvirt ratios over the paired points, then one table per
 * metric with each pair's medians and ratio. */
void report_backends_write(const struct report_format_ops *ops, FILE *f, const struct report *r);

/* The memory-manager eras the sweep ran, each with what is modelled as that kernel had
 * it and what is today's (report_eras.c); nothing when no run recorded one. */
void report_eras_write(const struct report_format_ops *ops, FILE *f, const struct report *r);

/* Points whose runs were run again for noise or recorded noisy (report_noise.c). */
void report_noise_write(const struct report_format_ops *ops, FILE *f, const struct report *r);
/* repeat = auto: each point's runs and the intervals they reached (report_repeat.c). */
void report_repeat_write(const struct report_format_ops *ops, FILE *f, const struct report *r);

/* A capacity search's answers and its probes (report_capacity.c); nothing when none. */
void report_capacity_write(const struct report_format_ops *ops, FILE *f, const struct report *r);

/* Writes the document at path by way of path.tmp, renamed once whole, so that a reader
 * never sees half a report; body writes the content (-1 with err set: nothing is left). */
typedef int (*report_body_fn)(FILE *f, const struct report *r, const char *plots_dir, char *err, size_t errlen);
int report_file_write(const struct report *r, const char *path, report_body_fn body, const char *plots_dir,
		      char *err, size_t errlen);

#endif
