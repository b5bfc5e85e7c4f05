/* The memory-manager eras in words (mm_eras.h). */
#include <stddef.h>

#include "util/knob.h"
#include "util/mm_eras.h"
#include "vmsweep/vmstat.h"

const int mm_era_knobs[] = { VMS_KNOB_watermark_model, VMS_KNOB_kswapd_model, VMS_KNOB_reclaim_model };
const unsigned mm_era_nr_knobs = sizeof(mm_era_knobs) / sizeof(mm_era_knobs[0]);

struct mm_era {
	int knob;
	int64_t value;
	const char *modelled, *todays;
};

static const struct mm_era eras[] = {
	{ VMS_KNOB_watermark_model, VMS_WMARK_2_4,
	  "2.4.17's free_area_init_core: each zone's pages_min = its pages / 128, clamped to 20..255, low = 2 min, "
	  "high = 3 min; no min_free_kbytes, no per-CPU page lists",
	  "the zones: x86-64's DMA and DMA32 (2.4 had DMA, Normal and HighMem)" },
	{ VMS_KNOB_watermark_model, VMS_WMARK_2_6_0,
	  "2.6.0-2.6.9: min_free_kbytes = int_sqrt(lowmem KiB) in 128..16384 (lowmem: present pages less high), "
	  "split over the zones by size, low = 2 min, high = 3 min; 2.6.0's per-CPU lists",
	  "the zones (x86-64's DMA32 came in 2.6.15)" },
	{ VMS_KNOB_watermark_model, VMS_WMARK_2_6_10,
	  "2.6.10-4.5 as its first kernel: min_free_kbytes = int_sqrt(16 x lowmem KiB) in 128..65536, low = min x "
	  "5/4, high = min x 3/2; no THP (2.6.38 on)",
	  "the zones (DMA32 came in 2.6.15)" },
	{ VMS_KNOB_watermark_model, VMS_WMARK_4_6,
	  "4.6 on, 6.1's numbers: min_free_kbytes = int_sqrt(16 x managed KiB), low and high min + max(min / 4, "
	  "managed x watermark_scale_factor / 10000); with thp, khugepaged's recommended min_free_kbytes; 6.1's "
	  "per-CPU page lists",
	  NULL },
	{ VMS_KNOB_kswapd_model, VMS_KSWAPD_2_4,
	  "2.4's kswapd: woken by an allocation below low, it frees SWAP_CLUSTER_MAX batches from each zone "
	  "below high; no throttling of direct reclaim",
	  "what it scans: the node's split anon/file LRU lists (4.8+), unmapping by reverse map (not 2.4's "
	  "swap_out walk of page tables), DEF_PRIORITY 12 (2.4: 6) and reclaim_model's scan balance" },
	{ VMS_KNOB_kswapd_model, VMS_KSWAPD_2_6,
	  "2.6's balance_pgdat: zone by zone from DEF_PRIORITY until every zone is above high, congestion_wait "
	  "naps between passes, the HZ/10 premature-sleep check",
	  "the LRU lists it scans: one per node, split anon/file (2.6 had them per zone, and split only from "
	  "2.6.28), and reclaim_model's scan balance" },
	{ VMS_KNOB_kswapd_model, VMS_KSWAPD_4_8,
	  "4.8 on: node-based balance_pgdat (one eligible zone above high is enough), kswapd_shrink_node's "
	  "priority rule, allow_direct_reclaim throttling",
	  NULL },
	{ VMS_KNOB_reclaim_model, VMS_RECLAIM_4_8,
	  "4.8-5.8's get_scan_count: anon against file by swappiness (0..100) and the recent scanned / rotated "
	  "ratios; new anonymous pages start active; file refaults detected (workingset, 3.15+)",
	  NULL },
	{ VMS_KNOB_reclaim_model, VMS_RECLAIM_5_9,
	  "5.9 on (6.1): lru_note_cost's anon and file costs, refaults included, weighed by swappiness "
	  "(0..200); new anonymous pages start inactive",
	  NULL },
};

static const struct mm_era *era_find(int knob, int64_t value)
{
	for (size_t i = 0; i < sizeof(eras) / sizeof(eras[0]); i++)
		if (eras[i].knob == knob && eras[i].value == value)
			return &eras[i];
	return NULL;
}

const char *mm_era_modelled(int knob, int64_t value)
{
	const struct mm_era *e = era_find(knob, value);
	return e ? e->modelled : NULL;
}

const char *mm_era_todays(int knob, int64_t value)
{
	const struct mm_era *e = era_find(knob, value);
	return e ? e->todays : NULL;
}
