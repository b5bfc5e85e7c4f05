/*
 * A guest disk's backing file: `--disk PATH[,size=1G][,cache=none|writeback|unsafe]
 * [,engine=io_uring|sync][,ro][,queues=N][,swap][,prefill][,fs=ext3][,fsck][,log=PATH]
 * [,mkfs=OPTIONS]` and a device model's parts (`rate=`, `iops=`, `lat=`, `profile=hdd|ssd`
 * and their parameters: disk_model.h). A missing image is created sparse at size=;
 * cache=none opens it O_DIRECT. swap makes it the guest's swap device. fs=ext3: the guest
 * mounts it, a new image gets `mkfs.ext3 -b 4096 OPTIONS` (disk_fs.h); mkfs= comes last
 * and takes the rest of the spec, commas included (mkfs's own -O a,b and -E a=1,b=2).
 * log=: the run's writes and flushes in dm-log-writes's format (write_log.h).
 */
#ifndef VMM_DISK_H
#define VMM_DISK_H
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/blk/disk_model.h"

enum disk_cache { DISK_CACHE_NONE, DISK_CACHE_WRITEBACK, DISK_CACHE_UNSAFE };
enum disk_engine { DISK_ENGINE_IO_URING, DISK_ENGINE_SYNC };
enum disk_fs { DISK_FS_NONE, DISK_FS_EXT3 };

#define DISK_MKFS_MAX 256

struct disk_config {
	char path[PATH_MAX];
	uint64_t size; /* 0: the existing file's size */
	enum disk_cache cache;
	enum disk_engine engine;
	bool read_only;
	bool swap; /* the guest's swap device (VMS_DISK_SWAP); never with read_only */
	unsigned queues; /* 0: one per vCPU */
	bool prefill; /* write the image's holes through once, so reads measure the disk, not holes */
	struct disk_model model; /* when the guest gets each completion; none unless given */
	enum disk_fs fs; /* fs=ext3: the guest mounts it (VMS_DISK_FS_EXT3) */
	bool has_mkfs; /* mkfs= given: only for an image that does not exist yet */
	char mkfs[DISK_MKFS_MAX]; /* mkfs.ext3's options as written (split at spaces) */
	bool fsck; /* e2fsck -fn the image after the run (fs=ext3 only) */
	char log[PATH_MAX]; /* log=: where the run's write stream goes; "" for none */
};

/* Parses one --disk argument; -1 with err naming the part that is wrong. */
int disk_config_parse(const char *arg, struct disk_config *c, char *err, size_t errlen);
/* Checks one guest's disks together, after each was parsed: at most one swap disk, a
 * model's capacity= no smaller than an image that exists (or size=), an fs=ext3 image that
 * exists holds a file system the guest mounts (and has no mkfs=), no log shared.
 * -1 with err naming the --disk that breaks it. */
int disk_configs_check(const struct disk_config *disks, unsigned nr_disks, char *err, size_t errlen);
/* Opens (creating if missing and size= given) the backing file; fd and its size in bytes. */
int disk_open(const struct disk_config *c, int *fd, uint64_t *size, char *err, size_t errlen);
/* The image's size in bytes before it is opened: size= (it is created that big), else the
 * existing file's or block device's; 0 when unknown. */
uint64_t disk_image_bytes(const struct disk_config *c);
/* Whether the image at c->path has holes (or does not exist yet: it is made sparse).
 * false for block devices and files that cannot be examined. */
bool disk_is_sparse(const struct disk_config *c);
const char *disk_cache_name(enum disk_cache c);
const char *disk_engine_name(enum disk_engine e);
const char *disk_fs_name(enum disk_fs fs); /* "ext3", or "none" */
#endif
