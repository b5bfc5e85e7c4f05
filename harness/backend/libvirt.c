/*
 * The `libvirt` backend: the run's fio job on a real Debian Linux guest (the stock
 * kernel, direct kernel boot, our initramfs; linux-guest/README.md), made a transient
 * libvirt domain. The run's knobs become sysctls and mount options (linux_knobs.c), its
 * compiled jobs a job file for the guest's real fio (cmd/baseline_job.c, in_guest), both
 * carried in a cpio appended to the initramfs. The guest's init sends fio's JSON and the
 * /proc files back on the second serial port, which libvirt writes to a file; the
 * results go into the store under the metric names our own guest's runs use
 * (linux_metrics.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/backend.h"
#include "backend/linux_boot_files.h"
#include "backend/libvirt_conn.h"
#include "backend/libvirt_xml.h"
#include "backend/scratch_dir.h"
#include "backend/linux_image.h"
#include "backend/linux_knobs.h"
#include "backend/linux_metrics.h"
#include "backend/linux_sections.h"
#include "cmd/run_files.h"
#include "util/error.h"
#include "util/guest_text.h"
#include "vmm/host_cpus.h"

/* What the guest sends on its data port at most: fio's json+ and the /proc files are a
 * few hundred KiB; more is a guest that misbehaves. */
#define LINUX_DATA_MAX LINUX_SECTIONS_MAX_BYTES /* what linux_sections_parse takes */
#define LINUX_CONSOLE_MAX (1u << 20)
/* A Linux guest boots for seconds under TCG before its job starts: added to the timeout */
#define LINUX_BOOT_ALLOWANCE_NS (120ull * 1000000000ull)

static atomic_uint domain_seq;

static int libvirt_sweep_begin(char *err, size_t errlen)
{
	return libvirt_open(err, errlen);
}

static void libvirt_sweep_end(void)
{
	libvirt_close();
}

/* A file's bytes (at most max: a guest that writes more is cut; tail: its last max
 * bytes, else its first), NUL-ended; NULL if it cannot be read. */
static char *file_slurp(const char *path, size_t max, bool tail, size_t *len, bool *cut)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	*len = 0;
	*cut = false;
	if (!f)
		return NULL;
	struct stat st;
	size_t want = fstat(fileno(f), &st) == 0 && st.st_size > 0 ? (size_t)st.st_size : 0;
	if (want > max) {
		if (tail)
			fseeko(f, (off_t)(want - max), SEEK_SET);
		want = max;
		*cut = true;
	}
	if ((buf = malloc(want + 1))) {
		*len = fread(buf, 1, want, f);
		buf[*len] = 0;
	}
	fclose(f);
	return buf;
}

static double mono_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

enum domain_end { DOMAIN_ENDED, DOMAIN_TIMEOUT, DOMAIN_STOPPED, DOMAIN_FLOODED, DOMAIN_STUCK };

static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : 0;
}

/* Starts the domain and waits until it is gone (the guest powered off, or crashed:
 * every way out destroys it), the timeout passed, or the user stopped the run. */
static int domain_run(const char *xml, const char *console, const char *data, uint64_t timeout_ns, volatile int *stop,
		      enum domain_end *end, double *secs, char *err, size_t errlen)
{
	virConnectPtr c = libvirt_conn();
	double t0 = mono_now();
	if (!c)
		return errorf(err, errlen, "libvirt: not connected");
	/* AUTODESTROY: the domain goes with our connection, so a killed vmsweep leaves none */
	virDomainPtr dom = virDomainCreateXML(c, xml, VIR_DOMAIN_START_AUTODESTROY);
	if (!dom)
		return errorf(err, errlen, "libvirt: the domain did not start: %s", libvirt_last_error());
	*end = DOMAIN_ENDED;
	for (;;) {
		int state, reason;
		if (virDomainGetState(dom, &state, &reason, 0) < 0) {
			virErrorPtr e = virGetLastError();
			if (e && e->code == VIR_ERR_NO_DOMAIN)
				break; /* a transient domain is gone once it is off */
			*end = DOMAIN_STUCK; /* we cannot tell: end it rather than leave a QEMU behind */
			virDomainDestroy(dom);
			break;
		}
		if (state == VIR_DOMAIN_SHUTOFF)
			break;
		if (state == VIR_DOMAIN_PAUSED || state == VIR_DOMAIN_CRASHED || state == VIR_DOMAIN_PMSUSPENDED) {
			*end = DOMAIN_STUCK; /* it would wait for someone to resume it */
			virDomainDestroy(dom);
			break;
		}
		if (stop && *stop) {
			*end = DOMAIN_STOPPED;
			virDomainDestroy(dom);
			break;
		}
		/* a guest that floods its ports would fill the host's disk before the timeout */
		if (file_size(console) > (off_t)LINUX_CONSOLE_MAX || file_size(data) > (off_t)LINUX_DATA_MAX) {
			*end = DOMAIN_FLOODED;
			virDomainDestroy(dom);
			break;
		}
		if (timeout_ns && (mono_now() - t0) * 1e9 > (double)timeout_ns) {
			*end = DOMAIN_TIMEOUT;
			virDomainDestroy(dom);
			break;
		}
		struct timespec nap = { 0, 20 * 1000 * 1000 };
		nanosleep(&nap, NULL);
	}
	*secs = mono_now() - t0;
	virDomainFree(dom);
	return 0;
}

