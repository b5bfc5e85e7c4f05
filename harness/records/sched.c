/*
 * The scheduler's records: per CPU, /proc/schedstat's cpu line and its sched domains'
 * lines (guest/kernel/sched/schedstat.c), with each domain's shape and sd_init
 * parameters and the topology the CPU read from CPUID. What balancing did (lb_*,
 * alb_*), how wake-ups were placed (ttwu_*) and what a migration cost are read here.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "records/family.h"
#include "records/sched.h"
#include "store/store_internal.h"
#include "util/clamp.h"
#include "util/error.h"
#include "util/json_out.h"
#include "vmm/vm.h"

static const struct sched_records no_records;

const struct sched_records *sched_records(const struct vm_result *res)
{
	const struct sched_records *s = record_family_data(res, RECORD_FAMILY_sched);
	return s ? s : &no_records;
}

/* A domain line the guest wrote: its name a word, its span within the CPUs, its levels in order. */
static int domain_check(const struct vms_rec_schedstat *r, unsigned d, unsigned nr_cpus, char *err, size_t errlen)
{
	const struct vms_sched_domain_info *sd = &r->domains[d];
	uint64_t cpus = nr_cpus >= 64 ? ~0ull : (1ull << nr_cpus) - 1;

	if (!memchr(sd->name, 0, sizeof(sd->name)) || !sd->name[0])
		return errorf(err, errlen, "schedstat of CPU %u: domain %u has no name", r->cpu, d);
	for (const char *c = sd->name; *c; c++)
		if (*c < 'A' || *c > 'Z')
			return errorf(err, errlen, "schedstat of CPU %u: domain %u's name is not a level's", r->cpu, d);
	if (!(sd->span & (1ull << r->cpu)) || (sd->span & ~cpus))
		return errorf(err, errlen, "schedstat of CPU %u: domain %s spans %#llx, not within the %u CPUs or without the CPU",
			      r->cpu, sd->name, (unsigned long long)sd->span, nr_cpus);
	if (d && (sd->span & r->domains[d - 1].span) != r->domains[d - 1].span)
		return errorf(err, errlen, "schedstat of CPU %u: domain %s does not span its child %s", r->cpu, sd->name,
			      r->domains[d - 1].name);
	if (!sd->nr_groups || sd->nr_groups > nr_cpus)
		return errorf(err, errlen, "schedstat of CPU %u: domain %s has %u groups", r->cpu, sd->name, sd->nr_groups);
	return 0;
}

static int sched_take(struct vm_result *res, const struct vms_workload *wl, uint32_t type, const void *payload,
		      uint32_t len, char *err, size_t errlen)
{
	struct vms_rec_schedstat r;
	struct sched_records *s;

	(void)wl;
	(void)len; /* records_parse checked it against the type */
	if (type != VMS_REC_SCHEDSTAT)
		return errorf(err, errlen, "record type %u is not the scheduler's", type);
	memcpy(&r, payload, sizeof(r));
	if (r.cpu >= res->nr_vcpus || r.cpu >= VMS_MAX_CPUS)
		return errorf(err, errlen, "schedstat record for CPU %u of %u", r.cpu, res->nr_vcpus);
	if (r.nr_domains > VMS_SD_MAX_LEVELS)
		return errorf(err, errlen, "schedstat of CPU %u: %u domains, at most %u", r.cpu, r.nr_domains,
			      VMS_SD_MAX_LEVELS);
	for (unsigned d = 0; d < r.nr_domains; d++)
		if (domain_check(&r, d, res->nr_vcpus, err, errlen) < 0)
			return -1;
	if (!(s = record_family_data_get(res, RECORD_FAMILY_sched, sizeof(*s))))
		return errorf(err, errlen, "out of host memory");
	if (s->seen[r.cpu])
		return errorf(err, errlen, "schedstat record for CPU %u a second time", r.cpu);
	s->seen[r.cpu] = true;
	s->cpus[r.cpu] = r;
	s->nr++;
	return 0;
}


