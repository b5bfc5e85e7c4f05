/*
 * kmalloc over the RAM the host leaves free: power-of-two size classes from 32 bytes
 * to 4 KiB with free lists, and page runs (first fit) above that. Each block carries
 * a 16-byte header, so kfree needs no size. The memory-manager issue replaces the
 * back end with the buddy allocator.
 */
#include <kernel/kernel.h>
#include <kernel/percpu.h>
#include <kernel/slab.h>
#include <lib/string.h>

#define KMALLOC_MIN_SHIFT 5
#define KMALLOC_MAX_SHIFT 12
#define KMALLOC_MAGIC 0x6b6d616cu
#define PAGE_SIZE 4096ull

struct kmalloc_hdr {
	u32 magic;
	u32 shift; /* size class, or 0 for a page run */
	u64 pages; /* page runs: its length in pages */
};

struct free_run {
	struct free_run *next;
	u64 pages;
};

static raw_spinlock_t kmalloc_lock;
static u64 heap_next, heap_end, bytes_free;
static void *free_list[KMALLOC_MAX_SHIFT + 1];
static struct free_run *free_runs;

void kmalloc_init(u64 start, u64 end)
{
	spin_lock_init(&kmalloc_lock);
	heap_next = ALIGN(start, PAGE_SIZE);
	heap_end = end & ~(PAGE_SIZE - 1);
	bytes_free = heap_end - heap_next;
}

static void *alloc_pages_locked(u64 pages)
{
	for (struct free_run **pp = &free_runs; *pp; pp = &(*pp)->next) {
		struct free_run *r = *pp;
		if (r->pages < pages)
			continue;
		if (r->pages == pages) {
			*pp = r->next;
			return r;
		}
		r->pages -= pages; /* hand out the tail of the run */
		return (char *)r + r->pages * PAGE_SIZE;
	}
	if (heap_end - heap_next < pages * PAGE_SIZE)
		return NULL;
	void *p = (void *)heap_next;
	heap_next += pages * PAGE_SIZE;
	return p;
}

void *kmalloc(size_t size)
{
	unsigned long flags;
	size_t total = size + sizeof(struct kmalloc_hdr);
	struct kmalloc_hdr *h = NULL;

	local_irq_save(flags);
	raw_spin_lock(&kmalloc_lock);
	if (total <= (1u << KMALLOC_MAX_SHIFT)) {
		u32 shift = KMALLOC_MIN_SHIFT;
		while ((1ull << shift) < total)
			shift++;
		if (!free_list[shift]) {
			char *page = alloc_pages_locked(1);
			for (u64 off = 0; page && off < PAGE_SIZE; off += 1ull << shift) {
				*(void **)(page + off) = free_list[shift];
				free_list[shift] = page + off;
			}
		}
		h = free_list[shift];
		if (h) {
			free_list[shift] = *(void **)h;
			h->shift = shift;
			h->pages = 0;
			bytes_free -= 1ull << shift;
		}
	} else {
		u64 pages = ALIGN(total, PAGE_SIZE) / PAGE_SIZE;
		h = alloc_pages_locked(pages);
		if (h) {
			h->shift = 0;
			h->pages = pages;
			bytes_free -= pages * PAGE_SIZE;
		}
	}
	if (h)
		h->magic = KMALLOC_MAGIC;
	raw_spin_unlock(&kmalloc_lock);
	local_irq_restore(flags);
	return h ? h + 1 : NULL;
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
	unsigned long flags;

	if (!p)
		return;
	struct kmalloc_hdr *h = (struct kmalloc_hdr *)p - 1;
	if (h->magic != KMALLOC_MAGIC)
		panic("kfree: bad pointer %p (magic %#x)", p, h->magic);
	h->magic = 0;
	local_irq_save(flags);
	raw_spin_lock(&kmalloc_lock);
	if (h->shift) {
		*(void **)h = free_list[h->shift];
		free_list[h->shift] = h;
		bytes_free += 1ull << h->shift;
	} else {
		struct free_run *r = (struct free_run *)h;
		u64 pages = h->pages;
		r->pages = pages;
		r->next = free_runs;
		free_runs = r;
		bytes_free += pages * PAGE_SIZE;
	}
	raw_spin_unlock(&kmalloc_lock);
	local_irq_restore(flags);
}

/* Page-aligned memory for rings and I/O buffers; the caller keeps the size. */
void *alloc_pages_exact(size_t size)
{
	unsigned long flags;
	u64 pages = ALIGN((u64)size, PAGE_SIZE) / PAGE_SIZE;

	local_irq_save(flags);
	raw_spin_lock(&kmalloc_lock);
	void *p = alloc_pages_locked(pages);
	if (p)
		bytes_free -= pages * PAGE_SIZE;
	raw_spin_unlock(&kmalloc_lock);
	local_irq_restore(flags);
	if (p)
		memset(p, 0, pages * PAGE_SIZE);
	return p;
}

void free_pages_exact(void *p, size_t size)
{
	unsigned long flags;
	struct free_run *r = p;

	if (!p)
		return;
	local_irq_save(flags);
	raw_spin_lock(&kmalloc_lock);
	r->pages = ALIGN((u64)size, PAGE_SIZE) / PAGE_SIZE;
	r->next = free_runs;
	free_runs = r;
	bytes_free += r->pages * PAGE_SIZE;
	raw_spin_unlock(&kmalloc_lock);
	local_irq_restore(flags);
}

u64 kmalloc_bytes_free(void)
{
	return bytes_free;
}
