/*
 * What the host takes of the guest's journal records (harness/records/jbd2.c): one
 * record per disk, with the mount's settings in the knobs' ranges, commit figures that
 * add up (the histogram holds every transaction, the longest commit in its highest
 * bucket, the phases make up the commit, no sums without a transaction) and bytes in
 * whole blocks; one fsync record per job that writes a file. A broken record makes a
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

#include "records/jbd2.h"
#include "vmm/vm_internal.h"
#include "helpers.h"
#include "record_helpers.h"

#define MS 1000000ull

struct fixture {
	struct record_vm *rv;
	struct vm *vm;
	struct vm_result *res;
	struct vms_workload *wl;
};

/* Job 0 "log" writes a file, 1 "rd" reads one, 2 "raw" writes the raw disk. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_non_null(f->wl = calloc(1, sizeof(*f->wl) + 3 * sizeof(struct vms_job)));
	f->wl->magic = VMS_WL_MAGIC;
	f->wl->version = VMS_WL_VERSION;
	f->wl->nr_jobs = 3;
	f->wl->jobs[0] = (struct vms_job){ .name = "log", .ioengine = VMS_IOENGINE_SYNC, .rw = VMS_RW_WRITE, .path = "log" };
	f->wl->jobs[1] = (struct vms_job){ .name = "rd", .ioengine = VMS_IOENGINE_SYNC, .rw = VMS_RW_READ, .path = "rd",
					   .group = 1 };
	f->wl->jobs[2] = (struct vms_job){ .name = "raw", .ioengine = VMS_IOENGINE_SYNC, .rw = VMS_RW_WRITE, .group = 2 };
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

/* vda's journal as the guest reports it: 4 commits of 1, 1, 2 and 6 ms, one requested. */
static struct vms_rec_jbd2 *jbd2_ok(uint32_t disk)
{
	struct vms_rec_jbd2 *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	*r = (struct vms_rec_jbd2){ .disk = disk, .data_mode = VMS_DATA_ORDERED, .barrier = 1, .commit_interval_s = 5,
				    .journal_blocks = 8192, .max_transaction_blocks = 2047, .transactions = 4,
				    .commits_forced = 1, .handles = 40, .blocks = 20, .blocks_logged = 32,
				    .request_delay_ns_sum = 1000, .run_ns_sum = 4000 * MS, .lock_ns_sum = 1 * MS,
				    .flush_ns_sum = 3 * MS, .logging_ns_sum = 6 * MS, .commit_ns_sum = 10 * MS,
				    .commit_ns_max = 6 * MS, .data_bytes = 1 << 20, .metadata_bytes = 8 << 12,
				    .journal_bytes = 33 << 12, .file_bytes_written = 1 << 20 };
	r->commit_buckets[vms_hist_index(1 * MS)] = 2;
	r->commit_buckets[vms_hist_index(2 * MS)] = 1;
	r->commit_buckets[vms_hist_index(6 * MS)] = 1;
	return r;
}

static void put_jbd2(struct fixture *f, struct vms_rec_jbd2 *r)
{
	record_put(&f->vm->results_buf, VMS_REC_JBD2, r, sizeof(*r));
	free(r);
}

static void put_fsync(struct fixture *f, uint32_t job, uint64_t fsyncs)
{
	struct vms_rec_jbd2_fsync r = { .job = job, .fsyncs = fsyncs, .data_ns_sum = 5 * MS,
					.commit_wait_ns_sum = 1 * MS, .commit_io_ns_sum = 2 * MS };
	record_put(&f->vm->results_buf, VMS_REC_JBD2_FSYNC, &r, sizeof(r));
}

/* The jobs' own records, which a done run must have. */
static void finish_done(struct fixture *f)
{
	struct vms_rec_fio_job *j = calloc(1, sizeof(*j));
	assert_non_null(j);
	for (uint32_t k = 0; k < 3; k++) {
		j->job = k;
		record_put(&f->vm->results_buf, VMS_REC_FIO_JOB, j, sizeof(*j));
	}
	free(j);
	vm_results_finish(f->vm);
	if (f->res->status != VM_DONE)
		fail_msg("status %s: %s", vm_status_name(f->res->status), f->res->reason);
}

static void finish_refused(struct fixture *f, const char *phrase)
{
	record_vm_finish_refused(f->rv, phrase);
}

