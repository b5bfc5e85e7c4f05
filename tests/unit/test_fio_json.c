/*
 * fio's JSON from records, computed as fio's stat.c does: the options as the file wrote
 * them (fio's names, fio's order, flags left out, clones and skipped sections), fio's
 * arithmetic (bw and iops over the runtime in ms, standard deviations with n - 1, the
 * maps' percentages and floors), group merges (latencies pooled, bw samples summed),
 * json+ bins, disk_util.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>
#include <cmocka.h>
#include <vmsweep/hist.h>
#include "fio/fio_json.h"
#include "fio/fio_json_opts.h"
#include "fio/job_compile.h"

static const struct fio_disk_info disks[] = { { .size = 1ull << 30 } };

static struct vms_workload *compile_text(const char *text, char *path)
{
	strcpy(path, "/tmp/test_fio_json.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct vms_workload *wl = NULL;
	size_t size;
	char err[512] = "";
	if (fio_compile_file(path, disks, 1, &wl, &size, err, sizeof(err)))
		fail_msg("compile failed: %s", err);
	return wl;
}

static const char *sget(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void test_options_as_fio_writes_them(void **state)
{
	(void)state;
	char path[64], err[256];
	struct vms_workload *wl = compile_text("[global]\nfilename=/dev/vda\ndirect=1\ntime_based\nruntime=1s\n"
					       "[mem]\nioengine=mem\nsize=1m\n"
					       "[a]\nreadwrite=randread\nblocksize=4k\nfilename=/dev/vda\ntimeout=2s\n"
					       "group_reporting\nnumjobs=2\ndescription=hello\n"
					       "[b]\nname=bee\nrw=write\n"
					       "[c]\nstonewall\n",
					       path);
	struct fio_json_opts *o;
	struct fio_option ov = { .key = "iodepth", .value = "1" };
	assert_int_equal(fio_json_opts_read(path, &ov, 1, wl, &o, err, sizeof(err)), 0);
	/* global: in file order, filename last (fio sorts it after the others); a flag left out */
	json_t *g = fio_json_optlist_json(&o->global);
	const char *key;
	json_t *v;
	char keys[256] = "";
	json_object_foreach(g, key, v)
	{
		strcat(keys, key);
		strcat(keys, " ");
	}
	assert_string_equal(keys, "direct runtime filename ");
	json_decref(g);
	/* jobs: mem (0), a and its clone (1, 2), bee (3), c (4) */
	assert_int_equal(wl->nr_jobs, 5);
	for (int k = 1; k <= 2; k++) {
		json_t *a = fio_json_optlist_json(&o->job[k]);
		keys[0] = 0;
		json_object_foreach(a, key, v)
		{
			strcat(keys, key);
			strcat(keys, " ");
		}
		/* fio's names for the aliases; the sweep's override after the section's own */
		assert_string_equal(keys, "rw bs runtime numjobs description iodepth filename ");
		assert_string_equal(sget(a, "rw"), "randread");
		assert_string_equal(sget(a, "runtime"), "2s");
		assert_string_equal(o->desc[k], "hello");
		json_decref(a);
	}
	json_t *b = fio_json_optlist_json(&o->job[3]);
	assert_string_equal(sget(b, "name"), "bee");
	json_decref(b);
	/* a section with only a flag: the object is there, and empty (fio writes {}) */
	assert_true(o->job[4].present);
	assert_int_equal(o->job[4].nr, 1); /* the override */
	assert_null(o->desc[4]);
	fio_json_opts_free(o);
	free(wl);
	unlink(path);
}

static void stat_set(struct vms_fio_stat *s, const uint64_t *v, unsigned n)
{
	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < n; i++) {
		unsigned __int128 sq = ((unsigned __int128)s->sumsq[1] << 64 | s->sumsq[0]) + (unsigned __int128)v[i] * v[i];
		s->min = !s->n || v[i] < s->min ? v[i] : s->min;
		s->max = v[i] > s->max ? v[i] : s->max;
		s->n++;
		s->sum += v[i];
		s->sumsq[0] = (uint64_t)sq;
		s->sumsq[1] = (uint64_t)(sq >> 64);
	}
}

