/* What reclaim passes around (mm/vmscan.c's struct scan_control), for vmscan.c and kswapd.c. */
#ifndef MM_VMSCAN_H
#define MM_VMSCAN_H
#include <kernel/task.h>
#include <mm/mm_types.h>

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
#endif
