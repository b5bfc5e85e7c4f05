#include <stdlib.h>

#include "util/array.h"

int array_grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n <= *cap)
		return 0;
	size_t c = *cap ? 2 * *cap : 16;
	while (c < n)
		c *= 2;
	void *m = realloc(*v, c * size);
	if (!m)
		return -1;
	*v = m;
	*cap = c;
	return 0;
}