/* ---- metrics: what a sweep compares ---- */

/* Every member is a counter: a domain's are summed as an array. */
_Static_assert(sizeof(struct vms_sd_stats) % sizeof(uint64_t) == 0, "vms_sd_stats: uint64_t counters only");

static void sd_stats_add(struct vms_sd_stats *sum, const struct vms_sd_stats *s)
{
	uint64_t *to = (uint64_t *)sum;
	const uint64_t *from = (const uint64_t *)s;
	for (size_t i = 0; i < sizeof(*s) / sizeof(uint64_t); i++)
		to[i] = add_sat_u64(to[i], from[i]);
}

/* The load_balance counters, one per idle type; the metric is their sum. */
static const struct {
	const char *name;
	size_t off;
} lb_fields[] = {
#define LB_FIELD(m) { #m, offsetof(struct vms_sd_stats, m) + _Generic(((struct vms_sd_stats *)0)->m[0], uint64_t: 0) }
	LB_FIELD(lb_count),	 LB_FIELD(lb_balanced),	  LB_FIELD(lb_failed),	LB_FIELD(lb_imbalance),
	LB_FIELD(lb_gained),	 LB_FIELD(lb_hot_gained), LB_FIELD(lb_nobusyq), LB_FIELD(lb_nobusyg),
#undef LB_FIELD
};
#define NR_LB_FIELDS (sizeof(lb_fields) / sizeof(lb_fields[0]))
enum { LB_COUNT, LB_BALANCED, LB_FAILED, LB_IMBALANCE, LB_GAINED }; /* lb_fields' order */

static const char *const idle_names[VMS_CPU_MAX_IDLE_TYPES] = { "idle", "busy", "newly_idle" };

static const struct emit_field sd_fields[] = {
	EMIT_FIELD(struct vms_sd_stats, alb_count),	   EMIT_FIELD(struct vms_sd_stats, alb_failed),
	EMIT_FIELD(struct vms_sd_stats, alb_pushed),	   EMIT_FIELD(struct vms_sd_stats, ttwu_wake_remote),
	EMIT_FIELD(struct vms_sd_stats, ttwu_move_affine),
};

static const struct emit_field cpu_fields[] = {
	EMIT_FIELD(struct vms_rec_schedstat, yld_count),
	EMIT_FIELD(struct vms_rec_schedstat, sched_count),
	EMIT_FIELD(struct vms_rec_schedstat, sched_goidle),
	EMIT_FIELD(struct vms_rec_schedstat, ttwu_count),
	EMIT_FIELD(struct vms_rec_schedstat, ttwu_local),
	EMIT_FIELD_AS(struct vms_rec_schedstat, rq_cpu_time, "rq_cpu_time_ns"),
	EMIT_FIELD_AS(struct vms_rec_schedstat, run_delay, "run_delay_ns"),
	EMIT_FIELD(struct vms_rec_schedstat, pcount),
	EMIT_FIELD_AS(struct vms_rec_schedstat, nr_moved_in, "migrations"),
	EMIT_FIELD_AS(struct vms_rec_schedstat, moved_in_wait_ns, "migration_wait_ns"),
	EMIT_FIELD(struct vms_rec_schedstat, affinity_pushed),
};

static uint64_t lb_sum(const struct vms_sd_stats *s, unsigned k)
{
	const uint64_t *v = (const uint64_t *)((const char *)s + lb_fields[k].off);
	return add_sat_u64(add_sat_u64(v[0], v[1]), v[2]);
}

/* "<prefix>lb_count" .. "<prefix>ttwu_move_affine" for the summed domains s. */
static void sd_emit(struct emit *e, const char *prefix, const struct vms_sd_stats *s)
{
	for (unsigned k = 0; k < NR_LB_FIELDS; k++)
		emit_put(e, (double)lb_sum(s, k), "%s%s", prefix, lb_fields[k].name);
	emit_fields(e, prefix, s, sd_fields, sizeof(sd_fields) / sizeof(sd_fields[0]));
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : NAN;
}

