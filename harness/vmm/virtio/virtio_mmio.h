/*
 * virtio-mmio transport (virtio 1.x, "modern" register layout, version 2), one
 * 512-byte register window per device in the device window of the ABI. Devices
 * plug in through struct virtio_dev_ops, as kvmtool's virtio_ops do.
 *
 * Register accesses are KVM_EXIT_MMIO exits (~55 us each here): only set-up uses
 * them. Queue notifications go to an ioeventfd per queue, completions come back
 * through an irqfd, so the data path never exits to the VMM.
 */
#ifndef VMM_VIRTIO_MMIO_H
#define VMM_VIRTIO_MMIO_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest_mem.h"

#define VIRTIO_MMIO_WINDOW 0x200
#define VIRTIO_MMIO_MAX_QUEUES 64

struct virtio_mmio_dev;

struct virtio_dev_ops {
	const char *name;
	uint32_t device_id;
	/* The device's config space (read-only for vmsweep's devices). */
	void (*config_read)(struct virtio_mmio_dev *d, uint32_t offset, void *buf, uint32_t len);
	/* The driver set DRIVER_OK: start serving the ready queues. */
	int (*start)(struct virtio_mmio_dev *d, char *err, size_t errlen);
	/* Reset (status 0 or teardown): stop serving, forget the queues. */
	void (*stop)(struct virtio_mmio_dev *d);
};

struct virtio_mmio_queue {
	uint32_t num;
	bool ready;
	uint64_t desc, driver, device; /* guest-physical ring addresses */
};

struct virtio_mmio_dev {
	const struct virtio_dev_ops *ops;
	void *priv;
	const char *name; /* for messages: "vda" */
	uint64_t base; /* guest-physical address of the register window */
	uint64_t features; /* offered */
	unsigned nr_queues;
	uint32_t queue_num_max;

	pthread_mutex_t lock; /* vCPU threads write registers concurrently */
	uint32_t status, device_features_sel, driver_features_sel, queue_sel, config_generation;
	uint64_t driver_features;
	struct virtio_mmio_queue q[VIRTIO_MMIO_MAX_QUEUES];
	bool started; /* ops->start succeeded and ops->stop has not run: whatever the status bits say */
	bool failed; /* the driver broke the protocol: DEVICE_NEEDS_RESET */
	char failure[256];
};

void virtio_mmio_init(struct virtio_mmio_dev *d, const struct virtio_dev_ops *ops, void *priv, const char *name,
		      uint64_t base, uint64_t features, unsigned nr_queues, uint32_t queue_num_max);
/* A guest access at offset inside the window; data is in/out, len 1, 2, 4 or 8. */
void virtio_mmio_access(struct virtio_mmio_dev *d, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
void virtio_mmio_destroy(struct virtio_mmio_dev *d);
/* Stops the device's service (its threads) if it runs; for teardown before guest memory goes. */
void virtio_mmio_stop(struct virtio_mmio_dev *d);
bool virtio_mmio_negotiated(const struct virtio_mmio_dev *d, unsigned feature_bit);
#endif
