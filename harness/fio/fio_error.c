/*
 * An fio job's first error for the user: the errno's meaning, and where it happened.
 * For a verify failure, what the block held against what fio's header or checksum
 * wanted, in the words of fio's own messages (verify.c), so that a misplaced block
 * ("bad header offset") is told apart from a damaged one ("crc32c mismatch").
 */
#include <inttypes.h>
#include <stdio.h>

#include "fio/fio_error.h"

/* A checksum's first bytes in memory order, as fio's hexdump shows them; md5 is cut at 8 of its 16. */
static const char *sum_hex(uint64_t v, uint32_t type, char *buf, size_t len)
{
	unsigned n = type == VMS_VERIFY_CRC32C ? 4 : 8;
	size_t at = 0;

	for (unsigned i = 0; i < n && at + 3 <= len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%02x", (unsigned)(v >> (8 * i)) & 0xff);
	if (type == VMS_VERIFY_MD5 && at + 4 <= len)
		snprintf(buf + at, len - at, "...");
	return buf;
}

static const char *verify_name(uint32_t v)
{
	switch (v) {
	case VMS_VERIFY_MD5:
		return "md5";
	case VMS_VERIFY_CRC32C:
		return "crc32c";
	default:
		return "pattern";
	}
}

const char *fio_error_describe(const struct vms_job *j, const struct vms_rec_fio_job *r, char *buf, size_t len)
{
	char where[96];
	unsigned long long got = r->error_got, want = r->error_want;

	snprintf(where, sizeof(where), "at /dev/vd%c offset %" PRIu64 ", length %" PRIu32, 'a' + (int)(j->disk % 26),
		 r->error_offset, r->error_len);
	if (r->error != VMS_FIO_EVERIFY) {
		snprintf(buf, len, "%s %s", r->error == VMS_FIO_EIO ? "the disk answered an I/O with an error" : "I/O error",
			 where);
		return buf;
	}
	switch (r->error_why) {
	case VMS_VFAIL_MAGIC:
		snprintf(buf, len, "verify: bad magic header %llx, wanted %llx (no fio block header there) %s", got, want,
			 where);
		break;
	case VMS_VFAIL_LEN:
		snprintf(buf, len, "verify: bad header length %llu, wanted %llu %s", got, want, where);
		break;
	case VMS_VFAIL_SEED:
		snprintf(buf, len, "verify: bad header rand_seed %llu, wanted %llu (data of another write) %s", got, want,
			 where);
		break;
	case VMS_VFAIL_OFFSET:
		snprintf(buf, len, "verify: bad header offset %llu, wanted %llu (a block written for another offset) %s",
			 got, want, where);
		break;
	case VMS_VFAIL_NUMBERIO:
		snprintf(buf, len, "verify: bad header numberio %llu, wanted %llu (an older write of the block) %s", got,
			 want, where);
		break;
	case VMS_VFAIL_HDR_CRC:
		snprintf(buf, len, "verify: bad header crc %llx, calculated %llx %s", got, want, where);
		break;
	case VMS_VFAIL_TYPE:
		snprintf(buf, len, "verify: the block's header is of verify type %llu, the job's is %llu %s", got, want,
			 where);
		break;
	case VMS_VFAIL_DATA:
		if (j->verify == VMS_VERIFY_PATTERN || j->verify == VMS_VERIFY_PATTERN_HDR)
			snprintf(buf, len, "verify: pattern mismatch: got %02llx, wanted %02llx %s", got, want, where);
		else {
			char g[24], w[24];
			snprintf(buf, len, "verify: %s mismatch: received %s, expected %s %s", verify_name(j->verify),
				 sum_hex(got, j->verify, g, sizeof(g)), sum_hex(want, j->verify, w, sizeof(w)), where);
		}
		break;
	default:
		snprintf(buf, len, "verify: the data read back is not what was written %s", where);
	}
	return buf;
}
