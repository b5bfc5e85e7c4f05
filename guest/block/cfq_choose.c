/*
 * cfq_choose_req (block/cfq-iosched.c, 2.6.32-3.x): of two requests, the one the disk
 * head reaches sooner from the last dispatched request's end. Forward, by the distance;
 * backward up to cfq_back_max (16 MiB) at cfq_back_penalty (2) times it; a request
 * further back "wraps" and loses to any other, and of two wrapped ones the lower
 * sector goes first ("only *one* back seek required"). An equal distance goes to the
 * higher sector. The async queue's requests are kept in a sort tree and dispatched in
 * this order (cfq_find_next_rq), which is what lets a rotating disk serve several
 * sequential writers' writeback in runs instead of seeking for every slice.
 */
#include "../include/kernel/cfq_choose.h"

bool cfq_choose_first(uint64_t a, uint64_t b, uint64_t last)
{
	bool wa = false, wb = false;
	uint64_t da = 0, db = 0;

	if (a >= last)
		da = a - last;
	else if (a + CFQ_BACK_MAX_SECTORS >= last)
		da = (last - a) * CFQ_BACK_PENALTY;
	else
		wa = true;
	if (b >= last)
		db = b - last;
	else if (b + CFQ_BACK_MAX_SECTORS >= last)
		db = (last - b) * CFQ_BACK_PENALTY;
	else
		wb = true;
	if (!wa && !wb)
		return da != db ? da < db : a >= b;
	if (wa != wb)
		return wb;
	return a <= b;
}

size_t cfq_pick(const uint64_t *sectors, size_t n, uint64_t last)
{
	size_t best = 0;

	for (size_t i = 1; i < n; i++)
		if (cfq_choose_first(sectors[i], sectors[best], last))
			best = i;
	return best;
}
