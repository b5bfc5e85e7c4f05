/* The compiled jobs written back as an fio job file on the host's paths, for `vmsweep baseline`. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/baseline.h"
#include "util/error.h"

#define NS_PER_US UINT64_C(1000)
#define NS_PER_MS UINT64_C(1000000)
#define NS_PER_S UINT64_C(1000000000)
#define FIO_DEFAULT_RANDSEED 0x89 /* as job_compile.c: fio's own default */

const char *baseline_rw_name(uint32_t rw)
{
	static const char *const names[] = {
		[VMS_RW_READ] = "read",		  [VMS_RW_WRITE] = "write",	     [VMS_RW_RANDREAD] = "randread",
		[VMS_RW_RANDWRITE] = "randwrite", [VMS_RW_READWRITE] = "readwrite", [VMS_RW_RANDRW] = "randrw",
	};
	return rw < sizeof(names) / sizeof(names[0]) ? names[rw] : NULL;
}

bool baseline_rw_writes(uint32_t rw)
{
	return rw != VMS_RW_READ && rw != VMS_RW_RANDREAD;
}

/* The largest exact unit keeps the file readable; the compiler's finest unit is us. */
const char *baseline_time_format(uint64_t ns, char *buf, size_t len)
{
	if (ns % NS_PER_S == 0)
		snprintf(buf, len, "%" PRIu64 "s", ns / NS_PER_S);
	else if (ns % NS_PER_MS == 0)
		snprintf(buf, len, "%" PRIu64 "ms", ns / NS_PER_MS);
	else
		snprintf(buf, len, "%" PRIu64 "us", ns / NS_PER_US);
	return buf;
}

/* fio cuts a line at ';' or '#', expands '$' and strips blanks at the ends of values. */
int baseline_path_unsafe_char(const char *p)
{
	size_t n = strlen(p);
	for (const char *c = p; *c; c++)
		if (*c == ';' || *c == '#' || *c == '$' || *c == '\n' || *c == '\r')
			return *c;
	return n && (p[0] == ' ' || p[0] == '\t' || p[n - 1] == ' ' || p[n - 1] == '\t') ? ' ' : 0;
}

/* ':' separates several files in fio's filename=; a literal one is "\:". */
static void filename_write(FILE *f, const char *path)
{
	fputs("filename=", f);
	for (const char *c = path; *c; c++) {
		if (*c == ':')
			fputc('\\', f);
		fputc(*c, f);
	}
	fputc('\n', f);
}

static void pattern_write(FILE *f, const char *key, const struct vms_job *j)
{
	fprintf(f, "%s=0x", key);
	for (uint32_t i = 0; i < j->pattern_len && i < VMS_WL_PATTERN_MAX; i++)
		fprintf(f, "%02x", j->pattern[i]);
	fputc('\n', f);
}

/* verify= as the compiler resolved it: verify_pattern= alone is fio's header-and-pattern type. */
static void verify_write(FILE *f, const struct vms_job *j)
{
	static const char *const names[] = {
		[VMS_VERIFY_MD5] = "md5",	  [VMS_VERIFY_CRC32C] = "crc32c",
		[VMS_VERIFY_PATTERN] = "pattern", [VMS_VERIFY_NULL] = "null",
	};

	if (j->verify == VMS_VERIFY_NONE) {
		if (j->pattern_len)
			pattern_write(f, "buffer_pattern", j);
		return;
	}
	if (j->verify < sizeof(names) / sizeof(names[0]) && names[j->verify])
		fprintf(f, "verify=%s\n", names[j->verify]);
	if (j->pattern_len)
		pattern_write(f, "verify_pattern", j);
	if (!(j->flags & VMS_JOB_DO_VERIFY))
		fputs("do_verify=0\n", f);
	if (j->flags & VMS_JOB_VERIFY_ONLY)
		fputs("verify_only=1\n", f);
}

/* A double as the shortest text that reads back as the same double. */
static void double_write(FILE *f, uint64_t bits)
{
	double d;
	char buf[40];

	memcpy(&d, &bits, sizeof(d));
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	fputs(buf, f);
}

