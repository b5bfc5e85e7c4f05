/*
 * What the host makes of journal records (harness/records/jbd2_metrics.c, jbd2_json.c,
 * jbd2_text.c), from records made by hand: the metric names and values (the /proc
 * averages, the commit percentiles from the histogram as fio computes clat's, the
 * bytes and the write amplification), the commit histogram kept for the report, the
 * fsync split merged over a section's clones, boot --json's "journal" and
 * "journal_fsync" arrays, and the text summary in /proc/fs/jbd2/DEV/info's words.
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
#include "records/jbd2.h"
#include "store/store.h"
#include "util/hist_stats.h"
#include "vmm/vm.h"
#include "store_helpers.h"

#define MS 1000000ull

struct fixture {
	struct vm_result *res;
	struct vms_workload *wl;
};

/* vdb's journal in data=journal: 100 commits, 90 of 1 ms, 9 of 10 ms, one of 150 ms; 8
 * MiB written into files reach the disk as 8 MiB data, 1 MiB metadata, 9 MiB journal.
 * Jobs 0 and 1: section "log" with two clones, fsyncing. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_non_null(f->res = calloc(1, sizeof(*f->res)));
	assert_non_null(f->wl = calloc(1, sizeof(*f->wl) + 2 * sizeof(struct vms_job)));
	f->wl->nr_jobs = 2;
	f->wl->jobs[0] = (struct vms_job){ .name = "log", .rw = VMS_RW_WRITE, .path = "log" };
	f->wl->jobs[1] = (struct vms_job){ .name = "log", .rw = VMS_RW_WRITE, .path = "log.1", .clone = 1 };
	f->res->status = VM_DONE;

	struct jbd2_records *b = jbd2_records_get(f->res);
	assert_non_null(b);
	struct vms_rec_jbd2 *r = &b->disks[1];
	*r = (struct vms_rec_jbd2){ .disk = 1, .data_mode = VMS_DATA_JOURNAL, .barrier = 1, .commit_interval_s = 5,
				    .journal_blocks = 8192, .max_transaction_blocks = 2047, .transactions = 100,
				    .commits_forced = 40, .handles = 1050, .blocks = 2350, .blocks_logged = 2580,
				    .wait_ns_sum = 20 * MS, .request_delay_ns_sum = 80 * MS, .run_ns_sum = 5100 * MS,
				    .lock_ns_sum = 30 * MS, .flush_ns_sum = 0, .logging_ns_sum = 300 * MS,
				    .commit_ns_sum = 330 * MS, .commit_ns_max = 150 * MS, .checkpoints = 2,
				    .data_bytes = 8 << 20, .metadata_bytes = 1 << 20, .journal_bytes = 9 << 20,
				    .file_bytes_written = 8 << 20 };
	r->commit_buckets[vms_hist_index(1 * MS)] = 90;
	r->commit_buckets[vms_hist_index(10 * MS)] = 9;
	r->commit_buckets[vms_hist_index(150 * MS)] = 1;
	b->seen[1] = true;
	b->nr = 1;
	assert_non_null(b->fsyncs = calloc(2, sizeof(*b->fsyncs)));
	b->nr_fsyncs = b->cap_fsyncs = 2;
	b->fsyncs[0] = (struct vms_rec_jbd2_fsync){ .job = 0, .fsyncs = 30, .data_ns_sum = 30 * MS,
						    .commit_wait_ns_sum = 60 * MS, .commit_io_ns_sum = 90 * MS };
	b->fsyncs[1] = (struct vms_rec_jbd2_fsync){ .job = 1, .fsyncs = 10, .data_ns_sum = 10 * MS,
						    .commit_wait_ns_sum = 20 * MS, .commit_io_ns_sum = 30 * MS };
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

static int near(double a, double b)
{
	return a - b < 1e-9 * (b < 0 ? -b : b) + 1e-12 && b - a < 1e-9 * (b < 0 ? -b : b) + 1e-12;
}

static void test_a_journal_s_metrics(void **state)
{
	struct fixture *f = *state;
	struct store_run r;

	assert_int_equal(store_run_from_vm_result(f->res, f->wl, &r), 0);
	assert_true(run_metric_is(&r, "journal.vdb.transactions") == 100);
	assert_true(run_metric_is(&r, "journal.vdb.commits_forced") == 40);
	assert_true(run_metric_is(&r, "journal.vdb.checkpoints") == 2);
	assert_true(run_metric_is(&r, "journal.vdb.blocks_logged") == 2580);
	assert_true(run_metric_is(&r, "journal.vdb.journal_blocks") == 8192);
	assert_true(run_metric_is(&r, "journal.vdb.bytes_data") == 8 << 20);
	assert_true(run_metric_is(&r, "journal.vdb.bytes_metadata") == 1 << 20);
	assert_true(run_metric_is(&r, "journal.vdb.bytes_journal") == 9 << 20);
	assert_true(run_metric_is(&r, "journal.vdb.bytes_workload") == 8 << 20);
	assert_true(near(run_metric_is(&r, "journal.vdb.write_amplification"), 18.0 / 8));
	assert_true(near(run_metric_is(&r, "journal.vdb.handles_per_transaction"), 10.5));
	assert_true(near(run_metric_is(&r, "journal.vdb.blocks_per_transaction"), 23.5));
	assert_true(near(run_metric_is(&r, "journal.vdb.logged_blocks_per_transaction"), 25.8));
	assert_true(near(run_metric_is(&r, "journal.vdb.commit_ms_avg"), 3.3));
	assert_true(near(run_metric_is(&r, "journal.vdb.commit_ms_max"), 150));
	assert_true(near(run_metric_is(&r, "journal.vdb.wait_ms_avg"), 0.2));
	assert_true(near(run_metric_is(&r, "journal.vdb.request_delay_ms_avg"), 2)); /* over the 40 requested */
	assert_true(near(run_metric_is(&r, "journal.vdb.run_ms_avg"), 51));
	assert_true(near(run_metric_is(&r, "journal.vdb.lock_ms_avg"), 0.3));
	assert_true(near(run_metric_is(&r, "journal.vdb.flush_ms_avg"), 0));
	assert_true(near(run_metric_is(&r, "journal.vdb.logging_ms_avg"), 3));
	assert_null(run_metric(&r, "journal.vda.transactions")); /* vda has no journal */
	/* fio's rule: 90 commits reach p50 and p90 in 1 ms's bucket, 99 reach p99 in 10 ms's */
	assert_true(run_metric_is(&r, "journal.vdb.commit_p50_ms") == (double)vms_hist_value(vms_hist_index(1 * MS)) / 1e6);
	assert_true(run_metric_is(&r, "journal.vdb.commit_p90_ms") == (double)vms_hist_value(vms_hist_index(1 * MS)) / 1e6);
	assert_true(run_metric_is(&r, "journal.vdb.commit_p99_ms") == (double)vms_hist_value(vms_hist_index(10 * MS)) / 1e6);
	assert_true(run_metric_is(&r, "journal.vdb.commit_p999_ms") == (double)vms_hist_value(vms_hist_index(150 * MS)) / 1e6);
	double p99 = run_metric_is(&r, "journal.vdb.commit_p99_ms");
	assert_true(p99 >= 10.0 * 63 / 64 && p99 <= 10.0 * 65 / 64);
	/* the histogram is kept for the report, whole */
	const struct store_hist *h = NULL;
	for (size_t i = 0; i < r.nr_hists; i++)
		if (!strcmp(r.hists[i].name, "journal.vdb.commit_ns"))
			h = &r.hists[i];
	assert_non_null(h);
	assert_int_equal(hist_total64(h->counts, VMS_HIST_NR), 100);
	assert_int_equal(h->counts[vms_hist_index(10 * MS)], 9);
	for (size_t i = 0; i < r.nr_metrics; i++)
		for (size_t k = i + 1; k < r.nr_metrics; k++)
			if (!strcmp(r.metrics[i].name, r.metrics[k].name))
				fail_msg("metric %s twice", r.metrics[i].name);
	store_run_free(&r);
}

