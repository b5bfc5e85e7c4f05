/*
 * boot --schedstat's text (harness/records/sched_procfs.c): Linux's /proc/schedstat
 * version 15, field by field, from records made by hand. Each counter has its own value
 * so that a field out of place shows; the cpumask as the kernel's %*pb prints it for
 * nr_cpu_ids bits; the timestamp in jiffies at the guest's HZ.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "records/sched.h"
#include "records/sched_procfs.h"
#include "vmm/vm.h"

static void assert_mask(uint64_t mask, unsigned nr_bits, const char *want)
{
	char buf[CPUMASK_BUF_LEN];
	cpumask_format(buf, sizeof(buf), mask, nr_bits);
	if (strcmp(buf, want))
		fail_msg("mask %#llx of %u bits: \"%s\", want \"%s\"", (unsigned long long)mask, nr_bits, buf, want);
}

/* bitmap_string: 32-bit chunks, the top one as wide as its bits need. */
static void test_cpumask_as_the_kernel_prints_it(void **state)
{
	(void)state;
	assert_mask(0x3, 2, "3");
	assert_mask(0x1, 2, "1");
	assert_mask(0x2, 1, "0"); /* a bit beyond nr_cpu_ids is not printed */
	assert_mask(0xf, 4, "f");
	assert_mask(0x3, 5, "03");
	assert_mask(0x0f, 8, "0f");
	assert_mask(0x55, 32, "00000055");
	assert_mask(0x100000000ull, 33, "1,00000000");
	assert_mask(0xffffffffffull, 40, "ff,ffffffff");
	assert_mask(0x8000000000000001ull, 64, "80000000,00000001");
	char small[4];
	cpumask_format(small, sizeof(small), ~0ull, 64); /* too small a buffer: whole chunks or none */
	assert_int_equal(strlen(small), 0);
}

/* CPU 1 of 4: SMT {0,1} and MC {0-3}; lb field k for idle type t is 10 (k + 1) + t. */
static struct vms_rec_schedstat record_cpu1(void)
{
	struct vms_rec_schedstat r = { .cpu = 1, .yld_count = 1, .sched_count = 2, .sched_goidle = 3, .ttwu_count = 4,
				       .ttwu_local = 5, .rq_cpu_time = 6000000006ull, .run_delay = 7000000007ull,
				       .pcount = 8, .nr_moved_in = 99, .nr_domains = 2 };
	for (unsigned d = 0; d < 2; d++) {
		struct vms_sched_domain_info *sd = &r.domains[d];
		struct vms_sd_stats *s = &sd->stats;
		strcpy(sd->name, d ? "MC" : "SMT");
		sd->span = d ? 0xf : 0x3;
		for (unsigned t = 0; t < VMS_CPU_MAX_IDLE_TYPES; t++) {
			uint64_t b = 1000 * d + t;
			s->lb_count[t] = b + 10, s->lb_balanced[t] = b + 20, s->lb_failed[t] = b + 30;
			s->lb_imbalance[t] = b + 40, s->lb_gained[t] = b + 50, s->lb_hot_gained[t] = b + 60;
			s->lb_nobusyq[t] = b + 70, s->lb_nobusyg[t] = b + 80;
		}
		uint64_t b = 1000 * d;
		s->alb_count = b + 101, s->alb_failed = b + 102, s->alb_pushed = b + 103;
		s->sbe_count = b + 104, s->sbe_balanced = b + 105, s->sbe_pushed = b + 106;
		s->sbf_count = b + 107, s->sbf_balanced = b + 108, s->sbf_pushed = b + 109;
		s->ttwu_wake_remote = b + 110, s->ttwu_move_affine = b + 111, s->ttwu_move_balance = b + 112;
	}
	return r;
}

#define CPU1_TEXT                                                                                               \
	"cpu1 1 0 2 3 4 5 6000000006 7000000007 8\n"                                                            \
	"domain0 3 10 20 30 40 50 60 70 80 11 21 31 41 51 61 71 81 12 22 32 42 52 62 72 82"                    \
	" 101 102 103 104 105 106 107 108 109 110 111 112\n"                                                    \
	"domain1 f 1010 1020 1030 1040 1050 1060 1070 1080 1011 1021 1031 1041 1051 1061 1071 1081"             \
	" 1012 1022 1032 1042 1052 1062 1072 1082 1101 1102 1103 1104 1105 1106 1107 1108 1109 1110 1111 1112\n"

static char *written(void (*fn)(FILE *, const void *), const void *arg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	fn(f, arg);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void cpu1_write(FILE *f, const void *arg)
{
	schedstat_cpu_write(f, arg, 4);
}

static void test_a_cpu_and_its_domains(void **state)
{
	struct vms_rec_schedstat r = record_cpu1();
	(void)state;
	char *text = written(cpu1_write, &r);
	assert_string_equal(text, CPU1_TEXT);
	free(text);
}

static void file_write(FILE *f, const void *arg)
{
	schedstat_procfs_write(f, arg, 4, 500);
}

/* The header, then the CPUs that reported in order; a CPU without domains has its line only. */
static void test_the_whole_file(void **state)
{
	struct sched_records *s = calloc(1, sizeof(*s));
	(void)state;
	assert_non_null(s);
	s->cpus[1] = record_cpu1();
	s->cpus[3] = (struct vms_rec_schedstat){ .cpu = 3, .sched_count = 9 };
	s->seen[1] = s->seen[3] = true;
	s->nr = 2;
	char *text = written(file_write, s);
	assert_string_equal(text, "version 15\ntimestamp 500\n" CPU1_TEXT "cpu3 0 0 9 0 0 0 0 0 0\n");
	free(text);
	free(s);
}

/* 2 s of TSC at 1 GHz and HZ 250: 500 jiffies; without a tick or a boot record, 0. */
static void test_jiffies(void **state)
{
	struct vm_result *res = calloc(1, sizeof(*res));
	(void)state;
	assert_non_null(res);
	res->tsc_khz = 1000000;
	res->have_boot = true;
	res->boot = (struct vms_rec_boot){ .tsc_first = 1000, .tsc_done = 2000001000ull, .hz = 250 };
	assert_int_equal(schedstat_jiffies(res), 500);
	res->boot.tsc_done = 10; /* before its start: the guest's nonsense */
	assert_int_equal(schedstat_jiffies(res), 0);
	res->boot.tsc_done = UINT64_MAX;
	res->boot.hz = UINT64_MAX;
	assert_int_equal(schedstat_jiffies(res), UINT64_MAX);
	res->boot.hz = 0;
	assert_int_equal(schedstat_jiffies(res), 0);
	res->have_boot = false;
	res->boot.hz = 250;
	assert_int_equal(schedstat_jiffies(res), 0);
	free(res);
}

/* A run without records writes no file and says why. */
static void test_no_records_no_file(void **state)
{
	struct vm_result *res = calloc(1, sizeof(*res));
	char err[256] = "", path[] = "/tmp/vmsweep-schedstat-test-XXXXXX";
	(void)state;
	assert_non_null(res);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(schedstat_file_write(path, res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no scheduler statistics"));
	assert_int_equal(access(path, F_OK), -1);
	free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpumask_as_the_kernel_prints_it),
		cmocka_unit_test(test_a_cpu_and_its_domains),
		cmocka_unit_test(test_the_whole_file),
		cmocka_unit_test(test_jiffies),
		cmocka_unit_test(test_no_records_no_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
