/*
 * kswapd0 and the throttling of direct reclaimers (mm/vmscan.c), in the era
 * kswapd_model selects; what differs between eras is a struct kswapd_ops, chosen once
 * at boot (kswapd_ops_for). What the eras share is today's: the node LRU (4.8+), the
 * split anon/file lists (2.6.28+), rmap-style unmapping, DEF_PRIORITY 12, and the
 * scan balance of reclaim_model (4.8 or 5.9); only the kswapd loop, its sleep, the
 * wake-up test and the throttling below are the era's own.
 *  - 2.4 (2.4.18 .. 2.4.x, mm/vmscan.c): the allocator marks the class zone
 *    need_balance and wakes kswapd, which sleeps until then (no periodic run);
 *    kswapd_balance runs try_to_free_pages_zone on each zone that needs balance until
 *    they are all above high, and naps 5 s (HZ*5) only when a zone's reclaim fails.
 *    No pageoutrun (2.4 had no such counter), no throttling, no premature-sleep counts.
 *  - 2.6 (2.6.x .. 3.x): balance_pgdat scans from DEF_PRIORITY down until every
 *    zone is above high; in trouble (scanned, below DEF_PRIORITY - 2) it naps in
 *    congestion_wait(HZ/10); after SWAP_CLUSTER_MAX reclaimed it starts over
 *    (loop_again, counting pageoutrun); kswapd first naps HZ/10 and counts
 *    kswapd_low/high_wmark_hit_quickly.
 *  - 4.8 (4.8 .. 6.1): a node is balanced when one eligible zone is above high; each
 *    pass (kswapd_shrink_node) targets sum(max(high, SWAP_CLUSTER_MAX)) pages; the
 *    priority is kept while a pass scanned at least that, and lowered otherwise or
 *    when it reclaimed nothing; direct reclaimers below half the min watermarks wait
 *    for kswapd (throttle_direct_reclaim / allow_direct_reclaim, 3.8+).
 */
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/kthread.h>
#include <kernel/printk.h>
#include <kernel/timer.h>
#include <kernel/wait.h>
#include <mm/backing-dev.h>
#include <mm/mmzone.h>
#include <mm/vmstat.h>
#include <mm/workingset.h>
#include "internal.h"

static bool zone_balanced(struct zone *z, unsigned order, int highest)
{
	return zone_watermark_ok(z, order, high_wmark_pages_z(z), highest, 0);
}

/* pgdat_balanced before 4.x: every zone up to highest above high. */
static bool pgdat_balanced_all(pg_data_t *pgdat, unsigned order, int highest)
{
	for (int i = 0; i <= highest && i < MAX_NR_ZONES; i++) {
		struct zone *z = &pgdat->node_zones[i];
		if (populated_zone(z) && !zone_balanced(z, order, highest))
			return false;
	}
	return true;
}

/* pgdat_balanced since 4.x: one eligible zone above high is enough. */
static bool pgdat_balanced_any(pg_data_t *pgdat, unsigned order, int highest)
{
	for (int i = 0; i <= highest && i < MAX_NR_ZONES; i++) {
		struct zone *z = &pgdat->node_zones[i];
		if (populated_zone(z) && zone_balanced(z, order, highest))
			return true;
	}
	return false;
}

#define MAX_RECLAIM_RETRIES 16

/* 2.4's zone->need_balance, one bit a zone: set by wakeup_kswapd, cleared by kswapd_balance. */
static unsigned long need_balance;

/* After this many passes that reclaimed nothing, kswapd stops trying until reclaim works again. */
static bool kswapd_hopeless(pg_data_t *pgdat)
{
	return READ_ONCE(pgdat->kswapd_failures) >= MAX_RECLAIM_RETRIES;
}

/*
 * allow_direct_reclaim (3.8+; as 4.11 .. 6.1): free pages above half the min
 * reserves, or kswapd has given up (then nobody would wake the throttled).
 */
