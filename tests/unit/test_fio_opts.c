/*
 * The fio options of issue 13 (bssplit, random_distribution, offset_increment,
 * end_fsync, sync, write_*_log, log_avg_msec, log_offset): what the compiler makes of
 * them, what `vmsweep baseline` writes back for host fio, and the guest's draws
 * (include/vmsweep/rand_dist.h) against fio's own formulas in double precision.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd/baseline.h"
#include "fio/job_compile.h"
#include "vmsweep/rand_dist.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)

static const struct fio_disk_info disks[] = { { .size = 1 * GIB } };
static const struct baseline_disk host_disks[] = { { .path = "/var/tmp/d.img", .size = 1 * GIB } };

/* Compiles text as a job file: the workload, or NULL with err. */
static struct vms_workload *compile_text(const char *text, char *err, size_t errlen)
{
	char path[] = "/tmp/test_fio_opts.XXXXXX";
	int fd = mkstemp(path);
	struct vms_workload *wl = NULL;
	size_t size = 0;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	if (fio_compile_file(path, disks, 1, &wl, &size, err, errlen))
		wl = NULL;
	unlink(path);
	return wl;
}

static struct vms_workload *compile_ok(const char *text)
{
	char err[512] = "";
	struct vms_workload *wl = compile_text(text, err, sizeof(err));
	if (!wl)
		fail_msg("compile failed: %s\n%s", err, text);
	return wl;
}

/* The job fails to compile with a message holding phrase. */
static void compile_fails(const char *text, const char *phrase)
{
	char err[512] = "";
	struct vms_workload *wl = compile_text(text, err, sizeof(err));
	if (wl)
		fail_msg("compiled, but should fail with \"%s\":\n%s", phrase, text);
	if (!strstr(err, phrase))
		fail_msg("error \"%s\" does not say \"%s\"", err, phrase);
}

static char *baseline_text(const struct vms_workload *wl)
{
	char err[256] = "";
	FILE *f = tmpfile();
	assert_non_null(f);
	if (baseline_job_write(f, wl, host_disks, 1, &(struct baseline_fio){ .async_engine = "io_uring" }, "t.fio", err, sizeof(err)))
		fail_msg("baseline_job_write: %s", err);
	long len = ftell(f);
	char *text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	rewind(f);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return text;
}

#define JOB "[j]\nfilename=/dev/vda\ndirect=1\nioengine=libaio\nrw=randrw\nsize=64m\n"

/* ---- bssplit ---- */

