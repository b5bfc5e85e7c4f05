/*
 * The memory manager's part of `vmsweep boot`'s summary (harness/records/mm_text.c, mm_json.c):
 * the text section (model, zones, nonzero vmstat counters, memory jobs with their
 * latency classes, Linux-like OOM reports) and the JSON objects "vmstat", "mem_jobs"
 * and "oom", and the memory jobs that fail the command.
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

#include "records/mm.h"
#include "vmm/vm.h"
#include "util/hist_stats.h"
#include "util/json_out.h"

#define assert_has(s, phrase)                                                             \
	do {                                                                              \
		if (!strstr((s), (phrase)))                                               \
			fail_msg("output lacks \"%s\":\n%s", (phrase), (s));              \
	} while (0)

struct fixture {
	struct vm_result *res;
	struct vms_workload *wl;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_non_null(f->res = calloc(1, sizeof(*f->res)));
	assert_non_null(f->wl = calloc(1, sizeof(*f->wl) + 2 * sizeof(struct vms_job)));
	struct vm_result *res = f->res;
	struct vms_workload *wl = f->wl;

	res->status = VM_DONE;
	mm_records_get(res)->have_vmstat = true;
	struct vms_rec_vmstat *v = &mm_records_get(res)->vmstat;
	v->min_free_kbytes = 1448;
	v->watermark_model = VMS_WMARK_4_6;
	v->kswapd_model = VMS_KSWAPD_2_6;
	v->watermark_scale_factor = 10;
	v->swappiness = 60;
	v->swap_pages = 16384;
	v->nr_zones = 2;
	v->zones[0] = (struct vms_zone_info){ .name = "DMA", .start_pfn = 1, .spanned_pages = 4095, .managed_pages = 3968,
					      .wmark_min = 7, .wmark_low = 8, .wmark_high = 9, .nr_free = 3000,
					      .min_free_seen = 2 };
	memcpy(v->zones[1].name, "Normal12", 8); /* all eight bytes: no NUL */
	v->zones[1].managed_pages = 28000;
	v->zones[1].wmark_min = 355;
	v->counters[VMS_VM_allocstall] = 12;
	v->counters[VMS_VM_pgscan_kswapd] = 4096;
	mm_records_get(res)->nr_vmstat_samples = 0;

	wl->nr_jobs = 2;
	wl->jobs[0] = (struct vms_job){ .name = "hog", .ioengine = VMS_IOENGINE_MEM, .mem_access = VMS_MEM_RANDOM,
					.size = 96ull << 20, .mem_working_set = 64ull << 20 };
	wl->jobs[1] = (struct vms_job){ .name = "disk", .rw = VMS_RW_READ };
	mm_records_get(res)->nr_mem_jobs = 1;
	assert_non_null(mm_records_get(res)->mem_jobs = calloc(2, sizeof(*mm_records_get(res)->mem_jobs)));
	mm_records_get(res)->mem_jobs[1].job = UINT32_MAX;
	struct vms_rec_mem_job *j = &mm_records_get(res)->mem_jobs[0];
	j->job = 0;
	j->error = 12;
	j->start_ns = 0;
	j->end_ns = 1500000000;
	j->pages_allocated = 24576;
	j->swapins = 3;
	struct vms_mem_lat_hist *h = &j->lat[VMS_MEM_ACCESS_SWAPIN];
	h->samples = 3;
	h->min_ns = 100000;
	h->max_ns = 2000000;
	h->sum_ns = 2300000;
	h->buckets[vms_hist_index(100000)] = 1;
	h->buckets[vms_hist_index(200000)] = 1;
	h->buckets[vms_hist_index(2000000)] = 1;

	mm_records_get(res)->nr_ooms = MM_OOM_KEEP + 2;
	for (unsigned i = 0; i < MM_OOM_KEEP; i++) {
		struct vms_rec_oom *o = &mm_records_get(res)->ooms[i];
		o->ns = 1234567890;
		o->pid = 7;
		o->order = 0;
		o->gfp_mask = 0xcc0;
		memcpy(o->comm, "hog", 4);
		o->victim_pid = 7;
		memcpy(o->victim_comm, "hog", 4);
		o->victim_rss = 20000;
		o->swap_total = 16384;
		o->nr_free = 300;
		o->nr_tasks = 2;
		o->tasks[0] = (typeof(o->tasks[0])){ .pid = 7, .rss = 20000, .swapents = 16384, .comm = "hog" };
		o->tasks[1] = (typeof(o->tasks[1])){ .pid = 1, .rss = 3, .comm = "init" };
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	record_families_free(f->res);
	free(f->res);
	free(f->wl);
	free(f);
	return 0;
}

static char *text_of(const struct fixture *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	mm_text(m, f->res, f->wl);
	fclose(m);
	return buf;
}

/* The memory manager's members of the JSON summary, as written and read back. */
static json_t *json_of(struct fixture *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct json_out o;
	assert_non_null(m);
	json_out_begin(&o, m);
	mm_json(&o, f->res, f->wl);
	assert_int_equal(json_out_end(&o), 0);
	fclose(m);
	json_error_t e;
	json_t *root = json_loads(buf, 0, &e);
	if (!root)
		fail_msg("not JSON (%s at %d:%d):\n%s", e.text, e.line, e.column, buf);
	free(buf);
	return root;
}

