/*
 * kswapd0 and the throttling of direct reclaimers (mm/vmscan.c), in the era
 * kswapd_model selects; what differs between eras is a struct kswapd_ops, chosen once
 * at boot (kswapd_ops_for):
 *  - 2.4: kswapd wakes when a zone falls below low, or every second, and reclaims
 *    each zone below high in SWAP_CLUSTER_MAX batches (kswapd_balance); no
 *    throttling of direct reclaim, no premature-sleep counters.
 *  - 2.6 (2.6.x .. 3.x): balance_pgdat scans from DEF_PRIORITY down until every
 *    zone is above high, starting over at DEF_PRIORITY after each SWAP_CLUSTER_MAX
 *    reclaimed; kswapd first naps HZ/10 and counts kswapd_low/high_wmark_hit_quickly.
 *  - modern (4.x+): a node is balanced when one eligible zone is above high; each
 *    pass targets sum(max(high, SWAP_CLUSTER_MAX)) pages and lowers the priority only
 *    when that target is missed; direct reclaimers are throttled when free memory
 *    falls below half the min watermarks (allow_direct_reclaim, since 3.8).
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

/* After this many passes that reclaimed nothing, kswapd stops trying until reclaim works again. */
static bool kswapd_hopeless(pg_data_t *pgdat)
{
	return READ_ONCE(pgdat->kswapd_failures) >= MAX_RECLAIM_RETRIES;
}

static bool allow_direct_reclaim(pg_data_t *pgdat)
{
	unsigned long reserve = 0;
	for (int i = 0; i < MAX_NR_ZONES; i++)
		reserve += min_wmark_pages_z(&pgdat->node_zones[i]);
	return node_free_pages() > reserve / 2;
}

/*
 * throttle_direct_reclaim: below half the min reserves, wait (up to a second, as
 * Linux's HZ timeout) for kswapd to restore them rather than compete with it.
 * Returns whether the caller was throttled.
 */
bool throttle_direct_reclaim(unsigned gfp_mask)
{
	pg_data_t *pgdat = &contig_page_data;
	struct wait_queue_entry w = { 0 };

	(void)gfp_mask;
	if (!pgdat->kswapd_ops->throttles_direct_reclaim || current_is_kswapd() || allow_direct_reclaim(pgdat))
		return false;
	count_vm_event(pgscan_direct_throttle);
	wakeup_kswapd(&pgdat->node_zones[ZONE_NORMAL], 0, ZONE_NORMAL);
	u64 left = NSEC_PER_SEC;
	while (left && !allow_direct_reclaim(pgdat) && !fatal_memory_victim()) {
		prepare_to_wait(&pgdat->pfmemalloc_wait, &w, TASK_UNINTERRUPTIBLE);
		if (allow_direct_reclaim(pgdat))
			break;
		left = schedule_timeout(min(left, 10 * NSEC_PER_MSEC));
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
	if (READ_ONCE(pgdat->kswapd_running) || list_empty(&pgdat->kswapd_wait.head) || kswapd_hopeless(pgdat))
		return;
	if (ops->wakeup_checks_balance && ops->pgdat_balanced(pgdat, order, highest))
		return;
	count_vm_event(wakeup_kswapd_woke);
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
	if (balanced(pgdat, order, ZONE_NORMAL))
		clear_bit(PGDAT_DIRTY, &pgdat->flags); /* clear_pgdat_congested */
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

/* 2.4's kswapd slept until woken or for a second, whichever came first, and looked again. */
static void kswapd_sleep_2_4(pg_data_t *pgdat, unsigned order)
{
	struct wait_queue_entry w = { 0 };

	(void)order;
	prepare_to_wait(&pgdat->kswapd_wait, &w, TASK_UNINTERRUPTIBLE);
	schedule_timeout(NSEC_PER_SEC);
	finish_wait(&pgdat->kswapd_wait, &w);
}

/* kswapd_balance: every zone below high, batch after batch, while batches free pages; order 0 only. */
static unsigned long kswapd_balance_2_4(pg_data_t *pgdat, unsigned order)
{
	struct scan_control sc = { .may_writepage = 1, .may_swap = 1, .nr_to_reclaim = SWAP_CLUSTER_MAX };
	unsigned long total = 0;
	bool progress = true;

	(void)order;
	while (progress) {
		progress = false;
		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *z = &pgdat->node_zones[i];
			if (!populated_zone(z) || zone_free_pages(z) > high_wmark_pages_z(z))
				continue;
			/* try_to_free_pages_zone: priorities down until a batch is freed */
			sc.nr_reclaimed = 0;
			for (sc.priority = DEF_PRIORITY; sc.priority >= 0 && sc.nr_reclaimed < SWAP_CLUSTER_MAX;
			     sc.priority--)
				shrink_node(&sc);
			total += sc.nr_reclaimed;
			progress |= sc.nr_reclaimed > 0;
		}
		yield();
	}
	return total;
}

static const struct kswapd_ops kswapd_ops_2_4 = {
	.pgdat_balanced = pgdat_balanced_all,
	.wakeup_checks_balance = false, /* any zone below low woke it */
	.throttles_direct_reclaim = false,
	.sleep = kswapd_sleep_2_4,
	.balance = kswapd_balance_2_4,
};

/* ---- 2.6 ---- */

static unsigned long balance_pgdat_2_6(pg_data_t *pgdat, unsigned order)
{
	struct scan_control sc = { .order = order, .may_writepage = 1, .may_swap = 1 };
	unsigned long total = 0;

loop_again:
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
		wake_throttled(pgdat);
		if (all_zones_ok)
			return total;
		/* Progress: start over at the gentlest priority, as 2.6's loop_again. */
		if (sc.nr_reclaimed >= SWAP_CLUSTER_MAX) {
			yield();
			goto loop_again;
		}
		/* "kswapd is getting into trouble. Take a nap": the pages it wrote are in flight */
		if (sc.nr_scanned && sc.priority < DEF_PRIORITY - 2)
			congestion_wait(100 * NSEC_PER_MSEC); /* HZ/10 */
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

/* ---- modern ---- */

static unsigned long balance_pgdat_modern(pg_data_t *pgdat, unsigned order)
{
	struct scan_control sc = { .order = order, .may_writepage = 1, .may_swap = 1, .priority = DEF_PRIORITY };
	unsigned long total = 0;
	struct zone *z;

	do {
		if (pgdat_balanced_any(pgdat, order, ZONE_NORMAL))
			break;
		sc.nr_to_reclaim = 0;
		for_each_populated_zone(z)
			sc.nr_to_reclaim += max(high_wmark_pages_z(z), SWAP_CLUSTER_MAX);
		sc.nr_reclaimed = 0;
		shrink_node(&sc);
		total += sc.nr_reclaimed;
		wake_throttled(pgdat);
		/* Lower the priority only when the pass fell short of its target. */
		if (sc.nr_reclaimed < sc.nr_to_reclaim)
			sc.priority--;
	} while (sc.priority >= 1);
	return total;
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
		count_vm_event(pageoutrun);
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
