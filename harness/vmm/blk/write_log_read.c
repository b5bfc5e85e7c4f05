/*
 * Reading a dm-log-writes log and applying its entries to an image (write_log.h). The
 * log is a file from anywhere: every header is checked against the file's size before it
 * is believed, so a cut or corrupt log is an error naming the entry, never a huge
 * allocation or a write past the image.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "vmm/blk/write_log.h"

#define COPY_CHUNK (1u << 20)

static int pread_all(int fd, void *buf, size_t n, uint64_t off)
{
	for (size_t done = 0; done < n;) {
		ssize_t r = pread(fd, (char *)buf + done, n - done, (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		done += (size_t)r;
	}
	return 0;
}

static int pwrite_all(int fd, const void *buf, size_t n, uint64_t off)
{
	for (size_t done = 0; done < n;) {
		ssize_t r = pwrite(fd, (const char *)buf + done, n - done, (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		done += (size_t)r;
	}
	return 0;
}

static uint64_t le64_at(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* Reads the header of the entry at *off into e; *off moves past its data. */
static int entry_read(struct write_log_reader *r, uint64_t i, uint64_t *off, uint64_t file_size, uint8_t *sec,
		      struct write_log_entry *e, char *err, size_t errlen)
{
	if (*off + r->sectorsize > file_size)
		return errorf(err, errlen, "entry %llu: the log ends at byte %llu, before it (cut short?)",
			      (unsigned long long)i, (unsigned long long)file_size);
	int rc = pread_all(r->fd, sec, r->sectorsize, *off);
	if (rc)
		return errorf(err, errlen, "entry %llu: reading byte %llu: %s", (unsigned long long)i,
			      (unsigned long long)*off, strerror(-rc));
	memset(e, 0, sizeof(*e));
	e->sector = le64_at(sec);
	e->nr_sectors = le64_at(sec + 8);
	e->flags = le64_at(sec + 16);
	uint64_t data_len = le64_at(sec + 24);
	e->data_off = *off + r->sectorsize;
	if (e->flags & LOG_MARK_FLAG) {
		if (data_len > r->sectorsize - 32 || data_len > WRITE_LOG_MARK_MAX)
			return errorf(err, errlen, "entry %llu: a mark of %llu bytes, more than its sector holds",
				      (unsigned long long)i, (unsigned long long)data_len);
		memcpy(e->mark, sec + 32, data_len);
		e->mark[data_len] = '\0';
	}
	/* A discard's sectors are a range of the image, not data in the log (as the kernel writes it). */
	uint64_t data = e->flags & LOG_DISCARD_FLAG ? 0 : e->nr_sectors;
	if (data > (file_size - e->data_off) / r->sectorsize)
		return errorf(err, errlen, "entry %llu: %llu sectors of data past the log's end (cut short?)",
			      (unsigned long long)i, (unsigned long long)e->nr_sectors);
	*off = e->data_off + data * r->sectorsize;
	return 0;
}

int write_log_reader_open(struct write_log_reader *r, const char *path, char *err, size_t errlen)
{
	uint8_t head[32];
	struct stat st;
	char why[300];

	memset(r, 0, sizeof(*r));
	r->base_end = UINT64_MAX;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0)
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	int rc = fstat(r->fd, &st) ? -errno : pread_all(r->fd, head, sizeof(head), 0);
	if (rc) {
		errorf(err, errlen, "%s: reading its super: %s", path, rc == -EIO ? "the file is too short" : strerror(-rc));
		goto fail;
	}
	uint64_t magic = le64_at(head), version = le64_at(head + 8);
	uint32_t size;
	memcpy(&size, head + 24, sizeof(size));
	r->sectorsize = le32toh(size);
	r->nr_entries = le64_at(head + 16);
	if (magic != WRITE_LOG_MAGIC) {
		errorf(err, errlen, "%s: not a dm-log-writes log (magic %#llx, not %#llx)", path, (unsigned long long)magic,
		       WRITE_LOG_MAGIC);
		goto fail;
	}
	if (version != WRITE_LOG_VERSION) {
		errorf(err, errlen, "%s: log version %llu, not %d", path, (unsigned long long)version, WRITE_LOG_VERSION);
		goto fail;
	}
	if (r->sectorsize < 512 || r->sectorsize > 65536 || (r->sectorsize & (r->sectorsize - 1))) {
		errorf(err, errlen, "%s: a sectorsize of %u bytes (a power of two from 512 to 65536 expected)", path,
		       r->sectorsize);
		goto fail;
	}
	/* each entry takes a sector at least: more than that many is a corrupt super */
	uint64_t file_size = (uint64_t)st.st_size;
	if (r->nr_entries > file_size / r->sectorsize) {
		errorf(err, errlen, "%s: its super counts %llu entries, more than its %llu bytes can hold", path,
		       (unsigned long long)r->nr_entries, (unsigned long long)file_size);
		goto fail;
	}
	uint8_t *sec = malloc(r->sectorsize);
	r->entries = calloc(r->nr_entries ? r->nr_entries : 1, sizeof(*r->entries));
	if (!sec || !r->entries) {
		free(sec);
		errorf(err, errlen, "%s: out of memory for %llu entries", path, (unsigned long long)r->nr_entries);
		goto fail;
	}
	uint64_t off = r->sectorsize;
	for (uint64_t i = 0; i < r->nr_entries; i++) {
		if (entry_read(r, i, &off, file_size, sec, &r->entries[i], why, sizeof(why))) {
			free(sec);
			errorf(err, errlen, "%s: %s", path, why);
			goto fail;
		}
		if (r->base_end == UINT64_MAX && r->entries[i].flags == LOG_MARK_FLAG &&
		    !strcmp(r->entries[i].mark, WRITE_LOG_MARK_BASE))
			r->base_end = i;
	}
	free(sec);
	r->whole = r->nr_entries && r->entries[r->nr_entries - 1].flags == LOG_MARK_FLAG &&
		   !strcmp(r->entries[r->nr_entries - 1].mark, WRITE_LOG_MARK_END);
	return 0;
