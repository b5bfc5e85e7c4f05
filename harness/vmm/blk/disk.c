/* Disk options and backing files: every failure names the path and what to do. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/parse.h"
#include "util/suggest.h"
#include "vmm/blk/disk.h"
#include "vmm/blk/disk_fs.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *disk_cache_name(enum disk_cache c)
{
	return c == DISK_CACHE_NONE ? "none" : c == DISK_CACHE_WRITEBACK ? "writeback" : "unsafe";
}

const char *disk_engine_name(enum disk_engine e)
{
	return e == DISK_ENGINE_IO_URING ? "io_uring" : "sync";
}

const char *disk_fs_name(enum disk_fs fs)
{
	return fs == DISK_FS_EXT3 ? "ext3" : "none";
}

static const char *const disk_keys[] = { "size", "cache", "engine", "queues", "ro", "swap", "prefill", "lat",
					 "rate", "iops", "profile", "channels", "rpm", "seek", "seek_min", "seek_max",
					 "capacity", "flush", "fs", "mkfs", "fsck", "log" };

static bool disk_key_known(const char *key, size_t klen)
{
	for (size_t i = 0; i < ARRAY_SIZE(disk_keys); i++)
		if (strlen(disk_keys[i]) == klen && !strncmp(disk_keys[i], key, klen))
			return true;
	return false;
}

/* " (did you mean 'x'?)" for a mistyped word, or "". */
static const char *hint(const char *word, const char *const *words, size_t n, char *buf, size_t len)
{
	const char *near = name_suggest(word, words, n);

	if (near)
		snprintf(buf, len, " (did you mean '%s'?)", near);
	else
		buf[0] = '\0';
	return buf;
}

static int parse_part(const char *part, struct disk_config *c, char *err, size_t errlen)
{
	static const char *const caches[] = { "none", "writeback", "unsafe" }, *const engines[] = { "io_uring", "sync" };
	static const char *const fss[] = { "ext3" };
	char why[200], near[64];
	const char *eq = strchr(part, '=');
	size_t klen = eq ? (size_t)(eq - part) : strlen(part);
	const char *v = eq ? eq + 1 : NULL;

#define KEY(k) (klen == strlen(k) && !strncmp(part, k, klen))
	int model = disk_model_parse_part(&c->model, part, klen, v, err, errlen);
	if (model <= 0)
		return model;
	if (KEY("ro") && !v) {
		c->read_only = true;
	} else if (KEY("swap") && !v) {
		c->swap = true;
	} else if (KEY("prefill") && !v) {
		c->prefill = true;
	} else if (KEY("fsck") && !v) {
		c->fsck = true;
	} else if (KEY("fs") && v && *v) {
		if (strcmp(v, "ext3"))
			return errorf(err, errlen, "fs=%s: expected ext3, the file system the guest mounts%s", v,
				      hint(v, fss, ARRAY_SIZE(fss), near, sizeof(near)));
		c->fs = DISK_FS_EXT3;
	} else if (KEY("log") && v && *v) {
		if (snprintf(c->log, sizeof(c->log), "%s", v) >= (int)sizeof(c->log))
			return errorf(err, errlen, "log=%.40s...: too long", v);
	} else if (KEY("size") && v) {
		if (parse_size(v, &c->size, why, sizeof(why)) != 0 || c->size == 0 || c->size % 512)
			return errorf(err, errlen, "size=%s: %s", v,
				      c->size % 512 ? "not a multiple of 512 bytes" : why);
	} else if (KEY("cache") && v) {
		if (!strcmp(v, "none"))
			c->cache = DISK_CACHE_NONE;
		else if (!strcmp(v, "writeback"))
			c->cache = DISK_CACHE_WRITEBACK;
		else if (!strcmp(v, "unsafe"))
			c->cache = DISK_CACHE_UNSAFE;
		else
			return errorf(err, errlen, "cache=%s: expected none, writeback or unsafe%s", v,
				      hint(v, caches, ARRAY_SIZE(caches), near, sizeof(near)));
	} else if (KEY("engine") && v) {
		if (!strcmp(v, "io_uring"))
			c->engine = DISK_ENGINE_IO_URING;
		else if (!strcmp(v, "sync"))
			c->engine = DISK_ENGINE_SYNC;
		else
			return errorf(err, errlen, "engine=%s: expected io_uring or sync%s", v,
				      hint(v, engines, ARRAY_SIZE(engines), near, sizeof(near)));
	} else if (KEY("queues") && v) {
		int64_t n;
		if (parse_int_range(v, 1, 64, &n, why, sizeof(why)) != 0)
			return errorf(err, errlen, "queues=%s: %s", v, why);
		c->queues = (unsigned)n;
	} else if ((KEY("size") || KEY("cache") || KEY("engine") || KEY("queues") || KEY("fs") || KEY("log")) &&
		   (!v || !*v)) {
		return errorf(err, errlen, "'%s': %.*s takes a value (%.*s=...)", part, (int)klen, part, (int)klen, part);
	} else if ((KEY("ro") || KEY("swap") || KEY("prefill") || KEY("fsck")) && v) {
		return errorf(err, errlen, "'%s': %.*s takes no value (write ,%.*s)", part, (int)klen, part, (int)klen,
			      part);
	} else {
		char key[64];
		snprintf(key, sizeof(key), "%.*s", (int)klen, part);
		return errorf(err, errlen, "'%s': expected size=, cache=, engine=, queues=, ro, swap, prefill, fs=, fsck, "
			      "log=, mkfs= or a model's rate=, iops=, lat=, profile=...%s", part,
			      hint(key, disk_keys, ARRAY_SIZE(disk_keys), near, sizeof(near)));
	}
#undef KEY
	return 0;
}

