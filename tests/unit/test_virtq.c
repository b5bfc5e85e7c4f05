/*
 * The host side of split virtqueues (harness/vmm/virtio/virtq.c) and virtio-blk request
 * parsing (harness/vmm/blk/virtio_blk_req.c) against a fake driver that lays out rings
 * and offers chains in guest memory as a guest would: valid chains come out intact
 * across 16-bit index wrap-around; every item of the virtqueue checklist (the
 * header of virtio/virtq.c) is refused, a malformed chain still comes back
 * with its head, and only a broken avail ring is fatal; the interrupt and
 * notification suppression decisions follow VIRTIO_F_EVENT_IDX; each block request
 * check yields the status the guest must see.
 * The guest memory is a plain aligned buffer: no KVM needed.
 */
#include <endian.h>
#include <linux/virtio_blk.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "vmm/blk/virtio_blk_req.h"
#include "vmm/guest_mem.h"
#include "vmm/virtio/virtq.h"

/* ---- a fake driver ---- */

#define GMEM_SIZE (1u << 20)
#define DESC_GPA 0x1000u /* up to 1024 * 16 bytes */
#define AVAIL_GPA 0x6000u /* up to 6 + 2 * 1024 */
#define USED_GPA 0x7000u /* up to 6 + 8 * 1024 */
#define BUF_GPA 0x10000u /* request buffers from here */
#define DISK_BYTES (1ull << 20)

struct drv {
	struct guest_mem m;
	struct virtq q;
	uint16_t size;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t avail_idx; /* the driver's copy */
	uint16_t next_desc; /* descriptors are handed out round-robin */
	uint64_t next_buf; /* bump allocator for buffers */
	char err[256];
};

struct fseg {
	uint32_t len;
	bool w; /* device-writable */
};

static void drv_setup(struct drv *d, uint16_t size, bool event_idx)
{
	memset(d, 0, sizeof(*d));
	d->m.host = aligned_alloc(4096, GMEM_SIZE);
	assert_non_null(d->m.host);
	memset(d->m.host, 0, GMEM_SIZE);
	memset(d->m.host + USED_GPA, 0x5a, 8 + 8 * 1024); /* not zero: init must clear what it owns */
	d->m.size = GMEM_SIZE;
	d->size = size;
	d->desc = (struct vring_desc *)(d->m.host + DESC_GPA);
	d->avail = (struct vring_avail *)(d->m.host + AVAIL_GPA);
	d->used = (struct vring_used *)(d->m.host + USED_GPA);
	d->next_buf = BUF_GPA;
	assert_int_equal(virtq_init(&d->q, &d->m, size, DESC_GPA, AVAIL_GPA, USED_GPA, event_idx, d->err,
				    sizeof(d->err)),
			 0);
}

static void drv_teardown(struct drv *d)
{
	free(d->m.host);
}

static void drv_set_desc(struct drv *d, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	d->desc[i].addr = htole64(addr);
	d->desc[i].len = htole32(len);
	d->desc[i].flags = htole16(flags);
	d->desc[i].next = htole16(next);
}

/* Puts head in the avail ring and publishes it (release), as virtqueue_add does. */
static void drv_offer(struct drv *d, uint16_t head)
{
	d->avail->ring[d->avail_idx & (d->size - 1)] = htole16(head);
	d->avail_idx++;
	__atomic_store_n(&d->avail->idx, htole16(d->avail_idx), __ATOMIC_RELEASE);
}

static uint64_t drv_alloc(struct drv *d, uint32_t len)
{
	uint64_t gpa = d->next_buf;
	d->next_buf += (len + 15) & ~15u;
	assert_true(d->next_buf <= GMEM_SIZE);
	return gpa;
}

/* Descriptors for segs at gpas[], linked with NEXT; offered; returns the head. */
static uint16_t drv_add_at(struct drv *d, const struct fseg *s, const uint64_t *gpas, unsigned n)
{
	uint16_t head = d->next_desc;
	for (unsigned i = 0; i < n; i++) {
		uint16_t idx = (uint16_t)((head + i) & (d->size - 1));
		uint16_t next = (uint16_t)((idx + 1) & (d->size - 1));
		drv_set_desc(d, idx, gpas[i], s[i].len, (s[i].w ? VRING_DESC_F_WRITE : 0) | (i + 1 < n ? VRING_DESC_F_NEXT : 0),
			     i + 1 < n ? next : 0);
	}
	d->next_desc = (uint16_t)((head + n) & (d->size - 1));
	drv_offer(d, head);
	return head;
}

/* As drv_add_at, with fresh buffers; their gpas go to gpas[] when given. */
static uint16_t drv_add(struct drv *d, const struct fseg *s, unsigned n, uint64_t *gpas)
{
	uint64_t g[VIRTQ_MAX_SEGS + 8];
	assert_true(n <= VIRTQ_MAX_SEGS + 8);
	for (unsigned i = 0; i < n; i++)
		g[i] = drv_alloc(d, s[i].len);
	if (gpas)
		memcpy(gpas, g, n * sizeof(g[0]));
	return drv_add_at(d, s, g, n);
}

/* Writes bytes across the buffers of a chain's leading segments, in order. */
static void drv_write_stream(struct drv *d, const struct fseg *s, const uint64_t *gpas, unsigned n, const void *p,
			     size_t len)
{
	const uint8_t *b = p;
	for (unsigned i = 0; i < n && len; i++) {
		size_t k = s[i].len < len ? s[i].len : len;
		memcpy(d->m.host + gpas[i], b, k);
		b += k;
		len -= k;
	}
	assert_int_equal(len, 0);
}

static void blk_hdr(uint8_t hdr[16], uint32_t type, uint64_t sector)
{
	uint32_t t = htole32(type), prio = 0;
	uint64_t sec = htole64(sector);
	memcpy(hdr, &t, 4);
	memcpy(hdr + 4, &prio, 4);
	memcpy(hdr + 8, &sec, 8);
}

/* A virtio-blk request laid out over segs: the header goes into the leading bytes. */
static uint16_t drv_add_blk(struct drv *d, const struct fseg *s, unsigned n, uint32_t type, uint64_t sector,
			    uint64_t *gpas)
{
	uint64_t g[VIRTQ_MAX_SEGS + 8];
	uint8_t hdr[16];
	uint32_t readable = 0;

	for (unsigned i = 0; i < n && !s[i].w; i++)
		readable += s[i].len;
	for (unsigned i = 0; i < n; i++)
		g[i] = drv_alloc(d, s[i].len);
	blk_hdr(hdr, type, sector);
	drv_write_stream(d, s, g, n, hdr, readable < 16 ? readable : 16);
	if (gpas)
		memcpy(gpas, g, n * sizeof(g[0]));
	return drv_add_at(d, s, g, n);
}

static void pop_one(struct drv *d, struct virtq_chain *c)
{
	d->err[0] = 0;
	assert_int_equal(virtq_pop(&d->q, &d->m, c, d->err, sizeof(d->err)), 1);
}

static void pop_parse(struct drv *d, struct virtq_chain *c, struct blk_req *r, uint64_t disk, bool ro)
{
	pop_one(d, c);
	blk_req_parse(c, disk, ro, r);
}


/* The device's avail_event, after the used ring's elements. */
static uint16_t avail_event_get(struct drv *d)
{
	uint16_t v;
	memcpy(&v, &d->used->ring[d->size], sizeof(v));
	return le16toh(v);
}

/* ---- virtq_init ---- */