/* bssplit= as compiled: each split direction's sizes and shares; an empty side keeps bs=. */
static void bssplit_write(FILE *f, const struct vms_job *j)
{
	if (!j->bssplit_nr[0] && !j->bssplit_nr[1])
		return;
	fputs("bssplit=", f);
	for (int d = 0; d < 2; d++) {
		if (d)
			fputc(',', f);
		for (uint32_t i = 0; i < j->bssplit_nr[d]; i++)
			fprintf(f, "%s%" PRIu32 "/%" PRIu32, i ? ":" : "", j->bssplit[d][i].bs, j->bssplit[d][i].perc);
	}
	fputc('\n', f);
}

static void dist_write(FILE *f, const struct vms_job *j)
{
	static const char *const names[] = { [VMS_RAND_ZIPF] = "zipf", [VMS_RAND_PARETO] = "pareto",
					     [VMS_RAND_NORMAL] = "normal" };
	double center;

	if (j->rand_dist == VMS_RAND_UNIFORM || j->rand_dist >= sizeof(names) / sizeof(names[0]))
		return;
	fprintf(f, "random_distribution=%s:", names[j->rand_dist]);
	double_write(f, j->dist_arg[0]);
	memcpy(&center, &j->dist_arg[1], sizeof(center));
	if (center != -1) {
		fputc(':', f);
		double_write(f, j->dist_arg[1]);
	}
	fputc('\n', f);
}

/* The logs host fio writes too: the same names, in fio's working directory. */
static void logs_write(FILE *f, const struct vms_job *j)
{
	static const char *const opts[VMS_LOG_KINDS] = { "write_lat_log", "write_bw_log", "write_iops_log" };
	static const uint32_t flags[VMS_LOG_KINDS] = { VMS_JOB_LAT_LOG, VMS_JOB_BW_LOG, VMS_JOB_IOPS_LOG };
	bool any = false;

	for (int k = 0; k < VMS_LOG_KINDS; k++) {
		if (!(j->flags & flags[k]))
			continue;
		fprintf(f, "%s=%.*s\n", opts[k], VMS_WL_LOG_NAME_LEN, j->log_name[k]);
		any = true;
	}
	if (any && j->log_avg_msec)
		fprintf(f, "log_avg_msec=%" PRIu32 "\n", j->log_avg_msec);
	if (any && (j->flags & VMS_JOB_LOG_OFFSET))
		fputs("log_offset=1\n", f);
}

static void job_extras_write(FILE *f, const struct vms_job *j, bool in_guest)
{
	/* the guest's flush reaches the host file as fdatasync (harness/vmm); a file job's
	 * fsync or fdatasync is the job's own */
	if (j->fsync_every)
		fprintf(f, "%s=%" PRIu32 "\n", !j->nr_files || (j->flags & VMS_JOB_DATASYNC) ? "fdatasync" : "fsync",
			j->fsync_every);
	if (j->flags & VMS_JOB_END_FSYNC)
		fputs("end_fsync=1\n", f);
	if (j->flags & (VMS_JOB_SYNC | VMS_JOB_DSYNC))
		fprintf(f, "sync=%s\n", (j->flags & VMS_JOB_DSYNC) ? "dsync" : "sync");
	bssplit_write(f, j);
	dist_write(f, j);
	if (!in_guest) /* in the Linux guest they would fill its RAM (/ is a tmpfs) and never come back */
		logs_write(f, j);
	verify_write(f, j);
}

/* A section header fio reads back as the job's name; otherwise name= carries it. */
static bool name_is_header(const char *name)
{
	return *name && !strpbrk(name, "[]") && strncmp(name, "global", 6) != 0;
}

/* The section that opens a job: its name as the header, or name= under job<idx>. */
void baseline_job_header_write(FILE *f, unsigned idx, const struct vms_job *j)
{
	if (name_is_header(j->name))
		fprintf(f, "\n[%s]\n", j->name);
	else
		fprintf(f, "\n[job%u]\nname=%s\n", idx, j->name);
}

