/*
 * Workingset detection for file pages (mm/workingset.c, Linux 3.15+; as 6.1 with
 * reclaim_model 5.9, as 4.8 .. 5.8 with 4.8).
 *
 * nonresident_age counts evictions and activations (workingset_age_nonresident):
 * the inactive list's "clock". Evicting a page stores the clock in a shadow entry
 * for (mapping, index), with PG_workingset (the page had been active). When that
 * index is read in again, refault_distance = clock now - clock then is how many
 * more pages the inactive list would have needed to keep it. If the distance fits
 * in the workingset the page competes with (4.8 .. 5.8: the active file list; 5.9+:
 * active file, plus both anon lists while swap has room), the page starts active
 * (workingset_activate_file); if it had been active before, it is a restore
 * (workingset_restore_file), and from 5.9 its reload is a cost of file reclaim
 * (lru_note_cost_refault).
 *
 * Linux keeps shadows in the page-cache xarray and bounds their nodes with a
 * shrinker (count_shadow_nodes: about one node per 8 LRU pages). Our page cache is a
 * hash, so the shadows live here, in a direct-mapped table of one entry per page
 * of the node (at most 2^18 entries, 4 MiB): a newer shadow replaces an older one
 * that hashes to the same slot, as the shrinker would have dropped old ones.
 * bucket_order is 0 (64-bit: the counter never needs coarsening at these sizes).
 */
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <kernel/slab.h>
#include <mm/swap.h>
#include <mm/vmscan_policy.h>
#include <mm/vmstat.h>
#include <mm/workingset.h>
#include "internal.h"

struct shadow {
	unsigned long key; /* shadow_key(m, index); 0: empty */
	unsigned long val; /* eviction age << 1 | PG_workingset */
};

static struct shadow *shadows;
static unsigned long shadow_mask;
static raw_spinlock_t shadow_lock;
static unsigned long nonresident_age; /* lruvec->nonresident_age (inactive_age before 5.9) */
static unsigned long nr_activate_file;

/* A 64-bit mix of mapping and index (never 0): two entries share a key only by a hash collision. */
static unsigned long shadow_key(const struct address_space *m, unsigned long index)
{
	unsigned long k = (unsigned long)m * 0x9e3779b97f4a7c15ul ^ (index + 0x632be59bd9b4e019ul) * 0xbf58476d1ce4e5b9ul;
	k ^= k >> 31;
	return k ? k : 1;
}

void workingset_init(void)
{
	unsigned long pages = 0, n = 1;
	struct zone *z;

	for_each_populated_zone(z)
		pages += zone_managed_pages(z);
	while (n < pages && n < (1ul << 18))
		n <<= 1;
	shadows = kzalloc(n * sizeof(*shadows));
	if (!shadows) {
		pr_info("workingset: no memory for %lu shadow entries: refaults not detected\n", n);
		return;
	}
	shadow_mask = n - 1;
}

static void workingset_age_nonresident(unsigned long nr)
{
	__atomic_add_fetch(&nonresident_age, nr, __ATOMIC_RELAXED);
}

void workingset_eviction(struct page *page, struct address_space *m, unsigned long index)
{
	unsigned long key = shadow_key(m, index), flags;
	unsigned long eviction = __atomic_load_n(&nonresident_age, __ATOMIC_RELAXED);

	workingset_age_nonresident(1);
	if (!shadows)
		return;
	spin_lock_irqsave(&shadow_lock, flags);
	struct shadow *s = &shadows[key & shadow_mask];
	s->key = key;
	s->val = eviction << 1 | (PageWorkingset(page) ? 1 : 0);
	spin_unlock_irqrestore(&shadow_lock, flags);
}

/* The workingset a refaulting file page competes with (workingset_refault). */
static unsigned long workingset_size(void)
{
	const struct lruvec *lv = &contig_page_data.lruvec;
	unsigned long lru[NR_LRU_LISTS];

	for (int i = 0; i < NR_LRU_LISTS; i++)
		lru[i] = READ_ONCE(lv->nr_pages[i]);
	return workingset_size_for(lru, get_nr_swap_pages() > 0, contig_page_data.reclaim_model == VMS_RECLAIM_5_9);
}

void workingset_refault(struct page *page, struct address_space *m, unsigned long index)
{
	unsigned long key = shadow_key(m, index), flags, val = 0;
	bool found = false;

	if (!shadows)
		return;
	spin_lock_irqsave(&shadow_lock, flags);
	struct shadow *s = &shadows[key & shadow_mask];
	if (s->key == key) {
		found = true;
		val = s->val;
		s->key = 0; /* the page takes the shadow's place in the cache */
	}
	spin_unlock_irqrestore(&shadow_lock, flags);
	if (!found)
		return;

	unsigned long refault = __atomic_load_n(&nonresident_age, __ATOMIC_RELAXED);
	unsigned long refault_distance = refault - (val >> 1);
	count_vm_event(workingset_refault_file);
	if (refault_distance > workingset_size())
		return; /* it would not have stayed even with all that memory */
	SetPageActive(page);
	workingset_age_nonresident(1);
	count_vm_event(workingset_activate_file);
	__atomic_add_fetch(&nr_activate_file, 1, __ATOMIC_RELAXED);
	if (val & 1) { /* it was active before eviction: the workingset is thrashing (4.20+) */
		SetPageWorkingset(page);
		count_vm_event(workingset_restore_file);
		lru_note_cost_refault(page);
	}
}

void workingset_activation(struct page *page)
{
	(void)page;
	workingset_age_nonresident(1);
}

unsigned long workingset_activations_file(void)
{
	return __atomic_load_n(&nr_activate_file, __ATOMIC_RELAXED);
}
