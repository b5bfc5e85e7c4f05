/*
 * Latency histograms in fio's log-linear buckets (fio stat.h: FIO_IO_U_PLAT_BITS 6,
 * 29 groups of 64 buckets), so that percentiles come out as fio computes them and
 * histograms of repeated runs merge exactly by adding counts.
 * Shared by the guest (recording) and the host (percentiles).
 */
#ifndef VMSWEEP_HIST_H
#define VMSWEEP_HIST_H
#include <stdint.h>

#define VMS_HIST_BITS 6
#define VMS_HIST_VAL (1u << VMS_HIST_BITS)
#define VMS_HIST_GROUPS 29
#define VMS_HIST_NR (VMS_HIST_GROUPS * VMS_HIST_VAL)
_Static_assert(VMS_HIST_NR == 1856, "the ABI's VMS_HIST_NR_ABI");

/* fio's plat_val_to_idx. */
static inline unsigned vms_hist_index(uint64_t val)
{
	unsigned msb = val ? 63u - (unsigned)__builtin_clzll(val) : 0;
	if (msb <= VMS_HIST_BITS)
		return (unsigned)val;
	unsigned error_bits = msb - VMS_HIST_BITS;
	unsigned base = (error_bits + 1) << VMS_HIST_BITS;
	unsigned offset = (VMS_HIST_VAL - 1) & (unsigned)(val >> error_bits);
	unsigned idx = base + offset;
	return idx < VMS_HIST_NR - 1 ? idx : VMS_HIST_NR - 1;
}

/* fio's plat_idx_to_val: the middle of the bucket's range. */
static inline uint64_t vms_hist_value(unsigned idx)
{
	if (idx < (VMS_HIST_VAL << 1))
		return idx;
	unsigned error_bits = (idx >> VMS_HIST_BITS) - 1;
	uint64_t base = 1ull << (error_bits + VMS_HIST_BITS);
	uint64_t k = idx % VMS_HIST_VAL;
	return base + k * (1ull << error_bits) + (1ull << error_bits) / 2;
}

#endif