/* runtime (when set), time_based, ramp_time and startdelay, as the job has them. */
static void job_timing_write(FILE *f, const struct vms_job *j)
{
	char t[32];
	if (j->runtime_ns)
		fprintf(f, "runtime=%s\n", baseline_time_format(j->runtime_ns, t, sizeof(t)));
	if (j->flags & VMS_JOB_TIME_BASED)
		fputs("time_based\n", f);
	if (j->ramp_ns)
		fprintf(f, "ramp_time=%s\n", baseline_time_format(j->ramp_ns, t, sizeof(t)));
	if (j->startdelay_ns)
		fprintf(f, "startdelay=%s\n", baseline_time_format(j->startdelay_ns, t, sizeof(t)));
}

/* group_reporting, and the group fio's add_job opens at stonewall or new_group, as the compiler did. */
void baseline_job_group_write(FILE *f, const struct vms_job *j, bool new_group)
{
	if (j->flags & VMS_JOB_GROUP_REPORTING)
		fputs("group_reporting\n", f);
	if (j->flags & VMS_JOB_STONEWALL)
		fputs("stonewall\n", f);
	else if (new_group)
		fputs("new_group\n", f);
}

/* cpus_allowed= as the guest's CPU list (in_guest only: vCPU numbers are the guest's own) */
void baseline_cpus_allowed_write(FILE *f, uint64_t mask)
{
	if (!mask)
		return;
	fputs("cpus_allowed=", f);
	for (int c = 0, first = 1; c < 64; c++)
		if (mask & (UINT64_C(1) << c)) {
			fprintf(f, "%s%d", first ? "" : ",", c);
			first = 0;
		}
	fputc('\n', f);
}

/* fio's cpuio as compiled: burns CPU on the host's CPUs for the runtime, no disk */
static void cpuio_job_write(FILE *f, unsigned idx, const struct vms_job *j, bool new_group, bool in_guest)
{
	baseline_job_header_write(f, idx, j);
	fputs("ioengine=cpuio\n", f);
	fprintf(f, "cpuload=%" PRIu32 "\ncpuchunks=%" PRIu32 "\ncpumode=%s\n", j->cpuload, j->cpuchunks_us,
		j->cpumode == VMS_CPU_QSORT ? "qsort" : "noop");
	if (j->flags & VMS_JOB_EXIT_ON_IO_DONE)
		fputs("exit_on_io_done=1\n", f);
	job_timing_write(f, j); /* the compiler insists on a runtime for cpuio */
	/* cpus_allowed is left out on the host, as for disk jobs: vCPU numbers are not the host's CPUs */
	if (in_guest)
		baseline_cpus_allowed_write(f, j->cpus_allowed);
	baseline_job_group_write(f, j, new_group);
}

/* Where a job's I/O goes in a Linux guest: its raw disk, or its files on /mnt/vdX as our
 * guest names them (FILENUM: fio's directory= and a filename_format ending in $filenum). */
static int guest_files_write(FILE *f, const struct vms_job *j, char *err, size_t errlen)
{
	char mnt[16];
	snprintf(mnt, sizeof(mnt), "/mnt/vd%c", 'a' + (int)(j->disk % 26));
	if (!j->nr_files) {
		fprintf(f, "filename=/dev/vd%c\n", 'a' + (int)(j->disk % 26));
		return 0;
	}
	char path[VMS_WL_PATH_LEN + 1];
	snprintf(path, sizeof(path), "%.*s", VMS_WL_PATH_LEN, j->path);
	if (baseline_path_unsafe_char(path))
		return errorf(err, errlen, "job '%s': its file name '%s' has a character fio's job parser cuts at", j->name, path);
	if (!(j->flags & VMS_JOB_FILENUM)) {
		if (j->nr_files > 1)
			return errorf(err, errlen, "job '%s': several files without fio's $filenum naming", j->name);
		char full[sizeof(mnt) + sizeof(path) + 1];
		snprintf(full, sizeof(full), "%s/%s", mnt, path);
		filename_write(f, full);
		return 0;
	}
	char *slash = strrchr(path, '/');
	if (strchr(path, ':')) /* fio splits directory= at ':' */
		return errorf(err, errlen, "job '%s': its directory '%s' has a ':', which fio's directory= splits at", j->name,
			      path);
	if (slash) {
		*slash = 0;
		fprintf(f, "directory=%s/%s\nfilename_format=%s$filenum\n", mnt, path, slash + 1);
	} else {
		fprintf(f, "directory=%s\nfilename_format=%s$filenum\n", mnt, path);
	}
	fprintf(f, "nrfiles=%" PRIu32 "\n", j->nr_files);
	return 0;
}