static void test_bssplit(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok(JOB "bs=8k\nbssplit=4k/10:64k/50:32k/40\n");
	const struct vms_job *j = &wl->jobs[0];

	/* both directions, sorted by share (fio's qsort), bs= overridden: bs[] is the largest */
	for (int d = 0; d < 2; d++) {
		assert_int_equal(j->bssplit_nr[d], 3);
		assert_int_equal(j->bssplit[d][0].bs, 4096);
		assert_int_equal(j->bssplit[d][0].perc, 10);
		assert_int_equal(j->bssplit[d][1].bs, 32768);
		assert_int_equal(j->bssplit[d][1].perc, 40);
		assert_int_equal(j->bssplit[d][2].bs, 65536);
		assert_int_equal(j->bssplit[d][2].perc, 50);
		assert_int_equal(j->bs[d], 65536);
	}
	char *t = baseline_text(wl);
	assert_non_null(strstr(t, "bssplit=4096/10:32768/40:65536/50,4096/10:32768/40:65536/50\n"));
	free(t);
	free(wl);

	/* blanks share the rest evenly, integer division as fio; reads only; writes keep bs= */
	wl = compile_ok(JOB "bs=8k\nbssplit=4k/50:1k/:32k/,\n");
	j = &wl->jobs[0];
	assert_int_equal(j->bssplit_nr[0], 3);
	assert_int_equal(j->bssplit[0][0].bs, 1024);
	assert_int_equal(j->bssplit[0][0].perc, 25);
	assert_int_equal(j->bssplit[0][1].bs, 32768);
	assert_int_equal(j->bssplit[0][1].perc, 25);
	assert_int_equal(j->bssplit[0][2].perc, 50);
	assert_int_equal(j->bssplit_nr[1], 0);
	assert_int_equal(j->bs[0], 32768);
	assert_int_equal(j->bs[1], 8192);
	free(wl);

	/* writes only: the read side keeps bs= */
	wl = compile_ok(JOB "bssplit=,4k/90:8k/10\n");
	assert_int_equal(wl->jobs[0].bssplit_nr[0], 0);
	assert_int_equal(wl->jobs[0].bssplit_nr[1], 2);
	assert_int_equal(wl->jobs[0].bs[0], 4096);
	assert_int_equal(wl->jobs[0].bs[1], 8192);
	free(wl);

	/* a lone size is all of it */
	wl = compile_ok(JOB "bssplit=16k\n");
	assert_int_equal(wl->jobs[0].bssplit[1][0].perc, 100);
	assert_int_equal(wl->jobs[0].bs[1], 16384);
	free(wl);

	compile_fails(JOB "bssplit=4k/60:8k/60\n", "add up to 120%, more than 100%");
	compile_fails(JOB "bssplit=4k/30:8k/30\n", "add up to 60%, not 100%");
	compile_fails(JOB "bssplit=4k/0:8k/\n", "a share of 0 as a blank one");
	compile_fails(JOB "bssplit=4k/150\n", "a share above 100%");
	compile_fails(JOB "bssplit=4k/50::8k/50\n", "an empty entry");
	compile_fails(JOB "bssplit=4k/5x:8k/\n", "not a whole percentage");
	compile_fails(JOB "bssplit=4k/99:1k/:2k/\n", "get 0% each");
	compile_fails(JOB "bssplit=1000/100\n", "not a multiple of 512");
	compile_fails(JOB "bssplit=4k/100,4k/100,4k/100\n", "third (trim) split");
	compile_fails(JOB "bssplit=4k/50:64k/50\nverify=crc32c\n", "verify= with several write sizes");
}

/* ---- random_distribution and its draws ---- */

static double bits_double(uint64_t b)
{
	double d;
	memcpy(&d, &b, sizeof(d));
	return d;
}

/* fio's lib/zipf.c zipf_next for draw r, before the hash, in double as fio computes it. */
static uint64_t fio_zipf_rank(uint64_t n, double theta, uint32_t r)
{
	double zetan = 0, zeta2 = pow(1.0, theta) + pow(0.5, theta);
	for (uint64_t i = 0; i < n; i++)
		zetan += pow(1.0 / (double)(i + 1), theta);
	double alpha = 1.0 / (1.0 - theta);
	double eta = (1.0 - pow(2.0 / n, 1.0 - theta)) / (1.0 - zeta2 / zetan);
	double rand_uni = (double)r / (double)4294967295u, rand_z = rand_uni * zetan;
	uint64_t val;
	if (rand_z < 1.0)
		val = 1;
	else if (rand_z < (1.0 + pow(0.5, theta)))
		val = 2;
	else
		val = 1 + (unsigned long long)(n * pow(eta * rand_uni - eta + 1.0, alpha));
	return val - 1;
}

static uint32_t xorshift32(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 0x2545F4914F6CDD1Dull) >> 32);
}

