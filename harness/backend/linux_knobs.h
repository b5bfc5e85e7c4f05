/*
 * A run's knobs as the Linux guest's init applies them (linux-guest/README.md's
 * run.conf): sysctls, the disks' queue settings, ext3's mount options, swap. A knob at
 * its default leaves Linux's own default; a knob set to something Linux 6.1 has no
 * equivalent for (an old watermark or writeback era, a harness test) is refused, by
 * name, before anything boots.
 */
#ifndef BACKEND_LINUX_KNOBS_H
#define BACKEND_LINUX_KNOBS_H
#include <stddef.h>
#include <stdio.h>

#include "vmm/vm.h"

/* Writes vm's run.conf lines to conf (NULL: only check). -1 with err naming the knob (or
 * the disk setting) and why Linux cannot take it. */
int linux_knobs_conf(const struct vm_config *vm, FILE *conf, char *err, size_t errlen);
#endif
