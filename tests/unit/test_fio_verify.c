/*
 * The guest's fio verify blocks (guest/workload/fio_verify.c) and the checksums under
 * them (guest/lib/crc32c.c, md5.c), compiled here on the host: the checksums against
 * their standard test vectors, the header against one that fio 3.33 wrote, and the
 * check against every kind of damage it must tell apart (a flipped data byte, a
 * damaged header, a block from another offset, another write, another type).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../guest/lib/crc32c.c"
#include "../../guest/lib/md5.c"
#include "../../guest/workload/fio_verify.c"

static void test_crc32c_vectors(void **state)
{
	(void)state;
	assert_int_equal(~crc32c(~0u, "123456789", 9), 0xe3069283); /* the CRC-32C check value */
	assert_int_equal(crc32c(~0u, "123456789", 9), 0x1cf96d7c); /* fio's fio_crc32c: no final inversion */
	uint8_t zeros[32] = { 0 };
	assert_int_equal(~crc32c(~0u, zeros, sizeof(zeros)), 0x8a9136aa); /* RFC 3720 B.4 */
	/* in pieces as at once */
	assert_int_equal(crc32c(crc32c(~0u, "1234", 4), "56789", 5), crc32c(~0u, "123456789", 9));
}

static void md5_hex(const char *s, size_t len, char out[33])
{
	struct md5_state st;
	u8 d[MD5_DIGEST_SIZE];

	md5_init(&st);
	/* in uneven pieces, to cross the 64-byte blocks */
	for (size_t at = 0; at < len;) {
		size_t n = len - at < 7 ? len - at : 7;
		md5_update(&st, s + at, n);
		at += n;
	}
	md5_final(&st, d);
	for (int i = 0; i < MD5_DIGEST_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_md5_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *in, *hex;
	} rfc1321[] = {
		{ "", "d41d8cd98f00b204e9800998ecf8427e" },
		{ "a", "0cc175b9c0f1b6a831c399e269772661" },
		{ "abc", "900150983cd24fb0d6963f7d28e17f72" },
		{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
		{ "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f" },
		{ "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
		  "57edf4a22be3c955ac49da2e2107b67a" },
	};
	char hex[33];

	for (size_t i = 0; i < sizeof(rfc1321) / sizeof(rfc1321[0]); i++) {
		md5_hex(rfc1321[i].in, strlen(rfc1321[i].in), hex);
		assert_string_equal(hex, rfc1321[i].hex);
	}
}

/* The first 40 bytes of a block fio 3.33 wrote (rw=randwrite bs=4k verify=crc32c,
 * offset 0, write 155 of the job): its layout and header CRC are ours. */
static void test_header_is_fios(void **state)
{
	(void)state;
	static const u8 fio_hdr[40] = { 0xca, 0xac, 0x05, 0x00, 0x00, 0x10, 0x00, 0x00, 0x07, 0x51, 0xb4, 0x73, 0xac, 0xe5,
					0xa3, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					0xcb, 0x6a, 0x18, 0x07, 0x01, 0x00, 0x9b, 0x00, 0x59, 0xe6, 0x4d, 0xe0 };
	struct verify_header h;

	memcpy(&h, fio_hdr, sizeof(h));
	assert_int_equal(h.magic, FIO_HDR_MAGIC);
	assert_int_equal(h.verify_type, VMS_VERIFY_CRC32C);
	assert_int_equal(h.len, 4096);
	assert_int_equal(h.offset, 0);
	assert_int_equal(h.thread, 1);
	assert_int_equal(h.numberio, 155);
	assert_int_equal(h.crc32, hdr_crc(&h));
	assert_int_equal(fio_verify_hdr_size(VMS_VERIFY_CRC32C), 44);
	assert_int_equal(fio_verify_hdr_size(VMS_VERIFY_MD5), 56);
	assert_int_equal(fio_verify_hdr_size(VMS_VERIFY_PATTERN), 0);
}

#define BS 4096u

static struct verify_block block(u32 type, u64 offset)
{
	static const u8 pat[] = { 0xde, 0xad, 0xbe, 0xef };
	bool pattern = type == VMS_VERIFY_PATTERN || type == VMS_VERIFY_PATTERN_HDR;
	return (struct verify_block){ .type = type, .interval = BS, .offset = offset, .seed = 0x1234 + offset,
				      .numberio = 7, .thread = 1, .check_seed = true, .check_numberio = true,
				      .pattern = pattern ? pat : NULL, .pattern_len = pattern ? 4 : 0 };
}

static void expect_fail(const u8 *buf, u32 len, const struct verify_block *b, u32 why, u64 offset)
{
	struct verify_fail f;
	assert_int_equal(fio_verify_check(buf, len, b, &f), -1);
	assert_int_equal(f.why, why);
	assert_int_equal(f.offset, offset);
	assert_int_equal(f.len, b->interval);
}

static void test_roundtrip_and_damage(void **state)
{
	(void)state;
	static const u32 types[] = { VMS_VERIFY_CRC32C, VMS_VERIFY_MD5, VMS_VERIFY_PATTERN_HDR, VMS_VERIFY_PATTERN };
	static u8 buf[2 * BS], copy[2 * BS];
	struct verify_fail f;

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		u32 type = types[t];
		struct verify_block b = block(type, 1 << 20);
		bool hdr = type != VMS_VERIFY_PATTERN;

		/* two intervals of a 8 KiB write: a header in each */
		fio_verify_fill(buf, sizeof(buf), &b, 123456789);
		assert_int_equal(fio_verify_check(buf, sizeof(buf), &b, &f), 0);
		if (hdr) {
			struct verify_header h;
			memcpy(&h, buf + BS, sizeof(h));
			assert_int_equal(h.offset, b.offset + BS);
			assert_int_equal(h.len, BS);
		}

		/* a flipped byte of data, in the second interval */
		memcpy(copy, buf, sizeof(buf));
		copy[BS + 1000] ^= 0x01;
		expect_fail(copy, sizeof(copy), &b, VMS_VFAIL_DATA, b.offset + BS);
		if (!hdr)
			continue;

		/* a damaged header */
		memcpy(copy, buf, sizeof(buf));
		copy[offsetof(struct verify_header, time_sec)] ^= 0x80;
		expect_fail(copy, sizeof(copy), &b, VMS_VFAIL_HDR_CRC, b.offset);

		/* the right block for another offset: misplaced */
		struct verify_block there = b;
		there.offset += 2 * BS;
		expect_fail(buf, sizeof(buf), &there, VMS_VFAIL_OFFSET, there.offset);

		/* another write of this block: its seed, or only its number */
		struct verify_block other = b;
		other.seed++;
		expect_fail(buf, sizeof(buf), &other, VMS_VFAIL_SEED, b.offset);
		other.check_seed = false; /* as a read-only job: the header's seed is taken */
		assert_int_equal(fio_verify_check(buf, sizeof(buf), &other, &f), 0);
		other = b;
		other.numberio++;
		expect_fail(buf, sizeof(buf), &other, VMS_VFAIL_NUMBERIO, b.offset);

		/* never written: zeros have no header */
		memset(copy, 0, sizeof(copy));
		expect_fail(copy, sizeof(copy), &b, VMS_VFAIL_MAGIC, b.offset);

		/* written by a job of another verify type */
		struct verify_block md5 = b;
		md5.type = type == VMS_VERIFY_MD5 ? VMS_VERIFY_CRC32C : VMS_VERIFY_MD5;
		expect_fail(buf, sizeof(buf), &md5, VMS_VFAIL_TYPE, b.offset);
	}
}

/* The random data of two writes differs; the pattern is fio's, from the block's start. */
static void test_fill(void **state)
{
	(void)state;
	static u8 a[BS], b2[BS];
	struct verify_block b = block(VMS_VERIFY_CRC32C, 0), c = b;

	c.seed++;
	fio_verify_fill(a, BS, &b, 0);
	fio_verify_fill(b2, BS, &c, 0);
	assert_true(memcmp(a + 64, b2 + 64, BS - 64) != 0);
	b = block(VMS_VERIFY_PATTERN, 0);
	fio_verify_fill(a, BS, &b, 0);
	for (u32 i = 0; i < BS; i++)
		assert_int_equal(a[i], b.pattern[i % 4]);
	b = block(VMS_VERIFY_PATTERN_HDR, 0);
	fio_verify_fill(a, BS, &b, 0);
	assert_int_equal(a[40], b.pattern[0]); /* the pattern goes on under the header */
	assert_int_equal(a[BS - 1], b.pattern[3]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_vectors),	  cmocka_unit_test(test_md5_vectors),
		cmocka_unit_test(test_header_is_fios),	  cmocka_unit_test(test_roundtrip_and_damage),
		cmocka_unit_test(test_fill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
