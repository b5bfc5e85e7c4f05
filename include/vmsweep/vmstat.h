/*
 * The guest's /proc/vmstat counters, under Linux's names, in one table shared by
 * the guest (which counts) and the host (which prints, stores and plots them).
 * X(name, kind, help): kind "gauge" is a current level in pages (zone/node state),
 * "event" a count since boot (vm_event_item).
 */
#ifndef VMSWEEP_VMSTAT_H
#define VMSWEEP_VMSTAT_H
#include <stdint.h>

#define VMS_VMSTAT_ITEMS(X)                                                                   \
	X(nr_free_pages, gauge, "free pages in every zone")                                  \
	X(nr_inactive_anon, gauge, "anonymous pages on the inactive LRU")                    \
	X(nr_active_anon, gauge, "anonymous pages on the active LRU")                        \
	X(nr_inactive_file, gauge, "file pages on the inactive LRU")                         \
	X(nr_active_file, gauge, "file pages on the active LRU")                             \
	X(nr_anon_pages, gauge, "anonymous pages mapped by memory jobs")                     \
	X(nr_slab, gauge, "pages held by the kernel's slab caches")                          \
	X(nr_kernel_pages, gauge, "other pages the kernel allocated (large kmalloc, rings)") \
	X(nr_file_pages, gauge, "pages in the page cache")                                   \
	X(nr_dirty, gauge, "dirty pages")                                                    \
	X(nr_writeback, gauge, "pages under writeback")                                      \
	X(nr_swapcached, gauge, "pages in the swap cache")                                   \
	X(nr_dirty_threshold, gauge, "dirtiers are throttled above this many dirty pages")   \
	X(nr_dirty_background_threshold, gauge, "background writeback starts above this many dirty pages") \
	X(nr_swap_free, gauge, "free swap slots")                                            \
	X(pgalloc, event, "pages allocated (every order, counted in pages)")                 \
	X(pgalloc_dma, event, "pages allocated from ZONE_DMA")                               \
	X(pgalloc_dma32, event, "pages allocated from ZONE_DMA32 (the model's zone above DMA in every era)") \
	X(pgfree, event, "pages freed (every order, counted in pages)")                      \
	X(pgfault, event, "accesses through the mm's page lookup")                           \
	X(pgmajfault, event, "page lookups that needed a swap-in from disk")                 \
	X(pgactivate, event, "pages moved to an active list")                                \
	X(pgdeactivate, event, "pages moved to an inactive list")                            \
	X(pgrefill, event, "pages shrink_active_list scanned on the active lists")          \
	X(pgscan_kswapd, event, "pages kswapd scanned on the inactive lists")                \
	X(pgscan_direct, event, "pages direct reclaim scanned on the inactive lists")        \
	X(pgsteal_kswapd, event, "pages kswapd reclaimed")                                   \
	X(pgsteal_direct, event, "pages direct reclaim reclaimed")                           \
	X(pgscan_anon, event, "anonymous pages reclaim scanned on the inactive list")        \
	X(pgscan_file, event, "file pages reclaim scanned on the inactive list")             \
	X(pgsteal_anon, event, "anonymous pages reclaim reclaimed")                          \
	X(pgsteal_file, event, "file pages reclaim reclaimed")                               \
	X(allocstall, event, "allocations that entered direct reclaim")                      \
	X(allocstall_dma, event, "direct reclaims for allocations limited to ZONE_DMA")      \
	X(allocstall_dma32, event, "direct reclaims for allocations that may use ZONE_DMA32 (their highest zone)") \
	X(pageoutrun, event, "kswapd's balancing runs (balance_pgdat)")                     \
	X(wakeup_kswapd_woke, event, "wakeup_kswapd calls that woke kswapd (ours: a tracepoint in Linux)") \
	X(kswapd_low_wmark_hit_quickly, event, "kswapd woken again within HZ/10 of sleeping")  \
	X(kswapd_high_wmark_hit_quickly, event, "kswapd found zones unbalanced after HZ/10") \
	X(pgrotated, event, "written-back pages moved to the inactive tail")                 \
	X(pswpin, event, "pages read from swap")                                             \
	X(pswpout, event, "pages written to swap")                                           \
	X(pgpgin, event, "KiB read from disk (every bio, swap-ins included, as submit_bio counts)") \
	X(pgpgout, event, "KiB written to disk (every bio, swap-outs included, as submit_bio counts)") \
	X(swap_ra, event, "pages swap readahead read ahead of the faulting one")           \
	X(swap_ra_hit, event, "swap faults found their page read ahead in the swap cache")   \
	X(workingset_refault_anon, event, "anonymous pages faulted back in soon after eviction (shadow entry found)") \
	X(workingset_refault_file, event, "file pages read back in after eviction (shadow entry found)") \
	X(workingset_activate_anon, event, "refaulted anonymous pages activated: refault distance within the workingset") \
	X(workingset_activate_file, event, "refaulted file pages activated: refault distance within the workingset") \
	X(workingset_restore_anon, event, "refaulted anonymous pages that were active when evicted") \
	X(workingset_restore_file, event, "refaulted file pages that were active when evicted") \
	X(pgscan_direct_throttle, event, "direct reclaimers throttled below half the min watermarks") \
	X(nr_dirtied, event, "pages that became dirty")                                      \
	X(nr_written, event, "page-cache pages whose writeback ended")                       \
	X(nr_vmscan_write, event, "pages reclaim wrote out (pageout)")                       \
	X(nr_vmscan_immediate_reclaim, event, "dirty or writeback pages reclaim marked to reclaim as their I/O ends") \
	X(oom_kill, event, "tasks killed by the OOM killer")

