/* The write log: written as a disk's queues write it (base, writes, flushes in flight,
 * several threads), read back, replayed whole and in part; its bytes as dm-log-writes
 * lays them out; cut, corrupt and unwritable logs. */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "vmm/blk/write_log.h"

#define IMG_BYTES (1u << 20)

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_write_log.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *path_in(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

/* A sparse image of IMG_BYTES with data at two places, one of its blocks all zeros; its contents in want. */
static void image_make(const char *path, uint8_t *want)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, IMG_BYTES), 0);
	memset(want, 0, IMG_BYTES);
	memset(want + 8192, 0xA1, 4096); /* block 2 */
	memset(want + 65536 + 4096, 0xB2, 8192); /* blocks 17-18; block 16 written as zeros */
	assert_int_equal(pwrite(fd, want + 8192, 4096, 8192), 4096);
	assert_int_equal(pwrite(fd, want + 65536, 12288, 65536), 12288);
	close(fd);
}

static void image_read(const char *path, uint8_t *buf)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, IMG_BYTES, 0), IMG_BYTES);
	close(fd);
}

/* A blank image and the log replayed onto it: count entries, then extra. */
static void replay_to(const struct write_log_reader *r, const char *path, uint64_t count, const uint64_t *extra,
		      size_t nr, uint8_t *got)
{
	char err[512] = "";
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, IMG_BYTES), 0);
	if (write_log_replay(r, fd, count, extra, nr, err, sizeof(err)))
		fail_msg("replay: %s", err);
	close(fd);
	image_read(path, got);
}

static void log_write(struct write_log *l, uint8_t *image, uint64_t off, uint8_t byte, size_t n)
{
	/* two segments, as a guest's scattered pages come */
	memset(image + off, byte, n);
	struct iovec iov[2] = { { image + off, 512 }, { image + off + 512, n - 512 } };
	assert_int_equal(write_log_write(l, off, iov, 2, n), 0);
}