static void test_records_are_taken_whole(void **state)
{
	struct fixture *f = *state;

	put_jbd2(f, jbd2_ok(0));
	put_jbd2(f, jbd2_ok(VMS_MAX_DISKS - 1));
	put_fsync(f, 0, 31);
	finish_done(f);
	const struct jbd2_records *b = jbd2_records(f->res);
	assert_int_equal(b->nr, 2);
	assert_true(b->seen[0] && b->seen[VMS_MAX_DISKS - 1] && !b->seen[1]);
	assert_int_equal(b->disks[0].transactions, 4);
	assert_int_equal(b->disks[0].commit_buckets[vms_hist_index(1 * MS)], 2);
	assert_int_equal(b->nr_fsyncs, 1);
	assert_int_equal(b->fsyncs[0].fsyncs, 31);
	assert_int_equal(b->fsyncs[0].commit_io_ns_sum, 2 * MS);

	/* An idle journal: no commits, no sums, the settings only. */
	f = reset(state);
	struct vms_rec_jbd2 *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	*r = (struct vms_rec_jbd2){ .data_mode = VMS_DATA_WRITEBACK, .commit_interval_s = 1, .journal_blocks = 1024,
				    .max_transaction_blocks = 255, .metadata_bytes = 4096 };
	put_jbd2(f, r);
	finish_done(f);
	assert_int_equal(jbd2_records(f->res)->nr, 1);
}

static void test_the_settings_are_the_mount_s(void **state)
{
	static const struct {
		size_t off;
		uint32_t v;
		const char *phrase;
	} bad[] = {
		{ offsetof(struct vms_rec_jbd2, disk), VMS_MAX_DISKS, "journal record for disk 8, at most 8 disks" },
		{ offsetof(struct vms_rec_jbd2, data_mode), 3, "journal record of disk 0: data_mode 3 is no journal_mode" },
		{ offsetof(struct vms_rec_jbd2, barrier), 2, "journal record of disk 0: barrier 2, not 0 or 1" },
		{ offsetof(struct vms_rec_jbd2, commit_interval_s), 0,
		  "journal record of disk 0: commit_interval_s 0 outside the commit knob's 1..3600" },
		{ offsetof(struct vms_rec_jbd2, commit_interval_s), 3601, "commit_interval_s 3601 outside" },
		{ offsetof(struct vms_rec_jbd2, max_transaction_blocks), 2049,
		  "journal record of disk 0: max_transaction_blocks 2049, not within a quarter of the 8192 journal_blocks" },
		{ offsetof(struct vms_rec_jbd2, max_transaction_blocks), 0, "max_transaction_blocks 0, not within" },
		{ offsetof(struct vms_rec_jbd2, journal_blocks), 0, "max_transaction_blocks 2047, not within a quarter of the 0" },
	};
	struct fixture *f = *state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vms_rec_jbd2 *r = jbd2_ok(0);
		memcpy((char *)r + bad[i].off, &bad[i].v, sizeof(bad[i].v));
		put_jbd2(f, r);
		finish_refused(f, bad[i].phrase);
		assert_int_equal(jbd2_records(f->res)->nr, 0);
		f = reset(state);
	}
	put_jbd2(f, jbd2_ok(2));
	put_jbd2(f, jbd2_ok(2));
	finish_refused(f, "journal record for disk 2 a second time");
	assert_int_equal(jbd2_records(f->res)->nr, 1);
}

/* A field of the record set to v, to be refused with phrase. */
static void refused_with(void **state, size_t off, uint64_t v, const char *phrase)
{
	struct fixture *f = reset(state);
	struct vms_rec_jbd2 *r = jbd2_ok(0);
	memcpy((char *)r + off, &v, sizeof(v));
	put_jbd2(f, r);
	finish_refused(f, phrase);
}

#define AT(m) offsetof(struct vms_rec_jbd2, m)

static void test_the_commit_figures_must_add_up(void **state)
{
	refused_with(state, AT(transactions), 5, "journal record of disk 0: transactions 5, 4 in commit_buckets");
	refused_with(state, AT(commits_forced), 5, "journal record of disk 0: commits_forced 5 of 4 transactions");
	refused_with(state, AT(checkpoints), 5, "checkpoints 5, more than the 4 transactions");
	refused_with(state, AT(handles), 3, "journal record of disk 0: handles 3, fewer than the 4 transactions");
	refused_with(state, AT(blocks_logged), 19, "journal record of disk 0: blocks_logged 19, fewer than the 20 blocks");
	refused_with(state, AT(commit_ns_max), 9 * MS,
		     "journal record of disk 0: commit_ns_max 9000000 is not in the highest bucket of commit_buckets");
	/* phases and sum moved together: the sum is then past 4 commits of at most 6 ms */
	struct fixture *f = reset(state);
	struct vms_rec_jbd2 *r = jbd2_ok(0);
	r->logging_ns_sum = 21 * MS;
	r->commit_ns_sum = 25 * MS;
	put_jbd2(f, r);
	finish_refused(f, "journal record of disk 0: commit_ns_sum 25000000 outside [commit_ns_max, transactions x");
	refused_with(state, AT(commit_ns_sum), 5 * MS, "commit_ns_sum 5000000 outside");
	refused_with(state, AT(flush_ns_sum), 3 * MS + 1,
		     "journal record of disk 0: lock_ns_sum + flush_ns_sum + logging_ns_sum is not commit_ns_sum 10000000");
	/* a sum that wraps around to the commit's is still not the commit */
	f = reset(state);
	r = jbd2_ok(0);
	r->lock_ns_sum = UINT64_MAX;
	r->flush_ns_sum = 3 * MS + 1;
	put_jbd2(f, r);
	finish_refused(f, "lock_ns_sum + flush_ns_sum + logging_ns_sum is not commit_ns_sum");

	f = reset(state);
	r = jbd2_ok(0);
	r->commits_forced = 0;
	put_jbd2(f, r);
	finish_refused(f, "journal record of disk 0: no commits requested, request_delay_ns_sum 1000");
}

