/*
 * The libvirt backend's pure parts: the knobs as the Linux guest's run.conf (applied,
 * left to Linux's defaults, or refused by name), the job file for the guest's fio (real
 * fio 3.33 must parse it), the domain XML (libvirt's schema must take it) and the
 * run's cpio (read back by an independent newc reader, and by cpio(1)).
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

#include "backend/cpio.h"
#include "backend/libvirt_xml.h"
#include "backend/linux_knobs.h"
#include "cmd/baseline.h"
#include "fio/job_compile.h"
#include "helpers.h"
#include "util/knob.h"

/* What f holds, malloc'd and NUL-ended; f is closed. */
static char *file_text(FILE *f, size_t *len_out)
{
	long len = ftell(f);
	char *text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	rewind(f);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	if (len_out)
		*len_out = (size_t)len;
	return text;
}

/* Runs cmd_fmt (one %s: a temporary file holding text[len]) through the shell; its status. */
static int tool_on_text(const char *text, size_t len, const char *cmd_fmt)
{
	char path[] = "/tmp/test_linux_backend.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), cmd_fmt, path);
	int rc = system(cmd);
	unlink(path);
	return rc;
}

static void vm_two_disks(struct vm_config *vm)
{
	vm_config_init(vm);
	vm->nr_disks = 2;
	snprintf(vm->disks[0].path, sizeof(vm->disks[0].path), "/var/tmp/a.img");
	vm->disks[0].fs = DISK_FS_EXT3;
	snprintf(vm->disks[1].path, sizeof(vm->disks[1].path), "/var/tmp/swap.img");
	vm->disks[1].swap = true;
}

/* run.conf for vm, or NULL with err when refused */
static char *conf_text(const struct vm_config *vm, char *err, size_t errlen)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	if (linux_knobs_conf(vm, f, err, errlen)) {
		fclose(f);
		return NULL;
	}
	return file_text(f, NULL);
}

static void test_defaults_leave_linux_alone(void **state)
{
	(void)state;
	struct vm_config vm;
	char err[256];
	vm_two_disks(&vm);
	char *t = conf_text(&vm, err, sizeof(err));
	assert_non_null(t);
	/* no sysctl at the defaults: Linux's own; the model's ioless-era scheduler is none */
	assert_null(strstr(t, "sysctl"));
	assert_non_null(strstr(t, "write /sys/block/vda/queue/scheduler none\n"));
	assert_non_null(strstr(t, "write /sys/block/vdb/queue/scheduler none\n"));
	/* the model's depth, not Linux's 256, and after the scheduler (a switch resets it) */
	char *sched = strstr(t, "write /sys/block/vda/queue/scheduler none\n"),
	     *depth = strstr(t, "write /sys/block/vda/queue/nr_requests 128\n");
	assert_non_null(depth);
	assert_true(sched < depth);
	assert_non_null(strstr(t, "mount /dev/vda /mnt/vda ext3 data=ordered,commit=5,barrier=1\n"));
	assert_null(strstr(t, "mount /dev/vdb"));
	assert_non_null(strstr(t, "mkswap /dev/vdb\nswapon /dev/vdb\n"));
	free(t);
}

/* kernel_reserved_kbytes stands in, on the model, for Linux's own footprint: accepted on
 * Linux (a comparing sweep sets it for both backends) and changing nothing there. */
static void test_model_only_knob_accepted(void **state)
{
	(void)state;
	struct vm_config vm;
	char err[256];
	vm_two_disks(&vm);
	char *plain = conf_text(&vm, err, sizeof(err));
	assert_non_null(plain);
	assert_int_equal(knob_set(vm.knobs, "kernel_reserved_kbytes=46400", err, sizeof(err)), 0);
	char *t = conf_text(&vm, err, sizeof(err));
	assert_non_null(t);
	assert_string_equal(t, plain);
	free(t);
	free(plain);
}

