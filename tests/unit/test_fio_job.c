/*
 * fio job files to workload specs: the valid corpus compiles to the fields it says,
 * and every file of the broken corpus fails with the message and the file:line its
 * first line announces ("# expect: FILE:LINE: phrase"). Run from the repository root,
 * as `make check` does.
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

#include "corpus.h"
#include "fio/fio_json.h"
#include "fio/job_compile.h"
#include "fio/job_file.h"

#define KIB (1ull << 10)
#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull

#define GOOD "tests/fio-corpus/good/"
#define BAD "tests/fio-corpus/bad/"

/* The guest every corpus file is compiled for: /dev/vda 1 GiB, /dev/vdb 256 MiB. */
static const struct fio_disk_info disks[] = { { .size = 1 * GIB }, { .size = 256 * MIB } };
#define NR_DISKS 2u

/* path must compile for the guest with the nr disks d; the workload is whole. */
static struct vms_workload *compile_ok_on(const char *path, const struct fio_disk_info *d, unsigned nr)
{
	struct vms_workload *wl = NULL;
	size_t size = 0;
	char err[512] = "";

	if (fio_compile_file(path, d, nr, &wl, &size, err, sizeof(err)))
		fail_msg("%s: compile failed: %s", path, err);
	assert_non_null(wl);
	assert_int_equal(wl->magic, VMS_WL_MAGIC);
	assert_int_equal(wl->version, VMS_WL_VERSION);
	assert_int_equal(size, sizeof(*wl) + wl->nr_jobs * sizeof(wl->jobs[0]));
	return wl;
}

static struct vms_workload *compile_ok(const char *path)
{
	return compile_ok_on(path, disks, NR_DISKS);
}

/* Writes text to a new temporary job file; path is a mkstemp template, "...XXXXXX". */
static void write_temp_job(char *path, const char *text)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_randwrite_4k_qd32(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok(GOOD "randwrite-4k-qd32.fio");
	const struct vms_job *j = &wl->jobs[0];

	assert_int_equal(wl->nr_jobs, 1);
	assert_int_equal(wl->nr_groups, 1);
	assert_string_equal(j->name, "randwrite");
	assert_int_equal(j->disk, 0);
	assert_int_equal(j->rw, VMS_RW_RANDWRITE);
	assert_int_equal(j->bs[0], 4096);
	assert_int_equal(j->bs[1], 4096);
	assert_int_equal(j->iodepth, 32);
	assert_int_equal(j->ioengine, VMS_IOENGINE_ASYNC);
	assert_int_equal(j->flags, VMS_JOB_DIRECT | VMS_JOB_TIME_BASED | VMS_JOB_RANDREPEAT | VMS_JOB_NORANDOMMAP | VMS_JOB_DO_VERIFY);
	assert_int_equal(j->runtime_ns, 10 * NS_PER_S);
	assert_int_equal(j->size, 0);
	assert_int_equal(j->offset, 0);
	assert_int_equal(j->clone, 0);
	free(wl);
}

static void test_seqwrite_1m_qd4(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok(GOOD "seqwrite-1m-qd4.fio");
	const struct vms_job *j = &wl->jobs[0];

	assert_int_equal(wl->nr_jobs, 1);
	assert_int_equal(j->rw, VMS_RW_WRITE);
	assert_int_equal(j->bs[0], MIB);
	assert_int_equal(j->bs[1], MIB);
	assert_int_equal(j->iodepth, 4);
	assert_int_equal(j->ioengine, VMS_IOENGINE_ASYNC);
	assert_true(j->flags & VMS_JOB_DIRECT);
	assert_int_equal(j->size, 512 * MIB);
	free(wl);
}

static void test_randrw_mix(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok(GOOD "randrw-mix.fio");

	assert_int_equal(wl->nr_jobs, 3);
	assert_int_equal(wl->jobs[0].rw, VMS_RW_RANDRW);
	assert_int_equal(wl->jobs[0].rwmixread, 70);
	assert_int_equal(wl->jobs[0].bs[0], 4 * KIB); /* bs=4k,16k: reads, writes */
	assert_int_equal(wl->jobs[0].bs[1], 16 * KIB);
	assert_int_equal(wl->jobs[0].rate_iops[0], 300); /* rate_process=linear is fio's default, accepted */
	assert_false(wl->jobs[0].flags & VMS_JOB_RATE_POISSON);
	assert_int_equal(wl->jobs[0].rate_iops[1], 100);
	assert_int_equal(wl->jobs[1].rw, VMS_RW_READWRITE); /* rw=rw */
	assert_int_equal(wl->jobs[1].rwmixread, 25); /* rwmixwrite=75 */
	assert_int_equal(wl->jobs[1].bs[0], 4 * KIB); /* bs=,64k keeps the read size */
	assert_int_equal(wl->jobs[1].bs[1], 64 * KIB);
	assert_int_equal(wl->jobs[2].rw, VMS_RW_RANDRW);
	assert_int_equal(wl->jobs[2].rwmixread, 50); /* fio's default split */
	assert_int_equal(wl->jobs[2].bs[0], 8 * KIB); /* bs=8k, is bs=8k, as in fio */
	assert_int_equal(wl->jobs[2].bs[1], 8 * KIB);
	free(wl);
}

