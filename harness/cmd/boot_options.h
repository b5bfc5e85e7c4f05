/* `vmsweep boot` options: parsed and checked into a struct vm_config. */
#ifndef BOOT_OPTIONS_H
#define BOOT_OPTIONS_H
#include <stdbool.h>
#include <stdio.h>

#include "vmm/vm.h"
#include "vmsweep/workload.h"

struct boot_options {
	struct vm_config vm;
	bool json;
	bool console;
	const char *log_path;
	const char *job_path; /* --job: an fio job file */
	bool json_plus; /* --output-format=json+: fio's JSON with the latency bins */
	const char *sections[VMS_WL_MAX_JOBS]; /* --section NAME: only these job sections of it (fio's --section) */
	unsigned nr_sections;
	bool vcpus_given; /* --vcpus, to check against --topology */
	const char *pin_text; /* --pin as given */
	const char *schedstat_path; /* --schedstat FILE: the run's /proc/schedstat */
	const char *libvirt_uri; /* --libvirt-uri: the libvirtd of --backend libvirt */
	bool dry_run; /* --dry-run: print what --backend libvirt would run */
	char kernel_buf[4096];
};

/* 0: run; 1: help was printed to out; -1: err names the option and the cause. */
int boot_options_parse(int argc, char **argv, struct boot_options *o, FILE *out, char *err, size_t errlen);
void boot_usage(FILE *f);
/* --backend libvirt: the run on the Linux guest (boot_libvirt.c); the exit status. */
int boot_libvirt(struct boot_options *o, const struct vms_workload *wl, volatile int *stop);
#endif
