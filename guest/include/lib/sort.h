/* An in-place sort, as Linux's lib/sort.c: heapsort, no recursion, no allocation. */
#ifndef LIB_SORT_H
#define LIB_SORT_H
#include <kernel/types.h>

void sort(void *base, size_t num, size_t size, int (*cmp)(const void *, const void *));
#endif
