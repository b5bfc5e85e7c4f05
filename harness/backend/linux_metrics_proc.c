/*
 * The journal's and the scheduler's parts of a Linux run's metric set.
 *
 * journal.<vdX>.*  from each jbd2.<vdX>-8 section (/proc/fs/jbd2/vdX-8/info, Linux 6.1's
 *   jbd2_seq_info_show), since the journal was loaded (mount) as ours are:
 *     transactions, commits_forced      "N transactions (M requested)"
 *     wait_ms_avg, request_delay_ms_avg, run_ms_avg, lock_ms_avg, flush_ms_avg,
 *     logging_ms_avg                    its "average:" lines (ms, whole jiffies)
 *     commit_ms_avg                     "average transaction commit time" (us / 1000).
 *                                       Linux's is a running average (each commit weighs
 *                                       1/4, j_average_commit_time), ours the plain mean
 *     handles_, blocks_, logged_blocks_per_transaction   its per-transaction lines
 *                                       (whole numbers: Linux divides in integers)
 *     linux.journal.<vdX>.max_transaction_blocks         "each up to N blocks"
 *   Not mapped: the totals (handles, blocks, blocks_logged: only their integer averages
 *   are shown), checkpoints, the bytes by kind and write_amplification, the commit time's
 *   maximum, percentiles and histogram (/proc has no such numbers).
 * sched.*  from /proc/schedstat (version 15), taken once at the end: counts since boot,
 *   as ours (our guest's boot is a few milliseconds of it; Linux's is not, and only
 *   run_delay and pcount count unless kernel.sched_schedstats=1). The cpu lines summed:
 *   yld_count, sched_count, sched_goidle, ttwu_count, ttwu_local, rq_cpu_time_ns,
 *   run_delay_ns, pcount (and run_delay_ns_mean); every domain line summed: lb_* (each
 *   idle type's and their sum), alb_*, ttwu_wake_remote, ttwu_move_affine. Not mapped:
 *   the per-level sums (schedstat does not name a domain's level), migrations and
 *   affinity_pushed (ours alone).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/linux_metrics_internal.h"
#include "util/clamp.h"

static bool expect(const char **p, const char *text)
{
	size_t n = strlen(text);
	if (strncmp(*p, text, n))
		return false;
	*p += n;
	return true;
}

static bool line_end(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return !*p || *p == '\n';
}

/* "vda-8" -> "vda": a whole virtio disk's journal (inode 8); false for anything else. */
static bool jbd2_disk(const char *dir, char disk[8])
{
	if (dir[0] != 'v' || dir[1] != 'd' || dir[2] < 'a' || dir[2] > 'z' || dir[3] != '-' || !dir[4])
		return false;
	for (const char *q = dir + 4; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	memcpy(disk, dir, 3);
	disk[3] = 0;
	return true;
}

static const struct {
	const char *text; /* after the number */
	const char *metric;
	double scale;
} jbd2_lines[] = {
	{ "ms waiting for transaction", "wait_ms_avg", 1 },
	{ "ms request delay", "request_delay_ms_avg", 1 },
	{ "ms running transaction", "run_ms_avg", 1 },
	{ "ms transaction was being locked", "lock_ms_avg", 1 },
	{ "ms flushing data (in ordered mode)", "flush_ms_avg", 1 },
	{ "ms logging transaction", "logging_ms_avg", 1 },
	{ "us average transaction commit time", "commit_ms_avg", 1e-3 },
	{ " handles per transaction", "handles_per_transaction", 1 },
	{ " blocks per transaction", "blocks_per_transaction", 1 },
	{ " logged blocks per transaction", "logged_blocks_per_transaction", 1 },
};

static void jbd2_one(struct linux_emit *m, const struct linux_section *sec, const char *disk)
{
	const char *p = sec->data;
	uint64_t tid, requested, max_blocks, v;
	if (!proc_u64(&p, &tid) || !expect(&p, " transactions (") || !proc_u64(&p, &requested) ||
	    !expect(&p, " requested), each up to ") || !proc_u64(&p, &max_blocks) || !expect(&p, " blocks") ||
	    !line_end(p)) {
		linux_section_bad(m, sec->name, "not /proc/fs/jbd2's info: its first line");
		return;
	}
	emit_put(&m->e, (double)tid, "journal.%s.transactions", disk);
	emit_put(&m->e, (double)requested, "journal.%s.commits_forced", disk);
	emit_put(&m->e, (double)max_blocks, "linux.journal.%s.max_transaction_blocks", disk);
	if (!tid) /* Linux shows no averages then, nor do we */
		return;
	unsigned seen = 0, bad = 0;
	for (p = strchr(p, '\n'); p && *++p; p = strchr(p, '\n')) {
		const char *q = p;
		if (!proc_u64(&q, &v))
			continue; /* "average:" */
		size_t k = 0;
		while (k < sizeof(jbd2_lines) / sizeof(jbd2_lines[0]) &&
		       (strncmp(q, jbd2_lines[k].text, strlen(jbd2_lines[k].text)) ||
			!line_end(q + strlen(jbd2_lines[k].text))))
			k++;
		if (k == sizeof(jbd2_lines) / sizeof(jbd2_lines[0]) || (seen & (1u << k))) {
			bad++;
			continue;
		}
		seen |= 1u << k;
		if (k == 1 && !requested) /* shown as 0: ours is left out then */
			continue;
		emit_put(&m->e, (double)v * jbd2_lines[k].scale, "journal.%s.%s", disk, jbd2_lines[k].metric);
	}
	if (bad)
		linux_section_bad(m, sec->name, "%u lines not of Linux 6.1's info", bad);
}

void linux_jbd2_metrics(struct linux_emit *m, const struct linux_sections *s)
{
	for (size_t i = 0; i < s->n; i++) {
		char disk[8];
		if (strncmp(s->v[i].name, "jbd2.", 5) || !jbd2_disk(s->v[i].name + 5, disk))
			continue; /* a partition's or an external journal: not one our guest has */
		jbd2_one(m, &s->v[i], disk);
	}
}

/* ---- /proc/schedstat ---- */

#define CPU_FIELDS 9 /* v15's cpu line, the 2nd a legacy 0 */
#define LB_FIELDS 8
#define IDLE_TYPES 3 /* CPU_IDLE, CPU_NOT_IDLE, CPU_NEWLY_IDLE: ours' order */
#define DOMAIN_FIELDS (LB_FIELDS * IDLE_TYPES + 12)

static const char *const cpu_names[CPU_FIELDS] = {
	"yld_count", NULL, "sched_count", "sched_goidle", "ttwu_count", "ttwu_local", "rq_cpu_time_ns", "run_delay_ns", "pcount",
};
static const char *const lb_names[LB_FIELDS] = {
	"lb_count", "lb_balanced", "lb_failed", "lb_imbalance", "lb_gained", "lb_hot_gained", "lb_nobusyq", "lb_nobusyg",
};
static const char *const idle_names[IDLE_TYPES] = { "idle", "busy", "newly_idle" };
/* After the lb fields: alb_count alb_failed alb_pushed, sbe_* (3), sbf_* (3),
 * ttwu_wake_remote ttwu_move_affine ttwu_move_balance. */
static const struct {
	unsigned at;
	const char *name;
} sd_tail[] = { { 0, "alb_count" }, { 1, "alb_failed" }, { 2, "alb_pushed" }, { 9, "ttwu_wake_remote" },
		{ 10, "ttwu_move_affine" } };

/* n numbers after p into v: false unless exactly n and then the line's end. */
static bool numbers(const char *p, uint64_t *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!proc_u64(&p, &v[i]))
			return false;
	return line_end(p);
}

