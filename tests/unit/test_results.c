/*
 * What the host takes from the guest's results and samples rings (harness/vmm/results.c
 * and the record families, harness/records/), for the memory manager's records: vmstat once, vmstat samples only
 * in the samples ring, one memory job record per memory job and only for a memory job,
 * OOM reports with their task tables; every count and index the guest gives is
 * checked, and a broken record makes a "done" run a protocol violation whose reason
 * says what was wrong. No KVM: a struct vm with only its rings' buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "records/fio.h"
#include "records/mm.h"
#include "vmm/vm_internal.h"
#include "helpers.h"
#include "record_helpers.h"


struct fixture {
	struct vm *vm;
	struct vm_result *res;
	struct vm_config cfg;
	struct vms_workload *wl;
};

/* Job 0 "hog" is a memory job, job 1 "disk" an fio job. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_non_null(f->vm = calloc(1, sizeof(*f->vm)));
	assert_non_null(f->res = calloc(1, sizeof(*f->res)));
	assert_non_null(f->wl = calloc(1, sizeof(*f->wl) + 2 * sizeof(struct vms_job)));
	f->wl->magic = VMS_WL_MAGIC;
	f->wl->version = VMS_WL_VERSION;
	f->wl->nr_jobs = 2;
	f->wl->jobs[0] = (struct vms_job){ .name = "hog", .ioengine = VMS_IOENGINE_MEM, .size = 96u << 20 };
	f->wl->jobs[1] = (struct vms_job){ .name = "disk", .ioengine = VMS_IOENGINE_SYNC, .rw = VMS_RW_READ, .group = 1 };
	f->cfg.workload = f->wl;
	f->vm->cfg = &f->cfg;
	f->vm->res = f->res;
	f->vm->wake_fd = -1;
	f->vm->nr_vcpus = 1;
	f->res->cpu = -1;
	atomic_init(&f->vm->status, VM_DONE); /* the guest said done: what follows decides */
	/* What every done run hands back. */
	struct vms_rec_boot boot = { .tsc_first = 1, .tsc_done = 2 };
	struct vms_rec_cpu cpu = { .cpu = 0 };
	record_put(&f->vm->results_buf, VMS_REC_BOOT, &boot, sizeof(boot));
	record_put(&f->vm->results_buf, VMS_REC_CPU, &cpu, sizeof(cpu));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	buf_free(&f->vm->results_buf);
	buf_free(&f->vm->samples_buf);
	buf_free(&f->vm->console_buf);
	vm_result_free(f->res);
	vm_result_free(f->res); /* again: harmless */
	free(f->res);
	free(f->vm);
	free(f->wl);
	free(f);
	return 0;
}

/* A fresh fixture in *state, for a test that tries a second case. */
static struct fixture *reset(void **state)
{
	teardown(state);
	assert_int_equal(setup(state), 0);
	return *state;
}

static struct vms_rec_vmstat vmstat_ok(void)
{
	struct vms_rec_vmstat v = { .min_free_kbytes = 1024, .watermark_model = VMS_WMARK_4_6, .nr_zones = 2 };
	memcpy(v.zones[0].name, "DMA", 3);
	memcpy(v.zones[1].name, "Normal", 6);
	v.zones[1].wmark_min = 128;
	v.counters[VMS_VM_allocstall] = 7;
	return v;
}

/* A memory job record whose histograms agree with their sample counts. */
static struct vms_rec_mem_job *mem_job_ok(uint32_t job)
{
	struct vms_rec_mem_job *j = calloc(1, sizeof(*j));
	assert_non_null(j);
	j->job = job;
	j->pages_allocated = 100;
	j->lat[VMS_MEM_ALLOC_FAST].samples = 3;
	j->lat[VMS_MEM_ALLOC_FAST].buckets[vms_hist_index(500)] = 2;
	j->lat[VMS_MEM_ALLOC_FAST].buckets[vms_hist_index(900)] = 1;
	j->lat[VMS_MEM_ACCESS_SWAPIN].samples = 1;
	j->lat[VMS_MEM_ACCESS_SWAPIN].buckets[VMS_HIST_NR - 1] = 1;
	return j;
}