static bool allow_direct_reclaim(pg_data_t *pgdat)
{
	unsigned long reserve = 0;

	if (kswapd_hopeless(pgdat))
		return true;
	for (int i = 0; i < MAX_NR_ZONES; i++)
		reserve += min_wmark_pages_z(&pgdat->node_zones[i]);
	return !reserve || node_free_pages() > reserve / 2;
}

/*
 * throttle_direct_reclaim (4.8 .. 6.1): below half the min reserves, wait for kswapd
 * to restore them rather than compete with it. Linux waits until allowed
 * (wait_event_killable) when the allocation may enter the file system, and at most HZ
 * when it may not (GFP_NOFS/NOIO). Here every caller waits at most HZ: with an
 * unbounded wait, t_mm's polled-completion stress test hung about one run in five
 * (both vCPUs polling, the throttled tasks waiting on kswapd while kswapd's swap I/O
 * waited on them): the guest's tasks take part in finding completions, which Linux's
 * sleeping tasks do not. (Linux also exempts kernel threads; the guest's workloads are
 * kernel threads standing for user tasks, so they are throttled as tasks are.)
 * Returns whether the caller was throttled, for the latency breakdown.
 */
bool throttle_direct_reclaim(unsigned gfp_mask)
{
	pg_data_t *pgdat = &contig_page_data;
	struct wait_queue_entry w = { 0 };

	(void)gfp_mask;
	if (!pgdat->kswapd_ops->throttles_direct_reclaim || current_is_kswapd() || allow_direct_reclaim(pgdat))
		return false;
	count_vm_event(pgscan_direct_throttle);
	wakeup_kswapd(&pgdat->node_zones[ZONE_NORMAL], 0, ZONE_NORMAL); /* kswapd must be awake */
	u64 left = NSEC_PER_SEC;
	while (left && !allow_direct_reclaim(pgdat) && !fatal_memory_victim()) {
		prepare_to_wait(&pgdat->pfmemalloc_wait, &w, TASK_UNINTERRUPTIBLE);
		if (allow_direct_reclaim(pgdat))
			break;
		/* woken by kswapd (wake_throttled); the 10 ms re-check covers a wake-up between test and sleep */
		u64 slept = min(left, 10 * NSEC_PER_MSEC);
		left -= slept - schedule_timeout(slept);
	}
	finish_wait(&pgdat->pfmemalloc_wait, &w);
	return true;
}

void wakeup_kswapd(struct zone *zone, unsigned order, int highest)
{
	pg_data_t *pgdat = &contig_page_data;
	const struct kswapd_ops *ops = pgdat->kswapd_ops;

	(void)zone;
	if (!pgdat->kswapd)
		return;
	if ((int)order > READ_ONCE(pgdat->kswapd_order))
		WRITE_ONCE(pgdat->kswapd_order, (int)order);
	if (ops->zone_need_balance) {
		/* 2.4's __alloc_pages: classzone->need_balance = 1, then wake kswapd; no give-up state */
		__atomic_or_fetch(&need_balance, 1ul << highest, __ATOMIC_RELAXED);
		if (READ_ONCE(pgdat->kswapd_running) || list_empty(&pgdat->kswapd_wait.head))
			return;
		count_vm_event(wakeup_kswapd_woke);
		WRITE_ONCE(pgdat->kswapd_woken, 1);
		wake_up(&pgdat->kswapd_wait);
		return;
	}
	if (READ_ONCE(pgdat->kswapd_running) || list_empty(&pgdat->kswapd_wait.head) || kswapd_hopeless(pgdat))
		return;
	if (ops->wakeup_checks_balance && ops->pgdat_balanced(pgdat, order, highest))
		return;
	count_vm_event(wakeup_kswapd_woke);
	WRITE_ONCE(pgdat->kswapd_woken, 1);
	wake_up(&pgdat->kswapd_wait);
}

static void wake_throttled(pg_data_t *pgdat)
{
	if (!list_empty(&pgdat->pfmemalloc_wait.head) && allow_direct_reclaim(pgdat))
		wake_up(&pgdat->pfmemalloc_wait);
}

