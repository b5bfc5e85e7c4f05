/*
 * What each memory-manager era of the model reproduces, and what it takes from today's
 * kernel instead: the words of watermark_model, kswapd_model and reclaim_model, said
 * once for the report (report_eras.c) and README's memory section.
 */
#ifndef VMSWEEP_UTIL_MM_ERAS_H
#define VMSWEEP_UTIL_MM_ERAS_H
#include <stdint.h>

/* The era knobs, in the order the report lists them. */
extern const int mm_era_knobs[];
extern const unsigned mm_era_nr_knobs;

/* For an era (a knob of mm_era_knobs and its value): what is modelled as that kernel
 * had it, and what is today's (NULL: nothing, the era is whole). NULL for a value that
 * is not an era. */
const char *mm_era_modelled(int knob, int64_t value);
const char *mm_era_todays(int knob, int64_t value);
#endif