static void test_init_accepts_a_valid_queue_and_clears_the_used_ring(void **state)
{
	struct drv d;
	(void)state;
	drv_setup(&d, 256, true);
	assert_int_equal(d.q.size, 256);
	assert_true(d.q.event_idx);
	assert_ptr_equal(d.q.desc, d.m.host + DESC_GPA);
	assert_ptr_equal(d.q.avail, d.m.host + AVAIL_GPA);
	assert_ptr_equal(d.q.used, d.m.host + USED_GPA);
	assert_int_equal(d.q.last_avail, 0);
	assert_int_equal(d.q.used_idx, 0);
	assert_int_equal(d.q.inflight, 0);
	assert_int_equal(d.used->idx, 0);
	assert_int_equal(d.used->flags, 0);
	assert_int_equal(avail_event_get(&d), 0);
	drv_teardown(&d);
}

static void test_init_refuses_sizes_that_are_not_powers_of_two_up_to_1024(void **state)
{
	struct drv d;
	struct virtq q;
	static const uint16_t bad[] = { 0, 3, 6, 100, 1023, 2048, 32768, 65535 };
	(void)state;
	drv_setup(&d, 8, false);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d.err[0] = 0;
		assert_int_equal(virtq_init(&q, &d.m, bad[i], DESC_GPA, AVAIL_GPA, USED_GPA, false, d.err, sizeof(d.err)),
				 -1);
		assert_err_has(d.err, "queue size");
	}
	for (unsigned s = 1; s <= VIRTQ_MAX_SIZE; s *= 2)
		assert_int_equal(virtq_init(&q, &d.m, (uint16_t)s, DESC_GPA, AVAIL_GPA, USED_GPA, true, d.err,
					    sizeof(d.err)),
				 0);
	drv_teardown(&d);
}

static void test_init_refuses_misaligned_rings(void **state)
{
	struct drv d;
	struct virtq q;
	(void)state;
	drv_setup(&d, 8, false);
	assert_int_equal(virtq_init(&q, &d.m, 8, DESC_GPA + 8, AVAIL_GPA, USED_GPA, false, d.err, sizeof(d.err)), -1);
	assert_err_has(d.err, "descriptor ring");
	assert_err_has(d.err, "16-byte aligned");
	assert_int_equal(virtq_init(&q, &d.m, 8, DESC_GPA, AVAIL_GPA + 1, USED_GPA, false, d.err, sizeof(d.err)), -1);
	assert_err_has(d.err, "available ring");
	assert_int_equal(virtq_init(&q, &d.m, 8, DESC_GPA, AVAIL_GPA, USED_GPA + 2, false, d.err, sizeof(d.err)), -1);
	assert_err_has(d.err, "used ring");
	/* The minimum alignments are enough. */
	assert_int_equal(virtq_init(&q, &d.m, 8, DESC_GPA + 16, AVAIL_GPA + 2, USED_GPA + 4, false, d.err, sizeof(d.err)),
			 0);
	drv_teardown(&d);
}

static void test_init_refuses_rings_outside_ram(void **state)
{
	struct drv d;
	struct virtq q;
	uint64_t end = GMEM_SIZE;
	(void)state;
	drv_setup(&d, 8, false);
	/* Each ring ending exactly at the end of RAM fits; one more entry does not. */
	assert_int_equal(virtq_init(&q, &d.m, 8, end - 128, AVAIL_GPA, USED_GPA, false, d.err, sizeof(d.err)), 0);
	assert_int_equal(virtq_init(&q, &d.m, 16, end - 128, AVAIL_GPA, USED_GPA, false, d.err, sizeof(d.err)), -1);
	assert_err_has(d.err, "descriptor ring");
	assert_err_has(d.err, "outside guest RAM");
	assert_int_equal(virtq_init(&q, &d.m, 8, DESC_GPA, end - 20, USED_GPA, false, d.err, sizeof(d.err)), 0);
	assert_int_equal(virtq_init(&q, &d.m, 8, DESC_GPA, end - 20, USED_GPA, true, d.err, sizeof(d.err)), -1);
	assert_err_has(d.err, "available ring"); /* used_event is the 21st and 22nd byte */
	assert_int_equal(virtq_init(&q, &d.m, 8, DESC_GPA, AVAIL_GPA, end - 68, false, d.err, sizeof(d.err)), 0);
	assert_int_equal(virtq_init(&q, &d.m, 8, DESC_GPA, AVAIL_GPA, end - 68, true, d.err, sizeof(d.err)), -1);
	assert_err_has(d.err, "used ring");
	/* gpa + length wrapping around 2^64 is outside, not small. */
	assert_int_equal(virtq_init(&q, &d.m, 8, UINT64_MAX - 15, AVAIL_GPA, USED_GPA, false, d.err, sizeof(d.err)), -1);
	assert_int_equal(virtq_init(&q, &d.m, 8, DESC_GPA, UINT64_MAX - 1, USED_GPA, false, d.err, sizeof(d.err)), -1);
	assert_int_equal(virtq_init(&q, &d.m, 8, DESC_GPA, AVAIL_GPA, UINT64_MAX - 3, false, d.err, sizeof(d.err)), -1);
	drv_teardown(&d);
}

static void test_a_queue_that_failed_init_does_nothing(void **state)
{
	struct drv d;
	struct virtq q;
	struct virtq_chain c;
	static const struct fseg s[] = { { 16, false } };
	(void)state;
	drv_setup(&d, 8, true);
	drv_add(&d, s, 1, NULL);
	assert_int_equal(virtq_init(&q, &d.m, 3, DESC_GPA, AVAIL_GPA, USED_GPA, true, d.err, sizeof(d.err)), -1);
	assert_int_equal(virtq_pop(&q, &d.m, &c, d.err, sizeof(d.err)), 0);
	virtq_push(&q, 0, 0);
	assert_false(virtq_need_interrupt(&q));
	virtq_disable_notify(&q);
	assert_false(virtq_enable_notify(&q));
	assert_int_equal(d.used->idx, 0);
	drv_teardown(&d);
}

static void test_init_refuses_a_misaligned_host_mapping(void **state)
{
	struct drv d;
	struct virtq q;
	struct guest_mem odd;
	(void)state;
	drv_setup(&d, 8, false);
	odd.host = d.m.host + 1; /* atomics on the rings need real alignment */
	odd.size = d.m.size - 1;
	assert_int_equal(virtq_init(&q, &odd, 8, DESC_GPA, AVAIL_GPA, USED_GPA, false, d.err, sizeof(d.err)), -1);
	assert_err_has(d.err, "host mapping");
	drv_teardown(&d);
}

/* ---- virtq_pop: valid chains ---- */

static void test_pop_returns_0_on_an_empty_queue(void **state)
{
	struct drv d;
	struct virtq_chain c;
	(void)state;
	drv_setup(&d, 8, false);
	assert_int_equal(virtq_pop(&d.q, &d.m, &c, d.err, sizeof(d.err)), 0);
	assert_int_equal(d.q.last_avail, 0);
	assert_int_equal(d.q.inflight, 0);
	drv_teardown(&d);
}

static void test_pop_returns_a_single_descriptor_chain(void **state)
{
	struct drv d;
	struct virtq_chain c;
	uint64_t gpa;
	static const struct fseg s[] = { { 100, true } };
	(void)state;
	drv_setup(&d, 8, false);
	uint16_t head = drv_add(&d, s, 1, &gpa);
	pop_one(&d, &c);
	assert_int_equal(c.head, head);
	assert_int_equal(c.error, VIRTQ_CHAIN_OK);
	assert_false(c.truncated);
	assert_int_equal(c.nsegs, 1);
	assert_int_equal(c.seg[0].gpa, gpa);
	assert_int_equal(c.seg[0].len, 100);
	assert_true(c.seg[0].device_writes);
	assert_ptr_equal(c.seg[0].host, d.m.host + gpa);
	assert_int_equal(d.q.inflight, 1);
	assert_int_equal(virtq_pop(&d.q, &d.m, &c, d.err, sizeof(d.err)), 0);
	drv_teardown(&d);
}

