/*
 * A Linux guest's output (backend/linux_sections.h) and its metric set
 * (backend/linux_metrics.h): the framing whole, cut, noisy and refused; real fio 3.33
 * json+ (tests/unit/data/linux/README says how each file was made) against values this
 * test computes from the same JSON by itself; vmstat deltas and zone watermarks from real
 * /proc snapshots; jbd2's info and schedstat in Linux 6.1's formats; and garbled input,
 * which must never crash nor store a name no metric table has or a wrong number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <jansson.h>

#include <cmocka.h>

#include "backend/linux_metrics.h"
#include "backend/linux_sections.h"
#include "helpers.h"
#include "store/store.h"
#include "util/hist_stats.h"
#include "vmsweep/workload.h"

#define DATA "tests/unit/data/linux/"

static char *file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (the tests run from the repository's top)", path);
	char *buf = NULL;
	size_t cap = 0, n = 0, got;
	do {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got);
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* A stream being built: sections from files or text, each ended with rc 0. */
struct stream {
	char *text;
	size_t len;
};

static void put(struct stream *s, const char *text, size_t n)
{
	s->text = realloc(s->text, s->len + n + 1);
	assert_non_null(s->text);
	memcpy(s->text + s->len, text, n);
	s->len += n;
	s->text[s->len] = 0;
}

static void puts_(struct stream *s, const char *text)
{
	put(s, text, strlen(text));
}

static void section_text(struct stream *s, const char *name, const char *text, size_t n)
{
	char line[128];
	snprintf(line, sizeof(line), "vmsweep-begin %s\n", name);
	puts_(s, line);
	put(s, text, n);
	if (n && text[n - 1] != '\n')
		puts_(s, "\n");
	snprintf(line, sizeof(line), "vmsweep-end %s rc=0\n", name);
	puts_(s, line);
}

static void section_file(struct stream *s, const char *name, const char *file)
{
	char path[256];
	size_t n;
	snprintf(path, sizeof(path), DATA "%s", file);
	char *text = file_read(path, &n);
	section_text(s, name, text, n);
	free(text);
}

static void parse_ok(const struct stream *st, struct linux_sections *out)
{
	char err[256] = "";
	if (linux_sections_parse(st->text, st->len, out, err, sizeof(err)))
		fail_msg("parse: %s", err);
}

static void parse_fails(const char *text, const char *phrase)
{
	struct linux_sections s;
	char err[256] = "";
	assert_int_equal(linux_sections_parse(text, strlen(text), &s, err, sizeof(err)), -1);
	assert_err_has(err, phrase);
	assert_int_equal(s.n, 0);
	assert_null(s.v);
}

/* Every metric: a name some table has, and a number that is not nonsense. */
static void assert_names_known(const struct store_run *r)
{
	for (size_t i = 0; i < r->nr_metrics; i++) {
		if (!metric_name_known(r->metrics[i].name))
			fail_msg("metric '%s' is in no metric table", r->metrics[i].name);
		double v = r->metrics[i].value;
		if (isinf(v) || v < 0)
			fail_msg("metric '%s' = %g", r->metrics[i].name, v);
		if (isnan(v) && !strstr(r->metrics[i].name, "iops") && !strstr(r->metrics[i].name, "bw_bytes") &&
		    !strstr(r->metrics[i].name, "_mean"))
			fail_msg("metric '%s' is NaN", r->metrics[i].name);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(r->metrics[k].name, r->metrics[i].name))
				fail_msg("metric '%s' twice", r->metrics[i].name);
	}
	for (size_t i = 0; i < r->nr_hists; i++)
		if (strncmp(r->hists[i].name, "fio.", 4) && strncmp(r->hists[i].name, "mem.", 4))
			fail_msg("histogram '%s'", r->hists[i].name);
}

static const struct store_metric *metric_find(const struct store_run *r, const char *name)
{
	for (size_t i = 0; i < r->nr_metrics; i++)
		if (!strcmp(r->metrics[i].name, name))
			return &r->metrics[i];
	return NULL;
}

