/* What the report's figure files share (report_plot.c, report_plot_latency.c). */
#ifndef VMSWEEP_REPORT_PLOT_INTERNAL_H
#define VMSWEEP_REPORT_PLOT_INTERNAL_H
#include <stdbool.h>
#include <stdio.h>

#include "report/gnuplot.h"
#include "report/report.h"

struct plot_ctx {
	struct report *r;
	const struct gnuplot *gp;
	const char *dir; /* plots/ */
};

/* A figure or data file name: prefix-what, what's characters outside [A-Za-z0-9._-] as '_'. */
void plot_name(char *buf, size_t len, const char *prefix, const char *what);

/* dir/name.dat, opened for writing: its path in path[len]. */
FILE *plot_data_open(const struct plot_ctx *c, const char *name, char *path, size_t len, char *err, size_t errlen);
int plot_data_close(FILE *f, const char *path, char *err, size_t errlen);

/* A script body under construction (open_memstream); plot_draw consumes it. */
FILE *plot_body_open(char **buf, size_t *len);

/* Draws the figure from the body (closed here, freed) and lists it with its caption. */
int plot_draw(const struct plot_ctx *c, const char *name, FILE *body, char **buf, const char *caption, char *err,
	      size_t errlen);

/* set Xrange [lo:hi] with a margin, or a factor either side on a log axis; a margin
 * also around a single value, which gnuplot would warn about. */
void plot_range(FILE *b, const char *axis, double lo, double hi, bool logscale);

/* The latency CDFs and time series (report_plot_latency.c). */
int plot_latency(const struct plot_ctx *c, char *err, size_t errlen);
int plot_series(const struct plot_ctx *c, char *err, size_t errlen);
/* The capacity figure (report_capacity.c). */
int report_capacity_plot(const struct plot_ctx *c, char *err, size_t errlen);

#endif
