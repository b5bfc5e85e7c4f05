/* kmalloc: size classes over the RAM the host leaves free (the mm issue replaces the back end). */
#ifndef KERNEL_SLAB_H
#define KERNEL_SLAB_H
#include <kernel/types.h>

void kmalloc_init(u64 start, u64 end);
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(const void *p);
u64 kmalloc_bytes_free(void);
void *alloc_pages_exact(size_t size);
void free_pages_exact(void *p, size_t size);
#endif
