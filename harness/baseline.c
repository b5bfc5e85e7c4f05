/*
 * `vmsweep baseline`: the job is compiled exactly as `boot --job` compiles it, then the
 * compiled jobs (not the original text) are written back as an fio job file on the
 * host paths, so that host fio runs what the guest runs and nothing the guest does
 * not. fio runs without a shell; its JSON is passed through untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "baseline.h"
#include "fio/job_compile.h"
#include "vmm/blk/disk.h"
#include "vmsweep/abi.h"

#define EXIT_RUN 1
#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130
#define NS_PER_US UINT64_C(1000)
#define NS_PER_MS UINT64_C(1000000)
#define NS_PER_S UINT64_C(1000000000)
#define FIO_DEFAULT_RANDSEED 0x89 /* as job_compile.c: fio's own default */

extern char **environ;

struct baseline_options {
	const char *job_path, *fio_path, *keep_path;
	struct disk_config disks[VMS_MAX_DISKS];
	unsigned nr_disks;
};

void baseline_usage(FILE *f)
{
	fprintf(f,
		"usage: vmsweep baseline --job FILE --disk SPEC [--disk SPEC...] [--fio PATH] [--keep-job FILE]\n"
		"Runs the host's fio with the same job on the same backing files as\n"
		"`vmsweep boot --job FILE --disk SPEC...`, so that guest and host can be compared.\n"
		"The job file is checked and compiled as `boot --job` does it, then written back\n"
		"as an fio job on the host paths (/dev/vda is the first --disk): one section per\n"
		"job with numjobs clones spelt out and the reporting groups kept, direct=1,\n"
		"io_uring for libaio/io_uring jobs (libaio if fio or the kernel lacks io_uring),\n"
		"psync for the others. stdout is fio's JSON (--output-format=json), unchanged.\n"
		"\n"
		"  --job FILE        the fio job file (workloads/README.md)\n"
		"  --disk SPEC       a backing file, /dev/vda first (repeatable, up to %d), as for\n"
		"                    boot: PATH[,size=1G][,ro]...; a missing image is created sparse\n"
		"                    at size=. cache=, engine= and queues= are accepted and change\n"
		"                    nothing: fio always opens the file with direct=1\n"
		"  --fio PATH        the fio binary (default: fio, found in PATH)\n"
		"  --keep-job FILE   write the generated job file to FILE (and keep it)\n"
		"  -h, --help        this text\n"
		"\n"
		"Exit status: 0 fio done, 1 fio or the host failed (fio's stderr is shown),\n"
		"2 bad option or job file, 130 interrupted.\n",
		VMS_MAX_DISKS);
}

/* ---- the job file fio reads ---- */

static const char *rw_name(uint32_t rw)
{
	static const char *const names[] = {
		[VMS_RW_READ] = "read",		  [VMS_RW_WRITE] = "write",	     [VMS_RW_RANDREAD] = "randread",
		[VMS_RW_RANDWRITE] = "randwrite", [VMS_RW_READWRITE] = "readwrite", [VMS_RW_RANDRW] = "randrw",
	};
	return rw < sizeof(names) / sizeof(names[0]) ? names[rw] : NULL;
}

static bool rw_writes(uint32_t rw)
{
	return rw != VMS_RW_READ && rw != VMS_RW_RANDREAD;
}

/* The largest exact unit keeps the file readable; the compiler's finest unit is us. */
static const char *time_format(uint64_t ns, char *buf, size_t len)
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
static int path_unsafe_char(const char *p)
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

static void job_extras_write(FILE *f, const struct vms_job *j)
{
	/* the guest's flush reaches the host file as fdatasync (harness/vmm) */
	if (j->fsync_every)
		fprintf(f, "fdatasync=%" PRIu32 "\n", j->fsync_every);
	/* The guest checks its reads against the pattern and has no read-back phase after
	 * writing, which fio adds to a writing job with verify= unless do_verify=0. */
	bool reads = j->rw != VMS_RW_WRITE && j->rw != VMS_RW_RANDWRITE;
	if ((j->flags & VMS_JOB_VERIFY) && reads) {
		fputs("verify=pattern\n", f);
		pattern_write(f, "verify_pattern", j);
		if (rw_writes(j->rw))
			fputs("do_verify=0\n", f);
	} else if (j->pattern_len) {
		pattern_write(f, "buffer_pattern", j);
	}
}

/* A section header fio reads back as the job's name; otherwise name= carries it. */
static bool name_is_header(const char *name)
{
	return *name && !strpbrk(name, "[]") && strncmp(name, "global", 6) != 0;
}

