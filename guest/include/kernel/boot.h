/* The boot page the host wrote, and the knobs in it. */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H
#include <kernel/types.h>
#include <vmsweep/abi.h>

extern const struct vms_boot *boot_params;
#define knob(name) (boot_params->knobs[VMS_KNOB_##name])
#endif
