/*
 * What the files of guest/mm share among themselves and nobody else uses, as
 * Linux's mm/internal.h: reclaim's scan_control (vmscan.c, kswapd.c) and the swap
 * cache's side of reclaim.
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H
#include <kernel/task.h>
#include <mm/mm_types.h>

struct page;

/* What reclaim passes around (mm/vmscan.c's struct scan_control). */
struct scan_control {
	unsigned long nr_to_reclaim, nr_reclaimed;
	unsigned gfp_mask;
	unsigned order;
	int priority; /* scan size >> priority pages of each list per pass */
	unsigned may_writepage : 1;
	unsigned may_swap : 1;
};

void shrink_node(struct scan_control *sc);

static inline bool current_is_kswapd(void)
{
	return current->flags & PF_KSWAPD;
}

/* The OOM killer chose the current task: stop reclaiming for it, it is about to exit. */
static inline bool fatal_memory_victim(void)
{
	return current->mm && current->mm->oom_victim;
}

/*
 * swap_state.c: __remove_mapping for a swap-cache page reclaim isolated and locked;
 * false if someone else still holds it.
 */
bool remove_swap_mapping(struct page *page);
#endif
