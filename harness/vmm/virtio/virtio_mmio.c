/* The virtio-mmio register file. Every value the driver writes is checked where it is used. */
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <stdio.h>
#include <string.h>

#include "vmm/virtio/virtio_mmio.h"

#define VIRT_MAGIC 0x74726976 /* "virt" */
#define VIRT_VENDOR 0x4b4d5356 /* "VSMK" */

void virtio_mmio_init(struct virtio_mmio_dev *d, const struct virtio_dev_ops *ops, void *priv, const char *name,
		      uint64_t base, uint64_t features, unsigned nr_queues, uint32_t queue_num_max)
{
	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->priv = priv;
	d->name = name;
	d->base = base;
	d->features = features | (1ull << VIRTIO_F_VERSION_1);
	d->nr_queues = nr_queues;
	d->queue_num_max = queue_num_max;
	pthread_mutex_init(&d->lock, NULL);
}

static void device_stop(struct virtio_mmio_dev *d)
{
	if (d->started)
		d->ops->stop(d);
	d->started = false;
}

void virtio_mmio_stop(struct virtio_mmio_dev *d)
{
	pthread_mutex_lock(&d->lock);
	device_stop(d);
	pthread_mutex_unlock(&d->lock);
}

void virtio_mmio_destroy(struct virtio_mmio_dev *d)
{
	device_stop(d);
	pthread_mutex_destroy(&d->lock);
}

bool virtio_mmio_negotiated(const struct virtio_mmio_dev *d, unsigned bit)
{
	return bit < 64 && (d->driver_features & (1ull << bit));
}

/* The driver did something the spec forbids: stop the device until it resets. */
static void device_fail(struct virtio_mmio_dev *d, const char *why)
{
	if (!d->failed)
		snprintf(d->failure, sizeof(d->failure), "%s: %s", d->name, why);
	d->failed = true;
	d->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	d->config_generation++;
}

static void device_reset(struct virtio_mmio_dev *d)
{
	device_stop(d);
	d->status = 0;
	d->driver_features = 0;
	d->device_features_sel = d->driver_features_sel = d->queue_sel = 0;
	d->failed = false;
	memset(d->q, 0, sizeof(d->q));
}

static struct virtio_mmio_queue *selected_queue(struct virtio_mmio_dev *d)
{
	return d->queue_sel < d->nr_queues ? &d->q[d->queue_sel] : NULL;
}

