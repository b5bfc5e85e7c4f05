/* "Did you mean ...?": the one edit distance of the host, for knobs, fio options and sweep configs. */
#ifndef UTIL_SUGGEST_H
#define UTIL_SUGGEST_H
#include <stddef.h>

/* Optimal string alignment distance, ignoring case: a swap of neighbouring letters is
 * one edit (typing slips). Names over 127 characters are infinitely far (UINT_MAX). */
unsigned edit_distance(const char *a, const char *b);

/* The candidate closest to name (edit distance with adjacent swaps, ignoring case),
 * or NULL when none is within 3 edits (2 for names under 6 characters, 1 under 3).
 * NULL entries of candidates are skipped. */
const char *name_suggest(const char *name, const char *const *candidates, size_t n);

#endif
