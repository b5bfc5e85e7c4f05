/*
 * The write log as the virtio-blk device keeps it: requests of two queues at once, on
 * both engines, reach the log as they reached the image (a replay rebuilds it byte for
 * byte, every write once, every flush after the writes completed before it was issued),
 * a log that cannot be written ends the run as a host error naming the cause, and the
 * guest's log marks land after every completion it had seen, checked.
 */
#include <fcntl.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "vmm/blk/virtio_blk.h"

#define RAM (16u << 20)
#define DISK (1u << 20)
#define QSIZE 128 /* descriptors: 4 a request */
#define PER_QUEUE 24 /* writes; then a flush */

struct fixture {
	struct guest_mem mem;
	struct virtio_blk_dev dev;
	char img[64], log[64];
	char host_error[1200];
};

static void reg_write(struct virtio_mmio_dev *m, uint64_t off, uint32_t v)
{
	virtio_mmio_access(m, off, (uint8_t *)&v, 4, true);
}

static void on_fatal(void *ctx, const char *msg)
{
	fail_msg("the device refused the test's own requests: %s", msg);
	(void)ctx;
}

static void on_host_error(void *ctx, const char *msg)
{
	struct fixture *f = ctx;
	snprintf(f->host_error, sizeof(f->host_error), "%s", msg);
}

static struct fixture *fixture_make(enum disk_engine engine, bool log)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[1200];
	f->mem.size = RAM;
	f->mem.host = aligned_alloc(4096, RAM);
	memset(f->mem.host, 0, RAM);
	snprintf(f->img, sizeof(f->img), "/tmp/vmsweep-test-blklog-%d.img", getpid());
	snprintf(f->log, sizeof(f->log), "/tmp/vmsweep-test-blklog-%d.log", getpid());
	unlink(f->img);
	struct disk_config cfg = { .size = DISK, .engine = engine, .cache = DISK_CACHE_WRITEBACK };
	snprintf(cfg.path, sizeof(cfg.path), "%s", f->img);
	if (log)
		snprintf(cfg.log, sizeof(cfg.log), "%s", f->log);
	if (virtio_blk_create(&f->dev, 0, &cfg, 0, 2, &f->mem, &(struct virtio_blk_tuning){ .poll_ns = 0 }, err,
			      sizeof(err)))
		fail_msg("virtio_blk_create: %s", err);
	f->dev.fatal = on_fatal;
	f->dev.host_error = on_host_error;
	f->dev.fatal_ctx = f;
	return f;
}

static void fixture_free(struct fixture *f)
{
	virtio_blk_destroy(&f->dev);
	free(f->mem.host);
	unlink(f->img);
	unlink(f->log);
	free(f);
}

/* Queue q's rings and requests, 1 MiB apart in guest RAM. */
static uint64_t q_base(unsigned q)
{
	return 0x100000 + (uint64_t)q * 0x100000;
}

