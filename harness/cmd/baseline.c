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

#include "cmd/baseline.h"
#include "cmd/cmd.h"
#include "fio/job_compile.h"
#include "util/error.h"
#include "util/signals.h"
#include "vmm/blk/disk.h"
#include "vmsweep/abi.h"

struct baseline_options {
	const char *job_path, *fio_path, *keep_path;
	const char *sections[VMS_WL_MAX_JOBS]; /* --section NAME, as boot's */
	unsigned nr_sections;
	struct disk_config disks[VMS_MAX_DISKS];
	unsigned nr_disks;
};

void baseline_usage(FILE *f)
{
	fprintf(f,
		"usage: vmsweep baseline --job FILE --disk SPEC [--disk SPEC...] [--section NAME...] [--fio PATH]\n"
		"                        [--keep-job FILE]\n"
		"Runs the host's fio with the same job on the same backing files as\n"
		"`vmsweep boot --job FILE --disk SPEC...`, so that guest and host can be compared.\n"
		"The job file is checked and compiled as `boot --job` does it, then written back\n"
		"as an fio job on the host paths (/dev/vda is the first --disk): one section per\n"
		"job with numjobs clones spelt out and the reporting groups kept, direct=1\n"
		"(direct=0 for a buffered write job that makes each write durable before the\n"
		"next, fsync=1, fdatasync=1 or sync=1: its sync then covers the write-back, as\n"
		"in the guest),\n"
		"io_uring for libaio/io_uring jobs (libaio if fio or the kernel lacks io_uring),\n"
		"psync for the others, buffers in huge pages (iomem=shmhuge) when the host has\n"
		"enough free (vm.nr_hugepages): the host's best, as the guest's RAM is mostly\n"
		"contiguous. stdout is fio's JSON (--output-format=json), unchanged.\n"
		"\n"
		"  --job FILE        the fio job file (workloads/README.md)\n"
		"  --disk SPEC       a backing file, /dev/vda first (repeatable, up to %d), as for\n"
		"                    boot: PATH[,size=1G][,ro]...; a missing image is created sparse\n"
		"                    at size=. cache=, engine= and queues= are accepted and change\n"
		"                    nothing: fio opens the file itself (direct=1 but as above)\n"
		"  --section NAME    only the job section [NAME] of the file, with [global], as\n"
		"                    boot's --section and fio's (repeatable)\n"
		"  --fio PATH        the fio binary (default: fio, found in PATH)\n"
		"  --keep-job FILE   write the generated job file to FILE (and keep it)\n"
		"  -h, --help        this text\n"
		"\n"
		"Exit status: 0 fio done, 1 fio or the host failed (fio's stderr is shown),\n"
		"2 bad option or job file, 130 interrupted.\n",
		VMS_MAX_DISKS);
}

enum { OPT_JOB = 256, OPT_DISK, OPT_FIO, OPT_KEEP_JOB, OPT_SECTION };

static const struct option baseline_long_options[] = {
	{ "job", required_argument, NULL, OPT_JOB },	       { "disk", required_argument, NULL, OPT_DISK },
	{ "fio", required_argument, NULL, OPT_FIO },	       { "keep-job", required_argument, NULL, OPT_KEEP_JOB },
	{ "section", required_argument, NULL, OPT_SECTION },
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
			return errorf(err, errlen, "option '%s' needs a value (see vmsweep baseline --help)", argv[optind - 1]);
		case '?':
			if (optopt >= OPT_JOB)
				errorf(err, errlen, "option '%s' takes no value (see vmsweep baseline --help)",
					 argv[optind - 1]);
			else if (optopt)
				errorf(err, errlen, "unknown option '-%c' (see vmsweep baseline --help)", optopt);
			else
				errorf(err, errlen, "unknown option '%s' (see vmsweep baseline --help)", argv[optind - 1]);
			return -1;
		case OPT_JOB:
			o->job_path = optarg;
			break;
		case OPT_DISK:
			if (o->nr_disks >= VMS_MAX_DISKS)
				return errorf(err, errlen, "--disk %s: at most %d disks", optarg, VMS_MAX_DISKS);
			if (disk_config_parse(optarg, &o->disks[o->nr_disks++], err, errlen))
				return -1;
			if (disk_model_active(&o->disks[o->nr_disks - 1].model)) {
				char model[512];
				return errorf(err, errlen,
					      "--disk %s: a device model (%s) times a guest's disk; baseline measures the "
					      "host's disk as it is (drop the model's parts)",
					      optarg, disk_model_text(&o->disks[o->nr_disks - 1].model, model, sizeof(model)));
			}
			if (o->disks[o->nr_disks - 1].fs || o->disks[o->nr_disks - 1].log[0])
				return errorf(err, errlen,
					      "--disk %s: %s is the guest's (host fio writes the image raw, over a file system, "
					      "and through no log; drop it)",
					      optarg, o->disks[o->nr_disks - 1].fs ? "fs=ext3" : "log=");
			break;
		case OPT_FIO:
			o->fio_path = optarg;
			break;
		case OPT_KEEP_JOB:
			o->keep_path = optarg;
			break;
		case OPT_SECTION:
			if (o->nr_sections >= VMS_WL_MAX_JOBS)
				return errorf(err, errlen, "--section %s: at most %d sections", optarg, VMS_WL_MAX_JOBS);
			o->sections[o->nr_sections++] = optarg;
			break;
		}
	}
	if (optind < argc)
		return errorf(err, errlen, "unexpected argument '%s' (see vmsweep baseline --help)", argv[optind]);
	if (!o->job_path)
		return errorf(err, errlen, "--job FILE is required: the fio job file to run (see vmsweep baseline --help)");
	for (unsigned i = 0; i < o->nr_disks; i++) {
		int c = baseline_path_unsafe_char(o->disks[i].path);
		if (c)
			return errorf(err, errlen, "--disk %s: fio's job files cannot name a path with '%c' in it%s",
				 o->disks[i].path, c, c == ' ' ? " (blank) at its start or end" : "");
	}
	return 0;
}

