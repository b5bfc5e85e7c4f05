/* The synchronous engine: preadv/pwritev/fdatasync in the queue's I/O thread. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "util/error.h"
#include "vmm/blk/blk_engine.h"

struct sync_data {
	int notify_fd;
};

static int sync_init(struct blk_queue_io *qio, const struct blk_engine_setup *setup, char *err, size_t errlen)
{
	struct sync_data *d = calloc(1, sizeof(*d));
	if (!d)
		return errorf(err, errlen, "out of memory");
	d->notify_fd = setup->notify_fd;
	qio->engine_data = d;
	return 0;
}

/* Whole transfers only: a short count is retried, 0 bytes is an error. */
static int do_rw(int fd, struct blk_io *io)
{
	uint64_t done = 0;
	unsigned i = 0;
	struct iovec iov[VIRTQ_MAX_SEGS]; /* advanced past what is done */
	for (unsigned k = 0; k < io->niov; k++)
		iov[k] = io->iov[k];
	while (done < io->bytes) {
		ssize_t n = io->type == BLK_REQ_READ ? preadv(fd, iov + i, (int)(io->niov - i), (off_t)(io->offset + done)) :
						       pwritev(fd, iov + i, (int)(io->niov - i), (off_t)(io->offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (uint64_t)n;
		while (i < io->niov && (size_t)n >= iov[i].iov_len)
			n -= (ssize_t)iov[i++].iov_len;
		if (i < io->niov) {
			iov[i].iov_base = (char *)iov[i].iov_base + n;
			iov[i].iov_len -= (size_t)n;
		}
	}
	return (int)done;
}

void blk_io_run_sync(const struct blk_queue_io *qio, struct blk_io *io)
{
	if (io->type == BLK_REQ_FLUSH)
		io->result = qio->flush_is_noop || fdatasync(qio->fd) == 0 ? 0 : -errno;
	else
		io->result = do_rw(qio->fd, io);
}

static void sync_submit(struct blk_queue_io *qio, struct blk_io *io)
{
	blk_io_run_sync(qio, io);
	qio->complete(qio, io);
}

/* Nothing is ever in flight: a wait is for the notify fd, at most 100 ms. */
static unsigned sync_reap(struct blk_queue_io *qio, uint64_t wait_ns)
{
	struct sync_data *d = qio->engine_data;
	if (wait_ns) {
		uint64_t ns = wait_ns < 100000000ull ? wait_ns : 100000000ull;
		struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };
		struct pollfd p = { .fd = d->notify_fd, .events = POLLIN };
		if (ppoll(&p, 1, &ts, NULL) > 0)
			qio->notified = true;
	}
	return 0;
}

static void sync_exit(struct blk_queue_io *qio)
{
	free(qio->engine_data);
	qio->engine_data = NULL;
}

const struct blk_engine_ops blk_engine_sync = {
	.name = "sync", .init = sync_init, .submit = sync_submit, .reap = sync_reap, .exit = sync_exit,
};