static void put_mem_job(struct fixture *f, struct vms_rec_mem_job *j)
{
	record_put(&f->vm->results_buf, VMS_REC_MEM_JOB, j, sizeof(*j));
	free(j);
}

static void put_fio_job(struct fixture *f, uint32_t job)
{
	struct vms_rec_fio_job *j = calloc(1, sizeof(*j));
	assert_non_null(j);
	j->job = job;
	record_put(&f->vm->results_buf, VMS_REC_FIO_JOB, j, sizeof(*j));
	free(j);
}

/* The records of a complete run of the two-job workload, vmstat first. */
static void put_complete(struct fixture *f)
{
	struct vms_rec_vmstat v = vmstat_ok();
	record_put(&f->vm->results_buf, VMS_REC_VMSTAT, &v, sizeof(v));
	put_mem_job(f, mem_job_ok(0));
	put_fio_job(f, 1);
}

static void finish_refused(struct fixture *f, const char *phrase)
{
	vm_results_finish(f->vm);
	if (f->res->status != VM_BAD_GUEST)
		fail_msg("status %s (%s), expected a protocol violation with \"%s\"", vm_status_name(f->res->status),
			 f->res->reason, phrase);
	assert_has(f->res->reason, phrase);
}

static void test_a_complete_run_is_taken_whole(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_vmstat_sample smp = { .tsc = 10, .wmark_min = 128 };
	struct vms_rec_oom oom = { .pid = 5, .victim_pid = 5, .nr_tasks = 2 };

	put_complete(f);
	for (int i = 0; i < 3; i++) {
		smp.counters[VMS_VM_nr_free_pages] = 1000u - 100u * (unsigned)i;
		record_put(&f->vm->samples_buf, VMS_REC_VMSTAT_SAMPLE, &smp, sizeof(smp));
	}
	struct vms_rec_sample cpu_smp = { .tsc = 11 };
	record_put(&f->vm->samples_buf, VMS_REC_SAMPLE, &cpu_smp, sizeof(cpu_smp));
	memset(oom.comm, 'x', sizeof(oom.comm)); /* not terminated: the host does it */
	memcpy(oom.victim_comm, "hog\x1b[2J", 7); /* an escape sequence: not for a terminal */
	memcpy(oom.tasks[0].comm, "hog", 3);
	oom.tasks[0].rss = 900;
	memcpy(oom.tasks[5].comm, "stale", 5); /* past nr_tasks: dropped */
	record_put(&f->vm->results_buf, VMS_REC_OOM, &oom, sizeof(oom));
	record_put(&f->vm->results_buf, VMS_REC_OOM, &oom, sizeof(oom));

	vm_results_finish(f->vm);
	struct vm_result *res = f->res;
	if (res->status != VM_DONE)
		fail_msg("status %s: %s", vm_status_name(res->status), res->reason);
	assert_true(mm_records(res)->have_vmstat);
	assert_int_equal(mm_records(res)->vmstat.nr_zones, 2);
	assert_string_equal(mm_records(res)->vmstat.zones[1].name, "Normal");
	assert_int_equal(mm_records(res)->vmstat.zones[1].wmark_min, 128);
	assert_int_equal(mm_records(res)->vmstat.counters[VMS_VM_allocstall], 7);
	assert_int_equal(mm_records(res)->nr_vmstat_samples, 3);
	assert_int_equal(mm_records(res)->vmstat_samples[2].counters[VMS_VM_nr_free_pages], 800);
	assert_int_equal(res->nr_samples, 1);
	assert_int_equal(mm_records(res)->nr_mem_jobs, 1);
	assert_non_null(mm_records(res)->mem_jobs);
	assert_int_equal(mm_records(res)->mem_jobs[0].job, 0);
	assert_int_equal(mm_records(res)->mem_jobs[0].pages_allocated, 100);
	assert_int_equal(mm_records(res)->mem_jobs[1].job, UINT32_MAX); /* the fio job: no memory record */
	assert_int_equal(fio_records(res)->nr_jobs, 1);
	assert_int_equal(mm_records(res)->nr_ooms, 2);
	assert_int_equal(strlen(mm_records(res)->ooms[0].comm), VMS_TASK_COMM_LEN - 1);
	assert_string_equal(mm_records(res)->ooms[0].victim_comm, "hog?[2J");
	assert_string_equal(mm_records(res)->ooms[1].tasks[0].comm, "hog");
	assert_int_equal(mm_records(res)->ooms[1].tasks[5].comm[0], 0);
}

