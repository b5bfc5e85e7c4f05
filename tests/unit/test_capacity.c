/*
 * `vmsweep capacity`'s pieces without a guest: the SLO parser (units, 'and', the errors
 * that name the cause), the one-sided t test against SciPy's t.ppf(0.95, 2) =
 * 2.919985580355516, and the bisection against a known threshold: it must end with
 * the threshold between the largest passing and the smallest failing load, within one
 * step of the resolution.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "helpers.h"
#include "capacity/round_plan.h"
#include "capacity/search.h"
#include "capacity/slo.h"
#include "sweep/load_param.h"

static void test_slo_parse_units(void **state)
{
	struct slo s;
	char err[512];
	(void)state;
	assert_int_equal(slo_parse("fio.w.write.clat_p99_ns < 10ms", &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.conds[0].metric, "fio.w.write.clat_p99_ns");
	assert_int_equal(s.conds[0].op, SLO_BELOW);
	assert_close(s.conds[0].value, 1e7, 0);
	assert_int_equal(slo_parse("write.clat_ns.p99 < 250us and write.iops > 1.5k && wakeup_ns.p99<2s", &s, err,
				   sizeof(err)), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.conds[0].metric, "write.clat_p99_ns"); /* the histogram spelling */
	assert_close(s.conds[0].value, 250e3, 0);
	assert_int_equal(s.conds[1].op, SLO_ABOVE);
	assert_close(s.conds[1].value, 1500, 0);
	assert_string_equal(s.conds[2].metric, "wakeup_ns.p99");
	assert_close(s.conds[2].value, 2e9, 0);
	assert_int_equal(slo_parse("write.bw_bytes > 4Mi", &s, err, sizeof(err)), 0);
	assert_close(s.conds[0].value, 4194304, 0);
}

static void test_slo_parse_errors(void **state)
{
	struct slo s;
	char err[512];
	(void)state;
	assert_int_equal(slo_parse("", &s, err, sizeof(err)), -1);
	assert_err_has(err, "--slo: empty");
	assert_int_equal(slo_parse("write.clat_p99_ns 10ms", &s, err, sizeof(err)), -1);
	assert_err_has(err, "no '<' or '>'");
	assert_int_equal(slo_parse("write.clat_p99_ns <= 10ms", &s, err, sizeof(err)), -1);
	assert_err_has(err, "use < or >");
	assert_int_equal(slo_parse("write.clat_p99 < 10ms", &s, err, sizeof(err)), -1);
	assert_err_has(err, "write.clat_p99: no run carries such a metric");
	assert_int_equal(slo_parse("write.iops > 10ms", &s, err, sizeof(err)), -1);
	assert_err_has(err, "ms is a time, and write.iops is not one");
	assert_int_equal(slo_parse("write.clat_p99_ns < 10 parsecs", &s, err, sizeof(err)), -1);
	assert_err_has(err, "unknown unit ' parsecs'");
	assert_int_equal(slo_parse("write.clat_p99_ns < fast", &s, err, sizeof(err)), -1);
	assert_err_has(err, "'fast' is not a number");
	assert_int_equal(slo_parse("write.clat_p99_ns < 1ms and", &s, err, sizeof(err)), -1);
	assert_err_has(err, "an empty condition");
}

static void test_slo_t_bound(void **state)
{
	struct slo s;
	struct slo_check c;
	char err[512];
	const double v[] = { 1, 2, 3 }, same[] = { 5, 5, 5 };
	(void)state;
	assert_int_equal(slo_parse("write.clat_mean_ns < 3.7ns", &s, err, sizeof(err)), 0);
	slo_cond_check(&s.conds[0], v, 3, slo_alpha(&s, 0.95), &c);
	assert_close(c.mean, 2, 1e-15);
	assert_close(c.bound, 3.685854460848083, 1e-10); /* 2 + t.ppf(0.95, 2) / sqrt(3) */
	assert_close(c.other, 0.314145539151917, 1e-9); /* GSL's quantile to ~1e-11 */
	assert_int_equal(c.verdict, SLO_PASS);
	s.conds[0].value = 3; /* inside the interval: neither side is sure */
	slo_cond_check(&s.conds[0], v, 3, 0.05, &c);
	assert_int_equal(c.verdict, SLO_UNSURE);
	s.conds[0].value = 0.3; /* below the lower bound: the mean is surely above */
	slo_cond_check(&s.conds[0], v, 3, 0.05, &c);
	assert_int_equal(c.verdict, SLO_FAIL);
	s.conds[0].op = SLO_ABOVE; /* > 0.3: the lower bound is above it */
	slo_cond_check(&s.conds[0], v, 3, 0.05, &c);
	assert_int_equal(c.verdict, SLO_PASS);
	s.conds[0].value = 5; /* equal values: no spread, the mean decides */
	slo_cond_check(&s.conds[0], same, 3, 0.05, &c);
	assert_int_equal(c.verdict, SLO_FAIL);
	slo_cond_check(&s.conds[0], same, 1, 0.05, &c); /* one run says nothing of the spread */
	assert_int_equal(c.verdict, SLO_UNSURE);
	/* two conditions: each at 97.5 % */
	assert_int_equal(slo_parse("write.clat_mean_ns < 1ms and write.iops > 1", &s, err, sizeof(err)), 0);
	assert_close(slo_alpha(&s, 0.95), 0.025, 1e-15);
	struct slo_check two[2] = { { .verdict = SLO_PASS }, { .verdict = SLO_UNSURE } };
	assert_int_equal(slo_combine(two, 2), SLO_UNSURE);
	two[1].verdict = SLO_FAIL;
	assert_int_equal(slo_combine(two, 2), SLO_FAIL);
}

