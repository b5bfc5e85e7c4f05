/*
 * virtio-blk: each request is [header (device-readable)] [data] [status (device-
 * writable)] on the hardware queue's virtqueue. Queue i belongs to CPU i % nr_cpus,
 * where its completions interrupt, unless a poller watches it (block/blk-poll.c).
 */
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/errno.h>
#include <kernel/interrupt.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/percpu.h>
#include <kernel/slab.h>
#include <lib/string.h>
#include <lib/vsprintf.h>
#include <linux/virtio_blk.h>
#include <mm/backing-dev.h>
#include <linux/virtio_ring.h>

#define VIRTBLK_QUEUE_SIZE 256

struct gendisk *disks[VMS_MAX_DISKS];
unsigned nr_disks;

static int virtblk_queue_rq(struct blk_mq_hw_ctx *hctx, struct request *rq)
{
	struct scatterlist sg[BLK_MAX_SEGMENTS + 2];
	unsigned n = 0, out, in;

	static const u32 types[] = { [REQ_OP_READ] = VIRTIO_BLK_T_IN, [REQ_OP_WRITE] = VIRTIO_BLK_T_OUT,
				     [REQ_OP_FLUSH] = VIRTIO_BLK_T_FLUSH, [REQ_OP_DRV_OUT] = VMS_VIRTIO_BLK_T_LOG_MARK };

	rq->hdr.type = types[rq->op];
	rq->hdr.ioprio = 0;
	rq->hdr.sector = rq->op == REQ_OP_READ || rq->op == REQ_OP_WRITE ? rq->sector : 0;
	rq->status = 0xff;
	sg[n++] = (struct scatterlist){ (u64)&rq->hdr, sizeof(rq->hdr) };
	for (struct bio *bio = rq->bio; bio && rq->op != REQ_OP_FLUSH; bio = bio->next)
		sg[n++] = (struct scatterlist){ (u64)bio->buf, bio->size };
	sg[n++] = (struct scatterlist){ (u64)&rq->status, 1 };
	if (rq->op == REQ_OP_READ)
		out = 1, in = n - 1;
	else
		out = n - 1, in = 1;
	return virtqueue_add_sgs(hctx->vq, sg, out, in, rq) == 0 ? BLK_STS_OK : BLK_STS_RESOURCE;
}

static void virtblk_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	virtqueue_kick(hctx->vq);
}

/* Reaps used buffers; with hctx->lock held. */
static unsigned virtblk_reap(struct blk_mq_hw_ctx *hctx)
{
	struct request *rq;
	unsigned n = 0;
	u32 len;
	while ((rq = virtqueue_get_buf(hctx->vq, &len))) {
		blk_mq_complete_request(rq, rq->status == VIRTIO_BLK_S_OK ? 0 : -5 /* EIO */);
		n++;
	}
	return n;
}

static void virtblk_irq_disable(struct blk_mq_hw_ctx *hctx)
{
	virtqueue_disable_cb(hctx->vq);
}

static bool virtblk_irq_enable(struct blk_mq_hw_ctx *hctx)
{
	return virtqueue_enable_cb(hctx->vq);
}

static void virtblk_done(struct blk_mq_hw_ctx *hctx)
{
	unsigned long flags;
	spin_lock_irqsave(&hctx->lock, flags);
	/* A poller may have turned interrupts off after this one was sent: it reaps. */
	if (!hctx->pollers) {
		do {
			virtqueue_disable_cb(hctx->vq);
			hctx->nr_found[BLK_FOUND_IRQ] += virtblk_reap(hctx);
		} while (!virtqueue_enable_cb(hctx->vq));
	}
	spin_unlock_irqrestore(&hctx->lock, flags);
}

/* The VMS_VEC_VIRTIO interrupt: look at every queue routed to this CPU. */

static void virtblk_irq(unsigned irq, void *dev_id)
{

	(void)irq;
	(void)dev_id;
	for (struct blk_mq_hw_ctx *h = blk_mq_cpu_queues(smp_processor_id()); h; h = h->cpu_next)
		if (h->q->completion != BLK_COMPLETION_POLL)
			virtblk_done(h);
}

struct log_mark_wait {
	struct completion done;
	volatile int finished;
	int error;
};

static void end_log_mark(struct bio *bio)
{
	struct log_mark_wait *w = bio->private;
	w->error = bio->error;
	__atomic_store_n(&w->finished, 1, __ATOMIC_RELEASE);
	complete(&w->done);
}

/*
 * Sent as Linux sends its driver's own requests (blk_execute_rq): a tag of this CPU's
 * queue, straight to the dispatch list, past the plug and the merging a bio would meet.
 * The host logs it when it takes it, after all it logged before: every write and flush
 * whose completion the caller has seen.
 */