static void driver_start(struct virtio_mmio_dev *m)
{
	reg_write(m, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	reg_write(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg_write(m, VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	reg_write(m, VIRTIO_MMIO_STATUS, 0xb);
	for (uint32_t q = 0; q < 2; q++) {
		reg_write(m, VIRTIO_MMIO_QUEUE_SEL, q);
		reg_write(m, VIRTIO_MMIO_QUEUE_NUM, QSIZE);
		reg_write(m, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)q_base(q));
		reg_write(m, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(q_base(q) + 0x1000));
		reg_write(m, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(q_base(q) + 0x2000));
		reg_write(m, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	reg_write(m, VIRTIO_MMIO_STATUS, 0xf);
}

/* Request i of queue q: a write of 4 KiB (two 2 KiB segments) at its own place, filled
 * with a byte of its own, or a flush (data NULL). */
static void request_post(struct fixture *f, unsigned q, uint16_t i, uint64_t sector, int byte, bool flush)
{
	uint8_t *ram = f->mem.host;
	uint64_t base = q_base(q), req = base + 0x10000 + (uint64_t)i * 0x2000;
	struct vring_desc *d = (struct vring_desc *)(ram + base);
	struct vring_avail *a = (struct vring_avail *)(ram + base + 0x1000);
	struct virtio_blk_outhdr h = { .type = flush ? VIRTIO_BLK_T_FLUSH : VIRTIO_BLK_T_OUT, .sector = sector };
	memcpy(ram + req, &h, sizeof(h));
	uint16_t k = (uint16_t)(4 * i);
	d[k] = (struct vring_desc){ req, sizeof(h), VRING_DESC_F_NEXT, (uint16_t)(k + 1) };
	if (!flush) {
		d[k + 1] = (struct vring_desc){ req + 0x800, 2048, VRING_DESC_F_NEXT, (uint16_t)(k + 2) };
		d[k + 2] = (struct vring_desc){ req + 0x1000, 2048, VRING_DESC_F_NEXT, (uint16_t)(k + 3) };
		memset(ram + req + 0x800, byte, 4096); /* straddles a page: two descriptors */
	} else {
		d[k].next = (uint16_t)(k + 3);
	}
	d[k + 3] = (struct vring_desc){ req + 0x1f00, 1, VRING_DESC_F_WRITE, 0 };
	ram[req + 0x1f00] = 0xff;
	a->ring[i % QSIZE] = k;
}

/* Request i of queue q: a log mark of len bytes of text (a guest's: any bytes, any length). */
static void mark_post(struct fixture *f, unsigned q, uint16_t i, const char *text, uint32_t len)
{
	uint8_t *ram = f->mem.host;
	uint64_t base = q_base(q), req = base + 0x10000 + (uint64_t)i * 0x2000;
	struct vring_desc *d = (struct vring_desc *)(ram + base);
	struct vring_avail *a = (struct vring_avail *)(ram + base + 0x1000);
	struct virtio_blk_outhdr h = { .type = VMS_VIRTIO_BLK_T_LOG_MARK };
	memcpy(ram + req, &h, sizeof(h));
	memcpy(ram + req + 0x800, text, len);
	uint16_t k = (uint16_t)(4 * i);
	d[k] = (struct vring_desc){ req, sizeof(h), VRING_DESC_F_NEXT, (uint16_t)(k + 1) };
	d[k + 1] = (struct vring_desc){ req + 0x800, len, VRING_DESC_F_NEXT, (uint16_t)(k + 3) };
	d[k + 3] = (struct vring_desc){ req + 0x1f00, 1, VRING_DESC_F_WRITE, 0 };
	ram[req + 0x1f00] = 0xff;
	a->ring[i % QSIZE] = k;
}

static uint8_t status_of(struct fixture *f, unsigned q, uint16_t i)
{
	return f->mem.host[q_base(q) + 0x10000 + (uint64_t)i * 0x2000 + 0x1f00];
}

static void queues_run(struct fixture *f, uint16_t n)
{
	uint64_t one = 1;
	for (unsigned q = 0; q < 2; q++) {
		struct vring_avail *a = (struct vring_avail *)(f->mem.host + q_base(q) + 0x1000);
		__atomic_store_n(&a->idx, n, __ATOMIC_RELEASE);
		assert_int_equal(write(f->dev.q[q].notify_fd, &one, sizeof(one)), sizeof(one));
	}
	for (unsigned q = 0; q < 2; q++) {
		struct vring_used *u = (struct vring_used *)(f->mem.host + q_base(q) + 0x2000);
		for (int t = 0; t < 1000 && __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) < n; t++)
			nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
		assert_int_equal(__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE), n);
	}
}

static void run_engine(enum disk_engine engine)
{
	struct fixture *f = fixture_make(engine, true);
	struct write_log_reader r;
	char err[1200] = "";

	driver_start(&f->dev.mmio);
	/* queue 0 writes the even 4 KiB blocks, queue 1 the odd ones, then each flushes */
	for (uint16_t i = 0; i < PER_QUEUE; i++)
		for (unsigned q = 0; q < 2; q++)
			request_post(f, q, i, (2u * i + q) * 8, 1 + (int)(2 * i + q), false);
	for (unsigned q = 0; q < 2; q++)
		request_post(f, q, PER_QUEUE, 0, 0, true);
	queues_run(f, PER_QUEUE + 1);
	reg_write(&f->dev.mmio, VIRTIO_MMIO_STATUS, 0); /* the guest resets the device: queues stop */
	assert_int_equal(virtio_blk_finish(&f->dev, err, sizeof(err)), 0);
	assert_string_equal(f->host_error, "");
	assert_int_equal(f->dev.log_stats.writes, 2 * PER_QUEUE);
	assert_int_equal(f->dev.log_stats.flushes, 2);
	assert_int_equal(f->dev.log_stats.bytes, 2 * PER_QUEUE * 4096);

	assert_int_equal(write_log_reader_open(&r, f->log, err, sizeof(err)), 0);
	assert_true(r.whole);
	assert_int_equal(r.base_end, 1); /* a new image: no data, its flush, the mark */
	/* every write once, each flush after its own queue's writes (they completed before it was issued) */
	unsigned seen[2 * PER_QUEUE] = { 0 }, flushes = 0, writes_before[2] = { 0 };
	for (uint64_t i = r.base_end + 1; i < r.nr_entries; i++) {
		const struct write_log_entry *e = &r.entries[i];
		if (e->flags == LOG_FLUSH_FLAG) {
			flushes++;
			continue;
		}
		if (e->flags)
			continue;
		assert_int_equal(e->nr_sectors, 8);
		assert_true(e->sector % 8 == 0 && e->sector / 8 < 2 * PER_QUEUE);
		seen[e->sector / 8]++;
		writes_before[(e->sector / 8) % 2] += flushes == 0;
	}
	for (unsigned b = 0; b < 2 * PER_QUEUE; b++)
		assert_int_equal(seen[b], 1);
	assert_int_equal(flushes, 2);
	/* The sync engine finishes each write before it takes the next request: the first flush
	 * comes after all of its queue's writes. (io_uring may still have some in flight then,
	 * and they rightly come after it.) */
	if (engine == DISK_ENGINE_SYNC)
		assert_true(writes_before[0] == PER_QUEUE || writes_before[1] == PER_QUEUE);
	/* replayed onto a blank image: the image, byte for byte */
	char blank[80];
	snprintf(blank, sizeof(blank), "%s.replay", f->img);
	int fd = open(blank, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(ftruncate(fd, DISK), 0);
	assert_int_equal(write_log_replay(&r, fd, r.nr_entries, NULL, 0, err, sizeof(err)), 0);
	uint8_t *a = malloc(DISK), *b = malloc(DISK);
	assert_int_equal(pread(fd, a, DISK, 0), DISK);
	close(fd);
	unlink(blank);
	fd = open(f->img, O_RDONLY);
	assert_int_equal(pread(fd, b, DISK, 0), DISK);
	close(fd);
	assert_memory_equal(a, b, DISK);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[(2 * PER_QUEUE - 1) * 4096 + 4095], 2 * PER_QUEUE);
	free(a);
	free(b);
	write_log_reader_close(&r);
	fixture_free(f);
}

static void test_sync_engine(void **state)
{
	(void)state;
	run_engine(DISK_ENGINE_SYNC);
}

static void test_io_uring_engine(void **state)
{
	(void)state;
	run_engine(DISK_ENGINE_IO_URING);
}

/* The log's file may grow no more (a full disk, here RLIMIT_FSIZE): the run ends, named. */
static void test_log_failure_ends_the_run(void **state)
{
	struct fixture *f = fixture_make(DISK_ENGINE_SYNC, true);
	struct rlimit old, lim;
	char err[1200] = "";
	(void)state;

	signal(SIGXFSZ, SIG_IGN); /* EFBIG instead of the signal */
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 64 << 10; /* the image's writes stay below it (16 KiB); the log passes it */
	setrlimit(RLIMIT_FSIZE, &lim);
	driver_start(&f->dev.mmio);
	for (uint16_t i = 0; i < 16; i++)
		for (unsigned q = 0; q < 2; q++)
			request_post(f, q, i, ((2u * i + q) % 4) * 8, 'a', false);
	queues_run(f, 16);
	reg_write(&f->dev.mmio, VIRTIO_MMIO_STATUS, 0);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	assert_has(f->host_error, "vda: log=");
	assert_has(f->host_error, ": File too large");
	assert_int_equal(virtio_blk_finish(&f->dev, err, sizeof(err)), -1);
	assert_has(err, "File too large");
	fixture_free(f);
}

/* A mark comes after every write and flush the guest saw complete before it sent it; a
 * text the host would print wrong, or that names one of the host's own marks, is refused,
 * and so is a mark for a disk without a log. */
static void test_marks(void **state)
{
	struct fixture *f = fixture_make(DISK_ENGINE_IO_URING, true);
	struct write_log_reader r;
	char err[1200] = "", long_text[VMS_BLK_LOG_MARK_MAX + 2];
	(void)state;

	memset(long_text, 'x', sizeof(long_text));
	driver_start(&f->dev.mmio);
	for (uint16_t i = 0; i < 8; i++)
		for (unsigned q = 0; q < 2; q++)
			request_post(f, q, i, (2u * i + q) * 8, 'a', i == 7);
	queues_run(f, 8); /* the guest has seen them complete: a mark now comes after them */
	mark_post(f, 0, 8, "fsync thread=1 writes=7 size=4096 file=a", 40);
	mark_post(f, 1, 8, "bad\ntext", 8);
	mark_post(f, 0, 9, "vmsweep-end", 11);
	mark_post(f, 1, 9, long_text, VMS_BLK_LOG_MARK_MAX + 1);
	mark_post(f, 0, 10, long_text, VMS_BLK_LOG_MARK_MAX);
	mark_post(f, 1, 10, "", 0);
	queues_run(f, 11);
	reg_write(&f->dev.mmio, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(status_of(f, 0, 8), VIRTIO_BLK_S_OK);
	assert_int_equal(status_of(f, 0, 10), VIRTIO_BLK_S_OK);
	assert_int_equal(status_of(f, 1, 8), VIRTIO_BLK_S_IOERR);
	assert_int_equal(status_of(f, 0, 9), VIRTIO_BLK_S_IOERR);
	assert_int_equal(status_of(f, 1, 9), VIRTIO_BLK_S_IOERR);
	assert_int_equal(status_of(f, 1, 10), VIRTIO_BLK_S_IOERR);
	assert_int_equal(virtio_blk_finish(&f->dev, err, sizeof(err)), 0);
	assert_int_equal(f->dev.log_stats.marks, 2);
	assert_int_equal(write_log_reader_open(&r, f->log, err, sizeof(err)), 0);
	assert_true(r.whole);
	/* the base, 14 writes and 2 flushes, the marks, the end */
	assert_int_equal(r.nr_entries, r.base_end + 1 + 16 + 3);
	for (uint64_t i = r.base_end + 1; i < r.base_end + 17; i++)
		assert_false(r.entries[i].flags & LOG_MARK_FLAG);
	assert_string_equal(r.entries[r.base_end + 17].mark, "fsync thread=1 writes=7 size=4096 file=a");
	assert_int_equal(strlen(r.entries[r.base_end + 18].mark), VMS_BLK_LOG_MARK_MAX);
	assert_string_equal(r.entries[r.base_end + 19].mark, WRITE_LOG_MARK_END);
	write_log_reader_close(&r);
	fixture_free(f);

	f = fixture_make(DISK_ENGINE_SYNC, false);
	driver_start(&f->dev.mmio);
	mark_post(f, 0, 0, "fsync", 5);
	mark_post(f, 1, 0, "fsync", 5);
	queues_run(f, 1);
	reg_write(&f->dev.mmio, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(status_of(f, 0, 0), VIRTIO_BLK_S_UNSUPP);
	assert_has(f->dev.first_error, "no write log");
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync_engine),
		cmocka_unit_test(test_io_uring_engine),
		cmocka_unit_test(test_log_failure_ends_the_run),
		cmocka_unit_test(test_marks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
