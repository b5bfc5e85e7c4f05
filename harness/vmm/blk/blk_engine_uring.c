/*
 * The io_uring engine (liburing): requests are prepared as they are popped and
 * submitted in one system call per batch; the queue's notify eventfd is polled
 * through the ring too, so one wait covers both completions and new requests.
 * Guest RAM is registered with the ring (fixed buffers) when the device offers it:
 * a single-segment request then needs no page pinning per I/O.
 *
 * The ring defers its completion work to the I/O thread (IORING_SETUP_DEFER_TASKRUN):
 * completions are run when the thread asks, not by interrupting it one by one. The
 * thread never spins while I/O is in flight (it waits in the ring), so nothing waits
 * for the asking. Measured here (4k randwrite qd32, 2 vCPUs, 3 interleaved runs): hybrid
 * 99-116k -> 122-128k IOPS with host fio at 142-149k; irq 71-83k -> 84-87k; QD1 and the
 * fdatasync log unchanged in irq mode (9.6-10.1k, 4.3-4.6k both ways). (An older loop,
 * which spun while I/O was in flight, lost 19 % with it in irq mode: no longer so.)
 *
 * Requests are submitted in small groups as they are popped (SUBMIT_BATCH), not all at
 * once after the pop loop: the host's disk starts on the first while the thread parses
 * the rest. One submission of the guest's whole batch kept the I/Os in lockstep: the
 * disk finished them together, the guest answered with a batch again (31 per pop at
 * QD32, completions 28-30 per reap). In groups of 4: 16-18 per pop, 8-9 per reap.
 */
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/error.h"
#include "vmm/blk/blk_engine.h"

#define NOTIFY_TAG 1ull /* user_data of the poll on the notify fd; no blk_io sits at address 1 */
/* Registering pins every page, per queue, at device start: ~20 ms per GiB per queue on
 * the project's machines (1 GiB, 2 queues: +30-45 ms to boot), so only RAM up to this
 * size is registered (128 MiB, the default: no measurable cost). */
#define RAM_REGISTER_MAX (256ull << 20)
/* Requests prepared before they are submitted. Measured (4k randwrite qd32, 3 interleaved
 * runs; 1 vCPU pinned / 2 vCPUs): whole batches 117-125k / 87-122k IOPS, groups of 1
 * 129-139k / 123-130k, of 4 130-138k / 121-128k, of 8 (2 vCPUs) 123-129k; host fio 140-143k.
 * 4: as good as 1 at a quarter of the system calls. */
#define SUBMIT_BATCH 4u

struct uring_data {
	struct io_uring ring;
	int notify_fd;
	bool poll_armed;
	unsigned unsubmitted;
	unsigned inflight; /* requests in the ring */
	bool deferred; /* DEFER_TASKRUN: completions posted only when this thread asks */
	uint8_t *ram; /* guest RAM registered as fixed buffer 0; NULL: none */
	uint64_t ram_size;
};

/* Registers ram as fixed buffer 0. Failure (RLIMIT_MEMLOCK without CAP_IPC_LOCK, say)
 * only costs speed: requests then go unregistered. */
static void ram_register(struct uring_data *d, const struct iovec *ram)
{
	if (ram->iov_len > RAM_REGISTER_MAX || io_uring_register_buffers(&d->ring, ram, 1) != 0)
		return;
	d->ram = ram->iov_base;
	d->ram_size = ram->iov_len;
}

/* Whether seg lies wholly in the registered RAM. */
static bool ram_holds(const struct uring_data *d, const struct iovec *seg)
{
	uintptr_t base = (uintptr_t)d->ram, p = (uintptr_t)seg->iov_base;
	return d->ram && p >= base && p - base < d->ram_size && seg->iov_len <= d->ram_size - (p - base);
}

/* The submission queue holds a batch, not the queue's depth: a fuller batch is submitted
 * in parts (get_sqe). The completion queue holds every request in flight and the notify
 * poll, so that none overflows. Sized by the depth both were 2 * (depth + 1) rounded up
 * to a power of two: 192 KiB of ring per 1024-entry queue, 40 KiB now. */
#define SQ_ENTRIES_MAX 128u

static int ring_init(struct io_uring *ring, unsigned depth, unsigned flags)
{
	struct io_uring_params p = { .flags = flags | IORING_SETUP_CQSIZE, .cq_entries = depth + 1 };
	return io_uring_queue_init_params(depth + 1 < SQ_ENTRIES_MAX ? depth + 1 : SQ_ENTRIES_MAX, ring, &p);
}

static int uring_init(struct blk_queue_io *qio, const struct blk_engine_setup *setup, char *err, size_t errlen)
{
	struct uring_data *d = calloc(1, sizeof(*d));
	if (!d)
		return errorf(err, errlen, "out of memory");
	/* Created disabled: a SINGLE_ISSUER ring belongs to the task that enables it, the I/O
	 * thread (attach). Kernels before 6.1 refuse the flags: plain ring. */
	int r = ring_init(&d->ring, setup->depth, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
							  IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_R_DISABLED);
	d->deferred = r == 0;
	if (r < 0)
		r = ring_init(&d->ring, setup->depth, 0);
	if (r < 0) {
		errorf(err, errlen, "io_uring_queue_init: %s (use engine=sync)", strerror(-r));
		free(d);
		return -1;
	}
	if (setup->ram.iov_len)
		ram_register(d, &setup->ram);
	d->notify_fd = setup->notify_fd;
	qio->engine_data = d;
	return 0;
}

