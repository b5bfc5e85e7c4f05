/*
 * The virtio-mmio register file against a driver that breaks the rules: the device's
 * I/O threads must run only between a successful DRIVER_OK and a reset, whatever the
 * guest writes, so that nothing touches guest memory after teardown. And the host's
 * memory for a queue follows what is in flight, not the queue's size.
 */
#include <dirent.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm/blk/virtio_blk.h"

#define RAM (16u << 20)

struct fixture {
	struct guest_mem mem;
	struct virtio_blk_dev dev;
	char img[64];
};

static int nr_threads(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/task");
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The threads left once joined ones are gone: a joined thread can stay listed in
 * /proc/self/task for a moment after pthread_join returns (its exit is not reaped
 * yet), which a busy machine makes long enough to see. One second at most. */
static int nr_threads_after_join(int want)
{
	int n = nr_threads();
	for (int i = 0; i < 100 && n > want; i++) {
		usleep(10000);
		n = nr_threads();
	}
	return n;
}

static void reg_write(struct virtio_mmio_dev *m, uint64_t off, uint32_t v)
{
	virtio_mmio_access(m, off, (uint8_t *)&v, 4, true);
}

static uint32_t reg_read(struct virtio_mmio_dev *m, uint64_t off)
{
	uint32_t v;
	virtio_mmio_access(m, off, (uint8_t *)&v, 4, false);
	return v;
}

static void no_fatal(void *ctx, const char *msg)
{
	(void)ctx, (void)msg;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];
	f->mem.size = RAM;
	f->mem.host = aligned_alloc(4096, RAM);
	memset(f->mem.host, 0, RAM);
	snprintf(f->img, sizeof(f->img), "/tmp/vmsweep-test-mmio-%d.img", getpid());
	unlink(f->img);
	struct disk_config cfg = { .size = 1 << 20, .engine = DISK_ENGINE_SYNC, .cache = DISK_CACHE_WRITEBACK };
	snprintf(cfg.path, sizeof(cfg.path), "%s", f->img);
	if (virtio_blk_create(&f->dev, 0, &cfg, 0, 2, &f->mem, &(struct virtio_blk_tuning){ .poll_ns = 0 }, err, sizeof(err)) != 0)
		fail_msg("virtio_blk_create: %s", err);
	f->dev.fatal = no_fatal;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	virtio_blk_destroy(&f->dev);
	assert_int_equal(nr_threads_after_join(1), 1); /* no I/O thread outlives the device */
	free(f->mem.host);
	unlink(f->img);
	free(f);
	return 0;
}