enum vms_vmstat_item {
#define VMS_VMSTAT_ENUM(name, kind, help) VMS_VM_##name,
	VMS_VMSTAT_ITEMS(VMS_VMSTAT_ENUM)
#undef VMS_VMSTAT_ENUM
		VMS_NR_VMSTAT
};

/*
 * The memory manager's eras, named by the first Linux version each reproduces (the
 * knobs' words are in harness/util/knob.c; what each era models, in --help and README).
 */
/* Numbered as before 2.6.0 was added (stored sweeps keep their numbers): 2.6.10 was "2.6", 4.6 "modern". */
enum vms_watermark_model { VMS_WMARK_2_4, VMS_WMARK_2_6_10, VMS_WMARK_4_6, VMS_WMARK_2_6_0 };
enum vms_kswapd_model { VMS_KSWAPD_2_4, VMS_KSWAPD_2_6, VMS_KSWAPD_4_8, VMS_KSWAPD_MODEL_AUTO /* the era of watermark_model */ };
/* get_scan_count and the LRU's inputs: 4.8-5.8 (recent_rotated), 5.9+ (lru_note_cost, new anon inactive) */
enum vms_reclaim_model { VMS_RECLAIM_4_8, VMS_RECLAIM_5_9, VMS_RECLAIM_MODEL_AUTO /* 5.9 with kswapd 4.8, else 4.8 */ };
/* transparent_hugepage: what it does to min_free_kbytes (khugepaged's set_recommended_min_free_kbytes) */
enum vms_thp { VMS_THP_NEVER, VMS_THP_MADVISE, VMS_THP_ALWAYS, VMS_THP_AUTO /* as Linux boots: never under 512 MiB, else always */ };

#define VMS_ZONE_NAME_LEN 8
#define VMS_MAX_ZONES 2 /* DMA, Normal */

/* One zone's set-up and state at the end of the run. */
struct vms_zone_info {
	char name[VMS_ZONE_NAME_LEN];
	uint64_t start_pfn, spanned_pages, managed_pages;
	uint64_t wmark_min, wmark_low, wmark_high; /* pages */
	uint64_t nr_free; /* at the end, deferred frames included */
	uint64_t min_free_seen; /* the lowest nr_free observed at a sample or allocation slow path */
	uint64_t deferred_pages; /* free frames whose struct page was never needed (in managed and nr_free) */
};

