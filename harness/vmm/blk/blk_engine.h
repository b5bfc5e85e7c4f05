/*
 * How a virtio-blk queue does its I/O on the backing file: io_uring (default) or
 * synchronous pread/pwrite; an ops table, as fio's ioengine_ops.
 */
#ifndef VMM_BLK_ENGINE_H
#define VMM_BLK_ENGINE_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vmm/blk/virtio_blk_req.h"

struct blk_io {
	uint16_t head;
	enum blk_req_type type;
	uint64_t offset;
	struct iovec iov[VIRTQ_MAX_SEGS];
	unsigned niov;
	uint64_t bytes;
	uint8_t *status;
	uint32_t used_len; /* bytes the device wrote into the chain */
	int result; /* bytes done, or -errno */
	uint64_t due_ns; /* the disk model's: not completed to the guest before this (clock_now_ns); 0: none */
	uint64_t log_ticket; /* a flush's place in the disk's write log (write_log_flush_begin) */
	/* The only request in flight, in a run of such (queue depth 1): the engine may do it
	 * in the calling thread, as a synchronous call, which is what host fio's psync does. */
	bool alone;
	struct blk_io *next_free; /* also links the delayed completions */
};

#define BLK_REAP_WAIT UINT64_MAX

struct blk_queue_io;
typedef void (*blk_complete_fn)(struct blk_queue_io *qio, struct blk_io *io);

/* What a queue's engine is set up with. */
struct blk_engine_setup {
	unsigned depth; /* requests in flight at most */
	int notify_fd; /* the queue's ioeventfd: reap(wait) also returns when it fires */
	/* Guest RAM, one host mapping for the VM's life, every page present: the engine may
	 * pin it once (registered buffers). {NULL, 0}: not offered. */
	struct iovec ram;
};

struct blk_engine_ops {
	const char *name;
	int (*init)(struct blk_queue_io *qio, const struct blk_engine_setup *setup, char *err, size_t errlen);
	/* Optional: called once in the queue's I/O thread, before its first submit. */
	int (*attach)(struct blk_queue_io *qio, char *err, size_t errlen);
	/* Starts io; completion is reported through qio->complete (maybe at once). */
	void (*submit)(struct blk_queue_io *qio, struct blk_io *io);
	/* Hands finished I/O to qio->complete. With wait_ns, blocks until one finishes, the
	 * notify fd fires or wait_ns pass (BLK_REAP_WAIT: no limit). Returns completions. */
	unsigned (*reap)(struct blk_queue_io *qio, uint64_t wait_ns);
	void (*exit)(struct blk_queue_io *qio);
};

struct blk_queue_io {
	int fd;
	bool flush_is_noop; /* cache=unsafe */
	blk_complete_fn complete;
	void *owner;
	void *engine_data;
	bool notified; /* the engine saw the queue's notify fd fire */
};

extern const struct blk_engine_ops blk_engine_sync, blk_engine_io_uring;

/* Does io now, in the calling thread (preadv/pwritev/fdatasync): sets io->result. */
void blk_io_run_sync(const struct blk_queue_io *qio, struct blk_io *io);
#endif
