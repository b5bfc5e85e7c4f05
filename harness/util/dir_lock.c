/* The results directory's lock: flock on DIR/run.lock, the holder written inside. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "util/dir_lock.h"
#include "util/error.h"

int dir_lock_take(const char *dir, const char *what, char *err, size_t errlen)
{
	char path[4096], holder[512], host[256] = "?", stamp[32];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, DIR_LOCK_FILE) >= sizeof(path))
		return errorf(err, errlen, "%s: path too long", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		ssize_t n = pread(fd, holder, sizeof(holder) - 1, 0);
		holder[n > 0 ? n : 0] = 0;
		holder[strcspn(holder, "\n")] = 0;
		close(fd);
		if (e == EWOULDBLOCK)
			return errorf(err, errlen, "%s is in use by %s; wait for it to end, or stop it first", dir,
				      holder[0] ? holder : "another process");
		return errorf(err, errlen, "%s: flock: %s", path, strerror(e));
	}
	time_t now = time(NULL);
	struct tm tm;
	gethostname(host, sizeof(host) - 1);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	int n = snprintf(holder, sizeof(holder), "%s (pid %ld on %s, since %s)\n", what, (long)getpid(), host, stamp);
	if (ftruncate(fd, 0) == 0 && n > 0)
		(void)!pwrite(fd, holder, (size_t)n < sizeof(holder) ? (size_t)n : sizeof(holder) - 1, 0);
	return fd;
}

void dir_lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
