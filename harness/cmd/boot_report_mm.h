/* The memory manager's part of a `vmsweep boot` summary (#4): watermarks, zones, vmstat,
 * memory jobs and OOM kills, as text and as JSON. boot_report.c calls these. */
#ifndef BOOT_REPORT_MM_H
#define BOOT_REPORT_MM_H
#include <jansson.h>
#include <stdio.h>
#include <vmsweep/workload.h>

#include "vmm/vm.h"

/* The memory section of the text summary; nothing when the guest handed none over. */
void boot_report_mm_text(FILE *out, const struct vms_workload *wl, const struct vm_result *res);
/* Adds "vmstat", "mem_jobs", "oom" and "oom_kills" to root, each when there is one. */
void boot_report_mm_json(json_t *root, const struct vms_workload *wl, const struct vm_result *res);
/* Names each memory job the OOM killer ended (or that failed otherwise) on err, as
 * fio jobs that fail are named; returns how many did. */
unsigned boot_report_mm_failures(FILE *err, const struct vms_workload *wl, const struct vm_result *res);
#endif
