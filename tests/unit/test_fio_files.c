/*
 * A job's files (harness/fio/job_compile_files.c): filename= and directory= on a disk's
 * mount, fio's names ($jobname.$jobnum.$filenum) per clone, nrfiles=, filesize=,
 * create_on_open=, file_service_type=, and the errors for what vmsweep does not run,
 * each at its option's file:line. The guest's sizes and service are in t_ext3.sh.
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

#include "fio/job_compile.h"
#include "vmsweep/abi.h"

#define MIB (1ull << 20)

/* /dev/vda with ext3, /dev/vdb raw. */
static const struct fio_disk_info disks[] = { { .size = 256 * MIB, .flags = VMS_DISK_FS_EXT3 }, { .size = 256 * MIB } };

/* text compiled as a job file: 0 and *wl, or -1 and err. */
static int compile_text(const char *text, struct vms_workload **wl, char *err, size_t errlen, char *path)
{
	size_t size = 0;

	strcpy(path, "/tmp/vmsweep-files-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	int ret = fio_compile_file(path, disks, 2, wl, &size, err, errlen);
	unlink(path);
	return ret;
}

static struct vms_workload *compile_ok(const char *text)
{
	struct vms_workload *wl = NULL;
	char err[512] = "", path[64];

	if (compile_text(text, &wl, err, sizeof(err), path))
		fail_msg("compile failed: %s", err);
	return wl;
}

/* text must fail at line with phrase in the message. */
static void compile_fails(const char *text, unsigned line, const char *phrase)
{
	struct vms_workload *wl = NULL;
	char err[512] = "", path[64], where[96];

	if (!compile_text(text, &wl, err, sizeof(err), path))
		fail_msg("compiled, but should fail with \"%s\"", phrase);
	snprintf(where, sizeof(where), "%s:%u: ", path, line);
	if (strncmp(err, where, strlen(where)) || !strstr(err, phrase))
		fail_msg("error \"%s\" is not at %s or lacks \"%s\"", err, where, phrase);
}

static void test_directory_names_files_as_fio(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok("[global]\ndirectory=/mnt/vda/d/\nnrfiles=3\n"
					     "[w]\nrw=write\nsize=1m\nnumjobs=2\n[one]\ndirectory=/mnt/vda\nrw=read\nsize=64k\n");

	assert_int_equal(wl->nr_jobs, 3);
	for (unsigned i = 0; i < 2; i++) {
		const struct vms_job *j = &wl->jobs[i];
		char want[32];
		snprintf(want, sizeof(want), "d/w.%u.", i); /* the trailing '/' is fio's to add */
		assert_string_equal(j->path, want);
		assert_int_equal(j->disk, 0);
		assert_int_equal(j->nr_files, 3);
		assert_true(j->flags & VMS_JOB_FILENUM);
		assert_int_equal(j->size, MIB); /* the job's total, split by the guest */
		assert_int_equal(j->file_size, 0);
		assert_int_equal(j->file_service, VMS_FSERVICE_RR);
		assert_int_equal(j->file_service_nr, 1); /* fio's roundrobin: the next file each I/O */
	}
	assert_string_equal(wl->jobs[2].path, "one.0.");
	assert_int_equal(wl->jobs[2].nr_files, 3);
	free(wl);
}

static void test_filename_under_directory(void **state)
{
	(void)state;
	/* fio sorts filename= after directory= in a section, and [global]'s count too */
	struct vms_workload *wl = compile_ok("[global]\nfilename=sub/f\n[a]\nrw=write\nsize=64k\nnrfiles=4\n"
					     "directory=/mnt/vda/top\n[b]\nfilename=/mnt/vda/abs\nrw=write\nsize=64k\n"
					     "[raw]\nfilename=/dev/vdb\nrw=read\nsize=64k\n");

	assert_string_equal(wl->jobs[0].path, "top/sub/f");
	assert_int_equal(wl->jobs[0].nr_files, 1); /* fio keeps as many files as filename= names */
	assert_false(wl->jobs[0].flags & VMS_JOB_FILENUM);
	assert_string_equal(wl->jobs[1].path, "abs");
	assert_int_equal(wl->jobs[1].nr_files, 1);
	assert_string_equal(wl->jobs[2].path, "");
	assert_int_equal(wl->jobs[2].nr_files, 0);
	assert_int_equal(wl->jobs[2].disk, 1);
	free(wl);
}

static void test_file_options(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok("[a]\ndirectory=/mnt/vda\nnr_files=64\nfilesize=1m\nsize=8m\n"
					     "create_on_open=1\nfile_service_type=random:4\nrw=randwrite\n"
					     "[b]\ndirectory=/mnt/vda\nfile_service_type=sequential\nrw=write\nsize=1m\n"
					     "create_on_open=0\n");
	const struct vms_job *a = &wl->jobs[0], *b = &wl->jobs[1];

	assert_int_equal(a->nr_files, 64);
	assert_int_equal(a->file_size, MIB);
	assert_int_equal(a->size, 8 * MIB);
	assert_true(a->flags & VMS_JOB_CREATE_ON_OPEN);
	assert_int_equal(a->file_service, VMS_FSERVICE_RANDOM);
	assert_int_equal(a->file_service_nr, 4);
	assert_int_equal(b->nr_files, 1);
	assert_false(b->flags & VMS_JOB_CREATE_ON_OPEN);
	assert_int_equal(b->file_service, VMS_FSERVICE_SEQ);
	free(wl);
}

static void test_file_errors(void **state)
{
	(void)state;
	compile_fails("[a]\nrw=read\ndirectory=/tmp\n", 3, "directory=/tmp: not on a disk's mount point");
	compile_fails("[a]\ndirectory=/mnt/vdc\n", 2, "directory=/mnt/vdc: no such disk");
	compile_fails("[a]\ndirectory=/mnt/vda/x:/mnt/vda/y\n", 2, "several directories are not supported");
	compile_fails("[a]\ndirectory=/mnt/vda/../x\n", 2, "'..' path components are not supported");
	compile_fails("[a]\ndirectory=/mnt/vdb\nrw=read\nsize=1m\n", 2, "/dev/vdb has no file system to mount");
	compile_fails("[a]\nnrfiles=65\n", 2, "more than vmsweep's limit of 64 files per job");
	compile_fails("[a]\nnrfiles=0\n", 2, "nrfiles=0");
	compile_fails("[a]\nfilesize=1m-4m\n", 2, "a range (fio's random file sizes) is not supported");
	compile_fails("[a]\nfile_service_type=zipf:1.2\n", 2, "not supported by vmsweep (roundrobin[:N]");
	compile_fails("[a]\nfile_service_type=roundrobin:0\n", 2, "file_service_type=roundrobin:0");
	compile_fails("[a]\nopenfiles=2\n", 2, "option 'openfiles': not supported by vmsweep");
	compile_fails("[a]\nrw=read\nsize=1m\nfilename=data\n", 4, "a relative name needs directory=");
	compile_fails("[a]\ndirectory=/mnt/vda\nfilename=/mnt/vda/x\n", 3, "give a name relative to it");
	compile_fails("[a]\nfilename=/dev/vdb\nfilesize=1m\n", 3, "filesize=1m: for files on a mount");
	compile_fails("[a]\ndirectory=/mnt/vda\nfilesize=64k\noffset=64k\n", 4, "offset 65536 is at or beyond filesize=64k");
	compile_fails("[a]\ndirectory=/mnt/vda\nnrfiles=2\nsize=1m\nrw=randread\nrandom_distribution=zipf:1.2\n", 6,
		      "with several files per job (nrfiles=2) is not supported");
	compile_fails("[a]\ndirectory=/mnt/vda\nfilesize=1k\n", 3, "smaller than the block size");
	compile_fails("[a]\ndirectory=/mnt/vda\ndirect=1\n", 2, "direct=1 on a file is not supported");
	/* a raw writer under the mounted file system; a raw reader is fine */
	compile_fails("[a]\nrw=randwrite\nfilename=/dev/vda\nsize=1m\n", 3,
		      "filename=/dev/vda: that disk holds the guest's ext3, mounted at /mnt/vda: a raw writer");
	free(compile_ok("[a]\nrw=read\nfilename=/dev/vda\nsize=1m\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directory_names_files_as_fio),
		cmocka_unit_test(test_filename_under_directory),
		cmocka_unit_test(test_file_options),
		cmocka_unit_test(test_file_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
