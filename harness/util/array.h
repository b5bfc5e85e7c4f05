/* Growable arrays: the one realloc-doubling helper the host's lists share. */
#ifndef UTIL_ARRAY_H
#define UTIL_ARRAY_H
#include <stddef.h>

/* Grows *v (of *cap elements of size bytes) to hold n, doubling from 16; -1 when out
 * of memory (then *v and *cap are as they were). */
int array_grow(void **v, size_t *cap, size_t n, size_t size);
#endif
