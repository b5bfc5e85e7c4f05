/* "Did you mean ...?" for names in sweep configs: sections, keys, parameters. */
#ifndef SWEEP_SUGGEST_H
#define SWEEP_SUGGEST_H
#include <stddef.h>

/* The candidate closest to name (edit distance with adjacent swaps, ignoring case),
 * or NULL when none is within 3 edits (2 for names under 6 characters, 1 under 3).
 * NULL entries of candidates are skipped. */
const char *name_suggest(const char *name, const char *const *candidates, size_t n);

#endif
