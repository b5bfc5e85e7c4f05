/*
 * Writing a dm-log-writes log (write_log.h). One mutex orders the entries of every queue
 * of the disk; each entry is written whole (header and data) under it, so that the super,
 * rewritten after each completed flush, always counts entries that are all there: a run
 * killed midway leaves a log that reads up to its last completed flush.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "vmm/blk/write_log.h"
#include "vmsweep/abi.h"

_Static_assert(VMS_BLK_LOG_MARK_MAX <= WRITE_LOG_MARK_MAX, "a guest's mark fits its entry's sector");

#define BASE_CHUNK (1u << 20) /* the base is read and logged this much at a time */
#define BASE_BLOCK 4096u /* zero blocks of the base are left out at this grain */

struct write_log {
	pthread_mutex_t lock;
	int fd;
	char path[PATH_MAX];
	uint64_t next_off; /* where the next entry goes */
	struct write_log_stats stats;
	char error[1024]; /* the first failure; "" while whole */
};

/* The first failure is kept; the log writes nothing after it. Returns -1. */
static int log_fail(struct write_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int log_fail(struct write_log *l, const char *fmt, ...)
{
	if (!l->error[0]) {
		char why[400];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		snprintf(l->error, sizeof(l->error), "log=%.500s: %s", l->path, why);
	}
	return -1;
}

/* pwritev of the whole of iov at off, short writes continued; iov is left as it was. */
static int pwrite_all(int fd, const struct iovec *iov, unsigned niov, uint64_t off)
{
	struct iovec w[64];
	unsigned next = 0, nw = 0;

	for (;;) {
		while (nw < 64 && next < niov) /* a window of the segments left */
			w[nw++] = iov[next++];
		if (!nw)
			return 0;
		ssize_t n = pwritev(fd, w, (int)nw, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += (uint64_t)n;
		unsigned done = 0;
		while (done < nw && (size_t)n >= w[done].iov_len)
			n -= (ssize_t)w[done++].iov_len;
		if (done < nw) {
			w[done].iov_base = (char *)w[done].iov_base + n;
			w[done].iov_len -= (size_t)n;
		}
		memmove(w, w + done, (nw - done) * sizeof(w[0]));
		nw -= done;
	}
}

/* An entry's sector: the header (little-endian, as the kernel writes it) and a mark's text. */
static void entry_fill(uint8_t *sec, uint64_t sector, uint64_t nr_sectors, uint64_t flags, const char *mark)
{
	uint64_t h[4] = { htole64(sector), htole64(nr_sectors), htole64(flags), htole64(mark ? strlen(mark) : 0) };
	memset(sec, 0, WRITE_LOG_SECTOR);
	memcpy(sec, h, sizeof(h));
	if (mark)
		memcpy(sec + sizeof(h), mark, strlen(mark)); /* ours, or a guest's checked one: <= WRITE_LOG_MARK_MAX */
}

static int super_write(struct write_log *l)
{
	uint8_t sec[WRITE_LOG_SECTOR] = { 0 };
	uint64_t h[3] = { htole64(WRITE_LOG_MAGIC), htole64(WRITE_LOG_VERSION), htole64(l->stats.entries) };
	uint32_t size = htole32(WRITE_LOG_SECTOR);
	memcpy(sec, h, sizeof(h));
	memcpy(sec + sizeof(h), &size, sizeof(size));
	struct iovec iov = { sec, sizeof(sec) };
	int r = pwrite_all(l->fd, &iov, 1, 0);
	return r ? log_fail(l, "writing its super: %s", strerror(-r)) : 0;
}

/* Appends an entry with its data (bytes in iov); with l->lock held. Its offset in *at. */
static int entry_append(struct write_log *l, uint64_t sector, uint64_t flags, const char *mark, const struct iovec *iov,
			unsigned niov, uint64_t bytes, uint64_t *at)
{
	uint8_t sec[WRITE_LOG_SECTOR];

	if (l->error[0])
		return -1;
	uint64_t sum = 0;
	for (unsigned i = 0; i < niov; i++)
		sum += iov[i].iov_len;
	if (bytes % WRITE_LOG_SECTOR || sum != bytes)
		return log_fail(l, "entry %llu: %llu bytes in segments of %llu, not whole sectors (the device's "
			        "parser let it through: a bug)", (unsigned long long)l->stats.entries,
				(unsigned long long)bytes, (unsigned long long)sum);
	entry_fill(sec, sector, bytes / WRITE_LOG_SECTOR, flags, mark);
	struct iovec head = { sec, sizeof(sec) };
	int r = pwrite_all(l->fd, &head, 1, l->next_off);
	if (!r)
		r = pwrite_all(l->fd, iov, niov, l->next_off + WRITE_LOG_SECTOR);
	if (r)
		return log_fail(l, "writing entry %llu at byte %llu: %s", (unsigned long long)l->stats.entries,
				(unsigned long long)l->next_off, strerror(-r));
	if (at)
		*at = l->next_off;
	l->next_off += WRITE_LOG_SECTOR + bytes;
	l->stats.entries++;
	return 0;
}

static bool block_zero(const uint8_t *p, size_t n)
{
	return p[0] == 0 && !memcmp(p, p + 1, n - 1);
}

/* Logs one chunk of the image's data, leaving its zero blocks out (a blank image has them). */
static int base_chunk(struct write_log *l, uint8_t *buf, uint64_t off, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t b = n - i < BASE_BLOCK ? n - i : BASE_BLOCK;
		if (block_zero(buf + i, b)) {
			i += b;
			continue;
		}
		size_t j = i + b; /* a run of blocks that are not zero */
		while (j < n) {
			size_t c = n - j < BASE_BLOCK ? n - j : BASE_BLOCK;
			if (block_zero(buf + j, c))
				break;
			j += c;
		}
		struct iovec iov = { buf + i, j - i };
		if (entry_append(l, (off + i) / WRITE_LOG_SECTOR, 0, NULL, &iov, 1, j - i, NULL))
			return -1;
		l->stats.base_writes++;
		l->stats.base_bytes += j - i;
		i = j;
	}
	return 0;
}

/* The image before the run: its data extents (the whole of it where holes cannot be
 * found), read through the page cache, whatever the disk's cache= is. */
static int base_write(struct write_log *l, const char *image_path, uint64_t bytes)
{
	int fd = open(image_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_fail(l, "reading the image %s for the log's base: %s", image_path, strerror(errno));
	uint8_t *buf = malloc(BASE_CHUNK);
	int r = buf ? 0 : log_fail(l, "out of memory");
	off_t data = lseek(fd, 0, SEEK_DATA);
	bool seekable = data >= 0 || errno == ENXIO; /* ENXIO: no data at all */
	uint64_t pos = seekable ? (data >= 0 ? (uint64_t)data : bytes) : 0;
	while (!r && pos < bytes) {
		off_t hole = seekable ? lseek(fd, (off_t)pos, SEEK_HOLE) : (off_t)bytes;
		uint64_t end = hole < 0 || (uint64_t)hole > bytes ? bytes : (uint64_t)hole;
		pos &= ~(uint64_t)(WRITE_LOG_SECTOR - 1);
		while (!r && pos < end) {
			size_t n = end - pos < BASE_CHUNK ? (size_t)(end - pos) : BASE_CHUNK;
			ssize_t got = pread(fd, buf, n, (off_t)pos);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				r = log_fail(l, "reading the image %s at byte %llu: %s", image_path, (unsigned long long)pos,
					     got < 0 ? strerror(errno) : "it ends there");
				break;
			}
			size_t whole = (size_t)got & ~(size_t)(WRITE_LOG_SECTOR - 1);
			if (!whole) { /* the image's size is whole sectors (disk_open): cannot happen */
				r = log_fail(l, "reading the image %s at byte %llu: a part of a sector", image_path,
					     (unsigned long long)pos);
				break;
			}
			r = base_chunk(l, buf, pos, whole);
			pos += whole;
		}
		if (!r && pos < bytes && seekable) {
			data = lseek(fd, (off_t)pos, SEEK_DATA);
			pos = data >= 0 ? (uint64_t)data : bytes;
		}
	}
	free(buf);
	close(fd);
	return r;
}

int write_log_open(struct write_log **lp, const char *path, const char *image_path, uint64_t image_bytes, char *err,
		   size_t errlen)
{
	struct write_log *l = calloc(1, sizeof(*l));
	*lp = NULL;
	if (!l)
		return errorf(err, errlen, "log=%s: out of memory", path);
	pthread_mutex_init(&l->lock, NULL);
	snprintf(l->path, sizeof(l->path), "%s", path);
	l->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	l->next_off = WRITE_LOG_SECTOR;
	int r = l->fd < 0 ? log_fail(l, "%s", strerror(errno)) : super_write(l);
	if (!r)
		r = base_write(l, image_path, image_bytes);
	if (!r)
		r = entry_append(l, 0, LOG_FLUSH_FLAG, NULL, NULL, 0, 0, NULL);
	if (!r)
		r = entry_append(l, 0, LOG_MARK_FLAG, WRITE_LOG_MARK_BASE, NULL, 0, 0, NULL);
	if (!r)
		r = super_write(l);
	if (r) {
		errorf(err, errlen, "%s", l->error);
		write_log_close(l, NULL, 0);
		return -1;
	}
	*lp = l;
	return 0;
}

int write_log_write(struct write_log *l, uint64_t offset, const struct iovec *iov, unsigned niov, uint64_t bytes)
{
	pthread_mutex_lock(&l->lock);
	int r = offset % WRITE_LOG_SECTOR ? log_fail(l, "a write at byte %llu, not a sector's start (a bug)",
						     (unsigned long long)offset)
					  : entry_append(l, offset / WRITE_LOG_SECTOR, 0, NULL, iov, niov, bytes, NULL);
	if (!r) {
		l->stats.writes++;
		l->stats.bytes += bytes;
	}
	pthread_mutex_unlock(&l->lock);
	return r;
}

int write_log_mark(struct write_log *l, const char *text)
{
	pthread_mutex_lock(&l->lock);
	int r = strlen(text) > VMS_BLK_LOG_MARK_MAX ? log_fail(l, "a mark of %zu bytes (a bug)", strlen(text))
						    : entry_append(l, 0, LOG_MARK_FLAG, text, NULL, 0, 0, NULL);
	if (!r)
		l->stats.marks++;
	pthread_mutex_unlock(&l->lock);
	return r;
}

uint64_t write_log_flush_begin(struct write_log *l)
{
	uint64_t at = 0;
	pthread_mutex_lock(&l->lock);
	if (entry_append(l, 0, LOG_MARK_FLAG, WRITE_LOG_MARK_FLUSH_PENDING, NULL, 0, 0, &at))
		at = 0;
	pthread_mutex_unlock(&l->lock);
	return at; /* never 0 when it worked: the super is at 0 */
}

int write_log_flush_end(struct write_log *l, uint64_t ticket, bool ok)
{
	uint8_t sec[WRITE_LOG_SECTOR];
	int r = -1;

	pthread_mutex_lock(&l->lock);
	if (!l->error[0] && ticket) {
		entry_fill(sec, 0, 0, ok ? LOG_FLUSH_FLAG : LOG_MARK_FLAG, ok ? NULL : WRITE_LOG_MARK_FLUSH_FAILED);
		struct iovec iov = { sec, sizeof(sec) };
		int w = pwrite_all(l->fd, &iov, 1, ticket);
		r = w ? log_fail(l, "writing a flush's entry at byte %llu: %s", (unsigned long long)ticket, strerror(-w))
		      : super_write(l);
		if (!r && ok)
			l->stats.flushes++;
	}
	pthread_mutex_unlock(&l->lock);
	return r;
}

const char *write_log_error(struct write_log *l)
{
	pthread_mutex_lock(&l->lock);
	const char *e = l->error; /* written once, before it is non-empty to readers after this */
	pthread_mutex_unlock(&l->lock);
	return e;
}

void write_log_stats_get(struct write_log *l, struct write_log_stats *s)
{
	pthread_mutex_lock(&l->lock);
	*s = l->stats;
	pthread_mutex_unlock(&l->lock);
}

int write_log_close(struct write_log *l, char *err, size_t errlen)
{
	int r = 0;
	if (!l)
		return 0;
	if (l->fd >= 0 && !l->error[0] && !entry_append(l, 0, LOG_MARK_FLAG, WRITE_LOG_MARK_END, NULL, 0, 0, NULL))
		super_write(l);
	if (l->fd >= 0 && close(l->fd) != 0)
		log_fail(l, "closing it: %s", strerror(errno));
	if (l->error[0])
		r = errorf(err, errlen, "%s", l->error);
	pthread_mutex_destroy(&l->lock);
	free(l);
	return r;
}
