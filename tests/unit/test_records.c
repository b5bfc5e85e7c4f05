/*
 * The record list (vmsweep/records.h) and the record families (harness/records/): each
 * type reaches its family or the VMM, lengths and rings come from the one list, and
 * the store refuses a metric name no table documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "records/fio.h"
#include "records/mm.h"
#include "store/store.h"
#include "vmm/ring.h"
#include "vmm/vm.h"

static void test_types_reach_their_family(void **state)
{
	(void)state;
	assert_ptr_equal(record_family_of(VMS_REC_FIO_JOB), record_families[RECORD_FAMILY_fio]);
	assert_ptr_equal(record_family_of(VMS_REC_VMSTAT), record_families[RECORD_FAMILY_mm]);
	assert_ptr_equal(record_family_of(VMS_REC_OOM), record_families[RECORD_FAMILY_mm]);
	assert_ptr_equal(record_family_of(VMS_REC_WB_SAMPLE), record_families[RECORD_FAMILY_wb]);
	assert_ptr_equal(record_family_of(VMS_REC_JBD2), record_families[RECORD_FAMILY_jbd2]);
	assert_ptr_equal(record_family_of(VMS_REC_JBD2_FSYNC), record_families[RECORD_FAMILY_jbd2]);
	assert_null(record_family_of(VMS_REC_BOOT)); /* the VMM's own */
	assert_null(record_family_of(0)); /* no such type: not fio's, whose id is 0 */
	assert_null(record_family_of(VMS_REC_TYPE_MAX));
	assert_null(record_family_of(UINT32_MAX));
}

static void test_lengths_names_and_rings_come_from_the_list(void **state)
{
	(void)state;
	assert_int_equal(record_min_len(VMS_REC_MEM_JOB), sizeof(struct vms_rec_mem_job));
	assert_int_equal(record_min_len(VMS_REC_HIST), sizeof(struct vms_rec_hist));
	assert_int_equal(record_min_len(0), 0);
	assert_string_equal(record_type_name(VMS_REC_VMSTAT_SAMPLE), "vmstat sample");
	assert_string_equal(record_type_name(VMS_REC_TYPE_MAX), "unknown");
	assert_true(record_in_samples_ring(VMS_REC_SAMPLE));
	assert_true(record_in_samples_ring(VMS_REC_VMSTAT_SAMPLE));
	assert_false(record_in_samples_ring(VMS_REC_VMSTAT));
	assert_false(record_in_samples_ring(0));
}

static void test_every_family_is_complete_enough_to_run(void **state)
{
	(void)state;
	for (unsigned i = 0; i < RECORD_NR_FAMILIES; i++) {
		const struct record_family_ops *f = record_families[i];
		assert_non_null(f);
		assert_non_null(f->name);
		assert_non_null(f->take); /* a family takes records, or it would not be one */
		assert_non_null(f->metric_docs);
	}
}

static void test_metric_names_come_from_the_tables(void **state)
{
	(void)state;
	assert_true(metric_name_known("boot_us.done"));
	assert_true(metric_name_known("wakeup_ns.p999"));
	assert_true(metric_name_known("disk.vda.interrupts_suppressed"));
	assert_true(metric_name_known("fio.randwrite.write.clat_p99_ns"));
	assert_true(metric_name_known("fio.job.with.dots.read.iops"));
	assert_true(metric_name_known("vmstat.pgscan_kswapd"));
	assert_true(metric_name_known("zone.Normal.wmark_low"));
	assert_true(metric_name_known("mem.hog.swapin_ns.p50"));
	assert_true(metric_name_known("writeback.thresh_pages"));
	assert_true(metric_name_known("disk.vda.writeback.written_by_fsync"));
	assert_true(metric_name_known("writeback.dd.pause_p99_ns"));
	assert_true(metric_name_known("writeback.job.with.dots.throttle_fraction"));
	assert_true(metric_name_known("journal.vda.commit_p99_ms"));
	assert_true(metric_name_known("journal.vdb.logged_blocks_per_transaction"));
	assert_true(metric_name_known("journal.fsync.job.with.dots.commit_io_ms_avg"));
	assert_false(metric_name_known("boot_us.dne"));
	assert_false(metric_name_known("fio.job.read.ipos"));
	assert_false(metric_name_known("zone.Normal.wmark_lo"));
	assert_false(metric_name_known("writeback.dirty_pages"));
	assert_false(metric_name_known("journal.vda.commit_p99_ns"));
	assert_false(metric_name_known("journal.vda.transaction"));
	assert_false(metric_name_known("writeback.dd.pause_p99"));
	assert_false(metric_name_known("disk.vda.writeback.written_by_kswapd"));
	assert_false(metric_name_known(""));
}

/* An empty family set reads as such: no data, and freeing twice is harmless. */
static void test_family_data_is_made_on_first_use(void **state)
{
	struct vm_result *res = calloc(1, sizeof(*res));
	(void)state;
	assert_non_null(res);
	assert_null(record_family_data(res, RECORD_FAMILY_mm));
	assert_int_equal(mm_records(res)->nr_mem_jobs, 0);
	assert_null(fio_records(res)->jobs);
	struct mm_records *mm = mm_records_get(res);
	assert_non_null(mm);
	assert_ptr_equal(mm_records_get(res), mm);
	assert_non_null(mm->vmstat_samples = calloc(4, sizeof(*mm->vmstat_samples)));
	record_families_free(res);
	assert_null(record_family_data(res, RECORD_FAMILY_mm));
	record_families_free(res);
	free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_reach_their_family),
		cmocka_unit_test(test_lengths_names_and_rings_come_from_the_list),
		cmocka_unit_test(test_every_family_is_complete_enough_to_run),
		cmocka_unit_test(test_metric_names_come_from_the_tables),
		cmocka_unit_test(test_family_data_is_made_on_first_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
