/*
 * A virtio-blk request (virtio 1.x 5.2.6) read from a popped chain, trusting nothing
 * in it: header (16 bytes, device-readable), data, status (1 byte, device-writable).
 *
 * Framing (virtio 2.6.4: no assumption about how the driver splits the buffer): the
 * header is the first 16 bytes of the chain and may span descriptors; the status is
 * the last byte of the chain's last non-empty descriptor. Data is handed to the
 * caller as whole descriptors, so a descriptor that mixes header or status bytes
 * with data is refused (Linux never builds one).
 */
#ifndef VMM_VIRTIO_BLK_REQ_H
#define VMM_VIRTIO_BLK_REQ_H
#include <stdbool.h>
#include <stdint.h>

#include "vmm/virtio/virtq.h"
#include "vmsweep/abi.h"

/* The most data one request may carry: what a single preadv/pwritev moves on Linux
 * (MAX_RW_COUNT), so it fits an int result and the used ring's 32-bit len. */
#define BLK_REQ_MAX_BYTES 0x7ffff000u

enum blk_req_type {
	BLK_REQ_READ,
	BLK_REQ_WRITE,
	BLK_REQ_FLUSH,
	BLK_REQ_GET_ID,
	BLK_REQ_LOG_MARK, /* VMS_VIRTIO_BLK_T_LOG_MARK: a mark for the write log */
	BLK_REQ_UNSUPPORTED,
};

struct blk_req {
	enum blk_req_type type;
	uint64_t sector;
	uint64_t bytes; /* data bytes */
	unsigned ndata;
	const struct virtq_seg *data; /* into the chain; NULL (ndata 0) unless result is OK */
	uint8_t *status; /* checked pointer, or NULL if no usable status byte */
	/* VIRTIO_BLK_S_OK, or the status to return: IOERR for a refused request, UNSUPP for unknown types */
	uint8_t result;
	char why[128]; /* why the request was refused; empty when result is OK */
	char mark[VMS_BLK_LOG_MARK_MAX + 1]; /* LOG_MARK: its text, copied and checked, NUL-terminated */
};

/*
 * disk_bytes: the disk size; read_only. Fills r; never fails to produce a result the
 * caller can put in the status byte. With result OK: READ and WRITE have a non-zero
 * multiple of 512 data bytes inside the disk, all device-writable (READ) or
 * device-readable (WRITE); FLUSH has none; GET_ID's data[0] is device-writable and
 * at least VIRTIO_BLK_ID_BYTES long; LOG_MARK's text is in mark (1 to
 * VMS_BLK_LOG_MARK_MAX printable ASCII characters, not starting "vmsweep-", the host's
 * own marks); status is non-NULL.
 */
void blk_req_parse(const struct virtq_chain *c, uint64_t disk_bytes, bool read_only, struct blk_req *r);
#endif
