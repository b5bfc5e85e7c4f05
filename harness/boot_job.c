/* The disks' sizes, as far as they are known before the VM opens them, bound the jobs' regions. */
#include <stdlib.h>
#include <sys/stat.h>

#include "boot_job.h"
#include "fio/job_compile.h"

int boot_job_compile(struct boot_options *o, char *err, size_t errlen)
{
	struct fio_disk_info disks[VMS_MAX_DISKS] = { 0 };
	struct vms_workload *wl = NULL;
	size_t size = 0;

	for (unsigned i = 0; i < o->vm.nr_disks; i++) {
		struct stat st;
		disks[i].size = o->vm.disks[i].size;
		disks[i].flags = o->vm.disks[i].swap ? VMS_DISK_SWAP : 0; /* fio jobs may not use the swap disk */
		if (!disks[i].size && stat(o->vm.disks[i].path, &st) == 0 && S_ISREG(st.st_mode))
			disks[i].size = (uint64_t)st.st_size;
	}
	if (fio_compile_file(o->job_path, disks, o->vm.nr_disks, &wl, &size, err, errlen) != 0)
		return -1;
	o->vm.workload = wl;
	o->vm.workload_size = size;
	return 0;
}
