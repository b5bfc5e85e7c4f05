/*
 * Hardware queues: requests go to the device while fewer than queue_depth are in
 * flight; the rest wait in the dispatch list until a completion makes room, and
 * kblockd/N (block/kblockd.c) runs the queue again.
 */
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/kernel.h>
#include <kernel/percpu.h>
#include <kernel/slab.h>

struct request_queue *blk_mq_init_queue(struct gendisk *disk, unsigned nr_hw_queues, unsigned depth)
{
	struct request_queue *q = kzalloc(sizeof(*q));

	if (!q || nr_hw_queues == 0 || nr_hw_queues > 64)
		panic("block: cannot set up the queue of %s", disk->disk_name);
	q->disk = disk;
	q->nr_hw_queues = nr_hw_queues;
	q->queue_depth = depth;
	q->max_segments = BLK_MAX_SEGMENTS;
	q->max_bytes = 1u << 20;
	for (unsigned i = 0; i < nr_hw_queues; i++) {
		struct blk_mq_hw_ctx *h = kzalloc(sizeof(*h));
		if (!h)
			panic("block: no memory for a hardware queue");
		h->q = q;
		h->index = i;
		h->cpu = i % nr_cpu_ids;
		spin_lock_init(&h->lock);
		INIT_LIST_HEAD(&h->dispatch);
		q->hctx[i] = h;
	}
	disk->queue = q;
	return q;
}

void blk_mq_run_hw_queue(struct blk_mq_hw_ctx *hctx)
{
	struct request_queue *q = hctx->q;
	unsigned long flags;
	unsigned issued = 0;

	spin_lock_irqsave(&hctx->lock, flags);
	while (!list_empty(&hctx->dispatch) && hctx->inflight < q->queue_depth) {
		struct request *rq = list_first_entry(&hctx->dispatch, struct request, queuelist);
		rq->issue_ns = ktime_get_ns();
		if (q->queue_rq(hctx, rq) != BLK_STS_OK) {
			hctx->nr_requeued_full++;
			break;
		}
		list_del_init(&rq->queuelist);
		hctx->inflight++;
		hctx->nr_dispatched++;
		issued++;
	}
	if (issued)
		q->commit_rqs(hctx);
	spin_unlock_irqrestore(&hctx->lock, flags);
}

/* From the driver's completion path, with hctx->lock held and interrupts masked. */
void blk_mq_complete_request(struct request *rq, int error)
{
	struct blk_mq_hw_ctx *hctx = rq->hctx;
	u64 now = ktime_get_ns();

	hctx->inflight--;
	hctx->nr_completed++;
	for (struct bio *bio = rq->bio, *next; bio; bio = next) {
		next = bio->next;
		bio->error = error;
		bio->issue_ns = rq->issue_ns;
		bio->complete_ns = now;
		bio->end_io(bio);
	}
	kfree(rq);
	if (!list_empty(&hctx->dispatch))
		kblockd_schedule(hctx);
}

unsigned blk_poll(struct gendisk *disk)
{
	struct request_queue *q = disk->queue;
	preempt_disable();
	struct blk_mq_hw_ctx *hctx = q->hctx[smp_processor_id() % q->nr_hw_queues];
	preempt_enable();
	u64 before = READ_ONCE(hctx->nr_completed);
	q->poll(hctx);
	return (unsigned)(READ_ONCE(hctx->nr_completed) - before);
}