/* The run's status from how the domain ended and what the guest said. */
static void run_status(struct store_run *rec, enum domain_end end, const struct linux_sections *s, double secs,
		       uint64_t timeout_ns, const char *console_tail)
{
	const struct linux_section *e = linux_section_find(s, "error");
	rec->status = STORE_FAILED;
	if (end == DOMAIN_FLOODED) {
		rec->exit_status = vm_status_exit_code(VM_BAD_GUEST);
		snprintf(rec->cause, sizeof(rec->cause), "linux: the guest wrote more than %u MiB to its console or %u MiB "
			 "to its data port: ended", LINUX_CONSOLE_MAX >> 20, LINUX_DATA_MAX >> 20);
	} else if (end == DOMAIN_STUCK) {
		rec->exit_status = vm_status_exit_code(VM_HOST_ERROR);
		snprintf(rec->cause, sizeof(rec->cause), "libvirt: the domain was paused, crashed or could not be asked "
			 "its state after %.1f s: ended (QEMU's log ends: %.300s)", secs, console_tail);
	} else if (end == DOMAIN_TIMEOUT) {
		rec->exit_status = vm_status_exit_code(VM_TIMEOUT);
		snprintf(rec->cause, sizeof(rec->cause), "timeout: the Linux guest did not finish in %.0f s (its console "
			 "ends: %.300s)", (double)timeout_ns / 1e9, console_tail);
	} else if (e) {
		rec->exit_status = vm_status_exit_code(VM_BAD_GUEST);
		char line[400];
		guest_text_terminal(line, sizeof(line), e->data, e->len, GUEST_TEXT_ONE_LINE);
		snprintf(rec->cause, sizeof(rec->cause), "linux: the guest's init failed: %s", line);
	} else if (!s->done) {
		rec->exit_status = vm_status_exit_code(VM_PANIC);
		snprintf(rec->cause, sizeof(rec->cause), "linux: the guest ended after %.1f s without its results (its "
			 "console ends: %.300s)", secs, console_tail);
	} else if (s->done_rc != 0) {
		rec->exit_status = 9; /* as `vmsweep boot`: an fio job failed */
		snprintf(rec->cause, sizeof(rec->cause), "linux: fio exited %d (see the run's fio JSON)", s->done_rc);
	} else {
		rec->status = STORE_DONE;
		rec->exit_status = 0;
		rec->cause[0] = 0;
	}
}

/* The console's last line that says something, for a failed run's cause. */
static void console_tail(const char *console, size_t len, char *out, size_t outlen)
{
	size_t end = len;
	while (end && (console[end - 1] == '\n' || console[end - 1] == '\r'))
		end--;
	size_t start = end;
	while (start && console[start - 1] != '\n')
		start--;
	guest_text_terminal(out, outlen, console + start, end - start, GUEST_TEXT_ONE_LINE);
}

/* The run's files beside the store: fio's JSON as the guest's fio wrote it, the
 * console, and everything the guest sent (the /proc files). */
static int linux_files_write(const struct backend_run *r, const struct linux_sections *s, const char *console,
			     size_t console_len, const char *data, size_t data_len, char *err, size_t errlen)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", r->files_dir, RUN_FILES_DIR);
	if (mkdir(path, 0755) && errno != EEXIST)
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	const struct linux_section *fj = linux_section_find(s, "fio.json");
	if (fj) {
		snprintf(path, sizeof(path), "%s/%s/%zu.fio.json.gz", r->files_dir, RUN_FILES_DIR, r->run_id);
		if (run_file_gz_write(path, fj->data, fj->len, err, errlen))
			return -1;
	}
	snprintf(path, sizeof(path), "%s/%s/%zu.linux.gz", r->files_dir, RUN_FILES_DIR, r->run_id);
	if (run_file_gz_write(path, data ? data : "", data ? data_len : 0, err, errlen))
		return -1;
	snprintf(path, sizeof(path), "%s/%s/%zu.console.log.gz", r->files_dir, RUN_FILES_DIR, r->run_id);
	return run_file_gz_write(path, console ? console : "", console ? console_len : 0, err, errlen);
}

