/*
 * `vmsweep report DIR`: what the report knows about a sweep
 * once loaded from its store, shared by the loader (report_data.c, report_metrics.c),
 * the figures (report_plot.c, gnuplot.c) and the documents (report_html.c,
 * report_md.c, their shared tables in report_tables.c). Errors follow util/error.h:
 * -1 and a message in err.
 */
#ifndef VMSWEEP_REPORT_REPORT_H
#define VMSWEEP_REPORT_REPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report/stats.h"

struct store;

struct report_point {
	size_t id; /* points.id in the store */
	int64_t *values; /* [nr_params], as stored (memory in bytes) */
	size_t nr_done, nr_failed, nr_planned, nr_skipped;
};

/* A metric as the report shows it: the store's metric `source`, times `scale` (a unit
 * change such as ns to us when asked for "wakeup_p99_us"), under the name `label`. */
struct report_metric {
	char *label;
	char *source;
	double scale;
	bool nonnegative; /* its intervals are clipped at 0 (report_metric_nonnegative) */
	struct sample_stats *st; /* [nr_points], over each point's done runs */
};

/* A latency histogram merged over each point's done runs. */
struct report_hist {
	char *name;
	uint64_t (*pcts)[STATS_NR_PCTS]; /* [nr_points], ns; stats_report_pcts */
	uint64_t *samples; /* [nr_points] */
	size_t *nr_runs; /* [nr_points] runs that had it */
};

struct report_failed {
	size_t run, point_idx; /* point_idx: index into points */
	unsigned rep;
	int exit_status;
	char *cause;
	char *console; /* NULL: none kept */
};

struct report_kv {
	char *key, *value;
};

struct report_figure {
	char *name; /* file name in plots/ without .svg or .png */
	char *caption;
};

struct report {
	struct store *store;
	const char *dir; /* the sweep */
	char *name; /* the sweep's name: [sweep] name of the stored config, else the directory's */

	char **params;
	size_t nr_params;
	struct report_point *points; /* in id order */
	size_t *shown; /* the tables' order: points[] indexes sorted by their values (a grown sweep's new
			* points have the highest ids) */
	size_t nr_points;
	size_t nr_runs, nr_done, nr_failed, nr_planned, nr_skipped; /* nr_runs: planned, done and failed */

	struct report_kv *manifest; /* every key, in key order */
	size_t nr_manifest;
	/* The stored config's [report] section; NULL when absent. */
	char **cfg_metrics;
	size_t nr_cfg_metrics;
	char *cfg_x, *cfg_lines;

	char **present; /* metric names in the store, in the order first recorded */
	size_t nr_present;

	struct report_metric *metrics;
	size_t nr_metrics;
	struct report_hist *hists;
	size_t nr_hists;
	struct report_failed *failed;
	size_t nr_failed_runs;
	long series_run; /* the first done run with a time series, -1 when none */

	int x, lines; /* indexes into params; lines -1 when none */

	struct report_figure *figures;
	size_t nr_figures;

	/* Model against Linux (report_backend.c): the points of the two backends paired, set
	 * by report_load when the sweep's `backend` has both kvm and libvirt; none otherwise. */
	struct report_pair *pairs;
	size_t nr_pairs;
	size_t nr_unpaired; /* points with done runs whose other backend has none */

	/* The memory-manager eras the done runs ran (report_eras.c): bit v of [k] for value v of
	 * mm_era_knobs[k] (util/mm_eras.h). */
#define REPORT_ERA_KNOBS 3
	uint32_t eras_seen[REPORT_ERA_KNOBS];

	/* The noise sentinels (report_noise.c): per point, the retries and the runs recorded
	 * noisy; and their sums. */
	size_t *retried, *noisy;
	size_t nr_retried, nr_noisy;

	/* repeat = auto (report_repeat.c), from the manifest: the target, the metrics, and per
	 * metric and point the interval's half-width over the mean, [m * nr_points + p]. */
	char **repeat_metrics;
	size_t nr_repeat_metrics;
	double repeat_ci, *repeat_width;
	unsigned repeat_min, repeat_max;
	/* A capacity search's answers and evidence (report_capacity.c); NULL: none. */
	struct report_capacity *capacity;
};

/* ---- report_data.c ---- */
/* Reads parameters, points, run counts, manifest (and the config's [report]), metric
 * names present, histograms' percentiles, failed runs, the run to draw series of. */
int report_load(struct report *r, struct store *s, const char *dir, char *err, size_t errlen);
void report_free(struct report *r);
/* The manifest's value for key, or NULL. */
const char *report_manifest_value(const struct report *r, const char *key);
/* Index of the parameter, or -1. */
int report_param_find(const struct report *r, const char *name);
/* "64M" for memory, a word knob's word ("2.6" for watermark_model 1), the integer otherwise. */
void report_value_format(const struct report *r, size_t param, int64_t v, char *buf, size_t len);
/* "tasks_per_cpu=2 vcpus=1" for the parameters of point p; skip: a parameter left out, or -1. */
void report_point_label(const struct report *r, size_t p, int skip, char *buf, size_t len);