/* Runs a search against "passes below threshold"; returns the probes made. */
static size_t search_run(struct capacity_search *s, const struct capacity_range *r, int64_t threshold)
{
	int64_t load;
	capacity_search_init(s, r);
	while ((load = capacity_search_next(s)) >= 0)
		capacity_search_record(s, load, load <= threshold);
	return s->nr_probes;
}

static void test_search_finds_threshold(void **state)
{
	struct capacity_search s;
	const struct capacity_range rel = { .min = 100, .max = 20000, .rel = 0.05 };
	const struct capacity_range abs = { .min = 100, .max = 20000, .step = 250 };
	(void)state;
	for (int64_t t = 150; t < 20000; t = t * 13 / 10) {
		search_run(&s, &rel, t);
		assert_int_equal(capacity_search_status(&s), CAPACITY_FOUND);
		assert_true(s.pass <= t && t < s.fail);
		assert_true((double)s.fail <= (double)s.pass * 1.05);
		assert_true(s.nr_probes <= 9); /* log2(log(200) / log(1.05)) + 2 */
		search_run(&s, &abs, t);
		assert_int_equal(capacity_search_status(&s), CAPACITY_FOUND);
		assert_true(s.pass <= t && t < s.fail && s.fail - s.pass <= 250);
	}
	search_run(&s, &rel, 50); /* even the lightest load fails */
	assert_int_equal(capacity_search_status(&s), CAPACITY_BELOW);
	assert_int_equal(s.fail, 100);
	search_run(&s, &rel, 30000); /* even the heaviest passes */
	assert_int_equal(capacity_search_status(&s), CAPACITY_ABOVE);
	assert_int_equal(s.pass, 20000);
	assert_false(s.nonmonotone);
}

static void test_search_nonmonotone(void **state)
{
	struct capacity_search s;
	const struct capacity_range r = { .min = 100, .max = 1000, .rel = 0.05 };
	(void)state;
	capacity_search_init(&s, &r);
	capacity_search_record(&s, 500, false);
	capacity_search_record(&s, 200, true);
	capacity_search_record(&s, 700, true); /* a pass above a failing load */
	assert_true(s.nonmonotone);
	assert_int_equal(s.contra_load, 700);
	assert_int_equal(s.contra_other, 500);
	assert_int_equal(s.pass, 200); /* the bracket keeps the evidence below F */
	assert_int_equal(s.fail, 500);
	int64_t next = capacity_search_next(&s);
	assert_true(next > 200 && next < 500);
}

static void test_load_spec(void **state)
{
	struct load_spec l;
	char err[512];
	(void)state;
	assert_int_equal(load_spec_parse("rate_iops=100..20000", &l, err, sizeof(err)), 0);
	assert_string_equal(l.name, "fio.rate_iops");
	assert_int_equal(l.min, 100);
	assert_int_equal(l.max, 20000);
	assert_false(l.reversed);
	assert_int_equal(load_spec_parse("fio.rate_iops=5000..100", &l, err, sizeof(err)), 0);
	assert_true(l.reversed);
	assert_int_equal(load_spec_parse("thinktime=10ms..100us", &l, err, sizeof(err)), 0);
	assert_string_equal(l.name, "fio.thinktime");
	assert_true(l.reversed); /* less think time is more load: searched down */
	assert_int_equal(l.min, 100);
	assert_int_equal(l.max, 10000);
	assert_int_equal(load_spec_parse("rate=1m..64m", &l, err, sizeof(err)), 0);
	assert_int_equal(l.max, 64 << 20);
	assert_int_equal(load_spec_parse("rate_iop=1..2", &l, err, sizeof(err)), -1);
	assert_err_has(err, "--load rate_iop: not a load");
	assert_err_has(err, "did you mean 'rate_iops'");
	assert_int_equal(load_spec_parse("rate_iops=100", &l, err, sizeof(err)), -1);
	assert_err_has(err, "expected NAME=LIGHT..HEAVY");
	assert_int_equal(load_spec_parse("rate_iops=10..10", &l, err, sizeof(err)), -1);
	assert_err_has(err, "one value");
	assert_int_equal(load_spec_parse("rate_iops=0..10", &l, err, sizeof(err)), -1);
	assert_err_has(err, "above 0");
	assert_int_equal(load_spec_parse("rate_iops=x..10", &l, err, sizeof(err)), -1);
	assert_err_has(err, "--load rate_iops: invalid integer 'x'");
}

