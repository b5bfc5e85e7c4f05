/*
 * Writes the seed corpus of tests/fuzz/fuzz_virtq.c: guest RAM laid out as a virtio
 * driver would, with valid read / write / flush / get-id / log-mark requests and a few that
 * the device must refuse. The input format is described in fuzz_virtq.c.
 *   cc -std=gnu11 -Wall -Wextra -o /tmp/make_seeds tests/fuzz/make_seeds.c
 *   /tmp/make_seeds tests/fuzz/corpus/virtq
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_HDR 12
#define VIRTQ_MAX_SEGS_SEED 130 /* VIRTQ_MAX_SEGS in harness/vmm/virtio/virtq.h */
#define RAM_MAX (64u << 10)
#define VMS_VIRTIO_BLK_T_LOG_MARK 0x564d5301u /* include/vmsweep/abi.h */

struct seed {
	uint8_t hdr[FUZZ_HDR];
	uint8_t ram[RAM_MAX];
	uint64_t ram_len;
	uint16_t qsize;
	uint64_t desc, avail, used;
	uint16_t avail_idx, next_desc;
	uint64_t next_buf;
};

struct sseg {
	uint32_t len;
	bool w;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void ram_touch(struct seed *s, uint64_t end)
{
	if (end > RAM_MAX) {
		fprintf(stderr, "make_seeds: seed needs more than %u bytes of RAM\n", RAM_MAX);
		exit(1);
	}
	if (end > s->ram_len)
		s->ram_len = end;
}

/* log2size: queue size; flags as byte 1 of the format; custom ring gpas when custom_gpa. */
static void seed_init(struct seed *s, unsigned log2size, uint8_t flags, uint16_t disk_sectors, uint16_t start,
		      const uint64_t *custom_gpa)
{
	memset(s, 0, sizeof(*s));
	s->qsize = (uint16_t)(1u << log2size);
	s->hdr[0] = (uint8_t)log2size;
	s->hdr[1] = flags;
	put16(s->hdr + 2, disk_sectors);
	put16(s->hdr + 4, start);
	s->desc = 0;
	s->avail = 16u * s->qsize;
	s->used = (s->avail + 6 + 2u * s->qsize + 3) & ~3ull;
	if (custom_gpa) {
		s->hdr[1] |= 4;
		s->desc = custom_gpa[0];
		s->avail = custom_gpa[1];
		s->used = custom_gpa[2];
		put16(s->hdr + 6, (uint16_t)s->desc);
		put16(s->hdr + 8, (uint16_t)s->avail);
		put16(s->hdr + 10, (uint16_t)s->used);
	}
	ram_touch(s, s->desc + 16u * s->qsize);
	ram_touch(s, s->avail + 6 + 2u * s->qsize);
	ram_touch(s, s->used + 6 + 8u * s->qsize);
	s->next_buf = (s->ram_len + 15) & ~15ull;
	if (s->next_buf < 0x100 && !custom_gpa)
		s->next_buf = 0x100;
	s->avail_idx = start; /* the driver's index runs with the device's */
	put16(s->ram + s->avail + 2, start);
}

static void desc_set(struct seed *s, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = s->ram + s->desc + 16u * i;
	put64(d, addr);
	put32(d + 8, len);
	put16(d + 12, flags);
	put16(d + 14, next);
}

static void offer(struct seed *s, uint16_t head)
{
	put16(s->ram + s->avail + 4 + 2u * (s->avail_idx & (s->qsize - 1)), head);
	s->avail_idx++;
	put16(s->ram + s->avail + 2, s->avail_idx);
}

/* A block request over segs; the header fills the leading readable bytes. */
/* Descriptors are handed out in order and never reused: a seed's chains must fit the queue. */
static uint16_t add_blk(struct seed *s, const struct sseg *sg, unsigned n, uint32_t type, uint64_t sector)
{
	uint8_t hdr[16];
	unsigned hoff = 0;
	uint16_t head = s->next_desc;

	put32(hdr, type);
	put32(hdr + 4, 0);
	put64(hdr + 8, sector);
	for (unsigned i = 0; i < n; i++) {
		uint16_t idx = (uint16_t)((head + i) & (s->qsize - 1));
		uint64_t gpa = s->next_buf;
		s->next_buf += (sg[i].len + 15) & ~15u;
		ram_touch(s, s->next_buf);
		for (uint32_t k = 0; k < sg[i].len; k++)
			s->ram[gpa + k] = !sg[i].w && hoff < 16 ? hdr[hoff++] : (uint8_t)(0xa0 + i);
		desc_set(s, idx, gpa, sg[i].len, (sg[i].w ? VRING_DESC_F_WRITE : 0) | (i + 1 < n ? VRING_DESC_F_NEXT : 0),
			 i + 1 < n ? (uint16_t)((idx + 1) & (s->qsize - 1)) : 0);
	}
	s->next_desc = (uint16_t)((head + n) & (s->qsize - 1));
	offer(s, head);
	return head;
}

/* A read of ndata sectors whose data descriptors all point at one buffer: a long chain in little RAM. */
static void add_long_read(struct seed *s, unsigned ndata, uint64_t sector)
{
	uint64_t hdr = s->next_buf, buf = hdr + 16, status = buf + 512;
	uint16_t head = s->next_desc;
	unsigned n = ndata + 2;

	s->next_buf = status + 16;
	ram_touch(s, s->next_buf);
	put32(s->ram + hdr, VIRTIO_BLK_T_IN);
	put64(s->ram + hdr + 8, sector);
	for (unsigned i = 0; i < n; i++) {
		uint16_t idx = (uint16_t)((head + i) & (s->qsize - 1));
		uint64_t gpa = i == 0 ? hdr : i + 1 == n ? status : buf;
		uint32_t len = i == 0 ? 16 : i + 1 == n ? 1 : 512;
		desc_set(s, idx, gpa, len, (i ? VRING_DESC_F_WRITE : 0) | (i + 1 < n ? VRING_DESC_F_NEXT : 0),
			 i + 1 < n ? (uint16_t)((idx + 1) & (s->qsize - 1)) : 0);
	}
	s->next_desc = (uint16_t)((head + n) & (s->qsize - 1));
	offer(s, head);
}

static void seed_write(const struct seed *s, const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(s->hdr, 1, FUZZ_HDR, f) != FUZZ_HDR || fwrite(s->ram, 1, s->ram_len, f) != s->ram_len ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

int main(int argc, char **argv)
{
	static struct seed s;
	static const struct sseg rd[] = { { 16, false }, { 512, true }, { 1, true } };
	static const struct sseg wr2[] = { { 16, false }, { 512, false }, { 512, false }, { 1, true } };
	static const struct sseg fl[] = { { 16, false }, { 1, true } };
	static const struct sseg id[] = { { 16, false }, { VIRTIO_BLK_ID_BYTES, true }, { 1, true } };
	static const struct sseg split[] = { { 5, false }, { 11, false }, { 512, true }, { 1, true } };
	static const struct sseg zeros[] = { { 16, false }, { 0, false }, { 0, true },
					     { 1024, true }, { 1, true },  { 0, true } };
	static const struct sseg wr1[] = { { 16, false }, { 512, false }, { 1, true } };
	static const struct sseg disc[] = { { 16, false }, { 16, false }, { 1, true } };

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	const char *dir = argv[1];

	seed_init(&s, 3, 0, 64, 0, NULL);
	add_blk(&s, rd, N(rd), VIRTIO_BLK_T_IN, 3);
	seed_write(&s, dir, "seed-read");

	seed_init(&s, 3, 1, 64, 0, NULL);
	add_blk(&s, wr2, N(wr2), VIRTIO_BLK_T_OUT, 62);
	seed_write(&s, dir, "seed-write-event-idx");

	seed_init(&s, 2, 0, 8, 0, NULL);
	add_blk(&s, fl, N(fl), VIRTIO_BLK_T_FLUSH, 0);
	seed_write(&s, dir, "seed-flush");

	seed_init(&s, 4, 1, 8, 0, NULL);
	add_blk(&s, id, N(id), VIRTIO_BLK_T_GET_ID, 0);
	seed_write(&s, dir, "seed-get-id");

	seed_init(&s, 3, 0, 16, 0, NULL);
	add_blk(&s, split, N(split), VIRTIO_BLK_T_IN, 15);
	seed_write(&s, dir, "seed-split-header");

	seed_init(&s, 4, 1 | 0x30, 128, 0, NULL); /* all four in flight at once */
	add_blk(&s, rd, N(rd), VIRTIO_BLK_T_IN, 0);
	add_blk(&s, wr2, N(wr2), VIRTIO_BLK_T_OUT, 10);
	add_blk(&s, fl, N(fl), VIRTIO_BLK_T_FLUSH, 0);
	add_blk(&s, id, N(id), VIRTIO_BLK_T_GET_ID, 0);
	seed_write(&s, dir, "seed-batch");

	seed_init(&s, 3, 2, 8, 0, NULL); /* read-only: the write is refused, the read served */
	add_blk(&s, wr1, N(wr1), VIRTIO_BLK_T_OUT, 0);
	add_blk(&s, rd, N(rd), VIRTIO_BLK_T_IN, 7);
	seed_write(&s, dir, "seed-read-only");

	seed_init(&s, 3, 1, 32, 65534, NULL); /* avail and used idx wrap during the run */
	add_blk(&s, rd, N(rd), VIRTIO_BLK_T_IN, 1);
	add_blk(&s, fl, N(fl), VIRTIO_BLK_T_FLUSH, 0);
	add_blk(&s, wr1, N(wr1), VIRTIO_BLK_T_OUT, 2);
	seed_write(&s, dir, "seed-wrap");

	seed_init(&s, 5, 8, 16, 0, NULL); /* a disk with a partial last sector */
	add_blk(&s, disc, N(disc), VIRTIO_BLK_T_DISCARD, 0);
	add_blk(&s, zeros, N(zeros), VIRTIO_BLK_T_IN, 14);
	seed_write(&s, dir, "seed-unsupp-and-empty-descs");

	static const uint64_t gpas[] = { 0x400, 0x100, 0x200 };
	seed_init(&s, 3, 0, 64, 0, gpas);
	add_blk(&s, rd, N(rd), VIRTIO_BLK_T_IN, 5);
	seed_write(&s, dir, "seed-custom-rings");

	seed_init(&s, 3, 0, 64, 0, NULL); /* a looping chain, then a valid request */
	add_blk(&s, rd, N(rd), VIRTIO_BLK_T_IN, 0);
	desc_set(&s, 2, 0x100, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	add_blk(&s, fl, N(fl), VIRTIO_BLK_T_FLUSH, 0);
	seed_write(&s, dir, "seed-loop");

	seed_init(&s, 8, 1, 2048, 0, NULL);
	for (unsigned i = 0; i < 8; i++)
		add_blk(&s, rd, N(rd), VIRTIO_BLK_T_IN, i * 100);
	seed_write(&s, dir, "seed-size-256");

	seed_init(&s, 9, 0x70, 1024, 0, NULL); /* VIRTQ_MAX_SEGS descriptors: served; one more: refused */
	add_long_read(&s, VIRTQ_MAX_SEGS_SEED - 2, 0);
	add_long_read(&s, VIRTQ_MAX_SEGS_SEED - 1, 0);
	add_blk(&s, fl, N(fl), VIRTIO_BLK_T_FLUSH, 0);
	seed_write(&s, dir, "seed-long-chains");

	static const struct sseg mark[] = { { 16, false }, { 40, false }, { 1, true } };
	seed_init(&s, 3, 0, 8, 0, NULL); /* log marks: one printable (taken), one not (refused) */
	uint64_t text = s.next_buf + 16;
	add_blk(&s, mark, N(mark), VMS_VIRTIO_BLK_T_LOG_MARK, 0);
	memcpy(s.ram + text, "fsync thread=1 writes=8 size=4096 file=f", 40);
	add_blk(&s, mark, N(mark), VMS_VIRTIO_BLK_T_LOG_MARK, 0);
	seed_write(&s, dir, "seed-log-mark");
	return 0;
}