void linux_sched_metrics(struct linux_emit *m, const struct linux_sections *s)
{
	const struct linux_section *sec = linux_section_find(s, "schedstat");
	uint64_t cpu[CPU_FIELDS] = { 0 }, sd[DOMAIN_FIELDS] = { 0 }, v[DOMAIN_FIELDS];
	unsigned cpus = 0, bad = 0, version = 0;
	if (!sec)
		return;
	for (const char *p = sec->data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, "version ", 8)) {
			version = (unsigned)strtoul(p + 8, NULL, 10);
			continue;
		}
		if (!strncmp(p, "cpu", 3) && p[3] >= '0' && p[3] <= '9') {
			const char *q = p + 3;
			while (*q >= '0' && *q <= '9')
				q++;
			if (!numbers(q, v, CPU_FIELDS)) {
				bad++;
				continue;
			}
			for (unsigned i = 0; i < CPU_FIELDS; i++)
				cpu[i] = add_sat_u64(cpu[i], v[i]);
			cpus++;
		} else if (!strncmp(p, "domain", 6)) {
			const char *q = strchr(p, ' ');
			q = q ? strchr(q + 1, ' ') : NULL; /* past the cpumask */
			if (!q || !numbers(q, v, DOMAIN_FIELDS)) {
				bad++;
				continue;
			}
			for (unsigned i = 0; i < DOMAIN_FIELDS; i++)
				sd[i] = add_sat_u64(sd[i], v[i]);
		}
	}
	if (version != 15) {
		linux_section_bad(m, "schedstat", "version %u, not 15", version);
		return;
	}
	if (bad)
		linux_section_bad(m, "schedstat", "%u lines not of version 15", bad);
	if (!cpus)
		return;
	for (unsigned i = 0; i < CPU_FIELDS; i++)
		if (cpu_names[i])
			emit_put(&m->e, (double)cpu[i], "sched.%s", cpu_names[i]);
	emit_put(&m->e, cpu[8] ? (double)cpu[7] / (double)cpu[8] : NAN, "sched.run_delay_ns_mean");
	for (unsigned k = 0; k < LB_FIELDS; k++) {
		uint64_t sum = 0;
		for (unsigned t = 0; t < IDLE_TYPES; t++) {
			sum = add_sat_u64(sum, sd[t * LB_FIELDS + k]);
			emit_put(&m->e, (double)sd[t * LB_FIELDS + k], "sched.%s.%s", lb_names[k], idle_names[t]);
		}
		emit_put(&m->e, (double)sum, "sched.%s", lb_names[k]);
	}
	for (size_t i = 0; i < sizeof(sd_tail) / sizeof(sd_tail[0]); i++)
		emit_put(&m->e, (double)sd[LB_FIELDS * IDLE_TYPES + sd_tail[i].at], "sched.%s", sd_tail[i].name);
}
