/* What the files of the fio job compiler share (job_compile.c: the options and the
 * sections; job_values.c: values in fio's units; job_compile_disk.c and
 * job_compile_mem.c: the checks when a job of each kind ends); not an interface. */
#ifndef VMSWEEP_FIO_JOB_COMPILE_INTERNAL_H
#define VMSWEEP_FIO_JOB_COMPILE_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fio/job_compile.h"
#include "fio/job_file.h"
#include "vmsweep/workload.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define SECTOR 512u /* a disk job's offset, size and bs are whole sectors */

/* A job's options as they accumulate; the fio_option pointers say where a value came
 * from, for errors found after the fact. */
struct job_opts {
	struct vms_job j; /* name stays empty unless name= is given */
	int direct; /* -1: not set (fio's default, 0, is buffered I/O) */
	uint32_t numjobs;
	bool new_group;
	uint32_t ws_percent; /* mem_working_set=N%: N, resolved against size at the end; 0: bytes */
	/* buffer_pattern and verify_pattern: which one writes carry is known at the job's end */
	uint8_t buffer_pattern[VMS_WL_PATTERN_MAX], verify_pattern[VMS_WL_PATTERN_MAX];
	uint32_t buffer_pattern_len, verify_pattern_len;
	const struct fio_option *filename_o, *direct_o, *iodepth_o, *ioengine_o, *numjobs_o;
	const struct fio_option *bs_o, *offset_o, *size_o, *name_o, *ws_o;
	const struct fio_option *verify_o, *verify_only_o; /* verify=: unset, verify_pattern= implies it */
};

struct compile {
	const struct fio_disk_info *disks;
	unsigned nr_disks;
	struct vms_job *jobs; /* VMS_WL_MAX_JOBS */
	uint32_t nr_jobs, group, group_jobs;
	char *err;
	size_t errlen;
};

/* "file:line: " and the message into c->err; returns -1. */
__attribute__((format(printf, 4, 5))) int compile_fail_at(struct compile *c, const char *file, unsigned line,
							   const char *fmt, ...);

/* "file:line: key=value: why" for a value that is wrong. */
#define bad_value(c, o, fmt, ...) \
	compile_fail_at(c, (o)->file, (o)->line, "%s=%s: " fmt, (o)->key, (o)->value, ##__VA_ARGS__)

/* ---- values in fio's forms (job_values.c); each reports a bad one at o's line ---- */

/* s (o's value, or one field of it) as a size; what prefixes the message ("" or
 * "read value: "). */
int size_parse(struct compile *c, const struct fio_option *o, const char *what, const char *s, uint64_t *out);
/* s as a time in ns; a bare number is in microseconds if bare_us, else seconds. */
int time_parse(struct compile *c, const struct fio_option *o, const char *s, bool bare_us, uint64_t *out);
int int_parse(struct compile *c, const struct fio_option *o, const char *s, int64_t min, int64_t max,
	      int64_t *out);
int bool_parse(struct compile *c, const struct fio_option *o, bool *out);
/* A read,write pair of sizes (is_size) or integers up to max; fields not given keep out's. */
int pair_parse(struct compile *c, const struct fio_option *o, bool is_size, int64_t max, uint64_t out[2]);
/* An option that may stand without a value. */
int flag_value(struct compile *c, const struct fio_option *o, bool *v);
/* A data pattern: up to VMS_WL_PATTERN_MAX bytes into out, their count into *out_len. */
int pattern_parse(struct compile *c, const struct fio_option *o, uint8_t *out, uint32_t *out_len);

/* ---- the two kinds of job ---- */

/* A disk job's options taken together (job_compile_disk.c). */
int job_disk_check(struct compile *c, const struct fio_section *s, struct job_opts *jo);

/* ioengine=mem (job_compile_mem.c): its own options, and its options taken together. */
int opt_mem_access(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int opt_mem_working_set(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int job_mem_check(struct compile *c, const struct fio_section *s, struct job_opts *jo);

#endif