/* VMS_REC_VMSTAT (results ring, once at the end) */
struct vms_rec_vmstat {
	uint64_t min_free_kbytes;
	uint32_t watermark_model, kswapd_model; /* enum vms_watermark_model, vms_kswapd_model (never auto) */
	uint32_t watermark_scale_factor, swappiness;
	uint32_t nr_zones, reclaim_model; /* enum vms_reclaim_model (never auto) */
	uint32_t thp, page_cluster; /* enum vms_thp (never auto); vm.page-cluster */
	uint64_t swap_pages; /* swap slots in all (0: no swap disk) */
	uint64_t pages_in_use; /* allocated pages not free, at the end */
	struct vms_zone_info zones[VMS_MAX_ZONES];
	uint64_t counters[VMS_NR_VMSTAT];
};

/* VMS_REC_VMSTAT_SAMPLE (samples ring, every sample_ms, from CPU 0) */
struct vms_rec_vmstat_sample {
	uint64_t tsc;
	uint64_t wmark_min, wmark_low, wmark_high; /* summed over the zones, pages */
	uint32_t in_direct_reclaim; /* tasks in direct reclaim at the sample */
	uint32_t kswapd_running;
	uint32_t kswapd_woken; /* woken by an allocation, not yet balancing: its wake-up latency */
	uint32_t reserved;
	uint64_t counters[VMS_NR_VMSTAT];
};

/* Where a memory job's time went: one latency histogram per class. */
enum vms_mem_lat {
	VMS_MEM_ALLOC_FAST,	 /* page allocation satisfied above the watermark */
	VMS_MEM_ALLOC_KSWAPD,	 /* allocation that woke kswapd or waited on it (throttled) */
	VMS_MEM_ALLOC_DIRECT,	 /* allocation that entered direct reclaim */
	VMS_MEM_ACCESS_HIT,	 /* access to a resident page */
	VMS_MEM_ACCESS_SWAPIN,	 /* access that read the page back from swap */
	VMS_MEM_LAT_NR
};

struct vms_mem_lat_hist {
	uint64_t samples, min_ns, max_ns, sum_ns;
	uint32_t buckets[1856]; /* VMS_HIST_NR, fio's buckets */
};

/* VMS_REC_MEM_JOB (results ring, one per memory job clone) */
struct vms_rec_mem_job {
	uint32_t job; /* index into the workload's jobs */
	uint32_t error; /* 0, or 12 (ENOMEM) when the OOM killer ended it */
	uint64_t start_ns, end_ns;
	uint64_t pages_allocated, pages_freed, accesses, swapins;
	uint64_t rss_max; /* resident pages at most */
	struct vms_mem_lat_hist lat[VMS_MEM_LAT_NR];
};

#define VMS_OOM_TASKS 16
#define VMS_TASK_COMM_LEN 16

/* VMS_REC_OOM (results ring, per OOM kill): what was asked, and who held memory. */
struct vms_rec_oom {
	uint64_t ns;
	uint32_t pid, order; /* the failing allocation */
	char comm[VMS_TASK_COMM_LEN];
	uint32_t gfp_mask, victim_pid;
	char victim_comm[VMS_TASK_COMM_LEN];
	uint64_t victim_rss, victim_swapents;
	uint64_t nr_free, swap_free, swap_total;
	uint64_t counters[VMS_NR_VMSTAT];
	uint32_t nr_tasks, pad;
	struct {
		uint32_t pid, pad;
		uint64_t rss, swapents;
		char comm[VMS_TASK_COMM_LEN];
	} tasks[VMS_OOM_TASKS]; /* the largest holders, largest first */
};
#endif
