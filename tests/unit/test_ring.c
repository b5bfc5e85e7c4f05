/*
 * The host's side of the guest's rings (harness/vmm/ring.c): draining returns exactly
 * the bytes the guest produced, in order, across the wrap; a guest that scribbles on
 * the indices is refused with a message naming the ring, never read past; records
 * are handed over one by one, a partial one is left for later, a malformed one is an
 * error, and no byte stream crashes the parser.
 * The guest memory is a plain malloc'd buffer: no KVM needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "vmm/guest_mem.h"
#include "vmm/ring.h"
#include <vmsweep/abi.h>
#include <vmsweep/hist.h>

/* ---- a fake guest ---- */

#define GMEM_SIZE (64u << 10)
#define RING_GPA 0x1000u

static struct guest_mem fake_gmem(void)
{
	struct guest_mem m;
	m.host = aligned_alloc(4096, GMEM_SIZE);
	assert_non_null(m.host);
	memset(m.host, 0x5a, GMEM_SIZE); /* not zero: init must clear the header itself */
	m.size = GMEM_SIZE;
	return m;
}

/* What the guest does to produce: bytes at head & (size - 1), then head moves on. */
static void guest_produce(struct vms_ring *ring, uint64_t size, const uint8_t *p, size_t n)
{
	uint64_t head = ring->head;
	for (size_t i = 0; i < n; i++)
		ring->data[(head + i) & (size - 1)] = p[i];
	__atomic_store_n(&ring->head, head + n, __ATOMIC_RELEASE);
}

/* A deterministic generator, so a failure replays. */
static uint64_t rng_state;
static uint64_t rng(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static void fill_pattern(uint8_t *p, size_t n, uint64_t start)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((start + i) * 131 + ((start + i) >> 8));
}

/* ---- ring_reader_init ---- */

static void test_init_sets_up_an_empty_ring_with_the_hosts_size(void **state)
{
	struct guest_mem m = fake_gmem();
	struct ring_reader r;

	assert_int_equal(ring_reader_init(&r, "console", &m, RING_GPA, 256), 0);
	assert_ptr_equal(r.ring, m.host + RING_GPA);
	assert_string_equal(r.name, "console");
	assert_int_equal(r.size, 256);
	assert_int_equal(r.tail, 0);
	/* The guest sees an empty ring of the right size. */
	assert_int_equal(r.ring->size, 256);
	assert_int_equal(r.ring->head, 0);
	assert_int_equal(r.ring->tail, 0);
	free(m.host);
}

static void test_init_refuses_sizes_that_are_not_a_power_of_two(void **state)
{
	struct guest_mem m = fake_gmem();
	struct ring_reader r;
	static const uint64_t bad[] = { 0, 3, 100, 257, 4095, 1000 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ring_reader_init(&r, "results", &m, RING_GPA, bad[i]) != -1)
			fail_msg("size %llu accepted", (unsigned long long)bad[i]);
		assert_null(r.ring);
	}
	assert_int_equal(ring_reader_init(&r, "results", &m, RING_GPA, 1), 0);
	assert_int_equal(ring_reader_init(&r, "results", &m, RING_GPA, 4096), 0);
	free(m.host);
}

static void test_init_refuses_rings_past_the_end_of_guest_memory(void **state)
{
	struct guest_mem m = fake_gmem();
	struct ring_reader r;
	const uint64_t size = 4096;

	/* Header and data exactly fill the end of RAM: fine. One byte more: refused. */
	uint64_t last = GMEM_SIZE - VMS_RING_DATA - size;
	assert_int_equal(ring_reader_init(&r, "samples", &m, last, size), 0);
	assert_int_equal(ring_reader_init(&r, "samples", &m, last + 8, size), -1);
	assert_null(r.ring);
	assert_int_equal(ring_reader_init(&r, "samples", &m, GMEM_SIZE, size), -1);
	/* Data larger than all of RAM. */
	assert_int_equal(ring_reader_init(&r, "samples", &m, 0, 1ull << 20), -1);
	assert_int_equal(ring_reader_init(&r, "samples", &m, 0, 1ull << 63), -1);
	/* gpa + 128 + size wraps around 2^64: must not pass as a small address. */
	assert_int_equal(ring_reader_init(&r, "samples", &m, UINT64_MAX, size), -1);
	assert_int_equal(ring_reader_init(&r, "samples", &m, UINT64_MAX - VMS_RING_DATA - size + 1, size), -1);
	assert_int_equal(ring_reader_init(&r, "samples", &m, UINT64_MAX - 64, 64), -1);
	assert_int_equal(ring_reader_init(&r, "samples", &m, (uint64_t)0 - (1ull << 63), 1ull << 63), -1);
	assert_null(r.ring);
	free(m.host);
}

