/*
 * The guest's numbers at their extremes, on their way out (util/clamp.h and where it is
 * used): 2^64 - 1 bytes over one nanosecond, counters that wrap when summed over
 * clones, a TSC far in the future. Converting such a double to an integer was
 * undefined (UBSan's float-cast-overflow, which `make asan` runs these tests under)
 * and came out as a negative bandwidth; now every integer out is clamped and never
 * negative, and the store's times fit its int64 column.
 */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "fio/fio_json.h"
#include "records/fio.h"
#include "records/mm.h"
#include "store/store.h"
#include "util/clamp.h"
#include "util/hist_stats.h"
#include "util/json_out.h"
#include "vmm/vm.h"

static void test_clamps(void **state)
{
	(void)state;
	assert_true(clamp_double_u64(NAN) == 0);
	assert_true(clamp_double_u64(-1e300) == 0);
	assert_true(clamp_double_u64(1e300) == UINT64_MAX);
	assert_true(clamp_double_u64(INFINITY) == UINT64_MAX);
	assert_true(clamp_double_u64(18446744073709551616.0) == UINT64_MAX);
	assert_true(clamp_double_u64(18446744073709549568.0) == 18446744073709549568ull); /* the largest below 2^64 */
	assert_true(clamp_double_u64(42.9) == 42);
	assert_true(clamp_double_ll(NAN) == 0);
	assert_true(clamp_double_ll(-5) == 0);
	assert_true(clamp_double_ll(9223372036854775808.0) == LLONG_MAX);
	assert_true(clamp_double_ll(1e300) == LLONG_MAX);
	assert_true(clamp_double_ll(7.5) == 7);
	assert_true(clamp_u64_ll(UINT64_MAX) == LLONG_MAX);
	assert_true(clamp_u64_ll((uint64_t)LLONG_MAX + 1) == LLONG_MAX);
	assert_true(clamp_u64_ll(123) == 123);
	assert_true(add_sat_u64(UINT64_MAX - 1, 2) == UINT64_MAX);
	assert_true(add_sat_u64(UINT64_MAX, UINT64_MAX) == UINT64_MAX);
	assert_true(add_sat_u64(1, 2) == 3);
}

/* Every integer in a JSON value is >= 0 (path names the first that is not). */
static void assert_no_negative(const json_t *v, const char *path)
{
	char sub[512];
	if (json_is_integer(v) && json_integer_value(v) < 0)
		fail_msg("%s = %lld", path, (long long)json_integer_value(v));
	if (json_is_real(v) && !(json_real_value(v) >= 0))
		fail_msg("%s = %g", path, json_real_value(v));
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) {
			snprintf(sub, sizeof(sub), "%s.%s", path, k);
			assert_no_negative(x, sub);
		}
	}
	if (json_is_array(v))
		for (size_t i = 0; i < json_array_size(v); i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			assert_no_negative(json_array_get(v, i), sub);
		}
}

/* Two clones of one write job, reported as a group, each claiming 2^64 - 1 of
 * everything in one nanosecond. */
static struct vms_workload *workload_two_clones(void)
{
	struct vms_workload *wl = calloc(1, sizeof(*wl) + 2 * sizeof(struct vms_job));
	assert_non_null(wl);
	wl->nr_jobs = 2;
	for (unsigned i = 0; i < 2; i++)
		wl->jobs[i] = (struct vms_job){ .name = "w", .rw = VMS_RW_WRITE, .clone = i,
						.flags = VMS_JOB_GROUP_REPORTING };
	return wl;
}

static void extreme_fio_record(struct vms_rec_fio_job *r, uint32_t job)
{
	memset(r, 0, sizeof(*r));
	r->job = job;
	r->start_ns = 0;
	r->end_ns = UINT64_MAX;
	r->nr_syncs = UINT64_MAX;
	r->sync_lat_sum_ns = UINT64_MAX;
	struct vms_fio_dir *d = &r->dir[1];
	d->io_bytes = d->ios = d->clat_min_ns = d->clat_max_ns = d->clat_sum_ns = UINT64_MAX;
	d->clat_sumsq[0] = d->clat_sumsq[1] = UINT64_MAX;
	d->slat = d->lat = d->bw = d->iops = (struct vms_fio_stat){ UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX,
								    { UINT64_MAX, UINT64_MAX } };
	d->runtime_ns = 1000000; /* 1 ms: fio's bw and iops divide by the runtime in ms */
	d->clat_buckets[VMS_HIST_NR - 1] = UINT32_MAX;
	d->clat_buckets[0] = UINT32_MAX;
}

static void test_fio_json_of_extreme_numbers_is_clamped(void **state)
{
	(void)state;
	struct vms_workload *wl = workload_two_clones();
	struct vms_rec_fio_job recs[2];
	extreme_fio_record(&recs[0], 0);
	extreme_fio_record(&recs[1], 1);
	json_t *doc = fio_json_report(wl, recs, 2);
	assert_non_null(doc);
	assert_no_negative(doc, "fio");
	json_t *w = json_object_get(json_array_get(json_object_get(doc, "jobs"), 0), "write");
	assert_true(json_integer_value(json_object_get(w, "bw_bytes")) == LLONG_MAX);
	assert_true(json_integer_value(json_object_get(w, "bw")) == LLONG_MAX); /* KiB/s: 1.8e25 */
	assert_true(json_integer_value(json_object_get(w, "io_bytes")) == LLONG_MAX);
	assert_true(json_integer_value(json_object_get(w, "total_ios")) == LLONG_MAX);
	assert_true(json_real_value(json_object_get(w, "iops")) > 1e21);
	assert_true(json_integer_value(json_object_get(json_object_get(w, "clat_ns"), "max")) == LLONG_MAX);
	json_decref(doc);
	free(wl);
}