/* An idle journal: its counts, no averages, no histogram; nothing written into files: no amplification. */
static void test_an_idle_journal_has_no_averages(void **state)
{
	struct fixture *f = *state;
	struct store_run r;
	struct vms_rec_jbd2 *d = &jbd2_records_get(f->res)->disks[1];

	*d = (struct vms_rec_jbd2){ .disk = 1, .data_mode = VMS_DATA_ORDERED, .commit_interval_s = 5,
				    .journal_blocks = 1024, .max_transaction_blocks = 255, .metadata_bytes = 4096 };
	assert_int_equal(store_run_from_vm_result(f->res, f->wl, &r), 0);
	assert_true(run_metric_is(&r, "journal.vdb.transactions") == 0);
	assert_true(run_metric_is(&r, "journal.vdb.bytes_metadata") == 4096);
	assert_null(run_metric(&r, "journal.vdb.commit_ms_avg"));
	assert_null(run_metric(&r, "journal.vdb.handles_per_transaction"));
	assert_null(run_metric(&r, "journal.vdb.write_amplification"));
	for (size_t i = 0; i < r.nr_hists; i++)
		assert_string_not_equal(r.hists[i].name, "journal.vdb.commit_ns");
	store_run_free(&r);
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	assert_non_null(m);
	jbd2_text(m, f->res, f->wl);
	fclose(m);
	if (!strstr(text, "  0 transactions (0 requested), each up to 255 blocks\n") || strstr(text, "average"))
		fail_msg("an idle journal's summary:\n%s", text);
	free(text);
}

