/*
 * The host CPUs that take the interrupts of the device under a disk image: the block
 * device a file lives on (or the device itself), up sysfs to the PCI function with its
 * MSI vectors (msi_irqs/), each vector's CPUs from /proc/irq/N/effective_affinity_list.
 * A polling vCPU on one of those CPUs shares it with the disk's interrupts and the
 * I/O thread they wake: measured here, 4k random writes at QD1 ran 8.4-9.5k IOPS with the
 * fio vCPU on the disk's interrupt CPU against 14.5-15.4k on the other (--pin io).
 */
#ifndef VMM_DISK_IRQS_H
#define VMM_DISK_IRQS_H
#include <sched.h>
#include <stddef.h>

/* The CPUs of path's device's interrupts added to *cpus: 0, or -1 with why (no such
 * file; a device with no MSI vectors up its sysfs path, as device-mapper's or a ram disk). */
int disk_irq_cpus(const char *path, cpu_set_t *cpus, char *why, size_t len);
/* The same for device maj:min under sys_root (/sys) and proc_root (/proc): for tests. */
int disk_irq_cpus_of_dev(unsigned maj, unsigned min, const char *sys_root, const char *proc_root, cpu_set_t *cpus,
			 char *why, size_t len);
#endif
