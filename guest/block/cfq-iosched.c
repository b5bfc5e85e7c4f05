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
 * The async requests (writeback's, all in CFQ's one async cfq_queue of their priority)
 * wait sorted by sector and go in the order the head reaches them from the last one
 * dispatched (cfq_choose_req, block/cfq_choose.c), the oldest first once an async
 * slice if it waited past fifo_expire (250 ms); a bio joins any queued request it
 * continues or precedes (elv_merge), not only the last one. On a rotating disk that is
 * what serves several sequential writers' writeback in runs rather than a seek per
 * slice (Wu's ten-dd IO-less table, issue #15).
 *
 * Simplified, and said here: no per-process queues, time slices or idling (one sync
 * and one async class per disk), so two sync readers are served in arrival order; the
 * once-a-slice FIFO check stands for the async slice (40 ms) that CFQ would give.
 */
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/cfq_choose.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/slab.h>

#define CFQ_QUANTUM 4 /* cfq_quantum before 2.6.33 */
#define CFQ_SLICE_SYNC_NS (100 * NSEC_PER_MSEC) /* cfq_slice_sync: HZ / 10 */

struct cfq_data {
	unsigned sync_flight, async_flight; /* dispatched, not completed: atomics */
	u64 last_end_sync_ns;
	u64 last_position; /* cfqd->last_position: the end sector of the last request dispatched */
	u64 fifo_checked_ns; /* cfq_check_fifo: the async FIFO is looked at once a slice */
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

#define CFQ_FIFO_EXPIRE_ASYNC_NS (250 * NSEC_PER_MSEC) /* cfq_fifo_expire[0]: HZ / 4 */
#define CFQ_SLICE_ASYNC_NS (40 * NSEC_PER_MSEC) /* cfq_slice_async: HZ / 25 */

/*
 * The async queue's next request (cfq_dispatch_request -> cfq_check_fifo, else
 * cfqq->next_rq): writeback's requests all sit in the one async cfq_queue, sorted by
 * sector, and go in the order the head reaches them from the last dispatched request;
 * once an async slice, the oldest goes first if it waited past fifo_expire.
 */
static struct request *cfq_next_async(struct cfq_data *cfqd, struct blk_mq_hw_ctx *hctx)
{
	struct request *rq, *oldest = NULL, *best = NULL;
	u64 now = ktime_get_ns();

	list_for_each_entry(rq, &hctx->dispatch, queuelist) {
		if (rq_is_sync(rq))
			continue;
		if (!oldest)
			oldest = rq; /* the list is in arrival order */
		if (!best || cfq_choose_first(rq->sector, best->sector, cfqd->last_position))
			best = rq;
	}
	if (oldest && now - cfqd->fifo_checked_ns >= CFQ_SLICE_ASYNC_NS) {
		cfqd->fifo_checked_ns = now;
		if (now - oldest->start_ns > CFQ_FIFO_EXPIRE_ASYNC_NS)
			return oldest;
	}
	return best;
}

/* elv_merge for the legacy elevator: the bio joins any request still queued (the
 * back-merge hash, cfq_merge's sort tree for a front merge), of its own kind only
 * (cfq_allow_merge: a sync bio never joins an async request, nor the reverse, as
 * their cfq_queues differ). With hctx->lock held. */
bool elv_merge_queued(struct request_queue *q, struct blk_mq_hw_ctx *hctx, struct bio *bio,
		      bool (*merge)(struct request_queue *, struct request *, struct bio *))
{
	struct request *rq;
	bool sync = bio->op != REQ_OP_WRITE || (bio->opf & REQ_SYNC);

	(void)q;
	list_for_each_entry(rq, &hctx->dispatch, queuelist) {
		if (rq_is_sync(rq) != sync)
			continue;
		if (merge(q, rq, bio))
			return true;
	}
	return false;
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
		return cfq_next_async(cfqd, hctx);
	WRITE_ONCE(cfqd->async_waiting, true);
	cfqd->async_held++;
	return NULL;
}

void elv_dispatched(struct request_queue *q, struct request *rq)
{
	struct cfq_data *cfqd = q->cfqd;
	if (!cfqd)
		return;
	cfqd->last_position = rq->sector + (rq->nr_bytes >> SECTOR_SHIFT); /* cfq_activate_request */
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