static void test_drain_of_a_ring_that_was_refused_returns_nothing(void **state)
{
	struct guest_mem m = fake_gmem();
	struct ring_reader r;
	struct buf out = { 0 };
	char err[256] = "";

	assert_int_equal(ring_reader_init(&r, "samples", &m, RING_GPA, 3), -1);
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 0);
	free(m.host);
}

/* ---- ring_drain ---- */

static void test_drain_returns_what_the_guest_wrote_and_publishes_tail(void **state)
{
	struct guest_mem m = fake_gmem();
	struct ring_reader r;
	struct buf out = { 0 };
	char err[256] = "";

	assert_int_equal(ring_reader_init(&r, "console", &m, RING_GPA, 256), 0);
	/* Nothing produced: nothing drained. */
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(r.ring->tail, 0);

	guest_produce(r.ring, 256, (const uint8_t *)"hello, ", 7);
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 7);
	assert_memory_equal(out.data, "hello, ", 7);
	assert_int_equal(r.ring->tail, 7); /* the guest may reuse those bytes now */
	assert_int_equal(r.tail, 7);

	/* Appended after what is already in out, not over it. */
	guest_produce(r.ring, 256, (const uint8_t *)"world", 5);
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 12);
	assert_memory_equal(out.data, "hello, world", 12);
	assert_int_equal(r.ring->tail, 12);

	/* Draining twice does not repeat bytes. */
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 12);
	buf_free(&out);
	free(m.host);
}

static void test_drain_across_the_end_of_the_ring(void **state)
{
	struct guest_mem m = fake_gmem();
	struct ring_reader r;
	struct buf out = { 0 };
	char err[256] = "";
	uint8_t src[64];
	const uint64_t size = 64;

	assert_int_equal(ring_reader_init(&r, "console", &m, RING_GPA, size), 0);
	fill_pattern(src, 50, 0);
	guest_produce(r.ring, size, src, 50);
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 50);
	assert_memory_equal(out.data, src, 50);

	/* 40 bytes from offset 50: 14 before the end, 26 from the start. */
	fill_pattern(src, 40, 50);
	guest_produce(r.ring, size, src, 40);
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 90);
	assert_memory_equal(out.data + 50, src, 40);
	assert_int_equal(r.ring->tail, 90);

	/* A full ring (head - tail == size), wrapping too. */
	fill_pattern(src, 64, 90);
	guest_produce(r.ring, size, src, 64);
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 154);
	assert_memory_equal(out.data + 90, src, 64);
	assert_int_equal(r.ring->tail, 154);
	buf_free(&out);
	free(m.host);
}

static void test_drain_many_random_batches_gives_the_stream_in_order(void **state)
{
	struct guest_mem m = fake_gmem();
	struct ring_reader r;
	struct buf out = { 0 };
	char err[256] = "";
	const uint64_t size = 128;
	uint8_t src[128];
	uint64_t produced = 0;

	rng_state = 0x9e3779b97f4a7c15ull;
	assert_int_equal(ring_reader_init(&r, "results", &m, RING_GPA, size), 0);
	for (int i = 0; i < 5000; i++) {
		size_t n = (size_t)(rng() % (size + 1)); /* 0..size: the guest never overruns */
		fill_pattern(src, n, produced);
		guest_produce(r.ring, size, src, n);
		produced += n;
		assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
		assert_int_equal(out.len, produced);
		assert_int_equal(r.ring->tail, produced);
	}
	uint8_t *want = malloc(produced);
	assert_non_null(want);
	fill_pattern(want, produced, 0);
	assert_memory_equal(out.data, want, produced);
	free(want);
	buf_free(&out);
	free(m.host);
}

static void test_drain_uses_the_hosts_size_not_the_guests(void **state)
{
	struct guest_mem m = fake_gmem();
	struct ring_reader r;
	struct buf out = { 0 };
	char err[256] = "";
	uint8_t src[64];

	assert_int_equal(ring_reader_init(&r, "console", &m, RING_GPA, 64), 0);
	/* The guest claims a ring of 1 MiB and a head to match: the host knows better. */
	r.ring->size = 1u << 20;
	r.ring->head = 1000;
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), -1);
	assert_err_has(err, "console ring");
	assert_int_equal(out.len, 0);

	/* Within the real size the data is read modulo 64, not modulo the guest's size. */
	r.ring->head = 0;
	r.ring->size = 1u << 20;
	fill_pattern(src, 60, 0);
	guest_produce(r.ring, 64, src, 60);
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
	fill_pattern(src, 30, 60);
	guest_produce(r.ring, 64, src, 30);
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 90);
	uint8_t want[90];
	fill_pattern(want, 90, 0);
	assert_memory_equal(out.data, want, 90);
	buf_free(&out);
	free(m.host);
}

