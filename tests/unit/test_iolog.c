/*
 * fio's log files from the guest's samples (harness/records/iolog*.c): the FIO_LOG
 * records are checked against the workload (a job that logs, the kind its
 * log_avg_msec says, a length that holds the entries, an END last), kept within the
 * run's samples budget with what is beyond it counted, and written as fio 3.33 writes
 * its logs: "time, value, ddir, bs[, offset], prio".
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

#include "records/iolog.h"
#include "vmm/vm.h"

/* Two disk jobs: 0 logs lat/bw/iops per I/O with offsets (libaio), 1 logs bw averaged; 2 logs nothing. */
static struct vms_workload *workload(void)
{
	struct vms_workload *wl = calloc(1, sizeof(*wl) + 3 * sizeof(struct vms_job));
	assert_non_null(wl);
	wl->magic = VMS_WL_MAGIC;
	wl->version = VMS_WL_VERSION;
	wl->nr_jobs = 3;
	for (int i = 0; i < 3; i++) {
		struct vms_job *j = &wl->jobs[i];
		snprintf(j->name, sizeof(j->name), "j%d", i);
		j->bs[0] = j->bs[1] = 4096;
		j->iodepth = 1;
	}
	wl->jobs[0].flags = VMS_JOB_LAT_LOG | VMS_JOB_BW_LOG | VMS_JOB_IOPS_LOG | VMS_JOB_LOG_OFFSET;
	wl->jobs[0].ioengine = VMS_IOENGINE_ASYNC;
	for (int k = 0; k < VMS_LOG_KINDS; k++)
		strcpy(wl->jobs[0].log_name[k], "a");
	wl->jobs[1].flags = VMS_JOB_BW_LOG;
	wl->jobs[1].log_avg_msec = 100;
	strcpy(wl->jobs[1].log_name[VMS_LOG_BW], "dir/b");
	return wl;
}

/* The family's take on a record of header h and entries. */
static int take(struct vm_result *res, const struct vms_workload *wl, struct vms_rec_fio_log h, const void *entries,
		size_t esz, char *err)
{
	uint8_t buf[4096];
	memcpy(buf, &h, sizeof(h));
	if (h.nr)
		memcpy(buf + sizeof(h), entries, h.nr * esz);
	const struct record_family_ops *f = record_family_of(VMS_REC_FIO_LOG);
	assert_non_null(f);
	return f->take(res, wl, VMS_REC_FIO_LOG, buf, (uint32_t)(sizeof(h) + h.nr * esz), err, 256);
}

static char *file_text(const struct vm_result *res, const struct vms_workload *wl, const struct iolog_file *lf)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(iolog_file_write(f, res, wl, lf), 0);
	fclose(f);
	return text;
}

