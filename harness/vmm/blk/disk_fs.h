/*
 * The file system of a disk with fs=ext3, on the host's side: mkfs.ext3's options
 * (mkfs=), making the file system on a new image, checking an image's superblock before
 * the guest mounts it, and e2fsck after the run (fsck). The tools are e2fsprogs', which
 * make deps installs.
 */
#ifndef VMM_DISK_FS_H
#define VMM_DISK_FS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/blk/disk.h"

/* mkfs= as written: words split at spaces, passed to mkfs.ext3 after -F -q -b 4096. -1
 * with err for -b (the block size is the guest's page size), -n and -V (they make no
 * file system), a letter mkfs.ext3 has no option for, and a word that is no option (the
 * image and its size come from the disk). */
int disk_mkfs_options_check(const char *opts, char *err, size_t errlen);
/* Makes the file system on the image just created: `mkfs.ext3 -F -q -b 4096 OPTIONS --
 * PATH`; err names the disk and what mkfs said. */
int disk_mkfs(const struct disk_config *c, char *err, size_t errlen);
/* Whether the image at c->path holds a file system the guest mounts (ext3_super.h) and
 * fits image_bytes (0: not checked); err names the file. */
int disk_fs_check(const struct disk_config *c, uint64_t image_bytes, char *err, size_t errlen);

struct disk_fsck {
	bool ran;
	int exit; /* e2fsck's exit status (0: clean, 4: errors left; -1: it could not run) */
	bool clean;
	char output[1024]; /* its last lines */
};
/* e2fsck -fn PATH: forced, read-only (answers no), whatever the run left. */
void disk_fsck_run(const char *path, struct disk_fsck *r);
#endif