/* mkfs= takes the rest of the spec (mkfs's own -O and -E lists have commas): a disk option
 * written after it would go to mkfs.ext3, so one that reads as a disk option is refused. */
static int mkfs_take(const char *opts, struct disk_config *c, char *err, size_t errlen)
{
	for (const char *p = strchr(opts, ','); p; p = strchr(p + 1, ',')) {
		const char *part = p + 1;
		size_t klen = strcspn(part, "=,");
		if (klen && disk_key_known(part, klen))
			return errorf(err, errlen, "mkfs= comes last: ',%.*s' after it would go to mkfs.ext3 (put it "
				      "before mkfs=)", (int)strcspn(part, ","), part);
	}
	if (snprintf(c->mkfs, sizeof(c->mkfs), "%s", opts) >= (int)sizeof(c->mkfs))
		return errorf(err, errlen, "mkfs=%.40s...: longer than %d bytes", opts, DISK_MKFS_MAX - 1);
	c->has_mkfs = true;
	return disk_mkfs_options_check(opts, err, errlen);
}

/* The parts that go together, or not, once all are read. */
static int parts_check(const struct disk_config *c, char *err, size_t errlen)
{
	if (c->prefill && c->read_only)
		return errorf(err, errlen, "prefill and ro: prefill writes the image (drop one)");
	/* The guest writes pages out to its swap disk: a read-only one could only fail. */
	if (c->swap && c->read_only)
		return errorf(err, errlen, "swap and ro: the guest writes its swapped-out pages to a swap disk (drop ro)");
	if (c->fs && c->swap)
		return errorf(err, errlen, "fs=ext3 and swap: a swap disk holds no file system (drop one)");
	if (c->has_mkfs && !c->fs)
		return errorf(err, errlen, "mkfs= without fs=ext3: it gives mkfs.ext3's options for fs=ext3 (add fs=ext3)");
	if (c->fsck && !c->fs)
		return errorf(err, errlen, "fsck without fs=ext3: e2fsck checks the disk's ext3 file system (add fs=ext3)");
	if (c->has_mkfs && c->read_only)
		return errorf(err, errlen, "mkfs= and ro: a read-only image is used as it is, never made (drop one)");
	if (c->log[0] && c->read_only)
		return errorf(err, errlen, "log= and ro: a read-only disk is never written, there is nothing to log "
			      "(drop one)");
	if (c->log[0] && !strcmp(c->log, c->path))
		return errorf(err, errlen, "log=%s: that is the image itself (the log needs a file of its own)", c->log);
	return 0;
}