static int job_write(FILE *f, unsigned idx, const struct vms_job *j, const struct baseline_disk *d,
		     const char *async_engine, bool new_group, char *err, size_t errlen)
{
	char t[32];
	const char *rw = rw_name(j->rw);

	if (!rw || j->offset >= d->size) {
		snprintf(err, errlen, "job '%s': %s", j->name, rw ? "offset beyond the end of its disk" : "unknown rw");
		return -1;
	}
	if (name_is_header(j->name))
		fprintf(f, "\n[%s]\n", j->name);
	else
		fprintf(f, "\n[job%u]\nname=%s\n", idx, j->name);
	filename_write(f, d->path);
	fputs("direct=1\n", f);
	fprintf(f, "ioengine=%s\n", j->ioengine == VMS_IOENGINE_ASYNC ? async_engine : "psync");
	fprintf(f, "iodepth=%" PRIu32 "\n", j->iodepth);
	fprintf(f, "rw=%s\n", rw);
	if (j->rw == VMS_RW_READWRITE || j->rw == VMS_RW_RANDRW)
		fprintf(f, "rwmixread=%" PRIu32 "\n", j->rwmixread);
	fprintf(f, "bs=%" PRIu64 ",%" PRIu64 "\n", j->bs[0], j->bs[1]);
	if (j->offset)
		fprintf(f, "offset=%" PRIu64 "\n", j->offset);
	/* size 0 is "to the end of the disk": spelt out, as the guest sees it */
	fprintf(f, "size=%" PRIu64 "\n", j->size ? j->size : d->size - j->offset);
	if (j->runtime_ns)
		fprintf(f, "runtime=%s\n", time_format(j->runtime_ns, t, sizeof(t)));
	if (j->flags & VMS_JOB_TIME_BASED)
		fputs("time_based\n", f);
	if (j->ramp_ns)
		fprintf(f, "ramp_time=%s\n", time_format(j->ramp_ns, t, sizeof(t)));
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
	if (j->thinktime_ns)
		fprintf(f, "thinktime=%s\n", time_format(j->thinktime_ns, t, sizeof(t)));
	job_extras_write(f, j);
	if (j->flags & VMS_JOB_GROUP_REPORTING)
		fputs("group_reporting\n", f);
	/* fio's add_job opens a group at stonewall or new_group, as the compiler did */
	if (j->flags & VMS_JOB_STONEWALL)
		fputs("stonewall\n", f);
	else if (new_group)
		fputs("new_group\n", f);
	return 0;
}

int baseline_job_write(FILE *f, const struct vms_workload *wl, const struct baseline_disk *disks,
		       unsigned nr_disks, const char *async_engine, const char *source, char *err, size_t errlen)
{
	fputs("; generated by `vmsweep baseline` from ", f);
	for (const char *c = source; *c; c++)
		fputc((unsigned char)*c < ' ' ? '?' : *c, f);
	fputs(": its compiled jobs, one section per\n; numjobs clone, on the host's files", f);
	for (unsigned i = 0; i < nr_disks; i++)
		fprintf(f, "%s /dev/vd%c = %s", i ? "," : ":", 'a' + i, disks[i].path);
	fputc('\n', f);
	for (uint32_t i = 0; i < wl->nr_jobs; i++) {
		const struct vms_job *j = &wl->jobs[i];
		if (j->disk >= nr_disks) {
			snprintf(err, errlen, "job '%s': /dev/vd%c has no --disk", j->name, 'a' + (int)(j->disk % 26));
			return -1;
		}
		bool new_group = i && j->group != wl->jobs[i - 1].group;
		if (job_write(f, i, j, &disks[j->disk], async_engine, new_group, err, errlen))
			return -1;
	}
	return 0;
}

/* ---- running fio ---- */

