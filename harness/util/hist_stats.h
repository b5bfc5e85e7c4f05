/*
 * Percentiles from latency histograms in fio's buckets (include/vmsweep/hist.h).
 * The guest records 32-bit counts per run; the host merges repetitions into 64-bit
 * counts, hence the *64 variants.
 */
#ifndef VMSWEEP_UTIL_HIST_STATS_H
#define VMSWEEP_UTIL_HIST_STATS_H
#include <stdint.h>

#include "vmsweep/hist.h"

/*
 * Percentile p (0 < p <= 100; larger p is taken as 100) of counts[nr], exactly as fio's
 * calc_clat_percentiles: walk the buckets accumulating, and the first bucket whose
 * running sum reaches p/100 * total gives vms_hist_value(idx). Returns 0 when the
 * histogram is empty.
 */
uint64_t hist_percentile(const uint32_t *counts, unsigned nr, double p);
uint64_t hist_percentile64(const uint64_t *counts, unsigned nr, double p);

/* Number of samples. */
uint64_t hist_total(const uint32_t *counts, unsigned nr);
uint64_t hist_total64(const uint64_t *counts, unsigned nr);

/* Adds src into dst (merging repetitions of a run). */
void hist_merge(uint64_t *dst, const uint32_t *src, unsigned nr);

#endif