/* kswapd_try_to_sleep (2.6 on): nap HZ/10 first; woken early or still unbalanced, it was premature. */
static void kswapd_try_to_sleep(pg_data_t *pgdat, unsigned order)
{
	bool (*balanced)(pg_data_t *, unsigned, int) = pgdat->kswapd_ops->pgdat_balanced;
	struct wait_queue_entry w = { 0 };
	u64 remaining = 0;

	prepare_to_wait(&pgdat->kswapd_wait, &w, TASK_UNINTERRUPTIBLE);
	if (kswapd_hopeless(pgdat) || balanced(pgdat, order, ZONE_NORMAL))
		remaining = schedule_timeout(NSEC_PER_SEC / 10);
	finish_wait(&pgdat->kswapd_wait, &w);
	if (balanced(pgdat, order, ZONE_NORMAL)) {
		clear_bit(PGDAT_DIRTY, &pgdat->flags); /* clear_pgdat_congested */
		clear_pgdat_congested();
	}
	if (!remaining && (kswapd_hopeless(pgdat) || balanced(pgdat, order, ZONE_NORMAL))) {
		prepare_to_wait(&pgdat->kswapd_wait, &w, TASK_UNINTERRUPTIBLE);
		if (kswapd_hopeless(pgdat) || balanced(pgdat, order, ZONE_NORMAL))
			schedule();
		finish_wait(&pgdat->kswapd_wait, &w);
	} else if (remaining) {
		count_vm_event(kswapd_low_wmark_hit_quickly);
	} else {
		count_vm_event(kswapd_high_wmark_hit_quickly);
	}
}

/* ---- 2.4 ---- */

/* kswapd_can_sleep (2.4.18+): no zone marked need_balance; then it sleeps until woken, however long. */
static void kswapd_sleep_2_4(pg_data_t *pgdat, unsigned order)
{
	struct wait_queue_entry w = { 0 };

	(void)order;
	prepare_to_wait(&pgdat->kswapd_wait, &w, TASK_UNINTERRUPTIBLE);
	if (!READ_ONCE(need_balance))
		schedule();
	finish_wait(&pgdat->kswapd_wait, &w);
}

/* check_classzone_need_balance: every zone up to the class zone at or below its high watermark. */
static bool classzone_need_balance(pg_data_t *pgdat, int classzone)
{
	for (int i = classzone; i >= 0; i--) {
		struct zone *z = &pgdat->node_zones[i];
		if (populated_zone(z) && zone_balanced(z, 0, classzone))
			return false;
	}
	return true;
}

/* try_to_free_pages_zone: priorities DEF_PRIORITY .. 1 until SWAP_CLUSTER_MAX pages are freed; false if never. */
static bool try_to_free_pages_zone(struct scan_control *sc)
{
	sc->nr_reclaimed = 0;
	for (sc->priority = DEF_PRIORITY; sc->priority >= 1; sc->priority--) {
		shrink_node(sc);
		if (sc->nr_reclaimed >= SWAP_CLUSTER_MAX)
			return true;
		if (fatal_memory_victim())
			break;
	}
	return false; /* 2.4 called out_of_memory() here; our OOM killer is the allocator's */
}

/* kswapd_balance / kswapd_balance_pgdat (2.4.18+): order 0 only, as 2.4's kswapd. */
static unsigned long kswapd_balance_2_4(pg_data_t *pgdat, unsigned order)
{
	struct scan_control sc = { .may_writepage = 1, .may_swap = 1, .nr_to_reclaim = SWAP_CLUSTER_MAX };
	unsigned long total = 0;
	bool need_more_balance;

	(void)order;
	do {
		need_more_balance = false;
		for (int i = MAX_NR_ZONES - 1; i >= 0; i--) {
			unsigned long bit = 1ul << i;
			if (!(READ_ONCE(need_balance) & bit) || !populated_zone(&pgdat->node_zones[i]))
				continue;
			bool freed = try_to_free_pages_zone(&sc);
			total += sc.nr_reclaimed;
			if (!freed) {
				/* nothing to be had: forget the zone and nap 5 s (HZ*5) */
				__atomic_and_fetch(&need_balance, ~bit, __ATOMIC_RELAXED);
				schedule_timeout(5 * NSEC_PER_SEC);
				continue;
			}
			if (classzone_need_balance(pgdat, i))
				need_more_balance = true;
			else
				__atomic_and_fetch(&need_balance, ~bit, __ATOMIC_RELAXED);
		}
	} while (need_more_balance);
	return total;
}

