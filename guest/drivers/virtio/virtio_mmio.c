/*
 * virtio-mmio (version 2) device set-up: status handshake, feature negotiation and
 * queues (virtio 1.x 4.2.3). Each register access exits to the VMM (~55 us here), so
 * this runs once at boot and never on the data path.
 */
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <kernel/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

static u32 vm_read(struct virtio_device *vdev, unsigned off)
{
	return *(volatile u32 *)(vdev->base + off);
}

static void vm_write(struct virtio_device *vdev, unsigned off, u32 v)
{
	*(volatile u32 *)(vdev->base + off) = v;
}

u32 virtio_config_read32(struct virtio_device *vdev, unsigned offset)
{
	return vm_read(vdev, VIRTIO_MMIO_CONFIG + offset);
}

u64 virtio_config_read64(struct virtio_device *vdev, unsigned offset)
{
	return virtio_config_read32(vdev, offset) | (u64)virtio_config_read32(vdev, offset + 4) << 32;
}

static struct virtqueue *setup_vq(struct virtio_device *vdev, unsigned index, unsigned num)
{
	vm_write(vdev, VIRTIO_MMIO_QUEUE_SEL, index);
	u32 max = vm_read(vdev, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (!max)
		return NULL;
	while (num > max)
		num /= 2;

	struct virtqueue *vq = kzalloc(sizeof(*vq));
	size_t desc_sz = 16ul * num, avail_sz = 6 + 2ul * num, used_sz = 6 + 8ul * num;
	void *ring = alloc_pages_exact(ALIGN(desc_sz + avail_sz, 4096) + used_sz);
	vq->tokens = kzalloc(num * sizeof(void *));
	if (!vq || !ring || !vq->tokens)
		panic("virtio: out of memory for queue %u", index);
	vq->index = index;
	vq->num = num;
	vq->vdev = vdev;
	vq->desc = ring;
	vq->avail = (struct vring_avail *)((char *)ring + desc_sz);
	vq->used = (struct vring_used *)((char *)ring + ALIGN(desc_sz + avail_sz, 4096));
	vq->event_idx = virtio_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX);
	vq->cb_enabled = true;
	vq->notify_addr = vdev->base + VIRTIO_MMIO_QUEUE_NOTIFY;
	vq->num_free = (u16)num;
	for (unsigned i = 0; i + 1 < num; i++)
		vq->desc[i].next = (u16)(i + 1);
	spin_lock_init(&vq->lock);

	vm_write(vdev, VIRTIO_MMIO_QUEUE_NUM, num);
	vm_write(vdev, VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)(u64)vq->desc);
	vm_write(vdev, VIRTIO_MMIO_QUEUE_DESC_HIGH, (u32)((u64)vq->desc >> 32));
	vm_write(vdev, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (u32)(u64)vq->avail);
	vm_write(vdev, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (u32)((u64)vq->avail >> 32));
	vm_write(vdev, VIRTIO_MMIO_QUEUE_USED_LOW, (u32)(u64)vq->used);
	vm_write(vdev, VIRTIO_MMIO_QUEUE_USED_HIGH, (u32)((u64)vq->used >> 32));
	vm_write(vdev, VIRTIO_MMIO_QUEUE_READY, 1);
	return vq;
}

int virtio_mmio_setup(struct virtio_device *vdev, u64 base, u64 wanted, unsigned nr_vqs, unsigned num)
{
	vdev->base = base;
	if (vm_read(vdev, VIRTIO_MMIO_MAGIC_VALUE) != 0x74726976 || vm_read(vdev, VIRTIO_MMIO_VERSION) != 2)
		return -1;
	vdev->device_id = vm_read(vdev, VIRTIO_MMIO_DEVICE_ID);
	vm_write(vdev, VIRTIO_MMIO_STATUS, 0);
	vm_write(vdev, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);

	vm_write(vdev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	u64 offered = vm_read(vdev, VIRTIO_MMIO_DEVICE_FEATURES);
	vm_write(vdev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	offered |= (u64)vm_read(vdev, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	vdev->features = offered & (wanted | 1ull << VIRTIO_F_VERSION_1);
	vm_write(vdev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vm_write(vdev, VIRTIO_MMIO_DRIVER_FEATURES, (u32)vdev->features);
	vm_write(vdev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vm_write(vdev, VIRTIO_MMIO_DRIVER_FEATURES, (u32)(vdev->features >> 32));
	u32 status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK;
	vm_write(vdev, VIRTIO_MMIO_STATUS, status);
	if (!(vm_read(vdev, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK))
		return -1;

	for (unsigned i = 0; i < nr_vqs; i++) {
		vdev->vqs[i] = setup_vq(vdev, i, num);
		if (!vdev->vqs[i])
			return -1;
	}
	vdev->nr_vqs = nr_vqs;
	vm_write(vdev, VIRTIO_MMIO_STATUS, status | VIRTIO_CONFIG_S_DRIVER_OK);
	return (vm_read(vdev, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET) ? -1 : 0;
}
