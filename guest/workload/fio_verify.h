/*
 * fio's verify blocks (fio 3.33's verify.c): what a job writes when it verifies, and
 * the check of what it reads back. Free of kernel state, so that the host's unit tests
 * compile fio_verify.c too (tests/unit/test_fio_verify.c).
 */
#ifndef WORKLOAD_FIO_VERIFY_H
#define WORKLOAD_FIO_VERIFY_H
/* Relative, as the host's unit tests have no -Iguest/include. */
#include "../include/kernel/types.h"
#include <vmsweep/abi.h>
#include <vmsweep/workload.h>

#define FIO_HDR_MAGIC 0xacca

/* fio 3.33's struct verify_header, byte for byte, at the start of every interval of a block. */
struct verify_header {
	u16 magic;
	u16 verify_type; /* enum vms_verify */
	u32 len; /* the interval */
	u64 rand_seed; /* of the random data (verify= without verify_pattern) */
	u64 offset; /* of the interval on the disk */
	u32 time_sec, time_nsec; /* when written (not checked) */
	u16 thread; /* the job, from 1 (not checked) */
	u16 numberio; /* which write of the job this was, its low 16 bits */
	u32 crc32; /* fio_crc32c of the fields above */
};
_Static_assert(sizeof(struct verify_header) == 40, "fio 3.33's verify_header is 40 bytes");

/* What a block should hold. */
struct verify_block {
	u32 type; /* enum vms_verify */
	u32 interval; /* a header every interval bytes (fio's verify_interval: the write size) */
	u64 offset; /* the block's disk offset */
	u64 seed; /* its random data's */
	u16 numberio, thread;
	bool check_seed, check_numberio; /* as fio: a read-only job takes the seed from the header */
	const u8 *pattern;
	u32 pattern_len;
};

/* A failed check: what (enum vms_verify_fail), where (the interval), what was found and wanted. */
struct verify_fail {
	u32 why;
	u32 len;
	u64 offset;
	u64 got, want;
};

/* The bytes a verify type puts before the data of each interval (fio's __hdr_size). */
u32 fio_verify_hdr_size(u32 type);
/* Fills a block of len bytes to be written: the data, then a header in each interval. */
void fio_verify_fill(void *buf, u32 len, const struct verify_block *b, u64 now_ns);
/* Checks a block read back: 0, or -1 with *f. */
int fio_verify_check(const void *buf, u32 len, const struct verify_block *b, struct verify_fail *f);
#endif