/* Compiled as `boot --job` compiles it; the host's fio cannot run vmsweep's memory jobs,
 * nor its file jobs, whose files live on the guest's ext3 (the images are written raw). */
static int job_compile(const struct baseline_options *o, struct vms_workload **wl, char *err, size_t errlen)
{
	struct disk_config disks[VMS_MAX_DISKS];
	size_t size = 0;

	struct fio_compile_sel sel = { .sections = o->sections, .nr_sections = o->nr_sections };
	if (fio_compile_for_disks_sel(o->job_path, o->disks, o->nr_disks, &sel, wl, &size, err, errlen)) {
		if (!o->nr_disks) /* a job file of cpuio jobs alone needs none */
			return errorf(err, errlen, "--job %s: no --disk given: add --disk PATH[,size=...] for /dev/vda (and one "
				 "per further /dev/vdX)", o->job_path);
		/* again as if each disk had its file system: a file job is then refused below for
		 * what it is (a raw job on such a disk is refused as a writer under it) */
		memcpy(disks, o->disks, o->nr_disks * sizeof(disks[0]));
		for (unsigned i = 0; i < o->nr_disks; i++)
			disks[i].fs = DISK_FS_EXT3;
		char err2[1024];
		if (fio_compile_for_disks_sel(o->job_path, disks, o->nr_disks, &sel, wl, &size, err2, sizeof(err2)))
			return -1; /* the first error stands */
	}
	for (uint32_t i = 0; i < (*wl)->nr_jobs; i++) {
		const struct vms_job *j = &(*wl)->jobs[i];
		if (j->path[0])
			return errorf(err, errlen, "--job %s: job '%s' uses files on /mnt/vd%c (filename=/mnt/... or "
				 "directory=), which live on the guest's ext3; baseline runs host fio on the raw images, so "
				 "it takes jobs on raw disks (filename=/dev/vdX) only", o->job_path, j->name, 'a' + (int)j->disk);
		if (j->ioengine == VMS_IOENGINE_MEM)
			return errorf(err, errlen, "--job %s: job '%s' is a memory job (ioengine=mem), vmsweep's own extension, "
				 "which the host's fio cannot run; baseline runs job files of disk jobs only", o->job_path,
				 j->name);
		if (vms_job_on_disk(j) && o->disks[j->disk].read_only && baseline_rw_writes(j->rw))
			return errorf(err, errlen, "--disk %s,ro: job '%s' writes to /dev/vd%c (rw=%s)", o->disks[j->disk].path,
				 j->name, 'a' + (int)j->disk, baseline_rw_name(j->rw));
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
		if (!realpath(o->disks[i].path, paths[i]))
			return errorf(err, errlen, "--disk %s: %s", o->disks[i].path, strerror(errno));
		int c = baseline_path_unsafe_char(paths[i]);
		if (c)
			return errorf(err, errlen, "--disk %s: its real path %s has a '%c', which fio's job files cannot hold",
				 o->disks[i].path, paths[i], c);
		disks[i].path = paths[i];
	}
	return 0;
}