int disk_config_parse(const char *arg, struct disk_config *c, char *err, size_t errlen)
{
	char buf[2 * PATH_MAX + 512], why[600];

	memset(c, 0, sizeof(*c));
	c->cache = DISK_CACHE_NONE;
	c->engine = DISK_ENGINE_IO_URING;
	const char *mkfs = strstr(arg, ",mkfs=");
	size_t speclen = mkfs ? (size_t)(mkfs - arg) : strlen(arg);
	if (speclen >= sizeof(buf))
		return errorf(err, errlen, "--disk %.40s...: too long", arg);
	snprintf(buf, sizeof(buf), "%.*s", (int)speclen, arg);
	char *save = NULL, *part = strtok_r(buf, ",", &save);
	if (!part || !*part)
		return errorf(err, errlen,
			      "--disk '%s': expected PATH[,size=..][,cache=..][,engine=..][,queues=..][,ro][,swap][,prefill]"
			      "[,fs=ext3][,fsck][,log=..][,rate=..][,iops=..][,lat=..][,profile=hdd|ssd]...[,mkfs=..]",
			      arg);
	if (snprintf(c->path, sizeof(c->path), "%s", part) >= (int)sizeof(c->path))
		return errorf(err, errlen, "--disk %.40s...: the path is too long", arg);
	while ((part = strtok_r(NULL, ",", &save)))
		if (parse_part(part, c, why, sizeof(why)) != 0)
			return errorf(err, errlen, "--disk %s: %s", arg, why);
	if (mkfs && mkfs_take(mkfs + strlen(",mkfs="), c, why, sizeof(why)))
		return errorf(err, errlen, "--disk %s: %s", arg, why);
	if (disk_model_finish(&c->model, why, sizeof(why)) != 0 || parts_check(c, why, sizeof(why)))
		return errorf(err, errlen, "--disk %s: %s", arg, why);
	return 0;
}

static uint64_t path_bytes(const char *path);

/* An fs=ext3 image that exists is used as it is: it must hold what the guest mounts, and
 * mkfs= (for a new one) cannot apply. */
static int disk_fs_exists_check(const struct disk_config *c, char *err, size_t errlen)
{
	struct stat st;
	if (stat(c->path, &st) != 0)
		return 0; /* made at the run, or refused then */
	if (c->has_mkfs)
		return errorf(err, errlen, "--disk %s,mkfs=%s: %s exists: remove it to make a new file system (or drop "
			      "mkfs= to use it as it is)", c->path, c->mkfs, c->path);
	return disk_fs_check(c, path_bytes(c->path), err, errlen);
}

int disk_configs_check(const struct disk_config *disks, unsigned nr_disks, char *err, size_t errlen)
{
	int first = -1;
	char why[256];

	for (unsigned i = 0; i < nr_disks; i++) {
		struct disk_model m = disks[i].model;
		/* an image already there (or size=) must fit the modelled disk */
		if (disk_model_resolve(&m, disk_image_bytes(&disks[i]), why, sizeof(why)))
			return errorf(err, errlen, "--disk %s: %s", disks[i].path, why);
		if (disks[i].fs && disk_fs_exists_check(&disks[i], err, errlen))
			return -1;
		for (unsigned j = 0; j < i && disks[i].log[0]; j++)
			if (!strcmp(disks[i].log, disks[j].log) || !strcmp(disks[i].log, disks[j].path))
				return errorf(err, errlen, "--disk %s,log=%s: that is also %s's %s", disks[i].path,
					      disks[i].log, disks[j].path, strcmp(disks[i].log, disks[j].log) ? "image" : "log");
		for (unsigned j = 0; j < i; j++)
			if (disks[j].log[0] && !strcmp(disks[j].log, disks[i].path))
				return errorf(err, errlen, "--disk %s: that is %s's log=", disks[i].path, disks[j].path);
		if (!disks[i].swap)
			continue;
		if (first >= 0)
			return errorf(err, errlen,
				      "--disk %s,swap: a second swap disk (/dev/vd%c %s is already the swap disk; "
				      "a guest has one swap device)", disks[i].path, 'a' + first, disks[first].path);
		first = (int)i;
	}
	return 0;
}

