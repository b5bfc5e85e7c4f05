/*
 * Split virtqueue, device side. Everything in the rings is the guest's word. Each
 * check names the rule it keeps or the past bug it guards against; "checklist" marks
 * the rules a device reading untrusted rings must keep, each of them broken before in
 * some VMM (Firecracker, QEMU, cloud-hypervisor): copy a descriptor out once, check
 * every index, address and length against the queue and RAM, bound every walk.
 */
#include <endian.h>
#include <stdarg.h>
#include <stdio.h>

#include "util/error.h"
#include "vmm/virtio/virtq.h"

/* The guest writes these concurrently: one atomic access each, never a torn or repeated read. */
static uint16_t guest_load16(const __virtio16 *p, int order)
{
	return le16toh(__atomic_load_n(p, order));
}

static void guest_store16(__virtio16 *p, uint16_t v, int order)
{
	__atomic_store_n(p, htole16(v), order);
}

const char *virtq_chain_error_name(int error)
{
	switch (error) {
	case VIRTQ_CHAIN_OK:
		return "no error";
	case VIRTQ_CHAIN_BAD_NEXT:
		return "next index out of range";
	case VIRTQ_CHAIN_LOOP:
		return "loop";
	case VIRTQ_CHAIN_TOO_LONG:
		return "too many descriptors";
	case VIRTQ_CHAIN_BAD_RANGE:
		return "buffer outside guest RAM";
	case VIRTQ_CHAIN_INDIRECT:
		return "indirect descriptor";
	case VIRTQ_CHAIN_BAD_ORDER:
		return "device-readable after device-writable";
	}
	return "unknown error";
}

/* A ring must be aligned and wholly inside RAM (checklist: ring addresses aligned and inside RAM). */
static void *ring_check(const struct guest_mem *m, const char *name, uint64_t gpa, uint64_t bytes, uint64_t align,
			char *err, size_t errlen)
{
	void *p;

	if (gpa & (align - 1)) {
		errorf(err, errlen, "%s ring at 0x%llx is not %llu-byte aligned", name, (unsigned long long)gpa,
		       (unsigned long long)align);
		return NULL;
	}
	p = gmem_ptr(m, gpa, bytes);
	if (!p) {
		errorf(err, errlen, "%s ring [0x%llx, +%llu) is outside guest RAM (%llu bytes)", name,
		       (unsigned long long)gpa, (unsigned long long)bytes, (unsigned long long)m->size);
		return NULL;
	}
	/* Atomics below need the host address aligned too, not only the guest one. */
	if ((uintptr_t)p & (align - 1)) {
		errorf(err, errlen, "%s ring at 0x%llx: host mapping is not %llu-byte aligned", name,
		       (unsigned long long)gpa, (unsigned long long)align);
		return NULL;
	}
	return p;
}

/* avail_event lives after the used ring's elements (virtio 2.7.10). */
static __virtio16 *avail_event_ptr(struct virtq *q)
{
	return (__virtio16 *)&q->used->ring[q->size];
}

int virtq_init(struct virtq *q, const struct guest_mem *m, uint16_t size, uint64_t desc_gpa, uint64_t avail_gpa,
	       uint64_t used_gpa, bool event_idx, char *err, size_t errlen)
{
	uint64_t ev = event_idx ? sizeof(__virtio16) : 0; /* used_event / avail_event after each ring */

	*q = (struct virtq){ 0 };
	/* Checklist: queue size a non-zero power of two (a mask replaces the modulo below). */
	if (size == 0 || (size & (size - 1)) || size > VIRTQ_MAX_SIZE)
		return errorf(err, errlen, "queue size %u is not a power of two in [1, %u]", size, VIRTQ_MAX_SIZE);
	struct vring_desc *desc =
		ring_check(m, "descriptor", desc_gpa, (uint64_t)size * sizeof(struct vring_desc), 16, err, errlen);
	if (!desc)
		return -1;
	struct vring_avail *avail = ring_check(m, "available", avail_gpa,
					       sizeof(struct vring_avail) + (uint64_t)size * sizeof(__virtio16) + ev,
					       2, err, errlen);
	if (!avail)
		return -1;
	struct vring_used *used = ring_check(m, "used", used_gpa,
					     sizeof(struct vring_used) + (uint64_t)size * sizeof(struct vring_used_elem) + ev,
					     4, err, errlen);
	if (!used)
		return -1;

	q->size = size;
	q->event_idx = event_idx;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	guest_store16(&used->flags, 0, __ATOMIC_RELAXED);
	if (event_idx) /* notify on the first chain, whatever the memory held */
		guest_store16(avail_event_ptr(q), 0, __ATOMIC_RELAXED);
	guest_store16(&used->idx, 0, __ATOMIC_RELEASE);
	return 0;
}

