/*
 * What the host makes of writeback records (harness/records/wb_metrics.c, wb_json.c,
 * wb_text.c), from records made by hand: the metric names and values (the era, the
 * thresholds, per disk who wrote the pages, per writer entry its pauses merged as fio
 * merges a section's clones, percentiles from the pause histogram as fio computes
 * clat's, the write time split), the time series, the "writeback" object of
 * `vmsweep boot --json` with its samples in columns, and the text summary.
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

#include "cmd/boot_options.h"
#include "cmd/boot_report.h"
#include "records/wb.h"
#include "store/store.h"
#include "util/hist_stats.h"
#include "vmm/vm.h"
#include "store_helpers.h"

#define MS 1000000ull

struct fixture {
	struct vm_result *res;
	struct vms_workload *wl;
};

/* Jobs 0 and 1: section "dd" with two clones; job 2 "solo", never throttled. Pauses of
 * clone 0: 90 of 1 ms, 9 of 10 ms; clone 1: one of 150 ms. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_non_null(f->res = calloc(1, sizeof(*f->res)));
	assert_non_null(f->wl = calloc(1, sizeof(*f->wl) + 3 * sizeof(struct vms_job)));
	struct vm_result *res = f->res;
	struct vms_workload *wl = f->wl;
	wl->nr_jobs = 3;
	wl->jobs[0] = (struct vms_job){ .name = "dd", .rw = VMS_RW_WRITE };
	wl->jobs[1] = (struct vms_job){ .name = "dd", .rw = VMS_RW_WRITE, .clone = 1 };
	wl->jobs[2] = (struct vms_job){ .name = "solo", .rw = VMS_RW_RANDWRITE, .group = 1 };
	res->status = VM_DONE;
	res->tsc_khz = 1000000; /* 1 GHz: a TSC tick is 1 ns */
	res->have_boot = true;
	res->boot.tsc_first = 1000;

	struct wb_records *w = wb_records_get(res);
	assert_non_null(w);
	w->have_end = true;
	struct vms_rec_wb *r = &w->end;
	*r = (struct vms_rec_wb){ .model = VMS_WB_PDFLUSH, .nr_disks = 2, .dirty_ratio = 40, .dirty_background_ratio = 10,
				  .dirtyable_at_end = 60000, .thresh_at_end = 24000, .bg_thresh_at_end = 6000,
				  .ratelimit_pages = 32, .pdflush_threads_min = 2, .pdflush_threads_max = 5,
				  .pdflush_created = 5, .pdflush_exited = 3, .pdflush_busy_refusals = 7 };
	r->disks[0].dirtied = 1000;
	r->disks[0].written = 900;
	r->disks[0].written_by[VMS_WB_BY_FLUSHER_BACKGROUND] = 600;
	r->disks[0].written_by[VMS_WB_BY_DIRTIER] = 300;
	r->disks[0].written_by[VMS_WB_BY_FSYNC] = 20;
	r->disks[0].works[1] = 4;
	r->disks[0].congested_ns = 1500 * MS;

	assert_non_null(w->writers = calloc(3, sizeof(*w->writers)));
	w->nr_writers = w->cap_writers = 3;
	struct vms_rec_wb_writer *c0 = &w->writers[0], *c1 = &w->writers[1], *solo = &w->writers[2];
	*c0 = (struct vms_rec_wb_writer){ .job = 0, .writes = 100, .pages_dirtied = 25600, .pauses = 99,
					  .pause_max_ns = 10 * MS, .pause_sum_ns = 180 * MS, .period_sum_ns = 200 * MS,
					  .think_sum_ns = -(int64_t)(400 * MS), .throttled_writes = 60,
					  .time_ns = { 600 * MS, 300 * MS, 0, 100 * MS } };
	c0->pause_buckets[vms_hist_index(1 * MS)] = 90;
	c0->pause_buckets[vms_hist_index(10 * MS)] = 9;
	*c1 = (struct vms_rec_wb_writer){ .job = 1, .writes = 100, .pages_dirtied = 25600, .pauses = 1,
					  .pause_max_ns = 150 * MS, .pause_sum_ns = 150 * MS, .period_sum_ns = 100 * MS,
					  .think_sum_ns = 200 * MS, .throttled_writes = 1,
					  .time_ns = { 800 * MS, 150 * MS, 50 * MS, 0 } };
	c1->pause_buckets[vms_hist_index(150 * MS)] = 1;
	*solo = (struct vms_rec_wb_writer){ .job = 2, .writes = 10, .pages_dirtied = 10, .time_ns = { 10000, 0, 0, 0 } };

	assert_non_null(w->samples = calloc(2, sizeof(*w->samples)));
	w->nr_samples = w->cap_samples = 2;
	for (unsigned k = 0; k < 2; k++) {
		struct vms_rec_wb_sample *s = &w->samples[k];
		*s = (struct vms_rec_wb_sample){ .tsc = 1000 + 100 * MS * k, .nr_dirty = 3000 + k, .nr_writeback = 500,
						 .bg_thresh = 6000, .thresh = 24000, .freerun = 15000, .setpoint = 19500,
						 .limit = 24000, .nr_pdflush_threads = 2 + k, .nr_disks = 2 };
		s->disks[0] = (struct vms_wb_disk_sample){ .wb_dirty = 3500, .wb_thresh = 24000, .dirty_ratelimit = 25600,
							    .balanced_dirty_ratelimit = 25000, .write_bw = 25600 + k,
							    .avg_write_bw = 25600, .dirty_rate = 30000, .congested = k };
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

static const struct store_series *series(const struct store_run *r, const char *name)
{
	for (size_t i = 0; i < r->nr_series; i++)
		if (!strcmp(r->series[i].name, name))
			return &r->series[i];
	return NULL;
}

static double near(double a, double b)
{
	return a - b < 1e-9 * (b < 0 ? -b : b) + 1e-12 && b - a < 1e-9 * (b < 0 ? -b : b) + 1e-12;
}

static void test_the_end_record_s_metrics(void **state)
{
	struct fixture *f = *state;
	struct store_run r;

	assert_int_equal(store_run_from_vm_result(f->res, f->wl, &r), 0);
	assert_true(run_metric_is(&r, "writeback.model") == VMS_WB_PDFLUSH);
	assert_true(run_metric_is(&r, "writeback.dirty_ratio") == 40);
	assert_true(run_metric_is(&r, "writeback.thresh_pages") == 24000);
	assert_true(run_metric_is(&r, "writeback.bg_thresh_pages") == 6000);
	assert_true(run_metric_is(&r, "writeback.dirtyable_pages") == 60000);
	assert_true(run_metric_is(&r, "writeback.pdflush_threads_max") == 5);
	assert_true(run_metric_is(&r, "writeback.pdflush_busy_refusals") == 7);
	assert_true(run_metric_is(&r, "disk.vda.writeback.dirtied") == 1000);
	assert_true(run_metric_is(&r, "disk.vda.writeback.written") == 900);
	assert_true(run_metric_is(&r, "disk.vda.writeback.written_by_background") == 600);
	assert_true(run_metric_is(&r, "disk.vda.writeback.written_by_dirtier") == 300);
	assert_true(run_metric_is(&r, "disk.vda.writeback.written_by_fsync") == 20);
	assert_true(run_metric_is(&r, "disk.vda.writeback.written_by_reclaim") == 0);
	assert_true(run_metric_is(&r, "disk.vda.writeback.works_periodic") == 4);
	assert_true(run_metric_is(&r, "disk.vda.writeback.congested_ns") == 1500 * MS);
	assert_true(run_metric_is(&r, "disk.vdb.writeback.dirtied") == 0); /* every disk of the record */
	assert_null(run_metric(&r, "disk.vdc.writeback.dirtied"));
	store_run_free(&r);

	/* The other eras have no pdflush pool. */
	wb_records_get(f->res)->end.model = VMS_WB_IOLESS;
	assert_int_equal(store_run_from_vm_result(f->res, f->wl, &r), 0);
	assert_true(run_metric_is(&r, "writeback.model") == VMS_WB_IOLESS);
	assert_null(run_metric(&r, "writeback.pdflush_created"));
	store_run_free(&r);
}

/* The clones of "dd" are one entry, as fio reports them; "solo" never paused. */
static void test_writer_metrics_merge_a_section_s_clones(void **state)
{
	struct fixture *f = *state;
	struct store_run r;

	assert_int_equal(store_run_from_vm_result(f->res, f->wl, &r), 0);
	assert_true(run_metric_is(&r, "writeback.dd.writes") == 200);
	assert_true(run_metric_is(&r, "writeback.dd.pages_dirtied") == 51200);
	assert_true(run_metric_is(&r, "writeback.dd.throttled_writes") == 61);
	assert_true(run_metric_is(&r, "writeback.dd.pauses") == 100);
	assert_true(run_metric_is(&r, "writeback.dd.pause_max_ns") == 150 * MS);
	assert_true(near(run_metric_is(&r, "writeback.dd.pause_mean_ns"), 330.0 * MS / 100));
	assert_true(near(run_metric_is(&r, "writeback.dd.period_mean_ns"), 300.0 * MS / 100));
	/* think is signed: -400 ms + 200 ms over 100 pauses */
	assert_true(near(run_metric_is(&r, "writeback.dd.think_mean_ns"), -200.0 * MS / 100));
	/* time split: copy 1400, throttle 450, writeback wait 50, reclaim 100 ms over 200 writes */
	assert_true(near(run_metric_is(&r, "writeback.dd.copy_ns_per_write"), 1400.0 * MS / 200));
	assert_true(near(run_metric_is(&r, "writeback.dd.throttle_ns_per_write"), 450.0 * MS / 200));
	assert_true(near(run_metric_is(&r, "writeback.dd.writeback_wait_ns_per_write"), 50.0 * MS / 200));
	assert_true(near(run_metric_is(&r, "writeback.dd.reclaim_ns_per_write"), 100.0 * MS / 200));
	assert_true(near(run_metric_is(&r, "writeback.dd.copy_fraction"), 0.7));
	assert_true(near(run_metric_is(&r, "writeback.dd.throttle_fraction"), 0.225));
	assert_true(near(run_metric_is(&r, "writeback.dd.writeback_wait_fraction"), 0.025));
	assert_true(near(run_metric_is(&r, "writeback.dd.reclaim_fraction"), 0.05));
	assert_true(run_metric_is(&r, "writeback.solo.pauses") == 0);
	assert_true(run_metric_is(&r, "writeback.solo.copy_fraction") == 1);
	assert_null(run_metric(&r, "writeback.solo.pause_p99_ns"));
	assert_null(run_metric(&r, "writeback.solo.pause_max_ns"));
	/* The pause histogram is kept for the report's per-point percentiles; an empty one is not. */
	const struct store_hist *h = NULL;
	for (size_t i = 0; i < r.nr_hists; i++) {
		assert_string_not_equal(r.hists[i].name, "writeback.solo.pause_ns");
		if (!strcmp(r.hists[i].name, "writeback.dd.pause_ns"))
			h = &r.hists[i];
	}
	assert_non_null(h);
	assert_int_equal(hist_total64(h->counts, VMS_HIST_NR), 100);
	assert_int_equal(h->counts[vms_hist_index(10 * MS)], 9);
	for (size_t i = 0; i < r.nr_metrics; i++)
		for (size_t k = i + 1; k < r.nr_metrics; k++)
			if (!strcmp(r.metrics[i].name, r.metrics[k].name))
				fail_msg("metric %s twice", r.metrics[i].name);
	store_run_free(&r);

	/* Without a job file (the built-in workload) there are no writers to name. */
	assert_int_equal(store_run_from_vm_result(f->res, NULL, &r), 0);
	for (size_t i = 0; i < r.nr_metrics; i++)
		assert_false(strstr(r.metrics[i].name, "pause") != NULL);
	store_run_free(&r);
}

/* fio's rule (calc_clat_percentiles): the first bucket whose running count reaches p % of
 * all gives that bucket's value. 90 + 9 + 1 pauses: p50 in 1 ms's, p90 still there (90
 * reach 90 %), p99 in 10 ms's (99), p99.9 in 150 ms's. */
static void test_pause_percentiles_come_from_the_histogram_as_fio_s(void **state)
{
	struct fixture *f = *state;
	struct store_run r;

	assert_int_equal(store_run_from_vm_result(f->res, f->wl, &r), 0);
	assert_true(run_metric_is(&r, "writeback.dd.pause_p50_ns") == (double)vms_hist_value(vms_hist_index(1 * MS)));
	assert_true(run_metric_is(&r, "writeback.dd.pause_p90_ns") == (double)vms_hist_value(vms_hist_index(1 * MS)));
	assert_true(run_metric_is(&r, "writeback.dd.pause_p99_ns") == (double)vms_hist_value(vms_hist_index(10 * MS)));
	assert_true(run_metric_is(&r, "writeback.dd.pause_p999_ns") == (double)vms_hist_value(vms_hist_index(150 * MS)));
	/* Within the bucket's error (1/64 of the value), as fio's clat percentiles are. */
	double p99 = run_metric_is(&r, "writeback.dd.pause_p99_ns");
	assert_true(p99 >= 10.0 * MS * 63 / 64 && p99 <= 10.0 * MS * 65 / 64);
	/* The same numbers as the helpers the clat percentiles use, on one clone's record. */
	const struct vms_rec_wb_writer *c0 = &wb_records(f->res)->writers[0];
	assert_int_equal(hist_percentile(c0->pause_buckets, VMS_HIST_NR, 99), vms_hist_value(vms_hist_index(10 * MS)));
	store_run_free(&r);
}

static void test_the_samples_are_time_series(void **state)
{
	struct fixture *f = *state;
	struct store_run r;

	assert_int_equal(store_run_from_vm_result(f->res, f->wl, &r), 0);
	const struct store_series *s = series(&r, "writeback.nr_dirty");
	assert_non_null(s);
	assert_int_equal(s->n, 2);
	assert_int_equal(s->v[0].t_ns, 0); /* from CPU 0's first instruction */
	assert_int_equal(s->v[1].t_ns, 100 * MS);
	assert_true(s->v[1].value == 3001);
	assert_non_null(s = series(&r, "writeback.dirty"));
	assert_true(s->v[0].value == 3500); /* nr_dirty + nr_writeback */
	static const char *const present[] = { "writeback.nr_writeback", "writeback.bg_thresh", "writeback.thresh",
					       "writeback.freerun", "writeback.setpoint", "writeback.limit",
					       "writeback.vda.wb_dirty", "writeback.vda.wb_thresh",
					       "writeback.vda.dirty_ratelimit", "writeback.vda.balanced_dirty_ratelimit",
					       "writeback.vda.avg_write_bw", "writeback.vda.dirty_rate" };
	for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++)
		if (!series(&r, present[i]) || series(&r, present[i])->n != 2)
			fail_msg("no series %s of 2 samples", present[i]);
	assert_non_null(s = series(&r, "writeback.vda.write_bw"));
	assert_true(s->v[1].value == 25601);
	assert_non_null(s = series(&r, "writeback.nr_pdflush_threads"));
	assert_true(s->v[1].value == 3);
	assert_null(series(&r, "writeback.vdb.write_bw")); /* nothing dirtied on vdb */
	store_run_free(&r);

	/* Beyond pdflush there is no pool to draw. */
	wb_records_get(f->res)->end.model = VMS_WB_BDI;
	for (unsigned k = 0; k < 2; k++)
		wb_records_get(f->res)->samples[k].nr_pdflush_threads = 0;
	assert_int_equal(store_run_from_vm_result(f->res, f->wl, &r), 0);
	assert_null(series(&r, "writeback.nr_pdflush_threads"));
	store_run_free(&r);
}