static void test_text_has_the_memory_section(void **state)
{
	struct fixture *f = *state;
	char *t = text_of(f);
	assert_has(t, "memory: watermark model 4.6 (kswapd 2.6, reclaim 4.8), thp never, min_free_kbytes 1448, watermark_scale_factor 10, swappiness 60, page-cluster 0\nmemory: swap 16384 pages, 0 pages in use at the end, 0 vmstat samples\n");
	assert_has(t, "DMA               1       4095       3968        7        8        9        3000           2         0\n");
	assert_has(t, "Normal12");
	assert_has(t, "  allocstall                                 12");
	assert_has(t, "pgscan_kswapd");
	if (strstr(t, "pgfree"))
		fail_msg("a zero counter printed:\n%s", t);
	assert_has(t, "memory job 'hog' (clone 0, random, 96 MiB, working set 64 MiB): 1.500 s, 24576 pages allocated");
	assert_has(t, "  swapin                  3");
	if (strstr(t, "  fast "))
		fail_msg("a class without samples printed:\n%s", t);
	assert_has(t, "error 12 (ENOMEM): the OOM killer ended it");
	assert_has(t, "OOM kill 1 of 18, at 1234.568 ms guest time:\nhog invoked oom-killer: gfp_mask=0xcc0, order=0, pid=7\n");
	assert_has(t, "Total swap = 65536kB\n");
	assert_has(t, "[      7]      20000      16384 hog\n[      1]          3          0 init\n");
	assert_has(t, "Out of memory: Killed process 7 (hog) anon-rss:80000kB, swapents:0\n");
	assert_has(t, "2 more OOM kills (their reports were not kept)\n");
	free(t);
}

static void test_text_without_the_memory_manager_is_empty(void **state)
{
	struct fixture *f = *state;
	mm_records_get(f->res)->have_vmstat = false;
	mm_records_get(f->res)->nr_ooms = 0;
	record_families_free(f->res);
	char *t = text_of(f);
	assert_string_equal(t, "");
	free(t);
	json_t *root = json_of(f);
	assert_int_equal(json_object_size(root), 0);
	json_decref(root);
}

static void test_json_has_vmstat_mem_jobs_and_oom(void **state)
{
	struct fixture *f = *state;
	json_t *root = json_of(f);

	json_t *v = json_object_get(root, "vmstat");
	assert_string_equal(json_string_value(json_object_get(v, "watermark_model")), "4.6");
	assert_int_equal(json_integer_value(json_object_get(v, "min_free_kbytes")), 1448);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "counters"), "allocstall")), 12);
	assert_int_equal(json_object_size(json_object_get(v, "counters")), VMS_NR_VMSTAT);
	json_t *zones = json_object_get(v, "zones");
	assert_int_equal(json_array_size(zones), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(zones, 1), "name")), "Normal12");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(zones, 1), "wmark_min")), 355);

	json_t *jobs = json_object_get(root, "mem_jobs");
	assert_int_equal(json_array_size(jobs), 1);
	json_t *j = json_array_get(jobs, 0);
	assert_string_equal(json_string_value(json_object_get(j, "jobname")), "hog");
	assert_int_equal(json_integer_value(json_object_get(j, "error")), 12);
	json_t *lat = json_object_get(j, "lat_ns");
	static const char *const classes[] = { "fast", "kswapd", "direct", "hit", "swapin" };
	for (size_t i = 0; i < 5; i++)
		assert_non_null(json_object_get(lat, classes[i]));
	json_t *swapin = json_object_get(lat, "swapin");
	assert_int_equal(json_integer_value(json_object_get(swapin, "N")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(swapin, "percentile"), "99.000000")),
			 vms_hist_value(vms_hist_index(2000000)));
	assert_null(json_object_get(json_object_get(lat, "fast"), "percentile"));

	json_t *oom = json_object_get(root, "oom");
	assert_int_equal(json_array_size(oom), MM_OOM_KEEP);
	assert_int_equal(json_integer_value(json_object_get(root, "oom_kills")), MM_OOM_KEEP + 2);
	json_t *o = json_array_get(oom, 0);
	assert_int_equal(json_integer_value(json_object_get(o, "gfp_mask")), 0xcc0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "victim"), "comm")), "hog");
	assert_int_equal(json_array_size(json_object_get(o, "tasks")), 2);
	json_decref(root);
}

static void test_a_memory_job_the_oom_killer_ended_fails_the_command(void **state)
{
	struct fixture *f = *state;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_int_equal(mm_failures(m, f->res, f->wl), 1);
	fclose(m);
	assert_string_equal(buf, "vmsweep boot: memory job 'hog' failed: error 12 (ENOMEM: the OOM killer ended it)\n");
	free(buf);
	mm_records_get(f->res)->mem_jobs[0].error = 0;
	assert_int_equal(mm_failures(stderr, f->res, f->wl), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_has_the_memory_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_without_the_memory_manager_is_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_has_vmstat_mem_jobs_and_oom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_memory_job_the_oom_killer_ended_fails_the_command, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