static void test_drain_refuses_head_behind_tail(void **state)
{
	struct guest_mem m = fake_gmem();
	struct ring_reader r;
	struct buf out = { 0 };
	char err[256] = "";

	assert_int_equal(ring_reader_init(&r, "results", &m, RING_GPA, 256), 0);
	guest_produce(r.ring, 256, (const uint8_t *)"0123456789", 10);
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 10);

	/* head - tail is then 2^64 - 5: far more than the ring holds. */
	r.ring->head = 5;
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), -1);
	assert_err_has(err, "results ring");
	assert_err_has(err, "head");
	/* Nothing read, nothing published. */
	assert_int_equal(out.len, 10);
	assert_int_equal(r.tail, 10);
	assert_int_equal(r.ring->tail, 10);

	r.ring->head = UINT64_MAX;
	err[0] = 0;
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), -1);
	assert_err_has(err, "results ring");
	assert_int_equal(out.len, 10);
	buf_free(&out);
	free(m.host);
}

static void test_drain_refuses_head_more_than_size_ahead(void **state)
{
	struct guest_mem m = fake_gmem();
	struct ring_reader r;
	struct buf out = { 0 };
	char err[256] = "";

	assert_int_equal(ring_reader_init(&r, "samples", &m, RING_GPA, 256), 0);
	r.ring->head = 257;
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), -1);
	assert_err_has(err, "samples ring");
	assert_int_equal(out.len, 0);
	assert_int_equal(r.ring->tail, 0);

	/* After some traffic too: tail 100, head 100 + 257. */
	r.ring->head = 100;
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 100);
	r.ring->head = 100 + 257;
	err[0] = 0;
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), -1);
	assert_err_has(err, "samples ring");
	assert_int_equal(out.len, 100);
	assert_int_equal(r.ring->tail, 100);

	/* Exactly size ahead is a full ring, and fine. */
	r.ring->head = 100 + 256;
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 356);
	buf_free(&out);
	free(m.host);
}

/* ---- buf_append ---- */

static void test_buf_append_keeps_up_to_limit_and_counts_the_rest_as_dropped(void **state)
{
	struct buf b = { .limit = 10 };

	assert_int_equal(buf_append(&b, "abcdef", 6), 0);
	assert_int_equal(buf_append(&b, "ghijkl", 6), 0);
	assert_int_equal(b.len, 10);
	assert_int_equal(b.dropped, 2);
	assert_memory_equal(b.data, "abcdefghij", 10);
	assert_int_equal(buf_append(&b, "mnopq", 5), 0);
	assert_int_equal(b.len, 10);
	assert_int_equal(b.dropped, 7);
	assert_memory_equal(b.data, "abcdefghij", 10);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.dropped, 0);
}

static void test_buf_append_without_limit_keeps_everything(void **state)
{
	struct buf b = { 0 };
	uint8_t chunk[1000];
	size_t total = 0;

	for (int i = 0; i < 300; i++) {
		fill_pattern(chunk, sizeof(chunk), total);
		assert_int_equal(buf_append(&b, chunk, sizeof(chunk)), 0);
		total += sizeof(chunk);
	}
	assert_int_equal(b.len, total);
	assert_int_equal(b.dropped, 0);
	assert_true(b.cap >= b.len);
	uint8_t *want = malloc(total);
	assert_non_null(want);
	fill_pattern(want, total, 0);
	assert_memory_equal(b.data, want, total);
	free(want);
	buf_free(&b);
}