static void test_x87_pow(void **state)
{
	(void)state;
	uint64_t s = 88172645463325252ull;
	const double scale = 262144, alphas[] = { -5.0, 10.0, 0.5, 7.2134752044448170 };

	for (size_t a = 0; a < sizeof(alphas) / sizeof(alphas[0]); a++) {
		uint64_t ab, sb, mb;
		double m = -3.25;
		memcpy(&ab, &alphas[a], 8);
		memcpy(&sb, &scale, 8);
		memcpy(&mb, &m, 8);
		for (int i = 0; i < 20000; i++) {
			uint32_t r = xorshift32(&s);
			double u = (double)r / 4294967295.0;
			double want_affine = scale * pow(u * m - m + 1.0, alphas[a]);
			double want_plain = scale * pow(u, alphas[a]);
			uint64_t got_affine = vms_x87_pow_scaled(r, mb, 1, ab, sb);
			uint64_t got_plain = r ? vms_x87_pow_scaled(r, 0, 0, ab, sb) : 0;
			/* extended precision against double: the integer part moves by one at most */
			if (want_affine < 9e18 && fabs((double)got_affine - want_affine) > 1 + want_affine * 1e-15)
				fail_msg("affine: r %u alpha %g: %llu, libm %.3f", r, alphas[a], (unsigned long long)got_affine,
					 want_affine);
			if (r && want_plain < 9e18 && fabs((double)got_plain - want_plain) > 1 + want_plain * 1e-15)
				fail_msg("plain: r %u alpha %g: %llu, libm %.3f", r, alphas[a], (unsigned long long)got_plain,
					 want_plain);
		}
	}
	assert_int_equal(vms_u64_double_bits(262144), 0x4110000000000000ull);
	assert_int_equal(vms_u64_double_bits(3), 0x4008000000000000ull);
}

/* fio's usec_for_io gap for rate_process=poisson: an int64 period times a float logf, truncated. */
static uint64_t fio_poisson_usec(uint64_t period_us, uint32_t r)
{
	return (uint64_t)((int64_t)period_us * -logf((float)((r + 1.0) / 4294967296.0)));
}

/* rate_process=poisson's -ln(u): libm's to the microsecond, fio's single-precision one to
 * its float's spacing, exponential (mean and variance 1), and never infinite. */
static void test_x87_neg_log(void **state)
{
	(void)state;
	uint64_t s = 88172645463325252ull;
	const uint64_t periods[] = { 1, 500, 100, 1000000, 3 };
	const int draws = 200000;
	double sum = 0, sum2 = 0;

	assert_int_equal(vms_x87_neg_log_scaled(UINT32_MAX, 1000000), 0); /* u = 1 */
	assert_int_equal(vms_x87_neg_log_scaled(0, 1000000), 22180709); /* u = 2^-32: 32 ln 2, not infinity */
	assert_int_equal(vms_x87_neg_log_scaled(0x7fffffff, 1000000), 693147); /* u = 1/2 */
	assert_int_equal(vms_x87_neg_log_scaled(0x3fffffff, 500), 693); /* u = 1/4: 500 * 1.386 */
	assert_int_equal(vms_x87_neg_log_scaled(12345, 0), 0);
	assert_int_equal(fio_poisson_usec(500, 0x3fffffff), 693);
	for (size_t p = 0; p < sizeof(periods) / sizeof(periods[0]); p++)
		for (int i = 0; i < 20000; i++) {
			uint32_t r = xorshift32(&s);
			uint64_t got = vms_x87_neg_log_scaled(r, periods[p]);
			double want = (double)periods[p] * -log((r + 1.0) / 4294967296.0);
			uint64_t fio = fio_poisson_usec(periods[p], r);
			if (fabs((double)got - want) > 1)
				fail_msg("period %llu r %u: %llu, libm %.3f", (unsigned long long)periods[p], r,
					 (unsigned long long)got, want);
			/* float: 24 bits of the result and of u (whose error near 1 is relative to 1 - u) */
			if (fabs((double)got - (double)fio) > 1 + want * 3e-7 + (double)periods[p] * 1.2e-7)
				fail_msg("period %llu r %u: %llu, fio's logf %llu", (unsigned long long)periods[p], r,
					 (unsigned long long)got, (unsigned long long)fio);
		}
	for (int i = 0; i < draws; i++) {
		double x = (double)vms_x87_neg_log_scaled(xorshift32(&s), 1000000) / 1e6;
		sum += x;
		sum2 += x * x;
	}
	double mean = sum / draws, var = sum2 / draws - mean * mean;
	/* an exponential of mean 1: the mean's standard error 0.0022, the variance's 0.0063 */
	if (fabs(mean - 1) > 0.01 || fabs(var - 1) > 0.03)
		fail_msg("-ln(u) over %d draws: mean %.4f, variance %.4f; want 1 and 1", draws, mean, var);
}

