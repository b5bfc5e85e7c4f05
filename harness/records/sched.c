/*
 * The scheduler's records: per CPU, /proc/schedstat's cpu line and its sched domains'
 * lines (guest/kernel/sched/schedstat.c), with each domain's shape and sd_init
 * parameters and the topology the CPU read from CPUID. What balancing did (lb_*,
 * alb_*), how wake-ups were placed (ttwu_*) and what a migration cost are read here.
 */
#include <stdbool.h>
#include <string.h>

#include "records/family.h"
#include "records/sched.h"
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
	return json_pack("{s:s, s:i, s:I, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:I, s:I, s:I, s:I, s:I, s:I}", "name", d->name,
			 "level", (int)d->level, "span", U(d->span), "groups", (int)d->nr_groups, "min_interval_ms",
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
	.json = sched_json,
};
