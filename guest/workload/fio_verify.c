/*
 * fio's verify blocks, as fio 3.33 writes them (verify.c): the data is the
 * verify_pattern, or random bytes from a seed; every interval (the write size, unless
 * a block is read in pieces) starts with a header naming the block (magic, length,
 * offset, the write's seed and number, a CRC-32C of the header), followed for md5 and
 * crc32c by the checksum of the interval's remaining bytes. So a read that returns the
 * right bytes of another block (a misplaced write) fails on the header's offset, a stale
 * block on its seed or number, and a flipped bit on a checksum. verify=pattern has no
 * header: the whole block is the pattern.
 */
#include "fio_verify.h"
#include "../include/lib/crc32c.h"
#include "../include/lib/md5.h"

u32 fio_verify_hdr_size(u32 type)
{
	switch (type) {
	case VMS_VERIFY_MD5:
		return sizeof(struct verify_header) + MD5_DIGEST_SIZE;
	case VMS_VERIFY_CRC32C:
		return sizeof(struct verify_header) + sizeof(u32);
	case VMS_VERIFY_PATTERN_HDR:
		return sizeof(struct verify_header);
	default: /* pattern, null */
		return 0;
	}
}

static bool has_header(u32 type)
{
	return type == VMS_VERIFY_MD5 || type == VMS_VERIFY_CRC32C || type == VMS_VERIFY_PATTERN_HDR;
}

/* The pattern from byte 0 of the block on, as fio's cpy_pattern. */
static void pattern_fill(u8 *p, u32 len, const u8 *pat, u32 plen)
{
	for (u32 i = 0; i < len; i++)
		p[i] = pat[i % plen];
}

/* xorshift64* from the seed (mixed, so that neighbouring seeds differ at once). */
static void random_fill(u8 *p, u32 len, u64 seed)
{
	u64 x = (seed + 0x9e3779b97f4a7c15ull) * 0xbf58476d1ce4e5b9ull;
	x = x ? x : 1;
	for (u32 i = 0; i + 8 <= len; i += 8) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		u64 v = x * 0x2545f4914f6cdd1dull;
		__builtin_memcpy(p + i, &v, 8);
	}
}

static u32 hdr_crc(const struct verify_header *h)
{
	return crc32c(~0u, h, __builtin_offsetof(struct verify_header, crc32));
}

/* The interval's checksum after its header, into out (4 or 16 bytes). */
static void data_sum(u32 type, const u8 *data, u32 len, u8 *out)
{
	if (type == VMS_VERIFY_CRC32C) {
		u32 c = crc32c(~0u, data, len);
		__builtin_memcpy(out, &c, sizeof(c));
	} else {
		struct md5_state s;
		md5_init(&s);
		md5_update(&s, data, len);
		md5_final(&s, out);
	}
}

void fio_verify_fill(void *buf, u32 len, const struct verify_block *b, u64 now_ns)
{
	u8 *p = buf;
	u32 hs = fio_verify_hdr_size(b->type);

	if (b->pattern_len)
		pattern_fill(p, len, b->pattern, b->pattern_len);
	else
		random_fill(p, len, b->seed);
	if (!has_header(b->type))
		return;
	for (u32 at = 0; at + b->interval <= len; at += b->interval) {
		struct verify_header h = {
			.magic = FIO_HDR_MAGIC,
			.verify_type = (u16)b->type,
			.len = b->interval,
			.rand_seed = b->seed,
			.offset = b->offset + at,
			.time_sec = (u32)(now_ns / 1000000000ull),
			.time_nsec = (u32)(now_ns % 1000000000ull),
			.thread = b->thread,
			.numberio = b->numberio,
		};
		h.crc32 = hdr_crc(&h);
		__builtin_memcpy(p + at, &h, sizeof(h));
		if (hs > sizeof(h))
			data_sum(b->type, p + at + hs, b->interval - hs, p + at + sizeof(h));
	}
}