static char *summary_of(struct fixture *f, bool json)
{
	struct boot_options o = { 0 };
	char *buf = NULL;
	size_t len = 0;
	vm_config_init(&o.vm);
	o.vm.kernel_path = "guest.elf";
	o.vm.workload = f->wl;
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	if (json)
		assert_int_equal(boot_report_json(m, &o, f->res), 0);
	else
		boot_report_text(m, m, &o, f->res);
	fclose(m);
	return buf;
}

static json_t *at(json_t *v, const char *path)
{
	char key[64];
	for (const char *p = path; v && *p;) {
		size_t n = strcspn(p, ".");
		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		v = json_is_array(v) ? json_array_get(v, strtoul(key, NULL, 10)) : json_object_get(v, key);
		p += n + (p[n] == '.');
	}
	if (!v)
		fail_msg("no %s", path);
	return v;
}

static json_int_t int_at(json_t *doc, const char *path)
{
	json_t *v = at(doc, path);
	if (!json_is_integer(v))
		fail_msg("%s is not an integer", path);
	return json_integer_value(v);
}

static void test_boot_json_has_a_writeback_object(void **state)
{
	struct fixture *f = *state;
	char *text = summary_of(f, true);
	json_error_t e;
	json_t *doc = json_loads(text, 0, &e);
	if (!doc)
		fail_msg("not JSON: %s", e.text);

	assert_string_equal(json_string_value(at(doc, "writeback.model")), "pdflush");
	assert_int_equal(int_at(doc, "writeback.thresh_at_end"), 24000);
	assert_int_equal(int_at(doc, "writeback.pdflush.created"), 5);
	assert_string_equal(json_string_value(at(doc, "writeback.disks.0.disk")), "vda");
	assert_int_equal(int_at(doc, "writeback.disks.0.written_by.dirtier"), 300);
	assert_int_equal(int_at(doc, "writeback.disks.0.works.periodic"), 4);
	/* Writers one by one, as the guest sent them. */
	assert_int_equal(json_array_size(at(doc, "writeback.writers")), 3);
	assert_string_equal(json_string_value(at(doc, "writeback.writers.1.jobname")), "dd");
	assert_int_equal(int_at(doc, "writeback.writers.0.pause_ns.N"), 99);
	json_t *p99 = json_object_get(at(doc, "writeback.writers.0.pause_ns.percentile"), "99.000000");
	assert_int_equal(json_integer_value(p99), vms_hist_value(vms_hist_index(10 * MS)));
	assert_true(near(json_real_value(at(doc, "writeback.writers.0.pause_ns.think_mean")), -400.0 * MS / 99));
	assert_true(near(json_real_value(at(doc, "writeback.writers.0.time_fraction.copy")), 0.6));
	assert_true(near(json_real_value(at(doc, "writeback.writers.1.ns_per_write.writeback_wait")), 50.0 * MS / 100));
	assert_null(json_object_get(at(doc, "writeback.writers.2.pause_ns"), "percentile"));
	/* Samples in columns, per disk under its name. */
	assert_int_equal(int_at(doc, "writeback.samples.n"), 2);
	assert_int_equal(int_at(doc, "writeback.samples.t_us.1"), 100000);
	assert_int_equal(int_at(doc, "writeback.samples.nr_dirty.1"), 3001);
	assert_int_equal(int_at(doc, "writeback.samples.limit.0"), 24000);
	assert_int_equal(int_at(doc, "writeback.samples.nr_pdflush_threads.1"), 3);
	assert_int_equal(int_at(doc, "writeback.samples.disks.vda.write_bw.1"), 25601);
	assert_int_equal(int_at(doc, "writeback.samples.disks.vda.congested.1"), 1);
	assert_int_equal(json_array_size(at(doc, "writeback.samples.disks.vdb.wb_dirty")), 2);
	json_decref(doc);
	free(text);

	/* A guest counter beyond JSON's integers is clamped, not made negative. */
	wb_records_get(f->res)->end.disks[0].dirtied = UINT64_MAX;
	text = summary_of(f, true);
	assert_non_null(doc = json_loads(text, 0, NULL));
	assert_true(int_at(doc, "writeback.disks.0.dirtied") > 0);
	json_decref(doc);
	free(text);
}

