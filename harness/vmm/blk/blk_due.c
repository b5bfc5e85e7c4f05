/* The held completions' heap, ordered by due time. */
#include <stdlib.h>

#include "vmm/blk/blk_due.h"

int blk_due_init(struct blk_due *h, unsigned cap)
{
	free(h->v);
	h->v = calloc(cap ? cap : 1, sizeof(*h->v));
	h->n = 0;
	h->cap = h->v ? cap : 0;
	return h->v ? 0 : -1;
}

void blk_due_free(struct blk_due *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

void blk_due_push(struct blk_due *h, struct blk_io *io)
{
	if (h->n >= h->cap) /* cannot happen: a queue has at most cap requests */
		abort();
	unsigned i = h->n++;
	while (i && h->v[(i - 1) / 2]->due_ns > io->due_ns) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = io;
}

struct blk_io *blk_due_pop(struct blk_due *h, uint64_t now)
{
	if (!h->n || h->v[0]->due_ns > now)
		return NULL;
	struct blk_io *top = h->v[0], *last = h->v[--h->n];
	unsigned i = 0;
	for (;;) {
		unsigned c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1]->due_ns < h->v[c]->due_ns)
			c++;
		if (h->v[c]->due_ns >= last->due_ns)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}
