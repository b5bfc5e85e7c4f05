/*
 * vCPU placement on host CPUs: the host topology read from a sysfs tree (a fake one
 * here: 2 packages x 2 cores x 2 threads, numbered as Linux numbers them, first threads
 * 0-3 and their siblings 4-7), compact and scatter orders, lists, overcommit.
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
#include "vmm/placement.h"

static char root[64];

static void put(int cpu, const char *file, int v)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/cpu%d", root, cpu);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/cpu%d/topology", root, cpu);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/cpu%d/topology/%s", root, cpu, file);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%d\n", v);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/vmsweep-test-sysfs.XXXXXX");
	assert_non_null(mkdtemp(root));
	for (int c = 0; c < 8; c++) {
		put(c, "physical_package_id", c % 4 / 2);
		put(c, "core_id", c % 2);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void read_host(struct host_cpus *h, int n)
{
	cpu_set_t set;
	char err[256];
	CPU_ZERO(&set);
	for (int c = 0; c < n; c++)
		CPU_SET(c, &set);
	if (host_cpus_read(h, &set, root, err, sizeof(err)))
		fail_msg("host_cpus_read: %s", err);
}

static void plan_is(const struct host_cpus *h, const char *pin, unsigned nr, const int *want, bool want_over)
{
	struct vm_pin p;
	int got[VMS_MAX_CPUS];
	bool over;
	char err[256];
	if (vm_pin_parse(pin, &p, err, sizeof(err)) || placement_plan(h, &p, nr, NULL, got, &over, err, sizeof(err)))
		fail_msg("--pin %s for %u vCPUs: %s", pin, nr, err);
	for (unsigned i = 0; i < nr; i++)
		if (got[i] != want[i])
			fail_msg("--pin %s: vCPU %u on host CPU %d, want %d", pin, i, got[i], want[i]);
	assert_int_equal(over, want_over);
}

static void test_host_topology(void **state)
{
	(void)state;
	struct host_cpus h;
	char d[256];
	read_host(&h, 8);
	assert_int_equal(h.n, 8);
	assert_int_equal(h.nr_pkgs, 2);
	assert_int_equal(h.nr_cores, 4);
	assert_int_equal(h.max_smt, 2);
	assert_string_equal(host_cpus_describe(&h, d, sizeof(d)),
			    "8 CPUs (0-7): 2 packages, 4 cores, up to 2 threads per core");
	read_host(&h, 3); /* the process may use 0-2 only */
	assert_int_equal(h.nr_pkgs, 2);
	assert_int_equal(h.max_smt, 1);
}

static void test_compact_scatter(void **state)
{
	(void)state;
	struct host_cpus h;
	read_host(&h, 8);
	plan_is(&h, "compact", 8, (const int[]){ 0, 4, 1, 5, 2, 6, 3, 7 }, false);
	plan_is(&h, "scatter", 8, (const int[]){ 0, 2, 1, 3, 4, 6, 5, 7 }, false);
	plan_is(&h, "compact", 2, (const int[]){ 0, 4 }, false); /* SMT siblings of one core */
	plan_is(&h, "scatter", 2, (const int[]){ 0, 2 }, false); /* two packages */
	plan_is(&h, "none", 4, (const int[]){ -1, -1, -1, -1 }, false);
	/* overcommit: round robin over the allowed CPUs */
	read_host(&h, 2);
	plan_is(&h, "compact", 4, (const int[]){ 0, 1, 0, 1 }, true);
	plan_is(&h, "none", 4, (const int[]){ -1, -1, -1, -1 }, true);
	plan_is(&h, "0,0,1,1", 4, (const int[]){ 0, 0, 1, 1 }, true);
	plan_is(&h, "1,0", 2, (const int[]){ 1, 0 }, false);
	plan_is(&h, "0-1", 2, (const int[]){ 0, 1 }, false);
}

/* io: compact on the CPUs without the disks' interrupts; all of them when none is left. */
static void test_io(void **state)
{
	(void)state;
	struct host_cpus h;
	struct vm_pin p;
	int got[VMS_MAX_CPUS];
	bool over;
	char err[256];
	cpu_set_t irq;
	read_host(&h, 8);
	assert_int_equal(vm_pin_parse("io", &p, err, sizeof(err)), 0);
	CPU_ZERO(&irq);
	CPU_SET(0, &irq); /* the disk's vector on CPU 0 (core 0's first thread) */
	assert_int_equal(placement_plan(&h, &p, 3, &irq, got, &over, err, sizeof(err)), 0);
	assert_int_equal(got[0], 4); /* compact order 0, 4, 1, ... without 0 */
	assert_int_equal(got[1], 1);
	assert_int_equal(got[2], 5);
	assert_false(over);
	read_host(&h, 2);
	CPU_ZERO(&irq);
	CPU_SET(1, &irq);
	assert_int_equal(placement_plan(&h, &p, 2, &irq, got, &over, err, sizeof(err)), 0);
	assert_int_equal(got[0], 0); /* both off CPU 1: overcommitted, said */
	assert_int_equal(got[1], 0);
	assert_true(over);
	CPU_SET(0, &irq); /* every CPU takes some: compact over all */
	assert_int_equal(placement_plan(&h, &p, 2, &irq, got, &over, err, sizeof(err)), 0);
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], 1);
	assert_false(over);
}

static void pin_bad(const struct host_cpus *h, const char *pin, unsigned nr, const char *phrase)
{
	struct vm_pin p;
	int got[VMS_MAX_CPUS];
	bool over;
	char err[256] = "";
	if (!vm_pin_parse(pin, &p, err, sizeof(err)) && !placement_plan(h, &p, nr, NULL, got, &over, err, sizeof(err)))
		fail_msg("--pin %s for %u vCPUs accepted", pin, nr);
	assert_err_has(err, phrase);
}

static void test_bad_pins(void **state)
{
	(void)state;
	struct host_cpus h;
	read_host(&h, 2);
	pin_bad(&h, "0,1", 4, "2 host CPUs for 4 vCPUs: give one per vCPU");
	pin_bad(&h, "99", 1, "host CPU 99 is not one this process may run on (2 CPUs (0-1)");
	pin_bad(&h, "compactt", 1, "expected none, compact, scatter, io or a list");
	pin_bad(&h, "3-1", 3, "runs backwards");
	pin_bad(&h, "0,,1", 2, "expected none, compact, scatter, io or a list");
	pin_bad(&h, "5000", 1, "Linux numbers CPUs below");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_io),
		cmocka_unit_test(test_host_topology),
		cmocka_unit_test(test_compact_scatter),
		cmocka_unit_test(test_bad_pins),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
