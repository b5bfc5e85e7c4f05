/* Sets of run ids as text, "1-3,7,9-12" (the form of Slurm's --array): short in a
 * manifest and readable by a user. */
#ifndef VMSWEEP_UTIL_ID_RANGES_H
#define VMSWEEP_UTIL_ID_RANGES_H
#include <stddef.h>

/* ids (ascending) as ranges, malloc'd ("" for none); NULL when out of memory. */
char *id_ranges_format(const size_t *ids, size_t n);
/* The ids of text, ascending and distinct, into a malloc'd *ids (NULL when none);
 * -1 with err quoting what is not "A" or "A-B" with A <= B, or ids out of order. */
int id_ranges_parse(const char *text, size_t **ids, size_t *n, char *err, size_t errlen);
#endif
