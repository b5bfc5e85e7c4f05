/*
 * Workingset detection for file pages (mm/workingset.c, 3.15+): a page reclaim
 * evicts leaves a shadow (the node's nonresident age at eviction); when it is read
 * back in, the refault distance (the age now minus then) says whether it would
 * have stayed resident with that much more memory for the cache, and if so it
 * starts on the active list. Anonymous pages (swap-cache shadows) are not modelled
 * here: workingset_*_anon stay 0.
 */
#ifndef MM_WORKINGSET_H
#define MM_WORKINGSET_H
#include <kernel/types.h>

struct page;
struct address_space;

void workingset_init(void); /* the shadow table, sized by the node's pages; at boot */
/* __remove_mapping: page (locked, isolated, clean) leaves (m, index): remember when. */
void workingset_eviction(struct page *page, struct address_space *m, unsigned long index);
/*
 * add_to_page_cache_lru, before the page joins an LRU: if (m, index) left a shadow,
 * count the refault and, within the workingset, SetPageActive (and PG_workingset if
 * it was active before). The shadow is consumed either way.
 */
void workingset_refault(struct page *page, struct address_space *m, unsigned long index);
/* mark_page_accessed activated a page: the inactive list's age advances (workingset_activation). */
void workingset_activation(struct page *page);
/* WORKINGSET_ACTIVATE_FILE so far, for shrink_node's may_deactivate (5.9+) */
unsigned long workingset_activations_file(void);
#endif
