/*
 * The guest's topology decode and sched domains (guest/kernel/sched/topology.c),
 * compiled here with a host shim. For each shape SxCxT the x2APIC IDs are laid out as
 * the host presents them (thread, then core, then package bits, each field as wide as
 * its count needs), and the domains must be those Linux builds for that shape:
 * degenerate levels gone, groups the child level's spans, sd_init's parameters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define SCHED_TOPOLOGY_HOST_SHIM
#include <kernel/types.h>
#include "../../guest/kernel/sched/topology.c"

static void *test_zalloc(size_t n)
{
	return calloc(1, n);
}

struct shape {
	unsigned s, c, t, n;
	struct topo_shifts shifts;
	u32 apic[64];
	struct cpu_topology topo[64];
};

static void shape_make(struct shape *sh, unsigned s, unsigned c, unsigned t)
{
	memset(sh, 0, sizeof(*sh));
	sh->s = s, sh->c = c, sh->t = t, sh->n = s * c * t;
	sh->shifts.smt_shift = count_order(t);
	sh->shifts.core_shift = sh->shifts.smt_shift + count_order(c);
	sh->shifts.llc_shift = sh->shifts.core_shift; /* an L3 per package */
	unsigned i = 0;
	for (unsigned p = 0; p < s; p++)
		for (unsigned k = 0; k < c; k++)
			for (unsigned h = 0; h < t; h++)
				sh->apic[i++] = (p << sh->shifts.core_shift) | (k << sh->shifts.smt_shift) | h;
	topology_decode(sh->apic, sh->n, &sh->shifts, sh->topo);
}

static void domains_free(struct sched_domain *sd)
{
	while (sd) {
		struct sched_domain *p = sd->parent;
		free(sd);
		sd = p;
	}
}

/* The chain of CPU cpu's domains must be exactly these names, spans and group counts. */
static void expect_domains(const struct shape *sh, unsigned cpu, unsigned nr, const char *const *names,
			   const u64 *spans, const unsigned *groups)
{
	struct sched_domain *lowest = build_cpu_domains(cpu, sh->topo, sh->n, test_zalloc), *sd = lowest, *prev = NULL;
	for (unsigned i = 0; i < nr; i++) {
		assert_non_null(sd);
		assert_string_equal(sd->name, names[i]);
		assert_int_equal(sd->level, i);
		assert_int_equal(sd->span, spans[i]);
		assert_int_equal(sd->nr_groups, groups[i]);
		/* groups partition the span; the local one holds the CPU */
		u64 all = 0;
		for (unsigned g = 0; g < sd->nr_groups; g++) {
			assert_int_equal(all & sd->groups[g].span, 0);
			all |= sd->groups[g].span;
			assert_int_equal(sd->groups[g].capacity, 1024 * sd->groups[g].weight);
		}
		assert_int_equal(all, sd->span);
		assert_true(sd->groups[sd->local_group].span & (1ull << cpu));
		/* sd_init: intervals from the weight, busy_factor 16; SMT 110/0, others 117/1 */
		unsigned w = (unsigned)__builtin_popcountll(spans[i]);
		assert_int_equal(sd->min_interval, w);
		assert_int_equal(sd->max_interval, 2 * w);
		assert_int_equal(sd->balance_interval, w);
		assert_int_equal(sd->busy_factor, 16);
		bool smt = !strcmp(names[i], "SMT");
		assert_int_equal(sd->imbalance_pct, smt ? 110 : 117);
		assert_int_equal(sd->cache_nice_tries, smt ? 0 : 1);
		assert_int_equal(!!(sd->flags & SD_SHARE_CPUCAPACITY), smt);
		assert_int_equal(!!(sd->flags & SD_SHARE_PKG_RESOURCES), strcmp(names[i], "PKG") != 0);
		assert_true(sd->flags & SD_BALANCE_NEWIDLE);
		assert_true(sd->flags & SD_WAKE_AFFINE);
		assert_ptr_equal(sd->child, prev);
		prev = sd;
		sd = sd->parent;
	}
	assert_null(sd);
	domains_free(lowest);
}

