/*
 * kmalloc over the page allocator (mm/slab_common.c, mm/slub.c reduced): caches
 * of power-of-two objects from 32 to 2048 bytes, each slab one page whose free
 * objects are chained through the objects themselves; a cache keeps one empty
 * slab and gives the others back to the buddy allocator. Larger requests take a
 * block of pages marked PG_head with its order, so kfree needs no size.
 */
#include <asm/irqflags.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include <mm/mmzone.h>
#include <mm/vmstat.h>

#define KMALLOC_MIN_SHIFT 5
#define KMALLOC_MAX_SHIFT 11

struct kmem_cache {
	const char *name;
	unsigned size, objects; /* bytes per object, objects per slab */
	raw_spinlock_t lock;
	struct list_head partial; /* slabs with free objects */
	unsigned long nr_slabs, nr_empty;
};

static struct kmem_cache kmalloc_caches[KMALLOC_MAX_SHIFT + 1];

void kmem_cache_init(void)
{
	static const char *const names[] = { [5] = "kmalloc-32",  [6] = "kmalloc-64",	 [7] = "kmalloc-128",
					     [8] = "kmalloc-256", [9] = "kmalloc-512",	 [10] = "kmalloc-1k",
					     [11] = "kmalloc-2k" };
	for (unsigned s = KMALLOC_MIN_SHIFT; s <= KMALLOC_MAX_SHIFT; s++) {
		struct kmem_cache *c = &kmalloc_caches[s];
		c->name = names[s];
		c->size = 1u << s;
		c->objects = PAGE_SIZE / c->size;
		spin_lock_init(&c->lock);
		INIT_LIST_HEAD(&c->partial);
	}
}

/* Callers with interrupts masked cannot sleep in reclaim; the rest may. */
static gfp_t kmalloc_gfp(void)
{
	return irqs_disabled() ? GFP_ATOMIC : GFP_KERNEL;
}

static struct page *new_slab(struct kmem_cache *c, gfp_t gfp)
{
	struct page *page = alloc_pages(gfp, 0);
	if (!page)
		return NULL;
	char *base = page_address(page);
	void *free = NULL;
	for (unsigned i = c->objects; i-- > 0;) {
		*(void **)(base + (size_t)i * c->size) = free;
		free = base + (size_t)i * c->size;
	}
	__SetPageSlab(page);
	page->private = (unsigned long)c;
	page->mapping = free;
	page->inuse = 0;
	inc_node_state(nr_slab);
	return page;
}

static void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	unsigned long flags;
	void *obj = NULL;

	spin_lock_irqsave(&c->lock, flags);
	if (list_empty(&c->partial)) {
		spin_unlock_irqrestore(&c->lock, flags);
		struct page *page = new_slab(c, gfp); /* may sleep: not under the lock */
		if (!page)
			return NULL;
		spin_lock_irqsave(&c->lock, flags);
		list_add(&page->lru, &c->partial);
		c->nr_slabs++;
		c->nr_empty++;
	}
	struct page *page = list_first_entry(&c->partial, struct page, lru);
	obj = page->mapping;
	page->mapping = *(void **)obj;
	if (page->inuse++ == 0)
		c->nr_empty--;
	if (!page->mapping)
		list_del_init(&page->lru); /* full: off the partial list until an object comes back */
	spin_unlock_irqrestore(&c->lock, flags);
	return obj;
}

static void kmem_cache_free(struct kmem_cache *c, struct page *page, void *obj)
{
	unsigned long flags;
	bool release = false;

	spin_lock_irqsave(&c->lock, flags);
	if (!page->mapping)
		list_add(&page->lru, &c->partial);
	*(void **)obj = page->mapping;
	page->mapping = obj;
	if (--page->inuse == 0) {
		if (c->nr_empty >= 1) { /* keep one empty slab for the next allocation */
			list_del_init(&page->lru);
			c->nr_slabs--;
			release = true;
		} else {
			c->nr_empty++;
		}
	}
	spin_unlock_irqrestore(&c->lock, flags);
	if (release) {
		__ClearPageSlab(page);
		page->mapping = NULL;
		dec_node_state(nr_slab);
		__free_pages(page, 0);
	}
}

void *__kmalloc(size_t size, gfp_t gfp)
{
	if (size <= (1u << KMALLOC_MAX_SHIFT)) {
		unsigned s = KMALLOC_MIN_SHIFT;
		while ((1ul << s) < size)
			s++;
		return kmem_cache_alloc(&kmalloc_caches[s], gfp);
	}
	unsigned order = 0;
	while ((PAGE_SIZE << order) < size)
		order++;
	struct page *page = alloc_pages(gfp, order);
	if (!page)
		return NULL;
	__SetPageHead(page);
	page->private = order;
	mod_node_page_state(VMS_VM_nr_kernel_pages, 1l << order);
	return page_address(page);
}

void *kmalloc(size_t size)
{
	return __kmalloc(size, kmalloc_gfp());
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(const void *p)
{
	if (!p)
		return;
	struct page *page = virt_to_page(p);
	if (PageSlab(page)) {
		struct kmem_cache *c = (struct kmem_cache *)page->private;
		if (((unsigned long)p & (PAGE_SIZE - 1)) % c->size)
			panic("kfree: %p is not an object of %s", p, c->name);
		kmem_cache_free(c, page, (void *)p);
	} else if (PageHead(page) && page_address(page) == p) {
		unsigned order = (unsigned)page->private;
		__ClearPageHead(page);
		mod_node_page_state(VMS_VM_nr_kernel_pages, -(1l << order));
		__free_pages(page, order);
	} else {
		panic("kfree: bad pointer %p (page flags %#lx)", p, page->flags);
	}
}
