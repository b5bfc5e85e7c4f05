/* The summary of a `vmsweep boot` run: text for people, JSON for programs. */
#ifndef BOOT_REPORT_H
#define BOOT_REPORT_H
#include <stdio.h>

#include "cmd/boot_options.h"

/* The wake-up latency percentiles both summaries give. */
#define BOOT_NR_PERCENTILES 4
static const double boot_percentiles[BOOT_NR_PERCENTILES] = { 50, 90, 99, 99.9 };

void boot_report_text(FILE *out, FILE *err, const struct boot_options *o, const struct vm_result *res);
/* 0, or -1 if the JSON could not be built or written whole (what could be is written). */
int boot_report_json(FILE *out, const struct boot_options *o, const struct vm_result *res);
/* The fio jobs' results as fio's own JSON; 0 or -1 as boot_report_json. */
int boot_report_fio(FILE *out, const struct boot_options *o, const struct vm_result *res);
#endif