static const struct kswapd_ops kswapd_ops_2_4 = {
	.pgdat_balanced = pgdat_balanced_all,
	.wakeup_checks_balance = false, /* any zone below low woke it */
	.zone_need_balance = true,
	.throttles_direct_reclaim = false,
	.sleep = kswapd_sleep_2_4,
	.balance = kswapd_balance_2_4,
};

/* ---- 2.6 ---- */

/*
 * balance_pgdat (2.6.x): from DEF_PRIORITY down, shrink every zone below high. "kswapd
 * is getting into trouble. Take a nap" (congestion_wait(HZ/10), blk_congestion_wait
 * before 2.6.16) once it scanned and is below DEF_PRIORITY - 2; then, with
 * SWAP_CLUSTER_MAX reclaimed since loop_again, start over from DEF_PRIORITY (after
 * cond_resched: nothing here, the guest is preemptive). Where 2.6 marked zones
 * all_unreclaimable and looped on, a sweep of every priority that reclaimed nothing
 * ends the run (kswapd_failures counts it).
 */
static unsigned long balance_pgdat_2_6(pg_data_t *pgdat, unsigned order)
{
	struct scan_control sc = { .order = order, .may_writepage = 1, .may_swap = 1 };
	unsigned long total = 0, total_scanned, nr_reclaimed;

loop_again:
	total_scanned = 0;
	nr_reclaimed = 0;
	count_vm_event(pageoutrun); /* 2.6 counted each loop_again */
	for (sc.priority = DEF_PRIORITY; sc.priority >= 0; sc.priority--) {
		bool all_zones_ok = true;
		sc.nr_reclaimed = 0;
		sc.nr_scanned = 0;
		for (int i = MAX_NR_ZONES - 1; i >= 0; i--) {
			struct zone *z = &pgdat->node_zones[i];
			if (!populated_zone(z) || zone_balanced(z, order, 0))
				continue;
			all_zones_ok = false;
			sc.nr_to_reclaim = SWAP_CLUSTER_MAX;
			shrink_node(&sc);
		}
		total += sc.nr_reclaimed;
		nr_reclaimed += sc.nr_reclaimed;
		total_scanned += sc.nr_scanned;
		wake_throttled(pgdat);
		if (all_zones_ok)
			return total;
		if (total_scanned && sc.priority < DEF_PRIORITY - 2)
			congestion_wait(100 * NSEC_PER_MSEC); /* HZ/10: the pages it wrote are in flight */
		if (nr_reclaimed >= SWAP_CLUSTER_MAX)
			goto loop_again;
	}
	return total;
}

static const struct kswapd_ops kswapd_ops_2_6 = {
	.pgdat_balanced = pgdat_balanced_all,
	.wakeup_checks_balance = true,
	.throttles_direct_reclaim = false,
	.sleep = kswapd_try_to_sleep,
	.balance = balance_pgdat_2_6,
};

/* ---- 4.8 .. 6.1 ---- */

/*
 * kswapd_shrink_node: reclaim in proportion to the zones, sum(max(high,
 * SWAP_CLUSTER_MAX)), from the node's LRU. True if the pass scanned that many
 * pages: at 100 % efficiency that would have met the high watermark, so there is no
 * need to scan harder.
 */