static void test_numjobs_group_reporting(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok(GOOD "numjobs-group.fio");

	assert_int_equal(wl->nr_jobs, 4);
	assert_int_equal(wl->nr_groups, 1);
	for (uint32_t i = 0; i < 4; i++) {
		assert_string_equal(wl->jobs[i].name, "writers");
		assert_int_equal(wl->jobs[i].clone, i);
		assert_int_equal(wl->jobs[i].group, 0);
		assert_true(wl->jobs[i].flags & VMS_JOB_GROUP_REPORTING);
		assert_int_equal(wl->jobs[i].iodepth, 8);
	}
	free(wl);
}

static void test_stonewall_groups(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok(GOOD "stonewall-groups.fio");
	/* [prep] numjobs=2; [measure] stonewall numjobs=2; [more] (same group);
	 * [after] new_group; [last] wait_for_previous */
	static const uint32_t group[] = { 0, 0, 1, 1, 1, 2, 3 };
	static const uint32_t clone[] = { 0, 1, 0, 1, 0, 0, 0 };
	static const int wall[] = { 0, 0, 1, 0, 0, 0, 1 };

	assert_int_equal(wl->nr_jobs, 7);
	assert_int_equal(wl->nr_groups, 4);
	for (uint32_t i = 0; i < wl->nr_jobs; i++) {
		assert_int_equal(wl->jobs[i].group, group[i]);
		assert_int_equal(wl->jobs[i].clone, clone[i]);
		assert_int_equal(!!(wl->jobs[i].flags & VMS_JOB_STONEWALL), wall[i]);
	}
	free(wl);
}

static void test_global_inherit_override(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok(GOOD "global-inherit.fio");

	assert_int_equal(wl->nr_jobs, 3);
	/* [a]: all from the first [global] */
	assert_int_equal(wl->jobs[0].rw, VMS_RW_RANDREAD);
	assert_int_equal(wl->jobs[0].bs[0], 8 * KIB);
	assert_int_equal(wl->jobs[0].iodepth, 16);
	assert_int_equal(wl->jobs[0].disk, 1);
	assert_int_equal(wl->jobs[0].runtime_ns, 5 * NS_PER_S);
	/* [b]: overrides bs, rw and the disk; the rest inherited */
	assert_int_equal(wl->jobs[1].rw, VMS_RW_WRITE);
	assert_int_equal(wl->jobs[1].bs[1], 128 * KIB);
	assert_int_equal(wl->jobs[1].iodepth, 16);
	assert_int_equal(wl->jobs[1].disk, 0);
	/* [c]: after a second [global] that changes iodepth only */
	assert_int_equal(wl->jobs[2].iodepth, 2);
	assert_int_equal(wl->jobs[2].bs[0], 8 * KIB);
	assert_int_equal(wl->jobs[2].rw, VMS_RW_RANDREAD);
	assert_int_equal(wl->jobs[2].disk, 1);
	free(wl);
}

static void test_include(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok(GOOD "include.fio");

	/* inc/base.inc (from [global]) sets ioengine, direct, filename and includes
	 * engine.inc from its own directory (iodepth=64); the job includes
	 * job-extra.inc (bs=64k) */
	assert_int_equal(wl->nr_jobs, 1);
	assert_int_equal(wl->jobs[0].ioengine, VMS_IOENGINE_ASYNC);
	assert_int_equal(wl->jobs[0].iodepth, 64);
	assert_int_equal(wl->jobs[0].bs[0], 64 * KIB);
	assert_int_equal(wl->jobs[0].rw, VMS_RW_RANDREAD);
	assert_true(wl->jobs[0].flags & VMS_JOB_DIRECT);
	free(wl);
}

