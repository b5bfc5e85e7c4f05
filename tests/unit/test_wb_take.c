/*
 * What the host takes of the guest's writeback records (harness/records/wb.c): the end
 * record once, with a model writeback_model has, at most VMS_MAX_DISKS disks with
 * terminated names and written_by sums a guest can have; samples only in the samples
 * ring, with their disk count and flags checked; one writer record per buffered writer
 * job, whose pause histogram holds its pauses and its longest. A broken record makes a
 * "done" run a protocol violation whose reason names the record and the field. No KVM:
 * a struct vm with only its rings' buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "records/wb.h"
#include "vmm/vm_internal.h"
#include "helpers.h"
#include "record_helpers.h"


struct fixture {
	struct record_vm *rv;
	struct vm *vm;
	struct vm_result *res;
	struct vms_workload *wl;
};

/* Job 0 "dd" a buffered writer, 1 "rd" a buffered reader, 2 "odirect" a direct writer,
 * 3 "hog" a memory job. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_non_null(f->wl = calloc(1, sizeof(*f->wl) + 4 * sizeof(struct vms_job)));
	f->wl->magic = VMS_WL_MAGIC;
	f->wl->version = VMS_WL_VERSION;
	f->wl->nr_jobs = 4;
	f->wl->jobs[0] = (struct vms_job){ .name = "dd", .ioengine = VMS_IOENGINE_SYNC, .rw = VMS_RW_WRITE };
	f->wl->jobs[1] = (struct vms_job){ .name = "rd", .ioengine = VMS_IOENGINE_SYNC, .rw = VMS_RW_READ, .group = 1 };
	f->wl->jobs[2] = (struct vms_job){ .name = "odirect", .ioengine = VMS_IOENGINE_SYNC, .rw = VMS_RW_RANDWRITE,
					   .flags = VMS_JOB_DIRECT, .group = 2 };
	f->wl->jobs[3] = (struct vms_job){ .name = "hog", .ioengine = VMS_IOENGINE_MEM, .group = 3 };
	f->rv = record_vm_new(1, f->wl);
	f->vm = f->rv->vm;
	f->res = f->rv->res;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	record_vm_free(f->rv);
	free(f->wl);
	free(f);
	return 0;
}

static struct fixture *reset(void **state)
{
	teardown(state);
	assert_int_equal(setup(state), 0);
	return *state;
}

/* An end record as the guest writes it: vda wrote what it dirtied but 3328 pages still
 * in flight (counted in written_by, not yet in written). */
static struct vms_rec_wb end_ok(void)
{
	struct vms_rec_wb r = { .model = VMS_WB_IOLESS, .nr_disks = 2, .dirty_ratio = 20, .dirty_background_ratio = 10,
				.thresh_at_end = 12558, .bg_thresh_at_end = 6279, .dirtyable_at_end = 62794 };
	memcpy(r.disks[0].name, "vda", 4);
	r.disks[0].dirtied = 102400;
	r.disks[0].written = 92928;
	r.disks[0].written_by[VMS_WB_BY_FLUSHER_BACKGROUND] = 96256;
	memcpy(r.disks[1].name, "vdb", 4);
	return r;
}

/* A writer with pauses of 1, 2 and 5 ms, its histogram in agreement. */
static struct vms_rec_wb_writer *writer_ok(uint32_t job)
{
	struct vms_rec_wb_writer *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	w->job = job;
	w->writes = 10;
	w->throttled_writes = 3;
	w->pauses = 3;
	w->pause_max_ns = 5000000;
	w->pause_sum_ns = 8000000;
	w->pause_buckets[vms_hist_index(1000000)]++;
	w->pause_buckets[vms_hist_index(2000000)]++;
	w->pause_buckets[vms_hist_index(5000000)]++;
	return w;
}

static void put_end(struct fixture *f, const struct vms_rec_wb *r)
{
	record_put(&f->vm->results_buf, VMS_REC_WB, r, sizeof(*r));
}