static double metric(const struct store_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static double metric(const struct store_run *r, const char *fmt, ...)
{
	char name[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	const struct store_metric *m = metric_find(r, name);
	if (!m)
		fail_msg("no metric '%s'", name);
	return m->value;
}

static void assert_absent(const struct store_run *r, const char *name)
{
	if (metric_find(r, name))
		fail_msg("metric '%s' should be left out", name);
}

static void assert_near(double got, double want, const char *what)
{
	if (!(fabs(got - want) <= 1e-9 * fabs(want) + 1e-9))
		fail_msg("%s: %.9g, want %.9g", what, got, want);
}

/* linux_metrics over st, expecting want_bad ill-formed sections; names checked. */
static void metrics_of(const struct stream *st, const struct vms_workload *wl, struct store_run *r, int want_bad)
{
	struct linux_sections s;
	char err[256] = "";
	parse_ok(st, &s);
	memset(r, 0, sizeof(*r));
	int rc = linux_metrics(&s, wl, r, err, sizeof(err));
	if (rc != want_bad)
		fail_msg("linux_metrics: %d (want %d): %s", rc, want_bad, err);
	assert_names_known(r);
	linux_sections_free(&s);
}

/* ---- framing ---- */

static void test_framing_whole_with_crlf(void **state)
{
	(void)state;
	const char *text = "vmsweep-begin uname\r\nLinux 6.1.0-28-amd64\r\nvmsweep-end uname rc=0\r\n"
			   "vmsweep-begin fio.stderr\nline one\n\nline three\r\nvmsweep-end fio.stderr rc=1\n"
			   "vmsweep-begin empty\nvmsweep-end empty rc=0\n"
			   "vmsweep-done rc=0\r\n";
	struct linux_sections s;
	char err[256], why[256];
	assert_int_equal(linux_sections_parse(text, strlen(text), &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 3);
	assert_true(s.done);
	assert_int_equal(s.done_rc, 0);
	assert_string_equal(s.cut, "");
	assert_int_equal(s.stray_lines, 0);
	const struct linux_section *u = linux_section_find(&s, "uname");
	assert_non_null(u);
	assert_string_equal(u->data, "Linux 6.1.0-28-amd64\n");
	assert_int_equal(u->len, strlen(u->data));
	const struct linux_section *e = linux_section_find(&s, "fio.stderr");
	assert_string_equal(e->data, "line one\n\nline three\n");
	assert_int_equal(e->rc, 1);
	assert_string_equal(linux_section_find(&s, "empty")->data, "");
	assert_null(linux_section_find(&s, "fio.json"));
	assert_int_equal(linux_sections_complete(&s, why, sizeof(why)), 0);
	linux_sections_free(&s);
	linux_sections_free(&s); /* twice: harmless */
}

static void test_framing_cut_mid_section(void **state)
{
	(void)state;
	const char *text = "vmsweep-begin uname\nLinux\nvmsweep-end uname rc=0\n"
			   "vmsweep-begin fio.json\n{\n  \"fio version\" : \"fio-3.33\",\n  \"jo";
	struct linux_sections s;
	char err[256], why[256];
	assert_int_equal(linux_sections_parse(text, strlen(text), &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	assert_non_null(linux_section_find(&s, "uname"));
	assert_null(linux_section_find(&s, "fio.json"));
	assert_string_equal(s.cut, "fio.json");
	assert_int_equal(s.cut_bytes, strlen("{\n  \"fio version\" : \"fio-3.33\",\n  \"jo"));
	assert_false(s.done);
	assert_int_equal(linux_sections_complete(&s, why, sizeof(why)), -1);
	assert_has(why, "ends inside section 'fio.json'");
	linux_sections_free(&s);

	/* whole sections and no done; a done of a failed init */
	const char *nodone = "vmsweep-begin a\nx\nvmsweep-end a rc=0\n";
	assert_int_equal(linux_sections_parse(nodone, strlen(nodone), &s, err, sizeof(err)), 0);
	assert_int_equal(linux_sections_complete(&s, why, sizeof(why)), -1);
	assert_has(why, "without vmsweep-done");
	linux_sections_free(&s);
	const char *failed = "vmsweep-begin error\nmkfs failed\nvmsweep-end error rc=0\nvmsweep-done rc=3\n";
	assert_int_equal(linux_sections_parse(failed, strlen(failed), &s, err, sizeof(err)), 0);
	assert_true(s.done);
	assert_int_equal(s.done_rc, 3);
	assert_int_equal(linux_sections_complete(&s, why, sizeof(why)), -1);
	assert_has(why, "rc=3");
	linux_sections_free(&s);

	/* a marker without its line end is a line cut short: "rc=1" may have been "rc=12" */
	const char *short_end = "vmsweep-begin a\nx\r\nvmsweep-end a rc=1";
	assert_int_equal(linux_sections_parse(short_end, strlen(short_end), &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 0);
	assert_string_equal(s.cut, "a");
	assert_int_equal(s.cut_bytes, strlen("x\nvmsweep-end a rc=1"));
	linux_sections_free(&s);
	const char *short_done = "vmsweep-begin a\nx\nvmsweep-end a rc=0\nvmsweep-done rc=0";
	assert_int_equal(linux_sections_parse(short_done, strlen(short_done), &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	assert_false(s.done);
	assert_int_equal(s.stray_lines, 1);
	assert_int_equal(s.first_stray_line, 4);
	linux_sections_free(&s);

	/* nothing at all */
	assert_int_equal(linux_sections_parse("", 0, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 0);
	assert_false(s.done);
	linux_sections_free(&s);
}

static void test_framing_stray_lines(void **state)
{
	(void)state;
	const char *text = "[    1.234] random: crng init done\n"
			   "vmsweep-end nothing rc=0\n"
			   "vmsweep-begin a\n vmsweep-end a rc=0\nvmsweep-begin-not-a-marker\nvmsweep-end a rc=0\n"
			   "\x01\x02garbage\xff\n"
			   "vmsweep-done rc=0\n"
			   "after\nvmsweep-begin b\n";
	struct linux_sections s;
	char err[256];
	assert_int_equal(linux_sections_parse(text, strlen(text), &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	/* markers are whole lines: an indented one or a longer word is content */
	assert_string_equal(linux_section_find(&s, "a")->data, " vmsweep-end a rc=0\nvmsweep-begin-not-a-marker\n");
	assert_int_equal(s.stray_lines, 3);
	assert_int_equal(s.first_stray_line, 1);
	assert_int_equal(s.lines_after_done, 2);
	assert_null(linux_section_find(&s, "b"));
	assert_string_equal(s.cut, "");
	linux_sections_free(&s);
}

static void test_framing_refused(void **state)
{
	(void)state;
	parse_fails("vmsweep-begin a\nvmsweep-begin b\n", "line 2: vmsweep-begin inside section 'a'");
	parse_fails("vmsweep-begin a\nx\nvmsweep-end b rc=0\n", "vmsweep-end of 'b' inside section 'a'");
	parse_fails("vmsweep-begin a/b\n", "not of [A-Za-z0-9._-]");
	parse_fails("vmsweep-begin \n", "empty");
	parse_fails("vmsweep-begin a\nvmsweep-end a rc=0\nvmsweep-begin a\nvmsweep-end a rc=0\n", "section 'a' a second time");
	parse_fails("vmsweep-begin a\nvmsweep-end a\n", "without rc=N");
	parse_fails("vmsweep-begin a\nvmsweep-end a rc=x\n", "not rc=N");
	parse_fails("vmsweep-begin a\nvmsweep-end a rc=99999999999\n", "not rc=N");
	parse_fails("vmsweep-begin a\nvmsweep-end a rc=\n", "not rc=N");
	parse_fails("vmsweep-done rc=+1\n", "not rc=N");
	parse_fails("vmsweep-begin aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "too long");
	parse_fails("vmsweep-begin a\x1b[31m\n", "'a?[31m'");

	/* LINUX_SECTIONS_MAX sections, and one more */
	struct stream st = { 0 };
	for (int i = 0; i <= LINUX_SECTIONS_MAX; i++) {
		char name[16];
		snprintf(name, sizeof(name), "s%d", i);
		section_text(&st, name, "x\n", 2);
	}
	parse_fails(st.text, "more than 64 sections");
	struct linux_sections s;
	char err[256];
	char *end = strstr(st.text, "vmsweep-begin s64");
	assert_int_equal(linux_sections_parse(st.text, (size_t)(end - st.text), &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, LINUX_SECTIONS_MAX);
	linux_sections_free(&s);
	free(st.text);

	/* more bytes than a guest may send */
	size_t big = LINUX_SECTIONS_MAX_BYTES + 1;
	char *b = malloc(big);
	assert_non_null(b);
	memset(b, '\n', big);
	assert_int_equal(linux_sections_parse(b, big, &s, err, sizeof(err)), -1);
	assert_err_has(err, "more than");
	free(b);
}

/* ---- fio ---- */

/* fio's percentile rule, written again here: the first bucket whose running sum reaches
 * p% of the total, its value being the bin's (fio prints bucket values as bin keys). */
static double pct_of(const uint64_t *counts, double p)
{
	uint64_t total = 0, sum = 0;
	for (unsigned i = 0; i < VMS_HIST_NR; i++)
		total += counts[i];
	for (unsigned i = 0; i < VMS_HIST_NR; i++) {
		sum += counts[i];
		if ((long double)sum >= (long double)p / 100.0L * (long double)total)
			return (double)vms_hist_value(i);
	}
	return 0;
}

/* Expected values of one entry, from the JSON's elements of that jobname. */
static void check_entry(const struct store_run *r, json_t *root, const char *name, bool single)
{
	static const char *const dirs[2] = { "read", "write" };
	json_t *jobs = json_object_get(root, "jobs"), *job;
	size_t i;
	for (int d = 0; d < 2; d++) {
		double ios = 0, bytes = 0, runt = 0, sum = 0, n = 0, max = 0;
		static uint64_t counts[VMS_HIST_NR];
		json_t *pcts = NULL;
		memset(counts, 0, sizeof(counts));
		json_array_foreach(jobs, i, job) {
			if (strcmp(json_string_value(json_object_get(job, "jobname")), name))
				continue;
			json_t *o = json_object_get(job, dirs[d]), *clat = json_object_get(o, "clat_ns");
			ios += (double)json_integer_value(json_object_get(o, "total_ios"));
			bytes += (double)json_integer_value(json_object_get(o, "io_bytes"));
			double rt = (double)json_integer_value(json_object_get(o, "runtime"));
			runt = rt > runt ? rt : runt;
			if (!json_integer_value(json_object_get(o, "total_ios")))
				continue;
			double cn = (double)json_integer_value(json_object_get(clat, "N"));
			sum += json_number_value(json_object_get(clat, "mean")) * cn;
			n += cn;
			double mx = json_number_value(json_object_get(clat, "max"));
			max = mx > max ? mx : max;
			pcts = json_object_get(clat, "percentile");
			const char *key;
			json_t *v;
			json_object_foreach(json_object_get(clat, "bins"), key, v)
				counts[vms_hist_index(strtoull(key, NULL, 10))] += (uint64_t)json_integer_value(v);
		}
		char prefix[96];
		snprintf(prefix, sizeof(prefix), "fio.%s.%s.", name, dirs[d]);
		if (!ios) {
			char nm[128];
			snprintf(nm, sizeof(nm), "%sclat_mean_ns", prefix);
			assert_absent(r, nm);
			continue;
		}
		assert_near(metric(r, "%sios", prefix), ios, "ios");
		assert_near(metric(r, "%sio_bytes", prefix), bytes, "io_bytes");
		assert_near(metric(r, "%siops", prefix), ios / (runt / 1000), "iops");
		assert_near(metric(r, "%sbw_bytes", prefix), bytes / (runt / 1000), "bw_bytes");
		assert_near(metric(r, "%sclat_mean_ns", prefix), sum / n, "clat_mean_ns");
		assert_near(metric(r, "%sclat_max_ns", prefix), max, "clat_max_ns");
		assert_near(metric(r, "%sclat_p50_ns", prefix), pct_of(counts, 50), "p50");
		assert_near(metric(r, "%sclat_p90_ns", prefix), pct_of(counts, 90), "p90");
		assert_near(metric(r, "%sclat_p99_ns", prefix), pct_of(counts, 99), "p99");
		assert_near(metric(r, "%sclat_p999_ns", prefix), pct_of(counts, 99.9), "p999");
		if (single) { /* one element: fio's own percentiles, to the bucket */
			assert_near(metric(r, "%sclat_p50_ns", prefix),
				    json_number_value(json_object_get(pcts, "50.000000")), "p50 as fio printed it");
			assert_near(metric(r, "%sclat_p999_ns", prefix),
				    json_number_value(json_object_get(pcts, "99.900000")), "p999 as fio printed it");
		}
		char hname[128];
		bool found = false;
		snprintf(hname, sizeof(hname), "%sclat_ns", prefix);
		for (size_t h = 0; h < r->nr_hists; h++)
			if (!strcmp(r->hists[h].name, hname)) {
				found = true;
				assert_memory_equal(r->hists[h].counts, counts, sizeof(counts));
				assert_int_equal(hist_total64(r->hists[h].counts, VMS_HIST_NR), (uint64_t)n);
			}
		if (!found)
			fail_msg("no histogram %s", hname);
	}
}

static json_t *json_file(const char *file)
{
	char path[256];
	json_error_t je;
	snprintf(path, sizeof(path), DATA "%s", file);
	json_t *root = json_load_file(path, 0, &je);
	if (!root)
		fail_msg("%s: %s", path, je.text);
	return root;
}

static void fio_run(const char *file, struct store_run *r, const struct vms_workload *wl)
{
	struct stream st = { 0 };
	section_file(&st, "fio.json", file);
	puts_(&st, "vmsweep-done rc=0\n");
	metrics_of(&st, wl, r, 0);
	free(st.text);
}

static void test_fio_two_jobs(void **state)
{
	(void)state;
	struct store_run r;
	json_t *root = json_file("fio-mixed.json");
	fio_run("fio-mixed.json", &r, NULL);
	check_entry(&r, root, "mix", true);
	check_entry(&r, root, "seqread", true);
	assert_absent(&r, "fio.seqread.write.ios"); /* rw=read: no write metrics */
	assert_int_equal(metric(&r, "fio.mix.error"), 0);
	assert_absent(&r, "fio.mix.syncs");
	/* task.cpu_ns: (usr_cpu + sys_cpu) % of job_runtime ms */
	json_t *j = json_array_get(json_object_get(root, "jobs"), 0);
	assert_near(metric(&r, "fio.mix.task.cpu_ns"),
		    (json_number_value(json_object_get(j, "usr_cpu")) + json_number_value(json_object_get(j, "sys_cpu"))) /
			    100 * (double)json_integer_value(json_object_get(j, "job_runtime")) * 1e6,
		    "task.cpu_ns");
	assert_int_equal(r.nr_hists, 3); /* mix read, mix write, seqread read */
	json_decref(root);
	store_run_free(&r);
}

static void test_fio_group_reporting(void **state)
{
	(void)state;
	struct store_run r;
	json_t *root = json_file("fio-group.json");
	assert_int_equal(json_array_size(json_object_get(root, "jobs")), 1);
	fio_run("fio-group.json", &r, NULL);
	check_entry(&r, root, "writers", true);
	assert_absent(&r, "fio.writers2.error");
	assert_absent(&r, "fio.writers.read.ios");
	store_run_free(&r);

	/* with the workload: two jobs of one group, reported under the first's name; the
	 * workload says they write, so a read direction fio shows empty stays out */
	struct vms_workload *wl = calloc(1, sizeof(*wl) + 2 * sizeof(struct vms_job));
	assert_non_null(wl);
	wl->nr_jobs = 2;
	wl->nr_groups = 1;
	for (int k = 0; k < 2; k++) {
		snprintf(wl->jobs[k].name, VMS_WL_NAME_LEN, k ? "writers2" : "writers");
		wl->jobs[k].rw = VMS_RW_RANDWRITE;
		wl->jobs[k].flags = VMS_JOB_GROUP_REPORTING;
	}
	fio_run("fio-group.json", &r, wl);
	check_entry(&r, root, "writers", true);
	assert_absent(&r, "fio.writers.read.ios");
	store_run_free(&r);
	/* a workload that says the job reads: its read direction is stored, empty */
	wl->jobs[0].rw = wl->jobs[1].rw = VMS_RW_RANDRW;
	fio_run("fio-group.json", &r, wl);
	assert_int_equal(metric(&r, "fio.writers.read.ios"), 0);
	assert_int_equal(metric(&r, "fio.writers.read.iops"), 0);
	assert_absent(&r, "fio.writers.read.clat_mean_ns");
	store_run_free(&r);
	free(wl);
	json_decref(root);
}

static void test_fio_numjobs_clones_merged(void **state)
{
	(void)state;
	struct store_run r;
	json_t *root = json_file("fio-clones.json");
	assert_int_equal(json_array_size(json_object_get(root, "jobs")), 2);
	fio_run("fio-clones.json", &r, NULL);
	check_entry(&r, root, "cl", false);
	assert_int_equal(r.nr_hists, 1);
	store_run_free(&r);
	json_decref(root);
}

static void test_fio_fsync_fdatasync(void **state)
{
	(void)state;
	struct store_run r;
	json_t *root = json_file("fio-sync.json");
	fio_run("fio-sync.json", &r, NULL);
	check_entry(&r, root, "fs", true);
	check_entry(&r, root, "fds", true);
	json_t *jobs = json_object_get(root, "jobs");
	for (size_t i = 0; i < 2; i++) {
		json_t *j = json_array_get(jobs, i), *lat = json_object_get(json_object_get(j, "sync"), "lat_ns");
		const char *name = json_string_value(json_object_get(j, "jobname"));
		/* fdatasync's are in lat_ns.N only: sync.total_ios counts fsyncs */
		assert_near(metric(&r, "fio.%s.syncs", name), (double)json_integer_value(json_object_get(lat, "N")), "syncs");
		assert_near(metric(&r, "fio.%s.sync_lat_mean_ns", name), json_number_value(json_object_get(lat, "mean")),
			    "sync_lat_mean_ns");
	}
	assert_true(metric(&r, "fio.fds.syncs") > 0);
	store_run_free(&r);
	json_decref(root);
}

/* Plain json (no bins): one element's percentiles are fio's; no histogram. A note
 * before the JSON is skipped. */
static void test_fio_plain_json(void **state)
{
	(void)state;
	json_t *root = json_file("fio-mixed.json");
	json_t *job = json_array_get(json_object_get(root, "jobs"), 1), *clat;
	clat = json_object_get(json_object_get(job, "read"), "clat_ns");
	json_object_del(clat, "bins");
	json_object_del(json_object_get(json_object_get(json_array_get(json_object_get(root, "jobs"), 0), "read"),
					"clat_ns"),
			"bins");
	char *text = json_dumps(root, JSON_INDENT(2));
	struct stream st = { 0 };
	puts_(&st, "vmsweep-begin fio.json\nnote: both iodepth >= 1 and synchronous I/O engine are selected\n");
	puts_(&st, text);
	puts_(&st, "\nvmsweep-end fio.json rc=0\n");
	struct store_run r;
	metrics_of(&st, NULL, &r, 0);
	assert_near(metric(&r, "fio.seqread.read.clat_p90_ns"),
		    json_number_value(json_object_get(json_object_get(clat, "percentile"), "90.000000")), "p90");
	assert_int_equal(r.nr_hists, 1); /* mix's write kept its bins */
	store_run_free(&r);
	free(st.text);
	free(text);
	json_decref(root);
}

/* ---- /proc ---- */

/* The number after key in a "key value" file, for computing expectations here. */
static double proc_value(const char *file, const char *key)
{
	size_t n, k = strlen(key);
	char path[256];
	snprintf(path, sizeof(path), DATA "%s", file);
	char *text = file_read(path, &n);
	double v = -1;
	for (char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, k) && p[k] == ' ') {
			v = strtod(p + k, NULL);
			break;
		}
	free(text);
	if (v < 0)
		fail_msg("%s has no %s", file, key);
	return v;
}

static double proc_prefix_sum(const char *file, const char *prefix)
{
	size_t n, k = strlen(prefix);
	char path[256];
	snprintf(path, sizeof(path), DATA "%s", file);
	char *text = file_read(path, &n);
	double v = 0;
	for (char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, k))
			v += strtod(strchr(p, ' '), NULL);
	free(text);
	return v;
}

static void test_vmstat_over_the_job(void **state)
{
	(void)state;
	struct stream st = { 0 };
	struct store_run r;
	section_file(&st, "vmstat.before", "vmstat.before");
	section_file(&st, "vmstat.after", "vmstat.after");
	section_file(&st, "meminfo", "meminfo");
	metrics_of(&st, NULL, &r, 0);
	static const char *const events[] = { "pgfault", "pgpgout", "nr_dirtied", "nr_written", "pgfree", "pswpout" };
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		assert_near(metric(&r, "vmstat.%s", events[i]),
			    proc_value("vmstat.after", events[i]) - proc_value("vmstat.before", events[i]), events[i]);
	assert_near(metric(&r, "vmstat.pgalloc"),
		    proc_prefix_sum("vmstat.after", "pgalloc_") - proc_prefix_sum("vmstat.before", "pgalloc_"), "pgalloc");
	assert_near(metric(&r, "vmstat.allocstall"),
		    proc_prefix_sum("vmstat.after", "allocstall_") - proc_prefix_sum("vmstat.before", "allocstall_"),
		    "allocstall");
	assert_near(metric(&r, "vmstat.pgscan_direct_throttle"),
		    proc_value("vmstat.after", "pgscan_direct_throttle") - proc_value("vmstat.before", "pgscan_direct_throttle"),
		    "pgscan_direct_throttle");
	assert_true(metric(&r, "vmstat.pgpgout") > 0); /* 64 MiB written between them */
	static const char *const gauges[] = { "nr_free_pages", "nr_dirty", "nr_dirty_threshold",
					      "nr_dirty_background_threshold", "nr_file_pages" };
	for (size_t i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++)
		assert_near(metric(&r, "vmstat.%s", gauges[i]), proc_value("vmstat.after", gauges[i]), gauges[i]);
	assert_near(metric(&r, "vmstat.nr_slab"),
		    proc_value("vmstat.after", "nr_slab_reclaimable") + proc_value("vmstat.after", "nr_slab_unreclaimable"),
		    "nr_slab");
	assert_near(metric(&r, "vmstat.nr_swap_free"), floor(proc_value("meminfo", "SwapFree:") / 4), "nr_swap_free");
	assert_near(metric(&r, "mm.swap_pages"), floor(proc_value("meminfo", "SwapTotal:") / 4), "swap_pages");
	assert_near(metric(&r, "linux.mem_total_kb"), proc_value("meminfo", "MemTotal:"), "MemTotal");
	assert_absent(&r, "vmstat.wakeup_kswapd_woke");
	assert_absent(&r, "vmstat.nr_kernel_pages");
	store_run_free(&r);
	free(st.text);

	/* without the snapshot before: the levels, no events */
	st = (struct stream){ 0 };
	section_file(&st, "vmstat.after", "vmstat.after");
	metrics_of(&st, NULL, &r, 0);
	assert_absent(&r, "vmstat.pgfault");
	assert_near(metric(&r, "vmstat.nr_dirty_threshold"), proc_value("vmstat.after", "nr_dirty_threshold"), "thresh");
	store_run_free(&r);
	free(st.text);

	/* snapshots swapped: counters that went back are refused, not stored negative */
	st = (struct stream){ 0 };
	section_file(&st, "vmstat.before", "vmstat.after");
	section_file(&st, "vmstat.after", "vmstat.before");
	metrics_of(&st, NULL, &r, 1); /* one section, however many of its counters */
	assert_absent(&r, "vmstat.pgpgout");
	store_run_free(&r);
	free(st.text);
}

/* The watermark of zone name in a zoneinfo file: the number after "        key". */
static double zone_value(const char *file, const char *zone, const char *key)
{
	size_t n;
	char path[256], head[64];
	snprintf(path, sizeof(path), DATA "%s", file);
	snprintf(head, sizeof(head), "zone %8s\n", zone);
	char *text = file_read(path, &n), *z = strstr(text, head);
	assert_non_null(z);
	char *p = z;
	double v = -1;
	while ((p = strchr(p, '\n')) && *++p && strncmp(p, "Node ", 5)) {
		char *q = p + strspn(p, " ");
		if (!strncmp(q, key, strlen(key)) && q[strlen(key)] == ' ') {
			v = strtod(q + strlen(key), NULL);
			break;
		}
	}
	free(text);
	if (v < 0)
		fail_msg("%s: zone %s has no %s", file, zone, key);
	return v;
}

static void test_zone_watermarks(void **state)
{
	(void)state;
	struct stream st = { 0 };
	struct store_run r;
	section_file(&st, "zoneinfo.before", "zoneinfo.before");
	section_file(&st, "zoneinfo.after", "zoneinfo.after");
	section_file(&st, "vmstat.after", "vmstat.after");
	section_file(&st, "sysctl.vm", "sysctl.vm");
	metrics_of(&st, NULL, &r, 0);
	/* this host has a populated Normal zone: DMA32 keeps its name */
	static const char *const zones[] = { "DMA", "DMA32", "Normal" };
	double managed = 0;
	for (size_t i = 0; i < 3; i++) {
		double boost = zone_value("zoneinfo.after", zones[i], "boost");
		assert_near(metric(&r, "zone.%s.wmark_min", zones[i]), zone_value("zoneinfo.after", zones[i], "min") - boost, "min");
		assert_near(metric(&r, "zone.%s.wmark_low", zones[i]), zone_value("zoneinfo.after", zones[i], "low") - boost, "low");
		assert_near(metric(&r, "zone.%s.wmark_high", zones[i]), zone_value("zoneinfo.after", zones[i], "high") - boost,
			    "high");
		assert_near(metric(&r, "zone.%s.managed_pages", zones[i]), zone_value("zoneinfo.after", zones[i], "managed"),
			    "managed");
		assert_near(metric(&r, "zone.%s.nr_free", zones[i]), zone_value("zoneinfo.after", zones[i], "pages free"),
			    "free");
		managed += zone_value("zoneinfo.after", zones[i], "managed");
	}
	assert_absent(&r, "zone.Movable.wmark_min");
	assert_near(metric(&r, "mm.pages_in_use"), managed - proc_value("vmstat.after", "nr_free_pages"), "pages_in_use");
	assert_int_equal(metric(&r, "mm.min_free_kbytes"), 1408);
	assert_int_equal(metric(&r, "mm.watermark_scale_factor"), 10);
	assert_int_equal(metric(&r, "mm.swappiness"), 60);
	store_run_free(&r);
	free(st.text);

	/* a 256 MiB guest: DMA and DMA32, Normal empty: each under its Linux name, as the
	 * model names its zones, the empty Normal left out; a boost is taken off; the
	 * watermarks alone (zoneinfo.before) without free pages */
	static const char small[] = "Node 0, zone      DMA\n  per-node stats\n      nr_inactive_anon 10\n"
				    "  pages free     3968\n        boost    0\n        min      22\n"
				    "        low      27\n        high     32\n        spanned  4095\n"
				    "        present  3998\n        managed  3968\n"
				    "Node 0, zone    DMA32\n  pages free     50000\n        boost    100\n"
				    "        min      445\n        low      509\n        high     573\n"
				    "        spanned  61424\n        present  61424\n        managed  59512\n"
				    "Node 0, zone   Normal\n  pages free     0\n        boost    0\n        min      0\n"
				    "        low      0\n        high     0\n        spanned  0\n        present  0\n"
				    "        managed  0\n"
				    "Node 0, zone  Movable\n  pages free     0\n        boost    0\n        min      0\n"
				    "        low      0\n        high     0\n        spanned  0\n        present  0\n"
				    "        managed  0\n";
	st = (struct stream){ 0 };
	section_text(&st, "zoneinfo.before", small, strlen(small));
	metrics_of(&st, NULL, &r, 0);
	assert_int_equal(metric(&r, "zone.DMA.wmark_min"), 22);
	assert_int_equal(metric(&r, "zone.DMA32.wmark_min"), 345);
	assert_int_equal(metric(&r, "zone.DMA32.wmark_low"), 409);
	assert_int_equal(metric(&r, "zone.DMA32.wmark_high"), 473);
	assert_int_equal(metric(&r, "zone.DMA32.managed_pages"), 59512);
	assert_absent(&r, "zone.Normal.wmark_min");
	assert_absent(&r, "zone.Normal.managed_pages");
	assert_absent(&r, "zone.DMA32.nr_free");
	assert_absent(&r, "zone.Movable.managed_pages");
	store_run_free(&r);
	free(st.text);
}

static void test_jbd2_info(void **state)
{
	(void)state;
	struct stream st = { 0 };
	struct store_run r;
	section_file(&st, "jbd2.vda-8", "jbd2-vda-8.info");
	section_file(&st, "jbd2.vdb1-8", "jbd2-vda-8.info"); /* a partition's: not one of our disks */
	section_text(&st, "jbd2.vdc-8", "0 transactions (0 requested), each up to 2048 blocks\n", 53);
	metrics_of(&st, NULL, &r, 0);
	assert_int_equal(metric(&r, "journal.vda.transactions"), 187);
	assert_int_equal(metric(&r, "journal.vda.commits_forced"), 180);
	assert_int_equal(metric(&r, "linux.journal.vda.max_transaction_blocks"), 8192);
	assert_int_equal(metric(&r, "journal.vda.wait_ms_avg"), 0);
	assert_int_equal(metric(&r, "journal.vda.request_delay_ms_avg"), 4);
	assert_int_equal(metric(&r, "journal.vda.run_ms_avg"), 20);
	assert_int_equal(metric(&r, "journal.vda.lock_ms_avg"), 0);
	assert_int_equal(metric(&r, "journal.vda.flush_ms_avg"), 0);
	assert_int_equal(metric(&r, "journal.vda.logging_ms_avg"), 8);
	assert_near(metric(&r, "journal.vda.commit_ms_avg"), 9.123, "commit_ms_avg");
	assert_int_equal(metric(&r, "journal.vda.handles_per_transaction"), 5);
	assert_int_equal(metric(&r, "journal.vda.blocks_per_transaction"), 3);
	assert_int_equal(metric(&r, "journal.vda.logged_blocks_per_transaction"), 6);
	assert_absent(&r, "journal.vdb.transactions");
	assert_int_equal(metric(&r, "journal.vdc.transactions"), 0);
	assert_absent(&r, "journal.vdc.commit_ms_avg");
	store_run_free(&r);
	free(st.text);

	/* a line of another kernel's format, and a first line that is not one */
	st = (struct stream){ 0 };
	section_text(&st, "jbd2.vda-8", "5 transactions (0 requested), each up to 8192 blocks\naverage: \n  7 fast commits\n", 80);
	section_text(&st, "jbd2.vdb-8", "five transactions\n", 18);
	metrics_of(&st, NULL, &r, 2);
	assert_int_equal(metric(&r, "journal.vda.transactions"), 5);
	assert_absent(&r, "journal.vdb.transactions");
	store_run_free(&r);
	free(st.text);
}

static void test_schedstat_diskstats_boot(void **state)
{
	(void)state;
	struct stream st = { 0 };
	struct store_run r;
	section_file(&st, "schedstat", "schedstat");
	section_file(&st, "diskstats", "diskstats");
	section_file(&st, "boot-uptime", "boot-uptime");
	section_text(&st, "fio.json", "{\"jobs\": []}\n", 13);
	puts_(&st, "vmsweep-done rc=0\n");
	metrics_of(&st, NULL, &r, 0);
	assert_int_equal(metric(&r, "sched.yld_count"), 1 + 2);
	assert_int_equal(metric(&r, "sched.sched_count"), 2000 + 2001);
	assert_int_equal(metric(&r, "sched.sched_goidle"), 300 + 301);
	assert_int_equal(metric(&r, "sched.ttwu_count"), 4000 + 4001);
	assert_int_equal(metric(&r, "sched.ttwu_local"), 500 + 501);
	assert_int_equal(metric(&r, "sched.rq_cpu_time_ns"), 6000000000.0 + 6000000001.0);
	assert_int_equal(metric(&r, "sched.run_delay_ns"), 7000000 + 7000001);
	assert_int_equal(metric(&r, "sched.pcount"), 800 + 801);
	assert_near(metric(&r, "sched.run_delay_ns_mean"), 14000001.0 / 1601, "run_delay_ns_mean");
	/* lb field k of idle type t: 100 (t + 1) + k + cpu, summed over the two CPUs */
	assert_int_equal(metric(&r, "sched.lb_count.idle"), 100 + 101);
	assert_int_equal(metric(&r, "sched.lb_balanced.busy"), 201 + 202);
	assert_int_equal(metric(&r, "sched.lb_nobusyg.newly_idle"), 307 + 308);
	assert_int_equal(metric(&r, "sched.lb_gained"), (104 + 105) + (204 + 205) + (304 + 305));
	assert_int_equal(metric(&r, "sched.alb_count"), 1000 + 1001);
	assert_int_equal(metric(&r, "sched.alb_pushed"), 1002 + 1003);
	assert_int_equal(metric(&r, "sched.ttwu_wake_remote"), 1009 + 1010);
	assert_int_equal(metric(&r, "sched.ttwu_move_affine"), 1010 + 1011);
	assert_int_equal(metric(&r, "disk.vda.reads"), 1200);
	assert_int_equal(metric(&r, "disk.vda.bytes_read"), 96000 * 512);
	assert_int_equal(metric(&r, "disk.vda.writes"), 3400);
	assert_int_equal(metric(&r, "disk.vda.bytes_written"), 540000.0 * 512);
	assert_int_equal(metric(&r, "disk.vda.flushes"), 410);
	assert_int_equal(metric(&r, "disk.vdb.flushes"), 1);
	assert_absent(&r, "disk.vda1.reads");
	assert_absent(&r, "disk.loop0.reads");
	assert_near(metric(&r, "linux.boot_s"), 1.87, "boot_s");
	assert_int_equal(metric(&r, "linux.fio_rc"), 0);
	assert_int_equal(metric(&r, "linux.done_rc"), 0);
	store_run_free(&r);
	free(st.text);

	/* another version: refused whole */
	st = (struct stream){ 0 };
	section_text(&st, "schedstat", "version 17\ncpu0 1 0 2 3 4 5 6 7 8\n", 34);
	section_text(&st, "boot-uptime", "-3 1\n", 5);
	metrics_of(&st, NULL, &r, 2);
	assert_absent(&r, "sched.yld_count");
	assert_absent(&r, "linux.boot_s");
	store_run_free(&r);
	free(st.text);
}

/* ---- memory jobs (the mem section), vmstat samples, write amplification ---- */

static struct vms_workload *wl_new(unsigned n)
{
	struct vms_workload *wl = calloc(1, sizeof(*wl) + n * sizeof(struct vms_job));
	assert_non_null(wl);
	wl->nr_jobs = n;
	wl->nr_groups = 1;
	return wl;
}

static const struct store_series *series_find(const struct store_run *r, const char *name)
{
	for (size_t i = 0; i < r->nr_series; i++)
		if (!strcmp(r->series[i].name, name))
			return &r->series[i];
	fail_msg("no series '%s'", name);
	return NULL;
}

/* One block's numbers, read here by itself from the real section's text. */
struct block {
	unsigned job;
	uint64_t start, end, allocated, accesses, hit_samples, hit_sum, fast_samples, fast_max;
};

static unsigned blocks_read(const char *text, struct block *b, unsigned max)
{
	unsigned n = 0;
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		uint64_t a, c, d, e;
		if (sscanf(p, "memjob %u", &b[n].job) == 1 && n < max)
			n++;
		else if (!n)
			continue;
		struct block *x = &b[n - 1];
		sscanf(p, "start_ns %" SCNu64, &x->start);
		sscanf(p, "end_ns %" SCNu64, &x->end);
		sscanf(p, "pages_allocated %" SCNu64, &x->allocated);
		sscanf(p, "accesses %" SCNu64, &x->accesses);
		if (sscanf(p, "class hit %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &a, &c, &d, &e) == 4) {
			x->hit_samples = a;
			x->hit_sum = e;
		}
		if (sscanf(p, "class fast %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &a, &c, &d, &e) == 4) {
			x->fast_samples = a;
			x->fast_max = d;
		}
	}
	return n;
}

/* workloads/mem-churn.fio on Linux 6.1 (the real section): two churn clones merged under
 * one name, a seq job; the numbers this test reads from the text by itself */
static void test_mem_section_real(void **state)
{
	(void)state;
	struct stream st = { 0 };
	struct store_run r;
	struct vms_workload *wl = wl_new(3);
	for (unsigned k = 0; k < 3; k++) {
		snprintf(wl->jobs[k].name, VMS_WL_NAME_LEN, k < 2 ? "churn" : "touch");
		wl->jobs[k].ioengine = VMS_IOENGINE_MEM;
		wl->jobs[k].clone = k < 2 ? k : 0;
	}
	section_file(&st, "mem", "mem");
	puts_(&st, "vmsweep-done rc=0\n");
	metrics_of(&st, wl, &r, 0);

	size_t n;
	char *text = file_read(DATA "mem", &n);
	struct block b[3];
	assert_int_equal(blocks_read(text, b, 3), 3);
	free(text);
	assert_int_equal(b[0].job, 0);
	assert_int_equal(b[2].job, 2);
	assert_int_equal(metric(&r, "mem.churn.accesses"), b[0].accesses + b[1].accesses);
	assert_int_equal(metric(&r, "mem.churn.pages_allocated"), b[0].allocated + b[1].allocated);
	assert_int_equal(metric(&r, "mem.churn.fast_ns.samples"), b[0].fast_samples + b[1].fast_samples);
	assert_int_equal(metric(&r, "mem.churn.fast_ns.max"), b[0].fast_max > b[1].fast_max ? b[0].fast_max : b[1].fast_max);
	uint64_t rt0 = b[0].end - b[0].start, rt1 = b[1].end - b[1].start;
	assert_int_equal(metric(&r, "mem.churn.runtime_ns"), rt0 > rt1 ? rt0 : rt1);
	assert_int_equal(metric(&r, "mem.touch.hit_ns.samples"), b[2].hit_samples);
	assert_near(metric(&r, "mem.touch.hit_ns.mean"), (double)b[2].hit_sum / (double)b[2].hit_samples, "hit mean");
	assert_true(metric(&r, "mem.touch.hit_ns.p50") > 0);
	assert_int_equal(metric(&r, "mem.touch.error"), 0);
	assert_int_equal(metric(&r, "mem.touch.kswapd_ns.samples"), 0);
	/* the merged histogram holds every sample of both clones */
	bool found = false;
	for (size_t i = 0; i < r.nr_hists; i++)
		if (!strcmp(r.hists[i].name, "mem.churn.fast_ns")) {
			found = true;
			uint64_t total = 0;
			for (unsigned k = 0; k < VMS_HIST_NR; k++)
				total += r.hists[i].counts[k];
			assert_int_equal(total, b[0].fast_samples + b[1].fast_samples);
		}
	assert_true(found);
	store_run_free(&r);
	free(st.text);
	free(wl);
}

/* Blocks taken whole or not at all: each fault leaves its block out, the good one stays. */
static void test_mem_section_refused(void **state)
{
	(void)state;
	static const char good[] = "memjob 1\nclassify perf\nstart_ns 100\nend_ns 1100\nerror 0\npages_allocated 2\n"
				   "pages_freed 2\naccesses 3\nswapins 0\nrss_max_pages 2\nunattributed 0\n"
				   "class fast 2 500 700 1200 100:1 120:1\nclass kswapd 0 0 0 0\nclass direct 0 0 0 0\n"
				   "class hit 1 50 50 50 50:1\nclass swapin 0 0 0 0\nend\n";
	static const char *const bad[] = {
		"memjob 0\nclassify perf\naccesses 1\nclass hit 2 5 5 10 5:1\nend\n", /* 2 samples, 1 in buckets */
		"memjob 2\nclassify perf\naccesses 1\nend\n", /* job 2 is a disk job */
		"memjob 0\nclassify rusage\naccesses 1\nend\n", /* no allocation split */
		"memjob 0\nclassify perf\naccesses x\nend\n", /* not a number */
		"memjob 0\nclassify perf\naccesses 1\n", /* no end */
		"memjob 1\nclassify perf\naccesses 9\nend\n", /* job 1 twice (after the good one) */
	};
	struct vms_workload *wl = wl_new(3);
	for (unsigned k = 0; k < 3; k++) {
		snprintf(wl->jobs[k].name, VMS_WL_NAME_LEN, "m%u", k);
		wl->jobs[k].ioengine = k < 2 ? VMS_IOENGINE_MEM : VMS_IOENGINE_SYNC;
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct stream st = { 0 };
		struct store_run r;
		char text[2048];
		/* the bad block after the good one, and (but for "twice") before it */
		int n = i == 5 ? snprintf(text, sizeof(text), "%s%s", good, bad[i])
			       : snprintf(text, sizeof(text), "%s%s", bad[i], good);
		section_text(&st, "mem", text, (size_t)n);
		metrics_of(&st, wl, &r, 1);
		assert_absent(&r, "mem.m0.accesses");
		assert_int_equal(metric(&r, "mem.m1.accesses"), 3);
		assert_int_equal(metric(&r, "mem.m1.fast_ns.samples"), 2);
		assert_near(metric(&r, "mem.m1.fast_ns.mean"), 600, "fast mean");
		assert_int_equal(metric(&r, "mem.m1.runtime_ns"), 1000);
		store_run_free(&r);
		free(st.text);
	}
	free(wl);
}

/* The real samples of a Linux run (fidelity-write.fio, data=journal, sample 100): every
 * sample a point of each series, t from the first, events from the first */
static void test_vmstat_samples_series(void **state)
{
	(void)state;
	struct stream st = { 0 };
	struct store_run r;
	section_file(&st, "vmstat.samples", "vmstat.samples");
	metrics_of(&st, NULL, &r, 0);

	size_t n;
	char *text = file_read(DATA "vmstat.samples", &n);
	unsigned samples = 0;
	double up0 = 0, up_last = 0;
	uint64_t free_last = 0, steal0 = 0, steal_last = 0, thresh0 = 0, min0 = 0, boost = 0;
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		double up;
		uint64_t v;
		if (sscanf(p, "/proc/uptime:%lf", &up) == 1) {
			up0 = samples++ ? up0 : up;
			up_last = up;
		}
		if (sscanf(p, "/proc/vmstat:nr_free_pages %" SCNu64, &v) == 1)
			free_last = v;
		if (sscanf(p, "/proc/vmstat:pgsteal_kswapd %" SCNu64, &v) == 1) {
			steal0 = samples == 1 ? v : steal0;
			steal_last = v;
		}
		if (sscanf(p, "/proc/vmstat:nr_dirty_threshold %" SCNu64, &v) == 1 && samples == 1)
			thresh0 = v;
		if (sscanf(p, "/proc/zoneinfo: boost %" SCNu64, &v) == 1)
			boost = v;
		if (sscanf(p, "/proc/zoneinfo: min %" SCNu64, &v) == 1 && samples == 1)
			min0 += v > boost ? v - boost : 0;
	}
	free(text);
	assert_true(samples >= 10);
	const struct store_series *fp = series_find(&r, "nr_free_pages");
	assert_int_equal(fp->n, samples);
	assert_int_equal(fp->v[0].t_ns, 0);
	assert_int_equal(fp->v[samples - 1].t_ns, (uint64_t)llround((up_last - up0) * 1e9));
	assert_near(fp->v[samples - 1].value, (double)free_last, "last nr_free_pages");
	const struct store_series *ps = series_find(&r, "pgsteal_kswapd");
	assert_near(ps->v[0].value, 0, "an event's first sample");
	assert_near(ps->v[samples - 1].value, (double)(steal_last - steal0), "pgsteal_kswapd over the run");
	assert_near(series_find(&r, "writeback.thresh")->v[0].value, (double)thresh0, "nr_dirty_threshold");
	assert_near(series_find(&r, "wmark_min")->v[0].value, (double)min0, "wmark_min summed over zones");
	assert_true(series_find(&r, "writeback.nr_dirty")->n == samples);
	assert_true(series_find(&r, "allocstall")->n == samples);
	assert_int_equal(r.nr_metrics, 0);
	store_run_free(&r);
	free(st.text);

	/* a sample with a garbled number is left out whole, the section said ill-formed */
	st = (struct stream){ 0 };
	static const char two[] = "/proc/uptime:3.00 1.0\n/proc/vmstat:nr_free_pages 10\n/proc/uptime:3.10 1.1\n"
				  "/proc/vmstat:nr_free_pages 1x\n/proc/uptime:3.25 1.2\n/proc/vmstat:nr_free_pages 7\n";
	section_text(&st, "vmstat.samples", two, sizeof(two) - 1);
	metrics_of(&st, NULL, &r, 1);
	fp = series_find(&r, "nr_free_pages");
	assert_int_equal(fp->n, 2);
	assert_int_equal(fp->v[1].t_ns, 250000000);
	assert_near(fp->v[1].value, 7, "the third sample");
	store_run_free(&r);
	free(st.text);
}

/* (sectors written after sync + umount - before fio) x 512 / the file jobs' write bytes */
static void test_write_amplification(void **state)
{
	(void)state;
	static const char before[] = " 254       0 vda 10 0 800 5 100 0 4000 50 0 60 55 0 0 0 0 3 1\n"
				     " 254      16 vdb 1 0 8 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
	static const char after[] = " 254       0 vda 12 0 816 6 700 0 4000004 90 0 99 96 0 0 0 0 40 2\n"
				    " 254      16 vdb 1 0 8 0 5 0 4096 0 0 0 0 0 0 0 0 0 0\n";
	static const char fio[] = "m : Running /bin/vmsweep-memjob\n{\"jobs\": [{\"jobname\": \"w\", \"write\": {\"io_bytes\": 1024000}},"
				  " {\"jobname\": \"raw\", \"write\": {\"io_bytes\": 999}},"
				  " {\"jobname\": \"m\", \"job options\": {\"ioengine\": \"exec\"}, \"write\": {\"io_bytes\": 0}}]}\n";
	struct vms_workload *wl = wl_new(3);
	snprintf(wl->jobs[0].name, VMS_WL_NAME_LEN, "w");
	wl->jobs[0].nr_files = 1;
	wl->jobs[0].rw = VMS_RW_WRITE;
	snprintf(wl->jobs[1].name, VMS_WL_NAME_LEN, "raw"); /* the raw disk vdb: no files */
	wl->jobs[1].disk = 1;
	wl->jobs[1].rw = VMS_RW_WRITE;
	snprintf(wl->jobs[2].name, VMS_WL_NAME_LEN, "m");
	wl->jobs[2].ioengine = VMS_IOENGINE_MEM;
	struct stream st = { 0 };
	struct store_run r;
	section_text(&st, "diskstats.before", before, sizeof(before) - 1);
	section_text(&st, "diskstats", after, sizeof(after) - 1);
	section_text(&st, "fio.json", fio, sizeof(fio) - 1);
	metrics_of(&st, wl, &r, 1); /* fio.json's elements are too bare for fio's own metrics */
	assert_int_equal(metric(&r, "journal.vda.bytes_workload"), 1024000);
	assert_near(metric(&r, "journal.vda.write_amplification"), (4000004.0 - 4000) * 512 / 1024000, "vda");
	assert_absent(&r, "journal.vdb.write_amplification");
	assert_absent(&r, "fio.m.write.io_bytes"); /* the memory job's exec job is not fio's */
	store_run_free(&r);
	free(st.text);

	/* no before: nothing (a count since boot is not the job's) */
	st = (struct stream){ 0 };
	section_text(&st, "diskstats", after, sizeof(after) - 1);
	section_text(&st, "fio.json", fio, sizeof(fio) - 1);
	metrics_of(&st, wl, &r, 1);
	assert_absent(&r, "journal.vda.write_amplification");
	store_run_free(&r);
	free(st.text);
	free(wl);
}

/* ---- garbled input ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Each data file as its section cut at many lengths and with bytes changed: never a
 * crash (ASan runs this too), never a name no table has, nor a negative or infinite value. */
static void test_garbled_sections(void **state)
{
	(void)state;
	static const struct {
		const char *section, *file;
	} files[] = {
		{ "fio.json", "fio-sync.json" },     { "fio.json", "fio-clones.json" }, { "vmstat.after", "vmstat.after" },
		{ "vmstat.before", "vmstat.before" }, { "zoneinfo.after", "zoneinfo.after" }, { "meminfo", "meminfo" },
		{ "jbd2.vda-8", "jbd2-vda-8.info" }, { "schedstat", "schedstat" },     { "diskstats", "diskstats" },
		{ "sysctl.vm", "sysctl.vm" },       { "boot-uptime", "boot-uptime" },
	};
	static const char junk[] = "-0123456789 \n{}[]\":,.eE+xNaN\xff\t";
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char path[256];
		size_t len;
		snprintf(path, sizeof(path), DATA "%s", files[f].file);
		char *text = file_read(path, &len);
		size_t step = len / 97 + 1;
		for (size_t cut = 0; cut <= len; cut += step) {
			for (int garble = 0; garble < 3; garble++) {
				char *t = malloc(cut + 1);
				assert_non_null(t);
				memcpy(t, text, cut);
				t[cut] = 0;
				for (int k = 0; garble && cut && k < garble * 4; k++)
					t[next_rand() % cut] = junk[next_rand() % (sizeof(junk) - 1)];
				struct stream st = { 0 };
				section_file(&st, "vmstat.before", "vmstat.before");
				section_text(&st, files[f].section, t, cut);
				struct linux_sections s;
				char err[256];
				if (linux_sections_parse(st.text, st.len, &s, err, sizeof(err)) == 0) {
					struct store_run r = { 0 };
					int rc = linux_metrics(&s, NULL, &r, err, sizeof(err));
					assert_true(rc >= 0);
					if (rc > 0 && !strchr(err, ':'))
						fail_msg("error without its section: %s", err);
					assert_names_known(&r);
					store_run_free(&r);
					linux_sections_free(&s);
				}
				free(st.text);
				free(t);
			}
		}
		free(text);
	}
}

/* The stream itself cut at every byte: parsing keeps whole sections only. */
static void test_stream_cut_everywhere(void **state)
{
	(void)state;
	struct stream st = { 0 };
	section_file(&st, "jbd2.vda-8", "jbd2-vda-8.info");
	section_file(&st, "boot-uptime", "boot-uptime");
	section_text(&st, "fio.json", "{\"jobs\": []}\n", 13);
	puts_(&st, "vmsweep-done rc=0\n");
	for (size_t cut = 0; cut <= st.len; cut++) {
		struct linux_sections s;
		char err[256];
		char *t = malloc(cut ? cut : 1);
		memcpy(t, st.text, cut);
		assert_int_equal(linux_sections_parse(t, cut, &s, err, sizeof(err)), 0);
		for (size_t i = 0; i < s.n; i++)
			assert_non_null(strstr(st.text, s.v[i].data));
		struct store_run r = { 0 };
		assert_true(linux_metrics(&s, NULL, &r, err, sizeof(err)) >= 0);
		assert_names_known(&r);
		store_run_free(&r);
		if (cut == st.len) {
			assert_true(s.done);
			assert_int_equal(s.n, 3);
		}
		linux_sections_free(&s);
		free(t);
	}
	free(st.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framing_whole_with_crlf),
		cmocka_unit_test(test_framing_cut_mid_section),
		cmocka_unit_test(test_framing_stray_lines),
		cmocka_unit_test(test_framing_refused),
		cmocka_unit_test(test_fio_two_jobs),
		cmocka_unit_test(test_fio_group_reporting),
		cmocka_unit_test(test_fio_numjobs_clones_merged),
		cmocka_unit_test(test_fio_fsync_fdatasync),
		cmocka_unit_test(test_fio_plain_json),
		cmocka_unit_test(test_vmstat_over_the_job),
		cmocka_unit_test(test_zone_watermarks),
		cmocka_unit_test(test_jbd2_info),
		cmocka_unit_test(test_schedstat_diskstats_boot),
		cmocka_unit_test(test_mem_section_real),
		cmocka_unit_test(test_mem_section_refused),
		cmocka_unit_test(test_vmstat_samples_series),
		cmocka_unit_test(test_write_amplification),
		cmocka_unit_test(test_garbled_sections),
		cmocka_unit_test(test_stream_cut_everywhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