static void test_pop_returns_a_multi_segment_chain_with_zero_length_descriptors_counted(void **state)
{
	struct drv d;
	struct virtq_chain c;
	uint64_t gpas[6];
	static const struct fseg s[] = { { 16, false }, { 0, false }, { 512, false },
					 { 512, true }, { 0, true },   { 1, true } };
	(void)state;
	drv_setup(&d, 8, false);
	d.next_desc = 5; /* the chain wraps around the descriptor table */
	uint16_t head = drv_add(&d, s, 6, gpas);
	pop_one(&d, &c);
	assert_int_equal(c.head, head);
	assert_int_equal(c.error, VIRTQ_CHAIN_OK);
	assert_int_equal(c.nsegs, 6);
	for (unsigned i = 0; i < 6; i++) {
		assert_int_equal(c.seg[i].gpa, gpas[i]);
		assert_int_equal(c.seg[i].len, s[i].len);
		assert_int_equal(c.seg[i].device_writes, s[i].w);
		assert_ptr_equal(c.seg[i].host, d.m.host + gpas[i]);
	}
	drv_teardown(&d);
}

static void test_pop_accepts_a_chain_using_every_descriptor(void **state)
{
	struct drv d;
	struct virtq_chain c;
	struct fseg s[8];
	(void)state;
	drv_setup(&d, 8, false);
	for (unsigned i = 0; i < 8; i++)
		s[i] = (struct fseg){ 8, i >= 4 };
	drv_add(&d, s, 8, NULL);
	pop_one(&d, &c);
	assert_int_equal(c.error, VIRTQ_CHAIN_OK);
	assert_int_equal(c.nsegs, 8);
	drv_teardown(&d);
}

static void test_pop_accepts_a_chain_of_VIRTQ_MAX_SEGS(void **state)
{
	struct drv d;
	struct virtq_chain c;
	struct fseg s[VIRTQ_MAX_SEGS];
	(void)state;
	drv_setup(&d, 1024, false);
	for (unsigned i = 0; i < VIRTQ_MAX_SEGS; i++)
		s[i] = (struct fseg){ 4, false };
	drv_add(&d, s, VIRTQ_MAX_SEGS, NULL);
	pop_one(&d, &c);
	assert_int_equal(c.error, VIRTQ_CHAIN_OK);
	assert_int_equal(c.nsegs, VIRTQ_MAX_SEGS);
	drv_teardown(&d);
}

static void test_pop_keeps_its_copy_when_the_guest_rewrites_descriptors(void **state)
{
	struct drv d;
	struct virtq_chain c;
	static const struct fseg s[] = { { 64, false }, { 64, true } };
	(void)state;
	drv_setup(&d, 8, false);
	uint16_t head = drv_add(&d, s, 2, NULL);
	pop_one(&d, &c);
	drv_set_desc(&d, head, UINT64_MAX, UINT32_MAX, VRING_DESC_F_NEXT, head); /* too late */
	assert_int_equal(c.seg[0].len, 64);
	assert_ptr_equal(c.seg[0].host, d.m.host + c.seg[0].gpa);
	drv_teardown(&d);
}

/* ---- wrap-around ---- */

static void wrap_run(uint16_t size, unsigned nsegs, unsigned batch, unsigned requests)
{
	struct drv d;
	struct virtq_chain c;
	struct fseg s[4];
	uint64_t gpas[4];
	uint16_t heads[1024];

	for (unsigned i = 0; i < nsegs; i++) {
		s[i] = (struct fseg){ 512, i > 0 };
		gpas[i] = BUF_GPA + i * 512;
	}
	drv_setup(&d, size, true);
	for (unsigned done = 0; done < requests; done += batch) {
		for (unsigned k = 0; k < batch; k++)
			heads[k] = drv_add_at(&d, s, gpas, nsegs);
		for (unsigned k = 0; k < batch; k++) {
			pop_one(&d, &c);
			if (c.head != heads[k] || c.error || c.nsegs != nsegs || c.seg[nsegs - 1].gpa != gpas[nsegs - 1])
				fail_msg("request %u: head %u (want %u), error %d, %u segments", done + k, c.head, heads[k],
					 c.error, c.nsegs);
		}
		assert_int_equal(virtq_pop(&d.q, &d.m, &c, d.err, sizeof(d.err)), 0);
		/* Completed out of order: the used ring carries ids, not positions. */
		for (unsigned k = batch; k-- > 0;) {
			uint16_t slot = d.q.used_idx & (size - 1);
			virtq_push(&d.q, heads[k], done + k);
			if (le32toh(d.used->ring[slot].id) != heads[k] || le32toh(d.used->ring[slot].len) != done + k)
				fail_msg("request %u: used ring slot %u holds id %u len %u", done + k, slot,
					 le32toh(d.used->ring[slot].id), le32toh(d.used->ring[slot].len));
		}
		assert_int_equal(le16toh(__atomic_load_n(&d.used->idx, __ATOMIC_ACQUIRE)), (uint16_t)(done + batch));
		assert_int_equal(d.q.inflight, 0);
	}
	assert_int_equal(d.q.last_avail, (uint16_t)requests);
	assert_int_equal(d.q.used_idx, (uint16_t)requests);
	drv_teardown(&d);
}

static void test_indices_wrap_around_over_70000_single_requests(void **state)
{
	(void)state;
	wrap_run(4, 3, 1, 70000);
}

static void test_indices_wrap_around_with_full_batches(void **state)
{
	(void)state;
	wrap_run(8, 1, 8, 70000); /* the avail ring is full at every step */
	wrap_run(16, 2, 8, 70000);
}

/* ---- virtq_pop: the checklist ---- */

static void test_pop_flags_a_next_index_out_of_range_and_keeps_the_head(void **state)
{
	struct drv d;
	struct virtq_chain c;
	(void)state;
	drv_setup(&d, 8, false);
	drv_set_desc(&d, 3, BUF_GPA, 16, VRING_DESC_F_NEXT, 8);
	drv_offer(&d, 3);
	pop_one(&d, &c);
	assert_int_equal(c.head, 3);
	assert_int_equal(c.error, VIRTQ_CHAIN_BAD_NEXT);
	assert_true(c.truncated);
	assert_int_equal(c.nsegs, 1);
	assert_err_has(d.err, "head 3");
	assert_err_has(d.err, "links to 8");
	/* The queue goes on. */
	drv_set_desc(&d, 4, BUF_GPA, 16, 0, 0);
	drv_offer(&d, 4);
	pop_one(&d, &c);
	assert_int_equal(c.head, 4);
	assert_int_equal(c.error, VIRTQ_CHAIN_OK);
	drv_set_desc(&d, 5, BUF_GPA, 16, VRING_DESC_F_NEXT, 0xffff);
	drv_offer(&d, 5);
	pop_one(&d, &c);
	assert_int_equal(c.error, VIRTQ_CHAIN_BAD_NEXT);
	drv_teardown(&d);
}

