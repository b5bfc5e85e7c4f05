/* The summary of a `vmsweep boot` run: text for people, JSON for programs. */
#ifndef BOOT_REPORT_H
#define BOOT_REPORT_H
#include <stdio.h>

#include "cmd/boot_options.h"

void boot_report_text(FILE *out, FILE *err, const struct boot_options *o, const struct vm_result *res);
/* 0, or -1 if the JSON could not be written. */
int boot_report_json(FILE *out, const struct boot_options *o, const struct vm_result *res);
/* The fio jobs' results as fio's own JSON. */
int boot_report_fio(FILE *out, const struct boot_options *o, const struct vm_result *res);
#endif