static void test_write_read_replay(void **state)
{
	char img[128], logp[128], blank[128], err[512] = "", kind[64];
	uint8_t *want = malloc(IMG_BYTES), *got = malloc(IMG_BYTES), *at_flush = malloc(IMG_BYTES);
	struct write_log *l;
	struct write_log_stats st;
	struct write_log_reader r;
	(void)state;

	image_make(path_in("img", img, sizeof(img)), want);
	if (write_log_open(&l, path_in("log", logp, sizeof(logp)), img, IMG_BYTES, err, sizeof(err)))
		fail_msg("%s", err);
	write_log_stats_get(l, &st);
	assert_int_equal(st.base_writes, 2); /* block 2, blocks 17-18: the zero block left out */
	assert_int_equal(st.base_bytes, 4096 + 8192);
	/* entries 0-1 base, 2 its flush, 3 the mark */
	log_write(l, want, 0, 0x11, 4096); /* 4 */
	log_write(l, want, 200 * 512, 0x22, 1024); /* 5 */
	uint64_t t = write_log_flush_begin(l); /* 6 */
	assert_true(t > 0);
	memcpy(at_flush, want, IMG_BYTES); /* what the flush makes durable */
	log_write(l, want, 0, 0x33, 4096); /* 7: completed while the flush was in flight */
	assert_int_equal(write_log_flush_end(l, t, true), 0);
	log_write(l, want, 4096, 0x44, 2048); /* 8 */
	uint64_t t2 = write_log_flush_begin(l); /* 9: fails */
	assert_int_equal(write_log_flush_end(l, t2, false), 0);
	log_write(l, want, IMG_BYTES - 512 * 4, 0x55, 2048); /* 10 */
	write_log_stats_get(l, &st);
	assert_int_equal(st.writes, 5);
	assert_int_equal(st.flushes, 1);
	assert_int_equal(st.bytes, 4096 + 1024 + 4096 + 2048 + 2048);
	assert_string_equal(write_log_error(l), "");
	assert_int_equal(write_log_close(l, err, sizeof(err)), 0); /* 11: the end mark */

	assert_int_equal(write_log_reader_open(&r, logp, err, sizeof(err)), 0);
	assert_int_equal(r.nr_entries, 12);
	assert_int_equal(r.sectorsize, 512);
	assert_int_equal(r.base_end, 3);
	assert_true(r.whole);
	assert_string_equal(write_log_entry_kind(&r.entries[0], kind, sizeof(kind)), "write");
	assert_int_equal(r.entries[0].sector, 8192 / 512);
	assert_int_equal(r.entries[0].nr_sectors, 8);
	assert_int_equal(r.entries[1].sector, (65536 + 4096) / 512);
	assert_string_equal(write_log_entry_kind(&r.entries[2], kind, sizeof(kind)), "flush");
	assert_string_equal(r.entries[3].mark, "vmsweep-base");
	assert_int_equal(r.entries[5].sector, 200);
	assert_int_equal(r.entries[5].nr_sectors, 2);
	assert_string_equal(write_log_entry_kind(&r.entries[6], kind, sizeof(kind)), "flush");
	assert_string_equal(write_log_entry_kind(&r.entries[9], kind, sizeof(kind)), "mark");
	assert_string_equal(r.entries[9].mark, "vmsweep-flush-failed");
	assert_string_equal(r.entries[11].mark, "vmsweep-end");

	/* the whole log onto a blank image: the image as the run left it */
	replay_to(&r, path_in("blank", blank, sizeof(blank)), r.nr_entries, NULL, 0, got);
	assert_memory_equal(got, want, IMG_BYTES);
	/* up to the flush: what it made durable, not the write that completed after it was issued */
	replay_to(&r, blank, 7, NULL, 0, got);
	assert_memory_equal(got, at_flush, IMG_BYTES);
	/* the flush plus a subset of the writes in flight after it: entries 8 and 10, not 7 */
	const uint64_t subset[] = { 8, 10 };
	replay_to(&r, blank, 7, subset, 2, got);
	assert_true(got[0] == 0x11 && got[4096] == 0x44 && got[IMG_BYTES - 2048] == 0x55 && got[6144] == 0);
	/* the base alone: the image before the run */
	uint8_t *before = malloc(IMG_BYTES);
	image_make(path_in("img2", img, sizeof(img)), before);
	replay_to(&r, blank, r.base_end + 1, NULL, 0, got);
	assert_memory_equal(got, before, IMG_BYTES);
	free(before);
	/* a subset must come after the prefix, in the log's order */
	const uint64_t bad[] = { 10, 8 };
	int fd = open(blank, O_RDWR);
	assert_int_equal(write_log_replay(&r, fd, 7, bad, 2, err, sizeof(err)), -1);
	assert_string_equal(err, "entry 8 of the subset: expected entries after the first 7, in increasing order, below 12");
	assert_int_equal(write_log_replay(&r, fd, 13, NULL, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "13 entries asked for, the log has 12");
	close(fd);
	write_log_reader_close(&r);
	free(want);
	free(got);
	free(at_flush);
}

/* dm-log-writes's layout, byte for byte: what xfstests' replay-log reads. */
static void test_format_bytes(void **state)
{
	char img[128], logp[128], err[512] = "";
	uint8_t sec[512], data[1024];
	struct write_log *l;
	(void)state;

	path_in("empty", img, sizeof(img));
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(ftruncate(fd, 4096), 0);
	close(fd);
	assert_int_equal(write_log_open(&l, path_in("fmt.log", logp, sizeof(logp)), img, 4096, err, sizeof(err)), 0);
	memset(data, 0x5A, sizeof(data));
	struct iovec iov = { data, sizeof(data) };
	assert_int_equal(write_log_write(l, 3 * 512, &iov, 1, sizeof(data)), 0);
	assert_int_equal(write_log_close(l, err, sizeof(err)), 0);

	fd = open(logp, O_RDONLY);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	/* super, flush, base mark, the write and its 2 sectors, the end mark */
	assert_int_equal(st.st_size, 512 * 7);
	assert_int_equal(pread(fd, sec, 512, 0), 512);
	const uint8_t super[28] = { 0x72, 0x68, 0x73, 0x77, 0x66, 0x73, 0x6a, 0, 1, 0, 0, 0, 0, 0, 0, 0,
				    4, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x02, 0, 0 };
	assert_memory_equal(sec, super, sizeof(super));
	assert_int_equal(pread(fd, sec, 512, 512), 512); /* the base's flush */
	const uint8_t flush[32] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	assert_memory_equal(sec, flush, 32);
	assert_int_equal(pread(fd, sec, 512, 1024), 512); /* the mark: its text in its sector */
	assert_int_equal(sec[16], 8);
	assert_int_equal(sec[24], strlen("vmsweep-base"));
	assert_memory_equal(sec + 32, "vmsweep-base", strlen("vmsweep-base") + 1);
	assert_int_equal(pread(fd, sec, 512, 1536), 512); /* the write: sector 3, 2 sectors, no flags */
	const uint8_t write[40] = { 3, 0, 0, 0, 0, 0, 0, 0, 2 };
	assert_memory_equal(sec, write, sizeof(write)); /* the byte after the header is 0: replay-log checks it */
	assert_int_equal(pread(fd, sec, 512, 2048), 512);
	assert_memory_equal(sec, data, 512);
	close(fd);
}

struct writer_arg {
	struct write_log *l;
	unsigned id;
	uint8_t *mem;
};

#define THREADS 4
#define PER_THREAD 200

/* A queue thread: its own sectors, a flush every 16 writes. */
static void *writer(void *p)
{
	struct writer_arg *a = p;
	for (unsigned k = 0; k < PER_THREAD; k++) {
		uint8_t *buf = a->mem + (size_t)k * 512;
		memset(buf, (int)(a->id * PER_THREAD + k) & 0xff, 512);
		memcpy(buf, &k, sizeof(k));
		struct iovec iov = { buf, 512 };
		if (write_log_write(a->l, ((uint64_t)a->id * PER_THREAD + k) * 512, &iov, 1, 512))
			return p;
		if (k % 16 == 15) {
			uint64_t t = write_log_flush_begin(a->l);
			if (write_log_flush_end(a->l, t, true))
				return p;
		}
	}
	return NULL;
}

static void test_threads(void **state)
{
	char img[128], logp[128], blank[128], err[512] = "";
	struct write_log *l;
	struct writer_arg args[THREADS];
	pthread_t th[THREADS];
	(void)state;

	path_in("t.img", img, sizeof(img));
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(ftruncate(fd, IMG_BYTES), 0);
	close(fd);
	assert_int_equal(write_log_open(&l, path_in("t.log", logp, sizeof(logp)), img, IMG_BYTES, err, sizeof(err)), 0);
	uint8_t *mem = calloc(THREADS, PER_THREAD * 512), *want = calloc(1, IMG_BYTES), *got = malloc(IMG_BYTES);
	for (unsigned i = 0; i < THREADS; i++) {
		args[i] = (struct writer_arg){ l, i, mem + (size_t)i * PER_THREAD * 512 };
		assert_int_equal(pthread_create(&th[i], NULL, writer, &args[i]), 0);
	}
	for (unsigned i = 0; i < THREADS; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		assert_null(ret);
	}
	memcpy(want, mem, (size_t)THREADS * PER_THREAD * 512);
	struct write_log_stats st;
	write_log_stats_get(l, &st);
	assert_int_equal(st.writes, THREADS * PER_THREAD);
	assert_int_equal(st.flushes, THREADS * (PER_THREAD / 16));
	assert_int_equal(write_log_close(l, err, sizeof(err)), 0);

	struct write_log_reader r;
	assert_int_equal(write_log_reader_open(&r, logp, err, sizeof(err)), 0);
	/* base flush + mark, the writes, the flushes, the end mark: nothing lost or torn */
	assert_int_equal(r.nr_entries, 2 + THREADS * PER_THREAD + THREADS * (PER_THREAD / 16) + 1);
	replay_to(&r, path_in("t.blank", blank, sizeof(blank)), r.nr_entries, NULL, 0, got);
	assert_memory_equal(got, want, IMG_BYTES);
	/* each thread's writes keep its order */
	uint64_t last[THREADS] = { 0 };
	for (uint64_t i = 0; i < r.nr_entries; i++) {
		if (r.entries[i].flags)
			continue;
		unsigned id = (unsigned)(r.entries[i].sector / PER_THREAD);
		assert_true(id < THREADS && r.entries[i].sector + 1 > last[id]);
		last[id] = r.entries[i].sector + 1;
	}
	write_log_reader_close(&r);
	free(mem);
	free(want);
	free(got);
}

/* A run killed after a flush: the super counts the entries up to it, and they read. */
static void test_killed_run(void **state)
{
	char img[128], logp[128], copy[128], cmd[512], err[512] = "";
	uint8_t data[512] = { 1 };
	struct write_log *l;
	struct write_log_reader r;
	(void)state;

	path_in("k.img", img, sizeof(img));
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(ftruncate(fd, 8192), 0);
	close(fd);
	assert_int_equal(write_log_open(&l, path_in("k.log", logp, sizeof(logp)), img, 8192, err, sizeof(err)), 0);
	struct iovec iov = { data, 512 };
	assert_int_equal(write_log_write(l, 0, &iov, 1, 512), 0);
	uint64_t t = write_log_flush_begin(l);
	assert_int_equal(write_log_flush_end(l, t, true), 0);
	assert_int_equal(write_log_write(l, 512, &iov, 1, 512), 0); /* after the last flush: not counted yet */
	snprintf(cmd, sizeof(cmd), "cp %s %s", logp, path_in("k.copy", copy, sizeof(copy)));
	assert_int_equal(system(cmd), 0);
	assert_int_equal(write_log_close(l, err, sizeof(err)), 0);

	assert_int_equal(write_log_reader_open(&r, copy, err, sizeof(err)), 0);
	assert_int_equal(r.nr_entries, 4); /* base flush, mark, write, flush */
	assert_false(r.whole);
	write_log_reader_close(&r);
}

static void test_bad_logs(void **state)
{
	char img[128], logp[128], err[512] = "";
	struct write_log *l;
	struct write_log_reader r;
	uint8_t data[1024] = { 0 };
	(void)state;

	path_in("b.img", img, sizeof(img));
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(ftruncate(fd, 8192), 0);
	close(fd);
	/* a log that cannot be written: the first write fails, named */
	assert_int_equal(write_log_open(&l, "/dev/full", img, 8192, err, sizeof(err)), -1);
	assert_string_equal(err, "log=/dev/full: writing its super: No space left on device");
	assert_int_equal(write_log_open(&l, "/nonexistent/x.log", img, 8192, err, sizeof(err)), -1);
	assert_string_equal(err, "log=/nonexistent/x.log: No such file or directory");

	/* cut short: the super counts entries the file no longer has */
	assert_int_equal(write_log_open(&l, path_in("b.log", logp, sizeof(logp)), img, 8192, err, sizeof(err)), 0);
	struct iovec iov = { data, sizeof(data) };
	assert_int_equal(write_log_write(l, 0, &iov, 1, sizeof(data)), 0);
	assert_int_equal(write_log_close(l, err, sizeof(err)), 0);
	assert_int_equal(truncate(logp, 512 * 4), 0); /* super, flush, mark, the write's header */
	assert_int_equal(write_log_reader_open(&r, logp, err, sizeof(err)), -1);
	assert_err_has(err, "entry 2: 2 sectors of data past the log's end (cut short?)");
	/* a super that counts more entries than the file can hold */
	fd = open(logp, O_WRONLY);
	uint64_t many = 1000000;
	assert_int_equal(pwrite(fd, &many, 8, 16), 8);
	close(fd);
	assert_int_equal(write_log_reader_open(&r, logp, err, sizeof(err)), -1);
	assert_err_has(err, "its super counts 1000000 entries, more than its 2048 bytes can hold");
	/* not a log */
	assert_int_equal(write_log_reader_open(&r, img, err, sizeof(err)), -1);
	assert_err_has(err, "not a dm-log-writes log (magic 0, not 0x6a736677736872)");
	/* a write that is not whole sectors never gets in */
	assert_int_equal(write_log_open(&l, logp, img, 8192, err, sizeof(err)), 0);
	iov.iov_len = 100;
	assert_int_equal(write_log_write(l, 0, &iov, 1, 100), -1);
	assert_err_has(write_log_error(l), "entry 2: 100 bytes in segments of 100, not whole sectors");
	assert_int_equal(write_log_close(l, err, sizeof(err)), -1);
	assert_err_has(err, "not whole sectors");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_read_replay), cmocka_unit_test(test_format_bytes),
		cmocka_unit_test(test_threads),		  cmocka_unit_test(test_killed_run),
		cmocka_unit_test(test_bad_logs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