static void test_pop_ends_a_loop(void **state)
{
	struct drv d;
	struct virtq_chain c;
	(void)state;
	drv_setup(&d, 8, false);
	drv_set_desc(&d, 1, BUF_GPA, 16, VRING_DESC_F_NEXT, 2);
	drv_set_desc(&d, 2, BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	drv_offer(&d, 1);
	pop_one(&d, &c);
	assert_int_equal(c.head, 1);
	assert_int_equal(c.error, VIRTQ_CHAIN_LOOP);
	assert_true(c.truncated);
	assert_int_equal(c.nsegs, 8);
	assert_err_has(d.err, "loop");
	/* A descriptor pointing to itself. */
	drv_set_desc(&d, 6, BUF_GPA, 16, VRING_DESC_F_NEXT, 6);
	drv_offer(&d, 6);
	pop_one(&d, &c);
	assert_int_equal(c.error, VIRTQ_CHAIN_LOOP);
	drv_teardown(&d);

	/* In a queue larger than VIRTQ_MAX_SEGS the walk ends at VIRTQ_MAX_SEGS. */
	drv_setup(&d, 1024, false);
	drv_set_desc(&d, 1000, BUF_GPA, 16, VRING_DESC_F_NEXT, 1000);
	drv_offer(&d, 1000);
	pop_one(&d, &c);
	assert_int_equal(c.error, VIRTQ_CHAIN_TOO_LONG);
	assert_int_equal(c.nsegs, VIRTQ_MAX_SEGS);
	drv_teardown(&d);
}

static void test_pop_flags_a_chain_longer_than_VIRTQ_MAX_SEGS(void **state)
{
	struct drv d;
	struct virtq_chain c;
	struct fseg s[VIRTQ_MAX_SEGS + 1];
	(void)state;
	drv_setup(&d, 256, false);
	for (unsigned i = 0; i < VIRTQ_MAX_SEGS + 1; i++)
		s[i] = (struct fseg){ 4, false };
	uint16_t head = drv_add(&d, s, VIRTQ_MAX_SEGS + 1, NULL);
	pop_one(&d, &c);
	assert_int_equal(c.head, head);
	assert_int_equal(c.error, VIRTQ_CHAIN_TOO_LONG);
	assert_true(c.truncated);
	assert_int_equal(c.nsegs, VIRTQ_MAX_SEGS);
	assert_err_has(d.err, "too many descriptors");
	drv_teardown(&d);
}

static void test_pop_flags_buffers_outside_ram_or_wrapping(void **state)
{
	struct drv d;
	struct virtq_chain c;
	static const struct {
		uint64_t addr;
		uint32_t len;
	} bad[] = {
		{ UINT64_MAX - 4, 16 }, /* gpa + len wraps to 11 */
		{ UINT64_MAX, 1 },
		{ GMEM_SIZE - 4, 8 }, /* straddles the end */
		{ GMEM_SIZE, 1 },
		{ GMEM_SIZE + 1, 0 },
		{ 0, UINT32_MAX }, /* CVE-2016-7422: huge length */
	};
	(void)state;
	drv_setup(&d, 8, false);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* The bad descriptor in the middle: the walk goes on to the chain's end. */
		drv_set_desc(&d, 0, BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
		drv_set_desc(&d, 1, bad[i].addr, bad[i].len, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
		drv_set_desc(&d, 2, BUF_GPA + 16, 1, VRING_DESC_F_WRITE, 0);
		drv_offer(&d, 0);
		pop_one(&d, &c);
		assert_int_equal(c.head, 0);
		assert_int_equal(c.error, VIRTQ_CHAIN_BAD_RANGE);
		assert_false(c.truncated);
		assert_int_equal(c.nsegs, 3);
		assert_null(c.seg[1].host);
		assert_non_null(c.seg[2].host);
		assert_err_has(d.err, "outside guest RAM");
		virtq_push(&d.q, c.head, 0);
	}
	/* Ending exactly at the end of RAM is inside; an empty buffer there too. */
	drv_set_desc(&d, 0, GMEM_SIZE - 8, 8, VRING_DESC_F_NEXT, 1);
	drv_set_desc(&d, 1, GMEM_SIZE, 0, 0, 0);
	drv_offer(&d, 0);
	pop_one(&d, &c);
	assert_int_equal(c.error, VIRTQ_CHAIN_OK);
	assert_ptr_equal(c.seg[0].host, d.m.host + GMEM_SIZE - 8);
	drv_teardown(&d);
}

static void test_pop_flags_indirect_descriptors(void **state)
{
	struct drv d;
	struct virtq_chain c;
	(void)state;
	drv_setup(&d, 8, false);
	drv_set_desc(&d, 0, BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	drv_set_desc(&d, 1, BUF_GPA + 64, 64, VRING_DESC_F_INDIRECT, 0);
	drv_offer(&d, 0);
	pop_one(&d, &c);
	assert_int_equal(c.error, VIRTQ_CHAIN_INDIRECT);
	assert_int_equal(c.nsegs, 2);
	assert_null(c.seg[1].host); /* never to be used as a buffer */
	assert_err_has(d.err, "indirect");
	drv_teardown(&d);
}

static void test_pop_flags_readable_after_writable(void **state)
{
	struct drv d;
	struct virtq_chain c;
	static const struct fseg s[] = { { 16, false }, { 512, true }, { 1, false } };
	(void)state;
	drv_setup(&d, 8, false);
	uint16_t head = drv_add(&d, s, 3, NULL);
	pop_one(&d, &c);
	assert_int_equal(c.head, head);
	assert_int_equal(c.error, VIRTQ_CHAIN_BAD_ORDER);
	assert_false(c.truncated);
	assert_int_equal(c.nsegs, 3);
	assert_err_has(d.err, "device-readable after device-writable");
	drv_teardown(&d);
}

static void test_pop_keeps_the_first_error(void **state)
{
	struct drv d;
	struct virtq_chain c;
	(void)state;
	drv_setup(&d, 8, false);
	drv_set_desc(&d, 0, BUF_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	drv_set_desc(&d, 1, UINT64_MAX, 16, VRING_DESC_F_NEXT, 1); /* order, range, then a loop */
	drv_offer(&d, 0);
	pop_one(&d, &c);
	assert_int_equal(c.error, VIRTQ_CHAIN_BAD_RANGE);
	assert_true(c.truncated);
	drv_teardown(&d);
}

static void test_pop_fails_when_avail_idx_runs_more_than_size_ahead(void **state)
{
	struct drv d;
	struct virtq_chain c;
	static const struct fseg s[] = { { 16, false } };
	(void)state;
	drv_setup(&d, 8, false);
	for (unsigned i = 0; i < 8; i++)
		drv_add(&d, s, 1, NULL);
	/* Exactly size ahead: a full ring, fine. */
	pop_one(&d, &c);
	virtq_push(&d.q, c.head, 0);
	/* 7 pending, the guest claims 9 more. */
	__atomic_store_n(&d.avail->idx, htole16((uint16_t)(d.avail_idx + 2)), __ATOMIC_RELEASE);
	assert_int_equal(virtq_pop(&d.q, &d.m, &c, d.err, sizeof(d.err)), -1);
	assert_err_has(d.err, "avail idx 10");
	assert_int_equal(d.q.last_avail, 1); /* nothing consumed */
	/* An index moved backwards is just as far ahead, modulo 2^16. */
	__atomic_store_n(&d.avail->idx, htole16(0), __ATOMIC_RELEASE);
	assert_int_equal(virtq_pop(&d.q, &d.m, &c, d.err, sizeof(d.err)), -1);
	drv_teardown(&d);
}

static void test_pop_fails_on_an_avail_entry_out_of_range(void **state)
{
	struct drv d;
	struct virtq_chain c;
	(void)state;
	drv_setup(&d, 8, false);
	drv_offer(&d, 8);
	assert_int_equal(virtq_pop(&d.q, &d.m, &c, d.err, sizeof(d.err)), -1);
	assert_err_has(d.err, "head 8");
	assert_int_equal(d.q.last_avail, 0);
	assert_int_equal(d.q.inflight, 0);
	drv_teardown(&d);
}

static void test_pop_fails_when_more_chains_than_descriptors_are_in_flight(void **state)
{
	struct drv d;
	struct virtq_chain c;
	static const struct fseg s[] = { { 16, false } };
	(void)state;
	drv_setup(&d, 4, false);
	for (unsigned i = 0; i < 4; i++)
		drv_add(&d, s, 1, NULL);
	for (unsigned i = 0; i < 4; i++)
		pop_one(&d, &c);
	assert_int_equal(d.q.inflight, 4);
	/* CVE-2016-5403: the guest offers a fifth while none came back. */
	drv_add(&d, s, 1, NULL);
	assert_int_equal(virtq_pop(&d.q, &d.m, &c, d.err, sizeof(d.err)), -1);
	assert_err_has(d.err, "in flight");
	virtq_push(&d.q, 0, 0);
	assert_int_equal(d.q.inflight, 3);
	pop_one(&d, &c);
	drv_teardown(&d);
}

/* ---- interrupts ---- */

static void test_need_interrupt_follows_no_interrupt_without_event_idx(void **state)
{
	struct drv d;
	(void)state;
	drv_setup(&d, 8, false);
	virtq_push(&d.q, 0, 0);
	assert_true(virtq_need_interrupt(&d.q));
	d.avail->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT);
	virtq_push(&d.q, 0, 0);
	assert_false(virtq_need_interrupt(&d.q));
	d.avail->flags = 0;
	assert_true(virtq_need_interrupt(&d.q));
	drv_teardown(&d);
}

static void set_used_event(struct drv *d, uint16_t v)
{
	d->avail->ring[d->size] = htole16(v);
}

static void test_need_interrupt_with_event_idx_follows_vring_need_event(void **state)
{
	struct drv d;
	(void)state;
	drv_setup(&d, 8, true);
	d.avail->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT); /* ignored with event_idx */

	/* First decision: nothing signalled yet, so signal. */
	set_used_event(&d, 100);
	virtq_push(&d.q, 0, 0); /* used 1 */
	assert_true(virtq_need_interrupt(&d.q));
	assert_int_equal(d.q.signalled_used, 1);

	/* The guest wants to hear when entry 1 (the 2nd) is used: used idx passes 1 -> 2. */
	set_used_event(&d, 1);
	virtq_push(&d.q, 0, 0); /* used 2 */
	assert_true(virtq_need_interrupt(&d.q));

	/* Event at 3: pushing up to 3 does not cross it, up to 4 does. */
	set_used_event(&d, 3);
	virtq_push(&d.q, 0, 0); /* used 3 */
	assert_false(virtq_need_interrupt(&d.q));
	virtq_push(&d.q, 0, 0); /* used 4 */
	assert_true(virtq_need_interrupt(&d.q));

	/* A batch crossing the event in its middle: 4 -> 7 over event 5. */
	set_used_event(&d, 5);
	for (unsigned i = 0; i < 3; i++)
		virtq_push(&d.q, 0, 0);
	assert_true(virtq_need_interrupt(&d.q));
	/* An event already behind (guest slow to update): no interrupt. */
	virtq_push(&d.q, 0, 0); /* used 8, event 5 */
	assert_false(virtq_need_interrupt(&d.q));
	/* No push since the last decision: nothing to signal. */
	set_used_event(&d, 7);
	assert_false(virtq_need_interrupt(&d.q));
	drv_teardown(&d);
}

static void test_need_interrupt_with_event_idx_across_the_16_bit_wrap(void **state)
{
	struct drv d;
	(void)state;
	drv_setup(&d, 8, true);
	for (unsigned i = 0; i < 65534; i++)
		virtq_push(&d.q, 0, 0);
	assert_true(virtq_need_interrupt(&d.q)); /* signalled 65534 */
	set_used_event(&d, 65535);
	virtq_push(&d.q, 0, 0); /* 65535 */
	assert_false(virtq_need_interrupt(&d.q));
	virtq_push(&d.q, 0, 0); /* 0 */
	assert_int_equal(d.q.used_idx, 0);
	assert_true(virtq_need_interrupt(&d.q));
	set_used_event(&d, 0);
	virtq_push(&d.q, 0, 0); /* 1: crosses event 0 */
	assert_true(virtq_need_interrupt(&d.q));
	set_used_event(&d, 65530); /* far behind: 1 -> 3 does not cross it */
	virtq_push(&d.q, 0, 0);
	virtq_push(&d.q, 0, 0);
	assert_false(virtq_need_interrupt(&d.q));
	drv_teardown(&d);
}

static void test_need_interrupt_signals_after_2_16_pushes_without_a_decision(void **state)
{
	struct drv d;
	(void)state;
	drv_setup(&d, 8, true);
	virtq_push(&d.q, 0, 0);
	assert_true(virtq_need_interrupt(&d.q)); /* signalled 1 */
	set_used_event(&d, 0x8000);
	/* used idx goes all the way round to 1 again: old == new, vring_need_event alone says no. */
	for (unsigned i = 0; i < 65536; i++)
		virtq_push(&d.q, 0, 0);
	assert_int_equal(d.q.used_idx, 1);
	assert_true(virtq_need_interrupt(&d.q));
	drv_teardown(&d);
}

/* ---- notifications ---- */

static void test_notify_toggles_no_notify_without_event_idx(void **state)
{
	struct drv d;
	struct virtq_chain c;
	static const struct fseg s[] = { { 16, false } };
	(void)state;
	drv_setup(&d, 8, false);
	virtq_disable_notify(&d.q);
	assert_int_equal(le16toh(d.used->flags), VRING_USED_F_NO_NOTIFY);
	assert_false(virtq_enable_notify(&d.q));
	assert_int_equal(le16toh(d.used->flags), 0);

	/* A chain added while notifications were off: enable says look again. */
	virtq_disable_notify(&d.q);
	drv_add(&d, s, 1, NULL);
	assert_true(virtq_enable_notify(&d.q));
	pop_one(&d, &c);
	assert_false(virtq_enable_notify(&d.q));
	drv_teardown(&d);
}

static void test_notify_writes_avail_event_with_event_idx(void **state)
{
	struct drv d;
	struct virtq_chain c;
	static const struct fseg s[] = { { 16, false } };
	(void)state;
	drv_setup(&d, 8, true);
	for (unsigned i = 0; i < 3; i++) {
		drv_add(&d, s, 1, NULL);
		pop_one(&d, &c);
		virtq_push(&d.q, c.head, 0);
	}
	/* Enabled: the guest's next add (3 -> 4) crosses avail_event 3 and notifies. */
	assert_false(virtq_enable_notify(&d.q));
	assert_int_equal(avail_event_get(&d), 3);
	assert_true(vring_need_event(avail_event_get(&d), 4, 3));
	assert_int_equal(le16toh(d.used->flags), 0);

	/* Disabled: an index the guest has passed; adds 3 -> 4 -> 5 do not notify. */
	virtq_disable_notify(&d.q);
	assert_int_equal(avail_event_get(&d), 2);
	assert_false(vring_need_event(avail_event_get(&d), 4, 3));
	drv_add(&d, s, 1, NULL);
	assert_false(vring_need_event(avail_event_get(&d), 5, 4));
	/* Re-enabling finds the chain that came meanwhile. */
	assert_true(virtq_enable_notify(&d.q));
	drv_teardown(&d);
}

/* ---- virtio-blk requests ---- */

static void test_blk_parses_a_read(void **state)
{
	struct drv d;
	struct virtq_chain c;
	struct blk_req r;
	uint64_t g[4];
	static const struct fseg s[] = { { 16, false }, { 512, true }, { 1024, true }, { 1, true } };
	(void)state;
	drv_setup(&d, 8, false);
	drv_add_blk(&d, s, 4, VIRTIO_BLK_T_IN, 7, g);
	pop_parse(&d, &c, &r, DISK_BYTES, true); /* reads are fine on a read-only disk */
	assert_int_equal(r.result, VIRTIO_BLK_S_OK);
	assert_string_equal(r.why, "");
	assert_int_equal(r.type, BLK_REQ_READ);
	assert_int_equal(r.sector, 7);
	assert_int_equal(r.bytes, 1536);
	assert_int_equal(r.ndata, 2);
	assert_ptr_equal(r.data, &c.seg[1]);
	assert_ptr_equal(r.status, d.m.host + g[3]);
	drv_teardown(&d);
}

static void test_blk_parses_a_write(void **state)
{
	struct drv d;
	struct virtq_chain c;
	struct blk_req r;
	static const struct fseg s[] = { { 16, false }, { 4096, false }, { 1, true } };
	(void)state;
	drv_setup(&d, 8, false);
	drv_add_blk(&d, s, 3, VIRTIO_BLK_T_OUT, DISK_BYTES / 512 - 8, NULL); /* the last 4 KiB */
	pop_parse(&d, &c, &r, DISK_BYTES, false);
	assert_int_equal(r.result, VIRTIO_BLK_S_OK);
	assert_int_equal(r.type, BLK_REQ_WRITE);
	assert_int_equal(r.sector, DISK_BYTES / 512 - 8);
	assert_int_equal(r.bytes, 4096);
	assert_int_equal(r.ndata, 1);
	assert_ptr_equal(r.data, &c.seg[1]);
	drv_teardown(&d);
}

static void test_blk_parses_flush_and_get_id(void **state)
{
	struct drv d;
	struct virtq_chain c;
	struct blk_req r;
	uint64_t g[3];
	static const struct fseg flush[] = { { 16, false }, { 1, true } };
	static const struct fseg id[] = { { 16, false }, { VIRTIO_BLK_ID_BYTES, true }, { 1, true } };
	(void)state;
	drv_setup(&d, 8, false);
	drv_add_blk(&d, flush, 2, VIRTIO_BLK_T_FLUSH, 0, g);
	pop_parse(&d, &c, &r, DISK_BYTES, true);
	assert_int_equal(r.result, VIRTIO_BLK_S_OK);
	assert_int_equal(r.type, BLK_REQ_FLUSH);
	assert_int_equal(r.bytes, 0);
	assert_int_equal(r.ndata, 0);
	assert_ptr_equal(r.status, d.m.host + g[1]);

	drv_add_blk(&d, id, 3, VIRTIO_BLK_T_GET_ID, 0, g);
	pop_parse(&d, &c, &r, DISK_BYTES, false);
	assert_int_equal(r.result, VIRTIO_BLK_S_OK);
	assert_int_equal(r.type, BLK_REQ_GET_ID);
	assert_int_equal(r.ndata, 1);
	assert_int_equal(r.data[0].len, VIRTIO_BLK_ID_BYTES);
	assert_ptr_equal(r.data[0].host, d.m.host + g[1]);
	assert_ptr_equal(r.status, d.m.host + g[2]);
	drv_teardown(&d);
}

static void test_blk_reads_a_header_split_across_descriptors(void **state)
{
	struct drv d;
	struct virtq_chain c;
	struct blk_req r;
	static const struct fseg s1[] = { { 4, false }, { 12, false }, { 512, true }, { 1, true } };
	static const struct fseg s2[] = { { 1, false }, { 0, false },	{ 7, false },
					  { 8, false }, { 512, false }, { 1, true } };
	struct fseg s3[18];
	(void)state;
	drv_setup(&d, 32, false);
	drv_add_blk(&d, s1, 4, VIRTIO_BLK_T_IN, 0x0102030405ull, NULL);
	pop_parse(&d, &c, &r, UINT64_MAX, false);
	assert_int_equal(r.result, VIRTIO_BLK_S_OK);
	assert_int_equal(r.type, BLK_REQ_READ);
	assert_int_equal(r.sector, 0x0102030405ull);
	assert_ptr_equal(r.data, &c.seg[2]);
	assert_int_equal(r.ndata, 1);

	drv_add_blk(&d, s2, 6, VIRTIO_BLK_T_OUT, 9, NULL);
	pop_parse(&d, &c, &r, DISK_BYTES, false);
	assert_int_equal(r.result, VIRTIO_BLK_S_OK);
	assert_int_equal(r.type, BLK_REQ_WRITE);
	assert_int_equal(r.sector, 9);
	assert_ptr_equal(r.data, &c.seg[4]);
	assert_int_equal(r.ndata, 1);

	/* One byte per descriptor. */
	for (unsigned i = 0; i < 16; i++)
		s3[i] = (struct fseg){ 1, false };
	s3[16] = (struct fseg){ 1024, true };
	s3[17] = (struct fseg){ 1, true };
	drv_add_blk(&d, s3, 18, VIRTIO_BLK_T_IN, 3, NULL);
	pop_parse(&d, &c, &r, DISK_BYTES, false);
	assert_int_equal(r.result, VIRTIO_BLK_S_OK);
	assert_int_equal(r.sector, 3);
	assert_int_equal(r.bytes, 1024);
	drv_teardown(&d);
}

static void test_blk_finds_the_status_before_trailing_empty_descriptors(void **state)
{
	struct drv d;
	struct virtq_chain c;
	struct blk_req r;
	uint64_t g[6];
	static const struct fseg s[] = { { 16, false }, { 0, true }, { 512, true }, { 0, true }, { 1, true }, { 0, true } };
	(void)state;
	drv_setup(&d, 8, false);
	drv_add_blk(&d, s, 6, VIRTIO_BLK_T_IN, 0, g);
	pop_parse(&d, &c, &r, DISK_BYTES, false);
	assert_int_equal(r.result, VIRTIO_BLK_S_OK);
	assert_ptr_equal(r.status, d.m.host + g[4]);
	assert_ptr_equal(r.data, &c.seg[1]);
	assert_int_equal(r.ndata, 3); /* empty ones counted */
	assert_int_equal(r.bytes, 512);
	drv_teardown(&d);
}

/* Pops and parses one request that must be refused with result, status where given. */
static void refuse_check(struct drv *d, uint64_t disk, bool ro, uint8_t result, const void *status, const char *why)
{
	struct virtq_chain c;
	struct blk_req r;
	pop_parse(d, &c, &r, disk, ro);
	assert_int_equal(r.result, result);
	assert_ptr_equal(r.status, status);
	assert_err_has(r.why, why);
	assert_null(r.data);
	assert_int_equal(r.ndata, 0);
	assert_int_equal(r.bytes, 0);
	virtq_push(&d->q, c.head, r.status ? 1 : 0);
}

static void test_blk_refuses_a_malformed_chain_with_ioerr_in_its_status(void **state)
{
	struct drv d;
	uint64_t g[3];
	static const struct fseg s[] = { { 16, false }, { 512, true }, { 1, false } };
	static const struct fseg ok[] = { { 16, false }, { 512, true }, { 1, true } };
	(void)state;
	drv_setup(&d, 8, false);
	/* Order error: the chain's end is known, but it is not writable: no status. */
	drv_add_blk(&d, s, 3, VIRTIO_BLK_T_IN, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, NULL, "malformed chain: device-readable after");

	/* Range error in the data: the status byte at the end still gets IOERR. */
	drv_add_blk(&d, ok, 3, VIRTIO_BLK_T_IN, 0, g);
	d.desc[(d.next_desc - 2) & 7].addr = htole64(GMEM_SIZE);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "buffer outside guest RAM");

	/* A truncated walk: the real end is unknown, so no status byte is written. */
	drv_add_blk(&d, ok, 3, VIRTIO_BLK_T_IN, 0, g);
	d.desc[(d.next_desc - 1) & 7].flags = htole16(VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	d.desc[(d.next_desc - 1) & 7].next = htole16(9);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, NULL, "next index out of range");
	drv_teardown(&d);
}

static void test_blk_refuses_bad_headers(void **state)
{
	struct drv d;
	uint64_t g[3];
	static const struct fseg short_hdr[] = { { 8, false }, { 8, true }, { 1, true } };
	static const struct fseg w_hdr[] = { { 16, true }, { 512, true }, { 1, true } };
	static const struct fseg shared[] = { { 16 + 512, false }, { 1, true } };
	static const struct fseg none[] = { { 1, true } };
	(void)state;
	drv_setup(&d, 8, false);
	drv_add_blk(&d, short_hdr, 3, VIRTIO_BLK_T_IN, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "header: 8 of 16 bytes");
	drv_add_blk(&d, w_hdr, 3, VIRTIO_BLK_T_IN, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "header: 0 of 16 bytes");
	drv_add_blk(&d, shared, 2, VIRTIO_BLK_T_OUT, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[1], "holds header and data");
	drv_add_blk(&d, none, 1, VIRTIO_BLK_T_IN, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[0], "header");
	drv_teardown(&d);
}

static void test_blk_refuses_a_chain_without_a_writable_status(void **state)
{
	struct drv d;
	static const struct fseg ro[] = { { 16, false }, { 512, false } };
	static const struct fseg empty[] = { { 16, false }, { 0, true } };
	static const struct fseg nothing[] = { { 0, false }, { 0, true } };
	(void)state;
	drv_setup(&d, 8, false);
	drv_add_blk(&d, ro, 2, VIRTIO_BLK_T_OUT, 0, NULL);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, NULL, "no device-writable status byte");
	drv_add_blk(&d, empty, 2, VIRTIO_BLK_T_FLUSH, 0, NULL);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, NULL, "no device-writable status byte");
	drv_add_blk(&d, nothing, 2, VIRTIO_BLK_T_FLUSH, 0, NULL);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, NULL, "no device-writable status byte");
	drv_teardown(&d);
}