static void test_decode_ids(void **state)
{
	(void)state;
	struct shape sh;
	shape_make(&sh, 2, 3, 1); /* a core count that is not a power of two: IDs 0,1,2 and 4,5,6 */
	const u32 want[] = { 0, 1, 2, 4, 5, 6 };
	for (unsigned i = 0; i < 6; i++) {
		assert_int_equal(sh.apic[i], want[i]);
		assert_int_equal(sh.topo[i].package_id, i / 3);
		assert_int_equal(sh.topo[i].core_id, i % 3);
		assert_int_equal(sh.topo[i].thread_id, 0);
		assert_int_equal(sh.topo[i].llc_siblings, i < 3 ? 0x7 : 0x38);
		assert_int_equal(sh.topo[i].thread_siblings, 1ull << i);
	}
	shape_make(&sh, 1, 2, 2);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(sh.topo[i].core_id, i / 2);
		assert_int_equal(sh.topo[i].thread_id, i % 2);
		assert_int_equal(sh.topo[i].thread_siblings, i < 2 ? 0x3 : 0xc);
		assert_int_equal(sh.topo[i].llc_siblings, 0xf);
	}
}

static void test_domains_1x4x1(void **state)
{
	(void)state;
	struct shape sh;
	shape_make(&sh, 1, 4, 1);
	static const char *const names[] = { "MC" };
	for (unsigned cpu = 0; cpu < 4; cpu++)
		expect_domains(&sh, cpu, 1, names, (const u64[]){ 0xf }, (const unsigned[]){ 4 });
}

static void test_domains_4x1x1(void **state)
{
	(void)state;
	struct shape sh;
	shape_make(&sh, 4, 1, 1);
	static const char *const names[] = { "PKG" };
	expect_domains(&sh, 2, 1, names, (const u64[]){ 0xf }, (const unsigned[]){ 4 });
}

static void test_domains_2x2x1(void **state)
{
	(void)state;
	struct shape sh;
	shape_make(&sh, 2, 2, 1);
	static const char *const names[] = { "MC", "PKG" };
	expect_domains(&sh, 0, 2, names, (const u64[]){ 0x3, 0xf }, (const unsigned[]){ 2, 2 });
	expect_domains(&sh, 3, 2, names, (const u64[]){ 0xc, 0xf }, (const unsigned[]){ 2, 2 });
}

static void test_domains_2x2x2(void **state)
{
	(void)state;
	struct shape sh;
	shape_make(&sh, 2, 2, 2);
	static const char *const names[] = { "SMT", "MC", "PKG" };
	expect_domains(&sh, 0, 3, names, (const u64[]){ 0x03, 0x0f, 0xff }, (const unsigned[]){ 2, 2, 2 });
	expect_domains(&sh, 5, 3, names, (const u64[]){ 0x30, 0xf0, 0xff }, (const unsigned[]){ 2, 2, 2 });
}

static void test_domains_degenerate(void **state)
{
	(void)state;
	struct shape sh;
	shape_make(&sh, 1, 1, 2); /* two threads of one core: SMT only, MC and PKG span no more */
	static const char *const smt[] = { "SMT" };
	expect_domains(&sh, 1, 1, smt, (const u64[]){ 0x3 }, (const unsigned[]){ 2 });
	shape_make(&sh, 1, 2, 2); /* one package: no PKG above MC */
	static const char *const smt_mc[] = { "SMT", "MC" };
	expect_domains(&sh, 2, 2, smt_mc, (const u64[]){ 0xc, 0xf }, (const unsigned[]){ 2, 2 });
	shape_make(&sh, 1, 1, 1); /* one CPU: nothing to balance */
	assert_null(build_cpu_domains(0, sh.topo, 1, test_zalloc));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_ids),	    cmocka_unit_test(test_domains_1x4x1),
		cmocka_unit_test(test_domains_4x1x1),	    cmocka_unit_test(test_domains_2x2x1),
		cmocka_unit_test(test_domains_2x2x2),	    cmocka_unit_test(test_domains_degenerate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
