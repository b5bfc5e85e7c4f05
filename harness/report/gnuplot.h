/*
 * gnuplot for the report's figures: run as a child with its script on stdin (never
 * through a shell), every figure drawn as SVG and PNG at one size, and as PDF (pdfcairo,
 * for papers) with the gnuplot script that draws it kept beside it (NAME.gp, reading
 * NAME.dat in the same directory), so that a figure can be restyled and drawn again.
 * A figure fails on gnuplot's exit status and also on anything it writes to stderr:
 * its warnings ("empty x range", "no valid points") mean a figure that is not the
 * one intended.
 */
#ifndef VMSWEEP_REPORT_GNUPLOT_H
#define VMSWEEP_REPORT_GNUPLOT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define FIGURE_WIDTH 800
#define FIGURE_HEIGHT 500

struct gnuplot {
	char png_terminal[160]; /* pngcairo when this gnuplot has it, else the libgd png */
	bool pdf; /* this gnuplot has pdfcairo */
};

/* Checks that gnuplot runs and picks the PNG terminal. */
int gnuplot_probe(struct gnuplot *g, char *err, size_t errlen);

/*
 * Draws dir/name.svg, dir/name.png and (g->pdf) dir/name.pdf with the gnuplot commands in
 * body (settings and one plot command), checks that they are non-empty, and writes
 * dir/name.gp: the PDF's script, with body's paths under dir made relative to it.
 */
int gnuplot_figure(const struct gnuplot *g, const char *dir, const char *name, const char *body, char *err,
		   size_t errlen);

/* s as a gnuplot single-quoted string (a quote is doubled; control characters become
 * blanks). */
void gnuplot_quote(FILE *f, const char *s);

#endif