static int disk_create(const struct disk_config *c, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", c->path);
	if (!c->size)
		return errorf(err, errlen, "--disk %s: no such file; add size= to create it", c->path);
	if (access(dirname(dir), W_OK) != 0)
		return errorf(err, errlen, "--disk %s: cannot create it in %s: %s", c->path, dir, strerror(errno));
	int fd = open(c->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)c->size) != 0) {
		errorf(err, errlen, "--disk %s: cannot create a %llu-byte image: %s", c->path,
		       (unsigned long long)c->size, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(c->path);
		}
		return -1;
	}
	close(fd);
	return 0;
}

/* The size of the file or block device at path; 0 when unknown. */
static uint64_t path_bytes(const char *path)
{
	struct stat st;
	uint64_t bytes = 0;

	if (stat(path, &st) != 0)
		return 0;
	if (S_ISREG(st.st_mode))
		return (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode)) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && ioctl(fd, BLKGETSIZE64, &bytes) != 0)
			bytes = 0;
		if (fd >= 0)
			close(fd);
	}
	return bytes;
}

uint64_t disk_image_bytes(const struct disk_config *c)
{
	return c->size ? c->size : path_bytes(c->path);
}

bool disk_is_sparse(const struct disk_config *c)
{
	struct stat st;
	if (stat(c->path, &st) != 0)
		return errno == ENOENT;
	return S_ISREG(st.st_mode) && (uint64_t)st.st_blocks * 512 < (uint64_t)st.st_size;
}

/*
 * Writes zeros over every hole of a regular file (SEEK_HOLE/SEEK_DATA), so that the
 * guest's reads reach allocated blocks as they would on a used disk; data already there
 * is left as it is, and a file without holes costs one lseek. fd may be O_DIRECT: the
 * buffer is aligned.
 */
static int disk_prefill(int fd, uint64_t size, const char *path, char *err, size_t errlen)
{
	enum { CHUNK = 1 << 20 };
	void *buf = NULL;
	off_t hole = lseek(fd, 0, SEEK_HOLE);
	if (hole < 0 || (uint64_t)hole >= size)
		return 0; /* no holes, or a file system that cannot say: nothing to do */
	if (posix_memalign(&buf, 4096, CHUNK))
		return errorf(err, errlen, "--disk %s,prefill: out of memory", path);
	memset(buf, 0, CHUNK);
	while (hole >= 0 && (uint64_t)hole < size) {
		off_t data = lseek(fd, hole, SEEK_DATA);
		uint64_t end = data < 0 ? size : (uint64_t)data;
		/* Holes start and end on file-system blocks: O_DIRECT's alignment holds. */
		for (uint64_t off = (uint64_t)hole; off < end;) {
			size_t n = end - off < CHUNK ? (size_t)(end - off) : CHUNK;
			ssize_t w = pwrite(fd, buf, n, (off_t)off);
			if (w <= 0) {
				errorf(err, errlen, "--disk %s,prefill: writing at %llu: %s", path, (unsigned long long)off,
				       w < 0 ? strerror(errno) : "short write");
				free(buf);
				return -1;
			}
			off += (uint64_t)w;
		}
		hole = data < 0 ? (off_t)size : lseek(fd, data, SEEK_HOLE);
	}
	free(buf);
	return fdatasync(fd) == 0 ? 0 : errorf(err, errlen, "--disk %s,prefill: fdatasync: %s", path, strerror(errno));
}

/* err with every tmp replaced by path: a message names the image the user gave. */
static void err_rename(char *err, size_t errlen, const char *tmp, const char *path)
{
	char out[4096], *p;
	size_t used = 0, n = strlen(tmp);
	const char *from = err;
	if (!err || !errlen)
		return;
	while ((p = strstr(from, tmp)) && used < sizeof(out))
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%.*s%s", (int)(p - from), from, path), from = p + n;
	if (used < sizeof(out))
		snprintf(out + used, sizeof(out) - used, "%s", from);
	snprintf(err, errlen, "%s", out);
}

