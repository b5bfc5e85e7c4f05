/* The host CPUs of a disk image's device interrupts (see disk_irqs.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "util/error.h"
#include "vmm/disk_irqs.h"

/* "0-1,4" into *cpus; whether it parsed. */
static int cpu_list_add(const char *text, cpu_set_t *cpus)
{
	const char *s = text;
	while (*s && *s != '\n') {
		char *end;
		if (!isdigit((unsigned char)*s))
			return -1;
		long a = strtol(s, &end, 10), b = a;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		if (b < a || b >= CPU_SETSIZE)
			return -1;
		for (long c = a; c <= b; c++)
			CPU_SET((int)c, cpus);
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end && *end != '\n')
			return -1;
	}
	return 0;
}

/* Vector irq's CPUs: the ones it is delivered to (effective), else the ones it may go to. */
static int irq_cpus_add(const char *proc_root, const char *irq, cpu_set_t *cpus)
{
	static const char *const files[] = { "effective_affinity_list", "smp_affinity_list" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[PATH_MAX + 64], line[512];
		snprintf(path, sizeof(path), "%s/irq/%s/%s", proc_root, irq, files[i]);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		char *got = fgets(line, sizeof(line), f);
		fclose(f);
		if (got && !cpu_list_add(line, cpus))
			return 0;
	}
	return -1;
}

/* The vectors in dir/msi_irqs, if dir has them: how many, or -1 when it has none. */
static int msi_irqs_add(const char *dir, const char *proc_root, cpu_set_t *cpus)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/msi_irqs", dir);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		if (isdigit((unsigned char)e->d_name[0]) && !irq_cpus_add(proc_root, e->d_name, cpus))
			n++;
	closedir(d);
	return n;
}

int disk_irq_cpus_of_dev(unsigned maj, unsigned min, const char *sys_root, const char *proc_root, cpu_set_t *cpus,
			 char *why, size_t len)
{
	char link[PATH_MAX + 64], dir[PATH_MAX], devices[PATH_MAX + 16];
	snprintf(link, sizeof(link), "%s/dev/block/%u:%u", sys_root, maj, min);
	if (!realpath(link, dir))
		return errorf(why, len, "block device %u:%u: %s: %s", maj, min, link, strerror(errno));
	snprintf(devices, sizeof(devices), "%s/devices", sys_root);
	char *real_devices = realpath(devices, NULL);
	size_t stop = real_devices ? strlen(real_devices) : 0;
	free(real_devices);
	/* up from the block device (a partition's parent first) to the function with vectors */
	for (;;) {
		int n = msi_irqs_add(dir, proc_root, cpus);
		if (n >= 0)
			return n ? 0 : errorf(why, len, "block device %u:%u: %s/msi_irqs has no vector with CPUs", maj, min, dir);
		char *slash = strrchr(dir, '/');
		if (!slash || (size_t)(slash - dir) <= stop)
			return errorf(why, len, "block device %u:%u: no MSI vectors up its sysfs path (a virtual device?)",
				      maj, min);
		*slash = 0;
	}
}

int disk_irq_cpus(const char *path, cpu_set_t *cpus, char *why, size_t len)
{
	struct stat st;
	if (stat(path, &st) != 0) { /* an image not made yet: the file system it will be made on */
		int e = errno;
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", path);
		if (e != ENOENT || stat(dirname(dir), &st) != 0)
			return errorf(why, len, "%s: %s", path, strerror(e));
	}
	dev_t dev = S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
	return disk_irq_cpus_of_dev(major(dev), minor(dev), "/sys", "/proc", cpus, why, len);
}
