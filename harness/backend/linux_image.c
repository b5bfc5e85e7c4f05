/* The Linux guest's files and domain type: see linux_image.h. */
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/linux_image.h"
#include "util/error.h"

#define QEMU_PATH "/usr/bin/qemu-system-x86_64"

/* ttyS0 the console, ttyS1 the data port (linux-guest/init); panic=-1 reboots at once,
 * which the domain's on_reboot makes its end; no KASLR or mitigations to pay for under
 * TCG. THP off at boot: init sets the thp knob's mode through sysfs (run.conf's `thp`,
 * linux_knobs.c), which, unlike this option, also works under 512 MiB. */
#define LINUX_CMDLINE "console=ttyS0 panic=-1 nokaslr mitigations=off tsc=reliable rdinit=/init transparent_hugepage=never"

static void linux_dir(char *buf, size_t len)
{
	const char *env = getenv("VMSWEEP_LINUX_DIR");
	char exe[PATH_MAX];
	ssize_t n;
	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = 0;
		char real[PATH_MAX];
		snprintf(buf, len, "%.*s/../build/linux", (int)(len > 32 ? len - 32 : 0), dirname(exe));
		/* resolved: the domain XML and the manifest name the files themselves */
		if (realpath(buf, real))
			snprintf(buf, len, "%.*s", (int)(len - 1), real);
		return;
	}
	snprintf(buf, len, "build/linux");
}

int linux_image_find(struct linux_image *im, char *err, size_t errlen)
{
	memset(im, 0, sizeof(*im));
	linux_dir(im->dir, sizeof(im->dir));
	/* the uncompressed kernel: unpacking Debian's xz bzImage takes ~3 s under TCG */
	snprintf(im->kernel, sizeof(im->kernel), "%s/vmlinux", im->dir);
	snprintf(im->initramfs, sizeof(im->initramfs), "%s/initramfs.cpio.gz", im->dir);
	snprintf(im->tools, sizeof(im->tools), "%s/tools.img", im->dir);
	const char *files[] = { im->kernel, im->initramfs, im->tools };
	for (size_t i = 0; i < 3; i++)
		if (access(files[i], R_OK))
			return errorf(err, errlen, "%s: missing: the libvirt backend's Linux guest is made by `make linux-guest`",
				      files[i]);
	char vpath[PATH_MAX + 16];
	snprintf(vpath, sizeof(vpath), "%s/VERSION", im->dir);
	FILE *f = fopen(vpath, "r");
	if (f) {
		if (fgets(im->version, sizeof(im->version), f))
			im->version[strcspn(im->version, "\n")] = 0;
		fclose(f);
	}
	if (access(QEMU_PATH, X_OK))
		return errorf(err, errlen, "%s: missing: `make deps` installs qemu-system-x86", QEMU_PATH);
	im->emulator = QEMU_PATH;
	im->cmdline = LINUX_CMDLINE;
	return 0;
}

/* Whether the CPU flags name hardware virtualisation (vmx, svm) */
static int cpu_has_hw_virt(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	int found = 0;
	while (f && !found && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5))
			found = strstr(line, " vmx") || strstr(line, " svm");
	if (f)
		fclose(f);
	return found;
}

static const char *domain_type;
static char domain_type_why[160];

/* Decided once per process: every run of a sweep asks, and the host does not change */
static void domain_type_decide(void)
{
	const char *env = getenv("VMSWEEP_LIBVIRT_TYPE");
	char *why = domain_type_why;
	size_t len = sizeof(domain_type_why);
	if (env && (!strcmp(env, "kvm") || !strcmp(env, "qemu"))) {
		snprintf(why, len, "VMSWEEP_LIBVIRT_TYPE=%s", env);
		domain_type = !strcmp(env, "kvm") ? "kvm" : "qemu";
	} else if (access("/sys/module/kvm_pvm", F_OK) == 0) {
		snprintf(why, len, "TCG: this host's KVM is PVM (kvm_pvm), which emulates a stock kernel's CPL-0 code");
		domain_type = "qemu";
	} else if (access("/dev/kvm", R_OK | W_OK) || !cpu_has_hw_virt()) {
		snprintf(why, len, "TCG: no usable /dev/kvm with VMX or SVM");
		domain_type = "qemu";
	} else {
		snprintf(why, len, "KVM");
		domain_type = "kvm";
	}
}

const char *linux_domain_type(char *why, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, domain_type_decide);
	if (why && len)
		snprintf(why, len, "%s", domain_type_why);
	return domain_type;
}