struct capture {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void capture_append(struct capture *c, const char *p, size_t n)
{
	if (c->oom)
		return;
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 65536;
		while (cap < c->len + n + 1)
			cap *= 2;
		char *b = realloc(c->buf, cap);
		if (!b) {
			c->oom = true;
			return;
		}
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

static volatile sig_atomic_t child_pid, stop_signal;

/* A Ctrl-C reaches fio through the terminal; a kill of vmsweep alone is passed on. */
static void on_stop_signal(int sig)
{
	stop_signal = sig;
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static void pipe_drain(int fd[2], struct capture *out, struct capture *errc)
{
	struct pollfd pf[2] = { { .fd = fd[0], .events = POLLIN }, { .fd = fd[1], .events = POLLIN } };
	struct capture *cap[2] = { out, errc };
	char buf[16384];
	int open_fds = 2;

	while (open_fds) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !pf[i].revents)
				continue;
			ssize_t n = read(pf[i].fd, buf, sizeof(buf));
			if (n > 0) {
				capture_append(cap[i], buf, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				close(pf[i].fd);
				pf[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
}

/* Runs argv (no shell), stdout and stderr captured; *status as waitpid gives it. */
static int command_run(char *const argv[], struct capture *out, struct capture *errc, int *status, char *err,
		       size_t errlen)
{
	int po[2], pe[2], rd[2];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dfl;
	pid_t pid;

	if (pipe2(po, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(pe, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		close(po[0]);
		close(po[1]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	/* a shell starting vmsweep in the background leaves SIGINT ignored: fio must see it */
	posix_spawnattr_init(&attr);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	int r = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(po[1]);
	close(pe[1]);
	if (r != 0) {
		close(po[0]);
		close(pe[0]);
		snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(r));
		return -1;
	}
	child_pid = pid;
	if (stop_signal)
		kill(pid, stop_signal);
	rd[0] = po[0];
	rd[1] = pe[0];
	pipe_drain(rd, out, errc);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	if (out->oom || errc->oom) {
		snprintf(err, errlen, "out of memory reading %s's output", argv[0]);
		return -1;
	}
	return 0;
}

/* io_uring if this fio has it and the kernel allows it (kernel.io_uring_disabled). */
static const char *async_engine_pick(const char *fio, char *err, size_t errlen)
{
	char *argv[] = { (char *)fio, "--enghelp", NULL };
	struct capture out = { 0 }, errc = { 0 };
	const char *engine = NULL;
	int status = 0;

	if (command_run(argv, &out, &errc, &status, err, errlen) == 0) {
		bool uring = false;
		char *save = NULL, *line = out.buf ? strtok_r(out.buf, "\n", &save) : NULL;
		for (; line; line = strtok_r(NULL, "\n", &save))
			uring |= strcmp(line + strspn(line, " \t"), "io_uring") == 0;
		FILE *sys = fopen("/proc/sys/kernel/io_uring_disabled", "r");
		int disabled = 0;
		if (sys) {
			if (fscanf(sys, "%d", &disabled) != 1)
				disabled = 0;
			fclose(sys);
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			while (errc.len && (errc.buf[errc.len - 1] == '\n' || errc.buf[errc.len - 1] == ' '))
				errc.buf[--errc.len] = '\0';
			snprintf(err, errlen, "--enghelp failed: %.300s", errc.len ? errc.buf : "no message");
		} else {
			engine = uring && !disabled ? "io_uring" : "libaio";
			if (strcmp(engine, "io_uring"))
				fprintf(stderr, "vmsweep baseline: %s: using libaio for the async jobs\n",
					uring ? "io_uring is disabled (kernel.io_uring_disabled)" : "this fio has no io_uring");
		}
	}
	free(out.buf);
	free(errc.buf);
	return engine;
}

/* ---- the command ---- */

enum { OPT_JOB = 256, OPT_DISK, OPT_FIO, OPT_KEEP_JOB };

static const struct option baseline_long_options[] = {
	{ "job", required_argument, NULL, OPT_JOB },	       { "disk", required_argument, NULL, OPT_DISK },
	{ "fio", required_argument, NULL, OPT_FIO },	       { "keep-job", required_argument, NULL, OPT_KEEP_JOB },
	{ "help", no_argument, NULL, 'h' },		       { NULL, 0, NULL, 0 },
};

/* 0: run; 1: help printed; -1: err names the option. */
static int options_parse(int argc, char **argv, struct baseline_options *o, char *err, size_t errlen)
{
	int opt;

	memset(o, 0, sizeof(*o));
	o->fio_path = "fio";
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", baseline_long_options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			baseline_usage(stdout);
			return 1;
		case ':':
			snprintf(err, errlen, "option '%s' needs a value (see vmsweep baseline --help)", argv[optind - 1]);
			return -1;
		case '?':
			if (optopt >= OPT_JOB)
				snprintf(err, errlen, "option '%s' takes no value (see vmsweep baseline --help)",
					 argv[optind - 1]);
			else if (optopt)
				snprintf(err, errlen, "unknown option '-%c' (see vmsweep baseline --help)", optopt);
			else
				snprintf(err, errlen, "unknown option '%s' (see vmsweep baseline --help)", argv[optind - 1]);
			return -1;
		case OPT_JOB:
			o->job_path = optarg;
			break;
		case OPT_DISK:
			if (o->nr_disks >= VMS_MAX_DISKS) {
				snprintf(err, errlen, "--disk %s: at most %d disks", optarg, VMS_MAX_DISKS);
				return -1;
			}
			if (disk_config_parse(optarg, &o->disks[o->nr_disks++], err, errlen))
				return -1;
			break;
		case OPT_FIO:
			o->fio_path = optarg;
			break;
		case OPT_KEEP_JOB:
			o->keep_path = optarg;
			break;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see vmsweep baseline --help)", argv[optind]);
		return -1;
	}
	if (!o->job_path) {
		snprintf(err, errlen, "--job FILE is required: the fio job file to run (see vmsweep baseline --help)");
		return -1;
	}
	if (!o->nr_disks) {
		snprintf(err, errlen, "--job %s: no --disk given: add --disk PATH[,size=...] for /dev/vda (and one per "
			 "further /dev/vdX)", o->job_path);
		return -1;
	}
	for (unsigned i = 0; i < o->nr_disks; i++) {
		int c = path_unsafe_char(o->disks[i].path);
		if (c) {
			snprintf(err, errlen, "--disk %s: fio's job files cannot name a path with '%c' in it%s",
				 o->disks[i].path, c, c == ' ' ? " (blank) at its start or end" : "");
			return -1;
		}
	}
	return 0;
}

/* As boot_job_compile: sizes from size= or the existing file bound the jobs' regions. */
static int job_compile(const struct baseline_options *o, struct vms_workload **wl, char *err, size_t errlen)
{
	struct fio_disk_info info[VMS_MAX_DISKS] = { 0 };
	size_t size = 0;

	for (unsigned i = 0; i < o->nr_disks; i++) {
		struct stat st;
		info[i].size = o->disks[i].size;
		if (!info[i].size && stat(o->disks[i].path, &st) == 0 && S_ISREG(st.st_mode))
			info[i].size = (uint64_t)st.st_size;
	}
	if (fio_compile_file(o->job_path, info, o->nr_disks, wl, &size, err, errlen))
		return -1;
	for (uint32_t i = 0; i < (*wl)->nr_jobs; i++) {
		const struct vms_job *j = &(*wl)->jobs[i];
		if (j->ioengine == VMS_IOENGINE_MEM) {
			snprintf(err, errlen, "--job %s: job '%s' is a memory job (ioengine=mem), vmsweep's own extension, "
				 "which the host's fio cannot run; baseline runs job files of disk jobs only", o->job_path,
				 j->name);
			return -1;
		}
		if (o->disks[j->disk].read_only && rw_writes(j->rw)) {
			snprintf(err, errlen, "--disk %s,ro: job '%s' writes to /dev/vd%c (rw=%s)", o->disks[j->disk].path,
				 j->name, 'a' + (int)j->disk, rw_name(j->rw));
			return -1;
		}
	}
	return 0;
}

/* Creates missing images as boot does; fio gets absolute paths, whatever its cwd. */
static int disks_prepare(const struct baseline_options *o, struct baseline_disk *disks, char (*paths)[PATH_MAX],
			 char *err, size_t errlen)
{
	for (unsigned i = 0; i < o->nr_disks; i++) {
		int fd;
		if (disk_open(&o->disks[i], &fd, &disks[i].size, err, errlen))
			return -1;
		close(fd);
		if (!realpath(o->disks[i].path, paths[i])) {
			snprintf(err, errlen, "--disk %s: %s", o->disks[i].path, strerror(errno));
			return -1;
		}
		int c = path_unsafe_char(paths[i]);
		if (c) {
			snprintf(err, errlen, "--disk %s: its real path %s has a '%c', which fio's job files cannot hold",
				 o->disks[i].path, paths[i], c);
			return -1;
		}
		disks[i].path = paths[i];
	}
	return 0;
}

/* Writes the job to --keep-job FILE, or to a temporary file; path receives its name. */
static int job_file_create(const struct baseline_options *o, const struct vms_workload *wl,
			   const struct baseline_disk *disks, const char *engine, char *path, size_t pathlen,
			   char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;
	int fd;

	if (o->keep_path) {
		snprintf(path, pathlen, "%s", o->keep_path);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	} else {
		snprintf(path, pathlen, "%s/vmsweep-baseline.XXXXXX.fio", tmp && *tmp ? tmp : "/tmp");
		fd = mkostemps(path, 4, O_CLOEXEC);
	}
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "%s %s: %s", o->keep_path ? "--keep-job" : "temporary job file", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char why[512] = "";
	int r = baseline_job_write(f, wl, disks, o->nr_disks, engine, o->job_path, why, sizeof(why));
	if (ferror(f) && !why[0])
		snprintf(why, sizeof(why), "%s", strerror(errno));
	if (fclose(f) != 0 && !why[0])
		snprintf(why, sizeof(why), "%s", strerror(errno));
	if (r || why[0]) {
		snprintf(err, errlen, "%s %s: %s", o->keep_path ? "--keep-job" : "temporary job file", path, why);
		if (!o->keep_path)
			unlink(path);
		return -1;
	}
	return 0;
}

static int fail(int code, const char *err)
{
	fprintf(stderr, "vmsweep baseline: %s\n", err);
	return code;
}

/* fio's verdict: its JSON on stdout when it succeeded, its stderr otherwise. */
static int fio_report(const struct baseline_options *o, const char *job, int status, const struct capture *out,
		      const struct capture *errc)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !stop_signal && out->len) {
		fwrite(out->buf ? out->buf : "", 1, out->len, stdout);
		fwrite(errc->buf ? errc->buf : "", 1, errc->len, stderr); /* fio's warnings */
		if (fflush(stdout) != 0) {
			fprintf(stderr, "vmsweep baseline: writing fio's output: %s\n", strerror(errno));
			return EXIT_RUN;
		}
		return 0;
	}
	fwrite(errc->buf ? errc->buf : "", 1, errc->len, stderr);
	if (errc->len && errc->buf[errc->len - 1] != '\n')
		fputc('\n', stderr);
	/* fio's log_info notes ("fio: ...") go to stdout, before its JSON */
	for (const char *p = out->buf, *nl; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (!strncmp(p, "fio: ", 5))
			fprintf(stderr, "%.*s\n", (int)(nl ? nl - p : (ptrdiff_t)strlen(p)), p);
	}
	if (stop_signal) {
		fprintf(stderr, "vmsweep baseline: interrupted (signal %d): fio stopped\n", (int)stop_signal);
		return EXIT_INTERRUPTED;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		fprintf(stderr, "vmsweep baseline: --fio %s: exit status 0 but no JSON on stdout", o->fio_path);
	else if (WIFSIGNALED(status))
		fprintf(stderr, "vmsweep baseline: --fio %s: killed by signal %d", o->fio_path, WTERMSIG(status));
	else
		fprintf(stderr, "vmsweep baseline: --fio %s: exit status %d", o->fio_path, WEXITSTATUS(status));
	if (o->keep_path)
		fprintf(stderr, " (job file: %s)\n", job);
	else
		fprintf(stderr, " (--keep-job FILE keeps the job file it ran)\n");
	return EXIT_RUN;
}

int baseline_run(int argc, char **argv)
{
	static struct baseline_options o; /* 8 disk paths of PATH_MAX: off the stack */
	static char paths[VMS_MAX_DISKS][PATH_MAX];
	struct baseline_disk disks[VMS_MAX_DISKS] = { 0 };
	struct vms_workload *wl = NULL;
	char err[3 * PATH_MAX], job[PATH_MAX + 64];
	const char *engine = "io_uring";
	int r = options_parse(argc, argv, &o, err, sizeof(err));

	if (r)
		return r > 0 ? 0 : fail(EXIT_USAGE, err);
	if (job_compile(&o, &wl, err, sizeof(err))) {
		free(wl);
		return fail(EXIT_USAGE, err);
	}
	if (disks_prepare(&o, disks, paths, err, sizeof(err))) {
		free(wl);
		return fail(EXIT_RUN, err);
	}
	for (uint32_t i = 0; i < wl->nr_jobs; i++) {
		if (wl->jobs[i].ioengine != VMS_IOENGINE_ASYNC)
			continue;
		if (!(engine = async_engine_pick(o.fio_path, err, sizeof(err)))) {
			free(wl);
			fprintf(stderr, "vmsweep baseline: --fio %s: %s\n", o.fio_path, err);
			return EXIT_RUN;
		}
		break;
	}
	r = job_file_create(&o, wl, disks, engine, job, sizeof(job), err, sizeof(err));
	free(wl);
	if (r)
		return fail(EXIT_RUN, err);

	struct sigaction sa = { .sa_handler = on_stop_signal }, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	char *argv_fio[] = { (char *)o.fio_path, "--output-format=json", "--eta=never", job, NULL };
	struct capture out = { 0 }, errc = { 0 };
	int status = 0;
	if (command_run(argv_fio, &out, &errc, &status, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsweep baseline: --fio %s: %s\n", o.fio_path, err);
		r = EXIT_RUN;
	} else {
		r = fio_report(&o, job, status, &out, &errc);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (!o.keep_path)
		unlink(job);
	free(out.buf);
	free(errc.buf);
	return r;
}
