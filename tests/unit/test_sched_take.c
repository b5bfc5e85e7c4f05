/*
 * What the host takes of the scheduler's records (harness/records/sched.c) and makes
 * of them: one record per CPU, its domains named as levels, spanning the CPU, within
 * the guest's CPUs, each spanning its child, at most VMS_SD_MAX_LEVELS; anything else
 * makes a "done" run a protocol violation whose reason names the CPU and the cause.
 * Then the sched.* metrics (totals, per idle type, per level) and the text table. No
 * KVM: a struct vm with only its rings' buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "records/family.h"
#include "records/sched.h"
#include "store/store.h"
#include "vmm/vm_internal.h"
#include "helpers.h"
#include "store_helpers.h"
#include "record_helpers.h"

#define NR_CPUS 4

struct fixture {
	struct record_vm *rv;
	struct vm *vm;
	struct vm_result *res;
};

/* A 4-CPU guest (1 package, 2 cores of 2 threads) that has written its boot and CPU records. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->rv = record_vm_new(NR_CPUS, NULL);
	f->vm = f->rv->vm;
	f->res = f->rv->res;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	record_vm_free(f->rv);
	free(f);
	return 0;
}

/* CPU i: SMT over its core's two threads, MC over the package; counters that add up to round sums. */
static struct vms_rec_schedstat record_ok(uint32_t i)
{
	struct vms_rec_schedstat r = { .cpu = i, .package_id = 0, .core_id = i / 2, .thread_id = i % 2,
				       .pcount = 100, .run_delay = 1000000, .nr_moved_in = 2, .moved_in_wait_ns = 3000,
				       .ttwu_count = 10, .ttwu_local = 4, .nr_domains = 2 };
	strcpy(r.domains[0].name, "SMT");
	r.domains[0].span = 3ull << (i / 2 * 2);
	r.domains[0].nr_groups = 2;
	strcpy(r.domains[1].name, "MC");
	r.domains[1].span = 0xf;
	r.domains[1].nr_groups = 2;
	r.domains[0].stats.lb_gained[VMS_CPU_NEWLY_IDLE] = 1; /* newidle pulled from the sibling */
	r.domains[1].stats.lb_gained[VMS_CPU_NOT_IDLE] = 2;   /* the tick's across cores */
	r.domains[1].stats.lb_failed[VMS_CPU_IDLE] = 3;
	r.domains[1].stats.alb_count = 1;
	r.domains[1].stats.alb_pushed = 1;
	r.domains[0].stats.ttwu_wake_remote = 5;
	r.domains[1].stats.ttwu_wake_remote = 1;
	return r;
}

static void put(struct fixture *f, const struct vms_rec_schedstat *r)
{
	record_put(&f->vm->results_buf, VMS_REC_SCHEDSTAT, r, sizeof(*r));
}

static void put_all_ok(struct fixture *f)
{
	for (uint32_t i = 0; i < NR_CPUS; i++) {
		struct vms_rec_schedstat r = record_ok(i);
		put(f, &r);
	}
}

static void finish_refused(struct fixture *f, const char *phrase)
{
	record_vm_finish_refused(f->rv, phrase);
}