/* Where the vCPUs go on the host (--pin): as our own backend places its vCPU threads. */
static int pins_plan(const struct vm_config *vm, int *host_cpu, bool *pinned, char *err, size_t errlen)
{
	*pinned = vm->pin.mode != VM_PIN_NONE;
	if (!*pinned)
		return 0;
	struct host_cpus *h = malloc(sizeof(*h));
	bool over;
	int ret = !h ? errorf(err, errlen, "out of memory") :
		       host_cpus_read(h, NULL, NULL, err, errlen) ? -1 :
		       placement_plan(h, &vm->pin, vm->nr_cpus, NULL, host_cpu, &over, err, errlen);
	free(h);
	return ret;
}

static int libvirt_check(const struct vm_config *vm, const struct vms_workload *wl, char *err, size_t errlen)
{
	if (!wl)
		return errorf(err, errlen, "the libvirt backend runs fio jobs (give a job file): the built-in "
			      "workload is our kernel's own");
	if (vm->hugepages)
		return errorf(err, errlen, "hugepages: not with the libvirt backend (QEMU's RAM is its own)");
	return libvirt_disks_check(vm, err, errlen) || linux_knobs_conf(vm, NULL, err, errlen) ? -1 : 0;
}

struct linux_run {
	char dir[96];
	char initrd[128], console[128], data[128];
	char *conf, *job, *xml;
	size_t conf_len, job_len, xml_len;
	char *console_text, *data_text;
	char qemu_tail[256];
	char name[64]; /* the domain's, once it has one; its QEMU log is removed with the run */
	bool started, qemu_log_taken;
	size_t console_len, data_len;
	struct linux_sections sections;
};

/* QEMU's own log of the domain (libvirt writes one per domain name, and ours are never
 * reused): its last line kept for a failed run's cause, the file removed. */
static void qemu_log_take(struct linux_run *lr)
{
	char path[256];
	size_t n;
	bool cut;
	snprintf(path, sizeof(path), "/var/log/libvirt/qemu/%s.log", lr->name);
	char *text = file_slurp(path, 1 << 20, true, &n, &cut);
	lr->qemu_tail[0] = 0;
	if (text)
		console_tail(text, n, lr->qemu_tail, sizeof(lr->qemu_tail));
	free(text);
	unlink(path);
	lr->qemu_log_taken = true;
}

static void linux_run_free(struct linux_run *lr)
{
	if (lr->started && !lr->qemu_log_taken)
		qemu_log_take(lr);
	scratch_dir_remove(lr->dir);
	free(lr->conf);
	free(lr->job);
	free(lr->xml);
	free(lr->console_text);
	free(lr->data_text);
	linux_sections_free(&lr->sections);
}

/* The guest's console and data port, read after the domain is gone */
static void linux_outputs_read(struct linux_run *lr, bool *data_cut)
{
	bool cut;
	/* the console's end says why a guest stopped */
	lr->console_text = file_slurp(lr->console, LINUX_CONSOLE_MAX, true, &lr->console_len, &cut);
	lr->data_text = file_slurp(lr->data, LINUX_DATA_MAX, false, &lr->data_len, data_cut);
}