static void test_drain_into_a_limited_buf_counts_dropped_bytes(void **state)
{
	struct guest_mem m = fake_gmem();
	struct ring_reader r;
	struct buf out = { .limit = 16 };
	char err[256] = "";
	uint8_t src[40];

	assert_int_equal(ring_reader_init(&r, "console", &m, RING_GPA, 64), 0);
	fill_pattern(src, 40, 0);
	guest_produce(r.ring, 64, src, 40);
	assert_int_equal(ring_drain(&r, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, 16);
	assert_int_equal(out.dropped, 24);
	assert_memory_equal(out.data, src, 16);
	/* The guest's bytes are consumed all the same: its ring does not stay full. */
	assert_int_equal(r.ring->tail, 40);
	buf_free(&out);
	free(m.host);
}

/* ---- records_parse ---- */

struct stream {
	uint8_t data[1 << 18];
	size_t len;
};

/* Appends a record: header, payload, padding to 8 filled with pad_byte. */
static size_t put_rec(struct stream *s, uint32_t type, const void *payload, uint32_t len, uint8_t pad_byte)
{
	struct vms_rec_hdr h = { .type = type, .len = len };
	size_t start = s->len;
	memcpy(s->data + s->len, &h, sizeof(h));
	s->len += sizeof(h);
	memcpy(s->data + s->len, payload, len);
	s->len += len;
	while (s->len % 8)
		s->data[s->len++] = pad_byte;
	return start;
}

#define MAX_SEEN 64
struct seen {
	unsigned n;
	uint32_t type[MAX_SEEN], len[MAX_SEEN];
	uint8_t *payload[MAX_SEEN];
	int fail_at; /* return -1 for this record (0-based); -1: never */
	size_t bytes; /* header + padded payload of each record seen */
};

static int collect(void *ctx, uint32_t type, const void *payload, uint32_t len, char *err, size_t errlen)
{
	struct seen *s = ctx;
	if (s->n < MAX_SEEN) {
		s->type[s->n] = type;
		s->len[s->n] = len;
		s->payload[s->n] = malloc(len ? len : 1);
		memcpy(s->payload[s->n], payload, len);
		if ((uintptr_t)payload % 8)
			fail_msg("record %u: payload at %p is not 8-byte aligned", s->n, payload);
	}
	s->bytes += sizeof(struct vms_rec_hdr) + ((len + 7u) & ~7u);
	if (s->fail_at >= 0 && (unsigned)s->fail_at == s->n) {
		snprintf(err, errlen, "callback refused record %u", s->n);
		s->n++;
		return -1;
	}
	s->n++;
	return 0;
}

static void seen_free(struct seen *s)
{
	for (unsigned i = 0; i < s->n && i < MAX_SEEN; i++)
		free(s->payload[i]);
	memset(s, 0, sizeof(*s));
	s->fail_at = -1;
}

static void fill_bytes(void *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = (uint8_t)(seed + i * 7);
}

/* One record of each type; the histogram has an odd bucket count, so padding. */
static struct stream *valid_stream(void)
{
	struct stream *s = calloc(1, sizeof(*s));
	assert_non_null(s);

	struct vms_rec_boot boot;
	fill_bytes(&boot, sizeof(boot), 1);
	put_rec(s, VMS_REC_BOOT, &boot, sizeof(boot), 0xee);

	struct vms_rec_cpu cpu;
	fill_bytes(&cpu, sizeof(cpu), 2);
	put_rec(s, VMS_REC_CPU, &cpu, sizeof(cpu), 0xee);

	uint8_t hist[sizeof(struct vms_rec_hist) + 3 * sizeof(uint32_t)];
	fill_bytes(hist, sizeof(hist), 3);
	((struct vms_rec_hist *)hist)->nr_buckets = 3;
	put_rec(s, VMS_REC_HIST, hist, sizeof(hist), 0xee); /* 52 bytes + 4 of padding */

	struct vms_rec_task task;
	fill_bytes(&task, sizeof(task), 4);
	put_rec(s, VMS_REC_TASK, &task, sizeof(task), 0xee);

	struct vms_rec_pingpong pp;
	fill_bytes(&pp, sizeof(pp), 5);
	put_rec(s, VMS_REC_PINGPONG, &pp, sizeof(pp), 0xee);

	struct vms_rec_compute comp;
	fill_bytes(&comp, sizeof(comp), 6);
	put_rec(s, VMS_REC_COMPUTE, &comp, sizeof(comp), 0xee);

	struct vms_rec_sample smp;
	fill_bytes(&smp, sizeof(smp), 7);
	put_rec(s, VMS_REC_SAMPLE, &smp, sizeof(smp), 0xee);

	struct vms_rec_panic pan;
	fill_bytes(&pan, sizeof(pan), 8);
	put_rec(s, VMS_REC_PANIC, &pan, sizeof(pan), 0xee);
	return s;
}

static const uint32_t valid_types[] = { VMS_REC_BOOT,	  VMS_REC_CPU,	   VMS_REC_HIST,   VMS_REC_TASK,
					VMS_REC_PINGPONG, VMS_REC_COMPUTE, VMS_REC_SAMPLE, VMS_REC_PANIC };
#define NR_VALID (sizeof(valid_types) / sizeof(valid_types[0]))

static void test_records_parse_hands_over_each_record_in_order(void **state)
{
	struct stream *s = valid_stream();
	struct seen seen = { .fail_at = -1 };
	char err[256] = "";
	size_t used = 12345;

	assert_int_equal(records_parse(s->data, s->len, &used, collect, &seen, err, sizeof(err)), 0);
	assert_int_equal(used, s->len);
	assert_int_equal(seen.n, NR_VALID);
	size_t off = 0;
	for (unsigned i = 0; i < NR_VALID; i++) {
		struct vms_rec_hdr h;
		memcpy(&h, s->data + off, sizeof(h));
		assert_int_equal(seen.type[i], valid_types[i]);
		assert_int_equal(seen.len[i], h.len);
		assert_memory_equal(seen.payload[i], s->data + off + sizeof(h), h.len);
		off += sizeof(h) + ((h.len + 7u) & ~7u);
	}
	assert_int_equal(seen.len[2], sizeof(struct vms_rec_hist) + 3 * sizeof(uint32_t));
	seen_free(&seen);

	/* Nothing at all: nothing used, no error. */
	used = 12345;
	assert_int_equal(records_parse(s->data, 0, &used, collect, &seen, err, sizeof(err)), 0);
	assert_int_equal(used, 0);
	assert_int_equal(seen.n, 0);
	free(s);
}

static void test_records_parse_leaves_a_partial_record_for_later(void **state)
{
	struct stream *s = valid_stream();
	struct seen seen = { .fail_at = -1 };
	char err[256] = "";
	size_t used;

	/* Every prefix of the stream: the whole records in it, and no error. */
	for (size_t cut = 0; cut <= s->len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan sees an over-read */
		memcpy(copy, s->data, cut);
		used = 12345;
		if (records_parse(copy, cut, &used, collect, &seen, err, sizeof(err)) != 0)
			fail_msg("prefix of %zu bytes: %s", cut, err);
		assert_true(used <= cut);
		assert_int_equal(used, seen.bytes);
		/* The records seen are the ones that fit, padding included. */
		size_t off = 0;
		unsigned whole = 0;
		while (off + 8 <= cut) {
			struct vms_rec_hdr h;
			memcpy(&h, s->data + off, sizeof(h));
			size_t next = off + sizeof(h) + ((h.len + 7u) & ~7u);
			if (next > cut)
				break;
			off = next;
			whole++;
		}
		assert_int_equal(used, off);
		assert_int_equal(seen.n, whole);
		seen_free(&seen);
		free(copy);
	}

	/* Parsing on from used once the rest has arrived gives the remaining records. */
	size_t cut = s->len - 100;
	assert_int_equal(records_parse(s->data, cut, &used, collect, &seen, err, sizeof(err)), 0);
	unsigned first = seen.n;
	assert_true(first < NR_VALID);
	size_t used2;
	assert_int_equal(records_parse(s->data + used, s->len - used, &used2, collect, &seen, err, sizeof(err)), 0);
	assert_int_equal(used + used2, s->len);
	assert_int_equal(seen.n, NR_VALID);
	for (unsigned i = 0; i < NR_VALID; i++)
		assert_int_equal(seen.type[i], valid_types[i]);
	seen_free(&seen);
	free(s);
}

/* A stream with one good record, then the bad one: the message locates it. */
static void malformed(uint32_t type, const void *payload, uint32_t len, const char *phrase)
{
	struct stream *s = calloc(1, sizeof(*s));
	struct seen seen = { .fail_at = -1 };
	char err[256] = "";
	size_t used = 12345;
	struct vms_rec_compute comp = { 1, 2, 3 };

	assert_non_null(s);
	put_rec(s, VMS_REC_COMPUTE, &comp, sizeof(comp), 0);
	size_t at = put_rec(s, type, payload, len, 0);
	if (records_parse(s->data, s->len, &used, collect, &seen, err, sizeof(err)) != -1)
		fail_msg("type %u len %u accepted", type, len);
	assert_err_has(err, phrase);
	char where[64];
	snprintf(where, sizeof(where), "record 1 (at byte %zu)", at);
	assert_err_has(err, where);
	/* The bad record never reaches the callback. */
	assert_int_equal(seen.n, 1);
	seen_free(&seen);
	free(s);
}

static void test_records_parse_refuses_unknown_types(void **state)
{
	uint8_t payload[48] = { 0 };

	malformed(0, payload, 8, "unknown record type 0");
	malformed(VMS_REC_TYPE_MAX, payload, 8, "unknown record type");
	malformed(0xffffffffu, payload, 0, "unknown record type 4294967295");
}

static void test_records_parse_refuses_wrong_length_for_fixed_size_types(void **state)
{
	uint8_t payload[1024] = { 0 };
	char want[64];

	for (unsigned i = 0; i < NR_VALID; i++) {
		uint32_t t = valid_types[i];
		if (t == VMS_REC_HIST)
			continue;
		uint32_t size = (uint32_t)record_min_len(t);
		assert_true(size > 8 && size + 8 <= sizeof(payload));
		snprintf(want, sizeof(want), "expected %u", size);
		malformed(t, payload, size - 8, want);
		malformed(t, payload, size - 1, want);
		malformed(t, payload, size + 8, want);
		malformed(t, payload, 0, want);
	}
}

/* The memory manager's records have exact sizes too, and the error names the record. */
static void test_records_parse_takes_the_memory_managers_records_at_their_exact_sizes(void **state)
{
	static const struct {
		uint32_t type;
		size_t size;
		const char *name;
	} mm[] = {
		{ VMS_REC_VMSTAT, sizeof(struct vms_rec_vmstat), "(vmstat)" },
		{ VMS_REC_VMSTAT_SAMPLE, sizeof(struct vms_rec_vmstat_sample), "(vmstat sample)" },
		{ VMS_REC_MEM_JOB, sizeof(struct vms_rec_mem_job), "(memory job)" },
		{ VMS_REC_OOM, sizeof(struct vms_rec_oom), "(OOM)" },
	};
	uint8_t *payload = calloc(1, VMS_REC_MAX_LEN);
	char want[96];

	assert_non_null(payload);
	for (size_t i = 0; i < sizeof(mm) / sizeof(mm[0]); i++) {
		uint32_t size = (uint32_t)mm[i].size;
		assert_int_equal(record_min_len(mm[i].type), size);
		assert_true(size + 8 <= VMS_REC_MAX_LEN);
		snprintf(want, sizeof(want), "record type %u %s has %u bytes, expected %u", mm[i].type, mm[i].name,
			 size - 8, size);
		malformed(mm[i].type, payload, size - 8, want);
		snprintf(want, sizeof(want), "%s has %u bytes, expected %u", mm[i].name, size + 8, size);
		malformed(mm[i].type, payload, size + 8, want);
		snprintf(want, sizeof(want), "%s has 0 bytes, expected %u", mm[i].name, size);
		malformed(mm[i].type, payload, 0, want);

		/* At its size it reaches the callback whole. */
		struct stream *s = calloc(1, sizeof(*s));
		struct seen seen = { .fail_at = -1 };
		char err[256] = "";
		size_t used = 0;
		assert_non_null(s);
		fill_bytes(payload, size, (uint8_t)i);
		put_rec(s, mm[i].type, payload, size, 0xee);
		assert_int_equal(records_parse(s->data, s->len, &used, collect, &seen, err, sizeof(err)), 0);
		assert_int_equal(used, s->len);
		assert_int_equal(seen.n, 1);
		assert_int_equal(seen.type[0], mm[i].type);
		assert_int_equal(seen.len[0], size);
		assert_memory_equal(seen.payload[0], payload, size);
		seen_free(&seen);
		free(s);
		memset(payload, 0, size);
	}
	free(payload);
}

static void test_records_parse_refuses_histograms_whose_buckets_do_not_fit(void **state)
{
	uint8_t hist[sizeof(struct vms_rec_hist) + 8 * sizeof(uint32_t)] = { 0 };
	struct vms_rec_hist *h = (struct vms_rec_hist *)hist;

	/* 5 buckets announced, 8 present, and the other way round. */
	h->nr_buckets = 5;
	malformed(VMS_REC_HIST, hist, sizeof(hist), "does not hold its 5 buckets");
	h->nr_buckets = 8;
	malformed(VMS_REC_HIST, hist, sizeof(struct vms_rec_hist) + 5 * sizeof(uint32_t),
		  "does not hold its 8 buckets");
	/* A count whose size overflows 32 bits must not wrap around to the length. */
	h->nr_buckets = 0x40000002u; /* 4 * this = 8 mod 2^32 */
	malformed(VMS_REC_HIST, hist, sizeof(struct vms_rec_hist) + 2 * sizeof(uint32_t), "buckets");
	h->nr_buckets = UINT32_MAX;
	malformed(VMS_REC_HIST, hist, sizeof(hist), "buckets");
	/* Shorter than its own header. */
	malformed(VMS_REC_HIST, hist, 16, "shorter than its header");
	malformed(VMS_REC_HIST, hist, 0, "shorter than its header");
}

static void test_records_parse_accepts_a_histogram_of_exactly_the_maximum_length(void **state)
{
	struct stream *s = calloc(1, sizeof(*s));
	struct seen seen = { .fail_at = -1 };
	char err[256] = "";
	size_t used;
	uint32_t nb = (VMS_REC_MAX_LEN - (uint32_t)sizeof(struct vms_rec_hist)) / 4;
	uint8_t *hist = calloc(1, VMS_REC_MAX_LEN);

	assert_non_null(s);
	assert_non_null(hist);
	assert_int_equal(sizeof(struct vms_rec_hist) + nb * 4, VMS_REC_MAX_LEN);
	((struct vms_rec_hist *)hist)->nr_buckets = nb;
	/* The real histogram of the guest fits with room to spare. */
	assert_true(sizeof(struct vms_rec_hist) + VMS_HIST_NR * 4 <= VMS_REC_MAX_LEN);
	put_rec(s, VMS_REC_HIST, hist, VMS_REC_MAX_LEN, 0);
	assert_int_equal(records_parse(s->data, s->len, &used, collect, &seen, err, sizeof(err)), 0);
	assert_int_equal(used, s->len);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.len[0], VMS_REC_MAX_LEN);
	seen_free(&seen);
	free(hist);
	free(s);
}

