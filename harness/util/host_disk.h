/* Where a file lives on the host: its file system and block device, for the manifest
 * (an image on tmpfs and one on a rotating disk measure different things). */
#ifndef VMSWEEP_UTIL_HOST_DISK_H
#define VMSWEEP_UTIL_HOST_DISK_H
#include <stddef.h>

/* "fs=ext4 device=nvme0n1 model=... rotational=0", as much as can be found, for path
 * or (when it does not exist yet) its directory. Returns buf. */
const char *host_disk_describe(const char *path, char *buf, size_t len);
#endif
