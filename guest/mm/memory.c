/*
 * Anonymous memory of the memory jobs (mm/memory.c, mm/rmap.c, reduced): the
 * job's page lookup does what a page fault would — do_anonymous_page on first
 * touch, do_swap_page for a swapped-out page — and sets the young and dirty bits
 * the hardware would. Reclaim finds the mapping back through page->mapping and
 * page->index, and changes an entry only with the page locked and under
 * page_table_lock, so that the owner and reclaim never see half an update.
 */
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/slab.h>
#include <mm/gfp.h>
#include <mm/mm_types.h>
#include <mm/mmzone.h>
#include <mm/swap.h>
#include <mm/vmstat.h>


raw_spinlock_t mmlist_lock;
LIST_HEAD(mmlist_head);

struct mm_struct *mm_alloc(struct task_struct *owner, unsigned long nr_pages)
{
	struct mm_struct *mm = kzalloc(sizeof(*mm));
	if (!mm)
		return NULL;
	mm->pgd = kzalloc(nr_pages * sizeof(pte_t));
	if (!mm->pgd) {
		kfree(mm);
		return NULL;
	}
	spin_lock_init(&mm->page_table_lock);
	mm->nr_pages = nr_pages;
	mm->owner = owner;
	unsigned long flags;
	spin_lock_irqsave(&mmlist_lock, flags);
	list_add_tail(&mm->mmlist, &mmlist_head);
	spin_unlock_irqrestore(&mmlist_lock, flags);
	return mm;
}

static void touch_page(struct page *page, bool write)
{
	volatile u64 *p = page_address(page);
	if (write)
		*p += 1;
	else
		(void)*p;
}

/* Set a present entry for page at idx, the page locked or not yet visible to reclaim. */
static void map_page(struct mm_struct *mm, unsigned long idx, struct page *page, bool write)
{
	page->mapping = mm;
	page->index = idx;
	mm->pgd[idx] = (pte_t)page | PTE_PRESENT | PTE_YOUNG | (write ? PTE_DIRTY : 0);
	if (++mm->rss > mm->rss_max)
		mm->rss_max = mm->rss;
	inc_node_state(nr_anon_pages);
}

/* do_anonymous_page: a zeroed page, mapped and on the active anon list (as before 5.9). */
static int do_anonymous_page(struct mm_struct *mm, unsigned long idx, pte_t orig, bool write)
{
	struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO | __GFP_NOWARN);
	unsigned long flags;

	if (!page)
		return -ENOMEM;
	__SetPageSwapBacked(page);
	__SetPageUptodate(page); /* zeroed: its contents are valid */
	spin_lock_irqsave(&mm->page_table_lock, flags);
	if (mm->pgd[idx] != orig) { /* cannot happen with one owner, but be sure */
		spin_unlock_irqrestore(&mm->page_table_lock, flags);
		__ClearPageSwapBacked(page);
		__free_pages(page, 0);
		return 0;
	}
	map_page(mm, idx, page, write);
	spin_unlock_irqrestore(&mm->page_table_lock, flags);
	lru_cache_add(page, LRU_ACTIVE_ANON);
	return 0;
}

/*
 * do_swap_page (6.1): the page from the swap cache (a minor fault, swap_ra_hit if
 * readahead brought it), or read with its neighbours (swapin_readahead: a major
 * fault). A write takes the page over and gives the slot back; a read keeps the page
 * in the swap cache, clean, so that reclaim can drop it without writing it again,
 * unless swap is more than half full (should_try_to_free_swap: vm_swap_full).
 */