static void test_a_memory_manager_record_of_the_wrong_size_is_a_protocol_violation(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_vmstat v = vmstat_ok();
	record_put(&f->vm->results_buf, VMS_REC_VMSTAT, &v, sizeof(v) - 8);
	finish_refused(f, "results ring: record 2 (at byte ");
	assert_has(f->res->reason, "(vmstat) has");
	assert_has(f->res->reason, "expected");
	assert_false(mm_records(f->res)->have_vmstat);
}

static void test_vmstat_comes_once(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_vmstat v = vmstat_ok();
	put_complete(f);
	record_put(&f->vm->results_buf, VMS_REC_VMSTAT, &v, sizeof(v));
	finish_refused(f, "vmstat record a second time");
}

static void test_vmstat_zones_are_checked(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_vmstat v = vmstat_ok();
	v.nr_zones = VMS_MAX_ZONES + 1;
	record_put(&f->vm->results_buf, VMS_REC_VMSTAT, &v, sizeof(v));
	finish_refused(f, "vmstat record with 3 zones, at most 2");
	assert_false(mm_records(f->res)->have_vmstat);

	v.nr_zones = UINT32_MAX;
	f = reset(state);
	record_put(&f->vm->results_buf, VMS_REC_VMSTAT, &v, sizeof(v));
	finish_refused(f, "with 4294967295 zones");
}

static void test_zone_names_become_safe_and_distinct(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_vmstat v = vmstat_ok();
	memcpy(v.zones[0].name, "Nor.m l\n", 8); /* eight bytes, no NUL: fixed length */
	memset(v.zones[1].name, 0, sizeof(v.zones[1].name)); /* none: named by its index */
	memcpy(v.zones[1].name + 4, "junk", 4); /* after the NUL: cleared */
	record_put(&f->vm->results_buf, VMS_REC_VMSTAT, &v, sizeof(v));
	put_mem_job(f, mem_job_ok(0));
	put_fio_job(f, 1);
	vm_results_finish(f->vm);
	assert_int_equal(f->res->status, VM_DONE);
	assert_memory_equal(mm_records(f->res)->vmstat.zones[0].name, "Nor_m_l_", 8);
	assert_memory_equal(mm_records(f->res)->vmstat.zones[1].name, "zone1\0\0\0", 8);

	/* Two zones of one name would make one metric name twice. */
	f = reset(state);
	v = vmstat_ok();
	memcpy(v.zones[1].name, "DMA\0junk", 8);
	record_put(&f->vm->results_buf, VMS_REC_VMSTAT, &v, sizeof(v));
	finish_refused(f, "vmstat record names zones 0 and 1 both 'DMA'");
}

static void test_vmstat_samples_belong_in_the_samples_ring(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_vmstat_sample smp = { .tsc = 10 };
	put_complete(f);
	record_put(&f->vm->results_buf, VMS_REC_VMSTAT_SAMPLE, &smp, sizeof(smp));
	finish_refused(f, "vmstat sample record in the results ring");
	assert_int_equal(mm_records(f->res)->nr_vmstat_samples, 0);
}

static void test_the_samples_ring_takes_no_other_memory_record(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_vmstat v = vmstat_ok();
	put_mem_job(f, mem_job_ok(0));
	put_fio_job(f, 1);
	record_put(&f->vm->samples_buf, VMS_REC_VMSTAT, &v, sizeof(v));
	finish_refused(f, "samples ring: record type 11 (vmstat) in the samples ring");
}

