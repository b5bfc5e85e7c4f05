/*
 * gnuplot for the report's figures: run as a child with its script on stdin (never
 * through a shell), every figure drawn twice, as SVG and as PNG, at one size.
 * A figure fails on gnuplot's exit status and also on anything it writes to stderr:
 * its warnings ("empty x range", "no valid points") mean a figure that is not the
 * one intended.
 */
#ifndef VMSWEEP_REPORT_GNUPLOT_H
#define VMSWEEP_REPORT_GNUPLOT_H
#include <stddef.h>
#include <stdio.h>

#define FIGURE_WIDTH 800
#define FIGURE_HEIGHT 500

struct gnuplot {
	char png_terminal[160]; /* pngcairo when this gnuplot has it, else the libgd png */
};

/* Checks that gnuplot runs and picks the PNG terminal. */
int gnuplot_probe(struct gnuplot *g, char *err, size_t errlen);

/*
 * Draws dir/name.svg and dir/name.png with the gnuplot commands in body (settings and
 * one plot command), and checks that both files are non-empty.
 */
int gnuplot_figure(const struct gnuplot *g, const char *dir, const char *name, const char *body, char *err,
		   size_t errlen);

/* s as a gnuplot single-quoted string (a quote is doubled; control characters become
 * blanks). */
void gnuplot_quote(FILE *f, const char *s);

#endif