/* One job: 4 reads of 4 KiB in 2 s with clat 100, 200, 300, 400 us; bw samples 10, 20, 30. */
static void record_fill(struct vms_rec_fio_job *r, uint32_t job)
{
	static const uint64_t clat[] = { 100000, 200000, 300000, 400000 }, bw[] = { 10, 20, 30 }, iops[] = { 2, 5, 8 };
	struct vms_fio_stat s;

	memset(r, 0, sizeof(*r));
	r->job = job;
	r->start_ns = 1000;
	r->end_ns = 1000 + 2000000000ull;
	struct vms_fio_dir *d = &r->dir[0];
	d->io_bytes = 4 * 4096;
	d->ios = 4;
	d->runtime_ns = 2000000000ull;
	stat_set(&s, clat, 4);
	d->clat_min_ns = s.min, d->clat_max_ns = s.max, d->clat_sum_ns = s.sum;
	memcpy(d->clat_sumsq, s.sumsq, sizeof(s.sumsq));
	for (int i = 0; i < 4; i++)
		d->clat_buckets[vms_hist_index(clat[i])]++;
	stat_set(&d->lat, clat, 4);
	stat_set(&d->bw, bw, 3);
	stat_set(&d->iops, iops, 3);
	r->lat_u[6] = 2; /* 100, 200 us: fio's 100..249 ("250") */
	r->lat_u[7] = 2; /* 300, 400 us: 250..499 ("500") */
	r->depth_map[0] = 4;
	r->submit_map[1] = 4, r->total_submit = 4;
	r->complete_map[1] = 4, r->total_complete = 4;
	r->usr_ns = 100000000ull, r->sys_ns = 500000000ull; /* 0.1 s and 0.5 s of 2 s */
	r->ctx = 7;
}

static json_t *jpath(json_t *o, const char *p)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", p);
	for (char *tok = strtok(buf, "/"); tok && o; tok = strtok(NULL, "/"))
		o = json_is_array(o) ? json_array_get(o, (size_t)atoi(tok)) : json_object_get(o, tok);
	return o;
}

static double num(json_t *doc, const char *p)
{
	json_t *v = jpath(doc, p);
	if (!v)
		fail_msg("no %s", p);
	return json_number_value(v);
}

static void test_values_as_fio_computes_them(void **state)
{
	(void)state;
	char path[64];
	struct vms_workload *wl = compile_text("[r]\nfilename=/dev/vda\nrw=randread\n", path);
	struct vms_rec_fio_job r;
	record_fill(&r, 0);
	struct vms_rec_fio_disk disk = { .disk = 0, .elapsed_ns = 2000000000ull, .ios = { 3, 0 }, .merges = { 1, 0 },
					 .ticks_ns = { 900000000ull, 0 }, .io_ticks_ns = 1000000000ull,
					 .time_in_queue_ns = 900000000ull };
	struct fio_json_in in = { .wl = wl, .jobs = &r, .nr_jobs = 1, .disks = &disk, .nr_disks = 1, .flags = FIO_JSON_PLUS };
	json_t *doc = fio_json_build(&in);
	assert_non_null(doc);
	/* fio: bw_bytes = 1000 * io_bytes / runtime_ms, iops = 1000.0 * ios / runtime_ms */
	assert_int_equal(num(doc, "jobs/0/read/runtime"), 2000);
	assert_int_equal(num(doc, "jobs/0/read/bw_bytes"), 8192);
	assert_int_equal(num(doc, "jobs/0/read/bw"), 8);
	assert_true(num(doc, "jobs/0/read/iops") == 2.0);
	/* clat: mean 250 us, sample standard deviation (n - 1) of 100..400 us */
	assert_true(num(doc, "jobs/0/read/clat_ns/mean") == 250000.0);
	assert_true(fabs(num(doc, "jobs/0/read/clat_ns/stddev") - 129099.444874) < 0.001);
	assert_int_equal(num(doc, "jobs/0/read/clat_ns/percentile/50.000000"), vms_hist_value(vms_hist_index(200000)));
	/* json+: the buckets, by fio's plat_idx_to_val */
	char bin[64];
	snprintf(bin, sizeof(bin), "jobs/0/read/clat_ns/bins/%llu", (unsigned long long)vms_hist_value(vms_hist_index(300000)));
	assert_int_equal(num(doc, bin), 1);
	assert_int_equal(json_object_size(jpath(doc, "jobs/0/read/clat_ns/bins")), 4);
	/* no slat from the guest: N 0, as fio's sync engines */
	assert_int_equal(num(doc, "jobs/0/read/slat_ns/N"), 0);
	/* bw samples: 10, 20, 30 KiB/s; the group's aggregate is 8 KiB/s, bw_agg capped at 100 */
	assert_int_equal(num(doc, "jobs/0/read/bw_min"), 10);
	assert_int_equal(num(doc, "jobs/0/read/bw_max"), 30);
	assert_true(num(doc, "jobs/0/read/bw_mean") == 20.0);
	assert_true(num(doc, "jobs/0/read/bw_dev") == 10.0);
	assert_int_equal(num(doc, "jobs/0/read/bw_samples"), 3);
	assert_true(num(doc, "jobs/0/read/bw_agg") == 100.0);
	assert_true(num(doc, "jobs/0/read/iops_stddev") == 3.0);
	/* the maps, in percent of the reads and writes */
	assert_true(num(doc, "jobs/0/iodepth_level/1") == 100.0);
	assert_true(num(doc, "jobs/0/iodepth_submit/4") == 100.0);
	assert_true(num(doc, "jobs/0/latency_us/250") == 50.0);
	assert_true(num(doc, "jobs/0/latency_us/500") == 50.0);
	assert_true(num(doc, "jobs/0/latency_ms/>=2000") == 0.0);
	/* CPU: ms of the job's 2000 ms */
	assert_int_equal(num(doc, "jobs/0/job_runtime"), 2000);
	assert_true(num(doc, "jobs/0/usr_cpu") == 5.0);
	assert_true(num(doc, "jobs/0/sys_cpu") == 25.0);
	assert_int_equal(num(doc, "jobs/0/ctx"), 7);
	assert_int_equal(num(doc, "jobs/0/latency_depth"), 1);
	/* disk_util: ms, and util the busy share */
	assert_string_equal(json_string_value(jpath(doc, "disk_util/0/name")), "vda");
	assert_int_equal(num(doc, "disk_util/0/read_ios"), 3);
	assert_int_equal(num(doc, "disk_util/0/read_merges"), 1);
	assert_int_equal(num(doc, "disk_util/0/read_ticks"), 900);
	assert_true(num(doc, "disk_util/0/util") == 50.0);
	json_decref(doc);

	/* json: no bins; no options given, none written */
	in.flags = 0;
	doc = fio_json_build(&in);
	assert_null(jpath(doc, "jobs/0/read/clat_ns/bins"));
	assert_null(jpath(doc, "global options"));
	assert_null(jpath(doc, "jobs/0/job options"));
	json_decref(doc);
	free(wl);
	unlink(path);
}