static void put_writer(struct fixture *f, struct vms_rec_wb_writer *w)
{
	record_put(&f->vm->results_buf, VMS_REC_WB_WRITER, w, sizeof(*w));
	free(w);
}

static void put_sample(struct fixture *f, const struct vms_rec_wb_sample *s)
{
	record_put(&f->vm->samples_buf, VMS_REC_WB_SAMPLE, s, sizeof(*s));
}

/* The jobs' own records, which a done run must have. */
static void put_job_records(struct fixture *f)
{
	struct vms_rec_fio_job *j = calloc(1, sizeof(*j));
	struct vms_rec_mem_job *m = calloc(1, sizeof(*m));
	assert_non_null(j);
	assert_non_null(m);
	for (uint32_t k = 0; k < 3; k++) {
		j->job = k;
		record_put(&f->vm->results_buf, VMS_REC_FIO_JOB, j, sizeof(*j));
	}
	m->job = 3;
	record_put(&f->vm->results_buf, VMS_REC_MEM_JOB, m, sizeof(*m));
	free(j);
	free(m);
}

static void finish_done(struct fixture *f)
{
	put_job_records(f);
	vm_results_finish(f->vm);
	if (f->res->status != VM_DONE)
		fail_msg("status %s: %s", vm_status_name(f->res->status), f->res->reason);
}

static void finish_refused(struct fixture *f, const char *phrase)
{
	record_vm_finish_refused(f->rv, phrase);
}

static void test_a_complete_run_is_taken_whole(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_wb r = end_ok();
	struct vms_rec_wb_sample s = { .tsc = 10, .nr_dirty = 500, .thresh = 12558, .nr_disks = 1 };

	memcpy(r.disks[2].name, "stale", 6); /* past nr_disks: dropped */
	put_end(f, &r);
	put_writer(f, writer_ok(0));
	s.disks[0] = (struct vms_wb_disk_sample){ .wb_dirty = 500, .write_bw = 25600, .congested = 1 };
	s.disks[3].wb_dirty = 99; /* past nr_disks: dropped */
	for (int i = 0; i < 3; i++) {
		s.tsc = 10u + (unsigned)i;
		put_sample(f, &s);
	}
	finish_done(f);
	const struct wb_records *w = wb_records(f->res);
	assert_true(w->have_end);
	assert_int_equal(w->end.model, VMS_WB_IOLESS);
	assert_int_equal(w->end.disks[0].written_by[VMS_WB_BY_FLUSHER_BACKGROUND], 96256);
	assert_int_equal(w->end.disks[2].name[0], 0);
	assert_int_equal(w->nr_writers, 1);
	assert_int_equal(w->writers[0].pauses, 3);
	assert_int_equal(w->nr_samples, 3);
	assert_int_equal(w->samples[2].tsc, 12);
	assert_int_equal(w->samples[1].disks[0].write_bw, 25600);
	assert_int_equal(w->samples[1].disks[3].wb_dirty, 0);
	assert_int_equal(f->res->samples_bytes, 3 * sizeof(s)); /* within the run's budget */
}

static void test_the_end_record_is_checked(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_wb r = end_ok();

	r.model = 7;
	put_end(f, &r);
	finish_refused(f, "writeback record: model 7 is no writeback_model");
	assert_false(wb_records(f->res)->have_end);

	f = reset(state);
	r = end_ok();
	r.nr_disks = VMS_MAX_DISKS + 1;
	put_end(f, &r);
	finish_refused(f, "writeback record: nr_disks 9, at most 8");

	f = reset(state);
	r = end_ok();
	memset(r.disks[1].name, 'x', sizeof(r.disks[1].name));
	put_end(f, &r);
	finish_refused(f, "writeback record: disk 1's name is not terminated");

	f = reset(state);
	r = end_ok();
	put_end(f, &r);
	put_end(f, &r);
	finish_refused(f, "writeback record a second time");

	f = reset(state);
	r = end_ok();
	r.model = VMS_WB_PDFLUSH;
	r.pdflush_created = 3;
	r.pdflush_exited = 4;
	put_end(f, &r);
	finish_refused(f, "writeback record: pdflush_exited 4, more than the 3 created");

	f = reset(state);
	r.pdflush_exited = 1;
	r.pdflush_threads_min = 3;
	r.pdflush_threads_max = 2;
	put_end(f, &r);
	finish_refused(f, "writeback record: pdflush_threads_min 3 above pdflush_threads_max 2");
}