static void test_zipf(void **state)
{
	(void)state;
	/* 4 MiB of 4k blocks: 1024 ranges */
	struct vms_workload *wl = compile_ok("[j]\nfilename=/dev/vda\nrw=randread\nsize=4m\n"
					     "random_distribution=zipf:1.2\n");
	const struct vms_job *j = &wl->jobs[0];
	const uint64_t n = 1024;
	uint64_t s = 1234567, hits_hot = 0, fio_hot = 0, hits[1024] = { 0 };
	const int draws = 200000;

	assert_int_equal(j->rand_dist, VMS_RAND_ZIPF);
	assert_int_equal(j->dist_nranges, n);
	assert_int_equal(j->dist_flags, 0);
	/* the guest's draw is fio's, rank for rank (x87 against double: one off at the rare boundary) */
	for (int i = 0; i < draws; i++) {
		uint32_t r = xorshift32(&s);
		uint64_t rank = vms_zipf_rank(j, r);
		if (i < 5000) {
			uint64_t want = fio_zipf_rank(n, 1.2, r);
			if (rank != want && rank + 1 != want && rank != want + 1)
				fail_msg("r %u: rank %llu, fio %llu", r, (unsigned long long)rank, (unsigned long long)want);
			fio_hot += want < n / 10;
		}
		assert_true(rank < n);
		hits[vms_dist_range(j, rank, 77)]++;
		hits_hot += rank < n / 10;
	}
	/* the hottest tenth of the ranges takes about zeta's share of the draws (sum i^-1.2 for
	 * i <= n/10, over all): 0.832; fio's generator (Gray et al.'s approximation) gives
	 * 0.843 of them, and so does the guest's, which draws as it does */
	double top = 0, all = 0;
	for (uint64_t i = 1; i <= n; i++) {
		all += pow((double)i, -1.2);
		top += i <= n / 10 ? pow((double)i, -1.2) : 0;
	}
	double share = (double)hits_hot / draws;
	if (fabs(share - top / all) > 0.02 || fabs(share - (double)fio_hot / 5000) > 0.015)
		fail_msg("hottest tenth: %.4f of the draws, fio's formula %.4f, zipf %.4f", share, (double)fio_hot / 5000,
			 top / all);
	/* ... wherever the hash puts those ranges: the 10% most hit ranges hold the same share */
	uint64_t sorted[1024];
	memcpy(sorted, hits, sizeof(hits));
	for (int a = 0; a < 1024; a++)
		for (int b = a + 1; b < 1024; b++)
			if (sorted[b] > sorted[a]) {
				uint64_t t = sorted[a];
				sorted[a] = sorted[b];
				sorted[b] = t;
			}
	uint64_t hot = 0;
	for (int a = 0; a < 102; a++)
		hot += sorted[a];
	assert_true(fabs((double)hot / draws - top / all) < 0.02);
	free(wl);

	/* a center fixes fio's offset; theta 1 is refused; zoned is refused */
	wl = compile_ok("[j]\nfilename=/dev/vda\nrw=randread\nsize=4m\nrandom_distribution=zipf:0.8:0.25\n");
	assert_int_equal(wl->jobs[0].dist_flags, VMS_DIST_CENTER);
	assert_int_equal(wl->jobs[0].dist_rand_off, 256);
	char *t = baseline_text(wl);
	assert_non_null(strstr(t, "random_distribution=zipf:0.8:0.25\n"));
	free(t);
	free(wl);
	compile_fails(JOB "random_distribution=zipf:1\n", "other than 1.0");
	compile_fails(JOB "random_distribution=pareto:1.5\n", "between 0 and 1");
	compile_fails(JOB "random_distribution=normal:100\n", "below 100");
	compile_fails(JOB "random_distribution=zoned:50/5:50/95\n", "not supported by vmsweep");
	compile_fails(JOB "random_distribution=zipf:x\n", "'x' is not a number");
	compile_fails(JOB "random_distribution=zipf:1.2:2\n", "from 0 to 1");
	compile_fails(JOB "random_distribution=zpif:1.2\n", "did you mean 'zipf'");
}

