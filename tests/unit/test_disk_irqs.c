/*
 * The host CPUs of a disk's interrupts (harness/vmm/disk_irqs.c), from a fake sysfs and
 * /proc: a partition of a virtio disk whose PCI function has two MSI vectors, a
 * device-mapper device without any, a device sysfs does not know.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "vmm/disk_irqs.h"

static char root[64], sys[96], proc[96];

static void mkdirs(const char *path)
{
	char p[512];
	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(p, 0755);
			*s = '/';
		}
	mkdir(p, 0755);
}

/* Writes text to the file the format names (under root's trees). */
static void put(const char *text, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(const char *text, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	char p[512];
	snprintf(root, sizeof(root), "/tmp/vmsweep-test-irqs.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	static const char *const dirs[] = { "sys/devices/pci0000:00/0000:00:02.0/virtio1/block/vda/vda1",
					    "sys/devices/pci0000:00/0000:00:02.0/msi_irqs", "sys/devices/virtual/block/dm-0",
					    "sys/dev/block", "proc/irq/35", "proc/irq/36" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		mkdirs(p);
	}
	put("msix\n", "%s/devices/pci0000:00/0000:00:02.0/msi_irqs/35", sys);
	put("msix\n", "%s/devices/pci0000:00/0000:00:02.0/msi_irqs/36", sys);
	snprintf(p, sizeof(p), "%s/dev/block/254:1", sys);
	if (symlink("../../devices/pci0000:00/0000:00:02.0/virtio1/block/vda/vda1", p))
		return -1;
	snprintf(p, sizeof(p), "%s/dev/block/253:0", sys);
	if (symlink("../../devices/virtual/block/dm-0", p))
		return -1;
	/* vector 35: delivered to CPU 1 (effective), may go to 0-1; 36: no effective file */
	put("1\n", "%s/irq/35/effective_affinity_list", proc);
	put("0-1\n", "%s/irq/35/smp_affinity_list", proc);
	put("3,5-6\n", "%s/irq/36/smp_affinity_list", proc);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_virtio_partition(void **state)
{
	(void)state;
	cpu_set_t cpus;
	char why[512] = "";
	CPU_ZERO(&cpus);
	if (disk_irq_cpus_of_dev(254, 1, sys, proc, &cpus, why, sizeof(why)))
		fail_msg("%s", why);
	assert_int_equal(CPU_COUNT(&cpus), 4); /* 1 (35's effective CPU, not its 0-1), 3, 5, 6 */
	assert_true(CPU_ISSET(1, &cpus) && CPU_ISSET(3, &cpus) && CPU_ISSET(5, &cpus) && CPU_ISSET(6, &cpus));
}

static void test_virtual_and_unknown(void **state)
{
	(void)state;
	cpu_set_t cpus;
	char why[512] = "";
	CPU_ZERO(&cpus);
	assert_int_equal(disk_irq_cpus_of_dev(253, 0, sys, proc, &cpus, why, sizeof(why)), -1);
	assert_err_has(why, "no MSI vectors up its sysfs path");
	assert_int_equal(CPU_COUNT(&cpus), 0);
	assert_int_equal(disk_irq_cpus_of_dev(8, 0, sys, proc, &cpus, why, sizeof(why)), -1);
	assert_err_has(why, "block device 8:0");
	assert_int_equal(disk_irq_cpus("/nonexistent/disk.img", &cpus, why, sizeof(why)), -1);
	assert_err_has(why, "/nonexistent/disk.img");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virtio_partition),
		cmocka_unit_test(test_virtual_and_unknown),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