static void test_memory_job_records_are_checked_against_the_workload(void **state)
{
	struct fixture *f = *state;
	put_mem_job(f, mem_job_ok(1));
	finish_refused(f, "memory job record for job 1 ('disk'), which is not a memory job");
	assert_int_equal(mm_records(f->res)->nr_mem_jobs, 0);

	f = reset(state);
	put_mem_job(f, mem_job_ok(2));
	finish_refused(f, "memory job record for job 2 of 2");

	f = reset(state);
	put_mem_job(f, mem_job_ok(UINT32_MAX));
	finish_refused(f, "memory job record for job 4294967295 of 2");

	/* The built-in workload has no jobs at all. */
	f = reset(state);
	f->cfg.workload = NULL;
	put_mem_job(f, mem_job_ok(0));
	finish_refused(f, "memory job record for job 0 of 0");
}

static void test_a_memory_job_reports_once(void **state)
{
	struct fixture *f = *state;
	put_complete(f);
	put_mem_job(f, mem_job_ok(0));
	finish_refused(f, "memory job record for job 0 a second time");
	assert_int_equal(mm_records(f->res)->nr_mem_jobs, 1);
}

static void test_a_latency_histogram_must_hold_its_samples(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_mem_job *j = mem_job_ok(0);
	j->lat[VMS_MEM_ALLOC_DIRECT].samples = 4;
	j->lat[VMS_MEM_ALLOC_DIRECT].buckets[vms_hist_index(100000)] = 3;
	put_mem_job(f, j);
	finish_refused(f, "memory job 0: its direct latency histogram holds 3 samples, the record says 4");

	/* Counts near 2^32 add up in 64 bits. */
	f = reset(state);
	j = mem_job_ok(0);
	j->lat[VMS_MEM_ACCESS_HIT].samples = 2ull * UINT32_MAX;
	j->lat[VMS_MEM_ACCESS_HIT].buckets[1] = UINT32_MAX;
	j->lat[VMS_MEM_ACCESS_HIT].buckets[2] = UINT32_MAX;
	put_mem_job(f, j);
	put_fio_job(f, 1);
	vm_results_finish(f->vm);
	assert_int_equal(f->res->status, VM_DONE);
}

static void test_fio_records_are_not_taken_for_memory_jobs(void **state)
{
	struct fixture *f = *state;
	put_fio_job(f, 0);
	finish_refused(f, "fio record for job 0 ('hog'), a memory job");
}

/* disk_util's counts: once per disk, of a disk an fio job uses (the disk job uses vda). */
static void test_fio_disk_records_are_checked(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_fio_disk d = { .disk = 0, .elapsed_ns = 1000, .ios = { 3, 4 } };
	put_complete(f);
	record_put(&f->vm->results_buf, VMS_REC_FIO_DISK, &d, sizeof(d));
	vm_results_finish(f->vm);
	if (f->res->status != VM_DONE)
		fail_msg("status %s: %s", vm_status_name(f->res->status), f->res->reason);
	assert_int_equal(fio_records(f->res)->nr_disks, 1);
	assert_int_equal(fio_records(f->res)->disks[0].ios[1], 4);

	f = reset(state);
	put_complete(f);
	record_put(&f->vm->results_buf, VMS_REC_FIO_DISK, &d, sizeof(d));
	record_put(&f->vm->results_buf, VMS_REC_FIO_DISK, &d, sizeof(d));
	finish_refused(f, "fio disk record for disk 0 a second time");

	f = reset(state);
	put_complete(f);
	d.disk = 1;
	record_put(&f->vm->results_buf, VMS_REC_FIO_DISK, &d, sizeof(d));
	finish_refused(f, "fio disk record for disk 1, which no fio job uses");

	f = reset(state);
	put_complete(f);
	d.disk = 0;
	record_put(&f->vm->results_buf, VMS_REC_FIO_DISK, &d, sizeof(d) - 8);
	finish_refused(f, "(fio disk) has");
}