static void set_status(struct virtio_mmio_dev *d, uint32_t v)
{
	char err[200];

	if (v == 0) {
		device_reset(d);
		return;
	}
	if ((v & VIRTIO_CONFIG_S_FEATURES_OK) && !(d->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		/* Only features offered; VERSION_1 is required: vmsweep has no legacy interface. */
		if ((d->driver_features & ~d->features) || !virtio_mmio_negotiated(d, VIRTIO_F_VERSION_1))
			v &= ~(uint32_t)VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if (d->started && !(v & VIRTIO_CONFIG_S_DRIVER_OK)) {
		/* Only a reset (status 0) stops a running device (virtio 1.x 2.1.2). */
		device_fail(d, "DRIVER_OK cleared without a reset");
		return;
	}
	if ((v & VIRTIO_CONFIG_S_DRIVER_OK) && !d->started) {
		d->status = v;
		if (!(v & VIRTIO_CONFIG_S_FEATURES_OK)) {
			device_fail(d, "DRIVER_OK before FEATURES_OK");
			return;
		}
		if (d->ops->start(d, err, sizeof(err)) != 0) {
			d->status &= ~(uint32_t)VIRTIO_CONFIG_S_DRIVER_OK;
			device_fail(d, err);
			return;
		}
		d->started = true;
		return;
	}
	d->status = v | (d->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static uint32_t reg_read(struct virtio_mmio_dev *d, uint64_t off)
{
	struct virtio_mmio_queue *q = selected_queue(d);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: return VIRT_MAGIC;
	case VIRTIO_MMIO_VERSION: return 2;
	case VIRTIO_MMIO_DEVICE_ID: return d->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID: return VIRT_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return d->device_features_sel == 0 ? (uint32_t)d->features :
		       d->device_features_sel == 1 ? (uint32_t)(d->features >> 32) : 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX: return q ? d->queue_num_max : 0;
	case VIRTIO_MMIO_QUEUE_READY: return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS: return 1; /* completions use irqfd; a poller may treat every interrupt as "used" */
	case VIRTIO_MMIO_STATUS: return d->status;
	case VIRTIO_MMIO_CONFIG_GENERATION: return d->config_generation;
	default: return 0;
	}
}

/* Queue registers may change only while the queue is not ready (virtio 1.x 4.2.2.2). */
static void queue_write(struct virtio_mmio_dev *d, uint64_t off, uint32_t v)
{
	struct virtio_mmio_queue *q = selected_queue(d);

	if (!q) {
		device_fail(d, "queue register written with QueueSel beyond the device's queues");
		return;
	}
	if (q->ready && off != VIRTIO_MMIO_QUEUE_READY) {
		device_fail(d, "queue register written while the queue is ready");
		return;
	}
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		if (!v || v > d->queue_num_max || (v & (v - 1)))
			device_fail(d, "QueueNum not a power of two up to QueueNumMax");
		else
			q->num = v;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		q->ready = v & 1;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW: q->desc = (q->desc & ~0xffffffffull) | v; break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: q->desc = (q->desc & 0xffffffffull) | ((uint64_t)v << 32); break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW: q->driver = (q->driver & ~0xffffffffull) | v; break;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: q->driver = (q->driver & 0xffffffffull) | ((uint64_t)v << 32); break;
	case VIRTIO_MMIO_QUEUE_USED_LOW: q->device = (q->device & ~0xffffffffull) | v; break;
	case VIRTIO_MMIO_QUEUE_USED_HIGH: q->device = (q->device & 0xffffffffull) | ((uint64_t)v << 32); break;
	}
}

static void reg_write(struct virtio_mmio_dev *d, uint64_t off, uint32_t v)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: d->device_features_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: d->driver_features_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (d->status & VIRTIO_CONFIG_S_FEATURES_OK)
			device_fail(d, "features written after FEATURES_OK");
		else if (d->driver_features_sel < 2) {
			unsigned shift = 32 * d->driver_features_sel;
			d->driver_features = (d->driver_features & ~(0xffffffffull << shift)) | ((uint64_t)v << shift);
		}
		break;
	case VIRTIO_MMIO_QUEUE_SEL: d->queue_sel = v; break;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		if (d->status & VIRTIO_CONFIG_S_DRIVER_OK)
			device_fail(d, "queue set up after DRIVER_OK");
		else
			queue_write(d, off, v);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK: break; /* nothing latched: see INTERRUPT_STATUS */
	case VIRTIO_MMIO_STATUS: set_status(d, v); break;
	case VIRTIO_MMIO_QUEUE_NOTIFY: break; /* served by the queue's ioeventfd; a write here before it exists is harmless */
	default: break; /* writes to read-only registers are ignored, as the spec allows */
	}
}

void virtio_mmio_access(struct virtio_mmio_dev *d, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	pthread_mutex_lock(&d->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		uint32_t coff = (uint32_t)(off - VIRTIO_MMIO_CONFIG);
		if (is_write)
			; /* config space is read-only for vmsweep's devices */
		else
			d->ops->config_read(d, coff, data, len);
	} else if (len != 4 || (off & 3)) {
		/* the spec requires 32-bit aligned register accesses */
		if (!is_write)
			memset(data, 0xff, len);
		device_fail(d, "register access that is not 32-bit and aligned");
	} else if (is_write) {
		uint32_t v;
		memcpy(&v, data, 4);
		reg_write(d, off, v);
	} else {
		uint32_t v = reg_read(d, off);
		memcpy(data, &v, 4);
	}
	pthread_mutex_unlock(&d->lock);
}