static void test_files_and_lines(void **state)
{
	(void)state;
	struct vms_workload *wl = workload();
	struct vm_result *res = calloc(1, sizeof(*res));
	char err[256] = "";
	const struct vms_fio_log_io io[3] = {
		{ .offset = 8192, .clat_ns = 100000, .slat_ns = 2000, .time_ms = 5, .issue_ms = 4, .bs_dir = 4096 },
		{ .offset = 0, .clat_ns = 400000, .slat_ns = 1000, .time_ms = 6, .issue_ms = 3,
		  .bs_dir = 65536 | VMS_FIO_LOG_DIR_WRITE },
		{ .offset = 4096, .clat_ns = 0, .slat_ns = 5, .time_ms = 7, .issue_ms = 7, .bs_dir = 512 },
	};
	const struct vms_fio_log_avg avg[2] = { { .value = 40960, .time_ms = 100, .type = VMS_FIO_LOG_BW, .dir = 1 },
						{ .value = 20480, .time_ms = 200, .type = VMS_FIO_LOG_BW, .dir = 1 } };

	assert_non_null(res);
	assert_int_equal(take(res, wl, (struct vms_rec_fio_log){ .job = 0, .kind = VMS_FIO_LOG_IO, .nr = 3 }, io,
			      sizeof(io[0]), err), 0);
	assert_int_equal(take(res, wl, (struct vms_rec_fio_log){ .job = 1, .kind = VMS_FIO_LOG_AVG, .nr = 2 }, avg,
			      sizeof(avg[0]), err), 0);
	/* every logging job must end its samples */
	const struct record_family_ops *f = record_family_of(VMS_REC_FIO_LOG);
	assert_int_equal(f->check_done(res, wl, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "without the end of job 0's log samples"));
	assert_int_equal(take(res, wl, (struct vms_rec_fio_log){ .job = 0, .kind = VMS_FIO_LOG_END }, NULL, 0, err), 0);
	assert_int_equal(take(res, wl, (struct vms_rec_fio_log){ .job = 1, .kind = VMS_FIO_LOG_END }, NULL, 0, err), 0);
	assert_int_equal(f->check_done(res, wl, err, sizeof(err)), 0);

	/* fio's names and order: NAME_lat, _slat, _clat, _bw, _iops; N the job's number from 1 */
	struct iolog_file *files;
	size_t n = iolog_files_list(wl, &files);
	assert_int_equal(n, 6);
	const char *names[] = { "a_lat.1.log", "a_slat.1.log", "a_clat.1.log", "a_bw.1.log", "a_iops.1.log", "dir/b_bw.2.log" };
	for (size_t i = 0; i < n; i++)
		assert_string_equal(files[i].name, names[i]);

	char *t = file_text(res, wl, &files[0]); /* lat = slat + clat, with offsets */
	assert_string_equal(t, "5, 102000, 0, 4096, 8192, 0\n6, 401000, 1, 65536, 0, 0\n7, 5, 0, 512, 4096, 0\n");
	free(t);
	t = file_text(res, wl, &files[1]); /* slat: at submission, in that order */
	assert_string_equal(t, "3, 1000, 1, 65536, 0, 0\n4, 2000, 0, 4096, 8192, 0\n7, 5, 0, 512, 4096, 0\n");
	free(t);
	t = file_text(res, wl, &files[3]); /* bw: bytes * 10^6 / clat ns; 0 for a clat of 0 */
	assert_string_equal(t, "5, 40960, 0, 4096, 8192, 0\n6, 163840, 1, 65536, 0, 0\n7, 0, 0, 512, 4096, 0\n");
	free(t);
	t = file_text(res, wl, &files[4]);
	assert_string_equal(t, "5, 1, 0, 4096, 8192, 0\n6, 1, 1, 65536, 0, 0\n7, 1, 0, 512, 4096, 0\n");
	free(t);
	t = file_text(res, wl, &files[5]); /* averaged: bs 0, no offset column */
	assert_string_equal(t, "100, 40960, 1, 0, 0\n200, 20480, 1, 0, 0\n");
	free(t);
	/* a sync engine measures no slat: its slat log is empty, as fio's */
	wl->jobs[0].ioengine = VMS_IOENGINE_SYNC;
	t = file_text(res, wl, &files[1]);
	assert_string_equal(t, "");
	free(t);
	free(files);
	vm_result_free(res);
	free(res);
	free(wl);
}

