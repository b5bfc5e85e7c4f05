/*
 * load_balance's arithmetic (guest/kernel/sched/fair_lb_calc.c) against worked
 * examples: CPU-bound tasks (each a runnable NICE_0_LOAD, a busy CPU's util_avg at
 * its capacity) spread over the groups of a domain, and what Linux 5.10+ would move.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/types.h>
#include "../../guest/kernel/sched/fair_lb_calc.c"

/* A group of `cpus` CPUs with `tasks` CPU-bound fair tasks on them (spread evenly). */
static struct sg_lb_stats group(unsigned cpus, unsigned tasks, unsigned imbalance_pct)
{
	struct sg_lb_stats s = { .group_weight = cpus, .group_capacity = 1024ul * cpus };
	for (unsigned c = 0; c < cpus; c++) {
		unsigned n = tasks / cpus + (c < tasks % cpus);
		s.group_load += 1024ul * n;
		s.group_util += n ? 1024 : 0;
		s.group_runnable += 1024ul * n;
		s.sum_nr_running += n;
		s.sum_h_nr_running += n;
		s.idle_cpus += !n;
	}
	sg_lb_stats_classify(&s, imbalance_pct);
	return s;
}

static struct sched_group sg_local, sg_busiest;

/* The domain's statistics with the local group and one other; the verdict. */
static bool verdict(const struct sched_domain *sd, enum cpu_idle_type idle, struct sg_lb_stats local,
		    struct sg_lb_stats other, struct lb_verdict *v)
{
	struct sd_lb_stats sds = { .local = &sg_local, .local_stat = local,
				   .prefer_sibling = sd->child && (sd->child->flags & SD_PREFER_SIBLING) };
	if (update_sd_pick_busiest(&sds, &other)) {
		sds.busiest = &sg_busiest;
		sds.busiest_stat = other;
	}
	sds.total_load = local.group_load + other.group_load;
	sds.total_capacity = local.group_capacity + other.group_capacity;
	return sd_lb_verdict(sd, idle, &sds, v);
}

static const struct sched_domain mc = { .flags = SD_SHARE_PKG_RESOURCES | SD_PREFER_SIBLING, .imbalance_pct = 117 };
static const struct sched_domain pkg = { .flags = SD_PREFER_SIBLING, .imbalance_pct = 117 };

static void test_classify(void **state)
{
	(void)state;
	assert_int_equal(group(1, 0, 117).group_type, group_has_spare);
	assert_int_equal(group(1, 1, 117).group_type, group_fully_busy);
	assert_int_equal(group(1, 2, 117).group_type, group_overloaded);
	assert_int_equal(group(2, 1, 117).group_type, group_has_spare);
	assert_int_equal(group(2, 3, 117).avg_load, 1536); /* 3072 of load on 2048 of capacity */
}

/* 3 tasks on 2 CPUs: the CPU with one task pulls load 512 (half a task: it goes only
 * once balancing has failed, nr_balance_failed halving the task's weight). */
static void test_three_on_two(void **state)
{
	(void)state;
	struct lb_verdict v;
	assert_true(verdict(&mc, CPU_NOT_IDLE, group(1, 1, 117), group(1, 2, 117), &v));
	assert_int_equal(v.migration_type, migrate_load);
	assert_int_equal(v.imbalance, 512);
	/* the CPU with two tasks has nothing to pull from the one with one */
	assert_false(verdict(&mc, CPU_NOT_IDLE, group(1, 2, 117), group(1, 1, 117), &v));
}

/* An idle CPU beside one with two tasks: move one task (half the difference). */
static void test_idle_pulls_a_task(void **state)
{
	(void)state;
	struct lb_verdict v;
	assert_true(verdict(&mc, CPU_IDLE, group(1, 0, 117), group(1, 2, 117), &v));
	assert_int_equal(v.migration_type, migrate_task);
	assert_int_equal(v.imbalance, 1);
	/* one task alone elsewhere is no imbalance for an idle CPU */
	assert_false(verdict(&mc, CPU_IDLE, group(1, 0, 117), group(1, 1, 117), &v));
}

/* Across packages (no shared cache): an idle package fills its spare capacity. */
static void test_pkg_spare_capacity(void **state)
{
	(void)state;
	struct lb_verdict v;
	assert_true(verdict(&pkg, CPU_IDLE, group(2, 0, 117), group(2, 3, 117), &v));
	assert_int_equal(v.migration_type, migrate_util);
	assert_int_equal(v.imbalance, 2048);
	/* the same inside a cache (MC): tasks, half the difference (prefer_sibling's child absent: idle CPUs) */
	struct sched_domain mc_top = mc;
	assert_true(verdict(&mc_top, CPU_IDLE, group(2, 0, 117), group(2, 3, 117), &v));
	assert_int_equal(v.migration_type, migrate_task);
	assert_int_equal(v.imbalance, 1); /* (2 idle - 0 idle) / 2 */
}

/* Both overloaded: balanced below imbalance_pct, not above. 6 vs 7 tasks: 7168 <= 1.17 * 6144. */
static void test_imbalance_pct(void **state)
{
	(void)state;
	struct lb_verdict v;
	assert_false(verdict(&mc, CPU_NOT_IDLE, group(1, 6, 117), group(1, 7, 117), &v));
	assert_true(verdict(&mc, CPU_NOT_IDLE, group(1, 4, 117), group(1, 5, 117), &v));
	assert_int_equal(v.migration_type, migrate_load);
	assert_int_equal(v.imbalance, 512);
	/* SMT's 110 balances 6 vs 7 as well: 7168 > 1.10 * 6144 */
	struct sched_domain smt = mc;
	smt.imbalance_pct = 110;
	assert_true(verdict(&smt, CPU_NOT_IDLE, group(1, 6, 110), group(1, 7, 110), &v));
	/* equal loads: nothing to do */
	assert_false(verdict(&mc, CPU_NOT_IDLE, group(1, 2, 117), group(1, 2, 117), &v));
}

/* A busy CPU does not pull from a group that is only fully busy. */
static void test_busy_cpu_leaves_fully_busy(void **state)
{
	(void)state;
	struct lb_verdict v;
	assert_false(verdict(&pkg, CPU_NOT_IDLE, group(2, 2, 117), group(2, 2, 117), &v));
	assert_false(verdict(&mc, CPU_NOT_IDLE, group(1, 1, 117), group(1, 1, 117), &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),	   cmocka_unit_test(test_three_on_two),
		cmocka_unit_test(test_idle_pulls_a_task),  cmocka_unit_test(test_pkg_spare_capacity),
		cmocka_unit_test(test_imbalance_pct),	   cmocka_unit_test(test_busy_cpu_leaves_fully_busy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
