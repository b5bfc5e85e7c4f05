/*
 * virtio devices over virtio-mmio, as Linux's virtio core: a virtqueue is a split ring
 * the host polls; buffers are added as scatterlists and come back with their token.
 */
#ifndef KERNEL_VIRTIO_H
#define KERNEL_VIRTIO_H
#include <kernel/spinlock.h>
#include <kernel/types.h>

struct scatterlist {
	u64 addr; /* guest-physical = kernel address (identity map) */
	u32 length;
};

struct virtqueue {
	unsigned index, num;
	struct virtio_device *vdev;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	void **tokens; /* per head */
	u16 free_head, num_free;
	u16 avail_idx_shadow, last_used_idx;
	u16 num_added; /* added since the last kick */
	bool event_idx;
	bool cb_enabled; /* interrupts wanted */
	u64 notify_addr; /* QueueNotify register */
	raw_spinlock_t lock;
	u64 nr_kicks, nr_kicks_suppressed;
};

struct virtio_device {
	u64 base;
	u32 device_id;
	u64 features; /* negotiated */
	unsigned index; /* of its kind: vda = 0 */
	unsigned nr_vqs;
	struct virtqueue *vqs[64];
};

/* Adds out device-readable then in device-writable buffers; -1 if the ring is full. */
int virtqueue_add_sgs(struct virtqueue *vq, struct scatterlist *sgs, unsigned out, unsigned in, void *token);
/* Makes added buffers visible; notifies the host unless it said it is polling. */
void virtqueue_kick(struct virtqueue *vq);
/* The next used buffer's token (and bytes written), or NULL. */
void *virtqueue_get_buf(struct virtqueue *vq, u32 *len);
/* Asks for an interrupt at the next used buffer; false if one is already there. */
bool virtqueue_enable_cb(struct virtqueue *vq);
void virtqueue_disable_cb(struct virtqueue *vq);
bool virtqueue_has_used(struct virtqueue *vq);

/* virtio-mmio: find, negotiate features (wanted & offered), set up nr_vqs queues of up to num entries. */
int virtio_mmio_setup(struct virtio_device *vdev, u64 base, u64 wanted_features, unsigned nr_vqs, unsigned num);
u32 virtio_config_read32(struct virtio_device *vdev, unsigned offset);
u64 virtio_config_read64(struct virtio_device *vdev, unsigned offset);
static inline bool virtio_has_feature(const struct virtio_device *vdev, unsigned bit)
{
	return (vdev->features >> bit) & 1;
}
#endif
