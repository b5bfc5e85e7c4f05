/*
 * What the libvirt backend's Linux guest is given for a run: run.conf (its knobs, as
 * linux_knobs.c writes them, and the fio line) and job.fio (the compiled jobs, written
 * for the guest's fio by cmd/baseline_job.c in in_guest mode), carried in a cpio
 * appended to the base initramfs (linux-guest/README.md).
 */
#ifndef BACKEND_LINUX_BOOT_FILES_H
#define BACKEND_LINUX_BOOT_FILES_H
#include <stddef.h>

#include "vmm/vm.h"
#include "vmsweep/workload.h"

/* run.conf and job.fio, malloc'd into *conf and *job. -1 with err (a knob Linux has no
 * equivalent for, a job the guest's fio cannot be given). */
int linux_boot_files_make(const struct vm_config *vm, const struct vms_workload *wl, const char *source, char **conf,
			  size_t *conf_len, char **job, size_t *job_len, char *err, size_t errlen);
/* The run's initrd at path: the base initramfs, zero-padded to 4 bytes, then a cpio of
 * /vmsweep/run.conf and /vmsweep/job.fio. -1 with err. */
int linux_initrd_make(const char *path, const char *base, const char *conf, size_t conf_len, const char *job,
		      size_t job_len, char *err, size_t errlen);
#endif