static void test_no_records_no_object(void **state)
{
	struct fixture *f = *state;
	record_families_free(f->res);
	char *text = summary_of(f, true);
	json_t *doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	assert_null(json_object_get(doc, "writeback"));
	json_decref(doc);
	free(text);
	text = summary_of(f, false);
	assert_null(strstr(text, "writeback"));
	free(text);
}

static void test_the_text_summary(void **state)
{
	struct fixture *f = *state;
	char *text = summary_of(f, false);
	static const char *const phrases[] = {
		"writeback: pdflush, thresholds 6000 / 24000 pages (background / dirty) of 60000 dirtyable",
		"pdflush threads 2..5 (5 started, 3 exited, 7 times all busy)",
		"  vda: 1000 pages dirtied, 900 written; started by background 600, periodic 0, sync 0, dirtier 300, "
		"fsync 20, reclaim 0; flusher busy 0.00 s, congested 1.50 s",
		"  'dd' (job 0): 100 writes, 25600 pages dirtied, 99 pauses (p50 1.00 ms, p99 10.0",
		"  'solo' (job 2): 10 writes, 10 pages dirtied, 0 pauses; 1.0 us per write: copy 100.0%",
		"  2 samples: nr_dirty at most 3001 pages, nr_writeback at most 500",
	};
	for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		if (!strstr(text, phrases[i]))
			fail_msg("the summary lacks \"%s\":\n%s", phrases[i], text);
	assert_null(strstr(text, "vdb:")); /* a disk with nothing written is left out */
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_the_end_record_s_metrics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_metrics_merge_a_section_s_clones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_percentiles_come_from_the_histogram_as_fio_s, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_samples_are_time_series, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_json_has_a_writeback_object, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_records_no_object, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_text_summary, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
