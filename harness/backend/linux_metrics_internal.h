/* What linux_metrics*.c share: the emitter with its account of ill-formed sections, and
 * readers of /proc's text that take only well-formed numbers. */
#ifndef VMSWEEP_BACKEND_LINUX_METRICS_INTERNAL_H
#define VMSWEEP_BACKEND_LINUX_METRICS_INTERNAL_H
#include <stdbool.h>
#include <stdint.h>

#include "backend/linux_metrics.h"
#include "store/store_internal.h"

struct linux_emit {
	struct emit e; /* e.bad: out of memory (or a name too long: a bug) */
	unsigned bad_sections;
	const char *bad[LINUX_SECTIONS_MAX]; /* their names */
	char *err;
	size_t errlen;
};

/* Section name's content was ill-formed: counted once a section, and the first fault
 * of all said in err ("name: ..."). name must outlive m (a section's or a literal). */
void linux_section_bad(struct linux_emit *m, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A decimal uint64 at *p after blanks (no sign; fails on overflow); *p moves past it. */
bool proc_u64(const char **p, uint64_t *v);

/*
 * The value of key in a section of "key value" lines (/proc/vmstat, sysctl's "vm.key =
 * value", /proc/meminfo's "Key:   value kB"): the first number after the key, its ':'
 * or '=' and blanks. 1 found, 0 no such line, -1 a line of that key whose value is not
 * a number.
 */
int proc_kv(const struct linux_section *s, const char *key, uint64_t *v);

/* The parts of the metric set (linux_metrics.c calls each). */
void linux_fio_metrics(struct linux_emit *m, const struct linux_sections *s, const struct vms_workload *wl);
void linux_jbd2_metrics(struct linux_emit *m, const struct linux_sections *s);
void linux_sched_metrics(struct linux_emit *m, const struct linux_sections *s);
void linux_mem_metrics(struct linux_emit *m, const struct linux_sections *s, const struct vms_workload *wl);
void linux_sample_series(struct linux_emit *m, const struct linux_sections *s);
void linux_write_amplification(struct linux_emit *m, const struct linux_sections *s, const struct vms_workload *wl);
#endif