static void test_blk_refuses_a_status_sharing_a_descriptor_with_data(void **state)
{
	struct drv d;
	uint64_t g[2];
	static const struct fseg s[] = { { 16, false }, { 513, true } };
	(void)state;
	drv_setup(&d, 8, false);
	drv_add_blk(&d, s, 2, VIRTIO_BLK_T_IN, 0, g);
	/* The status is the last byte all the same: the guest learns of the refusal. */
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[1] + 512, "holds data and the status");
	drv_teardown(&d);
}

static void test_blk_refuses_data_in_the_wrong_direction(void **state)
{
	struct drv d;
	uint64_t g[4];
	static const struct fseg in_ro[] = { { 16, false }, { 512, false }, { 1, true } };
	static const struct fseg in_mixed[] = { { 16, false }, { 512, false }, { 512, true }, { 1, true } };
	static const struct fseg out_w[] = { { 16, false }, { 512, true }, { 1, true } };
	static const struct fseg in_empty_ro[] = { { 16, false }, { 0, false }, { 512, true }, { 1, true } };
	struct virtq_chain c;
	struct blk_req r;
	(void)state;
	drv_setup(&d, 8, false);
	drv_add_blk(&d, in_ro, 3, VIRTIO_BLK_T_IN, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "read: data must be device-writable");
	drv_add_blk(&d, in_mixed, 4, VIRTIO_BLK_T_IN, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[3], "read: data must be device-writable");
	drv_add_blk(&d, out_w, 3, VIRTIO_BLK_T_OUT, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "write: data must be device-readable");
	/* An empty descriptor moves nothing: its direction does not matter. */
	drv_add_blk(&d, in_empty_ro, 4, VIRTIO_BLK_T_IN, 0, g);
	pop_parse(&d, &c, &r, DISK_BYTES, false);
	assert_int_equal(r.result, VIRTIO_BLK_S_OK);
	assert_int_equal(r.ndata, 2);
	drv_teardown(&d);
}

