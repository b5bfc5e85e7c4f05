/* Compiling a job file for a guest's disks as the commands configure them. */
#include <sys/stat.h>

#include "fio/job_compile.h"

int fio_compile_for_disks(const char *path, const struct disk_config *disks, unsigned nr_disks,
			  struct vms_workload **out, size_t *out_size, char *err, size_t errlen)
{
	struct fio_disk_info info[VMS_MAX_DISKS] = { { 0 } };

	if (nr_disks > VMS_MAX_DISKS)
		return errorf(err, errlen, "%u disks, at most %u", nr_disks, VMS_MAX_DISKS);
	for (unsigned i = 0; i < nr_disks; i++) {
		struct stat st;
		/* size= creates the image that big; otherwise an existing image's size binds. */
		info[i].size = disks[i].size;
		if (!info[i].size && stat(disks[i].path, &st) == 0 && S_ISREG(st.st_mode))
			info[i].size = (uint64_t)st.st_size;
		info[i].flags = disks[i].swap ? VMS_DISK_SWAP : 0; /* fio jobs may not use the swap disk */
	}
	return fio_compile_file(path, info, nr_disks, out, out_size, err, errlen);
}