/* Writes the job to --keep-job FILE, or to a temporary file; path receives its name. */
static int job_file_create(const struct baseline_options *o, const struct vms_workload *wl,
			   const struct baseline_disk *disks, const struct baseline_fio *fio, char *path, size_t pathlen,
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
		errorf(err, errlen, "%s %s: %s", o->keep_path ? "--keep-job" : "temporary job file", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char why[512] = "";
	int r = baseline_job_write(f, wl, disks, o->nr_disks, fio, o->job_path, why, sizeof(why));
	if (ferror(f) && !why[0])
		errorf(why, sizeof(why), "%s", strerror(errno));
	if (fclose(f) != 0 && !why[0])
		errorf(why, sizeof(why), "%s", strerror(errno));
	if (r || why[0]) {
		errorf(err, errlen, "%s %s: %s", o->keep_path ? "--keep-job" : "temporary job file", path, why);
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
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !baseline_stop_signal() && out->len) {
		/* fio's log_info lines before its JSON (cpuio's "job (noop): ioengine=cpuio, ...")
		 * go to stderr, so that stdout is the JSON alone */
		size_t skip = 0;
		while (skip < out->len && out->buf[skip] != '{') {
			const char *nl = memchr(out->buf + skip, '\n', out->len - skip);
			size_t end = nl ? (size_t)(nl - out->buf) + 1 : out->len;
			fwrite(out->buf + skip, 1, end - skip, stderr);
			skip = end;
		}
		fwrite(out->buf + skip, 1, out->len - skip, stdout);
		fwrite(errc->buf ? errc->buf : "", 1, errc->len, stderr); /* fio's warnings */
		if (fflush(stdout) != 0) {
			fprintf(stderr, "vmsweep baseline: writing fio's output: %s\n", strerror(errno));
			return EXIT_HOST;
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
	if (baseline_stop_signal()) {
		fprintf(stderr, "vmsweep baseline: interrupted (signal %d): fio stopped\n", baseline_stop_signal());
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
	return EXIT_HOST;
}

/*
 * A job host fio ran buffered (baseline_job_buffered) leaves the image's pages in the
 * host's page cache, clean (each write was synced). The guest's next run opens the image
 * O_DIRECT (cache=none), and every direct write over cached pages must invalidate them:
 * measured, the 8k log job in the guest ran 4.1-5.3k IOPS after such a baseline, 6.5-7.3k
 * after the pages were dropped (3 interleaved pairs). So they are dropped, as they came.
 */
static void host_cache_drop(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r = fd < 0 ? errno : fdatasync(fd) ? errno : posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (r)
		fprintf(stderr, "vmsweep baseline: %s: cannot drop its pages from the host's cache: %s\n", path,
			strerror(r));
	if (fd >= 0)
		close(fd);
}

int cmd_baseline(int argc, char **argv)
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
		return fail(EXIT_HOST, err);
	}
	for (uint32_t i = 0; i < wl->nr_jobs; i++) {
		if (wl->jobs[i].ioengine != VMS_IOENGINE_ASYNC)
			continue;
		if (!(engine = fio_async_engine_pick(o.fio_path, err, sizeof(err)))) {
			free(wl);
			fprintf(stderr, "vmsweep baseline: --fio %s: %s\n", o.fio_path, err);
			return EXIT_HOST;
		}
		break;
	}
	struct baseline_fio fio = { .async_engine = engine };
	unsigned long need;
	fio.huge_buffers = baseline_huge_buffers_fit(wl, &need);
	bool large = false; /* where it matters: requests of many pages */
	for (uint32_t i = 0; i < wl->nr_jobs; i++)
		large |= wl->jobs[i].bs[0] >= (256u << 10) || wl->jobs[i].bs[1] >= (256u << 10);
	if (!fio.huge_buffers && need && large)
		fprintf(stderr,
			"vmsweep baseline: host fio's buffers are in 4 KiB pages: %lu free huge pages would hold them "
			"(sysctl vm.nr_hugepages), as the guest's RAM is held; a large request can then reach the disk "
			"whole\n",
			need);
	bool buffered[VMS_MAX_DISKS] = { false };
	for (uint32_t i = 0; i < wl->nr_jobs; i++)
		if (vms_job_on_disk(&wl->jobs[i]) && wl->jobs[i].disk < o.nr_disks && baseline_job_buffered(&wl->jobs[i]))
			buffered[wl->jobs[i].disk] = true;
	r = job_file_create(&o, wl, disks, &fio, job, sizeof(job), err, sizeof(err));
	free(wl);
	if (r)
		return fail(EXIT_HOST, err);

	struct stop_signals saved;
	stop_signals_catch(baseline_on_stop_signal, &saved);
	char *argv_fio[] = { (char *)o.fio_path, "--output-format=json", "--eta=never", job, NULL };
	struct capture out = { 0 }, errc = { 0 };
	int status = 0;
	if (command_run(argv_fio, &out, &errc, &status, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsweep baseline: --fio %s: %s\n", o.fio_path, err);
		r = EXIT_HOST;
	} else {
		r = fio_report(&o, job, status, &out, &errc);
	}
	stop_signals_restore(&saved);
	for (unsigned i = 0; i < o.nr_disks; i++)
		if (buffered[i])
			host_cache_drop(disks[i].path);
	if (!o.keep_path)
		unlink(job);
	free(out.buf);
	free(errc.buf);
	return r;
}