/* A round's plan holds the wanted points, in the order wanted, with the runs each wants
 * and the seeds a sweep of those loads would give them. */
static void test_round_plan(void **state)
{
	static const char text[] = "[sweep]\nname = t\nrepeat = 2\nseed = 5\n[guest]\nmemory = 64M\n"
				   "[params]\nvcpus = 1, 2\n";
	char path[] = "/tmp/test_capacity.XXXXXX", err[1024] = "";
	struct sweep_config cfg, full_cfg;
	struct sweep_plan base, plan, full;
	struct load_spec l;
	int fd = mkstemp(path);
	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	memset(&cfg, 0, sizeof(cfg));
	memset(&full_cfg, 0, sizeof(full_cfg));
	if (sweep_config_load(path, &cfg, err, sizeof(err)) || sweep_plan(&cfg, &base, err, sizeof(err)) ||
	    load_spec_parse("tasks_per_cpu=1..8", &l, err, sizeof(err)) || load_param_append(&cfg, &l, err, sizeof(err)))
		fail_msg("%s", err);
	const struct round_want w[] = { { 1, 5, 4 }, { 0, 3, 2 }, { 0, 6, 1 } };
	if (round_plan_build(&cfg, &base, w, 3, &plan, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(plan.nr_points, 3);
	assert_int_equal(plan.nr_runs, 7);
	assert_int_equal(cfg.repeat, 2); /* put back */
	assert_int_equal(cfg.params[1].nr_values, 2);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(sweep_plan_point(&plan, i)[0], (int64_t)(w[i].base + 1)); /* vcpus */
		assert_int_equal(sweep_plan_point(&plan, i)[1], w[i].load);
	}
	/* the same seeds as a sweep of vcpus x tasks_per_cpu = 3, 5, 6 with repeat 4 */
	if (sweep_config_load(path, &full_cfg, err, sizeof(err)) ||
	    load_spec_parse("tasks_per_cpu=1..8", &l, err, sizeof(err)) ||
	    load_param_append(&full_cfg, &l, err, sizeof(err)))
		fail_msg("%s", err);
	full_cfg.params[1].values[0] = 3;
	full_cfg.params[1].values[1] = 5;
	full_cfg.repeat = 4;
	if (sweep_plan(&full_cfg, &full, err, sizeof(err)))
		fail_msg("%s", err);
	size_t per_point[3] = { 0 };
	for (size_t i = 0; i < plan.nr_runs; i++) {
		const struct sweep_run *r = &plan.runs[i];
		const int64_t *v = sweep_plan_point(&plan, r->point);
		assert_true(r->rep < w[r->point].runs);
		per_point[r->point]++;
		bool found = v[1] == 6; /* 6 is not in the full sweep */
		for (size_t j = 0; j < full.nr_runs && !found; j++) {
			const int64_t *fv = sweep_plan_point(&full, full.runs[j].point);
			if (fv[0] == v[0] && fv[1] == v[1] && full.runs[j].rep == r->rep) {
				assert_true(full.runs[j].seed == r->seed);
				found = true;
			}
		}
		assert_true(found);
	}
	assert_int_equal(per_point[0], 4);
	assert_int_equal(per_point[1], 2);
	assert_int_equal(per_point[2], 1);
	unlink(path);
	sweep_plan_free(&full);
	sweep_plan_free(&plan);
	sweep_plan_free(&base);
	sweep_config_free(&full_cfg);
	sweep_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slo_parse_units),	     cmocka_unit_test(test_slo_parse_errors),
		cmocka_unit_test(test_slo_t_bound),	     cmocka_unit_test(test_search_finds_threshold),
		cmocka_unit_test(test_search_nonmonotone), cmocka_unit_test(test_load_spec),
		cmocka_unit_test(test_round_plan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