static void test_syntax(void **state)
{
	(void)state;
	setenv("VMSWEEP_TEST_BS", "8k", 1);
	struct vms_workload *wl = compile_ok(GOOD "syntax.fio");
	const struct vms_job *j = &wl->jobs[0];

	assert_int_equal(wl->nr_jobs, 1);
	assert_string_equal(j->name, "display-name");
	assert_int_equal(j->disk, 1);
	assert_int_equal(j->bs[0], 8 * KIB); /* ${VMSWEEP_TEST_BS} */
	assert_int_equal(j->bs[1], 8 * KIB);
	assert_int_equal(j->iodepth, 4);
	assert_int_equal(j->offset, 1 * MIB);
	assert_int_equal(j->size, 64 * MIB);
	assert_int_equal(j->runtime_ns, 120 * NS_PER_S); /* 2m */
	assert_int_equal(j->ramp_ns, 500 * NS_PER_MS);
	assert_int_equal(j->thinktime_ns, 250 * 1000ull); /* bare thinktime: microseconds */
	assert_int_equal(j->rate_bps[0], 10 * MIB);
	assert_int_equal(j->rate_bps[1], 5 * MIB);
	assert_int_equal(j->rate_iops[0], 0);
	assert_int_equal(j->rate_iops[1], 0); /* fio refuses rate with rate_iops */
	assert_int_equal(j->randseed, 1234);
	assert_int_equal(j->flags, VMS_JOB_DIRECT | VMS_JOB_NORANDOMMAP | VMS_JOB_TIME_BASED | VMS_JOB_DO_VERIFY);
	free(wl);
	unsetenv("VMSWEEP_TEST_BS");
}

/* verify= and the patterns as fio resolves them: verify_pattern alone implies fio's
 * header-and-pattern type, a verifying job writes its verify_pattern, the others their
 * buffer_pattern (else their verify_pattern). */
static void test_verify(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok(GOOD "verify.fio");
	const struct vms_job *j = wl->jobs;

	assert_int_equal(wl->nr_jobs, 7);
	assert_int_equal(j[0].verify, VMS_VERIFY_CRC32C);
	assert_true(j[0].flags & VMS_JOB_DO_VERIFY); /* fio's default */
	assert_false(j[0].flags & VMS_JOB_VERIFY_ONLY);
	assert_int_equal(j[0].pattern_len, 0); /* random data */
	assert_int_equal(j[1].verify, VMS_VERIFY_MD5); /* the last verify= wins; crc32c-intel was crc32c */
	assert_false(j[1].flags & VMS_JOB_DO_VERIFY);
	assert_int_equal(j[2].verify, VMS_VERIFY_PATTERN_HDR);
	assert_int_equal(j[2].pattern_len, 4);
	assert_memory_equal(j[2].pattern, "\xde\xad\xbe\xef", 4); /* not the buffer_pattern */
	assert_int_equal(j[3].verify, VMS_VERIFY_PATTERN);
	assert_int_equal(j[3].pattern_len, 2);
	assert_int_equal(j[4].verify, VMS_VERIFY_NONE); /* verify=0 given: verify_pattern does not turn it on */
	assert_int_equal(j[4].pattern_len, 1);
	assert_int_equal(j[4].pattern[0], 0x22);
	assert_int_equal(j[5].verify, VMS_VERIFY_NULL);
	assert_true(j[5].flags & VMS_JOB_VERIFY_ONLY);
	assert_int_equal(j[6].verify, VMS_VERIFY_CRC32C);
	assert_false(j[6].flags & VMS_JOB_VERIFY_ONLY);
	free(wl);
}

static void test_defaults(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok(GOOD "defaults.fio");
	const struct vms_job *j = &wl->jobs[0];

	assert_int_equal(j->rw, VMS_RW_READ);
	assert_int_equal(j->bs[0], 4096);
	assert_int_equal(j->bs[1], 4096);
	assert_int_equal(j->iodepth, 1);
	assert_int_equal(j->ioengine, VMS_IOENGINE_SYNC);
	assert_int_equal(j->rwmixread, 50);
	assert_int_equal(j->randseed, 0x89);
	assert_int_equal(j->flags, VMS_JOB_DIRECT | VMS_JOB_RANDREPEAT | VMS_JOB_DO_VERIFY);
	assert_int_equal(j->runtime_ns, 0);
	assert_int_equal(j->size, 0);
	assert_int_equal(j->group, 0);
	free(wl);
}

