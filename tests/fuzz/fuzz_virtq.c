/*
 * libFuzzer target: the guest's side of a virtio-blk queue is the input. The host
 * side (virtq_init, then virtq_pop / blk_req_parse / virtq_push until the queue is
 * empty or broken) must never touch memory outside the fake guest RAM (ASan), and
 * what it hands over must hold the invariants checked below.
 *
 * Input: a 12-byte header, then the guest RAM (exactly the remaining bytes, so ASan
 * sees one past its end):
 *   [0]     queue size = 1 << (byte % 11)
 *   [1]     bit 0 event_idx, bit 1 read-only disk, bit 2 ring addresses from [6..11]
 *           (else the standard layout below), bit 3 disk size not a sector multiple,
 *           bits 4-7 chains held in flight before completing them, minus one
 *   [2..3]  disk size in sectors, little-endian
 *   [4..5]  the queue's starting index (last_avail and used_idx): a queue that has
 *           been running, so the 16-bit wrap is reached
 *   [6..11] desc, avail, used gpa, 16 bits each, little-endian
 * Standard layout: desc at 0, avail right after it, used at the next 4-byte boundary
 * after avail (with room for used_event); tests/fuzz/make_seeds.c writes seeds in it.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Iharness \
 *          -o /tmp/fuzz_virtq tests/fuzz/fuzz_virtq.c harness/vmm/virtio/virtq.c \
 *          harness/vmm/blk/virtio_blk_req.c harness/util/error.c
 */
#include <linux/virtio_blk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/blk/virtio_blk_req.h"
#include "vmm/guest_mem.h"
#include "vmm/virtio/virtq.h"

#define FUZZ_HDR 12

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "invariant broken at line %d: %s\n", __LINE__, #cond);  \
			abort();                                                                 \
		}                                                                                \
	} while (0)

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* p lies in [host, host + len) of some checked device-writable segment of c. */
static bool in_writable_seg(const struct virtq_chain *c, const uint8_t *p)
{
	for (unsigned i = 0; i < c->nsegs; i++) {
		const struct virtq_seg *s = &c->seg[i];
		if (s->device_writes && s->host && p >= (uint8_t *)s->host && p < (uint8_t *)s->host + s->len)
			return true;
	}
	return false;
}

static void chain_check(const struct virtq *q, const struct guest_mem *m, const struct virtq_chain *c,
			const char *err)
{
	unsigned limit = q->size < VIRTQ_MAX_SEGS ? q->size : VIRTQ_MAX_SEGS;
	bool seen_writable = false;

	CHECK(c->head < q->size);
	CHECK(c->nsegs >= 1 && c->nsegs <= limit);
	CHECK(!c->truncated || c->error);
	CHECK(!c->error || err[0]);
	for (unsigned i = 0; i < c->nsegs; i++) {
		const struct virtq_seg *s = &c->seg[i];
		if (s->host) {
			/* Inside RAM, and where the guest said. */
			CHECK((uint8_t *)s->host == m->host + s->gpa);
			CHECK(s->gpa <= m->size && s->len <= m->size - s->gpa);
		} else {
			CHECK(c->error);
		}
		if (!c->error) {
			CHECK(!seen_writable || s->device_writes);
			seen_writable |= s->device_writes;
		}
	}
}