static int do_swap_page(struct mm_struct *mm, unsigned long idx, pte_t orig, bool write, bool *swapped_in)
{
	const unsigned gfp = GFP_HIGHUSER_MOVABLE | __GFP_NOWARN;
	swp_entry_t e = { orig >> PTE_SWP_SHIFT };
	unsigned long flags;

	struct page *page = lookup_swap_cache(e, mm, idx);
	if (!page) {
		page = swapin_readahead(e, gfp, mm, idx);
		if (!page)
			return -ENOMEM;
		count_vm_event(pgmajfault);
	}
	*swapped_in = true;
	lock_page(page); /* the read in flight (ours or readahead's) holds it */
	if (!PageUptodate(page)) {
		unlock_page(page);
		__free_pages(page, 0);
		return -EIO;
	}
	if (write)
		wait_on_page_writeback(page); /* about to dirty it: the old copy must reach the disk first */
	spin_lock_irqsave(&mm->page_table_lock, flags);
	if (mm->pgd[idx] != orig) {
		spin_unlock_irqrestore(&mm->page_table_lock, flags);
		unlock_page(page);
		__free_pages(page, 0);
		return 0;
	}
	map_page(mm, idx, page, write); /* the lookup's reference becomes the mapping's */
	mm->swapents--;
	spin_unlock_irqrestore(&mm->page_table_lock, flags);
	swap_free(e);
	/* should_try_to_free_swap: written, the copy on swap is stale; read, it stays while swap has room */
	if (write || vm_swap_full())
		try_to_free_swap(page);
	unlock_page(page);
	return 0;
}

int handle_mm_access(struct mm_struct *mm, unsigned long idx, bool write, bool *swapped_in, int *stage)
{
	unsigned long flags;

	*swapped_in = false;
	*stage = -1;
	for (;;) {
		if (mm->oom_victim)
			return -ENOMEM;
		spin_lock_irqsave(&mm->page_table_lock, flags);
		pte_t pte = mm->pgd[idx];
		if (pte & PTE_PRESENT) {
			mm->pgd[idx] = pte | PTE_YOUNG | (write ? PTE_DIRTY : 0);
			touch_page(pte_page(pte), write);
			spin_unlock_irqrestore(&mm->page_table_lock, flags);
			return 0;
		}
		spin_unlock_irqrestore(&mm->page_table_lock, flags);
		count_vm_event(pgfault);
		current->alloc_stage = -1; /* alloc_pages sets it: tells whether the fault allocated */
		int err = pte ? do_swap_page(mm, idx, pte, write, swapped_in)
			      : do_anonymous_page(mm, idx, pte, write);
		if (current->alloc_stage > *stage)
			*stage = current->alloc_stage;
		if (err)
			return err;
	}
}

/* ---- rmap ---- */

/* Only anonymous pages are mapped (a page-cache page's mapping is its address_space). */
bool page_mapped(struct page *page)
{
	return PageSwapBacked(page) && READ_ONCE(page->mapping) != NULL;
}

/* The entry of the mm that maps page, with page_table_lock held; NULL if not mapped. */
static pte_t *page_check_address(struct page *page, struct mm_struct **mmp, unsigned long *flags)
{
	struct mm_struct *mm = page_mapped(page) ? page->mapping : NULL;
	if (!mm)
		return NULL;
	spin_lock_irqsave(&mm->page_table_lock, *flags);
	pte_t *pte = &mm->pgd[page->index];
	if ((*pte & PTE_PRESENT) && pte_page(*pte) == page) {
		*mmp = mm;
		return pte;
	}
	spin_unlock_irqrestore(&mm->page_table_lock, *flags);
	return NULL;
}

/* The page is locked: its mapping cannot go away meanwhile (zap_page locks it). */
int page_referenced(struct page *page)
{
	struct mm_struct *mm;
	unsigned long flags;
	pte_t *pte = page_check_address(page, &mm, &flags);
	if (!pte)
		return 0;
	int young = (*pte & PTE_YOUNG) != 0;
	*pte &= ~PTE_YOUNG;
	spin_unlock_irqrestore(&mm->page_table_lock, flags);
	return young;
}