static void test_records_parse_refuses_length_above_the_limit_before_waiting_for_it(void **state)
{
	struct seen seen = { .fail_at = -1 };
	char err[256] = "";
	size_t used;
	struct vms_rec_hdr h = { .type = VMS_REC_HIST, .len = VMS_REC_MAX_LEN + 1 };
	uint8_t data[8];

	/* Only the header is there: the parser must not wait forever for 64 KiB + 1. */
	memcpy(data, &h, sizeof(h));
	assert_int_equal(records_parse(data, sizeof(data), &used, collect, &seen, err, sizeof(err)), -1);
	assert_err_has(err, "exceeds the limit");
	assert_err_has(err, "record 0 (at byte 0)");
	assert_int_equal(seen.n, 0);

	h.len = UINT32_MAX;
	memcpy(data, &h, sizeof(h));
	err[0] = 0;
	assert_int_equal(records_parse(data, sizeof(data), &used, collect, &seen, err, sizeof(err)), -1);
	assert_err_has(err, "exceeds the limit");
}

static void test_records_parse_stops_when_the_callback_fails(void **state)
{
	struct stream *s = valid_stream();
	struct seen seen = { .fail_at = 2 };
	char err[256] = "";
	size_t used = 12345;

	assert_int_equal(records_parse(s->data, s->len, &used, collect, &seen, err, sizeof(err)), -1);
	assert_int_equal(seen.n, 3); /* records 0, 1, and 2 which failed; not 3 and on */
	assert_string_equal(err, "callback refused record 2"); /* the callback's own message */
	seen_free(&seen);
	free(s);
}