/* A driver's set-up of both queues; queue 1's descriptor ring is outside RAM when bad_q1. */
static void driver_setup(struct virtio_mmio_dev *m, bool bad_q1)
{
	reg_write(m, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	reg_write(m, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	reg_write(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg_write(m, VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	reg_write(m, VIRTIO_MMIO_STATUS, 0xb);
	for (uint32_t q = 0; q < 2; q++) {
		reg_write(m, VIRTIO_MMIO_QUEUE_SEL, q);
		reg_write(m, VIRTIO_MMIO_QUEUE_NUM, 16);
		reg_write(m, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x100000 + q * 0x10000);
		reg_write(m, VIRTIO_MMIO_QUEUE_AVAIL_LOW, 0x101000 + q * 0x10000);
		reg_write(m, VIRTIO_MMIO_QUEUE_USED_LOW, 0x102000 + q * 0x10000);
		if (bad_q1 && q == 1)
			reg_write(m, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0x1000);
		reg_write(m, VIRTIO_MMIO_QUEUE_READY, 1);
	}
}

static void test_driver_ok_starts_one_thread_per_queue(void **state)
{
	struct fixture *f = *state;
	driver_setup(&f->dev.mmio, false);
	reg_write(&f->dev.mmio, VIRTIO_MMIO_STATUS, 0xf);
	assert_int_equal(reg_read(&f->dev.mmio, VIRTIO_MMIO_STATUS), 0xf);
	assert_int_equal(nr_threads(), 3);
}

static void test_clearing_driver_ok_without_reset_needs_reset_and_starts_nothing(void **state)
{
	struct fixture *f = *state;
	struct virtio_mmio_dev *m = &f->dev.mmio;
	driver_setup(m, false);
	reg_write(m, VIRTIO_MMIO_STATUS, 0xf);
	reg_write(m, VIRTIO_MMIO_STATUS, 0xb); /* DRIVER_OK cleared, no reset */
	assert_true(reg_read(m, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	reg_write(m, VIRTIO_MMIO_STATUS, 0xf); /* and set again */
	assert_int_equal(nr_threads(), 3); /* still one thread per queue, not two */
	reg_write(m, VIRTIO_MMIO_STATUS, 0); /* a reset stops them */
	assert_int_equal(nr_threads_after_join(1), 1);
}

static void test_failed_start_leaves_no_queue_running(void **state)
{
	struct fixture *f = *state;
	struct virtio_mmio_dev *m = &f->dev.mmio;
	driver_setup(m, true);
	reg_write(m, VIRTIO_MMIO_STATUS, 0xf);
	assert_true(reg_read(m, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_false(reg_read(m, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK);
	assert_non_null(strstr(m->failure, "outside guest RAM"));
	assert_int_equal(nr_threads_after_join(1), 1); /* queue 0 was started, then stopped again */
}

static void test_misaligned_register_access_fails_the_device(void **state)
{
	struct fixture *f = *state;
	uint16_t v = 1;
	virtio_mmio_access(&f->dev.mmio, VIRTIO_MMIO_STATUS, (uint8_t *)&v, 2, true);
	assert_true(f->dev.mmio.failed);
}

/* A 1024-entry queue costs no request slots until requests come, then a chunk of
 * them: they were made for the whole queue at start, 2.2 MiB a queue. */
static void test_request_slots_follow_what_is_in_flight(void **state)
{
	struct fixture *f = *state;
	struct virtio_mmio_dev *m = &f->dev.mmio;
	const uint64_t desc = 0x200000, avail = 0x210000, used = 0x220000, data = 0x300000;
	reg_write(m, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	reg_write(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg_write(m, VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	reg_write(m, VIRTIO_MMIO_STATUS, 0xb);
	reg_write(m, VIRTIO_MMIO_QUEUE_SEL, 0);
	reg_write(m, VIRTIO_MMIO_QUEUE_NUM, 1024);
	reg_write(m, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	reg_write(m, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	reg_write(m, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	reg_write(m, VIRTIO_MMIO_QUEUE_READY, 1);
	reg_write(m, VIRTIO_MMIO_STATUS, 0xf);
	assert_int_equal(reg_read(m, VIRTIO_MMIO_STATUS), 0xf);
	assert_int_equal(f->dev.q[0].max_ios, 1024);
	assert_int_equal(f->dev.q[0].nr_ios, 0);

	/* Three 512-byte writes: header, data, status each. */
	struct vring_desc *d = (struct vring_desc *)(f->mem.host + desc);
	struct vring_avail *a = (struct vring_avail *)(f->mem.host + avail);
	struct vring_used *u = (struct vring_used *)(f->mem.host + used);
	for (uint16_t i = 0; i < 3; i++) {
		uint64_t req = data + i * 0x1000;
		struct virtio_blk_outhdr h = { .type = VIRTIO_BLK_T_OUT, .sector = i };
		memcpy(f->mem.host + req, &h, sizeof(h));
		memset(f->mem.host + req + 0x100, 'a' + i, 512);
		d[3 * i] = (struct vring_desc){ req, sizeof(h), VRING_DESC_F_NEXT, (uint16_t)(3 * i + 1) };
		d[3 * i + 1] = (struct vring_desc){ req + 0x100, 512, VRING_DESC_F_NEXT, (uint16_t)(3 * i + 2) };
		d[3 * i + 2] = (struct vring_desc){ req + 0x800, 1, VRING_DESC_F_WRITE, 0 };
		f->mem.host[req + 0x800] = 0xff;
		a->ring[i] = (uint16_t)(3 * i);
	}
	__atomic_store_n(&a->idx, 3, __ATOMIC_RELEASE);
	uint64_t one = 1;
	assert_int_equal(write(f->dev.q[0].notify_fd, &one, sizeof(one)), sizeof(one));
	for (int i = 0; i < 500 && __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) < 3; i++)
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	assert_int_equal(__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE), 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(f->mem.host[data + i * 0x1000 + 0x800], VIRTIO_BLK_S_OK);
	assert_int_equal(f->dev.q[0].nr_ios, BLK_IO_CHUNK);
	reg_write(m, VIRTIO_MMIO_STATUS, 0); /* a reset frees them */
	assert_int_equal(f->dev.q[0].nr_ios, 0);
	assert_null(f->dev.q[0].chunks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_driver_ok_starts_one_thread_per_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clearing_driver_ok_without_reset_needs_reset_and_starts_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failed_start_leaves_no_queue_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misaligned_register_access_fails_the_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_slots_follow_what_is_in_flight, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