fail:
	write_log_reader_close(r);
	return -1;
}

void write_log_reader_close(struct write_log_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->entries);
	r->entries = NULL;
	r->fd = -1;
	r->nr_entries = 0;
}

const char *write_log_entry_kind(const struct write_log_entry *e, char *buf, size_t len)
{
	static const char *const names[] = { "flush", "fua", "discard", "mark" };
	size_t used = 0;
	buf[0] = '\0';
	if (!(e->flags & (LOG_DISCARD_FLAG | LOG_MARK_FLAG)) && (e->nr_sectors || !e->flags))
		used += (size_t)snprintf(buf, len, "write");
	for (unsigned b = 0; b < 4; b++)
		if (e->flags & (1u << b) && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "|" : "", names[b]);
	if (e->flags >> 4 && used < len)
		snprintf(buf + used, len - used, "%s0x%llx", used ? "|" : "", (unsigned long long)(e->flags >> 4 << 4));
	return buf;
}

int write_log_apply(const struct write_log_reader *r, uint64_t i, int fd, char *err, size_t errlen)
{
	if (i >= r->nr_entries)
		return errorf(err, errlen, "entry %llu: the log has %llu", (unsigned long long)i,
			      (unsigned long long)r->nr_entries);
	const struct write_log_entry *e = &r->entries[i];
	if (!e->nr_sectors || (e->flags & LOG_MARK_FLAG))
		return 0; /* a flush or a mark: nothing to write */
	if (e->sector > UINT64_MAX / r->sectorsize - e->nr_sectors)
		return errorf(err, errlen, "entry %llu: sector %llu is past any image", (unsigned long long)i,
			      (unsigned long long)e->sector);
	uint8_t *buf = malloc(COPY_CHUNK);
	if (!buf)
		return errorf(err, errlen, "out of memory");
	if (e->flags & LOG_DISCARD_FLAG)
		memset(buf, 0, COPY_CHUNK);
	uint64_t total = e->nr_sectors * r->sectorsize, to = e->sector * r->sectorsize;
	int rc = 0;
	for (uint64_t done = 0; !rc && done < total;) {
		size_t n = total - done < COPY_CHUNK ? (size_t)(total - done) : COPY_CHUNK;
		if (!(e->flags & LOG_DISCARD_FLAG) && (rc = pread_all(r->fd, buf, n, e->data_off + done)))
			errorf(err, errlen, "entry %llu: reading its data: %s", (unsigned long long)i, strerror(-rc));
		else if ((rc = pwrite_all(fd, buf, n, to + done)))
			errorf(err, errlen, "entry %llu: writing %zu bytes at byte %llu of the image: %s",
			       (unsigned long long)i, n, (unsigned long long)(to + done), strerror(-rc));
		done += n;
	}
	free(buf);
	return rc ? -1 : 0;
}

int write_log_replay(const struct write_log_reader *r, int fd, uint64_t count, const uint64_t *extra, size_t nr_extra,
		     char *err, size_t errlen)
{
	if (count > r->nr_entries)
		return errorf(err, errlen, "%llu entries asked for, the log has %llu", (unsigned long long)count,
			      (unsigned long long)r->nr_entries);
	for (size_t k = 0; k < nr_extra; k++)
		if (extra[k] < count || extra[k] >= r->nr_entries || (k && extra[k] <= extra[k - 1]))
			return errorf(err, errlen, "entry %llu of the subset: expected entries after the first %llu, in "
				      "increasing order, below %llu", (unsigned long long)extra[k],
				      (unsigned long long)count, (unsigned long long)r->nr_entries);
	for (uint64_t i = 0; i < count; i++)
		if (write_log_apply(r, i, fd, err, errlen))
			return -1;
	for (size_t k = 0; k < nr_extra; k++)
		if (write_log_apply(r, extra[k], fd, err, errlen))
			return -1;
	return 0;
}
