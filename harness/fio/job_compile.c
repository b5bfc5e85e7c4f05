/*
 * fio job options to struct vms_job. [global] sections accumulate into a template
 * that each later job starts from (fio's def_thread); a job's own options override
 * it; numjobs then expands the job into clones. Values are checked as each option is
 * applied, so that the error points at the option's own line, even when it came from
 * [global] or an included file; checks that need several options (filename present,
 * the region inside the disk) run when the job section ends and point at the option
 * that breaks them. This file holds the option table and the sections; the values'
 * forms are in job_values.c, the checks at a job's end in job_compile_disk.c and
 * job_compile_mem.c.
 *
 * ioengine=mem jobs (vmsweep's extension) hold anonymous memory instead of doing
 * I/O, and ioengine=cpuio jobs (fio's, job_compile_cpu.c) burn CPU. Which kind a section is, is known before its options are applied (its own
 * ioengine=, else the one inherited), so an option that means nothing for the job's
 * kind is refused at its own line; what a job inherits from [global] applies to the
 * jobs it means something for, so that one [global] serves disk and memory jobs.
 */
#include "fio/job_compile.h"
#include "fio/job_compile_internal.h"
#include "util/error.h"
#include "util/suggest.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BS_MAX (16u << 20)
#define IODEPTH_MAX 1024
#define NUMJOBS_MAX 64
#define FIO_DEFAULT_BS 4096 /* fio's bs default */
#define FIO_DEFAULT_RANDSEED 0x89 /* fio's randseed default (options.c) */