/* The clones of "log" are one entry, as fio reports them. */
static void test_fsync_metrics_merge_a_section_s_clones(void **state)
{
	struct fixture *f = *state;
	struct store_run r;

	assert_int_equal(store_run_from_vm_result(f->res, f->wl, &r), 0);
	assert_true(run_metric_is(&r, "journal.fsync.log.fsyncs") == 40);
	assert_true(near(run_metric_is(&r, "journal.fsync.log.data_ms_avg"), 1));
	assert_true(near(run_metric_is(&r, "journal.fsync.log.commit_wait_ms_avg"), 2));
	assert_true(near(run_metric_is(&r, "journal.fsync.log.commit_io_ms_avg"), 3));
	store_run_free(&r);
	/* Without a job file there are no jobs to name. */
	assert_int_equal(store_run_from_vm_result(f->res, NULL, &r), 0);
	assert_null(run_metric(&r, "journal.fsync.log.fsyncs"));
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

static void test_boot_json_has_journal_arrays(void **state)
{
	struct fixture *f = *state;
	char *text = summary_of(f, true);
	json_error_t e;
	json_t *doc = json_loads(text, 0, &e);
	if (!doc)
		fail_msg("not JSON: %s", e.text);

	assert_int_equal(json_array_size(at(doc, "journal")), 1);
	assert_string_equal(json_string_value(at(doc, "journal.0.disk")), "vdb");
	assert_string_equal(json_string_value(at(doc, "journal.0.data_mode")), "journal");
	assert_int_equal(int_at(doc, "journal.0.transactions"), 100);
	assert_int_equal(int_at(doc, "journal.0.commits_forced"), 40);
	assert_int_equal(int_at(doc, "journal.0.max_transaction_blocks"), 2047);
	assert_int_equal(int_at(doc, "journal.0.logging_ns_sum"), 300 * MS);
	assert_int_equal(int_at(doc, "journal.0.bytes.journal"), 9 << 20);
	assert_int_equal(int_at(doc, "journal.0.bytes.workload"), 8 << 20);
	assert_int_equal(int_at(doc, "journal.0.commit_ns.N"), 100);
	assert_int_equal(int_at(doc, "journal.0.commit_ns.max"), 150 * MS);
	json_t *p99 = json_object_get(at(doc, "journal.0.commit_ns.percentile"), "99.000000");
	assert_int_equal(json_integer_value(p99), vms_hist_value(vms_hist_index(10 * MS)));
	assert_true(near(json_real_value(at(doc, "journal.0.write_amplification")), 2.25));
	assert_true(near(json_real_value(at(doc, "journal.0.handles_per_transaction")), 10.5));
	assert_true(near(json_real_value(at(doc, "journal.0.commit_ms_avg")), 3.3));
	assert_true(near(json_real_value(at(doc, "journal.0.request_delay_ms_avg")), 2));
	/* per fsyncing job, as the guest sent them */
	assert_int_equal(json_array_size(at(doc, "journal_fsync")), 2);
	assert_string_equal(json_string_value(at(doc, "journal_fsync.1.jobname")), "log");
	assert_int_equal(int_at(doc, "journal_fsync.0.fsyncs"), 30);
	assert_true(near(json_real_value(at(doc, "journal_fsync.0.commit_io_ms_avg")), 3));
	json_decref(doc);
	free(text);

	/* Without commits the averages are null (not a NaN that would fail the document). */
	struct vms_rec_jbd2 *d = &jbd2_records_get(f->res)->disks[1];
	*d = (struct vms_rec_jbd2){ .disk = 1, .commit_interval_s = 5, .journal_blocks = 1024,
				    .max_transaction_blocks = 255, .data_bytes = UINT64_MAX };
	text = summary_of(f, true);
	assert_non_null(doc = json_loads(text, 0, NULL));
	assert_true(json_is_null(at(doc, "journal.0.commit_ms_avg")));
	assert_true(json_is_null(at(doc, "journal.0.write_amplification")));
	assert_null(json_object_get(at(doc, "journal.0.commit_ns"), "percentile"));
	assert_true(int_at(doc, "journal.0.bytes.data") > 0); /* clamped, not negative */
	json_decref(doc);
	free(text);

	record_families_free(f->res);
	text = summary_of(f, true);
	assert_non_null(doc = json_loads(text, 0, NULL));
	assert_null(json_object_get(doc, "journal"));
	assert_null(json_object_get(doc, "journal_fsync"));
	json_decref(doc);
	free(text);
}

/* Linux's lines (fs/jbd2/journal.c jbd2_seq_info_show), its integer division included. */
static void test_the_text_summary_has_proc_s_lines(void **state)
{
	struct fixture *f = *state;
	char *text = summary_of(f, false);
	static const char *const phrases[] = {
		"journal vdb (data=journal, barrier=1, commit=5 s, 8192 blocks):\n",
		"  100 transactions (40 requested), each up to 2047 blocks\n",
		"  average: \n",
		"    0ms waiting for transaction\n",
		"    2ms request delay\n",
		"    51ms running transaction\n",
		"    0ms transaction was being locked\n",
		"    0ms flushing data (in ordered mode)\n",
		"    3ms logging transaction\n",
		"    3300us average transaction commit time\n",
		"    10 handles per transaction\n",
		"    23 blocks per transaction\n",
		"    25 logged blocks per transaction\n",
		"  commit time: p50 1.0",
		"max 150.000 ms; 2 checkpoints\n",
		"  bytes: 8.00 MiB written into files; to the disk 8.00 MiB data, 1.00 MiB metadata, 9.00 MiB journal: "
		"write amplification 2.25\n",
		"journal fsyncs:\n",
		"  'log' (job 0): 30 fsyncs, each 1.000 ms writing its data, 2.000 ms waiting for the commit, 3.000 ms in "
		"the commit's I/O\n",
	};
	for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		if (!strstr(text, phrases[i]))
			fail_msg("the summary lacks \"%s\":\n%s", phrases[i], text);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_journal_s_metrics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_an_idle_journal_has_no_averages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsync_metrics_merge_a_section_s_clones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_json_has_journal_arrays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_text_summary_has_proc_s_lines, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