/*
 * written_by counts started writeback, written completed: pages in flight at the end
 * and pages re-dirtied by failed writes are legitimate, more starts than both can
 * explain are not; nor is a sum that wraps around to look small.
 */
static void test_written_by_must_be_possible(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_wb r = end_ok();

	/* Every page dirtied started once, and 1000 failed writes were started again. */
	r.disks[0].written = 102400;
	r.disks[0].written_by[VMS_WB_BY_FLUSHER_BACKGROUND] = 100000;
	r.disks[0].written_by[VMS_WB_BY_FSYNC] = 3400;
	put_end(f, &r);
	finish_done(f);

	f = reset(state);
	r = end_ok();
	r.disks[0].written_by[VMS_WB_BY_RECLAIM] = 102400 + 92928 - 96256 + 1;
	put_end(f, &r);
	finish_refused(f, "writeback record: disk 0's written_by[] sums to 195329 pages, more than the 102400 "
			  "dirtied and 92928 written");

	f = reset(state);
	r = end_ok();
	r.disks[0].written_by[VMS_WB_BY_DIRTIER] = UINT64_MAX - 96256 + 1; /* the sum wraps to 0 */
	put_end(f, &r);
	finish_refused(f, "writeback record: disk 0's written_by[] sums past 2^64");

	/* dirtied + written near 2^64 does not wrap the bound either. */
	f = reset(state);
	r = end_ok();
	r.disks[1].dirtied = UINT64_MAX;
	r.disks[1].written = UINT64_MAX;
	r.disks[1].written_by[VMS_WB_BY_FSYNC] = UINT64_MAX;
	put_end(f, &r);
	finish_done(f);
}

static void test_samples_are_checked_and_belong_in_the_samples_ring(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_wb_sample s = { .tsc = 10, .nr_disks = VMS_MAX_DISKS + 1 };

	put_sample(f, &s);
	finish_refused(f, "writeback sample: nr_disks 9, at most 8");
	assert_int_equal(wb_records(f->res)->nr_samples, 0);

	f = reset(state);
	s.nr_disks = 2;
	s.disks[1].congested = 2;
	put_sample(f, &s);
	finish_refused(f, "writeback sample: disk 1's congested is 2, not 0 or 1");

	f = reset(state);
	s.disks[1].congested = 0;
	s.disks[0].writeback_running = UINT32_MAX;
	put_sample(f, &s);
	finish_refused(f, "writeback sample: disk 0's writeback_running is 4294967295, not 0 or 1");

	/* A flag past nr_disks is not the sample's: not checked, and dropped. */
	f = reset(state);
	s.disks[0].writeback_running = 1;
	s.disks[5].congested = 7;
	put_sample(f, &s);
	finish_done(f);

	f = reset(state);
	s = (struct vms_rec_wb_sample){ .tsc = 10 };
	record_put(&f->vm->results_buf, VMS_REC_WB_SAMPLE, &s, sizeof(s));
	finish_refused(f, "writeback sample record in the results ring");

	f = reset(state);
	struct vms_rec_wb r = end_ok();
	record_put(&f->vm->samples_buf, VMS_REC_WB, &r, sizeof(r));
	finish_refused(f, "(writeback) in the samples ring");

	f = reset(state);
	record_put(&f->vm->samples_buf, VMS_REC_WB_SAMPLE, &s, sizeof(s) - 8);
	finish_refused(f, "(writeback sample) has");
}