/* The same records through the store's metrics, and a CPU and a vmstat sample whose TSC
 * is 2^64 - 1 on a 1 kHz clock. */
static void test_stored_metrics_and_times_of_extreme_numbers_are_clamped(void **state)
{
	(void)state;
	struct vms_workload *wl = workload_two_clones();
	struct vm_result *res = calloc(1, sizeof(*res));
	assert_non_null(res);
	res->status = VM_DONE;
	res->tsc_khz = 1;
	struct fio_records *fr = fio_records_get(res);
	assert_non_null(fr);
	assert_non_null(fr->jobs = calloc(2, sizeof(*fr->jobs)));
	extreme_fio_record(&fr->jobs[0], 0);
	extreme_fio_record(&fr->jobs[1], 1);
	fr->nr_jobs = 2;
	struct vms_rec_sample cpu = { .tsc = UINT64_MAX, .nr_running = 1 };
	struct vms_rec_sample first = { .tsc = 1 };
	assert_non_null(res->samples = calloc(2, sizeof(*res->samples)));
	res->samples[0] = first;
	res->samples[1] = cpu;
	res->nr_samples = 2;
	struct mm_records *mm = mm_records_get(res);
	assert_non_null(mm);
	assert_non_null(mm->vmstat_samples = calloc(1, sizeof(*mm->vmstat_samples)));
	mm->vmstat_samples[0].tsc = UINT64_MAX;
	mm->vmstat_samples[0].counters[VMS_VM_nr_free_pages] = UINT64_MAX;
	mm->nr_vmstat_samples = mm->cap_vmstat_samples = 1;

	struct store_run run;
	assert_int_equal(store_run_from_vm_result(res, wl, &run), 0);
	for (size_t i = 0; i < run.nr_metrics; i++)
		if (!(run.metrics[i].value >= 0) && !isnan(run.metrics[i].value))
			fail_msg("metric %s = %g", run.metrics[i].name, run.metrics[i].value);
	for (size_t i = 0; i < run.nr_series; i++)
		for (size_t k = 0; k < run.series[i].n; k++)
			if (run.series[i].v[k].t_ns > (uint64_t)INT64_MAX)
				fail_msg("series %s at %llu ns: beyond the store's int64", run.series[i].name,
					 (unsigned long long)run.series[i].v[k].t_ns);
	store_run_free(&run);
	vm_result_free(res);
	free(res);
	free(wl);
}

static void test_mm_json_of_extreme_numbers_is_clamped(void **state)
{
	(void)state;
	struct vm_result *res = calloc(1, sizeof(*res));
	assert_non_null(res);
	struct mm_records *mm = mm_records_get(res);
	assert_non_null(mm);
	mm->have_vmstat = true;
	for (unsigned i = 0; i < VMS_NR_VMSTAT; i++)
		mm->vmstat.counters[i] = UINT64_MAX - i;
	mm->vmstat.min_free_kbytes = UINT64_MAX;
	assert_non_null(mm->vmstat_samples = calloc(1, sizeof(*mm->vmstat_samples)));
	mm->vmstat_samples[0].tsc = UINT64_MAX;
	mm->vmstat_samples[0].wmark_min = UINT64_MAX;
	mm->nr_vmstat_samples = mm->cap_vmstat_samples = 1;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct json_out o;
	assert_non_null(m);
	json_out_begin(&o, m);
	mm_json(&o, res, NULL);
	assert_int_equal(json_out_end(&o), 0);
	fclose(m);
	json_t *doc = json_loads(buf, 0, NULL);
	assert_non_null(doc);
	assert_no_negative(doc, "mm");
	assert_true(json_integer_value(json_object_get(json_object_get(json_object_get(doc, "vmstat"), "counters"),
						       "nr_free_pages")) == LLONG_MAX);
	json_decref(doc);
	free(buf);
	vm_result_free(res);
	free(res);
}

/* Merged counts whose total passes 2^64: the percentiles still walk the buckets in order. */
static void test_percentiles_of_counts_beyond_2_64(void **state)
{
	(void)state;
	uint64_t *counts = calloc(VMS_HIST_NR, sizeof(*counts));
	assert_non_null(counts);
	counts[10] = UINT64_MAX;
	counts[500] = UINT64_MAX;
	assert_true(hist_total64(counts, VMS_HIST_NR) == UINT64_MAX);
	assert_true(hist_percentile64(counts, VMS_HIST_NR, 50) == vms_hist_value(10));
	/* The total saturated: it is reached at once. */
	assert_true(hist_percentile64(counts, VMS_HIST_NR, 100) == vms_hist_value(10));
	free(counts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clamps),
		cmocka_unit_test(test_fio_json_of_extreme_numbers_is_clamped),
		cmocka_unit_test(test_stored_metrics_and_times_of_extreme_numbers_are_clamped),
		cmocka_unit_test(test_mm_json_of_extreme_numbers_is_clamped),
		cmocka_unit_test(test_percentiles_of_counts_beyond_2_64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