/* sched.<LEVEL>.*: each level's domains summed over the CPUs, a level once, lowest first. */
static void levels_emit(struct emit *e, const struct sched_records *s)
{
	for (unsigned i = 0; i < VMS_MAX_CPUS; i++)
		for (unsigned d = 0; s->seen[i] && d < s->cpus[i].nr_domains; d++) {
			const char *name = s->cpus[i].domains[d].name;
			struct vms_sd_stats sum = { 0 };
			unsigned cpus = 0;
			bool earlier = false;
			for (unsigned j = 0; j < VMS_MAX_CPUS && !earlier; j++)
				for (unsigned dd = 0; s->seen[j] && dd < s->cpus[j].nr_domains; dd++) {
					if (strcmp(s->cpus[j].domains[dd].name, name))
						continue;
					if (j < i || (j == i && dd < d)) {
						earlier = true; /* emitted with its first */
						break;
					}
					sd_stats_add(&sum, &s->cpus[j].domains[dd].stats);
					cpus++;
				}
			if (earlier)
				continue;
			char prefix[32];
			snprintf(prefix, sizeof(prefix), "sched.%s.", name); /* take checked: A-Z, under 8 */
			sd_emit(e, prefix, &sum);
			emit_put(e, (double)cpus, "sched.%s.cpus", name);
		}
}

static void sched_metrics(struct emit *e, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct sched_records *s = sched_records(res);
	struct vms_sd_stats all = { 0 };
	struct vms_rec_schedstat cpu = { 0 }; /* the counters summed; only those of cpu_fields read */

	(void)wl;
	if (!s->nr)
		return;
	for (unsigned i = 0; i < VMS_MAX_CPUS; i++) {
		const struct vms_rec_schedstat *r = &s->cpus[i];
		if (!s->seen[i])
			continue;
		for (unsigned f = 0; f < sizeof(cpu_fields) / sizeof(cpu_fields[0]); f++) {
			uint64_t *to = (uint64_t *)((char *)&cpu + cpu_fields[f].off);
			*to = add_sat_u64(*to, *(const uint64_t *)((const char *)r + cpu_fields[f].off));
		}
		for (unsigned d = 0; d < r->nr_domains; d++)
			sd_stats_add(&all, &r->domains[d].stats);
	}
	emit_fields(e, "sched.", &cpu, cpu_fields, sizeof(cpu_fields) / sizeof(cpu_fields[0]));
	emit_put(e, ratio(cpu.run_delay, cpu.pcount), "sched.run_delay_ns_mean");
	emit_put(e, ratio(cpu.moved_in_wait_ns, cpu.nr_moved_in), "sched.migration_wait_ns_mean");
	sd_emit(e, "sched.", &all);
	for (unsigned k = 0; k < NR_LB_FIELDS; k++)
		for (unsigned t = 0; t < VMS_CPU_MAX_IDLE_TYPES; t++)
			emit_put(e, (double)((const uint64_t *)((const char *)&all + lb_fields[k].off))[t], "sched.%s.%s",
				 lb_fields[k].name, idle_names[t]);
	levels_emit(e, s);
}

