/* kmalloc (mm/slab.c): slab caches over the page allocator. */
#ifndef KERNEL_SLAB_H
#define KERNEL_SLAB_H
#include <kernel/types.h>
#include <mm/gfp.h>

void kmem_cache_init(void);
void *kmalloc(size_t size); /* GFP_KERNEL, or GFP_ATOMIC with interrupts masked */
void *__kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size);
void kfree(const void *p);
#endif
