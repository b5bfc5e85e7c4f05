/*
 * Host memory against what the guest sends (harness/vmm/results.c, VM_SAMPLES_BUDGET):
 * the samples ring is parsed as it is drained, so its raw bytes do not pile up (a
 * record cut by a drain waits for its end); a flood of samples is kept up to the
 * run's budget and the rest dropped, counted and reported (text, JSON, the store),
 * never a crash; a broken record found mid-run ends the run and nothing after it is
 * read. No KVM: a struct vm with only its rings' buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "cmd/boot_report.h"
#include "records/mm.h"
#include "store/store.h"
#include "vmm/vm_internal.h"
#include "record_helpers.h"

struct fixture {
	struct vm *vm;
	struct vm_result *res;
	struct vm_config cfg;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_non_null(f->vm = calloc(1, sizeof(*f->vm)));
	assert_non_null(f->res = calloc(1, sizeof(*f->res)));
	vm_config_init(&f->cfg);
	f->cfg.kernel_path = "guest.elf";
	f->vm->cfg = &f->cfg;
	f->vm->res = f->res;
	f->vm->wake_fd = -1;
	f->vm->nr_vcpus = 1;
	f->res->cpu = -1;
	f->res->tsc_khz = 1000000;
	atomic_init(&f->vm->status, VM_DONE);
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
	free(f->res);
	free(f->vm);
	free(f);
	return 0;
}

static char *summary_of(struct fixture *f, bool json)
{
	struct boot_options o = { .vm = f->cfg };
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	if (json)
		assert_int_equal(boot_report_json(m, &o, f->res), 0);
	else
		boot_report_text(m, m, &o, f->res);
	fclose(m);
	return buf;
}

/* A guest sampling far beyond the budget, drained 256 KiB at a time as the rings are. */
static void test_a_flood_of_samples_stays_within_the_budget(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_vmstat_sample vs = { .wmark_min = 1 };
	struct vms_rec_sample cs = { .cpu = 0 };
	const size_t per_round = sizeof(vs) + sizeof(cs);
	const size_t rounds = VM_SAMPLES_BUDGET / per_round + 5000;
	size_t biggest = 0;

	for (size_t i = 0; i < rounds; i++) {
		vs.tsc = cs.tsc = 10 + i;
		vs.counters[VMS_VM_nr_free_pages] = i;
		record_put(&f->vm->samples_buf, VMS_REC_VMSTAT_SAMPLE, &vs, sizeof(vs));
		record_put(&f->vm->samples_buf, VMS_REC_SAMPLE, &cs, sizeof(cs));
		if (f->vm->samples_buf.len >= (256u << 10)) {
			vm_samples_take(f->vm);
			biggest = f->vm->samples_buf.cap > biggest ? f->vm->samples_buf.cap : biggest;
			assert_int_equal(f->vm->samples_buf.len, 0); /* whole records only here */
		}
	}
	vm_results_finish(f->vm);
	struct vm_result *res = f->res;
	if (res->status != VM_DONE)
		fail_msg("status %s: %s", vm_status_name(res->status), res->reason);
	const struct mm_records *mm = mm_records(res);
	size_t kept = mm->nr_vmstat_samples * sizeof(vs) + res->nr_samples * sizeof(cs);
	assert_true(kept <= VM_SAMPLES_BUDGET);
	assert_true(kept > VM_SAMPLES_BUDGET - per_round);
	assert_int_equal(res->samples_bytes, kept);
	assert_int_equal(res->samples_dropped, 2 * rounds - mm->nr_vmstat_samples - res->nr_samples);
	assert_true(res->samples_dropped >= 2 * 5000 - 1); /* the budget's remainder may hold one more record */
	/* The first samples are the ones kept, in order; arrays grew by doubling. */
	assert_int_equal(mm->vmstat_samples[1000].counters[VMS_VM_nr_free_pages], 1000);
	assert_true(mm->cap_vmstat_samples < 2 * mm->nr_vmstat_samples);
	assert_true(res->cap_samples < 2 * res->nr_samples);
	/* The raw ring bytes never piled up. */
	assert_true(biggest <= (1u << 20));

	char *t = summary_of(f, false);
	char want[128];
	snprintf(want, sizeof(want), "samples: %llu dropped beyond the host's budget of 32 MiB per run",
		 (unsigned long long)res->samples_dropped);
	if (!strstr(t, want))
		fail_msg("the text summary does not say \"%s\":\n%.2000s", want, t);
	free(t);
}