#define LEVEL "sched.[A-Z]*."
#define IN_LEVEL " in one level's domains (sched.SMT., sched.MC., sched.PKG.), summed over its CPUs"
static const struct metric_doc sched_metric_docs[] = {
	{ "sched.yld_count", "sched_yield calls, summed over CPUs (/proc/schedstat's cpu line)" },
	{ "sched.sched_count", "schedule() calls" },
	{ "sched.sched_goidle", "schedule() calls that left the CPU idle" },
	{ "sched.ttwu_count", "wake-ups, counted on the waker's CPU" },
	{ "sched.ttwu_local", "of those, of a task whose CPU was the waker's" },
	{ "sched.rq_cpu_time_ns", "CPU time tasks ran, ns (rq_cpu_time)" },
	{ "sched.run_delay_ns", "time tasks waited runnable in a run queue before they ran, ns (run_delay)" },
	{ "sched.pcount", "times a task was switched in (pcount): the waits run_delay adds up" },
	{ "sched.run_delay_ns_mean", "run_delay_ns / pcount: a task's mean wait in the queue" },
	{ "sched.migrations", "tasks the balancer moved (load_balance or active balance) that then ran on their new CPU" },
	{ "sched.migration_wait_ns", "how long those waited in the new CPU's queue before they ran, ns, summed" },
	{ "sched.migration_wait_ns_mean", "migration_wait_ns / migrations: what a migration cost the task moved" },
	{ "sched.affinity_pushed", "running tasks migration/N pushed off a CPU their affinity no longer allowed" },
	{ "sched.lb_count", "load_balance calls, summed over CPUs, domains and idle types" },
	{ "sched.lb_balanced", "load_balance calls that found the domain balanced" },
	{ "sched.lb_failed", "load_balance calls that found an imbalance and moved nothing" },
	{ "sched.lb_imbalance", "the imbalances load_balance found, added up (load, utilisation or tasks, as it measured them)" },
	{ "sched.lb_gained", "tasks load_balance pulled to the balancing CPU" },
	{ "sched.lb_hot_gained", "cache-hot tasks (ran within sched_migration_cost_ns) it was allowed to pull after failures" },
	{ "sched.lb_nobusyq", "calls with a busiest group but no busiest queue in it" },
	{ "sched.lb_nobusyg", "calls without a busiest group" },
	{ "sched.lb_*.idle", "that load_balance counter for balancing by an idle CPU (CPU_IDLE: the tick's on an idle CPU)" },
	{ "sched.lb_*.busy", "that load_balance counter for balancing by a busy CPU (CPU_NOT_IDLE: the tick's)" },
	{ "sched.lb_*.newly_idle", "that load_balance counter for newidle balancing (CPU_NEWLY_IDLE: a CPU about to idle)" },
	{ "sched.alb_count", "active balances: migration/N of the busiest CPU asked to push its task after repeated failures" },
	{ "sched.alb_failed", "active balances that found nothing to push" },
	{ "sched.alb_pushed", "tasks active balancing pushed" },
	{ "sched.ttwu_wake_remote", "wake-ups of a task last on another CPU, counted in the waker's lowest domain spanning both" },
	{ "sched.ttwu_move_affine", "wake-ups wake_affine moved to the waker's CPU" },
	{ LEVEL "lb_count", "load_balance calls" IN_LEVEL },
	{ LEVEL "lb_balanced", "load_balance calls that found the domain balanced" IN_LEVEL },
	{ LEVEL "lb_failed", "load_balance calls that moved nothing from an imbalance" IN_LEVEL },
	{ LEVEL "lb_imbalance", "imbalances found, added up" IN_LEVEL },
	{ LEVEL "lb_gained", "tasks load_balance pulled" IN_LEVEL },
	{ LEVEL "lb_hot_gained", "cache-hot tasks pulled" IN_LEVEL },
	{ LEVEL "lb_nobusyq", "calls with no busiest queue" IN_LEVEL },
	{ LEVEL "lb_nobusyg", "calls with no busiest group" IN_LEVEL },
	{ LEVEL "alb_count", "active balances" IN_LEVEL },
	{ LEVEL "alb_failed", "active balances that pushed nothing" IN_LEVEL },
	{ LEVEL "alb_pushed", "tasks active balancing pushed" IN_LEVEL },
	{ LEVEL "ttwu_wake_remote", "remote wake-ups" IN_LEVEL },
	{ LEVEL "ttwu_move_affine", "wake-ups moved to the waker's CPU" IN_LEVEL },
	{ LEVEL "cpus", "CPUs with a domain at this level (a degenerate level is removed, as Linux does)" },
	{ NULL, NULL },
};
#undef LEVEL
#undef IN_LEVEL