static void test_refused(void **state)
{
	(void)state;
	struct vms_workload *wl = workload();
	struct vm_result *res = calloc(1, sizeof(*res));
	char err[256] = "";
	struct vms_fio_log_io io = { .bs_dir = 4096 };
	struct vms_fio_log_avg avg = { .type = VMS_FIO_LOG_TYPES };

	assert_int_equal(take(res, wl, (struct vms_rec_fio_log){ .job = 3, .kind = VMS_FIO_LOG_IO, .nr = 1 }, &io,
			      sizeof(io), err), -1);
	assert_non_null(strstr(err, "for job 3 of 3"));
	assert_int_equal(take(res, wl, (struct vms_rec_fio_log){ .job = 2, .kind = VMS_FIO_LOG_IO, .nr = 1 }, &io,
			      sizeof(io), err), -1);
	assert_non_null(strstr(err, "which writes no log"));
	assert_int_equal(take(res, wl, (struct vms_rec_fio_log){ .job = 1, .kind = VMS_FIO_LOG_IO, .nr = 1 }, &io,
			      sizeof(io), err), -1);
	assert_non_null(strstr(err, "whose log_avg_msec is 100"));
	assert_int_equal(take(res, wl, (struct vms_rec_fio_log){ .job = 1, .kind = VMS_FIO_LOG_AVG, .nr = 1 }, &avg,
			      sizeof(avg), err), -1);
	assert_non_null(strstr(err, "fio log entry of type 5"));
	/* a length that does not hold the entries it claims */
	uint8_t buf[sizeof(struct vms_rec_fio_log) + sizeof(io)];
	struct vms_rec_fio_log h = { .job = 0, .kind = VMS_FIO_LOG_IO, .nr = 2 };
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &io, sizeof(io));
	assert_int_equal(record_family_of(VMS_REC_FIO_LOG)->take(res, wl, VMS_REC_FIO_LOG, buf, sizeof(buf), err, 256), -1);
	assert_non_null(strstr(err, "does not hold its 2 entries"));
	/* nothing after the end */
	assert_int_equal(take(res, wl, (struct vms_rec_fio_log){ .job = 0, .kind = VMS_FIO_LOG_END, .dropped = 7 }, NULL,
			      0, err), 0);
	assert_int_equal(take(res, wl, (struct vms_rec_fio_log){ .job = 0, .kind = VMS_FIO_LOG_IO, .nr = 1 }, &io,
			      sizeof(io), err), -1);
	assert_non_null(strstr(err, "after its last"));
	assert_int_equal(iolog_records(res)->jobs[0].guest_dropped, 7);
	vm_result_free(res);
	free(res);
	free(wl);
}

/* Per-I/O samples are kept up to the run's budget; the rest are counted, and said. */
static void test_budget(void **state)
{
	(void)state;
	struct vms_workload *wl = workload();
	struct vm_result *res = calloc(1, sizeof(*res));
	char err[256] = "";
	struct vms_fio_log_io io[100];

	for (int i = 0; i < 100; i++)
		io[i] = (struct vms_fio_log_io){ .time_ms = (uint32_t)i, .clat_ns = 1000, .bs_dir = 4096 };
	res->samples_bytes = VM_SAMPLES_BUDGET - 40 * sizeof(io[0]); /* room for 40 */
	assert_int_equal(take(res, wl, (struct vms_rec_fio_log){ .job = 0, .kind = VMS_FIO_LOG_IO, .nr = 100 }, io,
			      sizeof(io[0]), err), 0);
	const struct iolog_job *lj = &iolog_records(res)->jobs[0];
	assert_int_equal(lj->nr, 40);
	assert_int_equal(lj->host_dropped, 60);
	assert_int_equal(res->samples_dropped, 60);
	/* the warning names the job, what is missing, and the way out */
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	char dir[] = "/tmp/test_iolog.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(mkdir("dir", 0755), 0);
	assert_int_equal(iolog_files_write(res, wl, m, "x: ", err, sizeof(err)), 0);
	fclose(m);
	assert_non_null(strstr(text, "x: job 'j0': 60 log samples beyond the host's samples budget of 32 MiB"));
	assert_non_null(strstr(text, "log_avg_msec="));
	FILE *lat = fopen("a_lat.1.log", "r");
	assert_non_null(lat);
	int lines = 0;
	for (int c; (c = fgetc(lat)) != EOF;)
		lines += c == '\n';
	fclose(lat);
	assert_int_equal(lines, 40);
	assert_int_equal(system("rm -rf a_*.log dir"), 0);
	assert_int_equal(chdir(cwd), 0);
	rmdir(dir);
	free(text);
	vm_result_free(res);
	free(res);
	free(wl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_and_lines),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
