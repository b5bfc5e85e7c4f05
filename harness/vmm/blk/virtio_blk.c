/* virtio-blk (virtio 1.x 5.2) over virtio-mmio, served by per-queue I/O threads. */
#include <errno.h>
#include <stdarg.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/error.h"
#include "vmm/blk/virtio_blk.h"

#define BLK_SEG_MAX (VIRTQ_MAX_SEGS - 2)
/* Requests in a row that came alone before the engine may do them synchronously. */
#define BLK_LONE_STREAK 8

static void blk_note_error(struct virtio_blk_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void blk_note_error(struct virtio_blk_dev *d, const char *fmt, ...)
{
	pthread_mutex_lock(&d->log_lock);
	if (!d->first_error[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(d->first_error, sizeof(d->first_error), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&d->log_lock);
}

static void blk_config_read(struct virtio_mmio_dev *m, uint32_t off, void *buf, uint32_t len)
{
	struct virtio_blk_dev *d = m->priv;
	struct virtio_blk_config c = {
		.capacity = d->capacity / 512,
		.seg_max = BLK_SEG_MAX,
		.blk_size = 512,
		.num_queues = (uint16_t)d->nr_queues,
	};
	memset(buf, 0, len);
	if (off < sizeof(c))
		memcpy(buf, (uint8_t *)&c + off, len < sizeof(c) - off ? len : sizeof(c) - off);
}

/* An I/O is done for the guest: status byte, used ring. The interrupt is decided per batch. */
static void blk_finish(struct blk_queue *q, struct blk_io *io)
{
	struct virtio_blk_dev *d = q->dev;

	if (io->result < 0) {
		atomic_fetch_add(&d->stats.io_errors, 1);
		blk_note_error(d, "%s: %s of %llu bytes at byte %llu failed: %s", d->name,
			       io->type == BLK_REQ_READ ? "read" : io->type == BLK_REQ_WRITE ? "write" : "flush",
			       (unsigned long long)io->bytes, (unsigned long long)io->offset, strerror(-io->result));
	} else if (io->type == BLK_REQ_READ) {
		atomic_fetch_add(&d->stats.bytes_read, io->bytes);
	} else if (io->type == BLK_REQ_WRITE) {
		atomic_fetch_add(&d->stats.bytes_written, io->bytes);
	}
	*io->status = io->result < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	virtq_push(&q->vq, io->head, (io->type == BLK_REQ_READ && io->result >= 0 ? (uint32_t)io->bytes : 0) + 1);
	io->next_free = q->free_ios;
	q->free_ios = io;
}

static void blk_signal(struct blk_queue *q)
{
	uint64_t one = 1;
	if (virtq_need_interrupt(&q->vq)) {
		atomic_fetch_add(&q->dev->stats.interrupts, 1);
		if (write(q->irq_fd, &one, sizeof(one)) < 0)
			blk_note_error(q->dev, "%s: irqfd: %s", q->dev->name, strerror(errno));
	} else {
		atomic_fetch_add(&q->dev->stats.interrupts_suppressed, 1);
	}
}

/* A notification the engine saw: reset the eventfd so that the next wait blocks. */
static void blk_take_notification(struct blk_queue *q)
{
	uint64_t n;
	if (!q->qio.notified)
		return;
	q->qio.notified = false;
	if (read(q->notify_fd, &n, sizeof(n)) == sizeof(n))
		atomic_fetch_add(&q->dev->stats.notifications, 1);
}

/* The write log could not take an entry: the run ends (once), its log being incomplete. */
static void blk_log_failed(struct virtio_blk_dev *d)
{
	char msg[1200];
	if (atomic_exchange(&d->log_failed, true))
		return;
	snprintf(msg, sizeof(msg), "%s: %s", d->name, write_log_error(d->log));
	if (d->host_error)
		d->host_error(d->fatal_ctx, msg);
}

/* What reached the image, in the order the host's I/O completed: the data as the
 * device parsed and checked the request, and only when the host wrote all of it. */
static void blk_log_complete(struct virtio_blk_dev *d, const struct blk_io *io)
{
	int r = 0;
	if (io->type == BLK_REQ_WRITE && io->result >= 0)
		r = write_log_write(d->log, io->offset, io->iov, io->niov, io->bytes);
	else if (io->type == BLK_REQ_FLUSH)
		r = write_log_flush_end(d->log, io->log_ticket, io->result >= 0);
	if (r)
		blk_log_failed(d);
}

/* The engine finished an I/O: to the guest now, or when the disk model says it is due. */
static void blk_complete(struct blk_queue_io *qio, struct blk_io *io)
{
	struct blk_queue *q = qio->owner;

	if (q->dev->log) /* before the guest can know of it: a flush it issues next comes after */
		blk_log_complete(q->dev, io);

	q->inflight--;
	if (!io->due_ns) {
		blk_finish(q, io);
		return;
	}
	if (clock_now_ns() >= io->due_ns) {
		atomic_fetch_add(&q->dev->stats.model_late, 1);
		blk_finish(q, io);
		return;
	}
	atomic_fetch_add(&q->dev->stats.model_held, 1);
	blk_due_push(&q->due, io);
}

/* Hands the guest the held completions that are due; how many. */
static unsigned blk_release_due(struct blk_queue *q, uint64_t now)
{
	unsigned n = 0;
	struct blk_io *io;
	while ((io = blk_due_pop(&q->due, now))) {
		blk_finish(q, io);
		n++;
	}
	return n;
}

/* Completions held: wait, with notifications on, for the engine's next completion or the
 * guest's next request, until shortly before the soonest is due; then spin to it. A
 * sleeping thread wakes tens to a hundred microseconds late on the project's machines. */
#define DUE_SPIN_NS 100000ull
static void blk_wait_due(struct blk_queue *q)
{
	uint64_t now = clock_now_ns(), due = blk_due_peek(&q->due)->due_ns;
	if (due <= now + DUE_SPIN_NS) {
		__builtin_ia32_pause();
		return;
	}
	if (virtq_enable_notify(&q->vq)) {
		virtq_disable_notify(&q->vq);
		return;
	}
	uint64_t wait = due - now - DUE_SPIN_NS;
	if (q->inflight) { /* the engine's wait also watches the notify fd */
		unsigned n = q->dev->engine->reap(&q->qio, wait);
		virtq_disable_notify(&q->vq);
		blk_take_notification(q);
		if (n)
			blk_signal(q); /* completions already due went to the guest */
		return;
	}
	struct timespec ts = { (time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull) };
	struct pollfd p = { .fd = q->notify_fd, .events = POLLIN };
	if (ppoll(&p, 1, &ts, NULL) > 0) {
		uint64_t n;
		if (read(q->notify_fd, &n, sizeof(n)) == sizeof(n))
			atomic_fetch_add(&q->dev->stats.notifications, 1);
	}
	virtq_disable_notify(&q->vq);
}

/* A request that is refused still goes back, with its status, so the guest never waits for it. */
static void blk_refuse(struct blk_queue *q, const struct virtq_chain *c, const struct blk_req *r)
{
	struct virtio_blk_dev *d = q->dev;
	atomic_fetch_add(r->result == VIRTIO_BLK_S_UNSUPP ? &d->stats.unsupported : &d->stats.refused, 1);
	blk_note_error(d, "%s: request refused: %s", d->name, r->why);
	if (r->status)
		*r->status = r->result;
	virtq_push(&q->vq, c->head, r->status ? 1 : 0);
}

/* A free request slot, made when none is left and the queue may have more in flight;
 * NULL when the queue's size is in flight, or the host is out of memory. */
static struct blk_io *blk_io_get(struct blk_queue *q)
{
	if (!q->free_ios && q->nr_ios < q->max_ios) {
		struct blk_io_chunk *c = malloc(sizeof(*c));
		unsigned n = q->max_ios - q->nr_ios < BLK_IO_CHUNK ? q->max_ios - q->nr_ios : BLK_IO_CHUNK;
		if (c) {
			c->next = q->chunks;
			q->chunks = c;
			for (unsigned k = 0; k < n; k++) {
				c->io[k].next_free = q->free_ios;
				q->free_ios = &c->io[k];
			}
			q->nr_ios += n;
		}
	}
	struct blk_io *io = q->free_ios;
	if (io)
		q->free_ios = io->next_free;
	return io;
}

/* Whether a chain may be popped: a slot is free or can be made. */
static bool blk_io_room(const struct blk_queue *q)
{
	return q->free_ios || q->nr_ios < q->max_ios;
}

static void blk_ios_free(struct blk_queue *q)
{
	blk_due_free(&q->due);
	while (q->chunks) {
		struct blk_io_chunk *c = q->chunks;
		q->chunks = c->next;
		free(c);
	}
	q->free_ios = NULL;
	q->nr_ios = 0;
}

/* A mark of the guest's into the write log, at once: after every write and flush the host
 * logged so far, which includes all the guest had seen complete when it sent this. */
static void blk_log_mark(struct blk_queue *q, const struct virtq_chain *c, struct blk_req *r)
{
	struct virtio_blk_dev *d = q->dev;

	if (!d->log) {
		r->result = VIRTIO_BLK_S_UNSUPP;
		snprintf(r->why, sizeof(r->why), "log-mark: the disk has no write log");
		blk_refuse(q, c, r);
		return;
	}
	int err = write_log_mark(d->log, r->mark);
	if (err)
		blk_log_failed(d);
	*r->status = err ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	virtq_push(&q->vq, c->head, 1);
}

static void blk_handle_chain(struct blk_queue *q, struct virtq_chain *c)
{
	struct virtio_blk_dev *d = q->dev;
	struct blk_req r;

	q->requests++;
	blk_req_parse(c, d->capacity, d->cfg.read_only, &r);
	if (r.result != VIRTIO_BLK_S_OK) {
		blk_refuse(q, c, &r);
		return;
	}
	if (r.type == BLK_REQ_GET_ID) {
		char id[VIRTIO_BLK_ID_BYTES] = { 0 };
		snprintf(id, sizeof(id), "vmsweep-%s", d->name);
		memcpy(r.data[0].host, id, sizeof(id));
		*r.status = VIRTIO_BLK_S_OK;
		virtq_push(&q->vq, c->head, sizeof(id) + 1);
		return;
	}
	if (r.type == BLK_REQ_LOG_MARK) {
		blk_log_mark(q, c, &r);
		return;
	}
	struct blk_io *io = blk_io_get(q);
	if (!io) { /* out of host memory: the guest gets an I/O error, not a hang */
		r.result = VIRTIO_BLK_S_IOERR;
		snprintf(r.why, sizeof(r.why), "out of host memory for the request");
		blk_refuse(q, c, &r);
		return;
	}
	q->inflight++;
	/* Alone: a run of requests each the only one, and no other published behind it. */
	io->alone = q->lone_streak >= BLK_LONE_STREAK && q->inflight == 1 && !virtq_avail_pending(&q->vq);
	bool alone = io->alone;
	io->due_ns = d->modelled ? disk_model_sched_due(&d->model, clock_now_ns(),
						       r.type == BLK_REQ_READ ? DISK_MODEL_READ :
						       r.type == BLK_REQ_WRITE ? DISK_MODEL_WRITE : DISK_MODEL_FLUSH,
						       r.sector * 512, r.bytes) : 0;
	io->head = c->head;
	io->type = r.type;
	io->offset = r.sector * 512;
	io->bytes = r.bytes;
	io->status = r.status;
	io->niov = r.ndata;
	for (unsigned i = 0; i < r.ndata; i++)
		io->iov[i] = (struct iovec){ r.data[i].host, r.data[i].len };
	atomic_fetch_add(r.type == BLK_REQ_READ ? &d->stats.reads : r.type == BLK_REQ_WRITE ? &d->stats.writes :
										&d->stats.flushes,
			 1);
	/* A flush's entry goes where it is issued: after the writes completed so far, which it makes durable. */
	if (d->log && r.type == BLK_REQ_FLUSH && !(io->log_ticket = write_log_flush_begin(d->log)))
		blk_log_failed(d);
	d->engine->submit(&q->qio, io);
	if (alone && virtq_avail_pending(&q->vq))
		q->lone_streak = 0; /* the guest had another ready meanwhile: not depth 1 after all */
}

/* Sleeps until the guest notifies (or the device stops), with notifications enabled.
 * Whether the guest did (not a 100 ms timeout): then the wait says how long it took. */
static bool blk_queue_sleep(struct blk_queue *q)
{
	bool notified = false;

	if (virtq_enable_notify(&q->vq)) { /* something arrived meanwhile */
		virtq_disable_notify(&q->vq);
		return true;
	}
	struct pollfd p = { .fd = q->notify_fd, .events = POLLIN };
	if (poll(&p, 1, 100) > 0) {
		uint64_t n;
		notified = true;
		if (read(q->notify_fd, &n, sizeof(n)) == sizeof(n))
			atomic_fetch_add(&q->dev->stats.notifications, 1);
	}
	virtq_disable_notify(&q->vq);
	return notified;
}

/* The queue cannot go on: the VM ends the run with the cause. */
static void blk_queue_fail(struct blk_queue *q, const char *why)
{
	char msg[320];
	snprintf(msg, sizeof(msg), "%s queue %u: %s", q->dev->name, q->index, why);
	q->dev->fatal(q->dev->fatal_ctx, msg);
}

static void *blk_queue_thread(void *arg)
{
	struct blk_queue *q = arg;
	struct virtio_blk_dev *d = q->dev;
	struct virtq_chain chain;
	char err[256];
	uint64_t last_work = clock_now_ns();

	if (d->engine->attach && d->engine->attach(&q->qio, err, sizeof(err)) != 0) {
		blk_queue_fail(q, err);
		return NULL;
	}
	virtq_disable_notify(&q->vq);
	while (!atomic_load(&d->stopping)) {
		bool progress = false, busy = q->inflight != 0;
		unsigned popped = 0;
		int r = 0;
		while (blk_io_room(q) && (r = virtq_pop(&q->vq, d->mem, &chain, err, sizeof(err))) == 1) {
			blk_handle_chain(q, &chain);
			progress = true;
			popped++;
		}
		if (popped)
			q->lone_streak = popped == 1 && !busy ? q->lone_streak + 1 : 0;
		if (blk_io_room(q) && r < 0) {
			blk_queue_fail(q, err);
			break;
		}
		if (d->engine->reap(&q->qio, 0))
			progress = true;
		if (blk_due_peek(&q->due) && blk_release_due(q, clock_now_ns()))
			progress = true;
		if (progress) {
			blk_signal(q);
			last_work = clock_now_ns();
			continue;
		}
		if (blk_due_peek(&q->due)) {
			blk_wait_due(q);
			continue;
		}
		if (q->inflight) {
			/* Wait for a completion or a new request: with notifications enabled, so that a
			 * request the guest adds meanwhile does not wait for the next completion. */
			if (virtq_enable_notify(&q->vq)) {
				virtq_disable_notify(&q->vq);
				continue;
			}
			d->engine->reap(&q->qio, BLK_REAP_WAIT);
			virtq_disable_notify(&q->vq);
			blk_take_notification(q);
			blk_signal(q);
			last_work = clock_now_ns(); /* spin again for the guest's answer */
			continue;
		}
		/* Spin a while for the guest's next request: a thread that sleeps is woken tens
		 * of microseconds later here. The window adapts to how long the guest took
		 * (vmsweep/poll_window.h). */
		if (clock_now_ns() - last_work < q->poll_window.ns) {
			__builtin_ia32_pause();
			continue;
		}
		if (blk_queue_sleep(q))
			vms_poll_window_adjust(&q->poll_window, clock_now_ns() - last_work);
		last_work = clock_now_ns();
	}
	while (q->inflight) /* let the host finish what it started before the guest memory goes */
		d->engine->reap(&q->qio, BLK_REAP_WAIT);
	q->due.n = 0; /* the guest is going: its slots are freed with the queue */
	return NULL;
}

static void blk_stop(struct virtio_mmio_dev *m);

static int blk_start(struct virtio_mmio_dev *m, char *err, size_t errlen)
{
	struct virtio_blk_dev *d = m->priv;
	bool event_idx = virtio_mmio_negotiated(m, VIRTIO_RING_F_EVENT_IDX);

	atomic_store(&d->stopping, false);
	if (d->modelled)
		disk_model_sched_reset(&d->model);
	for (unsigned i = 0; i < d->nr_queues; i++) {
		struct blk_queue *q = &d->q[i];
		struct virtio_mmio_queue *mq = &m->q[i];
		if (!mq->ready)
			continue;
		if (virtq_init(&q->vq, d->mem, (uint16_t)mq->num, mq->desc, mq->driver, mq->device, event_idx, err,
			       errlen) != 0)
			goto fail;
		blk_ios_free(q); /* made as requests come (blk_io_get) */
		q->max_ios = mq->num;
		q->inflight = 0;
		if (blk_due_init(&q->due, mq->num) != 0) {
			errorf(err, errlen, "out of memory for %s queue %u", d->name, i);
			goto fail;
		}
		q->lone_streak = 0;
		vms_poll_window_init(&q->poll_window, d->tuning.poll_ns);
		q->qio = (struct blk_queue_io){ .fd = d->fd, .flush_is_noop = d->cfg.cache == DISK_CACHE_UNSAFE,
						.complete = blk_complete, .owner = q };
		/* RAM is offered for pinning only when it is all present already: pinning
		 * would otherwise populate it, against --no-prefault. */
		struct blk_engine_setup setup = { .depth = mq->num, .notify_fd = q->notify_fd };
		if (d->mem->populated)
			setup.ram = (struct iovec){ d->mem->host, d->mem->size };
		if (d->engine->init(&q->qio, &setup, err, errlen) != 0)
			goto fail;
		pthread_attr_t attr;
		int r = pthread_attr_init(&attr);
		if (r == 0 && d->tuning.io_pinned)
			r = pthread_attr_setaffinity_np(&attr, sizeof(d->tuning.io_cpus), &d->tuning.io_cpus);
		if (r == 0)
			r = pthread_create(&q->thread, &attr, blk_queue_thread, q);
		pthread_attr_destroy(&attr);
		if (r != 0) {
			errorf(err, errlen, "cannot start the I/O thread of %s queue %u", d->name, i);
			d->engine->exit(&q->qio);
			goto fail;
		}
		q->running = true;
		char name[16]; /* vda.q0: the disk and queue it serves, for top -H */
		snprintf(name, sizeof(name), "%.3s.q%u", d->name, i); /* vdX: 3 letters */
		pthread_setname_np(q->thread, name);
	}
	return 0;
fail:
	/* Undo what started: the queues already running, and this one's allocations. */
	blk_stop(m);
	for (unsigned i = 0; i < d->nr_queues; i++)
		blk_ios_free(&d->q[i]);
	return -1;
}

static void blk_stop(struct virtio_mmio_dev *m)
{
	struct virtio_blk_dev *d = m->priv;
	uint64_t one = 1;

	atomic_store(&d->stopping, true);
	for (unsigned i = 0; i < d->nr_queues; i++) {
		struct blk_queue *q = &d->q[i];
		if (!q->running)
			continue;
		if (write(q->notify_fd, &one, sizeof(one)) < 0) {
			/* the thread also wakes from its 100 ms poll */
		}
		pthread_join(q->thread, NULL);
		d->engine->exit(&q->qio);
		blk_ios_free(q);
		q->running = false;
	}
}

static const struct virtio_dev_ops virtio_blk_ops = {
	.name = "virtio-blk", .device_id = VIRTIO_ID_BLOCK, .config_read = blk_config_read, .start = blk_start,
	.stop = blk_stop,
};

int virtio_blk_create(struct virtio_blk_dev *d, unsigned index, const struct disk_config *cfg, uint64_t base,
		      unsigned nr_queues, const struct guest_mem *mem, const struct virtio_blk_tuning *tuning, char *err,
		      size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	snprintf(d->name, sizeof(d->name), "vd%c", 'a' + index);
	d->cfg = *cfg;
	d->mem = mem;
	d->tuning = *tuning;
	d->nr_queues = nr_queues;
	d->engine = cfg->engine == DISK_ENGINE_SYNC ? &blk_engine_sync : &blk_engine_io_uring;
	pthread_mutex_init(&d->log_lock, NULL);
	for (unsigned i = 0; i < nr_queues; i++)
		d->q[i] = (struct blk_queue){ .dev = d, .index = i, .notify_fd = -1, .irq_fd = -1 };
	if (disk_open(cfg, &d->fd, &d->capacity, err, errlen) != 0)
		return -1;
	if (cfg->log[0]) {
		char why[1200];
		if (write_log_open(&d->log, cfg->log, cfg->path, d->capacity, why, sizeof(why)))
			return errorf(err, errlen, "--disk %s: %s", cfg->path, why);
	}
	if (disk_model_active(&cfg->model)) {
		struct disk_model m = cfg->model;
		if (disk_model_resolve(&m, d->capacity, err, errlen) != 0) {
			char why[256];
			snprintf(why, sizeof(why), "%s", err);
			return errorf(err, errlen, "--disk %s: %s", cfg->path, why);
		}
		disk_model_sched_init(&d->model, &m);
		d->modelled = true;
	}
	for (unsigned i = 0; i < nr_queues; i++) {
		d->q[i].notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		d->q[i].irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (d->q[i].notify_fd < 0 || d->q[i].irq_fd < 0)
			return errorf(err, errlen, "eventfd: %s", strerror(errno));
	}
	uint64_t features = 1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
			    1ull << VIRTIO_RING_F_EVENT_IDX | (nr_queues > 1 ? 1ull << VIRTIO_BLK_F_MQ : 0) |
			    (cfg->read_only ? 1ull << VIRTIO_BLK_F_RO : 0);
	virtio_mmio_init(&d->mmio, &virtio_blk_ops, d, d->name, base, features, nr_queues, VIRTQ_MAX_SIZE);
	return 0;
}

int virtio_blk_finish(struct virtio_blk_dev *d, char *err, size_t errlen)
{
	int r = 0;
	if (d->log) {
		char why[1200];
		write_log_stats_get(d->log, &d->log_stats);
		r = write_log_close(d->log, why, sizeof(why));
		d->log = NULL;
		if (r)
			errorf(err, errlen, "%s: %s", d->name, why);
	}
	/* the image as the guest left it: the queues are stopped, nothing is in flight */
	if (d->cfg.fsck)
		disk_fsck_run(d->cfg.path, &d->fsck);
	return r;
}

void virtio_blk_destroy(struct virtio_blk_dev *d)
{
	write_log_close(d->log, NULL, 0); /* a run that never started: what the log has is kept */
	d->log = NULL;
	virtio_mmio_destroy(&d->mmio);
	for (unsigned i = 0; i < d->nr_queues; i++) {
		if (d->q[i].notify_fd >= 0)
			close(d->q[i].notify_fd);
		if (d->q[i].irq_fd >= 0)
			close(d->q[i].irq_fd);
	}
	if (d->fd >= 0)
		close(d->fd);
	if (d->modelled)
		disk_model_sched_destroy(&d->model);
	pthread_mutex_destroy(&d->log_lock);
}