static void test_blk_refuses_lengths_that_are_not_sector_multiples(void **state)
{
	struct drv d;
	uint64_t g[4];
	static const struct fseg odd[] = { { 16, false }, { 511, true }, { 1, true } };
	static const struct fseg split[] = { { 16, false }, { 256, false }, { 257, false }, { 1, true } };
	static const struct fseg zero_in[] = { { 16, false }, { 1, true } };
	static const struct fseg zero_out[] = { { 16, false }, { 0, false }, { 1, true } };
	static const struct fseg ok[] = { { 16, false }, { 256, false }, { 256, false }, { 1, true } };
	struct virtq_chain c;
	struct blk_req r;
	(void)state;
	drv_setup(&d, 8, false);
	drv_add_blk(&d, odd, 3, VIRTIO_BLK_T_IN, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "511 data bytes");
	drv_add_blk(&d, split, 4, VIRTIO_BLK_T_OUT, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[3], "513 data bytes");
	drv_add_blk(&d, zero_in, 2, VIRTIO_BLK_T_IN, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[1], "0 data bytes");
	drv_add_blk(&d, zero_out, 3, VIRTIO_BLK_T_OUT, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "0 data bytes");
	/* Segments need not be sector multiples, the total must. */
	drv_add_blk(&d, ok, 4, VIRTIO_BLK_T_OUT, 0, g);
	pop_parse(&d, &c, &r, DISK_BYTES, false);
	assert_int_equal(r.result, VIRTIO_BLK_S_OK);
	assert_int_equal(r.bytes, 512);
	drv_teardown(&d);
}

