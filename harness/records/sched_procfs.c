/*
 * /proc/schedstat, version 15, from the guest's records: the same lines and fields as
 * kernel/sched/stats.c show_schedstat prints (Documentation/scheduler/sched-stats.rst):
 *
 *   version 15
 *   timestamp <jiffies>
 *   cpu<N> yld_count 0 sched_count sched_goidle ttwu_count ttwu_local rq_cpu_time run_delay pcount
 *   domain<M> <span, %*pb> then for CPU_IDLE, CPU_NOT_IDLE, CPU_NEWLY_IDLE in turn:
 *           lb_count lb_balanced lb_failed lb_imbalance lb_gained lb_hot_gained lb_nobusyq lb_nobusyg
 *       then alb_count alb_failed alb_pushed sbe_count sbe_balanced sbe_pushed
 *            sbf_count sbf_balanced sbf_pushed ttwu_wake_remote ttwu_move_affine ttwu_move_balance
 *
 * Version 16 swapped the first two idle types and 17 replaced lb_imbalance with four
 * fields and named the domains: a version 15 reader is what this writes for. The
 * kernel's domain counters are 32-bit and wrap; these are the guest's 64-bit ones.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "records/sched.h"
#include "records/sched_procfs.h"
#include "util/error.h"
#include "vmm/vm.h"

void cpumask_format(char *buf, size_t len, uint64_t mask, unsigned nr_bits)
{
	size_t at = 0;

	if (!len)
		return;
	buf[0] = 0;
	if (nr_bits > 64)
		nr_bits = 64;
	/* bitmap_string (lib/vsprintf.c): the top chunk holds nr_bits % 32 bits (32 if none) */
	unsigned chunksz = nr_bits % 32 ? nr_bits % 32 : 32;
	for (int i = (int)((nr_bits + 31) / 32 * 32) - 32; i >= 0; i -= 32) {
		uint32_t val = (uint32_t)(mask >> i) & (uint32_t)((1ull << chunksz) - 1);
		int n = snprintf(buf + at, len - at, "%s%0*" PRIx32, at ? "," : "", (int)(chunksz + 3) / 4, val);
		if (n < 0 || (size_t)n >= len - at) {
			buf[at] = 0; /* whole chunks only: the caller's buffer is CPUMASK_BUF_LEN */
			return;
		}
		at += (size_t)n;
		chunksz = 32;
	}
}

static void per_idle_write(FILE *out, const struct vms_sd_stats *s, unsigned t)
{
	fprintf(out, " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64,
		s->lb_count[t], s->lb_balanced[t], s->lb_failed[t], s->lb_imbalance[t], s->lb_gained[t],
		s->lb_hot_gained[t], s->lb_nobusyq[t], s->lb_nobusyg[t]);
}

/* show_schedstat's loop runs itype from CPU_IDLE to CPU_MAX_IDLE_TYPES, in version 15's
 * enum order: idle, busy (CPU_NOT_IDLE), newly idle. */
static const unsigned v15_idle_order[VMS_CPU_MAX_IDLE_TYPES] = { VMS_CPU_IDLE, VMS_CPU_NOT_IDLE, VMS_CPU_NEWLY_IDLE };

void schedstat_cpu_write(FILE *out, const struct vms_rec_schedstat *r, unsigned nr_cpu_ids)
{
	/* the 0: sched_switch, a legacy counter version 15 prints as 0 */
	fprintf(out, "cpu%" PRIu32 " %" PRIu64 " 0 %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
		     " %" PRIu64 "\n",
		r->cpu, r->yld_count, r->sched_count, r->sched_goidle, r->ttwu_count, r->ttwu_local, r->rq_cpu_time,
		r->run_delay, r->pcount);
	for (unsigned d = 0; d < r->nr_domains && d < VMS_SD_MAX_LEVELS; d++) {
		const struct vms_sd_stats *s = &r->domains[d].stats;
		char mask[CPUMASK_BUF_LEN];
		cpumask_format(mask, sizeof(mask), r->domains[d].span, nr_cpu_ids);
		fprintf(out, "domain%u %s", d, mask);
		for (unsigned t = 0; t < VMS_CPU_MAX_IDLE_TYPES; t++)
			per_idle_write(out, s, v15_idle_order[t]);
		fprintf(out,
			" %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
			" %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
			s->alb_count, s->alb_failed, s->alb_pushed, s->sbe_count, s->sbe_balanced, s->sbe_pushed, s->sbf_count,
			s->sbf_balanced, s->sbf_pushed, s->ttwu_wake_remote, s->ttwu_move_affine, s->ttwu_move_balance);
	}
}

void schedstat_procfs_write(FILE *out, const struct sched_records *s, unsigned nr_cpu_ids, uint64_t jiffies)
{
	fprintf(out, "version %d\ntimestamp %" PRIu64 "\n", VMS_SCHEDSTAT_VERSION, jiffies);
	for (unsigned i = 0; i < VMS_MAX_CPUS; i++) /* for_each_online_cpu: those that reported */
		if (s->seen[i])
			schedstat_cpu_write(out, &s->cpus[i], nr_cpu_ids);
}

uint64_t schedstat_jiffies(const struct vm_result *res)
{
	const struct vms_rec_boot *b = &res->boot;

	if (!res->have_boot || !res->tsc_khz || !b->hz || b->tsc_done < b->tsc_first)
		return 0;
	/* in double: the guest's TSCs are its word, and a product of them could wrap */
	double j = (double)(b->tsc_done - b->tsc_first) / ((double)res->tsc_khz * 1000.0) * (double)b->hz;
	return j < 1.8e19 ? (uint64_t)j : UINT64_MAX;
}

int schedstat_file_write(const char *path, const struct vm_result *res, char *err, size_t errlen)
{
	const struct sched_records *s = sched_records(res);

	if (!s->nr)
		return errorf(err, errlen, "--schedstat %s: the guest reported no scheduler statistics (the run did not finish)",
			      path);
	FILE *f = fopen(path, "w");
	if (!f)
		return errorf(err, errlen, "--schedstat %s: %s", path, strerror(errno));
	schedstat_procfs_write(f, s, res->nr_vcpus, schedstat_jiffies(res));
	int werr = ferror(f) ? EIO : 0;
	if (fclose(f) != 0 && !werr)
		werr = errno;
	if (werr)
		return errorf(err, errlen, "--schedstat %s: writing: %s", path, strerror(werr));
	return 0;
}
