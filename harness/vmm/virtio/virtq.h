/*
 * The host (device) side of a split virtqueue, virtio 1.x 2.7: no indirect
 * descriptors offered, VIRTIO_F_EVENT_IDX optional. The guest is untrusted: every
 * index, address and length it writes is checked before use, each descriptor is
 * copied out of guest memory once, and a malformed chain is still handed back to
 * the caller (with an error) so its head can be returned and the guest never waits.
 *
 * One thread drives a struct virtq at a time (the queue's I/O thread); the guest
 * writes its rings concurrently, which is why they are read with atomics.
 */
#ifndef VMM_VIRTQ_H
#define VMM_VIRTQ_H
#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_mem.h"

#define VIRTQ_MAX_SIZE 1024
#define VIRTQ_MAX_SEGS 130 /* descriptors a chain may have (the queue size bounds it too) */

/* What is wrong with a popped chain (virtq_chain.error); the first problem found wins. */
enum virtq_chain_error {
	VIRTQ_CHAIN_OK = 0,
	VIRTQ_CHAIN_BAD_NEXT, /* a next index >= queue size */
	VIRTQ_CHAIN_LOOP, /* more descriptors than the queue has: the chain loops */
	VIRTQ_CHAIN_TOO_LONG, /* more than VIRTQ_MAX_SEGS descriptors */
	VIRTQ_CHAIN_BAD_RANGE, /* addr + len wraps or leaves guest RAM */
	VIRTQ_CHAIN_INDIRECT, /* VRING_DESC_F_INDIRECT: not offered */
	VIRTQ_CHAIN_BAD_ORDER, /* a device-readable descriptor after a device-writable one */
};

struct virtq_seg {
	uint64_t gpa;
	uint32_t len;
	bool device_writes;
	void *host; /* checked host pointer for [gpa, gpa + len); NULL when the descriptor is refused */
};

struct virtq_chain {
	uint16_t head;
	unsigned nsegs;
	int error; /* enum virtq_chain_error */
	/* The walk stopped before the chain's last descriptor (bad next, loop, too long):
	 * seg[] holds a prefix only, so the chain's true last byte is unknown. */
	bool truncated;
	struct virtq_seg seg[VIRTQ_MAX_SEGS];
};

struct virtq {
	uint16_t size; /* host's copy, power of two */
	bool event_idx;
	struct vring_desc *desc; /* host pointers, checked once at virtq_init */
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail; /* next avail entry to consume */
	uint16_t used_idx; /* host's copy of used->idx */
	uint16_t signalled_used;
	bool signalled_used_valid;
	unsigned inflight; /* chains popped but not yet pushed */
};

/* Checks size (non-zero power of two <= VIRTQ_MAX_SIZE), alignment (desc 16, avail 2,
 * used 4) and that the three rings (including the event fields when event_idx) lie
 * inside guest RAM; -1 with err otherwise. Zeroes used->flags, used->idx and, with
 * event_idx, avail_event. */
int virtq_init(struct virtq *q, const struct guest_mem *m, uint16_t size, uint64_t desc_gpa, uint64_t avail_gpa,
	       uint64_t used_gpa, bool event_idx, char *err, size_t errlen);

/* 1: a chain was popped into c (c->error says whether it is usable; err describes a
 * malformed one); 0: nothing new; -1: the guest broke the queue (err says how): avail
 * idx more than size ahead, an avail ring entry >= size, or more chains in flight than
 * the queue has descriptors. After -1 the queue is unusable until the driver resets it. */
int virtq_pop(struct virtq *q, const struct guest_mem *m, struct virtq_chain *c, char *err, size_t errlen);

/* Whether the guest has published chains not popped yet (a peek: nothing is consumed). */
bool virtq_avail_pending(struct virtq *q);

/* Puts head into the used ring with len bytes written (release ordering on used->idx). */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);

/* After pushing: should the guest be interrupted? (VRING_AVAIL_F_NO_INTERRUPT, or with
 * event_idx vring_need_event(used_event, new, old)). */
bool virtq_need_interrupt(struct virtq *q);

/* Notification suppression while the host polls: with event_idx writes avail_event,
 * else toggles VRING_USED_F_NO_NOTIFY. virtq_enable_notify returns true if more chains
 * arrived meanwhile (re-check to avoid a lost wake-up). */
void virtq_disable_notify(struct virtq *q);
bool virtq_enable_notify(struct virtq *q);

/* "loop", "indirect descriptor", ... for a virtq_chain.error. */
const char *virtq_chain_error_name(int error);
#endif