/* What a file job has beside its files: their size, how they are served, when they go. */
static void guest_file_options_write(FILE *f, const struct vms_job *j)
{
	static const char *const service[] = { [VMS_FSERVICE_RR] = "roundrobin", [VMS_FSERVICE_SEQ] = "sequential",
						[VMS_FSERVICE_RANDOM] = "random" };
	if (j->file_size)
		fprintf(f, "filesize=%" PRIu64 "\n", j->file_size);
	if (j->nr_files > 1 && j->file_service < sizeof(service) / sizeof(service[0])) {
		fprintf(f, "file_service_type=%s", service[j->file_service]);
		if (j->file_service != VMS_FSERVICE_SEQ && j->file_service_nr > 1)
			fprintf(f, ":%" PRIu32, j->file_service_nr);
		fputc('\n', f);
	}
	if (j->flags & VMS_JOB_UNLINK)
		fputs("unlink=1\n", f);
	if (j->flags & VMS_JOB_CREATE_ON_OPEN)
		fputs("create_on_open=1\n", f);
}

/*
 * Whether host fio runs the job through the host's page cache (direct=0) rather than
 * direct=1: a buffered job that only writes and makes each write durable before the next
 * (fsync=1, fdatasync=1, sync=1). Its cache then holds nothing the guest's would not, and
 * fio's sync latency means the same on both sides: the write-back of the data and the
 * flush. With direct=1 host fio's write already reached the disk and its fdatasync is
 * only the flush (measured, the 8k log job: write 65 us + fdatasync 58 us direct,
 * fdatasync 122-125 us buffered, at about the same IOPS), against which the guest's
 * fdatasync (write-back and flush) looked 60 us slow. Other buffered jobs stay direct:
 * the host's cache is GiBs where the guest's is its RAM.
 */
bool baseline_job_buffered(const struct vms_job *j)
{
	bool writes_only = j->rw == VMS_RW_WRITE || j->rw == VMS_RW_RANDWRITE;
	bool each_durable = j->fsync_every == 1 || (j->flags & (VMS_JOB_SYNC | VMS_JOB_DSYNC));
	return !(j->flags & VMS_JOB_DIRECT) && !j->nr_files && writes_only && each_durable;
}

