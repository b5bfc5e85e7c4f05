/*
 * The I/O scheduler of a disk (the iosched knob): none, blk-mq's FIFO, or a model of
 * 2.6's CFQ (block/cfq-iosched.c) as it treats sync and async requests, which is what
 * decides whether an fsync waits behind background writeback. A request is sync when
 * someone waits for it: a read, a flush, a REQ_SYNC write (fsync's data, the journal,
 * O_DIRECT); async otherwise (writeback's). Sync requests go first; an async one is
 * held while sync requests are in flight (cfq_may_dispatch: "if this is an async queue
 * and we have sync IO in flight, let it wait"), and at most cfq_quantum (4) async ones
 * go at a time, fewer right after sync I/O: one per cfq_slice_sync (100 ms) since the
 * last sync request ended (2.6.32's low_latency ramp).
 *
 * Simplified, and said here: no per-process queues, time slices or idling (one sync
 * and one async class per disk), so two sync readers are served in arrival order.
 */
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/slab.h>

#define CFQ_QUANTUM 4 /* cfq_quantum before 2.6.33 */
#define CFQ_SLICE_SYNC_NS (100 * NSEC_PER_MSEC) /* cfq_slice_sync: HZ / 10 */

struct cfq_data {
	unsigned sync_flight, async_flight; /* dispatched, not completed: atomics */
	u64 last_end_sync_ns;
	bool async_waiting; /* an async request was held: run the queues when sync I/O drains */
	/* reported */
	u64 sync_dispatched, async_dispatched, async_held;
};

static bool rq_is_sync(const struct request *rq)
{
	return rq->op != REQ_OP_WRITE || (rq->cmd_flags & REQ_SYNC);
}

void cfq_init(struct request_queue *q)
{
	long v = (long)knob(iosched);

	if (v == VMS_IOSCHED_AUTO) /* virtio-blk is blk-mq from 3.13: no CFQ in the ioless era */
		v = knob(writeback_model) == VMS_WB_IOLESS ? VMS_IOSCHED_NONE : VMS_IOSCHED_CFQ;
	if (v != VMS_IOSCHED_CFQ)
		return;
	if (!(q->cfqd = kzalloc(sizeof(*q->cfqd))))
		panic("block: no memory for the I/O scheduler of %s", q->disk->disk_name);
}

/* cfq_may_dispatch for the async class. */
static bool cfq_may_dispatch_async(struct cfq_data *cfqd)
{
	if (READ_ONCE(cfqd->sync_flight))
		return false;
	unsigned depth = CFQ_QUANTUM, async = READ_ONCE(cfqd->async_flight);
	u64 last = READ_ONCE(cfqd->last_end_sync_ns);
	if (last) { /* low_latency: ramp up from the last sync request's end */
		u64 since = ktime_get_ns() - last;
		unsigned d = (unsigned)min(since / CFQ_SLICE_SYNC_NS, (u64)CFQ_QUANTUM);
		if (!d && !async)
			d = 1;
		depth = min(depth, d);
	}
	return async < depth;
}

struct request *elv_next_request(struct blk_mq_hw_ctx *hctx)
{
	struct cfq_data *cfqd = hctx->q->cfqd;
	struct request *rq, *async = NULL;

	if (list_empty(&hctx->dispatch))
		return NULL;
	if (!cfqd)
		return list_first_entry(&hctx->dispatch, struct request, queuelist);
	list_for_each_entry(rq, &hctx->dispatch, queuelist) {
		if (rq_is_sync(rq))
			return rq;
		if (!async)
			async = rq;
	}
	if (cfq_may_dispatch_async(cfqd))
		return async;
	WRITE_ONCE(cfqd->async_waiting, true);
	cfqd->async_held++;
	return NULL;
}

void elv_dispatched(struct request_queue *q, struct request *rq)
{
	struct cfq_data *cfqd = q->cfqd;
	if (!cfqd)
		return;
	if (rq_is_sync(rq)) {
		__atomic_add_fetch(&cfqd->sync_flight, 1, __ATOMIC_RELAXED);
		cfqd->sync_dispatched++;
	} else {
		__atomic_add_fetch(&cfqd->async_flight, 1, __ATOMIC_RELAXED);
		cfqd->async_dispatched++;
	}
}

/* With hctx->lock held, interrupts masked: the queues holding async requests are run
 * again by kblockd when the sync I/O has drained. */
void elv_completed(struct request_queue *q, struct request *rq, u64 now)
{
	struct cfq_data *cfqd = q->cfqd;
	if (!cfqd)
		return;
	if (!rq_is_sync(rq)) {
		__atomic_sub_fetch(&cfqd->async_flight, 1, __ATOMIC_RELAXED);
	} else {
		WRITE_ONCE(cfqd->last_end_sync_ns, now);
		if (__atomic_sub_fetch(&cfqd->sync_flight, 1, __ATOMIC_RELAXED))
			return;
	}
	if (!__atomic_exchange_n(&cfqd->async_waiting, false, __ATOMIC_ACQ_REL))
		return;
	for (unsigned i = 0; i < q->nr_hw_queues; i++)
		if (!list_empty(&q->hctx[i]->dispatch))
			kblockd_schedule(q->hctx[i]);
}

void elv_report(struct request_queue *q, struct vms_rec_blk *rec)
{
	struct cfq_data *cfqd = q->cfqd;
	rec->iosched = cfqd ? VMS_IOSCHED_CFQ : VMS_IOSCHED_NONE;
	if (!cfqd)
		return;
	rec->cfq_sync_dispatched = cfqd->sync_dispatched;
	rec->cfq_async_dispatched = cfqd->async_dispatched;
	rec->cfq_async_held = cfqd->async_held;
}
