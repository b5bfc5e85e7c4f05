/*
 * submit_bio and plugging: bios become requests, merged with an adjacent request
 * that has not gone to the device yet (in the task's plug, or waiting in the
 * hardware queue's dispatch list: with blk-mq's none its last request, with the CFQ
 * model any of them, as the legacy elevator's elv_merge in 3.2's blk_queue_bio).
 * Not modelled: elv_attempt_insert_merge, a whole plugged request joining a queued one.
 */
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/kernel.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include <mm/vmstat.h>

static u64 bio_end_sector(const struct bio *bio)
{
	return bio->sector + (bio->size >> SECTOR_SHIFT);
}

/* Back or front merge of bio into rq, if the device can take the result in one go. */
static bool blk_attempt_merge(struct request_queue *q, struct request *rq, struct bio *bio)
{
	/* a polled bio and another go to different queues in Linux (HCTX_TYPE_POLL): never one request */
	if (rq->op != bio->op || bio->op == REQ_OP_FLUSH || rq->nr_segs >= q->max_segments ||
	    rq->nr_bytes + bio->size > q->max_bytes || ((rq->cmd_flags ^ bio->opf) & REQ_POLLED))
		return false;
	if (rq->sector + (rq->nr_bytes >> SECTOR_SHIFT) == bio->sector) {
		rq->biotail->next = bio;
		rq->biotail = bio;
	} else if (bio_end_sector(bio) == rq->sector) {
		bio->next = rq->bio;
		rq->bio = bio;
		rq->sector = bio->sector;
	} else {
		return false;
	}
	rq->nr_bytes += bio->size;
	rq->nr_segs++;
	return true;
}

/* A request for bio: takes a tag of hctx, so it may wait for a completion. */
static struct request *blk_mq_alloc_request(struct blk_mq_hw_ctx *hctx, struct bio *bio)
{
	u8 wbt_flags = wbt_wait(hctx->q, bio); /* rq_qos_throttle: before the tag */
	struct request *rq = blk_mq_get_request(hctx);
	rq->wbt_flags = wbt_flags;
	rq->cmd_flags = bio->opf;
	rq->op = bio->op;
	rq->sector = bio->sector;
	rq->nr_bytes = bio->size;
	rq->nr_segs = bio->op == REQ_OP_FLUSH ? 0 : 1;
	rq->bio = rq->biotail = bio;
	blk_account_io_start(hctx->q->disk, rq, bio->submit_ns);
	return rq;
}

static struct blk_mq_hw_ctx *blk_mq_map_queue(struct request_queue *q)
{
	return q->hctx[smp_processor_id() % q->nr_hw_queues];
}

/*
 * pgpgin/pgpgout as 6.1's submit_bio counts them: every read or write bio's sectors
 * (page cache, swap, direct I/O, the journal alike; not flushes), /proc/vmstat showing
 * them halved, in KiB. The sectors are summed here and the counter moves by the KiB
 * the sum crossed, so that 512-byte bios add up as Linux's halving of the sum does.
 */
static void count_bio_pgpg(const struct bio *bio)
{
	static u64 sectors[2];
	u64 s = bio->size >> SECTOR_SHIFT;
	int dir = bio->op == REQ_OP_WRITE;

	if ((bio->op != REQ_OP_READ && bio->op != REQ_OP_WRITE) || !s)
		return;
	u64 before = __atomic_fetch_add(&sectors[dir], s, __ATOMIC_RELAXED);
	u64 kib = (before + s) / 2 - before / 2;
	if (dir)
		count_vm_events(pgpgout, kib);
	else
		count_vm_events(pgpgin, kib);
}

void submit_bio(struct gendisk *disk, struct bio *bio)
{
	struct request_queue *q = disk->queue;
	struct blk_plug *plug = current->plug;
	unsigned long flags;

	count_bio_pgpg(bio);
	bio->next = NULL;
	bio->error = 0;
	bio->submit_ns = ktime_get_ns();
	preempt_disable();
	struct blk_mq_hw_ctx *hctx = blk_mq_map_queue(q);
	preempt_enable();

	if (plug) {
		if (!list_empty(&plug->list)) {
			struct request *last = list_entry(plug->list.prev, struct request, queuelist);
			if (last->hctx->q == q && blk_attempt_merge(q, last, bio)) {
				last->hctx->nr_merges++;
				blk_account_io_merge(disk, bio->op);
				return;
			}
		}
		if (q->cfqd) { /* 3.2's blk_queue_bio: then elv_merge, into a request already queued */
			spin_lock_irqsave(&hctx->lock, flags);
			bool merged = elv_merge_queued(q, hctx, bio, blk_attempt_merge);
			if (merged)
				hctx->nr_merges++;
			spin_unlock_irqrestore(&hctx->lock, flags);
			if (merged) {
				blk_account_io_merge(disk, bio->op);
				return;
			}
		}
		struct request *rq = blk_mq_alloc_request(hctx, bio);
		list_add_tail(&rq->queuelist, &plug->list);
		if (++plug->count >= BLK_PLUG_MAX)
			blk_flush_plug(plug);
		return;
	}

	spin_lock_irqsave(&hctx->lock, flags);
	bool merged = false;
	if (q->cfqd) { /* the legacy elevator: any queued request (elv_merge's hash and sort tree) */
		merged = elv_merge_queued(q, hctx, bio, blk_attempt_merge);
	} else if (!list_empty(&hctx->dispatch)) {
		struct request *last = list_entry(hctx->dispatch.prev, struct request, queuelist);
		merged = blk_attempt_merge(q, last, bio);
	}
	if (merged)
		hctx->nr_merges++;
	spin_unlock_irqrestore(&hctx->lock, flags);
	if (merged)
		blk_account_io_merge(disk, bio->op);
	if (!merged) {
		struct request *rq = blk_mq_alloc_request(hctx, bio); /* outside the lock: may wait */
		spin_lock_irqsave(&hctx->lock, flags);
		list_add_tail(&rq->queuelist, &hctx->dispatch);
		spin_unlock_irqrestore(&hctx->lock, flags);
	}
	blk_mq_run_hw_queue(hctx);
}

void blk_start_plug(struct blk_plug *plug)
{
	INIT_LIST_HEAD(&plug->list);
	plug->count = 0;
	if (!current->plug)
		current->plug = plug;
}

void blk_finish_plug(struct blk_plug *plug)
{
	if (current->plug == plug)
		current->plug = NULL;
	blk_flush_plug(plug);
}

/* Hands the plugged requests to their hardware queues and runs them. */
void blk_flush_plug(struct blk_plug *plug)
{
	struct request *rq, *n;
	unsigned long flags;
	struct blk_mq_hw_ctx *last = NULL;

	list_for_each_entry_safe(rq, n, &plug->list, queuelist) {
		struct blk_mq_hw_ctx *hctx = rq->hctx;
		list_del_init(&rq->queuelist);
		spin_lock_irqsave(&hctx->lock, flags);
		list_add_tail(&rq->queuelist, &hctx->dispatch);
		spin_unlock_irqrestore(&hctx->lock, flags);
		if (last && last != hctx)
			blk_mq_run_hw_queue(last);
		last = hctx;
	}
	plug->count = 0;
	if (last)
		blk_mq_run_hw_queue(last);
}