static int job_write(FILE *f, unsigned idx, const struct vms_job *j, const struct baseline_disk *d,
		     const struct baseline_fio *fio, bool new_group, char *err, size_t errlen)
{
	char t[32];
	const char *rw = baseline_rw_name(j->rw);

	if (!rw || (!j->nr_files && j->offset >= d->size))
		return errorf(err, errlen, "job '%s': %s", j->name, rw ? "offset beyond the end of its disk" : "unknown rw");
	baseline_job_header_write(f, idx, j);
	if (fio->in_guest) {
		if (guest_files_write(f, j, err, errlen))
			return -1;
		fprintf(f, "direct=%d\n", (j->flags & VMS_JOB_DIRECT) ? 1 : 0);
		/* fio drops a file's cached pages when it opens it (invalidate=1): our kernel's fio
		 * does not, and a read after a write must find the same cache on both */
		fputs("invalidate=0\n", f);
	} else {
		filename_write(f, d->path);
		bool direct = !baseline_job_buffered(j);
		fprintf(f, "direct=%d\n", direct);
	}
	fprintf(f, "ioengine=%s\n", j->ioengine == VMS_IOENGINE_ASYNC ? fio->async_engine : "psync");
	if (fio->huge_buffers)
		fputs("iomem=shmhuge\n", f);
	fprintf(f, "iodepth=%" PRIu32 "\n", j->iodepth);
	fprintf(f, "rw=%s\n", rw);
	if (j->rw == VMS_RW_READWRITE || j->rw == VMS_RW_RANDRW)
		fprintf(f, "rwmixread=%" PRIu32 "\n", j->rwmixread);
	fprintf(f, "bs=%" PRIu64 ",%" PRIu64 "\n", j->bs[0], j->bs[1]);
	if (j->offset)
		fprintf(f, "offset=%" PRIu64 "\n", j->offset);
	/* size 0 is "to the end of the disk": spelt out, as the guest sees it; a file job's
	 * 0 is its files' own sizes */
	if (j->nr_files) {
		if (j->size)
			fprintf(f, "size=%" PRIu64 "\n", j->size);
		guest_file_options_write(f, j);
	} else {
		fprintf(f, "size=%" PRIu64 "\n", j->size ? j->size : d->size - j->offset);
	}
	job_timing_write(f, j);
	fprintf(f, "randrepeat=%d\n", (j->flags & VMS_JOB_RANDREPEAT) ? 1 : 0);
	/* an explicit randseed makes fio repeatable even with randrepeat=0: leave fio's default out then */
	if ((j->flags & VMS_JOB_RANDREPEAT) || j->randseed != FIO_DEFAULT_RANDSEED)
		fprintf(f, "randseed=%" PRIu64 "\n", j->randseed);
	if (j->flags & VMS_JOB_NORANDOMMAP)
		fputs("norandommap\n", f);
	if (j->rate_bps[0] || j->rate_bps[1])
		fprintf(f, "rate=%" PRIu64 ",%" PRIu64 "\n", j->rate_bps[0], j->rate_bps[1]);
	if (j->rate_iops[0] || j->rate_iops[1])
		fprintf(f, "rate_iops=%" PRIu64 ",%" PRIu64 "\n", j->rate_iops[0], j->rate_iops[1]);
	if (j->flags & VMS_JOB_RATE_POISSON)
		fputs("rate_process=poisson\n", f);
	/* hipri is left out: host fio's polled io_uring needs a device with poll queues, and
	 * a file on this machine's disk has none (every I/O fails EOPNOTSUPP); nor has the
	 * Linux guest's virtio disk (virtio_blk.poll_queues is 0) */
	/* cpus_allowed is left out on the host: the guest's vCPU numbers are not the host's CPUs */
	if (fio->in_guest)
		baseline_cpus_allowed_write(f, j->cpus_allowed);
	if (j->thinktime_ns)
		fprintf(f, "thinktime=%s\n", baseline_time_format(j->thinktime_ns, t, sizeof(t)));
	job_extras_write(f, j, fio->in_guest);
	baseline_job_group_write(f, j, new_group);
	return 0;
}

int baseline_job_write(FILE *f, const struct vms_workload *wl, const struct baseline_disk *disks,
		       unsigned nr_disks, const struct baseline_fio *fio, const char *source, char *err, size_t errlen)
{
	fprintf(f, "; generated by `vmsweep %s` from ", fio->in_guest ? "boot/run --backend libvirt" : "baseline");
	for (const char *c = source; *c; c++)
		fputc((unsigned char)*c < ' ' ? '?' : *c, f);
	fputs(": its compiled jobs, one section per\n; numjobs clone, ", f);
	if (fio->in_guest) {
		fputs("for fio in the Linux guest, on its disks and files\n", f);
	} else {
		fputs("on the host's files", f);
		for (unsigned i = 0; i < nr_disks; i++)
			fprintf(f, "%s /dev/vd%c = %s", i ? "," : ":", 'a' + i, disks[i].path);
		fputc('\n', f);
	}
	for (uint32_t i = 0; i < wl->nr_jobs; i++) {
		const struct vms_job *j = &wl->jobs[i];
		bool new_group = i && j->group != wl->jobs[i - 1].group;
		if (j->ioengine == VMS_IOENGINE_CPU) {
			cpuio_job_write(f, i, j, new_group, fio->in_guest);
			continue;
		}
		if (j->ioengine == VMS_IOENGINE_MEM && !fio->in_guest)
			return errorf(err, errlen, "job '%s': ioengine=mem is vmsweep's own engine, which host fio has not",
				      j->name);
		if (j->ioengine == VMS_IOENGINE_MEM) {
			if (baseline_mem_job_write(f, i, j, new_group, fio->seed, err, errlen))
				return -1;
			continue;
		}
		if (j->disk >= nr_disks)
			return errorf(err, errlen, "job '%s': /dev/vd%c has no --disk", j->name, 'a' + (int)(j->disk % 26));
		if (job_write(f, i, j, &disks[j->disk], fio, new_group, err, errlen))
			return -1;
	}
	return 0;
}