/*
 * A missing image made: created, and with fs= given a file system the guest can mount
 * (one it cannot is not left behind). Made under a name of its own and published with
 * link(2), so that a process looking at the path (another shard of a sweep starting on
 * the same node, even on another host over a shared file system) finds a whole image or
 * none, and of two makers the first wins and the second uses its image.
 */
static int disk_make(const struct disk_config *c, char *err, size_t errlen)
{
	struct disk_config tmp = *c;
	if (snprintf(tmp.path, sizeof(tmp.path), "%s.making.%d", c->path, (int)getpid()) >= (int)sizeof(tmp.path))
		return errorf(err, errlen, "--disk %s: the path is too long", c->path);
	unlink(tmp.path);
	if (disk_create(&tmp, err, errlen) != 0 ||
	    (c->fs && (disk_mkfs(&tmp, err, errlen) || disk_fs_check(&tmp, c->size, err, errlen)))) {
		err_rename(err, errlen, tmp.path, c->path);
		unlink(tmp.path);
		return -1;
	}
	int r = link(tmp.path, c->path), e = errno;
	if (r != 0 && e != EEXIST) /* a file system without hard links: the last maker's image stays */
		r = rename(tmp.path, c->path), e = errno;
	unlink(tmp.path);
	if (r != 0 && e != EEXIST)
		return errorf(err, errlen, "--disk %s: %s", c->path, strerror(e));
	return 0;
}

/* The image found (an fs= one checked) or, when missing, made. */
static int disk_find_or_make(const struct disk_config *c, char *err, size_t errlen)
{
	struct stat st;

	if (stat(c->path, &st) == 0)
		return c->fs ? disk_fs_exists_check(c, err, errlen) : 0;
	if (errno != ENOENT)
		return errorf(err, errlen, "--disk %s: %s", c->path, strerror(errno));
	if (c->read_only)
		return errorf(err, errlen, "--disk %s: no such file (a read-only disk is not created)", c->path);
	return disk_make(c, err, errlen);
}

int disk_open(const struct disk_config *c, int *fdp, uint64_t *sizep, char *err, size_t errlen)
{
	struct stat st;

	if (disk_find_or_make(c, err, errlen))
		return -1;
	int flags = (c->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | (c->cache == DISK_CACHE_NONE ? O_DIRECT : 0);
	int fd = open(c->path, flags);
	if (fd < 0 && errno == EINVAL && (flags & O_DIRECT))
		return errorf(err, errlen,
			      "--disk %s: cache=none needs O_DIRECT, which this file system refuses; use cache=writeback",
			      c->path);
	if (fd < 0) {
		bool ro_fs = errno == EACCES || errno == EROFS || errno == EPERM;
		return errorf(err, errlen, "--disk %s: %s%s", c->path, strerror(errno),
			      ro_fs && !c->read_only ? " (a read-only image needs ,ro)" : "");
	}
	uint64_t size = 0;
	if (fstat(fd, &st) == 0 && S_ISBLK(st.st_mode))
		ioctl(fd, BLKGETSIZE64, &size);
	else if (S_ISREG(st.st_mode))
		size = (uint64_t)st.st_size;
	else {
		errorf(err, errlen, "--disk %s: not a regular file or block device", c->path);
		close(fd);
		return -1;
	}
	if (c->size && size != c->size) {
		errorf(err, errlen, "--disk %s: exists with %llu bytes, not size=%llu (remove it or drop size=)",
		       c->path, (unsigned long long)size, (unsigned long long)c->size);
		close(fd);
		return -1;
	}
	if (size < 512 || size % 512) {
		errorf(err, errlen, "--disk %s: %llu bytes is not a whole number of 512-byte sectors", c->path,
		       (unsigned long long)size);
		close(fd);
		return -1;
	}
	if (c->prefill && S_ISREG(st.st_mode) && disk_prefill(fd, size, c->path, err, errlen)) {
		close(fd);
		return -1;
	}
	*fdp = fd;
	*sizep = size;
	return 0;
}
