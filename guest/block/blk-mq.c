/*
 * Hardware queues: each owns queue_depth requests (Linux's tags and static_rqs,
 * nr_requests), made once at boot so that I/O never allocates memory; a submitter
 * finding none free waits for a completion, which is what throttles a writer (or
 * reclaim) faster than the disk. Requests go to the device as it takes them; the
 * rest wait in the dispatch list until a completion makes room, and kblockd/N
 * (block/kblockd.c) runs the queue again.
 */
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/kernel.h>
#include <kernel/percpu.h>
#include <kernel/preempt.h>
#include <kernel/slab.h>
#include <lib/string.h>
#include <kernel/boot.h>
#include <mm/writeback.h>

struct request_queue *blk_mq_init_queue(struct gendisk *disk, unsigned nr_hw_queues, unsigned depth)
{
	struct request_queue *q = kzalloc(sizeof(*q));

	if (!q || nr_hw_queues == 0 || nr_hw_queues > 64)
		panic("block: cannot set up the queue of %s", disk->disk_name);
	q->disk = disk;
	spin_lock_init(&disk->stat_lock);
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
		INIT_LIST_HEAD(&h->free_rqs);
		init_waitqueue_head(&h->tag_wait);
		h->static_rqs = kzalloc(depth * sizeof(struct request));
		if (!h->static_rqs)
			panic("block: no memory for %u requests of %s", depth, disk->disk_name);
		for (unsigned t = 0; t < depth; t++) {
			h->static_rqs[t].hctx = h;
			list_add_tail(&h->static_rqs[t].queuelist, &h->free_rqs);
		}
		h->nr_free_rqs = depth;
		q->hctx[i] = h;
		blk_mq_map_cpu_queue(h);
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
	while (hctx->inflight < q->queue_depth) {
		struct request *rq = elv_next_request(hctx);
		if (!rq)
			break;
		rq->issue_ns = ktime_get_ns();
		if (q->queue_rq(hctx, rq) != BLK_STS_OK) {
			hctx->nr_requeued_full++;
			break;
		}
		list_del_init(&rq->queuelist);
		elv_dispatched(q, rq);
		wbt_issue(q, rq);
		if (rq->cmd_flags & REQ_POLLED)
			blk_mq_polled_issue(hctx);
		hctx->inflight++;
		hctx->nr_dispatched++;
		issued++;
	}
	if (issued)
		q->commit_rqs(hctx);
	spin_unlock_irqrestore(&hctx->lock, flags);
}

/*
 * blk_mq_get_tag: a free request of hctx. A task that may sleep waits for one
 * (schedule() first sends its own plugged requests to the device, which is what
 * frees tags); in atomic context, or when completions come only by polling, it
 * reaps completions itself until one is free.
 */
struct request *blk_mq_get_request(struct blk_mq_hw_ctx *hctx)
{
	struct request_queue *q = hctx->q;
	struct request *rq = NULL;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&hctx->lock, flags);
		if (!list_empty(&hctx->free_rqs)) {
			rq = list_first_entry(&hctx->free_rqs, struct request, queuelist);
			list_del_init(&rq->queuelist);
			hctx->nr_free_rqs--;
			blk_congestion_update(q->disk->bdi, q->queue_depth - hctx->nr_free_rqs, q->queue_depth,
					      &hctx->congested);
		}
		spin_unlock_irqrestore(&hctx->lock, flags);
		if (rq)
			return rq;
		if (q->poll_mode || irqs_disabled() || preempt_count()) {
			if (current->plug) /* our own plugged requests may hold the tags */
				blk_flush_plug(current->plug);
			if (!blk_mq_poll(hctx, BLK_FOUND_SUBMITTER_POLL))
				cpu_relax();
		} else {
			wait_event(hctx->tag_wait, READ_ONCE(hctx->nr_free_rqs) > 0);
		}
	}
}

/* With hctx->lock held. */
static void blk_mq_free_request(struct request *rq)
{
	struct blk_mq_hw_ctx *hctx = rq->hctx;

	memset(rq, 0, sizeof(*rq));
	rq->hctx = hctx;
	list_add(&rq->queuelist, &hctx->free_rqs);
	hctx->nr_free_rqs++;
	blk_congestion_update(hctx->q->disk->bdi, hctx->q->queue_depth - hctx->nr_free_rqs, hctx->q->queue_depth,
			      &hctx->congested);
	wake_up(&hctx->tag_wait);
}

/* From the driver's completion path, with hctx->lock held and interrupts masked. */
void blk_mq_complete_request(struct request *rq, int error)
{
	struct blk_mq_hw_ctx *hctx = rq->hctx;
	u64 now = ktime_get_ns();

	hctx->inflight--;
	hctx->nr_completed++;
	if (rq->cmd_flags & REQ_POLLED)
		hctx->polled_inflight--; /* the hold goes after the reap (blk-poll.c hctx_reap) */
	u64 from = max(hctx->last_complete_ns, rq->issue_ns), gap = now > from ? now - from : 0;
	hctx->gap_ewma_ns = hctx->last_complete_ns ? hctx->gap_ewma_ns - hctx->gap_ewma_ns / 8 + gap / 8 : gap;
	hctx->last_complete_ns = now;
	blk_account_io_done(hctx->q->disk, rq, now);
	wbt_done(hctx->q, rq, now);
	elv_completed(hctx->q, rq, now);
	if (unlikely(knob(laptop_mode)))
		laptop_io_completion(hctx->q->disk->bdi);
	for (struct bio *bio = rq->bio, *next; bio; bio = next) {
		next = bio->next;
		bio->error = error;
		bio->issue_ns = rq->issue_ns;
		bio->complete_ns = now;
		bio->end_io(bio);
	}
	blk_mq_free_request(rq);
	if (!list_empty(&hctx->dispatch))
		kblockd_schedule(hctx);
}
