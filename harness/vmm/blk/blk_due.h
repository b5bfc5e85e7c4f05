/*
 * A queue's completions held until their due time (a disk model), soonest first. A
 * min-heap: with channels, mixed sizes, several queues on one disk and an engine that
 * finishes requests in any order, completions do not arrive in due order.
 */
#ifndef VMM_BLK_DUE_H
#define VMM_BLK_DUE_H
#include <stddef.h>

#include "vmm/blk/blk_engine.h"

struct blk_due {
	struct blk_io **v;
	unsigned n, cap;
};

/* Room for cap completions (the queue's size: no more can be in flight). -1: out of memory. */
int blk_due_init(struct blk_due *h, unsigned cap);
void blk_due_free(struct blk_due *h);
/* Holds io until io->due_ns; never fails while fewer than cap are held. */
void blk_due_push(struct blk_due *h, struct blk_io *io);
/* The soonest due, or NULL. */
static inline struct blk_io *blk_due_peek(const struct blk_due *h)
{
	return h->n ? h->v[0] : NULL;
}
/* Takes the soonest due off, if it is due by now; NULL otherwise. */
struct blk_io *blk_due_pop(struct blk_due *h, uint64_t now);
#endif
