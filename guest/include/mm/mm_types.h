/*
 * The address space of a memory job (include/linux/mm_types.h, reduced): a
 * software page table of nr_pages entries, one per page of the job's anonymous
 * memory, looked up by the job on every access (mm/memory.c) since the guest
 * kernel cannot afford hardware page faults on this host. An entry holds a
 * present page with its young (accessed) bit, a swap entry, or nothing; reclaim
 * reaches it back from the page through page->mapping and page->index (rmap).
 */
#ifndef MM_MM_TYPES_H
#define MM_MM_TYPES_H
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>

typedef unsigned long pte_t;
#define PTE_PRESENT 0x1ul /* the rest is the struct page pointer */
#define PTE_YOUNG 0x2ul	  /* accessed since reclaim last looked (the hardware's A bit) */
#define PTE_DIRTY 0x4ul	  /* written since mapped (the hardware's D bit) */
#define PTE_SWP_SHIFT 3	  /* !PTE_PRESENT: swap slot << PTE_SWP_SHIFT, 0 = none */
#define PTE_FLAGS_MASK 0x7ul

struct mm_struct {
	raw_spinlock_t page_table_lock; /* taken with interrupts masked */
	unsigned long nr_pages;
	pte_t *pgd; /* nr_pages entries */
	unsigned long rss, swapents, rss_max;
	struct task_struct *owner;
	volatile bool oom_victim; /* the OOM killer chose it: its next access or allocation fails */
	struct list_head mmlist; /* every mm, for the OOM killer */
	/* vma swap readahead's state (vma->swap_readahead_info): the last fault, its window, hits since */
	unsigned long swap_ra_idx;
	unsigned int swap_ra_win, swap_ra_hits;
};

static inline struct page *pte_page(pte_t pte)
{
	return (struct page *)(pte & ~PTE_FLAGS_MASK);
}

struct mm_struct *mm_alloc(struct task_struct *owner, unsigned long nr_pages);
void mmput(struct mm_struct *mm); /* exit_mmap: frees every page and swap slot, then the mm */

/*
 * The job touches page idx of mm (write: the access dirties it): the mm's page
 * lookup, allocating the page on first touch and swapping it in if it was swapped
 * out. Returns 0, or -ENOMEM when no page could be had (the OOM killer chose this
 * task). *swapped_in tells whether the access faulted on a swapped-out page (read
 * from swap, a major fault, or found in the swap cache, readahead's); *stage is the
 * enum alloc_stage of the page it allocated, or -1 if it allocated none.
 */
int handle_mm_access(struct mm_struct *mm, unsigned long idx, bool write, bool *swapped_in, int *stage);
/* Drop page idx (as munmap / MADV_DONTNEED): frees the page or its swap slot. */
void zap_page(struct mm_struct *mm, unsigned long idx);

/* rmap (mm/rmap.c): for reclaim, with the page locked. */
int page_referenced(struct page *page); /* young bits seen (and cleared) */
bool try_to_unmap(struct page *page);	/* replaces the pte by the page's swap entry */
bool page_mapped(struct page *page);

/* mm/oom_kill.c */
extern raw_spinlock_t mmlist_lock;
extern struct list_head mmlist_head;
bool out_of_memory(unsigned gfp_mask, unsigned order); /* true if a victim was chosen */
#endif