static void req_check(const struct virtq_chain *c, const struct guest_mem *m, uint64_t disk, bool ro,
		      const struct blk_req *r)
{
	CHECK(r->result == VIRTIO_BLK_S_OK || r->result == VIRTIO_BLK_S_IOERR || r->result == VIRTIO_BLK_S_UNSUPP);
	CHECK((r->result == VIRTIO_BLK_S_OK) == (r->why[0] == 0));
	CHECK(memchr(r->why, 0, sizeof(r->why)));
	if (r->status) {
		CHECK(r->status >= m->host && r->status < m->host + m->size);
		CHECK(in_writable_seg(c, r->status));
	}
	if (r->result != VIRTIO_BLK_S_OK) {
		CHECK(!r->data && !r->ndata && !r->bytes);
		return;
	}
	CHECK(!c->error);
	CHECK(r->status);
	CHECK(r->type != BLK_REQ_UNSUPPORTED);
	CHECK(r->data >= c->seg && r->data + r->ndata <= c->seg + c->nsegs);
	/* The status is the last byte of the last non-empty descriptor, which is not data.
	 * (The guest may still point two descriptors at the same bytes: its own loss.) */
	unsigned last = c->nsegs;
	while (last > 0 && !c->seg[last - 1].len)
		last--;
	CHECK(last > 0 && r->status == (uint8_t *)c->seg[last - 1].host + c->seg[last - 1].len - 1);
	CHECK(r->data + r->ndata <= &c->seg[last - 1]);
	uint64_t sum = 0;
	for (unsigned i = 0; i < r->ndata; i++)
		sum += r->data[i].len;
	CHECK(sum == r->bytes);
	switch (r->type) {
	case BLK_REQ_READ:
	case BLK_REQ_WRITE:
		CHECK(r->bytes && r->bytes % 512 == 0 && r->bytes <= BLK_REQ_MAX_BYTES);
		CHECK((unsigned __int128)r->sector * 512 + r->bytes <= disk);
		CHECK(!(r->type == BLK_REQ_WRITE && ro));
		for (unsigned i = 0; i < r->ndata; i++) {
			CHECK(!r->data[i].len || r->data[i].device_writes == (r->type == BLK_REQ_READ));
			/* Do what the I/O would do, so ASan checks the whole buffer. */
			if (r->type == BLK_REQ_READ) {
				memset(r->data[i].host, 0xd5, r->data[i].len);
			} else {
				volatile uint8_t x = 0;
				for (uint32_t k = 0; k < r->data[i].len; k++)
					x ^= ((const uint8_t *)r->data[i].host)[k];
				(void)x;
			}
		}
		break;
	case BLK_REQ_FLUSH:
		CHECK(r->bytes == 0);
		break;
	case BLK_REQ_GET_ID:
		CHECK(r->ndata >= 1 && r->data[0].device_writes && r->data[0].len >= VIRTIO_BLK_ID_BYTES);
		memcpy(r->data[0].host, "vmsweep-fuzz-disk-id", VIRTIO_BLK_ID_BYTES);
		break;
	case BLK_REQ_LOG_MARK: /* what goes into the log: the checked copy, never the guest's bytes */
		CHECK(r->bytes >= 1 && r->bytes <= VMS_BLK_LOG_MARK_MAX && strlen(r->mark) == r->bytes);
		for (size_t i = 0; i < r->bytes; i++)
			CHECK(r->mark[i] >= 0x20 && r->mark[i] <= 0x7e);
		CHECK(strncmp(r->mark, "vmsweep-", 8) != 0);
		break;
	case BLK_REQ_UNSUPPORTED:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
struct done {
	uint16_t head;
	uint8_t *status, result;
	uint32_t len;
};

static void complete_all(struct virtq *q, struct done *io, unsigned *n)
{
	unsigned before = q->inflight;

	if (!*n)
		return;
	for (unsigned i = *n; i-- > 0;) {
		if (io[i].status)
			*io[i].status = io[i].result;
		virtq_push(q, io[i].head, io[i].len);
	}
	CHECK(q->inflight == before - *n);
	*n = 0;
	(void)virtq_need_interrupt(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtq q;
	struct virtq_chain c;
	struct blk_req r;
	struct guest_mem m;
	char err[256];

	if (size <= FUZZ_HDR)
		return 0;
	uint16_t qsize = (uint16_t)(1u << (data[0] % 11));
	bool event_idx = data[1] & 1, ro = data[1] & 2, custom = data[1] & 4;
	uint64_t disk = (uint64_t)get16(data + 2) * 512 + (data[1] & 8 ? 100 : 0);
	uint16_t start = get16(data + 4);
	uint64_t desc_gpa = 0, avail_gpa = 16u * qsize, used_gpa = (avail_gpa + 6 + 2u * qsize + 3) & ~3ull;
	if (custom) {
		desc_gpa = get16(data + 6);
		avail_gpa = get16(data + 8);
		used_gpa = get16(data + 10);
	}

	m.size = size - FUZZ_HDR;
	m.host = malloc(m.size); /* 16-byte aligned, and nothing after it: overruns show */
	if (!m.host)
		return 0;
	memcpy(m.host, data + FUZZ_HDR, m.size);

	err[0] = 0;
	if (virtq_init(&q, &m, qsize, desc_gpa, avail_gpa, used_gpa, event_idx, err, sizeof(err)) != 0) {
		CHECK(err[0]);
		free(m.host);
		return 0;
	}
	q.last_avail = q.used_idx = start;

	/* Requests complete later, newest first, as asynchronous I/O would: the used ring
	 * gets ids out of order and the queue holds several chains in flight. */
	unsigned depth = 1 + (data[1] >> 4), held = 0;
	struct done held_io[16];

	virtq_disable_notify(&q);
	for (unsigned iter = 0; iter < 2u * qsize + 8; iter++) {
		err[0] = 0;
		int ret = virtq_pop(&q, &m, &c, err, sizeof(err));
		CHECK(ret >= -1 && ret <= 1);
		if (ret <= 0) {
			CHECK(ret == 0 || err[0]);
			CHECK(ret < 0 || !err[0]);
			complete_all(&q, held_io, &held);
			if (ret < 0 || !virtq_enable_notify(&q))
				break;
			virtq_disable_notify(&q);
			continue;
		}
		CHECK(q.inflight == held + 1);
		chain_check(&q, &m, &c, err);
		blk_req_parse(&c, disk, ro, &r);
		req_check(&c, &m, disk, ro, &r);
#ifdef FUZZ_VIRTQ_TRACE /* -DFUZZ_VIRTQ_TRACE: what each input does, to check seeds */
		fprintf(stderr, "head %u: %u segs, chain error %d, type %d sector %llu bytes %llu: result %u %s\n", c.head,
			c.nsegs, c.error, r.type, (unsigned long long)r.sector, (unsigned long long)r.bytes, r.result, r.why);
#endif
		struct done *io = &held_io[held++];
		io->head = c.head;
		io->status = r.status;
		io->result = r.result;
		io->len = r.status ? 1 : 0;
		if (r.result == VIRTIO_BLK_S_OK && (r.type == BLK_REQ_READ || r.type == BLK_REQ_GET_ID))
			io->len += (uint32_t)r.bytes;
		if (held == depth)
			complete_all(&q, held_io, &held);
	}
	complete_all(&q, held_io, &held);
	free(m.host);
	return 0;
}