/* ---- random streams ---- */

struct fuzz_ctx {
	unsigned n;
};

static int fuzz_check(void *ctx, uint32_t type, const void *payload, uint32_t len, char *err, size_t errlen)
{
	struct fuzz_ctx *c = ctx;
	size_t want = record_min_len(type);

	c->n++;
	/* Only well-formed records get here. */
	if (!want)
		fail_msg("callback got unknown type %u", type);
	if (len > VMS_REC_MAX_LEN)
		fail_msg("callback got %u bytes", len);
	if (type == VMS_REC_HIST) {
		struct vms_rec_hist h;
		assert_true(len >= sizeof(h));
		memcpy(&h, payload, sizeof(h));
		assert_int_equal((uint64_t)len, sizeof(h) + (uint64_t)h.nr_buckets * 4);
	} else if (type == VMS_REC_FIO_LOG) { /* a header and entries its family counts */
		assert_true(len >= want);
	} else {
		assert_int_equal(len, want);
	}
	/* Touch every byte: ASan checks the payload is as long as it says. */
	volatile uint8_t sum = 0;
	for (uint32_t i = 0; i < len; i++)
		sum += ((const uint8_t *)payload)[i];
	(void)sum;
	return 0;
}

/* Random bytes, or plausible records with random damage. */
static size_t fuzz_stream(uint8_t *p, size_t cap)
{
	size_t len = 0;
	unsigned kind = (unsigned)(rng() % 4);

	if (kind == 0) {
		len = (size_t)(rng() % 700);
		for (size_t i = 0; i < len; i++)
			p[i] = (uint8_t)rng();
		return len;
	}
	while (len + 8 < cap && rng() % 8) {
		struct vms_rec_hdr h;
		h.type = (uint32_t)(rng() % (VMS_REC_TYPE_MAX + 1));
		uint32_t nb = 0;
		switch (rng() % 5) {
		case 0: h.len = (uint32_t)rng(); break;
		case 1: h.len = (uint32_t)(rng() % 128); break;
		case 2:
			h.type = VMS_REC_HIST;
			nb = (uint32_t)(rng() % 64);
			h.len = (uint32_t)(sizeof(struct vms_rec_hist) + nb * 4);
			break;
		default: h.len = (uint32_t)record_min_len(h.type); break;
		}
		size_t pl = h.len <= VMS_REC_MAX_LEN ? ((h.len + 7u) & ~7u) : 0;
		if (len + 8 + pl > cap)
			pl = cap - len - 8;
		memcpy(p + len, &h, sizeof(h));
		len += 8;
		for (size_t i = 0; i < pl; i++)
			p[len + i] = (uint8_t)rng();
		if (h.type == VMS_REC_HIST && pl >= 8 && rng() % 4)
			memcpy(p + len + 4, &nb, 4);
		len += pl;
	}
	/* Damage: flip bytes, or cut the end. */
	if (len) {
		unsigned flips = (unsigned)(rng() % 3);
		for (unsigned i = 0; i < flips; i++)
			p[rng() % len] ^= (uint8_t)(1u << (rng() % 8));
		if (rng() % 3 == 0)
			len -= (size_t)(rng() % (len + 1));
	}
	return len;
}

