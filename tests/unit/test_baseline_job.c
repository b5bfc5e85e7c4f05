/*
 * `vmsweep baseline`'s job writer (harness/cmd/baseline_job.c): the compiled jobs come
 * back as an fio job file that makes host fio do what the guest does; here, that a
 * job's verify= reaches host fio as the compiler resolved it, so that both sides
 * write fio's headers and read them back, or neither does.
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

#include "cmd/baseline.h"
#include "fio/job_compile.h"

static const struct fio_disk_info disks[] = { { .size = 1ull << 30 } };
static const struct baseline_disk host_disks[] = { { .path = "/var/tmp/d.img", .size = 1ull << 30 } };

/* The job file baseline writes for the corpus file path; malloc'd. */
static char *baseline_text_fio(const char *path, const struct baseline_fio *fio)
{
	struct vms_workload *wl = NULL;
	size_t size = 0;
	char err[512] = "";

	if (fio_compile_file(path, disks, 1, &wl, &size, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	FILE *f = tmpfile();
	assert_non_null(f);
	if (baseline_job_write(f, wl, host_disks, 1, fio, path, err, sizeof(err)))
		fail_msg("baseline_job_write: %s", err);
	long len = ftell(f);
	char *text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	rewind(f);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	free(wl);
	return text;
}

static char *baseline_text(const char *path)
{
	return baseline_text_fio(path, &(struct baseline_fio){ .async_engine = "io_uring" });
}

/* The lines of section [name] of text (up to the next section), as one string; malloc'd. */
static char *section(const char *text, const char *name)
{
	char head[64];
	snprintf(head, sizeof(head), "\n[%s]\n", name);
	const char *at = strstr(text, head);
	if (!at)
		fail_msg("no section [%s] in:\n%s", name, text);
	at += strlen(head);
	const char *end = strstr(at, "\n[");
	size_t n = end ? (size_t)(end - at) + 1 : strlen(at);
	char *s = malloc(n + 2);
	s[0] = '\n';
	memcpy(s + 1, at, n);
	s[n + 1] = 0;
	return s;
}

static void has(const char *sec, const char *line, bool want)
{
	char l[96];
	snprintf(l, sizeof(l), "\n%s\n", line);
	if ((strstr(sec, l) != NULL) != want)
		fail_msg("'%s' %s in:%s", line, want ? "missing" : "unexpected", sec);
}

static void test_verify_kept(void **state)
{
	(void)state;
	char *text = baseline_text("tests/fio-corpus/good/verify.fio");
	struct {
		const char *job;
		const char *present[4], *absent[4];
	} want[] = {
		{ "crc", { "verify=crc32c" }, { "do_verify=0", "verify_only=1" } },
		{ "md5-intel", { "verify=md5", "do_verify=0" }, { "verify_only=1" } },
		/* verify_pattern alone is fio's header-and-pattern verify: written as given */
		{ "pattern-hdr", { "verify_pattern=0xdeadbeef" }, { "buffer_pattern=0x11", "do_verify=0" } },
		{ "strict", { "verify=pattern", "verify_pattern=0xcafe" }, { "do_verify=0" } },
		{ "off", { "buffer_pattern=0x22" }, { "verify_pattern=0x22" } },
		{ "replay", { "verify=null", "verify_only=1" }, { "do_verify=0" } },
		{ "reader", { "verify=crc32c", "rw=randread" }, { "verify_only=1" } },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char *sec = section(text, want[i].job);
		for (int k = 0; k < 4 && want[i].present[k]; k++)
			has(sec, want[i].present[k], true);
		for (int k = 0; k < 4 && want[i].absent[k]; k++)
			has(sec, want[i].absent[k], false);
		if (!strcmp(want[i].job, "pattern-hdr") || !strcmp(want[i].job, "off"))
			assert_null(strstr(sec, "\nverify="));
		free(sec);
	}
	free(text);
}

/* Huge-page buffers (when the host has them free) for every job. */
static void test_huge_buffers(void **state)
{
	(void)state;
	char *text = baseline_text_fio("tests/fio-corpus/good/verify.fio", &(struct baseline_fio){ .async_engine = "libaio", .huge_buffers = true });
	char *sec = section(text, "crc");
	has(sec, "iomem=shmhuge", true);
	free(sec);
	free(text);
	text = baseline_text("tests/fio-corpus/good/verify.fio");
	sec = section(text, "crc");
	has(sec, "iomem=shmhuge", false);
	free(sec);
	free(text);

	struct vms_workload *wl = NULL;
	size_t size = 0;
	char err[512] = "";
	unsigned long need = 0;
	if (fio_compile_file("tests/fio-corpus/good/verify.fio", disks, 1, &wl, &size, err, sizeof(err)))
		fail_msg("%s", err);
	(void)baseline_huge_buffers_fit(wl, &need); /* fits or not, as this host has them */
	assert_true(need >= wl->nr_jobs); /* at least a huge page per job's buffer */
	free(wl);
}

/* The job file text's compiled jobs written for the host; malloc'd. */
static char *baseline_text_of(const char *job)
{
	char path[] = "/tmp/test_baseline_job.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(job, f);
	fclose(f);
	char *text = baseline_text(path);
	unlink(path);
	return text;
}

/* Host fio runs buffered only a buffered write job that makes each write durable before
 * the next (its fdatasync then covers the write-back, as the guest's does); the rest direct. */
static void test_buffered_when_each_write_durable(void **state)
{
	(void)state;
	static const struct {
		const char *options;
		bool buffered;
	} cases[] = {
		{ "rw=write\nbs=8k\nfdatasync=1\n", true }, /* workloads/log-8k-fdatasync.fio */
		{ "rw=randwrite\nfsync=1\n", true },
		{ "rw=write\nsync=1\n", true },
		{ "rw=write\nsync=dsync\n", true },
		{ "rw=write\nfdatasync=2\n", false }, /* a write not yet durable sits in the host's cache */
		{ "rw=write\n", false },
		{ "rw=randrw\nfsync=1\n", false }, /* reads would hit the host's GiBs of cache */
		{ "rw=write\nfdatasync=1\ndirect=1\n", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char job[256];
		snprintf(job, sizeof(job), "[j]\nfilename=/dev/vda\nsize=1m\n%s", cases[i].options);
		char *text = baseline_text_of(job);
		char *sec = section(text, "j");
		if (!strstr(sec, cases[i].buffered ? "\ndirect=0\n" : "\ndirect=1\n"))
			fail_msg("%s: want direct=%d in:\n%s", cases[i].options, cases[i].buffered ? 0 : 1, sec);
		free(sec);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_kept),
		cmocka_unit_test(test_huge_buffers),
		cmocka_unit_test(test_buffered_when_each_write_durable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
