/*
 * The libvirt backend's scratch directories (/var/tmp/vmsweep-<what>-<pid>.XXXXXX: a
 * run's initrd and serial files, our libvirtd's socket and configuration): made with
 * the owner's pid in the name, removed whole, and those of a vmsweep that is gone (it
 * was killed) removed by the next one.
 */
#ifndef BACKEND_SCRATCH_DIR_H
#define BACKEND_SCRATCH_DIR_H
#include <stddef.h>

/* Makes /var/tmp/vmsweep-<what>-<our pid>.XXXXXX into path[len]. -1 with err. */
int scratch_dir_make(const char *what, char *path, size_t len, char *err, size_t errlen);
/* Removes path and everything under it (it never follows a symlink out). */
void scratch_dir_remove(const char *path);
/* Removes the scratch directories of vmsweep processes that no longer run. */
void scratch_dirs_reap(void);
#endif