static void test_knobs_applied(void **state)
{
	(void)state;
	struct vm_config vm;
	char err[256];
	vm_two_disks(&vm);
	assert_int_equal(knob_set(vm.knobs, "dirty_background_ratio=5,swappiness=100,min_free_kbytes=4096,"
					    "journal_mode=journal,commit=1,barrier=0,read_ahead_kb=0,blk_queue_depth=32,"
					    "sched_migration_cost_ns=0,laptop_mode=5,iosched=none,blk_completion=irq",
				 err, sizeof(err)),
			 0);
	knob_assign(vm.knobs, VMS_KNOB_dirty_bytes, 8 << 20); /* clears dirty_ratio, as Linux's handler */
	char *t = conf_text(&vm, err, sizeof(err));
	assert_non_null(t);
	assert_non_null(strstr(t, "sysctl vm.dirty_background_ratio=5\n"));
	assert_non_null(strstr(t, "sysctl vm.swappiness=100\n"));
	assert_non_null(strstr(t, "sysctl vm.min_free_kbytes=4096\n"));
	assert_non_null(strstr(t, "sysctl vm.laptop_mode=5\n"));
	/* thp: stated by every run (auto by default), before min_free_kbytes, as a booted
	 * system has them: the kernel's THP first, then sysctl.conf's value (kept) */
	char *thp = strstr(t, "thp auto\n");
	assert_non_null(thp);
	assert_true(thp < strstr(t, "sysctl vm.min_free_kbytes=4096\n"));
	assert_non_null(strstr(t, "mount debugfs /sys/kernel/debug debugfs\n")); /* init: DEV DIR FSTYPE */
	assert_non_null(strstr(t, "write /sys/kernel/debug/sched/migration_cost_ns 0\n"));
	assert_non_null(strstr(t, "write /sys/block/vda/queue/read_ahead_kb 0\n"));
	assert_non_null(strstr(t, "write /sys/block/vdb/queue/nr_requests 32\n"));
	assert_non_null(strstr(t, "mount /dev/vda /mnt/vda ext3 data=journal,commit=1,barrier=0\n"));
	/* the bytes form last: writing it clears the ratio in Linux, as it does in ours */
	char *ratio = strstr(t, "sysctl vm.dirty_ratio=0\n"), *bytes = strstr(t, "sysctl vm.dirty_bytes=8388608\n");
	assert_non_null(ratio);
	assert_non_null(bytes);
	assert_true(ratio < bytes);
	free(t);
}

static void refused(const char *set, const char *name)
{
	struct vm_config vm;
	char err[256] = "";
	vm_two_disks(&vm);
	assert_int_equal(knob_set(vm.knobs, set, err, sizeof(err)), 0);
	assert_null(conf_text(&vm, err, sizeof(err)));
	if (!strstr(err, name))
		fail_msg("%s: the refusal does not name %s: %s", set, name, err);
	assert_int_equal(linux_knobs_conf(&vm, NULL, err, sizeof(err)), -1); /* the check alone says the same */
}

static void test_knobs_refused(void **state)
{
	(void)state;
	refused("watermark_model=2.6", "watermark_model");
	refused("writeback_model=pdflush", "writeback_model");
	refused("kswapd_model=2.4", "kswapd_model");
	refused("iosched=cfq", "iosched");
	refused("blk_completion=poll", "blk_completion");
	refused("panic_test=1", "panic_test");
	refused("sched_balance=0", "sched_balance");
	refused("timeslice_ms=10", "timeslice_ms");
	refused("spin_ms=5", "spin_ms");
	refused("blk_queue_depth=512", "blk_queue_depth");
	struct vm_config vm;
	char err[256];
	vm_two_disks(&vm);
	vm.hz = 1000;
	assert_int_equal(linux_knobs_conf(&vm, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "hz"));
}

/* The guest's job file for a corpus file: the guest's paths, each job's own direct= and
 * syncs; NULL with err when refused (err NULL: a refusal fails the test) */
