/* `vmsweep boot` options: parsed and checked into a struct vm_config. */
#ifndef BOOT_OPTIONS_H
#define BOOT_OPTIONS_H
#include <stdbool.h>
#include <stdio.h>

#include "vmm/vm.h"

/* Debian's CONFIG_HZ_250: each tick costs ~60 us of interrupt delivery on the project's machines. */
#define BOOT_DEFAULT_HZ 250
/* How long an idle disk queue's host thread polls before it sleeps on its ioeventfd. */
#define BOOT_DEFAULT_BLK_POLL_US 50

struct boot_options {
	struct vm_config vm;
	bool json;
	bool console;
	const char *log_path;
	const char *job_path; /* --job: an fio job file */
	char kernel_buf[4096];
};

/* 0: run; 1: help was printed to out; -1: err names the option and the cause. */
int boot_options_parse(int argc, char **argv, struct boot_options *o, FILE *out, char *err, size_t errlen);
void boot_usage(FILE *f);
/* guest/guest.elf beside the harness binary, wherever the tree is. */
const char *default_kernel_path(char *buf, size_t len);
#endif
