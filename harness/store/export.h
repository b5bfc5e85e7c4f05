/*
 * `vmsweep export`: the runs of a sweep as flat rows, CSV or JSON, all of them or those
 * --where selects, with every column or those --metrics names.
 *
 * Columns, in this order:
 *   run, point, rep, status     always: which run, and how it ended ('planned', 'done',
 *                               'failed', 'skipped')
 *   <param>...                  always: the point's parameters, as swept. Knobs whose
 *                               values are words (watermark_model, kswapd_model) are
 *                               written as the words ("2.6", "modern"), memory in bytes
 *   seed                        the guest's seed, as the unsigned 64-bit number it is
 *                               (the store keeps it bit for bit in SQLite's int64)
 *   wall_ms                     the run's wall time, ms (the runner's, start to recorded)
 *   started, ended              Unix time, seconds, with the fraction
 *   exit_status                 vmsweep's exit status for the run (0 done; see boot --help)
 *   cause                       why a failed run failed, one line
 *   <metric>...                 in the order first recorded
 * The last two groups (the value columns) are those --metrics names, in its order,
 * when it is given. A value a run does not have (a planned run's wall_ms, a done run's
 * cause, a metric it did not record or recorded as NaN) is an empty CSV cell and a key
 * left out of its JSON object. In JSON the seed is a string of digits: JSON numbers
 * beyond 2^53 are not read back exactly by every parser (RFC 8259 section 6; jq before
 * 1.7, JavaScript), and seeds use all 64 bits.
 *
 * --where EXPR keeps the runs for which EXPR holds; its grammar is in export_where.c and
 * the README. --metrics LIST is a comma-separated list of value column names and
 * fnmatch(3) patterns. A name either one does not know, or a pattern that matches no
 * column, is an error that names it, with the nearest name when one is close.
 */
#ifndef VMSWEEP_STORE_EXPORT_H
#define VMSWEEP_STORE_EXPORT_H
#include <stdio.h>

struct store;

struct export_options {
	const char *format; /* "csv" or "json" */
	const char *where; /* NULL: every run */
	const char *metrics; /* NULL: every value column */
};

/* What store_export_select returns when the options are wrong (not the store): a bad
 * format, --where or --metrics, with err saying which and why. */
#define EXPORT_BAD_OPTION (-2)

/* Writes the export to out in one read transaction: 0, -1 (the store, a write) or
 * EXPORT_BAD_OPTION, with err set. Nothing is written when the options are wrong. */
int store_export_select(struct store *s, const struct export_options *o, FILE *out, char *err, size_t errlen);

#endif
