/*
 * The libvirt backend's domain: a transient domain of the run's memory, vCPUs,
 * <topology> and <vcpupin>, direct kernel boot of the Debian kernel with the run's
 * initramfs, the run's disks as virtio disks on the same image files (then the tools
 * disk), and two serial ports written to files: the console, and the data channel the
 * guest's init sends its results on.
 */
#ifndef BACKEND_LIBVIRT_XML_H
#define BACKEND_LIBVIRT_XML_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vmm/vm.h"

struct libvirt_domain {
	const char *name; /* unique: vmsweep-<pid>-<n> */
	const char *type; /* "kvm" or "qemu" (TCG) */
	const char *emulator; /* qemu-system-x86_64's path */
	const char *kernel, *initrd, *cmdline;
	const char *tools_image; /* the read-only disk with fio and its libraries */
	const char *console_path, *data_path; /* serial ports 0 and 1 */
	const int *host_cpu; /* per vCPU, -1: not pinned; NULL: none pinned */
};

/* Writes the domain XML of run vm to f. -1 with err for what a domain cannot express
 * (a disk model other than rate= and iops=, which map to <iotune>). */
/* Whether every disk of vm can be a domain's disk (libvirt_domain_xml's refusals, alone). */
int libvirt_disks_check(const struct vm_config *vm, char *err, size_t errlen);
int libvirt_domain_xml(FILE *f, const struct vm_config *vm, const struct libvirt_domain *d, char *err, size_t errlen);
#endif