/* try_to_unmap: the entry becomes the page's swap slot; the dirty bit moves to the page. */
bool try_to_unmap(struct page *page)
{
	struct mm_struct *mm;
	unsigned long flags;
	pte_t *pte = page_check_address(page, &mm, &flags);
	if (!pte)
		return !page_mapped(page);
	if (*pte & PTE_DIRTY)
		SetPageDirty(page);
	swp_entry_t e = { page->private };
	swap_duplicate(e);
	*pte = e.val << PTE_SWP_SHIFT;
	mm->rss--;
	mm->swapents++;
	page->mapping = NULL;
	spin_unlock_irqrestore(&mm->page_table_lock, flags);
	dec_node_state(nr_anon_pages);
	__free_pages(page, 0); /* the mapping's reference; the swap cache and reclaim hold others */
	return true;
}

/*
 * Drop a page no mapping or cache holds any more: off the LRU and freed, or left to
 * reclaim's putback if reclaim has it isolated. One step under lru_lock: deciding
 * "isolated" first and dropping the reference later let reclaim put the page back on
 * its list in between, and the page was freed on the list (Bad page state, PG_lru).
 */
static void release_page(struct page *page)
{
	unlock_page(page);
	put_lru_page(page);
}

/* free_swap_and_cache: the slot's last user gone, a cached copy is useless. */
static void free_swap_and_cache(swp_entry_t e)
{
	swap_free(e);
	if (swap_count(e) != 1)
		return;
	struct page *page = find_get_swap_page(e);
	if (!page)
		return;
	if (trylock_page(page)) {
		/*
		 * try_to_free_swap: only if the cache is still the slot's one user. The count
		 * read above was without the page lock: reclaim may have freed the slot since
		 * and given it to another page that try_to_unmap then put in a page table.
		 * Under the page lock the count cannot rise (try_to_unmap needs the lock).
		 */
		if (PageSwapCache(page) && page->private == e.val && !PageWriteback(page) && !page_mapped(page) &&
		    swap_count(e) == 1) {
			delete_from_swap_cache(page);
			release_page(page); /* drops the lookup's reference */
			return;
		}
		unlock_page(page);
	}
	__free_pages(page, 0);
}

void zap_page(struct mm_struct *mm, unsigned long idx)
{
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&mm->page_table_lock, flags);
		pte_t pte = mm->pgd[idx];
		if (!pte) {
			spin_unlock_irqrestore(&mm->page_table_lock, flags);
			return;
		}
		if (!(pte & PTE_PRESENT)) {
			mm->pgd[idx] = 0;
			mm->swapents--;
			spin_unlock_irqrestore(&mm->page_table_lock, flags);
			free_swap_and_cache((swp_entry_t){ pte >> PTE_SWP_SHIFT });
			return;
		}
		struct page *page = pte_page(pte);
		spin_unlock_irqrestore(&mm->page_table_lock, flags);
		lock_page(page);
		spin_lock_irqsave(&mm->page_table_lock, flags);
		pte_t now = mm->pgd[idx];
		if (!(now & PTE_PRESENT) || pte_page(now) != page) {
			spin_unlock_irqrestore(&mm->page_table_lock, flags);
			unlock_page(page); /* reclaim unmapped it meanwhile: zap the swap entry instead */
			continue;
		}
		mm->pgd[idx] = 0;
		mm->rss--;
		page->mapping = NULL;
		spin_unlock_irqrestore(&mm->page_table_lock, flags);
		dec_node_state(nr_anon_pages);
		if (PageSwapCache(page)) {
			wait_on_page_writeback(page);
			delete_from_swap_cache(page);
		}
		release_page(page);
		return;
	}
}

void mmput(struct mm_struct *mm)
{
	unsigned long flags;

	for (unsigned long i = 0; i < mm->nr_pages; i++)
		zap_page(mm, i);
	spin_lock_irqsave(&mmlist_lock, flags);
	list_del_init(&mm->mmlist);
	spin_unlock_irqrestore(&mmlist_lock, flags);
	kfree(mm->pgd);
	kfree(mm);
}
