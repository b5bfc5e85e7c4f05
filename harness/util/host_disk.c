/* The file system (statfs, named from /proc/self/mountinfo) and block device
 * (/sys/dev/block/MAJ:MIN) under a path. */
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/host_disk.h"

/* The fs type of the mount whose device is dev, from mountinfo's field after " - ". */
static void fs_type(dev_t dev, char *out, size_t len)
{
	char line[4096], want[32];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	snprintf(out, len, "unknown");
	snprintf(want, sizeof(want), " %u:%u ", major(dev), minor(dev));
	while (f && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - "), type[64];
		if (!strstr(line, want) || !sep || sscanf(sep + 3, "%63s", type) != 1)
			continue;
		snprintf(out, len, "%s", type);
	}
	if (f)
		fclose(f);
}

/* One line of a sysfs file, or "" */
static void sysfs_read(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	out[0] = 0;
	if (f && fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = 0;
	if (f)
		fclose(f);
}

const char *host_disk_describe(const char *path, char *buf, size_t len)
{
	struct stat st;
	char dir[4096], type[64], link[4096], sys[4200], model[128] = "", rot[8] = "";

	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(path, &st) != 0 && stat(dirname(dir), &st) != 0) {
		snprintf(buf, len, "unknown");
		return buf;
	}
	fs_type(st.st_dev, type, sizeof(type));
	/* The block device: /sys/dev/block/M:m links to .../block/sda/sda1 (a partition) or
	 * .../block/sda; model and rotational are the whole disk's. */
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
	ssize_t n = readlink(sys, link, sizeof(link) - 1);
	if (n <= 0) {
		snprintf(buf, len, "fs=%s device=none", type);
		return buf;
	}
	link[n] = 0;
	char *name = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/partition", major(st.st_dev), minor(st.st_dev));
	char part[16];
	sysfs_read(sys, part, sizeof(part));
	const char *base = part[0] ? "/sys/dev/block/%u:%u/../%s" : "/sys/dev/block/%u:%u/%s";
	snprintf(sys, sizeof(sys), base, major(st.st_dev), minor(st.st_dev), "device/model");
	sysfs_read(sys, model, sizeof(model));
	snprintf(sys, sizeof(sys), base, major(st.st_dev), minor(st.st_dev), "queue/rotational");
	sysfs_read(sys, rot, sizeof(rot));
	snprintf(buf, len, "fs=%s device=%s%s%s rotational=%s", type, name, model[0] ? " model=" : "", model,
		 rot[0] ? rot : "?");
	return buf;
}