static void test_pareto_normal(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok("[j]\nfilename=/dev/vda\nrw=randread\nsize=4m\n"
					     "random_distribution=pareto:0.2\n");
	const struct vms_job *j = &wl->jobs[0];
	uint64_t s = 99, low = 0;
	const int draws = 100000;
	double p = log(0.2) / log(0.8);

	assert_int_equal(j->rand_dist, VMS_RAND_PARETO);
	assert_true(fabs(bits_double(j->dist_param[2]) - p) < 1e-12);
	for (int i = 0; i < draws; i++) {
		uint32_t r = xorshift32(&s);
		uint64_t rank = vms_pareto_rank(j, r);
		uint64_t want = (uint64_t)((j->dist_nranges - 1) * pow((double)r / 4294967295.0, p));
		assert_true(rank + 1 >= want && rank <= want + 1);
		low += rank < j->dist_nranges / 5;
	}
	/* P(rank < n/5) = P(u^p < 1/5) = (1/5)^(1/p): fio's "80/20" for h=0.2 */
	double want_share = pow(0.2, 1.0 / p);
	assert_true(fabs((double)low / draws - want_share) < 0.01);
	free(wl);

	/* normal: 12 draws averaged, spread in ranges by sigma percent of them */
	wl = compile_ok("[j]\nfilename=/dev/vda\nrw=randread\nsize=4m\nrandom_distribution=normal:10\n");
	j = &wl->jobs[0];
	assert_int_equal(j->rand_dist, VMS_RAND_NORMAL);
	assert_int_equal(j->dist_param[0], 103); /* ceil(1024 * 10 / 100) */
	double sum = 0, sumsq = 0;
	for (int i = 0; i < draws; i++) {
		uint32_t r[VMS_GAUSS_ITERS + 1];
		for (int k = 0; k <= VMS_GAUSS_ITERS; k++)
			r[k] = xorshift32(&s);
		uint64_t rank = vms_gauss_rank(j, r);
		assert_true(rank < j->dist_nranges);
		sum += (double)rank;
		sumsq += (double)rank * (double)rank;
	}
	/* the mean of 12 uniform draws over 0..n (sigma n/12) plus a uniform deviation of
	 * +-stddev/2 (sigma stddev/sqrt(12)): centred, with their combined spread */
	double mean = sum / draws, sd = sqrt(sumsq / draws - mean * mean);
	double want_sd = sqrt(pow(1025.0 / 12, 2) + pow(103.0, 2) / 12);
	assert_true(fabs(mean - 512) < 3);
	if (fabs(sd - want_sd) > 0.03 * want_sd)
		fail_msg("normal:10: sd %.1f, want %.1f", sd, want_sd);
	free(wl);
	/* sequential jobs draw no random offsets: as in fio, the distribution changes nothing */
	wl = compile_ok("[j]\nfilename=/dev/vda\nrw=read\nrandom_distribution=zipf:1.2\n");
	assert_int_equal(wl->jobs[0].rand_dist, VMS_RAND_UNIFORM);
	free(wl);
}

/* ---- offset_increment, end_fsync, sync, logs ---- */

static void test_offset_increment(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok("[j]\nfilename=/dev/vda\nrw=write\noffset=1m\nsize=16m\n"
					     "offset_increment=100m\nnumjobs=4\n");

	assert_int_equal(wl->nr_jobs, 4);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(wl->jobs[i].clone, i);
		assert_int_equal(wl->jobs[i].offset, 1 * MIB + i * 100 * MIB);
		assert_int_equal(wl->jobs[i].size, 16 * MIB);
	}
	char *t = baseline_text(wl);
	assert_non_null(strstr(t, "offset=315621376\n")); /* clone 3, as its own section */
	free(t);
	free(wl);
	compile_fails("[j]\nfilename=/dev/vda\nrw=write\nsize=200m\noffset_increment=300m\nnumjobs=4\n",
		      "clone 3's region (offset 900 MiB + size 200 MiB) is beyond the end of /dev/vda");
	compile_fails("[j]\nfilename=/dev/vda\nrw=write\noffset_increment=512m\nnumjobs=3\n",
		      "clone 2 starts at 1 GiB, at or beyond the end of /dev/vda");
	compile_fails("[j]\nfilename=/dev/vda\noffset_increment=1000\n", "not a multiple of 512");
}

