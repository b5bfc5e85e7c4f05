/* `vmsweep boot --job`: compiling the job file against the guest's disks. */
#ifndef BOOT_JOB_H
#define BOOT_JOB_H
#include "boot_options.h"

/* Compiles o->job_path into o->vm.workload (malloc'd); -1 with err naming file:line. */
int boot_job_compile(struct boot_options *o, char *err, size_t errlen);
#endif