/* In the I/O thread: it becomes the deferred ring's only issuer. */
static int uring_attach(struct blk_queue_io *qio, char *err, size_t errlen)
{
	struct uring_data *d = qio->engine_data;
	/* liburing 2.3 declares io_uring_enable_rings but does not export it */
	if (d->deferred && syscall(__NR_io_uring_register, d->ring.ring_fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0) < 0)
		return errorf(err, errlen, "io_uring: cannot enable the ring: %s", strerror(errno));
	return 0;
}

static struct io_uring_sqe *get_sqe(struct uring_data *d)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&d->ring);
	if (!sqe) { /* full: submit what is there to make room */
		io_uring_submit(&d->ring);
		d->unsubmitted = 0;
		sqe = io_uring_get_sqe(&d->ring);
	}
	return sqe;
}

static void uring_submit(struct blk_queue_io *qio, struct blk_io *io)
{
	struct uring_data *d = qio->engine_data;

	if (io->type == BLK_REQ_FLUSH && qio->flush_is_noop) {
		io->result = 0;
		qio->complete(qio, io);
		return;
	}
	/* At queue depth 1 a synchronous call is the shortest path: measured here, 4k
	 * random writes at QD1 ran ~1.0 of host fio's psync inline, 0.55-0.85 through the
	 * ring (a blocked thread's wake-up, or task work's IPI to a spinning one). And
	 * io_uring hands an fsync to a worker thread (io-wq): with nothing else in flight
	 * the flush is done here too. */
	if ((io->alone || io->type == BLK_REQ_FLUSH) && !d->inflight && !d->unsubmitted) {
		blk_io_run_sync(qio, io);
		qio->complete(qio, io);
		return;
	}
	struct io_uring_sqe *sqe = get_sqe(d);
	if (!sqe) {
		io->result = -EAGAIN;
		qio->complete(qio, io);
		return;
	}
	bool fixed = io->type != BLK_REQ_FLUSH && io->niov == 1 && ram_holds(d, &io->iov[0]);
	if (fixed && io->type == BLK_REQ_READ)
		io_uring_prep_read_fixed(sqe, qio->fd, io->iov[0].iov_base, (unsigned)io->iov[0].iov_len, io->offset, 0);
	else if (fixed)
		io_uring_prep_write_fixed(sqe, qio->fd, io->iov[0].iov_base, (unsigned)io->iov[0].iov_len, io->offset, 0);
	else if (io->type == BLK_REQ_READ)
		io_uring_prep_readv(sqe, qio->fd, io->iov, io->niov, io->offset);
	else if (io->type == BLK_REQ_WRITE)
		io_uring_prep_writev(sqe, qio->fd, io->iov, io->niov, io->offset);
	else
		io_uring_prep_fsync(sqe, qio->fd, IORING_FSYNC_DATASYNC);
	io_uring_sqe_set_data(sqe, io);
	d->inflight++;
	if (++d->unsubmitted >= SUBMIT_BATCH && io_uring_submit(&d->ring) >= 0)
		d->unsubmitted = 0;
}

static unsigned uring_reap(struct blk_queue_io *qio, uint64_t wait_ns)
{
	struct uring_data *d = qio->engine_data;
	struct io_uring_cqe *cqe;
	unsigned n = 0, head;
	bool wait = wait_ns != 0;

	if (wait && !d->poll_armed) {
		struct io_uring_sqe *sqe = get_sqe(d);
		if (sqe) {
			io_uring_prep_poll_add(sqe, d->notify_fd, POLLIN);
			io_uring_sqe_set_data64(sqe, NOTIFY_TAG);
			d->poll_armed = true;
			d->unsubmitted++;
		}
	}
	if (d->unsubmitted || wait) {
		int r;
		if (wait && wait_ns != BLK_REAP_WAIT) { /* a held completion falls due: wait no longer */
			struct __kernel_timespec ts = { (long long)(wait_ns / 1000000000ull),
							(long long)(wait_ns % 1000000000ull) };
			struct io_uring_cqe *first;
			r = io_uring_submit_and_wait_timeout(&d->ring, &first, 1, &ts, NULL);
			if (r == -ETIME)
				r = 0;
		} else {
			r = wait ? io_uring_submit_and_wait(&d->ring, 1) : io_uring_submit(&d->ring);
		}
		if (r >= 0 || r == -EINTR)
			d->unsubmitted = 0;
	} else if (d->deferred && (IO_URING_READ_ONCE(*d->ring.sq.kflags) & IORING_SQ_TASKRUN)) {
		io_uring_get_events(&d->ring); /* completions wait as task work until asked for */
	}
	io_uring_for_each_cqe(&d->ring, head, cqe) {
		n++;
		if (cqe->user_data == NOTIFY_TAG) {
			d->poll_armed = false;
			qio->notified = true;
			continue;
		}
		struct blk_io *io = (struct blk_io *)(uintptr_t)cqe->user_data;
		d->inflight--;
		io->result = (io->type != BLK_REQ_FLUSH && cqe->res >= 0 && (uint64_t)cqe->res != io->bytes) ? -EIO : cqe->res;
		qio->complete(qio, io);
	}
	io_uring_cq_advance(&d->ring, n);
	return n;
}

static void uring_exit(struct blk_queue_io *qio)
{
	struct uring_data *d = qio->engine_data;
	if (!d)
		return;
	io_uring_queue_exit(&d->ring);
	free(d);
	qio->engine_data = NULL;
}

const struct blk_engine_ops blk_engine_io_uring = {
	.name = "io_uring",
	.init = uring_init,
	.attach = uring_attach,
	.submit = uring_submit,
	.reap = uring_reap,
	.exit = uring_exit,
};