static void test_writer_records_are_for_buffered_writers_once(void **state)
{
	struct fixture *f = *state;
	static const struct {
		uint32_t job;
		const char *phrase;
	} bad[] = {
		{ 1, "writeback writer record: job 1 ('rd') does not write through the page cache" },
		{ 2, "writeback writer record: job 2 ('odirect') does not write through the page cache" },
		{ 3, "writeback writer record: job 3 ('hog') does not write through the page cache" },
		{ 4, "writeback writer record: job 4 of 4" },
		{ UINT32_MAX, "writeback writer record: job 4294967295 of 4" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_writer(f, writer_ok(bad[i].job));
		finish_refused(f, bad[i].phrase);
		assert_int_equal(wb_records(f->res)->nr_writers, 0);
		f = reset(state);
	}
	put_writer(f, writer_ok(0));
	put_writer(f, writer_ok(0));
	finish_refused(f, "writeback writer record for job 0 a second time");
	assert_int_equal(wb_records(f->res)->nr_writers, 1);

	/* The built-in workload has no jobs at all. */
	f = reset(state);
	f->rv->cfg.workload = NULL;
	put_writer(f, writer_ok(0));
	finish_refused(f, "writeback writer record: job 0 of 0");
}

static void test_a_writer_s_pauses_must_agree(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_wb_writer *w = writer_ok(0);

	w->pause_buckets[vms_hist_index(3000000)]++; /* a fourth pause, uncounted */
	put_writer(f, w);
	finish_refused(f, "writeback writer record of job 0: pauses 3, 4 in pause_buckets");

	f = reset(state);
	w = writer_ok(0);
	w->pause_max_ns = 9000000; /* above the histogram's highest pause */
	w->pause_sum_ns = 12000000;
	put_writer(f, w);
	finish_refused(f, "writeback writer record of job 0: pause_max_ns 9000000 is not in the highest bucket");

	f = reset(state);
	w = writer_ok(0);
	w->pause_sum_ns = 15000001; /* more than 3 pauses of at most 5 ms */
	put_writer(f, w);
	finish_refused(f, "writeback writer record of job 0: pause_sum_ns 15000001 outside [pause_max_ns, pauses x");

	f = reset(state);
	w = writer_ok(0);
	w->pause_sum_ns = 4999999;
	put_writer(f, w);
	finish_refused(f, "pause_sum_ns 4999999 outside");

	f = reset(state);
	w = writer_ok(0);
	w->throttled_writes = 11;
	put_writer(f, w);
	finish_refused(f, "writeback writer record of job 0: throttled_writes 11 of 10 writes");

	f = reset(state);
	w = calloc(1, sizeof(*w));
	assert_non_null(w);
	w->writes = 4;
	w->pause_sum_ns = 1;
	put_writer(f, w);
	finish_refused(f, "writeback writer record of job 0: no pauses, pause_sum_ns 1");

	/* Counts near 2^32 per bucket add up in 64 bits; a sum near 2^64 is in range. */
	f = reset(state);
	w = calloc(1, sizeof(*w));
	assert_non_null(w);
	w->pauses = 2ull * UINT32_MAX;
	w->pause_buckets[vms_hist_index(100)] = UINT32_MAX;
	w->pause_buckets[VMS_HIST_NR - 1] = UINT32_MAX;
	w->pause_max_ns = UINT64_MAX; /* the last bucket holds everything above its start */
	w->pause_sum_ns = UINT64_MAX;
	put_writer(f, w);
	finish_done(f);

	/* Pauses of 0 ns (Linux traces a pause it skipped as 0) are pauses. */
	f = reset(state);
	w = calloc(1, sizeof(*w));
	assert_non_null(w);
	w->pauses = 5;
	w->pause_buckets[0] = 5;
	put_writer(f, w);
	finish_done(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_complete_run_is_taken_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_end_record_is_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_written_by_must_be_possible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_samples_are_checked_and_belong_in_the_samples_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_records_are_for_buffered_writers_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_writer_s_pauses_must_agree, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