static void test_records_parse_survives_20000_random_streams(void **state)
{
	enum { CAP = 4096 };
	uint8_t *scratch = malloc(CAP);
	unsigned ok = 0, bad = 0, records = 0;

	assert_non_null(scratch);
	rng_state = 0x0123456789abcdefull;
	for (int i = 0; i < 20000; i++) {
		size_t len = fuzz_stream(scratch, CAP);
		/* Exactly len bytes on the heap: any read past the end is an ASan report. */
		uint8_t *data = malloc(len ? len : 1);
		assert_non_null(data);
		memcpy(data, scratch, len);
		struct fuzz_ctx c = { 0 };
		char err[256];
		size_t used = SIZE_MAX;
		memset(err, 0, sizeof(err));
		int r = records_parse(data, len, &used, fuzz_check, &c, err, sizeof(err));
		if (r == 0) {
			ok++;
			if (used > len || used % 8)
				fail_msg("stream %d: used %zu of %zu", i, used, len);
			/* Whatever is left is less than one whole record. */
			if (len - used >= 8) {
				struct vms_rec_hdr h;
				memcpy(&h, data + used, sizeof(h));
				assert_true(h.len <= VMS_REC_MAX_LEN);
				assert_true(len - used - 8 < ((h.len + 7u) & ~7u));
			}
		} else {
			assert_int_equal(r, -1);
			bad++;
			if (!err[0] || !memchr(err, 0, sizeof(err)))
				fail_msg("stream %d: refused without a terminated message", i);
		}
		records += c.n;
		free(data);
	}
	free(scratch);
	print_message("20000 streams: %u parsed, %u refused, %u records handed over\n", ok, bad, records);
	/* The generator reaches both outcomes and real records, or the test says little. */
	assert_true(ok > 1000);
	assert_true(bad > 1000);
	assert_true(records > 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_sets_up_an_empty_ring_with_the_hosts_size),
		cmocka_unit_test(test_init_refuses_sizes_that_are_not_a_power_of_two),
		cmocka_unit_test(test_init_refuses_rings_past_the_end_of_guest_memory),
		cmocka_unit_test(test_drain_of_a_ring_that_was_refused_returns_nothing),
		cmocka_unit_test(test_drain_returns_what_the_guest_wrote_and_publishes_tail),
		cmocka_unit_test(test_drain_across_the_end_of_the_ring),
		cmocka_unit_test(test_drain_many_random_batches_gives_the_stream_in_order),
		cmocka_unit_test(test_drain_uses_the_hosts_size_not_the_guests),
		cmocka_unit_test(test_drain_refuses_head_behind_tail),
		cmocka_unit_test(test_drain_refuses_head_more_than_size_ahead),
		cmocka_unit_test(test_buf_append_keeps_up_to_limit_and_counts_the_rest_as_dropped),
		cmocka_unit_test(test_buf_append_without_limit_keeps_everything),
		cmocka_unit_test(test_drain_into_a_limited_buf_counts_dropped_bytes),
		cmocka_unit_test(test_records_parse_hands_over_each_record_in_order),
		cmocka_unit_test(test_records_parse_leaves_a_partial_record_for_later),
		cmocka_unit_test(test_records_parse_refuses_unknown_types),
		cmocka_unit_test(test_records_parse_refuses_wrong_length_for_fixed_size_types),
		cmocka_unit_test(test_records_parse_takes_the_memory_managers_records_at_their_exact_sizes),
		cmocka_unit_test(test_records_parse_refuses_histograms_whose_buckets_do_not_fit),
		cmocka_unit_test(test_records_parse_accepts_a_histogram_of_exactly_the_maximum_length),
		cmocka_unit_test(test_records_parse_refuses_length_above_the_limit_before_waiting_for_it),
		cmocka_unit_test(test_records_parse_stops_when_the_callback_fails),
		cmocka_unit_test(test_records_parse_survives_20000_random_streams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