static int libvirt_run(struct backend_run *r, char *err, size_t errlen)
{
	struct vm_config *vm = r->vm;
	struct linux_run lr = { 0 };
	struct linux_image im;
	int host_cpu[VMS_MAX_CPUS];
	bool pinned, data_cut = false;
	int ret = -1;

	r->interrupted = r->files_failed = false;
	if (libvirt_check(vm, r->wl, err, errlen) || linux_image_find(&im, err, errlen) ||
	    pins_plan(vm, host_cpu, &pinned, err, errlen))
		return -1;
	if (!r->dry_run && !libvirt_conn() && libvirt_open(err, errlen)) /* `vmsweep boot`: no sweep opened it */
		return -1;
	for (unsigned d = 0; d < vm->nr_disks && !r->dry_run; d++) { /* made (mkfs'd) when missing, as our backend does */
		int fd;
		uint64_t size;
		if (disk_open(&vm->disks[d], &fd, &size, err, errlen))
			return -1;
		close(fd);
	}
	if (scratch_dir_make("libvirt", lr.dir, sizeof(lr.dir), err, errlen))
		return -1;
	/* a system libvirtd's QEMU (libvirt-qemu) opens the files it is given, which libvirt
	 * relabels, inside a directory that is root's: it may pass through, not list */
	chmod(lr.dir, 0711);
	snprintf(lr.initrd, sizeof(lr.initrd), "%s/initrd", lr.dir);
	snprintf(lr.console, sizeof(lr.console), "%s/console.log", lr.dir);
	snprintf(lr.data, sizeof(lr.data), "%s/data.log", lr.dir);
	if (linux_boot_files_make(vm, r->wl, r->job_path, &lr.conf, &lr.conf_len, &lr.job, &lr.job_len, err, errlen) ||
	    linux_initrd_make(lr.initrd, im.initramfs, lr.conf, lr.conf_len, lr.job, lr.job_len, err, errlen))
		goto out;

	char *name = lr.name;
	snprintf(name, sizeof(lr.name), "vmsweep-%d-%u", (int)getpid(), atomic_fetch_add(&domain_seq, 1));
	struct libvirt_domain d = { .name = name, .type = linux_domain_type(NULL, 0),
				    .emulator = im.emulator, .kernel = im.kernel, .initrd = lr.initrd,
				    .cmdline = im.cmdline, .tools_image = im.tools, .console_path = lr.console,
				    .data_path = lr.data, .host_cpu = pinned ? host_cpu : NULL };
	FILE *xf = open_memstream(&lr.xml, &lr.xml_len);
	if (!xf) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	int xr = libvirt_domain_xml(xf, vm, &d, err, errlen);
	if (fclose(xf) || xr)
		goto out;

	if (r->dry_run) {
		fprintf(r->dry_run, "<!-- vmsweep: the domain -->\n%s<!-- vmsweep: /vmsweep/run.conf -->\n%.*s"
			"<!-- vmsweep: /vmsweep/job.fio -->\n%.*s", lr.xml, (int)lr.conf_len, lr.conf, (int)lr.job_len, lr.job);
		ret = 0;
		goto out;
	}
	enum domain_end end = DOMAIN_ENDED;
	double secs = 0;
	uint64_t timeout = vm->timeout_ns ? vm->timeout_ns + LINUX_BOOT_ALLOWANCE_NS : 0;
	lr.started = true;
	if (domain_run(lr.xml, lr.console, lr.data, timeout, vm->stop_requested, &end, &secs, err, errlen))
		goto out;
	if (end == DOMAIN_STOPPED) {
		r->interrupted = true;
		ret = 0;
		goto out;
	}
	linux_outputs_read(&lr, &data_cut);
	qemu_log_take(&lr);
	char perr[256] = "";
	int parsed = linux_sections_parse(lr.data_text ? lr.data_text : "", lr.data_len, &lr.sections, perr, sizeof(perr));
	char tail[320];
	console_tail(lr.console_text ? lr.console_text : "", lr.console_len, tail, sizeof(tail));
	if (!tail[0]) /* the kernel said nothing: what QEMU said instead */
		snprintf(tail, sizeof(tail), "(nothing; QEMU's log ends: %.200s)", lr.qemu_tail);
	memset(r->rec, 0, sizeof(*r->rec));
	run_status(r->rec, end, &lr.sections, secs, timeout, tail);
	if (parsed && r->rec->status == STORE_DONE) {
		r->rec->status = STORE_FAILED;
		r->rec->exit_status = vm_status_exit_code(VM_BAD_GUEST);
		snprintf(r->rec->cause, sizeof(r->rec->cause), "linux: the guest's results are malformed: %s", perr);
	}
	if (data_cut && r->rec->status == STORE_DONE) {
		r->rec->status = STORE_FAILED;
		r->rec->exit_status = vm_status_exit_code(VM_BAD_GUEST);
		snprintf(r->rec->cause, sizeof(r->rec->cause), "linux: the guest sent more than %u MiB on its data port",
			 LINUX_DATA_MAX >> 20);
	}
	char merr[256];
	if (linux_metrics(&lr.sections, r->wl, r->rec, merr, sizeof(merr)) && r->rec->status == STORE_DONE) {
		r->rec->status = STORE_FAILED;
		r->rec->exit_status = vm_status_exit_code(VM_BAD_GUEST);
		snprintf(r->rec->cause, sizeof(r->rec->cause), "linux: %s", merr);
	}
	store_run_metric(r->rec, "linux.run_s", secs);
	r->rec->wall_ms = secs * 1e3;
	if (lr.console_text)
		r->rec->console = guest_text_terminal_dup(lr.console_text, lr.console_len, 0);
	r->rec->console_len = r->rec->console ? strlen(r->rec->console) : 0;
	const struct linux_section *fj = linux_section_find(&lr.sections, "fio.json");
	if (r->fio_json && fj)
		fwrite(fj->data, 1, fj->len, r->fio_json);
	if (r->files_dir && linux_files_write(r, &lr.sections, lr.console_text, lr.console_len, lr.data_text,
					      lr.data_len, err, errlen)) {
		store_run_free(r->rec);
		r->files_failed = true;
		goto out;
	}
	ret = 0;
out:
	linux_run_free(&lr);
	return ret;
}

const struct backend_ops backend_libvirt_ops = {
	.name = "libvirt",
	.sweep_begin = libvirt_sweep_begin,
	.sweep_end = libvirt_sweep_end,
	.check = libvirt_check,
	.run = libvirt_run,
};
