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
	const struct fio_option *bssplit_o; /* the last bssplit= */
	/* random_distribution= other than random: its parameter and :center (-1: none) */
	const struct fio_option *dist_o;
	double dist_val, dist_center;
	uint64_t offset_increment; /* clone k starts at offset + k * offset_increment */
	const struct fio_option *offset_increment_o, *sync_o;
	const struct fio_option *hipri_o; /* hipri set here or inherited */
	/* write_lat_log= and the like: the NAME given ("": the job's name), resolved at the end */
	char log_name[VMS_LOG_KINDS][VMS_WL_LOG_NAME_LEN];
	const struct fio_option *log_o[VMS_LOG_KINDS];
	const struct fio_option *cpus_o; /* cpus_allowed= or cpumask= */
	/* the job's files (job_compile_files.c): filename= relative (under directory=, resolved
	 * at the end), directory='s disk and path under the mount, nrfiles= */
	bool filename_rel;
	uint32_t dir_disk, nrfiles;
	char dir_path[VMS_WL_PATH_LEN];
	const struct fio_option *directory_o, *nrfiles_o, *filesize_o;
	bool cpus_split; /* cpus_allowed_policy=split */
	const struct fio_option *cpuload_o; /* ioengine=cpuio's cpuload= (required) */
	const struct fio_option *rwmix_o; /* the last rwmixread= or rwmixwrite= (a memory job's default: 0) */
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

/* ---- bssplit= (job_compile_bssplit.c), random_distribution= (job_compile_dist.c), the logs (job_compile_log.c) ---- */

int opt_bssplit(struct compile *c, struct job_opts *jo, const struct fio_option *o);
/* fio's min_bs of direction d: the smallest size of its split, else bs[d]. */
uint64_t bssplit_min(const struct vms_job *j, int d);
/* bs[] of a split direction becomes its largest size (fio's max_bs). */
void bssplit_resolve(struct vms_job *j);
int opt_random_distribution(struct compile *c, struct job_opts *jo, const struct fio_option *o);
/* The guest's draw parameters of a non-uniform distribution over region bytes. */
void dist_resolve(const struct job_opts *jo, struct vms_job *j, uint64_t region);
int opt_write_lat_log(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int opt_write_bw_log(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int opt_write_iops_log(struct compile *c, struct job_opts *jo, const struct fio_option *o);
/* Each log's NAME: the one given, else the job's name (fio's make_log_name). */
void log_names_resolve(const struct job_opts *jo, struct vms_job *j);

/* ---- CPU affinity (job_compile_cpus.c) ---- */

int opt_cpus_allowed(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int opt_cpumask(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int opt_cpus_allowed_policy(struct compile *c, struct job_opts *jo, const struct fio_option *o);
/* fio's cpus_allowed_policy=split: the one CPU of mask that the job numbered index (from 0) gets. */
uint64_t cpus_split(uint64_t mask, unsigned index);

/* ---- the job's files (job_compile_files.c) ---- */

int opt_filename(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int opt_directory(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int opt_nrfiles(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int opt_filesize(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int opt_create_on_open(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int opt_file_service_type(struct compile *c, struct job_opts *jo, const struct fio_option *o);
/* filename= and directory= taken together: the disk, the path, the number of files. */
int job_files_check(struct compile *c, const struct fio_section *s, struct job_opts *jo);
/* Clone d's files named as fio names them (directory= without filename=). */
int job_files_name(struct compile *c, const struct fio_section *s, const struct job_opts *jo, struct vms_job *d);

/* ---- the two kinds of job ---- */

/* A disk job's options taken together (job_compile_disk.c). */
int job_disk_check(struct compile *c, const struct fio_section *s, struct job_opts *jo);
/* Clone d of the disk job (d->clone, 0 first): its region (offset_increment=) checked
 * against its disk, and what depends on the region (random_distribution=). */
int job_clone_place(struct compile *c, const struct fio_section *s, const struct job_opts *jo, struct vms_job *d);

/* ioengine=mem (job_compile_mem.c): its own options, and its options taken together. */
int opt_mem_access(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int opt_mem_working_set(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int job_mem_check(struct compile *c, const struct fio_section *s, struct job_opts *jo);

/* ioengine=cpuio (job_compile_cpu.c): fio's cpuio options, their defaults, and the check. */
int opt_cpuload(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int opt_cpuchunks(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int opt_cpumode(struct compile *c, struct job_opts *jo, const struct fio_option *o);
int opt_exit_on_io_done(struct compile *c, struct job_opts *jo, const struct fio_option *o);
void job_cpu_defaults(struct job_opts *jo);
int job_cpu_check(struct compile *c, const struct fio_section *s, struct job_opts *jo);

#endif