/* One descriptor, copied out of guest memory once (checklist: never re-read a field after checking it). */
struct desc_copy {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static struct desc_copy desc_read(const struct virtq *q, uint16_t i)
{
	const struct vring_desc *d = &q->desc[i];
	return (struct desc_copy){
		.addr = le64toh(__atomic_load_n(&d->addr, __ATOMIC_RELAXED)),
		.len = le32toh(__atomic_load_n(&d->len, __ATOMIC_RELAXED)),
		.flags = le16toh(__atomic_load_n(&d->flags, __ATOMIC_RELAXED)),
		.next = le16toh(__atomic_load_n(&d->next, __ATOMIC_RELAXED)),
	};
}

static void chain_fail(struct virtq_chain *c, int error, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void chain_fail(struct virtq_chain *c, int error, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	char why[160];

	if (c->error) /* keep the first problem: it is the one to report */
		return;
	c->error = error;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	errorf(err, errlen, "descriptor chain at head %u: %s: %s", c->head, virtq_chain_error_name(error), why);
}

/*
 * Walks the chain from c->head. Per-descriptor problems (range, indirect, order) are
 * recorded and the walk goes on, so the chain's last byte (virtio-blk's status) is
 * still known; problems with the links themselves end the walk (truncated).
 */
static void chain_walk(const struct virtq *q, const struct guest_mem *m, struct virtq_chain *c, char *err,
		       size_t errlen)
{
	/* Checklist: at most queue-size hops, so a loop ends; and no more than seg[] holds. */
	unsigned limit = q->size < VIRTQ_MAX_SEGS ? q->size : VIRTQ_MAX_SEGS;
	bool seen_writable = false;
	uint16_t i = c->head;

	for (;;) {
		if (c->nsegs == limit) {
			c->truncated = true;
			if (limit == q->size)
				chain_fail(c, VIRTQ_CHAIN_LOOP, err, errlen, "more than %u descriptors in a queue of %u",
					   limit, q->size);
			else
				chain_fail(c, VIRTQ_CHAIN_TOO_LONG, err, errlen, "more than %u descriptors", limit);
			return;
		}
		struct desc_copy d = desc_read(q, i);
		struct virtq_seg *s = &c->seg[c->nsegs++];
		s->gpa = d.addr;
		s->len = d.len;
		s->device_writes = d.flags & VRING_DESC_F_WRITE;
		/* gmem_ptr adds with overflow checks: CVE-2019-18960, CVE-2016-7422. */
		s->host = gmem_ptr(m, d.addr, d.len);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			/* Not offered; an unchecked table is a second, nested chain to trust. */
			s->host = NULL;
			chain_fail(c, VIRTQ_CHAIN_INDIRECT, err, errlen, "descriptor %u", i);
		} else if (!s->host) {
			chain_fail(c, VIRTQ_CHAIN_BAD_RANGE, err, errlen, "descriptor %u: [0x%llx, +%u) in %llu bytes of RAM",
				   i, (unsigned long long)d.addr, d.len, (unsigned long long)m->size);
		}
		/* virtio 2.7.4.2: device-readable descriptors come before device-writable ones. */
		if (s->device_writes)
			seen_writable = true;
		else if (seen_writable)
			chain_fail(c, VIRTQ_CHAIN_BAD_ORDER, err, errlen, "descriptor %u", i);
		if (!(d.flags & VRING_DESC_F_NEXT))
			return;
		/* Checklist: next index < queue size. */
		if (d.next >= q->size) {
			c->truncated = true;
			chain_fail(c, VIRTQ_CHAIN_BAD_NEXT, err, errlen, "descriptor %u links to %u, queue size %u", i,
				   d.next, q->size);
			return;
		}
		i = d.next;
	}
}

int virtq_pop(struct virtq *q, const struct guest_mem *m, struct virtq_chain *c, char *err, size_t errlen)
{
	if (!q->size)
		return 0;
	/* Acquire: the ring entry and descriptors the guest wrote before idx are visible. */
	uint16_t avail_idx = guest_load16(&q->avail->idx, __ATOMIC_ACQUIRE);
	uint16_t pending = (uint16_t)(avail_idx - q->last_avail);

	/* Checklist: avail.idx at most queue size ahead (cloud-hypervisor stall on bad avail indexes). */
	if (pending > q->size)
		return errorf(err, errlen, "avail idx %u is %u entries past the last one consumed (%u), queue size %u",
			      avail_idx, pending, q->last_avail, q->size);
	if (!pending)
		return 0;
	/* CVE-2016-5403: a guest re-offering heads still in flight would grow the host's state without bound. */
	if (q->inflight >= q->size)
		return errorf(err, errlen, "a new chain offered while all %u descriptors are in flight", q->size);
	uint16_t slot = q->last_avail & (q->size - 1);
	uint16_t head = guest_load16(&q->avail->ring[slot], __ATOMIC_RELAXED);
	/* Checklist: descriptor index < queue size (unsigned throughout: CVE-2011-2512).
	 * No descriptor to return to the guest: the queue is broken. */
	if (head >= q->size)
		return errorf(err, errlen, "avail ring entry %u holds head %u, queue size %u", slot, head, q->size);
	q->last_avail++;
	q->inflight++;

	c->head = head;
	c->nsegs = 0;
	c->error = VIRTQ_CHAIN_OK;
	c->truncated = false;
	chain_walk(q, m, c, err, errlen);
	return 1;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	if (!q->size)
		return;
	vring_used_elem_t *e = &q->used->ring[q->used_idx & (q->size - 1)];
	__atomic_store_n(&e->id, htole32(head), __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, htole32(len), __ATOMIC_RELAXED);
	q->used_idx++;
	/* Release: the guest sees the element (and the data and status written before) with the index. */
	guest_store16(&q->used->idx, q->used_idx, __ATOMIC_RELEASE);
	if (q->inflight)
		q->inflight--;
	/* After 2^16 pushes without a signal decision, signalled_used is ambiguous again. */
	if (q->used_idx == q->signalled_used)
		q->signalled_used_valid = false;
}

bool virtq_avail_pending(struct virtq *q)
{
	return q->size && guest_load16(&q->avail->idx, __ATOMIC_ACQUIRE) != q->last_avail;
}

bool virtq_need_interrupt(struct virtq *q)
{
	if (!q->size)
		return false;
	/* The used->idx store must be visible before the guest's flag/event is read, or
	 * both sides can decide the other one will act: a lost interrupt. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->event_idx)
		return !(guest_load16(&q->avail->flags, __ATOMIC_RELAXED) & VRING_AVAIL_F_NO_INTERRUPT);

	uint16_t used_event = guest_load16(&q->avail->ring[q->size], __ATOMIC_RELAXED);
	uint16_t old = q->signalled_used, new = q->used_idx;
	bool valid = q->signalled_used_valid;

	q->signalled_used = new;
	q->signalled_used_valid = true;
	if (!valid)
		return true;
	return vring_need_event(used_event, new, old);
}

void virtq_disable_notify(struct virtq *q)
{
	if (!q->size)
		return;
	if (q->event_idx) {
		/* An event index the guest has already passed: it notifies again only after 2^16 more chains. */
		guest_store16(avail_event_ptr(q), (uint16_t)(q->last_avail - 1), __ATOMIC_RELAXED);
	} else {
		/* The device owns used->flags and sets no other bit. */
		guest_store16(&q->used->flags, VRING_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
	}
}

bool virtq_enable_notify(struct virtq *q)
{
	if (!q->size)
		return false;
	if (q->event_idx) {
		/* Notify when the entry at last_avail is published. */
		guest_store16(avail_event_ptr(q), q->last_avail, __ATOMIC_RELAXED);
	} else {
		guest_store16(&q->used->flags, 0, __ATOMIC_RELAXED);
	}
	/* Store-load barrier: the guest may have added a chain just before seeing the
	 * change, without notifying; look again so that chain is not left waiting. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return guest_load16(&q->avail->idx, __ATOMIC_ACQUIRE) != q->last_avail;
}