/* Without a commit no sum can be nonzero: each is named. */
static void test_no_transactions_no_sums(void **state)
{
	static const struct {
		size_t off;
		const char *name;
	} sums[] = {
		{ AT(commits_forced), "commits_forced" }, { AT(handles), "handles" },
		{ AT(blocks), "blocks" },		  { AT(blocks_logged), "blocks_logged" },
		{ AT(wait_ns_sum), "wait_ns_sum" },	  { AT(request_delay_ns_sum), "request_delay_ns_sum" },
		{ AT(run_ns_sum), "run_ns_sum" },	  { AT(lock_ns_sum), "lock_ns_sum" },
		{ AT(flush_ns_sum), "flush_ns_sum" },	  { AT(logging_ns_sum), "logging_ns_sum" },
		{ AT(commit_ns_sum), "commit_ns_sum" },	  { AT(commit_ns_max), "commit_ns_max" },
		{ AT(checkpoints), "checkpoints" },
	};
	for (size_t i = 0; i < sizeof(sums) / sizeof(sums[0]); i++) {
		struct fixture *f = reset(state);
		struct vms_rec_jbd2 *r = calloc(1, sizeof(*r));
		assert_non_null(r);
		*r = (struct vms_rec_jbd2){ .data_mode = VMS_DATA_JOURNAL, .commit_interval_s = 5, .journal_blocks = 1024,
					    .max_transaction_blocks = 255 };
		uint64_t one = 1;
		memcpy((char *)r + sums[i].off, &one, sizeof(one));
		put_jbd2(f, r);
		char phrase[96];
		snprintf(phrase, sizeof(phrase), "journal record of disk 0: no transactions, %s 1", sums[i].name);
		finish_refused(f, phrase);
	}
}

static void test_bytes_are_whole_blocks_and_the_log_s_at_least_its_commits(void **state)
{
	refused_with(state, AT(data_bytes), 4097, "journal record of disk 0: data_bytes 4097 is not whole 4 KiB blocks");
	refused_with(state, AT(metadata_bytes), 512, "metadata_bytes 512 is not whole 4 KiB blocks");
	refused_with(state, AT(journal_bytes), 31 << 12,
		     "journal record of disk 0: journal_bytes 126976, less than the 32 blocks_logged");
	/* the workload's bytes are any count of bytes */
	struct fixture *f = reset(state);
	struct vms_rec_jbd2 *r = jbd2_ok(0);
	r->file_bytes_written = 12345;
	put_jbd2(f, r);
	finish_done(f);
}

static void test_fsync_records_are_for_file_writers_once(void **state)
{
	struct fixture *f = *state;
	static const struct {
		uint32_t job;
		uint64_t fsyncs;
		const char *phrase;
	} bad[] = {
		{ 1, 3, "journal fsync record: job 1 ('rd') writes no file" },
		{ 2, 3, "journal fsync record: job 2 ('raw') writes no file" },
		{ 3, 3, "journal fsync record: job 3 of 3" },
		{ UINT32_MAX, 3, "journal fsync record: job 4294967295 of 3" },
		{ 0, 0, "journal fsync record of job 0: no fsyncs" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_fsync(f, bad[i].job, bad[i].fsyncs);
		finish_refused(f, bad[i].phrase);
		assert_int_equal(jbd2_records(f->res)->nr_fsyncs, 0);
		f = reset(state);
	}
	put_fsync(f, 0, 1);
	put_fsync(f, 0, 1);
	finish_refused(f, "journal fsync record for job 0 a second time");

	/* The built-in workload has no jobs at all. */
	f = reset(state);
	f->rv->cfg.workload = NULL;
	put_fsync(f, 0, 1);
	finish_refused(f, "journal fsync record: job 0 of 0");

	/* Both belong in the results ring only. */
	f = reset(state);
	struct vms_rec_jbd2_fsync s = { .fsyncs = 1 };
	record_put(&f->vm->samples_buf, VMS_REC_JBD2_FSYNC, &s, sizeof(s));
	finish_refused(f, "(journal fsync) in the samples ring");
	f = reset(state);
	record_put(&f->vm->results_buf, VMS_REC_JBD2, &s, sizeof(s));
	finish_refused(f, "(journal) has");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_records_are_taken_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_settings_are_the_mount_s, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_commit_figures_must_add_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_transactions_no_sums, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bytes_are_whole_blocks_and_the_log_s_at_least_its_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsync_records_are_for_file_writers_once, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
