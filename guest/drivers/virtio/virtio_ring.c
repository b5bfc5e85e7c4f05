/*
 * The driver side of a split virtqueue (virtio 1.x 2.7), with VIRTIO_F_EVENT_IDX:
 * the host says through avail_event when it wants a notification, so a busy host
 * that polls costs the guest no exits; we say through used_event when we want an
 * interrupt.
 */
#include <kernel/kernel.h>
#include <kernel/virtio.h>
#include <linux/virtio_ring.h>

/* QueueNotify is a 32-bit register; the host's ioeventfd matches 4-byte writes of the queue index. */
static void mmio_write32(u64 addr, u32 v)
{
	*(volatile u32 *)addr = v;
}

/* The event fields sit just past the rings (virtio 1.x 2.7.7, 2.7.10). */
static u16 *avail_event(struct virtqueue *vq)
{
	return (u16 *)&vq->used->ring[vq->num];
}

static u16 *used_event(struct virtqueue *vq)
{
	return &vq->avail->ring[vq->num];
}

int virtqueue_add_sgs(struct virtqueue *vq, struct scatterlist *sgs, unsigned out, unsigned in, void *token)
{
	unsigned total = out + in;

	if (!total || total > vq->num_free)
		return -1;
	u16 head = vq->free_head, i = head;
	for (unsigned n = 0; n < total; n++) {
		struct vring_desc *d = &vq->desc[i];
		d->addr = sgs[n].addr;
		d->len = sgs[n].length;
		d->flags = (u16)((n >= out ? VRING_DESC_F_WRITE : 0) | (n + 1 < total ? VRING_DESC_F_NEXT : 0));
		i = d->next; /* the free list is chained through next */
	}
	vq->free_head = i;
	vq->num_free -= (u16)total;
	vq->tokens[head] = token;
	vq->avail->ring[vq->avail_idx_shadow & (vq->num - 1)] = head;
	vq->avail_idx_shadow++;
	vq->num_added++;
	return 0;
}

void virtqueue_kick(struct virtqueue *vq)
{
	u16 new_idx = vq->avail_idx_shadow, old = (u16)(new_idx - vq->num_added);

	__atomic_store_n(&vq->avail->idx, new_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* publish idx before reading the host's wish */
	vq->num_added = 0;
	bool notify = vq->event_idx ? vring_need_event(__atomic_load_n(avail_event(vq), __ATOMIC_ACQUIRE), new_idx, old)
				    : !(READ_ONCE(vq->used->flags) & VRING_USED_F_NO_NOTIFY);
	if (notify) {
		vq->nr_kicks++;
		mmio_write32(vq->notify_addr, vq->index); /* an ioeventfd: no exit to the VMM */
	} else {
		vq->nr_kicks_suppressed++;
	}
}

bool virtqueue_has_used(struct virtqueue *vq)
{
	return __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) != vq->last_used_idx;
}

void *virtqueue_get_buf(struct virtqueue *vq, u32 *len)
{
	if (!virtqueue_has_used(vq))
		return NULL;
	struct vring_used_elem *e = &vq->used->ring[vq->last_used_idx & (vq->num - 1)];
	u32 head = READ_ONCE(e->id);
	if (head >= vq->num || !vq->tokens[head])
		panic("virtio: queue %u of device %u: the host returned bad head %u", vq->index, vq->vdev->index, head);
	if (len)
		*len = READ_ONCE(e->len);
	void *token = vq->tokens[head];
	vq->tokens[head] = NULL;
	/* Back to the free list: walk the chain to its end. */
	u16 i = (u16)head;
	vq->num_free++;
	while (vq->desc[i].flags & VRING_DESC_F_NEXT) {
		i = vq->desc[i].next;
		vq->num_free++;
	}
	vq->desc[i].next = vq->free_head;
	vq->free_head = (u16)head;
	vq->last_used_idx++;
	if (vq->event_idx && vq->cb_enabled) /* interrupt me again after the next one */
		__atomic_store_n(used_event(vq), vq->last_used_idx, __ATOMIC_RELEASE);
	return token;
}

void virtqueue_disable_cb(struct virtqueue *vq)
{
	vq->cb_enabled = false;
	if (vq->event_idx) /* as Linux: an event index the used index reaches only after 64K completions */
		__atomic_store_n(used_event(vq), (u16)(vq->last_used_idx - 1), __ATOMIC_RELEASE);
	else
		vq->avail->flags |= VRING_AVAIL_F_NO_INTERRUPT;
}

bool virtqueue_enable_cb(struct virtqueue *vq)
{
	vq->cb_enabled = true;
	if (vq->event_idx)
		__atomic_store_n(used_event(vq), vq->last_used_idx, __ATOMIC_RELEASE);
	else
		vq->avail->flags &= (u16)~VRING_AVAIL_F_NO_INTERRUPT;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !virtqueue_has_used(vq);
}