static void test_blk_refuses_requests_past_the_end_of_the_disk(void **state)
{
	struct drv d;
	uint64_t g[3];
	static const struct fseg s[] = { { 16, false }, { 1024, true }, { 1, true } };
	struct virtq_chain c;
	struct blk_req r;
	(void)state;
	drv_setup(&d, 8, false);
	/* The last two sectors: inside. */
	drv_add_blk(&d, s, 3, VIRTIO_BLK_T_IN, DISK_BYTES / 512 - 2, g);
	pop_parse(&d, &c, &r, DISK_BYTES, false);
	assert_int_equal(r.result, VIRTIO_BLK_S_OK);
	virtq_push(&d.q, c.head, 1);
	/* Starting inside, ending one sector past: the off-by-one that corrupted disks. */
	drv_add_blk(&d, s, 3, VIRTIO_BLK_T_IN, DISK_BYTES / 512 - 1, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "past the end");
	drv_add_blk(&d, s, 3, VIRTIO_BLK_T_IN, DISK_BYTES / 512, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "past the end");
	/* sector * 512 overflows 64 bits: would wrap to a small offset. */
	drv_add_blk(&d, s, 3, VIRTIO_BLK_T_IN, 1ull << 55, g);
	refuse_check(&d, UINT64_MAX, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "past the end");
	drv_add_blk(&d, s, 3, VIRTIO_BLK_T_IN, UINT64_MAX, g);
	refuse_check(&d, UINT64_MAX, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "past the end");
	/* sector * 512 fits, + bytes overflows. */
	drv_add_blk(&d, s, 3, VIRTIO_BLK_T_IN, UINT64_MAX / 512, g);
	refuse_check(&d, UINT64_MAX, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "past the end");
	/* A disk that is not a whole number of sectors: the partial one is out. */
	drv_add_blk(&d, s, 3, VIRTIO_BLK_T_IN, 0, g);
	refuse_check(&d, 1023, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "past the end");
	drv_teardown(&d);
}

static void test_blk_refuses_writes_to_a_read_only_disk(void **state)
{
	struct drv d;
	uint64_t g[3];
	static const struct fseg s[] = { { 16, false }, { 512, false }, { 1, true } };
	struct virtq_chain c;
	struct blk_req r;
	(void)state;
	drv_setup(&d, 8, false);
	drv_add_blk(&d, s, 3, VIRTIO_BLK_T_OUT, 0, g);
	refuse_check(&d, DISK_BYTES, true, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "read-only");
	drv_add_blk(&d, s, 3, VIRTIO_BLK_T_OUT, 0, g);
	pop_parse(&d, &c, &r, DISK_BYTES, false);
	assert_int_equal(r.result, VIRTIO_BLK_S_OK);
	drv_teardown(&d);
}

static void test_blk_refuses_a_flush_with_data(void **state)
{
	struct drv d;
	uint64_t g[3];
	static const struct fseg s[] = { { 16, false }, { 512, true }, { 1, true } };
	static const struct fseg empty[] = { { 16, false }, { 0, false }, { 1, true } };
	struct virtq_chain c;
	struct blk_req r;
	(void)state;
	drv_setup(&d, 8, false);
	drv_add_blk(&d, s, 3, VIRTIO_BLK_T_FLUSH, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "flush with 512 data bytes");
	drv_add_blk(&d, empty, 3, VIRTIO_BLK_T_FLUSH, 0, g); /* an empty descriptor is no data */
	pop_parse(&d, &c, &r, DISK_BYTES, false);
	assert_int_equal(r.result, VIRTIO_BLK_S_OK);
	assert_int_equal(r.type, BLK_REQ_FLUSH);
	drv_teardown(&d);
}