/* The count of dropped samples in --json and in the store (a small run that says it
 * dropped some: writing 100000 samples out would only slow the test). */
static void test_dropped_samples_are_reported(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_vmstat_sample vs = { .tsc = 10 };
	record_put(&f->vm->samples_buf, VMS_REC_VMSTAT_SAMPLE, &vs, sizeof(vs));
	vm_results_finish(f->vm);
	struct vm_result *res = f->res;
	res->samples_dropped = 12345;
	char *j = summary_of(f, true);
	json_t *doc = json_loads(j, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_integer_value(json_object_get(doc, "samples_dropped")), 12345);
	assert_int_equal(json_array_size(json_object_get(doc, "vmstat_series")), 1);
	json_decref(doc);
	free(j);
	struct store_run run;
	assert_int_equal(store_run_from_vm_result(res, NULL, &run), 0);
	bool found = false;
	for (size_t i = 0; i < run.nr_metrics; i++)
		if (!strcmp(run.metrics[i].name, "samples.dropped")) {
			assert_true(run.metrics[i].value == 12345.0);
			found = true;
		}
	assert_true(found);
	store_run_free(&run);
}

static void test_a_record_cut_by_a_drain_is_taken_once_whole(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_sample cs = { .tsc = 5, .nr_running = 3 };
	struct buf whole = { 0 };
	record_put(&whole, VMS_REC_SAMPLE, &cs, sizeof(cs));
	record_put(&whole, VMS_REC_SAMPLE, &cs, sizeof(cs));
	size_t cut = whole.len / 2 + 3; /* the second record's middle */
	assert_int_equal(buf_append(&f->vm->samples_buf, whole.data, cut), 0);
	vm_samples_take(f->vm);
	assert_int_equal(f->res->nr_samples, 1);
	assert_int_equal(f->vm->samples_buf.len, cut - whole.len / 2);
	assert_int_equal(buf_append(&f->vm->samples_buf, whole.data + cut, whole.len - cut), 0);
	vm_samples_take(f->vm);
	assert_int_equal(f->res->nr_samples, 2);
	assert_int_equal(f->res->samples[1].nr_running, 3);
	assert_int_equal(f->vm->samples_buf.len, 0);
	buf_free(&whole);
	vm_results_finish(f->vm);
	assert_int_equal(f->res->status, VM_DONE);
}

static void test_a_broken_sample_mid_run_ends_the_run(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_sample cs = { .tsc = 5 };
	atomic_store(&f->vm->status, VM_RUNNING);
	record_put(&f->vm->samples_buf, VMS_REC_SAMPLE, &cs, sizeof(cs));
	vm_samples_take(f->vm);
	struct vms_rec_boot boot = { 0 };
	record_put(&f->vm->samples_buf, VMS_REC_BOOT, &boot, sizeof(boot)); /* not a samples record */
	record_put(&f->vm->samples_buf, VMS_REC_SAMPLE, &cs, sizeof(cs));
	vm_samples_take(f->vm);
	assert_int_equal(atomic_load(&f->vm->status), VM_BAD_GUEST);
	vm_samples_take(f->vm); /* again: nothing more is read */
	vm_results_finish(f->vm);
	assert_int_equal(f->res->status, VM_BAD_GUEST);
	if (!strstr(f->res->reason, "samples ring, 48 bytes in: record type 1 (boot) in the samples ring"))
		fail_msg("reason: %s", f->res->reason);
	assert_int_equal(f->res->nr_samples, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_flood_of_samples_stays_within_the_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dropped_samples_are_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_record_cut_by_a_drain_is_taken_once_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_broken_sample_mid_run_ends_the_run, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