static void test_a_complete_run_is_taken_and_summed(void **state)
{
	struct fixture *f = *state;
	struct store_run r;

	put_all_ok(f);
	vm_results_finish(f->vm);
	if (f->res->status != VM_DONE)
		fail_msg("status %s: %s", vm_status_name(f->res->status), f->res->reason);
	const struct sched_records *s = sched_records(f->res);
	assert_int_equal(s->nr, NR_CPUS);
	assert_int_equal(s->cpus[3].domains[0].span, 0xc);

	assert_int_equal(store_run_from_vm_result(f->res, NULL, &r), 0); /* every name in a metric table */
	assert_true(run_metric_is(&r, "sched.lb_gained") == 12);
	assert_true(run_metric_is(&r, "sched.lb_gained.newly_idle") == 4);
	assert_true(run_metric_is(&r, "sched.lb_gained.busy") == 8);
	assert_true(run_metric_is(&r, "sched.lb_gained.idle") == 0);
	assert_true(run_metric_is(&r, "sched.lb_failed") == 12);
	assert_true(run_metric_is(&r, "sched.alb_pushed") == 4);
	assert_true(run_metric_is(&r, "sched.ttwu_wake_remote") == 24);
	assert_true(run_metric_is(&r, "sched.ttwu_count") == 40);
	assert_true(run_metric_is(&r, "sched.migrations") == 8);
	assert_true(run_metric_is(&r, "sched.migration_wait_ns") == 12000);
	assert_true(run_metric_is(&r, "sched.migration_wait_ns_mean") == 1500);
	assert_true(run_metric_is(&r, "sched.run_delay_ns_mean") == 10000);
	assert_true(run_metric_is(&r, "sched.SMT.lb_gained") == 4);
	assert_true(run_metric_is(&r, "sched.SMT.cpus") == 4);
	assert_true(run_metric_is(&r, "sched.MC.lb_gained") == 8);
	assert_true(run_metric_is(&r, "sched.MC.ttwu_wake_remote") == 4);
	assert_null(run_metric(&r, "sched.PKG.lb_gained")); /* no such level here */
	for (size_t i = 0; i < r.nr_metrics; i++)
		for (size_t k = i + 1; k < r.nr_metrics; k++)
			if (!strcmp(r.metrics[i].name, r.metrics[k].name))
				fail_msg("metric %s twice", r.metrics[i].name);
	store_run_free(&r);

	/* The text: a line of totals, a row per CPU with its topology and domains. */
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	record_families[RECORD_FAMILY_sched]->text(out, f->res, NULL);
	assert_int_equal(fclose(out), 0);
	assert_has(text, "load_balance pulled 12 tasks");
	assert_has(text, "8 moved tasks waited 0.002 ms each");
	assert_has(text, "pkg/core/thr");
	assert_has(text, "   3 0/1/1        SMT:2-3 MC:0-3");
	free(text);
}

static void test_a_second_record_for_a_cpu(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_schedstat r = record_ok(2);
	put_all_ok(f);
	put(f, &r);
	finish_refused(f, "schedstat record for CPU 2 a second time");
}

static void test_a_cpu_beyond_the_guests(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_schedstat r = record_ok(0);
	r.cpu = NR_CPUS;
	put(f, &r);
	finish_refused(f, "schedstat record for CPU 4 of 4");
}

static void test_more_domains_than_levels(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_schedstat r = record_ok(1);
	r.nr_domains = VMS_SD_MAX_LEVELS + 1;
	put(f, &r);
	finish_refused(f, "schedstat of CPU 1: 4 domains, at most 3");
}

static void test_a_span_outside_the_cpus(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_schedstat r = record_ok(1);
	r.domains[1].span = 0x1f; /* CPU 4 of a 4-CPU guest */
	put(f, &r);
	finish_refused(f, "domain MC spans 0x1f, not within the 4 CPUs");
}

static void test_a_span_without_its_cpu(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_schedstat r = record_ok(1);
	r.domains[0].span = 0xc;
	put(f, &r);
	finish_refused(f, "schedstat of CPU 1: domain SMT spans 0xc");
}

static void test_a_domain_not_spanning_its_child(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_schedstat r = record_ok(0);
	r.domains[0].span = 0x7; /* SMT over three CPUs, MC over two of them */
	r.domains[1].span = 0x3;
	put(f, &r);
	finish_refused(f, "schedstat of CPU 0: domain MC does not span its child SMT");
}

static void test_a_name_that_is_no_level(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_schedstat r = record_ok(0), unterminated = record_ok(1), empty = record_ok(2);
	strcpy(r.domains[1].name, "mc.x"); /* it would make a metric's name */
	put(f, &r);
	finish_refused(f, "schedstat of CPU 0: domain 1's name is not a level's");
	teardown(state);
	setup(state);
	f = *state;
	memset(unterminated.domains[0].name, 'A', sizeof(unterminated.domains[0].name));
	put(f, &unterminated);
	finish_refused(f, "schedstat of CPU 1: domain 0 has no name");
	teardown(state);
	setup(state);
	f = *state;
	empty.domains[0].name[0] = 0;
	put(f, &empty);
	finish_refused(f, "schedstat of CPU 2: domain 0 has no name");
}

static void test_groups_within_the_cpus(void **state)
{
	struct fixture *f = *state;
	struct vms_rec_schedstat r = record_ok(3);
	r.domains[1].nr_groups = 0;
	put(f, &r);
	finish_refused(f, "schedstat of CPU 3: domain MC has 0 groups");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_complete_run_is_taken_and_summed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_second_record_for_a_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_cpu_beyond_the_guests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_more_domains_than_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_span_outside_the_cpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_span_without_its_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_domain_not_spanning_its_child, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_name_that_is_no_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_groups_within_the_cpus, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