/* group_reporting: latencies pooled, bw samples added up (fio's sum_stat pure_sum), job_runtime added */
static void test_group_merges_as_fio(void **state)
{
	(void)state;
	char path[64];
	struct vms_workload *wl = compile_text("[r]\nfilename=/dev/vda\nrw=randread\nnumjobs=2\ngroup_reporting\n", path);
	struct vms_rec_fio_job r[2];
	record_fill(&r[0], 0);
	record_fill(&r[1], 1);
	struct fio_json_in in = { .wl = wl, .jobs = r, .nr_jobs = 2 };
	json_t *doc = fio_json_build(&in);
	assert_int_equal(json_array_size(json_object_get(doc, "jobs")), 1);
	assert_int_equal(num(doc, "jobs/0/read/total_ios"), 8);
	assert_int_equal(num(doc, "jobs/0/read/runtime"), 2000);
	/* pooled: 100, 100, 200, 200, ... 400 us: the mean stays, n - 1 = 7 */
	assert_true(num(doc, "jobs/0/read/clat_ns/mean") == 250000.0);
	assert_true(fabs(num(doc, "jobs/0/read/clat_ns/stddev") - sqrt(2 * 5e10 / 7)) < 0.001);
	/* summed: min 10 + 10, mean 20 + 20, samples 3 + 3, S 200 + 200 */
	assert_int_equal(num(doc, "jobs/0/read/bw_min"), 20);
	assert_int_equal(num(doc, "jobs/0/read/bw_max"), 60);
	assert_true(num(doc, "jobs/0/read/bw_mean") == 40.0);
	assert_int_equal(num(doc, "jobs/0/read/bw_samples"), 6);
	assert_true(fabs(num(doc, "jobs/0/read/bw_dev") - sqrt(400.0 / 5)) < 1e-9);
	assert_int_equal(num(doc, "jobs/0/job_runtime"), 4000);
	assert_true(num(doc, "jobs/0/sys_cpu") == 25.0);
	json_decref(doc);
	free(wl);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_as_fio_writes_them),
		cmocka_unit_test(test_values_as_fio_computes_them),
		cmocka_unit_test(test_group_merges_as_fio),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