int compile_fail_at(struct compile *c, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verrorf_at(c->err, c->errlen, file, line, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- the supported options ---- */

typedef int (*opt_fn)(struct compile *c, struct job_opts *jo, const struct fio_option *o);

static int opt_rw(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	static const struct {
		const char *name;
		enum vms_rw rw;
	} rws[] = {
		{ "read", VMS_RW_READ },	   { "write", VMS_RW_WRITE },	  { "randread", VMS_RW_RANDREAD },
		{ "randwrite", VMS_RW_RANDWRITE }, { "readwrite", VMS_RW_READWRITE }, { "rw", VMS_RW_READWRITE },
		{ "randrw", VMS_RW_RANDRW },
	};
	const char *colon = strchr(o->value, ':');

	if (colon)
		return bad_value(c, o, "the offset modifier '%s' is not supported by vmsweep", colon);
	for (size_t i = 0; i < ARRAY_SIZE(rws); i++) {
		if (strcmp(o->value, rws[i].name) == 0) {
			jo->j.rw = rws[i].rw;
			return 0;
		}
	}
	if (strstr(o->value, "trim") || !strncmp(o->value, "file", 4))
		return bad_value(c, o, "not supported by vmsweep (read, write, randread, randwrite, readwrite, randrw)");
	return bad_value(c, o, "expected read, write, randread, randwrite, readwrite (or rw) or randrw");
}

static int opt_rwmixread(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	int64_t v;
	if (int_parse(c, o, o->value, 0, 100, &v))
		return -1;
	jo->j.rwmixread = (uint32_t)v;
	jo->rwmix_o = o;
	return 0;
}

static int opt_rwmixwrite(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	int64_t v;
	if (int_parse(c, o, o->value, 0, 100, &v))
		return -1;
	jo->j.rwmixread = 100 - (uint32_t)v;
	jo->rwmix_o = o;
	return 0;
}

static int opt_bs(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	uint64_t bs[2] = { jo->j.bs[0], jo->j.bs[1] };

	if (pair_parse(c, o, true, 0, bs))
		return -1;
	for (int i = 0; i < 2; i++) {
		const char *what = strchr(o->value, ',') ? (i ? "write block size: " : "read block size: ") : "";
		if (bs[i] == 0)
			return bad_value(c, o, "%smust be at least 512", what);
		if (bs[i] % SECTOR)
			return bad_value(c, o, "%snot a multiple of 512", what);
		if (bs[i] > BS_MAX)
			return bad_value(c, o, "%slarger than vmsweep's limit of 16 MiB", what);
	}
	jo->j.bs[0] = bs[0];
	jo->j.bs[1] = bs[1];
	jo->bs_o = o;
	return 0;
}

/* Disk jobs need whole sectors, memory jobs whole pages (rounded up): checked when
 * the job's kind is known. */
static int opt_size(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	if (size_parse(c, o, "", o->value, &jo->j.size))
		return -1;
	jo->size_o = o;
	return 0;
}

static int opt_offset(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	if (size_parse(c, o, "", o->value, &jo->j.offset))
		return -1;
	if (jo->j.offset % SECTOR)
		return bad_value(c, o, "not a multiple of 512");
	jo->offset_o = o;
	return 0;
}

static int opt_iodepth(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	int64_t v;
	if (int_parse(c, o, o->value, 1, IODEPTH_MAX, &v))
		return -1;
	jo->j.iodepth = (uint32_t)v;
	jo->iodepth_o = o;
	return 0;
}

static int opt_ioengine(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	static const struct {
		const char *name;
		enum vms_ioengine e;
	} engines[] = {
		{ "libaio", VMS_IOENGINE_ASYNC }, { "io_uring", VMS_IOENGINE_ASYNC }, { "psync", VMS_IOENGINE_SYNC },
		{ "sync", VMS_IOENGINE_SYNC },	  { "pvsync", VMS_IOENGINE_SYNC },	  { "pvsync2", VMS_IOENGINE_SYNC },
		{ "mem", VMS_IOENGINE_MEM },	  { "cpuio", VMS_IOENGINE_CPU },
	};
	for (size_t i = 0; i < ARRAY_SIZE(engines); i++) {
		if (strcmp(o->value, engines[i].name) == 0) {
			jo->j.ioengine = engines[i].e;
			jo->ioengine_o = o;
			return 0;
		}
	}
	return bad_value(c, o, "not supported by vmsweep (async: libaio, io_uring; one I/O at a time: psync, sync, "
			       "pvsync, pvsync2; anonymous memory: mem; CPU: cpuio)");
}

static int opt_direct(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	bool v = false;
	if (bool_parse(c, o, &v))
		return -1;
	jo->direct = v;
	jo->direct_o = o;
	return 0;
}

static int opt_numjobs(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	int64_t v;
	if (int_parse(c, o, o->value, 1, NUMJOBS_MAX, &v))
		return -1;
	jo->numjobs = (uint32_t)v;
	jo->numjobs_o = o;
	return 0;
}

static int opt_runtime(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	return time_parse(c, o, o->value, false, &jo->j.runtime_ns);
}

static int opt_ramp_time(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	return time_parse(c, o, o->value, false, &jo->j.ramp_ns);
}

static int opt_startdelay(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	const char *dash = strchr(o->value, '-');
	if (dash && dash != o->value) /* fio's "1-2": a random delay in that range */
		return compile_fail_at(c, o->file, o->line,
				       "startdelay=%s: a range (fio's random delay) is not supported by vmsweep; give one time",
				       o->value);
	return time_parse(c, o, o->value, false, &jo->j.startdelay_ns);
}

static int opt_thinktime(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	return time_parse(c, o, o->value, true, &jo->j.thinktime_ns);
}

static int opt_randseed(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	int64_t v;
	if (int_parse(c, o, o->value, 0, INT64_MAX, &v))
		return -1;
	jo->j.randseed = (uint64_t)v;
	return 0;
}

static int opt_randrepeat(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	bool v = false;
	if (bool_parse(c, o, &v))
		return -1;
	jo->j.flags = v ? jo->j.flags | VMS_JOB_RANDREPEAT : jo->j.flags & ~VMS_JOB_RANDREPEAT;
	return 0;
}

static int opt_rate(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	return pair_parse(c, o, true, 0, jo->j.rate_bps);
}

static int opt_rate_iops(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	return pair_parse(c, o, false, INT64_MAX, jo->j.rate_iops);
}

/* fio's two schedules (guest/workload/fio_rate.c): linear, its default, or poisson. */
static int opt_rate_process(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	if (!strcmp(o->value, "linear"))
		jo->j.flags &= ~VMS_JOB_RATE_POISSON;
	else if (!strcmp(o->value, "poisson"))
		jo->j.flags |= VMS_JOB_RATE_POISSON;
	else
		return bad_value(c, o, "expected linear or poisson");
	return 0;
}

static int opt_name(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	if (!*o->value)
		return bad_value(c, o, "empty name");
	if (strlen(o->value) >= VMS_WL_NAME_LEN)
		return bad_value(c, o, "longer than %d characters", VMS_WL_NAME_LEN - 1);
	snprintf(jo->j.name, sizeof(jo->j.name), "%s", o->value);
	jo->name_o = o;
	return 0;
}

static int opt_description(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	(void)c, (void)jo, (void)o; /* fio only prints it */
	return 0;
}

#define FLAG_OPT(fn, bit)                                                                         \
	static int fn(struct compile *c, struct job_opts *jo, const struct fio_option *o)         \
	{                                                                                         \
		bool v = false;                                                                   \
		if (flag_value(c, o, &v))                                                         \
			return -1;                                                                \
		jo->j.flags = v ? jo->j.flags | (bit) : jo->j.flags & ~(bit);                     \
		return 0;                                                                         \
	}
FLAG_OPT(opt_time_based, VMS_JOB_TIME_BASED)
FLAG_OPT(opt_norandommap, VMS_JOB_NORANDOMMAP)
FLAG_OPT(opt_group_reporting, VMS_JOB_GROUP_REPORTING)
FLAG_OPT(opt_stonewall, VMS_JOB_STONEWALL)
FLAG_OPT(opt_unlink, VMS_JOB_UNLINK)

/* fio's hipri (io_uring, pvsync2): polled completions for this job. */
static int opt_hipri(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	bool v = false;
	if (flag_value(c, o, &v))
		return -1;
	jo->j.flags = v ? jo->j.flags | VMS_JOB_HIPRI : jo->j.flags & ~VMS_JOB_HIPRI;
	jo->hipri_o = v ? o : NULL;
	return 0;
}

/* fio's buffered=1 is direct=0, and the other way round. */
static int opt_buffered(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	bool v = false;
	if (flag_value(c, o, &v))
		return -1;
	jo->direct = !v;
	jo->direct_o = o;
	return 0;
}

static int opt_fsync(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	int64_t v;
	if (int_parse(c, o, o->value, 0, UINT32_MAX, &v))
		return -1;
	jo->j.fsync_every = (uint32_t)v;
	/* the last of fsync= and fdatasync= given decides which (fio keeps both; the later wins here) */
	jo->j.flags = !strcmp(o->key, "fdatasync") ? jo->j.flags | VMS_JOB_DATASYNC : jo->j.flags & ~VMS_JOB_DATASYNC;
	return 0;
}

static int opt_buffer_pattern(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	return pattern_parse(c, o, jo->buffer_pattern, &jo->buffer_pattern_len);
}

static int opt_verify_pattern(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	return pattern_parse(c, o, jo->verify_pattern, &jo->verify_pattern_len);
}

/* fio's verify types the guest checks (guest/workload/fio_verify.c); fio's others are refused by name. */
static int opt_verify(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	static const struct {
		const char *name;
		enum vms_verify v;
	} types[] = {
		{ "0", VMS_VERIFY_NONE },	      { "md5", VMS_VERIFY_MD5 },	 { "crc32c", VMS_VERIFY_CRC32C },
		{ "crc32c-intel", VMS_VERIFY_CRC32C }, { "pattern", VMS_VERIFY_PATTERN }, { "null", VMS_VERIFY_NULL },
	};
	static const char *const fio_types[] = { "crc64", "crc32", "crc16", "crc7", "sha1", "sha256", "sha512",
						 "sha3-224", "sha3-256", "sha3-384", "sha3-512", "xxhash", "meta" };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		if (!strcmp(o->value, types[i].name)) {
			jo->j.verify = types[i].v;
			jo->verify_o = o;
			return 0;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(fio_types); i++)
		if (!strcmp(o->value, fio_types[i]))
			return bad_value(c, o, "not supported by vmsweep (verify=md5, crc32c, crc32c-intel, pattern, null or 0)");
	return bad_value(c, o, "expected md5, crc32c, crc32c-intel, pattern, null or 0 (vmsweep's verify types)");
}

static int opt_do_verify(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	bool v = false;
	if (bool_parse(c, o, &v))
		return -1;
	jo->j.flags = v ? jo->j.flags | VMS_JOB_DO_VERIFY : jo->j.flags & ~VMS_JOB_DO_VERIFY;
	return 0;
}

static int opt_verify_only(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	bool v = false;
	if (flag_value(c, o, &v))
		return -1;
	jo->j.flags = v ? jo->j.flags | VMS_JOB_VERIFY_ONLY : jo->j.flags & ~VMS_JOB_VERIFY_ONLY;
	jo->verify_only_o = v ? o : NULL;
	return 0;
}

static int opt_new_group(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	return flag_value(c, o, &jo->new_group);
}

/* fio's get_start_offset: clone k (fio's subjob_number) starts at offset + k * this. */
static int opt_offset_increment(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	if (size_parse(c, o, "", o->value, &jo->offset_increment))
		return -1;
	if (jo->offset_increment % SECTOR)
		return bad_value(c, o, "not a multiple of 512");
	jo->offset_increment_o = o;
	return 0;
}

static int opt_end_fsync(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	bool v = false;
	if (bool_parse(c, o, &v))
		return -1;
	jo->j.flags = v ? jo->j.flags | VMS_JOB_END_FSYNC : jo->j.flags & ~VMS_JOB_END_FSYNC;
	return 0;
}

/* fio's sync=: none or 0, sync or 1 (O_SYNC), dsync (O_DSYNC); on a raw disk both make
 * each write wait for a flush after it (the guest has no FUA: virtio-blk has none). */
static int opt_sync(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	const char *v = o->value;

	jo->j.flags &= ~(VMS_JOB_SYNC | VMS_JOB_DSYNC);
	jo->sync_o = NULL;
	if (!strcmp(v, "none") || !strcmp(v, "0"))
		return 0;
	if (!strcmp(v, "sync") || !strcmp(v, "1"))
		jo->j.flags |= VMS_JOB_SYNC;
	else if (!strcmp(v, "dsync"))
		jo->j.flags |= VMS_JOB_DSYNC;
	else
		return bad_value(c, o, "expected none, 0, sync, 1 or dsync");
	jo->sync_o = o;
	return 0;
}

static int opt_log_avg_msec(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	int64_t v;
	if (int_parse(c, o, o->value, 0, UINT32_MAX, &v))
		return -1;
	jo->j.log_avg_msec = (uint32_t)v;
	return 0;
}

static int opt_log_offset(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	bool v = false;
	if (bool_parse(c, o, &v))
		return -1;
	jo->j.flags = v ? jo->j.flags | VMS_JOB_LOG_OFFSET : jo->j.flags & ~VMS_JOB_LOG_OFFSET;
	return 0;
}

/* Which jobs an option means something for: a bit per kind of job (enum job_kind). */
enum opt_scope { FOR_DISK = 1, FOR_MEM = 2, FOR_CPU = 4, FOR_DISK_MEM = FOR_DISK | FOR_MEM, FOR_ALL = 7 };

static const struct opt_def {
	const char *name;
	opt_fn fn;
	bool flag; /* may stand without a value */
	enum opt_scope scope;
} opt_defs[] = {
#define OPT(name, fn) { name, fn, false, FOR_ALL }
#define FLAG(name, fn) { name, fn, true, FOR_ALL }
#define DISK_OPT(name, fn) { name, fn, false, FOR_DISK }
#define DISK_FLAG(name, fn) { name, fn, true, FOR_DISK }
#define MEM_OPT(name, fn) { name, fn, false, FOR_MEM }
#define DM_OPT(name, fn) { name, fn, false, FOR_DISK_MEM }
#define CPU_OPT(name, fn) { name, fn, false, FOR_CPU }
#define CPU_FLAG(name, fn) { name, fn, true, FOR_CPU }
	DISK_OPT("filename", opt_filename),
	DISK_OPT("directory", opt_directory),
	DISK_OPT("nrfiles", opt_nrfiles),
	DISK_OPT("nr_files", opt_nrfiles),
	DISK_OPT("filesize", opt_filesize),
	DISK_OPT("create_on_open", opt_create_on_open),
	DISK_OPT("file_service_type", opt_file_service_type),
	DISK_OPT("rw", opt_rw),
	DISK_OPT("readwrite", opt_rw),
	DM_OPT("rwmixread", opt_rwmixread), /* memory jobs: their accesses' reads, job_compile_mem.c */
	DM_OPT("rwmixwrite", opt_rwmixwrite),
	DISK_OPT("bs", opt_bs),
	DISK_OPT("blocksize", opt_bs),
	DM_OPT("size", opt_size),
	DISK_OPT("offset", opt_offset),
	DISK_OPT("fileoffset", opt_offset),
	DISK_OPT("iodepth", opt_iodepth), /* iodepth=1 is allowed in a memory job: see option_apply */
	OPT("ioengine", opt_ioengine),
	DISK_OPT("direct", opt_direct),
	DISK_OPT("buffered", opt_buffered),
	OPT("numjobs", opt_numjobs),
	OPT("runtime", opt_runtime),
	OPT("timeout", opt_runtime),
	FLAG("time_based", opt_time_based),
	OPT("ramp_time", opt_ramp_time),
	OPT("startdelay", opt_startdelay),
	DM_OPT("randseed", opt_randseed),
	DM_OPT("randrepeat", opt_randrepeat),
	DISK_FLAG("norandommap", opt_norandommap),
	DISK_OPT("rate", opt_rate),
	DISK_OPT("rate_iops", opt_rate_iops),
	DISK_OPT("rate_process", opt_rate_process),
	DM_OPT("thinktime", opt_thinktime), /* cpuio sets its own from cpuload, as fio */
	FLAG("group_reporting", opt_group_reporting),
	FLAG("stonewall", opt_stonewall),
	FLAG("wait_for_previous", opt_stonewall),
	FLAG("new_group", opt_new_group),
	OPT("name", opt_name),
	OPT("description", opt_description),
	DISK_OPT("fsync", opt_fsync),
	DISK_OPT("fdatasync", opt_fsync),
	DISK_OPT("buffer_pattern", opt_buffer_pattern),
	DISK_OPT("verify_pattern", opt_verify_pattern),
	DISK_OPT("verify", opt_verify),
	DISK_OPT("do_verify", opt_do_verify),
	DISK_FLAG("verify_only", opt_verify_only),
	DISK_OPT("bssplit", opt_bssplit),
	DISK_OPT("random_distribution", opt_random_distribution),
	DISK_OPT("offset_increment", opt_offset_increment),
	DISK_OPT("end_fsync", opt_end_fsync),
	DISK_OPT("unlink", opt_unlink),
	/* fsync when the file is closed: one file per job, closed at the job's end, so end_fsync's effect */
	DISK_OPT("fsync_on_close", opt_end_fsync),
	DISK_FLAG("hipri", opt_hipri),
	DISK_OPT("sync", opt_sync),
	DISK_FLAG("write_lat_log", opt_write_lat_log),
	DISK_FLAG("write_bw_log", opt_write_bw_log),
	DISK_FLAG("write_iops_log", opt_write_iops_log),
	DISK_OPT("log_avg_msec", opt_log_avg_msec),
	DISK_OPT("log_offset", opt_log_offset),
	OPT("cpus_allowed", opt_cpus_allowed),
	OPT("cpumask", opt_cpumask),
	OPT("cpus_allowed_policy", opt_cpus_allowed_policy),
	MEM_OPT("mem_access", opt_mem_access),
	MEM_OPT("mem_working_set", opt_mem_working_set),
	CPU_OPT("cpuload", opt_cpuload),
	CPU_OPT("cpuchunks", opt_cpuchunks),
	CPU_OPT("cpumode", opt_cpumode),
	CPU_FLAG("exit_on_io_done", opt_exit_on_io_done),
#undef OPT
#undef DM_OPT
#undef CPU_OPT
#undef CPU_FLAG
#undef FLAG
#undef DISK_OPT
#undef DISK_FLAG
#undef MEM_OPT
};

/* Real fio options outside the subset: refused by name rather than as typos. */
#define FILES "vmsweep's files: filename=, directory=, nrfiles=, filesize=, create_on_open= (workloads/README.md)"
static const struct {
	const char *name, *hint;
} fio_unsupported[] = {
	{ "bsrange", "use one bs, or a read,write pair" }, { "blocksize_range", "use one bs, or a read,write pair" },
	{ "bs_unaligned", NULL }, { "blocksize_unaligned", NULL },
	{ "blockalign", NULL }, { "ba", NULL }, { "bs_is_seq_rand", NULL },
	{ "openfiles", "a job keeps all its files open, fio's default" }, { "opendir", FILES },
	{ "filename_format", "files are named as fio's default, $jobname.$jobnum.$filenum" },
	{ "unique_filename", FILES }, { "create_serialize", FILES }, { "create_fsync", FILES },
	{ "create_only", FILES }, { "allow_file_create", FILES },
	{ "allow_mounted_write", NULL }, { "unlink_each_loop", FILES },
	{ "fallocate", FILES }, { "file_append", FILES }, { "lockfile", NULL }, { "pre_read", NULL },
	{ "io_size", "size sets the region; bound a run with runtime" }, { "io_limit", NULL }, { "number_ios", NULL },
	{ "fill_device", NULL }, { "fill_fs", NULL },
	{ "offset_align", NULL }, { "loops", NULL }, { "rw_sequencer", NULL },
	{ "verify_interval", NULL }, { "verify_offset", NULL }, { "verify_fatal", NULL }, { "verify_dump", NULL },
	{ "verify_async", NULL }, { "verify_async_cpus", NULL }, { "verify_backlog", NULL },
	{ "verify_backlog_batch", NULL }, { "verify_state_load", NULL }, { "verify_state_save", NULL },
	{ "verifysort", NULL }, { "verifysort_nr", NULL }, { "experimental_verify", NULL }, { "trim_verify_zero", NULL }, { "trim_percentage", NULL }, { "trim_backlog", NULL },
	{ "sync_file_range", NULL },
{ "write_barrier", NULL }, { "overwrite", NULL },
	{ "invalidate", NULL }, { "fadvise_hint", NULL }, { "write_hint", NULL },
	{ "zero_buffers", NULL }, { "refill_buffers", NULL }, { "scramble_buffers", NULL },
	{ "buffer_compress_percentage", NULL }, { "buffer_compress_chunk", NULL },
	{ "dedupe_percentage", NULL }, { "iomem", NULL }, { "mem", NULL }, { "iomem_align", NULL },
	{ "mem_align", NULL }, { "hugepage-size", NULL }, { "lockmem", NULL },
	{ "iodepth_batch", NULL }, { "iodepth_batch_submit", NULL }, { "iodepth_batch_complete", NULL },
	{ "iodepth_batch_complete_min", NULL }, { "iodepth_batch_complete_max", NULL }, { "iodepth_low", NULL },
	{ "io_submit_mode", NULL }, { "serialize_overlap", NULL }, { "hipri", NULL }, { "fixedbufs", NULL },
	{ "registerfiles", NULL }, { "sqthread_poll", NULL }, { "sqthread_poll_cpu", NULL },
	{ "userspace_reap", NULL }, { "cmdprio_percentage", NULL }, { "nonvectored", NULL },
	{ "thinktime_spin", NULL }, { "thinktime_blocks", NULL }, { "thinktime_blocks_type", NULL },
	{ "thinktime_iotime", NULL }, { "rate_min", NULL }, { "ratemin", NULL }, { "rate_iops_min", NULL },
{ "rate_cycle", NULL }, { "ratecycle", NULL }, { "rate_ignore_thinktime", NULL },
	{ "latency_target", NULL }, { "latency_window", NULL }, { "latency_percentile", NULL },
	{ "latency_run", NULL }, { "max_latency", NULL },
	{ "random_generator", NULL }, { "percentage_random", NULL },
	{ "allrandrepeat", NULL }, { "softrandommap", NULL }, { "unified_rw_reporting", NULL },
	{ "numa_cpu_nodes", NULL },
	{ "numa_mem_policy", NULL }, { "nice", NULL }, { "prio", NULL }, { "prioclass", NULL }, { "uid", NULL },
	{ "gid", NULL }, { "cgroup", NULL }, { "cgroup_weight", NULL }, { "cgroup_nodelete", NULL },
	{ "thread", NULL }, { "wait_for", NULL }, { "exitall", NULL }, { "exitall_on_error", NULL },
	{ "exec_prerun", NULL }, { "exec_postrun", NULL }, { "ioscheduler", NULL }, { "flow", NULL },
	{ "flow_id", NULL }, { "flow_watermark", NULL }, { "flow_sleep", NULL },
	{ "write_hist_log", NULL }, { "log_hist_msec", NULL },
	{ "log_hist_coarseness", NULL }, { "log_max_value", NULL }, { "log_prio", NULL },
	{ "log_compression", NULL }, { "log_store_compressed", NULL }, { "log_unix_epoch", NULL },
	{ "per_job_logs", NULL }, { "write_iolog", NULL }, { "read_iolog", NULL }, { "replay_no_stall", NULL },
	{ "replay_redirect", NULL }, { "replay_align", NULL }, { "replay_scale", NULL },
	{ "bwavgtime", NULL }, { "iopsavgtime", NULL }, { "disk_util", NULL }, { "stats", NULL },
	{ "clat_percentiles", NULL }, { "lat_percentiles", NULL }, { "slat_percentiles", NULL },
	{ "percentile_list", NULL }, { "significant_figures", NULL }, { "disable_lat", NULL },
	{ "disable_clat", NULL }, { "disable_slat", NULL }, { "disable_bw_measurement", NULL },
	{ "block_error_percentiles", NULL }, { "gtod_reduce", NULL }, { "gtod_cpu", NULL },
	{ "clocksource", NULL }, { "continue_on_error", NULL }, { "ignore_error", NULL }, { "error_dump", NULL },
	{ "steadystate", NULL }, { "ss", NULL }, { "ss_duration", NULL }, { "ss_ramp", NULL },
	{ "kb_base", "sizes are read as with fio's default kb_base=1024" }, { "unit_base", NULL },
	{ "zonemode", NULL }, { "zonerange", NULL }, { "zonesize", NULL }, { "zonecapacity", NULL },
	{ "zoneskip", NULL }, { "max_open_zones", NULL }, { "profile", NULL }, { "atomic", NULL },
};

/* An option that is neither supported nor a known fio option: a typo, most likely. */
static int unknown_option(struct compile *c, const struct fio_option *o)
{
	size_t len = strlen(o->key);
	unsigned limit = len <= 3 ? 1 : len <= 6 ? 2 : 3, best = limit + 1;
	const char *near = NULL;
	bool near_supported = false;

	for (size_t i = 0; i < ARRAY_SIZE(opt_defs); i++) {
		unsigned d = edit_distance(o->key, opt_defs[i].name);
		if (d < best) {
			best = d;
			near = opt_defs[i].name;
			near_supported = true;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(fio_unsupported); i++) {
		unsigned d = edit_distance(o->key, fio_unsupported[i].name);
		if (d < best) {
			best = d;
			near = fio_unsupported[i].name;
			near_supported = false;
		}
	}
	if (near)
		return compile_fail_at(c, o->file, o->line, "option '%s': unknown option (did you mean '%s'?%s)",
				       o->key, near, near_supported ? "" : " vmsweep does not support it");
	return compile_fail_at(c, o->file, o->line,
			       "option '%s': unknown option (supported options: see workloads/README.md)", o->key);
}

/* What a job section is, for the options it may set. */
struct section_kind {
	const char *name; /* the job's section name; NULL for [global] */
	unsigned kind; /* FOR_DISK, FOR_MEM (ioengine=mem) or FOR_CPU (ioengine=cpuio) */
	const struct fio_option *engine_o; /* where its ioengine= came from, when inherited */
};

/* An option of the job's own section that means nothing for its kind (scope: the kinds it is for). */
static int scope_fail(struct compile *c, const struct section_kind *k, const struct fio_option *o, unsigned scope)
{
	const struct fio_option *e = k->engine_o;
	const char *engine = k->kind == FOR_MEM ? "mem" : "cpuio";

	if (k->kind == FOR_DISK)
		return compile_fail_at(c, o->file, o->line, "option '%s': only meaningful for ioengine=%s (job '%s')",
				       o->key, (scope & FOR_MEM) ? "mem" : "cpuio", k->name);
	if (e)
		return compile_fail_at(c, o->file, o->line,
				       "option '%s': not meaningful for ioengine=%s (job '%s', ioengine=%s from "
				       "%s:%u)", o->key, engine, k->name, engine, e->file, e->line);
	return compile_fail_at(c, o->file, o->line, "option '%s': not meaningful for ioengine=%s (job '%s')", o->key,
			       engine, k->name);
}

static int option_apply(struct compile *c, struct job_opts *jo, const struct section_kind *k,
			const struct fio_option *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(opt_defs); i++) {
		const struct opt_def *d = &opt_defs[i];
		if (strcmp(o->key, d->name))
			continue;
		/* an empty log name is the job's, as fio's make_log_name */
		bool empty_ok = d->fn == opt_description || d->fn == opt_write_lat_log || d->fn == opt_write_bw_log ||
				d->fn == opt_write_iops_log;
		if ((!o->value && !d->flag) || (o->value && !*o->value && !empty_ok))
			return compile_fail_at(c, o->file, o->line, "option '%s': needs a value (%s=...)", o->key,
					       o->key);
		if (k->name && !(d->scope & k->kind) && d->fn != opt_iodepth)
			return scope_fail(c, k, o, d->scope);
		if (d->fn(c, jo, o))
			return -1;
		if (k->name && k->kind != FOR_DISK && d->fn == opt_iodepth && jo->j.iodepth > 1)
			return scope_fail(c, k, o, d->scope);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fio_unsupported); i++) {
		if (strcmp(o->key, fio_unsupported[i].name))
			continue;
		if (fio_unsupported[i].hint)
			return compile_fail_at(c, o->file, o->line, "option '%s': not supported by vmsweep (%s)",
					       o->key, fio_unsupported[i].hint);
		return compile_fail_at(c, o->file, o->line,
				       "option '%s': not supported by vmsweep (supported options: see "
				       "workloads/README.md)", o->key);
	}
	return unknown_option(c, o);
}

/* ---- a job section done: cross-option checks (by kind, in their own files) and the clones ---- */

static int job_check(struct compile *c, const struct fio_section *s, struct job_opts *jo)
{
	if (!jo->name_o && strlen(s->name) >= VMS_WL_NAME_LEN)
		return compile_fail_at(c, s->file, s->line,
				       "job '%s': name longer than %d characters (shorten it or set name=)", s->name,
				       VMS_WL_NAME_LEN - 1);
	if (jo->j.ioengine == VMS_IOENGINE_CPU)
		return job_cpu_check(c, s, jo);
	/* cpuio's options, from [global] or the defaults, mean nothing here */
	jo->j.cpuload = jo->j.cpuchunks_us = jo->j.cpumode = 0;
	jo->j.flags &= ~VMS_JOB_EXIT_ON_IO_DONE;
	return jo->j.ioengine == VMS_IOENGINE_MEM ? job_mem_check(c, s, jo) : job_disk_check(c, s, jo);
}

static int job_emit(struct compile *c, const struct fio_section *s, struct job_opts *jo)
{
	struct vms_job j = jo->j;

	if (c->nr_jobs + jo->numjobs > VMS_WL_MAX_JOBS) {
		const char *file = jo->numjobs_o ? jo->numjobs_o->file : s->file;
		unsigned line = jo->numjobs_o ? jo->numjobs_o->line : s->line;
		return compile_fail_at(c, file, line,
				       "job '%s': %u jobs in all (numjobs counted), more than vmsweep's limit of %d",
				       s->name, c->nr_jobs + jo->numjobs, VMS_WL_MAX_JOBS);
	}
	if (!jo->name_o)
		snprintf(j.name, sizeof(j.name), "%s", s->name);
	log_names_resolve(jo, &j);
	/* fio's add_job: stonewall or new_group opens a group unless the current one is empty. */
	if (((j.flags & VMS_JOB_STONEWALL) || jo->new_group) && c->group_jobs) {
		c->group++;
		c->group_jobs = 0;
	}
	for (uint32_t i = 0; i < jo->numjobs; i++) {
		struct vms_job *d = &c->jobs[c->nr_jobs++];
		*d = j;
		d->group = c->group;
		d->clone = i;
		/* fio clears stonewall in the clones: they start with clone 0. */
		if (i)
			d->flags &= ~VMS_JOB_STONEWALL;
		if (jo->cpus_split) /* fio's td->thread_number - 1: the job's place in the whole file */
			d->cpus_allowed = cpus_split(j.cpus_allowed, c->nr_jobs - 1);
		if (vms_job_on_disk(&j) && (job_clone_place(c, s, jo, d) || job_files_name(c, s, jo, d)))
			return -1;
	}
	c->group_jobs += jo->numjobs;
	return 0;
}

/* A job section's kind before its options are applied: its own last ioengine=, else
 * the inherited one (an invalid own value is reported when it is applied). */
static void section_kind_get(const struct fio_section *s, const struct job_opts *global, struct section_kind *k)
{
	const struct fio_option *own = NULL;

	for (size_t i = 0; i < s->nr_opts; i++)
		if (!strcmp(s->opts[i].key, "ioengine") && s->opts[i].value)
			own = &s->opts[i];
	k->name = s->name;
	if (own)
		k->kind = !strcmp(own->value, "mem") ? FOR_MEM : !strcmp(own->value, "cpuio") ? FOR_CPU : FOR_DISK;
	else
		k->kind = global->j.ioengine == VMS_IOENGINE_MEM ? FOR_MEM
			  : global->j.ioengine == VMS_IOENGINE_CPU ? FOR_CPU
								   : FOR_DISK;
	k->engine_o = own ? NULL : global->ioengine_o;
}

/* fio's defaults, which [global] sections then change. */
static void job_defaults(struct job_opts *jo)
{
	memset(jo, 0, sizeof(*jo));
	jo->j.rw = VMS_RW_READ;
	jo->j.rwmixread = 50;
	jo->j.ioengine = VMS_IOENGINE_SYNC; /* fio's default on Linux: psync */
	jo->j.iodepth = 1;
	jo->j.flags = VMS_JOB_RANDREPEAT | VMS_JOB_DO_VERIFY;
	jo->j.bs[0] = jo->j.bs[1] = FIO_DEFAULT_BS;
	jo->j.randseed = FIO_DEFAULT_RANDSEED;
	jo->direct = -1;
	jo->numjobs = 1;
	jo->nrfiles = 1;
	jo->j.file_service_nr = 1; /* fio's roundrobin: the next file after each I/O */
	job_cpu_defaults(jo);
}

int fio_compile(const struct fio_job_file *jf, const struct fio_disk_info *disks, unsigned nr_disks,
		struct vms_workload **out, size_t *out_size, char *err, size_t errlen)
{
	struct compile c = { .disks = disks, .nr_disks = nr_disks, .err = err, .errlen = errlen };
	struct job_opts global;
	const struct fio_section *last_global = NULL;

	*out = NULL;
	*out_size = 0;
	c.jobs = calloc(VMS_WL_MAX_JOBS, sizeof(*c.jobs));
	if (!c.jobs)
		return compile_fail_at(&c, jf->nr_files ? jf->files[0] : "?", 0, "out of memory");
	job_defaults(&global);
	for (size_t i = 0; i < jf->nr_sections; i++) {
		const struct fio_section *s = &jf->sections[i];
		bool is_global = strcmp(s->name, "global") == 0;
		struct job_opts jo = global;
		struct job_opts *target = is_global ? &global : &jo;
		struct section_kind kind = { 0 };

		if (!is_global)
			section_kind_get(s, &global, &kind);
		for (size_t k = 0; k < s->nr_opts; k++)
			if (option_apply(&c, target, &kind, &s->opts[k]))
				goto fail;
		if (is_global) {
			last_global = s;
			continue;
		}
		if (job_check(&c, s, &jo) || job_emit(&c, s, &jo))
			goto fail;
	}
	if (!c.nr_jobs) {
		if (last_global)
			compile_fail_at(&c, last_global->file, last_global->line,
					"no jobs: the file has only [global] sections (add a [job] section)");
		else
			compile_fail_at(&c, jf->nr_files ? jf->files[0] : "?", jf->nr_lines ? jf->nr_lines : 1,
					"no jobs: the file has no [job] section");
		goto fail;
	}

	size_t size = sizeof(struct vms_workload) + c.nr_jobs * sizeof(struct vms_job);
	struct vms_workload *wl = calloc(1, size);
	if (!wl) {
		compile_fail_at(&c, jf->files[0], 0, "out of memory");
		goto fail;
	}
	wl->magic = VMS_WL_MAGIC;
	wl->version = VMS_WL_VERSION;
	wl->nr_jobs = c.nr_jobs;
	wl->nr_groups = c.group + 1;
	memcpy(wl->jobs, c.jobs, c.nr_jobs * sizeof(struct vms_job));
	free(c.jobs);
	*out = wl;
	*out_size = size;
	return 0;
fail:
	free(c.jobs);
	return -1;
}

int fio_compile_file(const char *path, const struct fio_disk_info *disks, unsigned nr_disks,
		     struct vms_workload **out, size_t *out_size, char *err, size_t errlen)
{
	struct fio_job_file jf;
	int ret;

	*out = NULL;
	*out_size = 0;
	if (fio_job_file_read(path, &jf, err, errlen))
		return -1;
	ret = fio_compile(&jf, disks, nr_disks, out, out_size, err, errlen);
	fio_job_file_free(&jf);
	return ret;
}