static int verify_failed(struct verify_fail *f, u32 why, u64 offset, u32 len, u64 got, u64 want)
{
	*f = (struct verify_fail){ .why = why, .offset = offset, .len = len, .got = got, .want = want };
	return -1;
}

/* The first 8 bytes of a checksum, for the message. */
static u64 sum_head(const u8 *sum)
{
	u64 v = 0;
	__builtin_memcpy(&v, sum, 8);
	return v;
}

static int header_check(const struct verify_header *h, const struct verify_block *b, u64 off, struct verify_fail *f)
{
	if (h->magic != FIO_HDR_MAGIC)
		return verify_failed(f, VMS_VFAIL_MAGIC, off, b->interval, h->magic, FIO_HDR_MAGIC);
	if (h->len != b->interval)
		return verify_failed(f, VMS_VFAIL_LEN, off, b->interval, h->len, b->interval);
	/* fio looks at the seed first; a misplaced block has both wrong, and its offset says so */
	if (h->offset != off)
		return verify_failed(f, VMS_VFAIL_OFFSET, off, b->interval, h->offset, off);
	if (b->check_seed && h->rand_seed != b->seed)
		return verify_failed(f, VMS_VFAIL_SEED, off, b->interval, h->rand_seed, b->seed);
	if (b->check_numberio && h->numberio != b->numberio)
		return verify_failed(f, VMS_VFAIL_NUMBERIO, off, b->interval, h->numberio, b->numberio);
	if (h->crc32 != hdr_crc(h))
		return verify_failed(f, VMS_VFAIL_HDR_CRC, off, b->interval, h->crc32, hdr_crc(h));
	if (h->verify_type != b->type)
		return verify_failed(f, VMS_VFAIL_TYPE, off, b->interval, h->verify_type, b->type);
	return 0;
}

/* The pattern over len bytes that start at position pos of the block's fill. */
static int pattern_check(const u8 *p, u32 len, u32 pos, const struct verify_block *b, u64 off, struct verify_fail *f)
{
	for (u32 i = 0; i < len; i++) {
		u8 want = b->pattern[(pos + i) % b->pattern_len];
		if (p[i] != want)
			return verify_failed(f, VMS_VFAIL_DATA, off, b->interval, p[i], want);
	}
	return 0;
}

int fio_verify_check(const void *buf, u32 len, const struct verify_block *b, struct verify_fail *f)
{
	const u8 *p = buf;
	u32 hs = fio_verify_hdr_size(b->type);

	if (b->type == VMS_VERIFY_NULL || b->type == VMS_VERIFY_NONE)
		return 0;
	for (u32 at = 0; at + b->interval <= len; at += b->interval) {
		u64 off = b->offset + at;
		const u8 *iv = p + at;
		struct verify_header h;

		if (b->type == VMS_VERIFY_PATTERN) {
			if (pattern_check(iv, b->interval, at, b, off, f))
				return -1;
			continue;
		}
		__builtin_memcpy(&h, iv, sizeof(h));
		if (header_check(&h, b, off, f))
			return -1;
		if (b->type == VMS_VERIFY_PATTERN_HDR) {
			if (b->pattern_len && pattern_check(iv + hs, b->interval - hs, at + hs, b, off, f))
				return -1;
			continue;
		}
		u8 sum[MD5_DIGEST_SIZE] = { 0 };
		u32 sum_len = hs - (u32)sizeof(h);
		data_sum(b->type, iv + hs, b->interval - hs, sum);
		if (__builtin_memcmp(sum, iv + sizeof(h), sum_len)) {
			u8 stored[MD5_DIGEST_SIZE] = { 0 };
			__builtin_memcpy(stored, iv + sizeof(h), sum_len);
			return verify_failed(f, VMS_VFAIL_DATA, off, b->interval, sum_head(sum), sum_head(stored));
		}
	}
	return 0;
}