/* ---- text ---- */

/* A CPU set as Linux's cpulist ("0-3,6"), cut short if it does not fit. */
static void cpulist_format(char *buf, size_t len, uint64_t mask)
{
	size_t at = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < 64 && at < len; i++) {
		if (!(mask & (1ull << i)))
			continue;
		unsigned j = i;
		while (j + 1 < 64 && (mask & (1ull << (j + 1))))
			j++;
		int n = j == i ? snprintf(buf + at, len - at, "%s%u", at ? "," : "", i)
			       : snprintf(buf + at, len - at, "%s%u-%u", at ? "," : "", i, j);
		if (n < 0)
			return;
		at += (size_t)n;
		i = j;
	}
}

static void sched_text(FILE *out, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct sched_records *s = sched_records(res);
	struct vms_sd_stats all = { 0 };
	uint64_t moved_in = 0, wait_ns = 0;

	(void)wl;
	if (!s->nr)
		return;
	for (unsigned i = 0; i < VMS_MAX_CPUS; i++)
		for (unsigned d = 0; s->seen[i] && d < s->cpus[i].nr_domains; d++)
			sd_stats_add(&all, &s->cpus[i].domains[d].stats);
	for (unsigned i = 0; i < VMS_MAX_CPUS; i++)
		if (s->seen[i]) {
			moved_in = add_sat_u64(moved_in, s->cpus[i].nr_moved_in);
			wait_ns = add_sat_u64(wait_ns, s->cpus[i].moved_in_wait_ns);
		}
	fprintf(out,
		"sched: load_balance pulled %llu tasks (%llu calls, %llu failed), active balance pushed %llu; "
		"%llu moved tasks waited %.3f ms each before they ran\n",
		(unsigned long long)lb_sum(&all, LB_GAINED), (unsigned long long)lb_sum(&all, LB_COUNT),
		(unsigned long long)lb_sum(&all, LB_FAILED),
		(unsigned long long)all.alb_pushed, (unsigned long long)moved_in,
		moved_in ? (double)wait_ns / (double)moved_in / 1e6 : 0.0);
	fprintf(out, "%4s %-12s %-24s %15s %10s %18s %13s\n", "CPU", "pkg/core/thr", "domains", "lb gained/failed",
		"alb pushed", "ttwu remote/affine", "run delay ms");
	for (unsigned i = 0; i < VMS_MAX_CPUS; i++) {
		const struct vms_rec_schedstat *r = &s->cpus[i];
		struct vms_sd_stats sum = { 0 };
		char topo[40], doms[3 * 200] = "", list[190];
		size_t at = 0;
		if (!s->seen[i])
			continue;
		for (unsigned d = 0; d < r->nr_domains; d++) {
			sd_stats_add(&sum, &r->domains[d].stats);
			cpulist_format(list, sizeof(list), r->domains[d].span);
			int n = snprintf(doms + at, sizeof(doms) - at, "%s%s:%s", d ? " " : "", r->domains[d].name, list);
			if (n > 0 && (size_t)n < sizeof(doms) - at)
				at += (size_t)n;
		}
		snprintf(topo, sizeof(topo), "%u/%u/%u", r->package_id, r->core_id, r->thread_id);
		char lb[48], ttwu[48];
		snprintf(lb, sizeof(lb), "%llu/%llu", (unsigned long long)lb_sum(&sum, LB_GAINED),
			 (unsigned long long)lb_sum(&sum, LB_FAILED));
		snprintf(ttwu, sizeof(ttwu), "%llu/%llu", (unsigned long long)sum.ttwu_wake_remote,
			 (unsigned long long)sum.ttwu_move_affine);
		fprintf(out, "%4u %-12s %-24s %15s %10llu %18s %13.3f\n", r->cpu, topo, r->nr_domains ? doms : "-", lb,
			(unsigned long long)sum.alb_pushed, ttwu, (double)r->run_delay / 1e6);
	}
}