/* The reader on its own: sections, bare keys, comments, blanks, line numbers. */
static void test_reader_lines(void **state)
{
	(void)state;
	struct fio_job_file jf;
	char err[512] = "";

	setenv("VMSWEEP_TEST_BS", "8k", 1);
	if (fio_job_file_read(GOOD "syntax.fio", &jf, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(jf.nr_sections, 2);
	assert_string_equal(jf.sections[0].name, "global");
	assert_int_equal(jf.sections[0].line, 4);
	const struct fio_section *s = &jf.sections[1];
	assert_string_equal(s->name, "job one");
	assert_int_equal(s->line, 10);
	assert_int_equal(s->nr_opts, 13);
	assert_string_equal(s->opts[0].key, "description");
	assert_string_equal(s->opts[0].value, "words, with commas & symbols");
	assert_string_equal(s->opts[1].key, "bs");
	assert_string_equal(s->opts[1].value, "8k"); /* ${VMSWEEP_TEST_BS} */
	assert_int_equal(s->opts[1].line, 12);
	assert_string_equal(s->opts[2].key, "iodepth"); /* "  iodepth   =   4   ; why" */
	assert_string_equal(s->opts[2].value, "4");
	assert_int_equal(s->opts[2].line, 13);
	assert_string_equal(s->opts[3].key, "norandommap");
	assert_null(s->opts[3].value);
	assert_int_equal(s->opts[3].line, 14);
	s = &jf.sections[0];
	assert_int_equal(s->nr_opts, 4);
	assert_string_equal(s->opts[0].key, "ioengine"); /* tab, blanks, '#' comment */
	assert_string_equal(s->opts[0].value, "libaio");
	assert_string_equal(s->opts[1].value, "1"); /* CRLF line end */
	assert_int_equal(s->opts[1].line, 6);
	assert_int_equal(jf.nr_lines, 24);
	assert_string_equal(jf.files[0], GOOD "syntax.fio");
	fio_job_file_free(&jf);
	unsetenv("VMSWEEP_TEST_BS");
}

static void test_bad_corpus(void **state)
{
	(void)state;
	char *names[256];
	size_t n = corpus_list(BAD, ".fio", names, 256);

	if (n < 25)
		fail_msg("only %zu bad job files in " BAD ", want at least 25", n);
	unsetenv("VMSWEEP_TEST_UNSET");

	for (size_t i = 0; i < n; i++) {
		struct corpus_expect e;
		char err[1024] = "";
		struct vms_workload *wl = (void *)1;
		size_t size = 1;

		corpus_expect_read(&e, BAD, names[i]);
		if (fio_compile_file(e.path, disks, NR_DISKS, &wl, &size, err, sizeof(err)) == 0)
			fail_msg("%s: compiled, but should fail with \"%s\"", e.path, e.phrase);
		assert_null(wl);
		assert_int_equal(size, 0);
		corpus_expect_check(&e, err);
		free(names[i]);
	}
}

static void test_empty_and_missing_file(void **state)
{
	(void)state;
	char path[] = "/tmp/test_fio_job.XXXXXX";
	struct vms_workload *wl;
	size_t size;
	char err[512] = "";

	write_temp_job(path, ""); /* empty */
	assert_int_equal(fio_compile_file(path, disks, NR_DISKS, &wl, &size, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: no jobs"));
	unlink(path);

	assert_int_equal(fio_compile_file(path, disks, NR_DISKS, &wl, &size, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open job file: No such file"));
	assert_non_null(strstr(err, path));
}

/* Disk sizes not known yet: the region is not checked against them. */
static void test_unknown_disk_size(void **state)
{
	(void)state;
	static const struct fio_disk_info unknown[] = { { 0 } };
	struct vms_workload *wl;
	size_t size;
	char err[512] = "";

	assert_int_equal(fio_compile_file(BAD "offset-beyond-disk.fio", unknown, 1, &wl, &size, err, sizeof(err)),
			 0);
	assert_int_equal(wl->jobs[0].offset, 2 * GIB);
	free(wl);
	assert_int_equal(fio_compile_file(BAD "offset-beyond-disk.fio", NULL, 1, &wl, &size, err, sizeof(err)), 0);
	free(wl);
	/* ... but the disk must exist */
	assert_int_equal(fio_compile_file(BAD "disk-out-of-range.fio", NULL, 2, &wl, &size, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no such disk"));
}

/* The documented examples in workloads/ compile as the README says. */
static void test_workload_examples(void **state)
{
	(void)state;
	static const struct fio_disk_info one[] = { { 0 } };
	struct vms_workload *wl = compile_ok_on("workloads/randwrite-4k-qd32.fio", one, 1);

	assert_int_equal(wl->jobs[0].rw, VMS_RW_RANDWRITE);
	assert_int_equal(wl->jobs[0].bs[1], 4096);
	assert_int_equal(wl->jobs[0].iodepth, 32);
	assert_int_equal(wl->jobs[0].runtime_ns, 10 * NS_PER_S);
	assert_true(wl->jobs[0].flags & VMS_JOB_TIME_BASED);
	free(wl);
	wl = compile_ok_on("workloads/seqwrite-1m-qd4.fio", one, 1);
	assert_int_equal(wl->jobs[0].rw, VMS_RW_WRITE);
	assert_int_equal(wl->jobs[0].bs[1], MIB);
	assert_int_equal(wl->jobs[0].iodepth, 4);
	free(wl);
	/* the memory examples need no disk */
	wl = compile_ok_on("workloads/mem-swap.fio", NULL, 0);
	assert_int_equal(wl->jobs[0].ioengine, VMS_IOENGINE_MEM);
	assert_int_equal(wl->jobs[0].mem_access, VMS_MEM_RANDOM);
	assert_int_equal(wl->jobs[0].size, 96 * MIB);
	assert_int_equal(wl->jobs[0].mem_working_set, 48 * MIB);
	assert_int_equal(wl->jobs[0].runtime_ns, 5 * NS_PER_S);
	free(wl);
	wl = compile_ok_on("workloads/mem-churn.fio", NULL, 0);
	for (uint32_t i = 0; i < wl->nr_jobs; i++)
		assert_int_equal(wl->jobs[i].ioengine, VMS_IOENGINE_MEM);
	assert_int_equal(wl->jobs[0].mem_access, VMS_MEM_CHURN);
	free(wl);
}

/* ioengine=mem jobs: no disk, size in whole pages, the working set resolved, the disk
 * fields cleared; a disk job in the same file keeps what [global] gives it. */
static void test_mem_jobs(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok(GOOD "mem-jobs.fio");
	const struct vms_job *j = wl->jobs;
	const uint32_t kept = VMS_JOB_TIME_BASED | VMS_JOB_RANDREPEAT | VMS_JOB_GROUP_REPORTING | VMS_JOB_STONEWALL;

	assert_int_equal(wl->nr_jobs, 6); /* disk, seq, random, pct x2, churn */
	assert_int_equal(wl->nr_groups, 2); /* [pct] stonewall */
	/* [disk]: an ordinary disk job */
	assert_string_equal(j[0].name, "disk");
	assert_int_equal(j[0].ioengine, VMS_IOENGINE_ASYNC);
	assert_int_equal(j[0].iodepth, 4);
	assert_int_equal(j[0].bs[0], 8 * KIB);
	assert_true(j[0].flags & VMS_JOB_DIRECT);
	for (uint32_t i = 1; i < wl->nr_jobs; i++) {
		assert_int_equal(j[i].ioengine, VMS_IOENGINE_MEM);
		assert_int_equal(j[i].disk, 0);
		assert_int_equal(j[i].rw, 0);
		assert_int_equal(j[i].iodepth, 1);
		assert_int_equal(j[i].bs[0], 0);
		assert_int_equal(j[i].bs[1], 0);
		assert_int_equal(j[i].offset, 0);
		assert_int_equal(j[i].flags & ~kept, 0); /* no VMS_JOB_DIRECT */
		assert_int_equal(j[i].size % 4096, 0);
		assert_int_equal(j[i].runtime_ns, 5 * NS_PER_S);
	}
	/* [seq]: the default access, size rounded up to pages */
	assert_string_equal(j[1].name, "seq");
	assert_int_equal(j[1].mem_access, VMS_MEM_SEQ);
	assert_int_equal(j[1].size, 12288);
	assert_int_equal(j[1].mem_working_set, 0);
	/* [random] */
	assert_int_equal(j[2].mem_access, VMS_MEM_RANDOM);
	assert_int_equal(j[2].size, 96 * MIB);
	assert_int_equal(j[2].mem_working_set, 48 * MIB);
	assert_int_equal(j[2].flags, VMS_JOB_TIME_BASED);
	assert_int_equal(j[2].ramp_ns, NS_PER_S);
	assert_int_equal(j[2].thinktime_ns, 10 * 1000ull);
	assert_int_equal(j[2].randseed, 7);
	/* [pct]: 25% of 64m, two clones in a new group */
	for (int i = 3; i <= 4; i++) {
		assert_string_equal(j[i].name, "pct");
		assert_int_equal(j[i].clone, i - 3);
		assert_int_equal(j[i].group, 1);
		assert_int_equal(j[i].mem_working_set, 16 * MIB);
		assert_true(j[i].flags & VMS_JOB_GROUP_REPORTING);
	}
	assert_true(j[3].flags & VMS_JOB_STONEWALL);
	assert_false(j[4].flags & VMS_JOB_STONEWALL);
	/* [churn] */
	assert_string_equal(j[5].name, "churner");
	assert_int_equal(j[5].mem_access, VMS_MEM_CHURN);
	assert_int_equal(j[5].size, 8 * MIB);
	assert_int_equal(j[5].group, 1);
	free(wl);
}

/* Memory options from [global] go to the memory jobs that can use them, and to no disk job. */
static void test_mem_global(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok(GOOD "mem-global.fio");
	const struct vms_job *j = wl->jobs;

	assert_int_equal(wl->nr_jobs, 3);
	assert_int_equal(j[0].ioengine, VMS_IOENGINE_MEM);
	assert_int_equal(j[0].mem_access, VMS_MEM_RANDOM);
	assert_int_equal(j[0].size, 32 * MIB);
	assert_int_equal(j[0].mem_working_set, 16 * MIB);
	assert_int_equal(j[1].mem_access, VMS_MEM_SEQ);
	assert_int_equal(j[1].mem_working_set, 0);
	assert_int_equal(j[2].ioengine, VMS_IOENGINE_SYNC);
	assert_int_equal(j[2].disk, 1);
	assert_int_equal(j[2].size, 1 * MIB);
	assert_int_equal(j[2].mem_working_set, 0);
	free(wl);
}

/* A percentage of a size that is not a multiple of 100 rounds up to whole pages. */
static void test_mem_working_set_rounding(void **state)
{
	(void)state;
	static const char text[] = "[hog]\nioengine=mem\nsize=12k\nmem_access=random\nmem_working_set=1%\n"
				   "[odd]\nioengine=mem\nsize=10000\nmem_access=random\nmem_working_set=41%\n";
	char path[] = "/tmp/test_fio_job.XXXXXX", err[512] = "";
	struct vms_workload *wl;
	size_t size;

	write_temp_job(path, text);
	int r = fio_compile_file(path, NULL, 0, &wl, &size, err, sizeof(err));
	unlink(path);
	if (r)
		fail_msg("%s", err);
	assert_int_equal(wl->jobs[0].mem_working_set, 4096); /* 1% of 12 KiB: 123 bytes */
	assert_int_equal(wl->jobs[1].size, 12288);
	assert_int_equal(wl->jobs[1].mem_working_set, 8192); /* 41% of 12288: 5038.08 bytes */
	free(wl);
}

/* rwmixread= in a memory job: the percent of its later accesses that read; unset, it
 * writes only (fio's default 50 is rw=readwrite's); rwmixwrite= is the complement; a
 * churn job has nothing to read back and refuses it in its own section, and ignores one
 * inherited from [global]. */
static void test_mem_rwmixread(void **state)
{
	(void)state;
	static const char text[] = "[global]\nrwmixread=70\n"
				   "[ro]\nioengine=mem\nsize=1m\nmem_access=seq\nrwmixread=90\n"
				   "[wo]\nioengine=mem\nsize=1m\nmem_access=random\nrwmixwrite=100\n"
				   "[inh]\nioengine=mem\nsize=1m\n"
				   "[churn]\nioengine=mem\nsize=1m\nmem_access=churn\n";
	static const char bad[] = "[c]\nioengine=mem\nsize=1m\nmem_access=churn\nrwmixread=50\n";
	static const char plain[] = "[p]\nioengine=mem\nsize=1m\n";
	char path[] = "/tmp/test_fio_job.XXXXXX", err[512] = "";
	struct vms_workload *wl;
	size_t size;

	write_temp_job(path, text);
	int r = fio_compile_file(path, NULL, 0, &wl, &size, err, sizeof(err));
	unlink(path);
	if (r)
		fail_msg("%s", err);
	assert_int_equal(wl->jobs[0].rwmixread, 90);
	assert_int_equal(wl->jobs[1].rwmixread, 0);
	assert_int_equal(wl->jobs[2].rwmixread, 70); /* from [global] */
	assert_int_equal(wl->jobs[3].rwmixread, 0); /* churn: the inherited one dropped */
	free(wl);

	char p2[] = "/tmp/test_fio_job.XXXXXX";
	write_temp_job(p2, plain);
	r = fio_compile_file(p2, NULL, 0, &wl, &size, err, sizeof(err));
	unlink(p2);
	if (r)
		fail_msg("%s", err);
	assert_int_equal(wl->jobs[0].rwmixread, 0); /* unset: writes only */
	free(wl);

	char p3[] = "/tmp/test_fio_job.XXXXXX";
	write_temp_job(p3, bad);
	r = fio_compile_file(p3, NULL, 0, &wl, &size, err, sizeof(err));
	unlink(p3);
	assert_int_not_equal(r, 0);
	assert_non_null(strstr(err, "rwmixread=50: a churn job touches fresh pages only"));
}

/* rate_process=poisson sets the job's flag, inherited from [global] as any option, and
 * linear clears it again; any other value is refused (tests/fio-corpus/bad/rate-process-typo.fio). */
static void test_rate_process(void **state)
{
	(void)state;
	static const char text[] = "[global]\nfilename=/dev/vda\ndirect=1\nrate_process=poisson\n"
				   "[p]\nrate_iops=2000\n[l]\nrate_iops=2000\nrate_process=linear\n[p2]\nrate=4m,1m\n";
	char path[] = "/tmp/test_fio_job.XXXXXX";

	write_temp_job(path, text);
	struct vms_workload *wl = compile_ok(path);
	unlink(path);
	assert_int_equal(wl->nr_jobs, 3);
	assert_true(wl->jobs[0].flags & VMS_JOB_RATE_POISSON);
	assert_int_equal(wl->jobs[0].rate_iops[0], 2000);
	assert_int_equal(wl->jobs[0].rate_iops[1], 2000);
	assert_false(wl->jobs[1].flags & VMS_JOB_RATE_POISSON);
	assert_true(wl->jobs[2].flags & VMS_JOB_RATE_POISSON);
	assert_int_equal(wl->jobs[2].rate_bps[0], 4 * MIB);
	assert_int_equal(wl->jobs[2].rate_bps[1], 1 * MIB);
	free(wl);
}

/* cpus_allowed= and cpumask= give a job's CPUs; with cpus_allowed_policy=split each job
 * (numjobs clones counted, over the whole file) gets one of them in turn, as fio's
 * fio_cpus_split by td->thread_number. */
static void test_cpus_allowed(void **state)
{
	(void)state;
	static const char text[] = "[global]\nfilename=/dev/vda\ndirect=1\n"
				   "[any]\n"
				   "[shared]\ncpus_allowed=0-2,5\n"
				   "[split]\ncpus_allowed=1,3-4\ncpus_allowed_policy=split\nnumjobs=4\n"
				   "[mask]\ncpumask=34\n"
				   "[mem]\nioengine=mem\nsize=64k\ncpus_allowed=7\n";
	char path[] = "/tmp/test_fio_job.XXXXXX";

	write_temp_job(path, text);
	struct vms_workload *wl = compile_ok(path);
	unlink(path);
	assert_int_equal(wl->nr_jobs, 8);
	assert_int_equal(wl->jobs[0].cpus_allowed, 0); /* any */
	assert_int_equal(wl->jobs[1].cpus_allowed, 0x27);
	/* jobs 2..5 are fio's threads 3..6: index 2..5 mod 3 over CPUs {1, 3, 4} */
	assert_int_equal(wl->jobs[2].cpus_allowed, 1u << 4);
	assert_int_equal(wl->jobs[3].cpus_allowed, 1u << 1);
	assert_int_equal(wl->jobs[4].cpus_allowed, 1u << 3);
	assert_int_equal(wl->jobs[5].cpus_allowed, 1u << 4);
	assert_int_equal(wl->jobs[6].cpus_allowed, 34);
	assert_int_equal(wl->jobs[7].cpus_allowed, 1u << 7);
	free(wl);
}

/* No job may do I/O on the guest's swap disk; memory jobs are fine beside it. */
static void test_swap_disk_refused(void **state)
{
	(void)state;
	static const struct fio_disk_info with_swap[] = { { .size = 1 * GIB }, { .size = 256 * MIB, .flags = VMS_DISK_SWAP } };
	static const char text[] = "[hog]\nioengine=mem\nsize=64m\n[io]\nfilename=/dev/vdb\ndirect=1\n";
	char path[] = "/tmp/test_fio_job.XXXXXX", err[512] = "";
	struct vms_workload *wl;
	size_t size;

	write_temp_job(path, text);
	assert_int_equal(fio_compile_file(path, with_swap, 2, &wl, &size, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":5: filename=/dev/vdb: that disk is the guest's swap device (job 'io')"));
	/* the same file with /dev/vda as the swap disk: fine */
	static const struct fio_disk_info swap_a[] = { { .size = 1 * GIB, .flags = VMS_DISK_SWAP }, { .size = 256 * MIB } };
	if (fio_compile_file(path, swap_a, 2, &wl, &size, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(wl->nr_jobs, 2);
	free(wl);
	unlink(path);
}

/* fio's JSON leaves the memory jobs out, also from a group_reporting group. */
static void test_fio_json_skips_mem_jobs(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok(GOOD "mem-jobs.fio");
	struct vms_rec_fio_job *recs = calloc(wl->nr_jobs, sizeof(*recs));

	assert_non_null(recs);
	recs[0].dir[0].ios = 10;
	recs[0].dir[0].io_bytes = 10 * 8192;
	json_t *doc = fio_json_report(wl, recs, 1);
	json_t *jobs = json_object_get(doc, "jobs");
	assert_int_equal(json_array_size(jobs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(jobs, 0), "jobname")), "disk");
	json_decref(doc);

	/* a group with group_reporting whose first job is a memory job: the disk jobs after it merge */
	wl->jobs[2] = wl->jobs[0];
	wl->jobs[1].flags |= VMS_JOB_GROUP_REPORTING;
	wl->jobs[2].flags |= VMS_JOB_GROUP_REPORTING;
	snprintf(wl->jobs[2].name, sizeof(wl->jobs[2].name), "%s", "disk2");
	recs[2] = recs[0];
	doc = fio_json_report(wl, recs, 2);
	jobs = json_object_get(doc, "jobs");
	assert_int_equal(json_array_size(jobs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(jobs, 1), "jobname")), "disk2");
	json_decref(doc);
	free(recs);
	free(wl);
}

/* A short error buffer is cut, not overrun. */
/* ioengine=cpuio: fio's cpuload, cpuchunks (default 50000 us), cpumode and
 * exit_on_io_done; nothing of a disk job's, and the disk job nothing of cpuio's. */
static void test_cpuio_jobs(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok(GOOD "cpuio.fio");
	const struct vms_job *j = wl->jobs;

	assert_int_equal(wl->nr_jobs, 4);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(j[i].ioengine, VMS_IOENGINE_CPU);
		assert_int_equal(j[i].cpuload, 40);
		assert_int_equal(j[i].cpuchunks_us, 10000);
		assert_int_equal(j[i].cpumode, VMS_CPU_NOOP);
		assert_true(j[i].flags & VMS_JOB_EXIT_ON_IO_DONE);
		assert_int_equal(j[i].runtime_ns, 2 * NS_PER_S);
		assert_int_equal(j[i].clone, (unsigned)i);
		assert_int_equal(j[i].size, 0);
		assert_int_equal(j[i].bs[0], 0);
		assert_false(vms_job_on_disk(&j[i]));
	}
	assert_int_equal(j[2].ioengine, VMS_IOENGINE_CPU);
	assert_int_equal(j[2].cpuload, 100);
	assert_int_equal(j[2].cpuchunks_us, 50000); /* fio's default */
	assert_int_equal(j[2].cpumode, VMS_CPU_QSORT);
	assert_false(j[2].flags & VMS_JOB_EXIT_ON_IO_DONE);
	assert_int_equal(j[3].ioengine, VMS_IOENGINE_SYNC);
	assert_true(vms_job_on_disk(&j[3]));
	assert_int_equal(j[3].cpuload, 0);
	assert_int_equal(j[3].cpuchunks_us, 0);
	free(wl);
}

static void test_short_error_buffer(void **state)
{
	(void)state;
	struct vms_workload *wl;
	size_t size;
	char err[16];

	memset(err, 'x', sizeof(err));
	assert_int_equal(fio_compile_file(BAD "typo-iodepth.fio", disks, NR_DISKS, &wl, &size, err, 8), -1);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(err[8], 'x');
	assert_int_equal(fio_compile_file(BAD "typo-iodepth.fio", disks, NR_DISKS, &wl, &size, NULL, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_randwrite_4k_qd32),
		cmocka_unit_test(test_seqwrite_1m_qd4),
		cmocka_unit_test(test_randrw_mix),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_numjobs_group_reporting),
		cmocka_unit_test(test_stonewall_groups),
		cmocka_unit_test(test_global_inherit_override),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_reader_lines),
		cmocka_unit_test(test_bad_corpus),
		cmocka_unit_test(test_empty_and_missing_file),
		cmocka_unit_test(test_unknown_disk_size),
		cmocka_unit_test(test_workload_examples),
		cmocka_unit_test(test_short_error_buffer),
		cmocka_unit_test(test_mem_jobs),
		cmocka_unit_test(test_cpuio_jobs),
		cmocka_unit_test(test_mem_global),
		cmocka_unit_test(test_mem_working_set_rounding),
		cmocka_unit_test(test_mem_rwmixread),
		cmocka_unit_test(test_rate_process),
		cmocka_unit_test(test_cpus_allowed),
		cmocka_unit_test(test_swap_disk_refused),
		cmocka_unit_test(test_fio_json_skips_mem_jobs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