/* The block layer's record: each completion found once, a mode the knob has, a disk once. */
static void test_blk_records_are_checked(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_blk b = { .disk = 0, .completion = VMS_BLK_COMPLETION_HYBRID, .completed = 10,
				 .found = { 2, 7, 1 }, .idle_poll_ns = 5000 };
	put_complete(f);
	record_put(&f->vm->results_buf, VMS_REC_BLK, &b, sizeof(b));
	vm_results_finish(f->vm);
	if (f->res->status != VM_DONE)
		fail_msg("status %s: %s", vm_status_name(f->res->status), f->res->reason);

	f = reset(state);
	put_complete(f);
	b.found[1] = 6;
	record_put(&f->vm->results_buf, VMS_REC_BLK, &b, sizeof(b));
	finish_refused(f, "block queue record of disk 0: 10 completions, 9 found");

	f = reset(state);
	put_complete(f);
	b.found[1] = UINT64_MAX - 1; /* a sum that wraps around to look right */
	b.found[2] = 9;
	record_put(&f->vm->results_buf, VMS_REC_BLK, &b, sizeof(b));
	finish_refused(f, "more completions found than the 10 made");

	f = reset(state);
	put_complete(f);
	b = (struct vms_rec_blk){ .disk = 0, .completion = 3 };
	record_put(&f->vm->results_buf, VMS_REC_BLK, &b, sizeof(b));
	finish_refused(f, "completion mode 3");

	f = reset(state);
	put_complete(f);
	b = (struct vms_rec_blk){ .disk = 0, .iosched = VMS_IOSCHED_AUTO }; /* the guest resolves auto */
	record_put(&f->vm->results_buf, VMS_REC_BLK, &b, sizeof(b));
	finish_refused(f, "I/O scheduler 2");

	f = reset(state);
	put_complete(f);
	b = (struct vms_rec_blk){ .disk = 0 };
	record_put(&f->vm->results_buf, VMS_REC_BLK, &b, sizeof(b));
	record_put(&f->vm->results_buf, VMS_REC_BLK, &b, sizeof(b));
	finish_refused(f, "block queue record for disk 0 a second time");

	f = reset(state);
	put_complete(f);
	b.disk = VMS_MAX_DISKS;
	record_put(&f->vm->results_buf, VMS_REC_BLK, &b, sizeof(b));
	finish_refused(f, "block queue record for disk 8");
}

static void test_done_needs_every_jobs_record(void **state)
{
	struct fixture *f = *state;
	put_fio_job(f, 1);
	finish_refused(f, "guest said done with results for 0 of 1 memory jobs");

	f = reset(state);
	put_mem_job(f, mem_job_ok(0));
	finish_refused(f, "guest said done with results for 0 of 1 fio jobs");
}

static void test_oom_records_are_checked_and_kept_up_to_a_limit(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_oom oom = { .nr_tasks = VMS_OOM_TASKS };
	put_complete(f);
	for (unsigned i = 0; i < MM_OOM_KEEP + 5; i++) {
		oom.pid = i;
		record_put(&f->vm->results_buf, VMS_REC_OOM, &oom, sizeof(oom));
	}
	vm_results_finish(f->vm);
	assert_int_equal(f->res->status, VM_DONE);
	assert_int_equal(mm_records(f->res)->nr_ooms, MM_OOM_KEEP + 5);
	assert_int_equal(mm_records(f->res)->ooms[MM_OOM_KEEP - 1].pid, MM_OOM_KEEP - 1);

	f = reset(state);
	oom.nr_tasks = VMS_OOM_TASKS + 1;
	record_put(&f->vm->results_buf, VMS_REC_OOM, &oom, sizeof(oom));
	finish_refused(f, "OOM record with 17 tasks, at most 16");
	assert_int_equal(mm_records(f->res)->nr_ooms, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_complete_run_is_taken_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_memory_manager_record_of_the_wrong_size_is_a_protocol_violation,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmstat_comes_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmstat_zones_are_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_names_become_safe_and_distinct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmstat_samples_belong_in_the_samples_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_samples_ring_takes_no_other_memory_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_job_records_are_checked_against_the_workload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_memory_job_reports_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_latency_histogram_must_hold_its_samples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fio_records_are_not_taken_for_memory_jobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fio_disk_records_are_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blk_records_are_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_done_needs_every_jobs_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oom_records_are_checked_and_kept_up_to_a_limit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