int virtblk_log_mark(struct gendisk *disk, const char *text)
{
	struct request_queue *q = disk->queue;
	size_t len = strlen(text);
	struct log_mark_wait w = { .error = 0 };
	struct bio bio = { .op = REQ_OP_DRV_OUT, .size = (u32)len, .buf = (void *)text, .end_io = end_log_mark,
			   .private = &w };
	unsigned long flags;

	if (!disk->write_log)
		return -EOPNOTSUPP;
	if (!len || len > VMS_BLK_LOG_MARK_MAX)
		return -EINVAL;
	init_completion(&w.done);
	preempt_disable();
	struct blk_mq_hw_ctx *hctx = q->hctx[smp_processor_id() % q->nr_hw_queues];
	preempt_enable();
	struct request *rq = blk_mq_get_request(hctx);
	rq->op = REQ_OP_DRV_OUT;
	rq->nr_bytes = (u32)len;
	rq->nr_segs = 1;
	rq->bio = rq->biotail = &bio;
	bio.submit_ns = ktime_get_ns();
	spin_lock_irqsave(&hctx->lock, flags);
	list_add_tail(&rq->queuelist, &hctx->dispatch);
	spin_unlock_irqrestore(&hctx->lock, flags);
	blk_mq_run_hw_queue(hctx);
	if (q->poll_mode) { /* nobody is interrupted: reap it ourselves */
		while (!__atomic_load_n(&w.finished, __ATOMIC_ACQUIRE))
			blk_poll_disks();
	} else {
		wait_for_completion(&w.done);
	}
	return w.error ? -EIO : 0;
}

static const char *const completion_names[] = { "interrupt", "polled", "hybrid" };

static void virtblk_probe(unsigned index, const struct vms_disk *d)
{
	struct gendisk *disk = kzalloc(sizeof(*disk));
	u64 wanted = 1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_BLK_F_RO | 1ull << VIRTIO_BLK_F_MQ |
		     1ull << VIRTIO_RING_F_EVENT_IDX | 1ull << VIRTIO_BLK_F_SEG_MAX;
	unsigned nr_queues = d->nr_queues ? d->nr_queues : 1;

	if (!disk)
		panic("virtio_blk: no memory");
	snprintf(disk->disk_name, sizeof(disk->disk_name), "vd%c", 'a' + index);
	disk->index = index;
	if (virtio_mmio_setup(&disk->vdev, d->mmio_base, wanted, nr_queues, VIRTBLK_QUEUE_SIZE) != 0)
		panic("virtio_blk: %s at %#lx did not set up", disk->disk_name, d->mmio_base);
	disk->capacity = virtio_config_read64(&disk->vdev, 0) << SECTOR_SHIFT;
	disk->read_only = virtio_has_feature(&disk->vdev, VIRTIO_BLK_F_RO);
	disk->write_log = d->flags & VMS_DISK_LOG;
	struct request_queue *q = blk_mq_init_queue(disk, nr_queues, (unsigned)knob(blk_queue_depth));
	q->queue_rq = virtblk_queue_rq;
	q->commit_rqs = virtblk_commit_rqs;
	q->poll = virtblk_reap;
	q->irq_disable = virtblk_irq_disable;
	q->irq_enable = virtblk_irq_enable;
	q->completion = (enum blk_completion)knob(blk_completion);
	q->poll_mode = q->completion == BLK_COMPLETION_POLL;
	/* a disk that takes flushes has a volatile cache to Linux (virtblk_update_cache_mode) */
	wbt_init(q, virtio_has_feature(&disk->vdev, VIRTIO_BLK_F_FLUSH));
	cfq_init(q);
	for (unsigned i = 0; i < nr_queues; i++) {
		struct blk_mq_hw_ctx *h = q->hctx[i];
		h->vq = disk->vdev.vqs[i];
		if (q->poll_mode)
			virtqueue_disable_cb(h->vq);
	}
	/* The host sends every queue's completions to VMS_VEC_VIRTIO: one handler serves all disks. */
	if (index == 0 && request_irq(VMS_VEC_VIRTIO, virtblk_irq, "virtio_blk", NULL) != 0)
		panic("virtio_blk: vector %#x is taken", VMS_VEC_VIRTIO);
	disks[index] = disk;
	bdi_register(disk);
	printk("%s: virtio-blk, %lu MiB%s, %u queues of %u, depth %u, %s completions, features %#lx\n", disk->disk_name,
	       disk->capacity >> 20, disk->read_only ? " (read-only)" : "", nr_queues, disk->vdev.vqs[0]->num, q->queue_depth,
	       completion_names[q->completion], disk->vdev.features);
}

void virtio_blk_init(void)
{
	nr_disks = boot_params->nr_disks;
	for (unsigned i = 0; i < nr_disks && i < VMS_MAX_DISKS; i++)
		virtblk_probe(i, &boot_params->disks[i]);
}
