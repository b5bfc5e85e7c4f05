/* Scratch directories: see scratch_dir.h. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/scratch_dir.h"
#include "util/error.h"

#define SCRATCH_ROOT "/var/tmp"
#define SCRATCH_PREFIX "vmsweep-"

int scratch_dir_make(const char *what, char *path, size_t len, char *err, size_t errlen)
{
	if ((size_t)snprintf(path, len, SCRATCH_ROOT "/" SCRATCH_PREFIX "%s-%d.XXXXXX", what, (int)getpid()) >= len)
		return errorf(err, errlen, "scratch directory name too long");
	if (!mkdtemp(path)) {
		int e = errno;
		path[0] = 0;
		return errorf(err, errlen, SCRATCH_ROOT ": cannot make a scratch directory: %s", strerror(e));
	}
	return 0;
}

static int remove_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(p);
	return 0;
}

void scratch_dir_remove(const char *path)
{
	if (path && path[0])
		nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

void scratch_dirs_reap(void)
{
	DIR *d = opendir(SCRATCH_ROOT);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		const char *dash;
		int pid;
		if (strncmp(e->d_name, SCRATCH_PREFIX, strlen(SCRATCH_PREFIX)) ||
		    !(dash = strrchr(e->d_name, '-')) || sscanf(dash + 1, "%d.", &pid) != 1 || pid <= 0)
			continue;
		/* only our own names: vmsweep-libvirt-<pid>.XXXXXX, vmsweep-libvirtd-<pid>.XXXXXX */
		if (strncmp(e->d_name, SCRATCH_PREFIX "libvirt", strlen(SCRATCH_PREFIX "libvirt")))
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		char path[512];
		struct stat st;
		snprintf(path, sizeof(path), SCRATCH_ROOT "/%s", e->d_name);
		/* ours only: a directory we made (mkdtemp: 0700, our uid), not one planted in /var/tmp */
		if (lstat(path, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) & ~011)
			continue;
		scratch_dir_remove(path);
	}
	if (d)
		closedir(d);
}