/* ---- JSON ---- */

#define U(v) ((json_int_t)clamp_u64_ll(v))

static json_t *per_idle_json(const uint64_t v[VMS_CPU_MAX_IDLE_TYPES])
{
	return json_pack("{s:I, s:I, s:I}", "idle", U(v[VMS_CPU_IDLE]), "busy", U(v[VMS_CPU_NOT_IDLE]), "newly_idle",
			 U(v[VMS_CPU_NEWLY_IDLE]));
}

static json_t *domain_json(const struct vms_sched_domain_info *d)
{
	const struct vms_sd_stats *s = &d->stats;
	json_t *lb = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "lb_count", per_idle_json(s->lb_count),
			       "lb_balanced", per_idle_json(s->lb_balanced), "lb_failed", per_idle_json(s->lb_failed),
			       "lb_imbalance", per_idle_json(s->lb_imbalance), "lb_gained", per_idle_json(s->lb_gained),
			       "lb_hot_gained", per_idle_json(s->lb_hot_gained), "lb_nobusyq", per_idle_json(s->lb_nobusyq),
			       "lb_nobusyg", per_idle_json(s->lb_nobusyg));
	return json_pack("{s:s, s:i, s:I, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:I, s:I, s:I, s:I, s:I, s:I}", "name", d->name,
			 "level", (int)d->level, "span", U(d->span), "flags", (int)d->flags, "groups", (int)d->nr_groups, "min_interval_ms",
			 (int)d->min_interval, "max_interval_ms", (int)d->max_interval, "busy_factor", (int)d->busy_factor,
			 "imbalance_pct", (int)d->imbalance_pct, "cache_nice_tries", (int)d->cache_nice_tries, "balance", lb,
			 "alb_count", U(s->alb_count), "alb_failed", U(s->alb_failed), "alb_pushed", U(s->alb_pushed),
			 "ttwu_wake_remote", U(s->ttwu_wake_remote), "ttwu_move_affine", U(s->ttwu_move_affine),
			 "ttwu_move_balance", U(s->ttwu_move_balance));
}

static void sched_json(struct json_out *out, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct sched_records *s = sched_records(res);

	(void)wl;
	if (!s->nr)
		return;
	json_out_array_begin(out, "schedstat");
	for (unsigned i = 0; i < VMS_MAX_CPUS; i++) {
		const struct vms_rec_schedstat *r = &s->cpus[i];
		if (!s->seen[i])
			continue;
		json_t *domains = json_array();
		for (unsigned d = 0; d < r->nr_domains; d++)
			domains = json_push(domains, domain_json(&r->domains[d]));
		json_out_array_add(out, json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
						  "cpu", (int)r->cpu, "apic_id", (int)r->apic_id, "package_id",
						  (int)r->package_id, "core_id", (int)r->core_id, "thread_id",
						  (int)r->thread_id, "llc_id", (int)r->llc_id, "yld_count", U(r->yld_count),
						  "sched_count", U(r->sched_count), "sched_goidle", U(r->sched_goidle),
						  "ttwu_count", U(r->ttwu_count), "ttwu_local", U(r->ttwu_local),
						  "rq_cpu_time_ns", U(r->rq_cpu_time), "run_delay_ns", U(r->run_delay),
						  "pcount", U(r->pcount), "moved_in", U(r->nr_moved_in), "moved_in_wait_ns",
						  U(r->moved_in_wait_ns), "alb_pushed", U(r->alb_pushed), "affinity_pushed",
						  U(r->affinity_pushed), "domains", domains));
	}
	json_out_array_end(out);
}

const struct record_family_ops sched_records_ops = {
	.name = "sched",
	.take = sched_take,
	.metrics = sched_metrics,
	.metric_docs = sched_metric_docs,
	.text = sched_text,
	.json = sched_json,
};
