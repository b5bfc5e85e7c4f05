/* Parsing virtio-blk requests; every refusal says why and still yields a status to return. */
#include <endian.h>
#include <linux/virtio_blk.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmm/blk/virtio_blk_req.h"

#define BLK_HDR_BYTES 16 /* struct virtio_blk_outhdr */
#define BLK_SECTOR 512u

static void req_refuse(struct blk_req *r, uint8_t result, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void req_refuse(struct blk_req *r, uint8_t result, const char *fmt, ...)
{
	va_list ap;

	r->result = result;
	/* Nothing for a careless caller to do I/O on. */
	r->data = NULL;
	r->ndata = 0;
	r->bytes = 0;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

static const char *type_name(enum blk_req_type t)
{
	switch (t) {
	case BLK_REQ_READ:
		return "read";
	case BLK_REQ_WRITE:
		return "write";
	case BLK_REQ_FLUSH:
		return "flush";
	case BLK_REQ_GET_ID:
		return "get-id";
	case BLK_REQ_LOG_MARK:
		return "log-mark";
	case BLK_REQ_UNSUPPORTED:
		break;
	}
	return "unsupported";
}

/*
 * The status byte: the last byte of the last non-empty descriptor, if that one is
 * device-writable and checked. Unknown when the walk was truncated: the chain's true
 * end was never seen, and writing elsewhere could corrupt a buffer the guest owns.
 * Returns the descriptor's index, or -1.
 */
static int status_find(const struct virtq_chain *c, struct blk_req *r)
{
	unsigned last = c->nsegs;

	if (c->truncated)
		return -1;
	while (last > 0 && c->seg[last - 1].len == 0)
		last--;
	if (last == 0)
		return -1;
	const struct virtq_seg *s = &c->seg[last - 1];
	if (!s->device_writes || !s->host)
		return -1;
	r->status = (uint8_t *)s->host + s->len - 1;
	return (int)(last - 1);
}

/* Copies the 16-byte header, which may span descriptors; returns the first data descriptor's index, or -1. */
static int header_copy(const struct virtq_chain *c, struct blk_req *r, uint8_t hdr[BLK_HDR_BYTES])
{
	unsigned got = 0, i = 0;

	while (got < BLK_HDR_BYTES && i < c->nsegs) {
		const struct virtq_seg *s = &c->seg[i];
		if (s->device_writes || (s->len && !s->host))
			break;
		uint32_t n = s->len < BLK_HDR_BYTES - got ? s->len : BLK_HDR_BYTES - got;
		/* Copied once: the guest may rewrite the header while the request is served. */
		memcpy(hdr + got, s->host, n);
		got += n;
		i++;
		if (n < s->len) {
			req_refuse(r, VIRTIO_BLK_S_IOERR, "descriptor %u holds header and data bytes (unsupported framing)",
				   i - 1);
			return -1;
		}
	}
	if (got < BLK_HDR_BYTES) {
		req_refuse(r, VIRTIO_BLK_S_IOERR, "header: %u of %u bytes device-readable", got, BLK_HDR_BYTES);
		return -1;
	}
	return (int)i;
}

/* Empty descriptors move no data: their direction does not matter. */
static bool data_direction_ok(const struct blk_req *r, bool device_writes)
{
	for (unsigned i = 0; i < r->ndata; i++)
		if (r->data[i].len && r->data[i].device_writes != device_writes)
			return false;
	return true;
}

/* Checklist (as in virtio/virtq.c): lengths a multiple of 512; sector + length within the disk, checked arithmetic. */
static void rw_check(struct blk_req *r, uint64_t disk_bytes, bool read_only)
{
	bool in = r->type == BLK_REQ_READ;
	uint64_t start, end;

	if (!data_direction_ok(r, in)) {
		req_refuse(r, VIRTIO_BLK_S_IOERR, "%s: data must be device-%s", type_name(r->type),
			   in ? "writable" : "readable");
		return;
	}
	if (r->bytes == 0 || r->bytes % BLK_SECTOR) {
		req_refuse(r, VIRTIO_BLK_S_IOERR, "%s: %llu data bytes, not a non-zero multiple of %u", type_name(r->type),
			   (unsigned long long)r->bytes, BLK_SECTOR);
		return;
	}
	if (r->bytes > BLK_REQ_MAX_BYTES) {
		req_refuse(r, VIRTIO_BLK_S_IOERR, "%s: %llu data bytes, more than %u", type_name(r->type),
			   (unsigned long long)r->bytes, BLK_REQ_MAX_BYTES);
		return;
	}
	/* Firecracker's disk-corrupting off-by-one: the last byte, not the first, must be inside. */
	if (__builtin_mul_overflow(r->sector, BLK_SECTOR, &start) || __builtin_add_overflow(start, r->bytes, &end) ||
	    end > disk_bytes) {
		req_refuse(r, VIRTIO_BLK_S_IOERR, "%s: sector %llu + %llu bytes is past the end of the %llu-byte disk",
			   type_name(r->type), (unsigned long long)r->sector, (unsigned long long)r->bytes,
			   (unsigned long long)disk_bytes);
		return;
	}
	if (!in && read_only)
		req_refuse(r, VIRTIO_BLK_S_IOERR, "write: the disk is read-only");
}

/* A log mark's text, copied once (the guest may rewrite it meanwhile) and checked: it goes
 * into the log and onto `replay-log --list`'s lines, one a line. */
static void mark_copy(struct blk_req *r)
{
	size_t n = 0;

	if (!data_direction_ok(r, false) || r->bytes == 0 || r->bytes > VMS_BLK_LOG_MARK_MAX) {
		req_refuse(r, VIRTIO_BLK_S_IOERR, "log-mark: needs 1 to %u device-readable bytes, has %llu",
			   VMS_BLK_LOG_MARK_MAX, (unsigned long long)r->bytes);
		return;
	}
	for (unsigned i = 0; i < r->ndata; i++) {
		if (!r->data[i].len)
			continue;
		if (!r->data[i].host) {
			req_refuse(r, VIRTIO_BLK_S_IOERR, "log-mark: descriptor %u is not in guest RAM", i);
			return;
		}
		memcpy(r->mark + n, r->data[i].host, r->data[i].len); /* n + len <= bytes: checked above */
		n += r->data[i].len;
	}
	r->mark[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)r->mark[i] < 0x20 || (unsigned char)r->mark[i] > 0x7e) {
			req_refuse(r, VIRTIO_BLK_S_IOERR, "log-mark: byte %zu is %#x, not printable ASCII", i,
				   (unsigned)(unsigned char)r->mark[i]);
			return;
		}
	if (!strncmp(r->mark, "vmsweep-", 8))
		req_refuse(r, VIRTIO_BLK_S_IOERR, "log-mark: names starting \"vmsweep-\" are the host's");
}

void blk_req_parse(const struct virtq_chain *c, uint64_t disk_bytes, bool read_only, struct blk_req *r)
{
	uint8_t hdr[BLK_HDR_BYTES];
	uint32_t type;

	memset(r, 0, sizeof(*r));
	r->type = BLK_REQ_UNSUPPORTED;
	r->result = VIRTIO_BLK_S_OK;

	/* Found even for a refused request: the guest must learn it failed (checklist: always return the head). */
	int status_idx = status_find(c, r);
	if (c->error) {
		req_refuse(r, VIRTIO_BLK_S_IOERR, "malformed chain: %s", virtq_chain_error_name(c->error));
		return;
	}
	if (status_idx < 0) {
		req_refuse(r, VIRTIO_BLK_S_IOERR, "no device-writable status byte at the end of the chain");
		return;
	}
	int data_idx = header_copy(c, r, hdr);
	if (data_idx < 0)
		return;

	memcpy(&type, hdr, sizeof(type));
	memcpy(&r->sector, hdr + 8, sizeof(r->sector));
	type = le32toh(type);
	r->sector = le64toh(r->sector);
	switch (type) {
	case VIRTIO_BLK_T_IN:
		r->type = BLK_REQ_READ;
		break;
	case VIRTIO_BLK_T_OUT:
		r->type = BLK_REQ_WRITE;
		break;
	case VIRTIO_BLK_T_FLUSH:
		r->type = BLK_REQ_FLUSH;
		break;
	case VIRTIO_BLK_T_GET_ID:
		r->type = BLK_REQ_GET_ID;
		break;
	case VMS_VIRTIO_BLK_T_LOG_MARK:
		r->type = BLK_REQ_LOG_MARK;
		break;
	default:
		/* virtio 5.2.6.1: unknown types get UNSUPP, whatever their layout. */
		req_refuse(r, VIRTIO_BLK_S_UNSUPP, "request type %u not supported", type);
		return;
	}

	/* Header descriptors are readable and the status one writable, so data_idx <= status_idx. */
	if (c->seg[status_idx].len > 1) {
		req_refuse(r, VIRTIO_BLK_S_IOERR, "descriptor %d holds data and the status byte (unsupported framing)",
			   status_idx);
		return;
	}
	r->data = &c->seg[data_idx];
	r->ndata = (unsigned)(status_idx - data_idx);
	for (unsigned i = 0; i < r->ndata; i++)
		r->bytes += r->data[i].len; /* at most VIRTQ_MAX_SEGS * 4 GiB: no overflow */

	switch (r->type) {
	case BLK_REQ_READ:
	case BLK_REQ_WRITE:
		rw_check(r, disk_bytes, read_only);
		break;
	case BLK_REQ_FLUSH:
		if (r->bytes)
			req_refuse(r, VIRTIO_BLK_S_IOERR, "flush with %llu data bytes", (unsigned long long)r->bytes);
		break;
	case BLK_REQ_GET_ID:
		/* The caller writes the ID into data[0]: it must take all VIRTIO_BLK_ID_BYTES. */
		if (!r->ndata || !data_direction_ok(r, true) || r->data[0].len < VIRTIO_BLK_ID_BYTES)
			req_refuse(r, VIRTIO_BLK_S_IOERR, "get-id: needs one device-writable area of %u bytes",
				   VIRTIO_BLK_ID_BYTES);
		break;
	case BLK_REQ_LOG_MARK:
		mark_copy(r);
		break;
	case BLK_REQ_UNSUPPORTED:
		break;
	}
}
