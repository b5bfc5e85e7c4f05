/*
 * The guest knobs (include/vmsweep/knobs.h) on the host: defaults, lookup by name,
 * `--set key=value[,key=value...]` and the --help table.
 */
#ifndef VMSWEEP_UTIL_KNOB_H
#define VMSWEEP_UTIL_KNOB_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmsweep/knobs.h"

struct knob_desc {
	const char *name;
	int64_t def, min, max;
	const char *unit, *help;
};

/* Indexed by enum vms_knob, built from VMS_KNOBS. */
extern const struct knob_desc knob_table[VMS_KNOB_COUNT];

/* Sets every knob to its default; values has VMS_KNOB_COUNT entries. */
void knob_defaults(int64_t *values);

/* Index of the knob with exactly this name, or -1. */
int knob_find(const char *name);

/* The knob name closest to name by edit distance (a swap of adjacent letters counts
 * as one edit), for "did you mean"; NULL when none is within 3 edits. */
const char *knob_suggest(const char *name);

/*
 * Knobs of unit "model" take words, not numbers: watermark_model 2.4, 2.6, modern
 * (values 0, 1, 2); kswapd_model 2.4, 2.6, modern, auto (0..3). knob_words is the
 * NULL-terminated list (value min + i is word i), or NULL for a knob of numbers.
 */
const char *const *knob_words(int knob);

/* The word for value v of a word knob ("modern"), or NULL (a knob of numbers, or v
 * outside its words): what reports print instead of the number. */
const char *knob_value_word(int knob, int64_t v);

/* The value as people write it: the word of a word knob, the decimal number otherwise.
 * Returns buf. */
const char *knob_value_format(int knob, int64_t v, char *buf, size_t len);

/*
 * Applies one --set argument: "key=value" or "k1=v1,k2=v2", left to right (a later
 * key wins). All or nothing: on error, values is left as it was.
 * Values are integers ("12", "0x10"); knobs in "ms" or "s" also take a duration with
 * a unit ("spin_ms=2s" is 2000, "watchdog_thresh=1m" is 60), which must be a whole
 * number of the knob's unit; "KiB" knobs also take a size with a unit ("8m" is 8192,
 * a whole number of KiB); "bool" knobs also take true/false, yes/no, on/off. Word knobs
 * (knob_words) take only their words, in any case ("watermark_model=2.6"): "2.4" and
 * "2.6" are names of eras, and the plain numbers 0..2 are refused, so that "2" is
 * never read as an era.
 * The error names the failing key=value, e.g.
 *   --set spin_msx=3: unknown knob 'spin_msx' (did you mean 'spin_ms'?)
 *   --set spin_ms=-1: out of range 0..3600000 ms
 *   --set watermark_model=moden: expected one of 2.4, 2.6, modern (did you mean 'modern'?)
 */
int knob_set(int64_t *values, const char *arg, char *err, size_t errlen);

/* Sets knob to v as sysctl would: a dirty threshold's bytes form clears its ratio form
 * and the reverse (Linux's dirty_ratio_handler and dirty_bytes_handler), so the one
 * set last applies. knob_set and the sweep's [guest] and point values go through it. */
void knob_assign(int64_t *values, int knob, int64_t v);

/* Parses value v of knob (by the rules of knob_set); on error cause says why, without
 * the key, e.g. "expected one of irq, poll, hybrid (did you mean 'poll'?)". */
int knob_parse(int knob, const char *v, int64_t *out, char *cause, size_t len);

/* Prints the knob table for --help: name, default, range, unit, help, aligned; a word
 * knob shows its default as a word and its words as the range ("2.4|2.6|modern"). */
void knob_print_help(FILE *f);

#endif
