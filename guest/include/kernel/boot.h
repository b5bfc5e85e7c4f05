/* The boot page the host wrote, the knobs in it, and the entry points of boot (init/main.c). */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H
#include <kernel/types.h>
#include <vmsweep/abi.h>

extern const struct vms_boot *boot_params;
extern u64 tsc_main; /* when CPU 0 entered start_kernel, for the results */
#define knob(name) (boot_params->knobs[VMS_KNOB_##name])

/* Every vCPU's first C code (_start in entry.S): CPU 0 boots the kernel, the others wait for it. */
void start_cpu(unsigned cpu, const struct vms_boot *bp) __noreturn;
/* What init (pid 1) runs: the built-in workload (workload/boot_workload.c). */
int kernel_init(void *unused);
#endif