static char *guest_job_text_seeded(const char *path, uint64_t seed, char *errout, size_t errlen)
{
	static const struct fio_disk_info disks[] = { { .size = 1ull << 30, .flags = VMS_DISK_FS_EXT3 },
						      { .size = 1ull << 30 } };
	static const struct baseline_disk bd[] = { { .path = "/x/a.img", .size = 1ull << 30 },
						   { .path = "/x/b.img", .size = 1ull << 30 } };
	struct vms_workload *wl = NULL;
	size_t size = 0;
	char err[512] = "";
	if (fio_compile_file(path, disks, 2, &wl, &size, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	FILE *f = tmpfile();
	assert_non_null(f);
	struct baseline_fio fio = { .async_engine = "libaio", .in_guest = true, .seed = seed };
	if (baseline_job_write(f, wl, bd, 2, &fio, path, err, sizeof(err))) {
		if (!errout)
			fail_msg("%s: %s", path, err);
		snprintf(errout, errlen, "%s", err);
		free(wl);
		fclose(f);
		return NULL;
	}
	free(wl);
	return file_text(f, NULL);
}

static char *guest_job_text(const char *path)
{
	return guest_job_text_seeded(path, 0, NULL, 0);
}

/* A job file's text in a temporary file, for the compiler */
static void job_file(char *path, const char *text)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Real fio takes the file (--parse-only: it opens nothing) */
static void fio_parses(const char *text)
{
	if (tool_on_text(text, strlen(text), "fio --parse-only %s >/dev/null 2>&1") != 0)
		fail_msg("fio --parse-only refused:\n%s", text);
}

static void test_guest_job_file(void **state)
{
	(void)state;
	char src[] = "/tmp/test_linux_backend_job.XXXXXX";
	int fd = mkstemp(src);
	assert_true(fd >= 0);
	static const char job[] = "[log]\nfilename=/mnt/vda/log\nrw=write\nbs=8k\nsize=1m\nfdatasync=1\ncpus_allowed=1\n"
				  "[many]\ndirectory=/mnt/vda/d\nnrfiles=3\nfilesize=64k\nrw=randwrite\nbs=4k\nunlink=1\n"
				  "[raw]\nfilename=/dev/vdb\nrw=randread\nbs=4k\nsize=16m\nioengine=libaio\niodepth=8\ndirect=1\n";
	assert_int_equal(write(fd, job, sizeof(job) - 1), (ssize_t)sizeof(job) - 1);
	close(fd);
	char *t = guest_job_text(src);
	unlink(src);
	assert_non_null(strstr(t, "filename=/mnt/vda/log\ndirect=0\n"));
	assert_non_null(strstr(t, "fdatasync=1\n"));
	assert_non_null(strstr(t, "cpus_allowed=1\n"));
	assert_non_null(strstr(t, "directory=/mnt/vda/d\nfilename_format=many.0.$filenum\nnrfiles=3\n"));
	assert_non_null(strstr(t, "filesize=65536\n"));
	assert_non_null(strstr(t, "unlink=1\n"));
	assert_non_null(strstr(t, "filename=/dev/vdb\ndirect=1\ninvalidate=0\nioengine=libaio\niodepth=8\n"));
	assert_null(strstr(t, "/x/")); /* the host's paths stay on the host */
	fio_parses(t);
	free(t);
}

/* Memory jobs: fio exec jobs that run vmsweep-memjob with the compiled numbers (rwmixread too); fio keeps
 * startdelay, groups and stonewall; real fio parses them; a job with no runtime is refused */
static void test_guest_mem_job(void **state)
{
	(void)state;
	char src[] = "/tmp/test_linux_backend_mem.XXXXXX", err[512] = "";
	job_file(src, "[hog]\nioengine=mem\nsize=8m\nmem_access=random\nmem_working_set=50%\nrwmixread=25\nstartdelay=300ms\n"
		      "runtime=1500ms\ntime_based\nthinktime=10\nnumjobs=2\nrandrepeat=0\ncpus_allowed=1\n"
		      "[after]\nstonewall\nioengine=mem\nmem_access=churn\nsize=4m\nruntime=1s\nramp_time=200ms\n"
		      "[io]\nfilename=/mnt/vda/f\nrw=write\nbs=4k\nsize=1m\n");
	char *t = guest_job_text_seeded(src, 42, NULL, 0);
	/* workload/memjob.c's seeding: randseed (fio's default 0x89), clone, the run's seed */
	uint64_t seed1 = (0x89ull ^ 0x9e3779b97f4a7c15ull) ^ (42ull * 0xbf58476d1ce4e5b9ull);
	char want[512];
	snprintf(want, sizeof(want),
		 "[hog]\nioengine=exec\nprogram=/bin/vmsweep-memjob\narguments=--job 1 --size 8388608 --access random "
		 "--ws 4194304 --rwmixread 25 --runtime 1500000000 --think 10000 --seed %llu --out /run/vmsweep-mem/1\n"
		 "runtime=1750ms\ntime_based\ngrace_time=1\nstd_redirect=0\nstartdelay=300ms\ncpus_allowed=1\n",
		 (unsigned long long)seed1);
	if (!strstr(t, want))
		fail_msg("no clone 1 as\n%s\nin\n%s", want, t);
	assert_non_null(strstr(t, "arguments=--job 2 --size 4194304 --access churn --runtime 1000000000 --ramp 200000000 "
				  "--seed 137 --out /run/vmsweep-mem/2\nruntime=1450ms\n"));
	assert_non_null(strstr(t, "--out /run/vmsweep-mem/2\nruntime=1450ms\ntime_based\ngrace_time=1\nstd_redirect=0\n"
				  "stonewall\n"));
	assert_null(strstr(t, "ioengine=mem"));
	assert_null(strstr(t, "mem_access"));
	assert_non_null(strstr(t, "[io]\nfilename=/mnt/vda/f\n"));
	fio_parses(t);
	free(t);
	unlink(src);

	/* one pass (no runtime): fio's exec engine could not wait for it */
	char once[] = "/tmp/test_linux_backend_once.XXXXXX";
	job_file(once, "[hog]\nioengine=mem\nsize=8m\n");
	assert_null(guest_job_text_seeded(once, 1, err, sizeof(err)));
	assert_err_has(err, "without runtime=");
	unlink(once);
}

/* sample_ms: run.conf's `sample MS`, 50 ms at the least */
static void test_sample_ms(void **state)
{
	(void)state;
	struct vm_config vm;
	char err[256];
	vm_two_disks(&vm);
	char *t = conf_text(&vm, err, sizeof(err));
	assert_non_null(t);
	assert_null(strstr(t, "sample"));
	free(t);
	assert_int_equal(knob_set(vm.knobs, "sample_ms=100", err, sizeof(err)), 0);
	t = conf_text(&vm, err, sizeof(err));
	assert_non_null(t);
	assert_non_null(strstr(t, "sample 100\n"));
	free(t);
	refused("sample_ms=20", "sample_ms=20");
}

static void test_domain_xml(void **state)
{
	(void)state;
	struct vm_config vm;
	char err[512] = "";
	vm_two_disks(&vm);
	vm.mem_size = 256ull << 20;
	vm.nr_cpus = 4;
	vm.topo = (struct cpu_topology){ 2, 2, 1 };
	vm.disks[0].cache = DISK_CACHE_NONE;
	vm.disks[0].model.given = DM_RATE;
	vm.disks[0].model.rate = 20 << 20;
	vm.disks[0].queues = 2;
	int pins[4] = { 1, 0, -1, 1 };
	struct libvirt_domain d = { .name = "vmsweep-1-0", .type = "qemu", .emulator = "/usr/bin/qemu-system-x86_64",
				    .kernel = "/k/vmlinuz", .initrd = "/r/initrd", .cmdline = "console=ttyS0",
				    .tools_image = "/k/tools & more.img", .console_path = "/r/console.log",
				    .data_path = "/r/data.log", .host_cpu = pins };
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(libvirt_domain_xml(f, &vm, &d, err, sizeof(err)), 0);
	char *x = file_text(f, NULL);
	assert_non_null(strstr(x, "<memory unit='KiB'>262144</memory>"));
	assert_non_null(strstr(x, "<topology sockets='2' dies='1' cores='2' threads='1'/>"));
	assert_non_null(strstr(x, "<vcpupin vcpu='0' cpuset='1'/>"));
	assert_null(strstr(x, "<vcpupin vcpu='2'"));
	assert_non_null(strstr(x, "cache='none' io='native' queues='2'"));
	assert_non_null(strstr(x, "<total_bytes_sec>20971520</total_bytes_sec>"));
	assert_non_null(strstr(x, "<target dev='vdc' bus='virtio'/>")); /* the tools disk comes last */
	assert_non_null(strstr(x, "tools &amp; more.img"));
	/* libvirt's own schema takes it (virt-xml-validate, libvirt-clients: make deps) */
	if (tool_on_text(x, strlen(x), "virt-xml-validate %s domain >/dev/null 2>&1") != 0)
		fail_msg("virt-xml-validate refused:\n%s", x);
	free(x);

	vm.disks[0].model = (struct disk_model){ .profile = DISK_PROFILE_HDD, .given = DM_PROFILE };
	f = tmpfile();
	assert_int_equal(libvirt_domain_xml(f, &vm, &d, err, sizeof(err)), -1);
	fclose(f);
	assert_non_null(strstr(err, "profile="));
}

/* newc, read back field by field */
static unsigned hex8(const char *p)
{
	char b[9];
	memcpy(b, p, 8);
	b[8] = 0;
	return (unsigned)strtoul(b, NULL, 16);
}

static void test_cpio(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(cpio_dir(f, "vmsweep"), 0);
	assert_int_equal(cpio_file(f, "vmsweep/run.conf", "sysctl vm.swappiness=1\n", 23), 0);
	assert_int_equal(cpio_file(f, "vmsweep/job.fio", "[j]\n", 4), 0);
	assert_int_equal(cpio_end(f), 0);
	size_t len;
	char *a = file_text(f, &len);
	const char *names[] = { "vmsweep", "vmsweep/run.conf", "vmsweep/job.fio", "TRAILER!!!" };
	const unsigned sizes[] = { 0, 23, 4, 0 };
	size_t off = 0;
	for (int i = 0; i < 4; i++) {
		assert_true(off % 4 == 0);
		assert_memory_equal(a + off, "070701", 6);
		unsigned fsize = hex8(a + off + 54), nsize = hex8(a + off + 94);
		assert_int_equal(fsize, sizes[i]);
		assert_string_equal(a + off + 110, names[i]);
		assert_int_equal(nsize, strlen(names[i]) + 1);
		off += (110 + nsize + 3) & ~3u;
		if (i == 1)
			assert_memory_equal(a + off, "sysctl vm.swappiness=1\n", 23);
		off += (fsize + 3) & ~3u;
	}
	assert_int_equal(off, len);
	/* and cpio(1) lists what the kernel will unpack */
	assert_int_equal(tool_on_text(a, len, "cpio -it --quiet < %s | tr '\\n' ' ' | "
					     "grep -qx 'vmsweep vmsweep/run.conf vmsweep/job.fio '"), 0);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_leave_linux_alone),
		cmocka_unit_test(test_model_only_knob_accepted),
		cmocka_unit_test(test_knobs_applied),
		cmocka_unit_test(test_knobs_refused),
		cmocka_unit_test(test_guest_job_file),
		cmocka_unit_test(test_guest_mem_job),
		cmocka_unit_test(test_sample_ms),
		cmocka_unit_test(test_domain_xml),
		cmocka_unit_test(test_cpio),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