static void test_sync_and_logs(void **state)
{
	(void)state;
	struct vms_workload *wl = compile_ok("[global]\nwrite_lat_log\nwrite_bw_log=bw/x\n[j]\nfilename=/dev/vda\n"
					     "direct=1\nrw=write\nsize=1m\nend_fsync=1\nsync=dsync\nlog_avg_msec=50\n"
					     "log_offset=1\nwrite_iops_log=\nname=named\nnumjobs=2\n");
	const struct vms_job *j = &wl->jobs[1];

	assert_true(j->flags & VMS_JOB_END_FSYNC);
	assert_true(j->flags & VMS_JOB_DSYNC);
	assert_false(j->flags & VMS_JOB_SYNC);
	assert_true(j->flags & VMS_JOB_LAT_LOG);
	assert_true(j->flags & VMS_JOB_BW_LOG);
	assert_true(j->flags & VMS_JOB_IOPS_LOG);
	assert_true(j->flags & VMS_JOB_LOG_OFFSET);
	assert_int_equal(j->log_avg_msec, 50);
	assert_string_equal(j->log_name[VMS_LOG_LAT], "named"); /* the job's name (name= here), as fio */
	assert_string_equal(j->log_name[VMS_LOG_BW], "bw/x");
	assert_string_equal(j->log_name[VMS_LOG_IOPS], "named");
	char *t = baseline_text(wl);
	assert_non_null(strstr(t, "end_fsync=1\nsync=dsync\n"));
	assert_non_null(strstr(t, "write_lat_log=named\nwrite_bw_log=bw/x\nwrite_iops_log=named\nlog_avg_msec=50\n"
				  "log_offset=1\n"));
	free(t);
	free(wl);
	wl = compile_ok("[j]\nfilename=/dev/vda\ndirect=1\nrw=write\nsync=1\n");
	assert_true(wl->jobs[0].flags & VMS_JOB_SYNC);
	free(wl);
	wl = compile_ok("[j]\nfilename=/dev/vda\nrw=write\nsync=1\n"); /* O_SYNC through the page cache */
	assert_true((wl->jobs[0].flags & VMS_JOB_SYNC) && !(wl->jobs[0].flags & VMS_JOB_DIRECT));
	free(wl);
	wl = compile_ok("[j]\nfilename=/dev/vda\nrw=write\nfsync_on_close=1\n");
	assert_true(wl->jobs[0].flags & VMS_JOB_END_FSYNC);
	free(wl);
	compile_fails("[j]\nfilename=/dev/vda\nsync=always\n", "expected none, 0, sync, 1 or dsync");
	compile_fails("[j]\nfilename=/dev/vda\nend_fsync\n", "needs a value");
	compile_fails("[j]\nfilename=/dev/vda\nwrite_lat_log=1\n", "fio takes '1' as the logs' name (1_lat.1.log)");
	compile_fails("[j]\nfilename=/dev/vda\nlog_avg_msec=-1\n", "log_avg_msec=-1");
	compile_fails("[j]\nfilename=/dev/vda\nlog_prio=1\n", "not supported by vmsweep");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bssplit),	       cmocka_unit_test(test_x87_pow),
		cmocka_unit_test(test_x87_neg_log),    cmocka_unit_test(test_zipf),
		cmocka_unit_test(test_pareto_normal),
		cmocka_unit_test(test_offset_increment), cmocka_unit_test(test_sync_and_logs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
