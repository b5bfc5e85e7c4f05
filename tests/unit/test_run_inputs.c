/*
 * What determines a run, as text, and what differs between two: a changed value, a key
 * one side lacks, keys left out, and many differences summed up.
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

#include "helpers.h"
#include "sweep/config.h"
#include "sweep/grid.h"
#include "sweep/run_inputs.h"

static void test_diff(void **state)
{
	(void)state;
	char buf[512];

	assert_int_equal(run_inputs_diff("a=1\nb=2\n", "a=1\nb=2\n", NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(run_inputs_diff("a=1\nb=2\n", "a=1\nb=3\n", NULL, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "b: 2 there, 3 here");
	/* A key only here, and one only there. */
	assert_int_equal(run_inputs_diff("a=1\n", "a=1\nc=4\n", NULL, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "c: (none) there, 4 here");
	assert_int_equal(run_inputs_diff("a=1\nc=4\n", "a=1\n", NULL, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "c: 4 there, (none) here");
	/* Left out on request. */
	assert_int_equal(run_inputs_diff("job=x 1\nworkload=2\nm=1\n", "job=x 3\nworkload=4\nm=1\n", "job workload", buf,
					 sizeof(buf)),
			 0);
	/* The first three, then how many more. */
	assert_int_equal(run_inputs_diff("a=1\nb=1\nc=1\nd=1\ne=1\n", "a=2\nb=2\nc=2\nd=2\ne=2\n", NULL, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "a: 1 there, 2 here; b: 1 there, 2 here; c: 1 there, 2 here; and 2 more");
}

/* The inputs of a config's points: the resolved VM and knobs, memory in M, and a point's
 * parameter values. */
static void test_point_inputs(void **state)
{
	(void)state;
	char path[] = "/tmp/test_run_inputs.XXXXXX", err[512] = "";
	static const char text[] = "[guest]\nmemory = 96M\nvcpus = 1\n[params]\ntasks_per_cpu = 1, 3\n";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct sweep_config c;
	struct sweep_plan p;
	struct sweep_build b = { "harness", "guest" };
	if (sweep_config_load(path, &c, err, sizeof(err)) || sweep_plan(&c, &p, err, sizeof(err)))
		fail_msg("%s", err);
	char *a = sweep_point_inputs(&c, &p, 0, &b, NULL, 0, err, sizeof(err));
	char *z = sweep_point_inputs(&c, &p, 1, &b, NULL, 0, err, sizeof(err));
	assert_non_null(a);
	assert_non_null(z);
	assert_non_null(strstr(a, "harness_build_id=harness\nguest_build_id=guest\n"));
	assert_non_null(strstr(a, "workload=built-in\nmemory=96M\nvcpus=1\n"));
	assert_non_null(strstr(a, "\ntasks_per_cpu=1\n"));
	char buf[256];
	assert_int_equal(run_inputs_diff(a, z, NULL, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "tasks_per_cpu: 1 there, 3 here");
	free(a);
	free(z);
	sweep_plan_free(&p);
	sweep_config_free(&c);
	unlink(path);
}

/* The inputs text of a config's first point. */
static char *inputs_of(const char *text)
{
	char path[] = "/tmp/test_run_inputs.XXXXXX", err[512] = "";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct sweep_config c;
	struct sweep_plan p;
	struct sweep_build b = { "harness", "guest" };
	if (sweep_config_load(path, &c, err, sizeof(err)) || sweep_plan(&c, &p, err, sizeof(err)))
		fail_msg("%s", err);
	char *a = sweep_point_inputs(&c, &p, 0, &b, NULL, 0, err, sizeof(err));
	assert_non_null(a);
	sweep_plan_free(&p);
	sweep_config_free(&c);
	unlink(path);
	return a;
}

/* A disk's model is an input, with its defaults filled in: another model is another
 * experiment; the same model written otherwise is the same. lat= alone is written as
 * before the models came, so that older sweeps resume. */
static void test_disk_model_inputs(void **state)
{
	(void)state;
	char *none = inputs_of("[guest]\ndisk = /tmp/m.img,size=1G\n");
	char *hdd = inputs_of("[guest]\ndisk = /tmp/m.img,size=1G,profile=hdd\n");
	char *hdd2 = inputs_of("[guest]\ndisk = /tmp/m.img,size=1G,rpm=7200,profile=hdd,seek=8.5ms\n");
	char *slow = inputs_of("[guest]\ndisk = /tmp/m.img,size=1G,profile=hdd,rpm=5400\n");
	char *lat = inputs_of("[guest]\ndisk = /tmp/m.img,size=1G,lat=2ms\n");
	char buf[512];
	assert_null(strstr(none, "disk.0.model"));
	assert_non_null(strstr(hdd, "\ndisk.0.model=profile=hdd,rpm=7200,seek_min=1ms,seek=8.5ms,seek_max=15.0625ms,"
				    "rate=120M,capacity=image,flush=8.333333ms\n"));
	assert_int_equal(run_inputs_diff(hdd, hdd2, NULL, buf, sizeof(buf)), 0);
	assert_int_equal(run_inputs_diff(hdd, slow, NULL, buf, sizeof(buf)), 1);
	assert_non_null(strstr(buf, "disk.0.model: profile=hdd,rpm=7200,"));
	assert_non_null(strstr(buf, " there, profile=hdd,rpm=5400,"));
	assert_int_equal(run_inputs_diff(none, hdd, NULL, buf, sizeof(buf)), 1);
	assert_non_null(strstr(lat, "\ndisk.0.lat_ns=2000000\n"));
	assert_null(strstr(lat, "disk.0.model"));
	free(none);
	free(hdd);
	free(hdd2);
	free(slow);
	free(lat);
}

/* A disk's file system is an input, only when there is one (older runs' inputs stay as they were). */
static void test_disk_fs_inputs(void **state)
{
	(void)state;
	char *none = inputs_of("[guest]\ndisk = /tmp/m.img,size=1G\n");
	char *ext3 = inputs_of("[guest]\ndisk = /tmp/test_run_inputs_none.img,size=1G,fs=ext3\n");
	char buf[512];
	assert_null(strstr(none, "disk.0.fs"));
	assert_non_null(strstr(ext3, "\ndisk.0.fs=ext3\n"));
	assert_int_equal(run_inputs_diff(none, ext3, NULL, buf, sizeof(buf)), 2); /* the path, and fs */
	assert_non_null(strstr(buf, "disk.0.fs: (none) there, ext3 here"));
	free(none);
	free(ext3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_point_inputs),
		cmocka_unit_test(test_disk_model_inputs),
		cmocka_unit_test(test_disk_fs_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
