/*
 * The scheduler's records as Linux's /proc/schedstat, version 15 (kernel/sched/stats.c
 * show_schedstat), so that tools which read that file read a run's counters
 * (`vmsweep boot --schedstat FILE`).
 */
#ifndef RECORDS_SCHED_PROCFS_H
#define RECORDS_SCHED_PROCFS_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <vmsweep/abi.h>

struct sched_records;
struct vm_result;

/* Room for a mask of VMS_MAX_CPUS bits: 8 hex digits a 32-bit chunk, a comma between. */
#define CPUMASK_BUF_LEN (VMS_MAX_CPUS / 32 * 9 + 1)

/* The low nr_bits of mask as the kernel's "%*pb" prints a cpumask of nr_cpu_ids bits:
 * hex in comma-separated 32-bit chunks, most significant first, each zero-padded, the
 * first to the digits its bits need (2 CPUs: "3"; 8: "0f"; 40: "ff,ffffffff"). */
void cpumask_format(char *buf, size_t len, uint64_t mask, unsigned nr_bits);

/* A CPU's "cpu<N> ..." line and its "domain<M> ..." lines, lowest domain first. */
void schedstat_cpu_write(FILE *out, const struct vms_rec_schedstat *r, unsigned nr_cpu_ids);

/* The file: "version 15", "timestamp <jiffies>", then each CPU that has a record. */
void schedstat_procfs_write(FILE *out, const struct sched_records *s, unsigned nr_cpu_ids, uint64_t jiffies);

/* A run's jiffies at its end, as Linux counts them at the guest's HZ (without Linux's
 * INITIAL_JIFFIES offset): from the boot record's TSCs, 0 without one or without a tick. */
uint64_t schedstat_jiffies(const struct vm_result *res);

/* The run's file at path. -1 with err when the run has no schedstat records (it did
 * not finish) or the file could not be written. */
int schedstat_file_write(const char *path, const struct vm_result *res, char *err, size_t errlen);
#endif
