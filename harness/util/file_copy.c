/*
 * A sparse copy of a file: a reflink where the file system can (FICLONE, btrfs and XFS),
 * else the data extents only (SEEK_DATA / SEEK_HOLE) with copy_file_range, the holes
 * left as holes, so that a fresh 1 GiB file system image costs the few MiB mkfs wrote.
 */
#include "util/file_copy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

/* [pos, end) of in to the same offsets of out. */
static int range_copy(int in, int out, off_t pos, off_t end)
{
	while (pos < end) {
		off_t from = pos, to = pos;
		ssize_t n = copy_file_range(in, &from, out, &to, (size_t)(end - pos), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)) {
			char buf[1 << 16];
			size_t want = end - pos < (off_t)sizeof(buf) ? (size_t)(end - pos) : sizeof(buf);
			n = pread(in, buf, want, pos);
			if (n > 0 && pwrite(out, buf, (size_t)n, pos) != n)
				return -1;
		}
		if (n <= 0)
			return n < 0 ? -1 : (errno = EIO, -1);
		pos += n;
	}
	return 0;
}

int file_copy_sparse(const char *src, const char *dst, char *err, size_t errlen)
{
	struct stat st;
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, r = -1;

	if (in < 0 || fstat(in, &st) != 0) {
		errorf(err, errlen, "%s: %s", src, strerror(errno));
		goto done;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		errorf(err, errlen, "%s: %s", dst, strerror(errno));
		goto done;
	}
	if (ioctl(out, FICLONE, in) == 0) {
		r = 0;
		goto done;
	}
	if (ftruncate(out, st.st_size) != 0) {
		errorf(err, errlen, "%s: %s", dst, strerror(errno));
		goto done;
	}
	off_t pos = lseek(in, 0, SEEK_DATA);
	if (pos < 0 && errno != ENXIO) /* no SEEK_DATA here: the whole file */
		pos = 0;
	while (pos >= 0 && pos < st.st_size) {
		off_t hole = lseek(in, pos, SEEK_HOLE);
		if (hole < 0 || hole > st.st_size)
			hole = st.st_size;
		if (range_copy(in, out, pos, hole) != 0) {
			errorf(err, errlen, "copying %s to %s at byte %lld: %s", src, dst, (long long)pos, strerror(errno));
			goto done;
		}
		pos = hole < st.st_size ? lseek(in, hole, SEEK_DATA) : st.st_size;
	}
	r = 0;
done:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0 && !r)
		r = errorf(err, errlen, "%s: %s", dst, strerror(errno));
	if (r && out >= 0)
		unlink(dst);
	return r;
}
