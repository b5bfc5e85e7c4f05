/*
 * A sweep's disk images. A run of a sweep must not inherit what the run before it left
 * on a file system (files, free-space layout, the mount count), or its results would
 * depend on the order the runs happened to take: each fs= disk's image (made by mkfs
 * once, at the sweep's start, when it does not exist) is the template, and each run
 * boots a fresh sparse copy of it, PATH.wN for worker N. A raw disk is shared (its data
 * is the job's business, and prefill made it once), worker N of several using PATH.wN,
 * a copy of PATH made once. Shards may run at once on one machine: shard S's copies are
 * PATH.sS.wN.
 */
#include "sweep/run_disks.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/file_copy.h"

int sweep_disks_prepare(const struct disk_config *disks, unsigned nr_disks, char *err, size_t errlen)
{
	for (unsigned d = 0; d < nr_disks; d++) {
		if (!disks[d].fs)
			continue;
		int fd;
		uint64_t size;
		if (disk_open(&disks[d], &fd, &size, err, errlen) != 0) /* makes it when missing */
			return -1;
		close(fd);
	}
	return 0;
}

/* A raw disk's own image for a worker or shard: a copy of the image the config names
 * when it exists (what prefill or the user put there), made under a name of its own and
 * renamed into place; later runs use it as the runs before left it, as runs on the shared
 * image would, until the image itself changes (a copy older than it is made again). A
 * missing image is made by disk_open (size=). */
static int raw_copy_once(const char *from, const char *to, char *err, size_t errlen)
{
	struct stat src, dst;
	char tmp[PATH_MAX + 32];
	if (stat(from, &src) != 0 || !S_ISREG(src.st_mode))
		return 0;
	if (stat(to, &dst) == 0 && (dst.st_mtim.tv_sec > src.st_mtim.tv_sec ||
				    (dst.st_mtim.tv_sec == src.st_mtim.tv_sec && dst.st_mtim.tv_nsec >= src.st_mtim.tv_nsec)))
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.making.%d", to, (int)getpid());
	if (file_copy_sparse(from, tmp, err, errlen) != 0)
		return -1;
	if (rename(tmp, to) != 0) {
		unlink(tmp);
		return errorf(err, errlen, "disk %s: %s", to, strerror(errno));
	}
	return 0;
}

int sweep_run_disks(struct vm_config *vm, int shard, unsigned worker, unsigned nr_workers, char *err, size_t errlen)
{
	for (unsigned d = 0; d < vm->nr_disks; d++) {
		struct disk_config *c = &vm->disks[d];
		if ((!c->fs && nr_workers < 2 && shard < 0) || c->read_only)
			continue; /* a read-only image is shared as it is: nothing writes it */
		char path[sizeof(c->path)], tag[16] = "";
		if (shard >= 0)
			snprintf(tag, sizeof(tag), ".s%d", shard);
		if (snprintf(path, sizeof(path), "%s%s.w%u", c->path, tag, worker) >= (int)sizeof(path))
			return errorf(err, errlen, "disk %s: the path is too long for its run copy", c->path);
		if (c->fs && file_copy_sparse(c->path, path, err, errlen) != 0)
			return -1;
		if (!c->fs && raw_copy_once(c->path, path, err, errlen) != 0)
			return -1;
		memcpy(c->path, path, sizeof(path));
	}
	return 0;
}