/* ---- report_noise.c ---- */
int report_noise_load(struct report *r, char *err, size_t errlen);

/* ---- report_repeat.c ---- */
int report_repeat_load(struct report *r, char *err, size_t errlen);
bool report_repeat_any(const struct report *r);
/* Points with done runs whose intervals missed the target. */
size_t report_repeat_unmet(const struct report *r);
/* ---- report_capacity.c ---- */
int report_capacity_load(struct report *r, char *err, size_t errlen);
void report_capacity_free(struct report *r);
/* The section's opening prose, for each document to set as it sets prose. */
void report_capacity_intro(const struct report *r, char *buf, size_t len);

/* ---- report_eras.c ---- */
int report_eras_load(struct report *r, char *err, size_t errlen);
bool report_eras_any(const struct report *r);

/* ---- report_backend.c ---- */
/* A point of each backend with the same values of every other parameter, both with done
 * runs: indexes into points. */
struct report_pair {
	size_t kvm, libvirt;
};
/* The backend parameter's index when the points hold both kvm and libvirt; -1 otherwise
 * (no such parameter, or one backend only: nothing to compare). */
int report_backend_param(const struct report *r);
/* Whether point p runs on libvirt (a dashed line, the ratio's denominator). */
bool report_point_on_libvirt(const struct report *r, int backend, size_t p);
/* r->pairs, in the tables' order, and r->nr_unpaired; -1 when out of memory. */
int report_backends_pair(struct report *r, char *err, size_t errlen);
/* One point's model / Linux comparison of a metric. */
struct report_ratio {
	double kvm, libvirt; /* the medians of each backend's runs; NAN when none */
	double ratio; /* kvm / libvirt; NAN when a median is NAN or 0 (no ratio, not a division by 0) */
	bool apart; /* both have runs and their ranges (min .. max) do not overlap */
};
void report_ratio_compute(const struct sample_stats *kvm, const struct sample_stats *libvirt, struct report_ratio *out);
/* The geometric mean of ratios, accumulated: the mean of ratios is the one that treats
 * 2x and 0.5x alike. Ratios that are NAN, infinite or not above 0 are not counted. */
struct report_geomean {
	double log_sum;
	size_t n;
};
void report_geomean_add(struct report_geomean *g, double ratio);
double report_geomean_value(const struct report_geomean *g); /* NAN when none was counted */
/* Whether the manifest's libvirt.domain_type says the Linux guest ran under TCG, whose
 * clock is emulated: its times are not comparable with the model's, its shapes are. */
bool report_backend_tcg(const struct report *r);

/* ---- report_metrics.c ---- */
/* Adds the metrics that name stands for (report_metrics.c explains the matching); 0 when
 * it matched none (*matched false), -1 on error. */
int report_metric_add(struct report *r, const char *name, bool *matched, char *err, size_t errlen);
/* The defaults when neither --metric nor [report] names one. */
int report_metrics_default(struct report *r, char *err, size_t errlen);
/* "metric 'x' is not in the store (did you mean ...?); present: a, b, ... (N in all)" */
void report_metric_missing(const struct report *r, const char *name, char *err, size_t errlen);
/* Whether name, as a [report] metric, can match what runs record (the metric tables,
 * by the rules of report_metric_add): 0, or -1 with a did-you-mean in err. For `plan`,
 * before any run has made a store. */
int report_metric_name_check(const char *name, char *err, size_t errlen);
/* Where a metric's numbers come from when its label does not say: "wakeup_ns.p99 / 1000";
 * "" when the label is the store's name. */
void report_metric_source(const struct report_metric *m, char *buf, size_t len);
/* Whether the store's metric name cannot be negative: a count, a time, a rate, a size. */
bool report_metric_nonnegative(const char *name);
/* Each metric's per-point statistics; a non-negative metric's intervals clipped at 0
 * (stats_ci_clip). */
int report_metrics_compute(struct report *r, char *err, size_t errlen);
/* The per-point statistics of store metric `source` as it is (no scale, no clipping):
 * *st malloc'd, [r->nr_points], to be freed by the caller (also on error). */
int report_metric_stats(struct report *r, const char *source, struct sample_stats **st, char *err, size_t errlen);

/* ---- report_plot.c ---- */
/* Every figure, as plots_dir/NAME.svg and NAME.png (with NAME.dat, the data). */
int report_plots_make(struct report *r, const char *plots_dir, char *err, size_t errlen);

/* ---- report_html.c, report_md.c, report_tables.c ---- */
int report_html_write(const struct report *r, const char *path, const char *plots_dir, char *err, size_t errlen);
int report_md_write(const struct report *r, const char *path, char *err, size_t errlen);
/* Numbers as the documents show them: "448500", "3.142", "-" for NaN. */
void report_num_format(double v, char *buf, size_t len);
/* A coefficient of variation as a percentage: "12.0 %", "0.45 %", "0.040 %", "-" for NaN. */
void report_cv_format(double cv, char *buf, size_t len);

#endif
