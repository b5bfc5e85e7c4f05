/*
 * Linux's lib/sort.c in short: heapsort in O(n log n) whatever the input, without
 * recursion or memory (glibc's qsort is a merge sort into a buffer). Elements of 1, 4
 * or 8 bytes are swapped whole, others byte by byte.
 */
#include <lib/sort.h>

static void swap_bytes(void *a, void *b, size_t size)
{
	switch (size) {
	case 1: {
		u8 t = *(u8 *)a;
		*(u8 *)a = *(u8 *)b;
		*(u8 *)b = t;
		return;
	}
	case 4: {
		u32 t = *(u32 *)a;
		*(u32 *)a = *(u32 *)b;
		*(u32 *)b = t;
		return;
	}
	case 8: {
		u64 t = *(u64 *)a;
		*(u64 *)a = *(u64 *)b;
		*(u64 *)b = t;
		return;
	}
	default:
		for (size_t i = 0; i < size; i++) {
			u8 t = ((u8 *)a)[i];
			((u8 *)a)[i] = ((u8 *)b)[i];
			((u8 *)b)[i] = t;
		}
	}
}

/* Moves element i of the heap of n elements down to where it belongs. */
static void sift_down(u8 *base, size_t i, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= n)
			return;
		if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + i * size, base + child * size) >= 0)
			return;
		swap_bytes(base + i * size, base + child * size, size);
		i = child;
	}
}

void sort(void *base, size_t num, size_t size, int (*cmp)(const void *, const void *))
{
	u8 *b = base;

	if (num < 2)
		return;
	for (size_t i = num / 2; i-- > 0;)
		sift_down(b, i, num, size, cmp);
	for (size_t n = num - 1; n > 0; n--) {
		swap_bytes(b, b + n * size, size);
		sift_down(b, 0, n, size, cmp);
	}
}