static bool kswapd_shrink_node(pg_data_t *pgdat, struct scan_control *sc)
{
	struct zone *z;

	(void)pgdat;
	sc->nr_to_reclaim = 0;
	for_each_populated_zone(z)
		sc->nr_to_reclaim += max(high_wmark_pages_z(z), SWAP_CLUSTER_MAX);
	shrink_node(sc);
	if (sc->order && sc->nr_reclaimed >= 2ul << sc->order)
		sc->order = 0; /* compact_gap reclaimed: judge the watermarks at order 0 */
	return sc->nr_scanned >= sc->nr_to_reclaim;
}

/* balance_pgdat (4.8 .. 6.1): nr_reclaimed accumulates over the passes; pageoutrun once a run. */
static unsigned long balance_pgdat_modern(pg_data_t *pgdat, unsigned order)
{
	struct scan_control sc = { .order = order, .may_writepage = 1, .may_swap = 1, .priority = DEF_PRIORITY };

	count_vm_event(pageoutrun);
	do {
		unsigned long nr_reclaimed = sc.nr_reclaimed;
		bool raise_priority = true;

		if (pgdat_balanced_any(pgdat, sc.order, ZONE_NORMAL))
			break;
		sc.nr_scanned = 0;
		if (kswapd_shrink_node(pgdat, &sc))
			raise_priority = false;
		wake_throttled(pgdat);
		if (fatal_memory_victim())
			break;
		/* Raise priority if scanning rate is too low or there was no progress in reclaiming pages */
		nr_reclaimed = sc.nr_reclaimed - nr_reclaimed;
		if (raise_priority || !nr_reclaimed)
			sc.priority--;
	} while (sc.priority >= 1);
	if (pgdat->reclaim_model == VMS_RECLAIM_5_9)
		snapshot_refaults(); /* 5.9+ */
	return sc.nr_reclaimed;
}

static const struct kswapd_ops kswapd_ops_modern = {
	.pgdat_balanced = pgdat_balanced_any,
	.wakeup_checks_balance = true,
	.throttles_direct_reclaim = true,
	.sleep = kswapd_try_to_sleep,
	.balance = balance_pgdat_modern,
};

const struct kswapd_ops *kswapd_ops_for(enum vms_kswapd_model era)
{
	static const struct kswapd_ops *const eras[] = {
		[VMS_KSWAPD_2_4] = &kswapd_ops_2_4,
		[VMS_KSWAPD_2_6] = &kswapd_ops_2_6,
		[VMS_KSWAPD_4_8] = &kswapd_ops_modern,
	};

	/* The host refuses other values; this one would be a host and guest out of step. */
	if ((unsigned)era >= ARRAY_SIZE(eras) || !eras[era])
		panic("kswapd: no kswapd_model %u", (unsigned)era);
	return eras[era];
}

static int kswapd(void *data)
{
	pg_data_t *pgdat = data;
	const struct kswapd_ops *ops = pgdat->kswapd_ops;

	current->flags |= PF_MEMALLOC | PF_KSWAPD;
	for (;;) {
		ops->sleep(pgdat, 0);
		unsigned order = (unsigned)__atomic_exchange_n(&pgdat->kswapd_order, 0, __ATOMIC_RELAXED);
		WRITE_ONCE(pgdat->kswapd_running, 1);
		WRITE_ONCE(pgdat->kswapd_woken, 0);
		unsigned long reclaimed = ops->balance(pgdat, order);
		pgdat->kswapd_failures = reclaimed ? 0 : pgdat->kswapd_failures + 1;
		WRITE_ONCE(pgdat->kswapd_running, 0);
		wake_up(&pgdat->pfmemalloc_wait);
	}
	return 0;
}

void kswapd_run(void)
{
	pg_data_t *pgdat = &contig_page_data;

	workingset_init(); /* reclaim's shadow entries, before kswapd can evict anything */
	pgdat->kswapd = kthread_create(kswapd, pgdat, "kswapd0");
	wake_up_process(pgdat->kswapd);
}