static void test_blk_refuses_get_id_without_room_for_the_id(void **state)
{
	struct drv d;
	uint64_t g[4];
	static const struct fseg small[] = { { 16, false }, { VIRTIO_BLK_ID_BYTES - 1, true }, { 1, true } };
	static const struct fseg ro[] = { { 16, false }, { VIRTIO_BLK_ID_BYTES, false }, { 1, true } };
	static const struct fseg none[] = { { 16, false }, { 1, true } };
	static const struct fseg split[] = { { 16, false }, { 10, true }, { 10, true }, { 1, true } };
	(void)state;
	drv_setup(&d, 8, false);
	drv_add_blk(&d, small, 3, VIRTIO_BLK_T_GET_ID, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "get-id");
	drv_add_blk(&d, ro, 3, VIRTIO_BLK_T_GET_ID, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[2], "get-id");
	drv_add_blk(&d, none, 2, VIRTIO_BLK_T_GET_ID, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[1], "get-id");
	drv_add_blk(&d, split, 4, VIRTIO_BLK_T_GET_ID, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, d.m.host + g[3], "get-id");
	drv_teardown(&d);
}

static void test_blk_answers_unknown_types_with_unsupp(void **state)
{
	struct drv d;
	uint64_t g[3];
	static const struct fseg s[] = { { 16, false }, { 16, false }, { 1, true } };
	static const struct fseg no_status[] = { { 16, false } };
	static const uint32_t types[] = { 2, 3, 5, VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_WRITE_ZEROES,
					  VIRTIO_BLK_T_BARRIER, VIRTIO_BLK_T_OUT | VIRTIO_BLK_T_BARRIER, UINT32_MAX };
	(void)state;
	drv_setup(&d, 8, false);
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		drv_add_blk(&d, s, 3, types[i], 0, g);
		refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_UNSUPP, d.m.host + g[2], "not supported");
	}
	/* Without a status byte there is nothing to answer in. */
	drv_add_blk(&d, no_status, 1, 2, 0, g);
	refuse_check(&d, DISK_BYTES, false, VIRTIO_BLK_S_IOERR, NULL, "no device-writable status byte");
	drv_teardown(&d);
}

static void test_blk_refuses_more_data_than_one_syscall_moves(void **state)
{
	struct drv d;
	struct virtq_chain c;
	struct blk_req r;
	(void)state;
	/* Lengths are the guest's; buffers beyond RAM would be refused first, so build the chain by hand. */
	memset(&c, 0, sizeof(c));
	c.nsegs = 3;
	c.seg[0] = (struct virtq_seg){ .gpa = 0, .len = 16, .host = NULL };
	c.seg[1] = (struct virtq_seg){ .gpa = 0, .len = 0x80000000u, .device_writes = true };
	c.seg[2] = (struct virtq_seg){ .gpa = 0, .len = 1, .device_writes = true };
	drv_setup(&d, 8, false);
	uint8_t hdr[16];
	blk_hdr(hdr, VIRTIO_BLK_T_IN, 0);
	memcpy(d.m.host, hdr, 16);
	c.seg[0].host = d.m.host;
	c.seg[1].host = d.m.host + 64; /* never dereferenced: the request is refused */
	c.seg[2].host = d.m.host + 32;
	blk_req_parse(&c, UINT64_MAX, false, &r);
	assert_int_equal(r.result, VIRTIO_BLK_S_IOERR);
	assert_err_has(r.why, "more than");
	assert_ptr_equal(r.status, d.m.host + 32);
	drv_teardown(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_accepts_a_valid_queue_and_clears_the_used_ring),
		cmocka_unit_test(test_init_refuses_sizes_that_are_not_powers_of_two_up_to_1024),
		cmocka_unit_test(test_init_refuses_misaligned_rings),
		cmocka_unit_test(test_init_refuses_rings_outside_ram),
		cmocka_unit_test(test_init_refuses_a_misaligned_host_mapping),
		cmocka_unit_test(test_a_queue_that_failed_init_does_nothing),
		cmocka_unit_test(test_pop_returns_0_on_an_empty_queue),
		cmocka_unit_test(test_pop_returns_a_single_descriptor_chain),
		cmocka_unit_test(test_pop_returns_a_multi_segment_chain_with_zero_length_descriptors_counted),
		cmocka_unit_test(test_pop_accepts_a_chain_using_every_descriptor),
		cmocka_unit_test(test_pop_accepts_a_chain_of_VIRTQ_MAX_SEGS),
		cmocka_unit_test(test_pop_keeps_its_copy_when_the_guest_rewrites_descriptors),
		cmocka_unit_test(test_indices_wrap_around_over_70000_single_requests),
		cmocka_unit_test(test_indices_wrap_around_with_full_batches),
		cmocka_unit_test(test_pop_flags_a_next_index_out_of_range_and_keeps_the_head),
		cmocka_unit_test(test_pop_ends_a_loop),
		cmocka_unit_test(test_pop_flags_a_chain_longer_than_VIRTQ_MAX_SEGS),
		cmocka_unit_test(test_pop_flags_buffers_outside_ram_or_wrapping),
		cmocka_unit_test(test_pop_flags_indirect_descriptors),
		cmocka_unit_test(test_pop_flags_readable_after_writable),
		cmocka_unit_test(test_pop_keeps_the_first_error),
		cmocka_unit_test(test_pop_fails_when_avail_idx_runs_more_than_size_ahead),
		cmocka_unit_test(test_pop_fails_on_an_avail_entry_out_of_range),
		cmocka_unit_test(test_pop_fails_when_more_chains_than_descriptors_are_in_flight),
		cmocka_unit_test(test_need_interrupt_follows_no_interrupt_without_event_idx),
		cmocka_unit_test(test_need_interrupt_with_event_idx_follows_vring_need_event),
		cmocka_unit_test(test_need_interrupt_with_event_idx_across_the_16_bit_wrap),
		cmocka_unit_test(test_need_interrupt_signals_after_2_16_pushes_without_a_decision),
		cmocka_unit_test(test_notify_toggles_no_notify_without_event_idx),
		cmocka_unit_test(test_notify_writes_avail_event_with_event_idx),
		cmocka_unit_test(test_blk_parses_a_read),
		cmocka_unit_test(test_blk_parses_a_write),
		cmocka_unit_test(test_blk_parses_flush_and_get_id),
		cmocka_unit_test(test_blk_reads_a_header_split_across_descriptors),
		cmocka_unit_test(test_blk_finds_the_status_before_trailing_empty_descriptors),
		cmocka_unit_test(test_blk_refuses_a_malformed_chain_with_ioerr_in_its_status),
		cmocka_unit_test(test_blk_refuses_bad_headers),
		cmocka_unit_test(test_blk_refuses_a_chain_without_a_writable_status),
		cmocka_unit_test(test_blk_refuses_a_status_sharing_a_descriptor_with_data),
		cmocka_unit_test(test_blk_refuses_data_in_the_wrong_direction),
		cmocka_unit_test(test_blk_refuses_lengths_that_are_not_sector_multiples),
		cmocka_unit_test(test_blk_refuses_requests_past_the_end_of_the_disk),
		cmocka_unit_test(test_blk_refuses_writes_to_a_read_only_disk),
		cmocka_unit_test(test_blk_refuses_a_flush_with_data),
		cmocka_unit_test(test_blk_refuses_get_id_without_room_for_the_id),
		cmocka_unit_test(test_blk_answers_unknown_types_with_unsupp),
		cmocka_unit_test(test_blk_refuses_more_data_than_one_syscall_moves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
