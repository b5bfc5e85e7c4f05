/*
 * The Linux guest's vmstat samples (section `vmstat.samples`, run.conf's `sample MS`;
 * format in linux-guest/README.md) as the time series our runs have under the same
 * names (store.h; records/mm_metrics.c's mm_series, records/wb_metrics.c's wb_series):
 *   nr_free_pages, nr_{active,inactive}_{anon,file}, nr_file_pages, nr_dirty,
 *   nr_writeback                        /proc/vmstat's gauges
 *   pgscan_{kswapd,direct}, pgsteal_{kswapd,direct}, pswpin, pswpout, pgpgin, pgpgout,
 *   allocstall (sum of allocstall_<zone>)   events, less the first sample's: ours count
 *                                       from a boot that does next to nothing, Linux's
 *                                       from one that does a lot (as vmstat.* are)
 *   wmark_min, wmark_low, wmark_high    /proc/zoneinfo's, less boost, summed over zones
 *   writeback.nr_dirty, writeback.nr_writeback, writeback.dirty (their sum),
 *   writeback.thresh, writeback.bg_thresh   nr_dirty_threshold,
 *                                       nr_dirty_background_threshold
 * t_ns from the first sample (/proc/uptime: 10 ms steps). Not mapped: in_direct_reclaim
 * and kswapd_running (Linux counts no such thing), writeback.freerun/setpoint/limit
 * (balance_dirty_pages' own, no /proc file). A sample cut short (the stream ended) or
 * one whose numbers are ill-formed is left out whole.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/linux_metrics_internal.h"

#define SECTION "vmstat.samples"
#define UPTIME "/proc/uptime:"
#define VMSTAT "/proc/vmstat:"
#define ZONEINFO "/proc/zoneinfo:"

enum item {
	I_nr_free_pages, I_nr_active_anon, I_nr_inactive_anon, I_nr_active_file, I_nr_inactive_file, I_nr_file_pages,
	I_nr_dirty, I_nr_writeback, I_nr_dirty_threshold, I_nr_dirty_background_threshold,
	I_FIRST_EVENT, I_pgscan_kswapd = I_FIRST_EVENT, I_pgscan_direct, I_pgsteal_kswapd, I_pgsteal_direct, I_pswpin,
	I_pswpout, I_pgpgin, I_pgpgout, I_allocstall, I_NR
};
static const char *const item_name[I_NR] = {
#define N(x) [I_##x] = #x
	N(nr_free_pages), N(nr_active_anon), N(nr_inactive_anon), N(nr_active_file), N(nr_inactive_file),
	N(nr_file_pages), N(nr_dirty), N(nr_writeback), N(nr_dirty_threshold), N(nr_dirty_background_threshold),
	N(pgscan_kswapd), N(pgscan_direct), N(pgsteal_kswapd), N(pgsteal_direct), N(pswpin), N(pswpout), N(pgpgin),
	N(pgpgout), N(allocstall),
#undef N
};

struct sample {
	double uptime;
	uint64_t v[I_NR];
	bool have[I_NR];
	uint64_t wmark[3], boost; /* the zone being read's boost, subtracted from its marks */
	bool ok;
};

/* One line of a sample (after its "/proc/...:" prefix). */
static bool vmstat_line(struct sample *sm, const char *p)
{
	const char *sp = strchr(p, ' ');
	if (!sp)
		return false;
	size_t len = (size_t)(sp - p);
	uint64_t x;
	if (!proc_u64(&sp, &x) || (*sp && *sp != '\n'))
		return false;
	if (len > 11 && !strncmp(p, "allocstall_", 11)) {
		sm->v[I_allocstall] += x;
		sm->have[I_allocstall] = true;
		return true;
	}
	for (unsigned i = 0; i < I_NR; i++)
		if (strlen(item_name[i]) == len && !strncmp(p, item_name[i], len)) {
			sm->v[i] = x;
			sm->have[i] = true;
		}
	return true; /* a line of another name: ignored */
}

static bool zoneinfo_line(struct sample *sm, const char *p)
{
	static const char *const marks[] = { "min", "low", "high" };
	uint64_t x;
	if (!strncmp(p, "Node ", 5)) {
		sm->boost = 0;
		return true;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (!strncmp(p, "boost ", 6)) {
		p += 6;
		return proc_u64(&p, &sm->boost) && (!*p || *p == '\n');
	}
	for (unsigned k = 0; k < 3; k++) {
		size_t l = strlen(marks[k]);
		if (strncmp(p, marks[k], l) || p[l] != ' ')
			continue;
		p += l;
		if (!proc_u64(&p, &x) || (*p && *p != '\n'))
			return false;
		/* the boost line comes before the marks in /proc/zoneinfo (6.1) */
		sm->wmark[k] += x > sm->boost ? x - sm->boost : 0;
		return true;
	}
	return true;
}

static void sample_emit(struct linux_emit *m, const struct sample *sm, const struct sample *first)
{
	uint64_t t = (uint64_t)llround((sm->uptime - first->uptime) * 1e9);
	static const char *const wm[3] = { "wmark_min", "wmark_low", "wmark_high" };
	for (unsigned i = 0; i < I_NR; i++) {
		if (!sm->have[i] || !first->have[i] || i == I_nr_dirty_threshold || i == I_nr_dirty_background_threshold)
			continue;
		uint64_t base = i >= I_FIRST_EVENT ? first->v[i] : 0;
		m->e.bad += store_run_sample(m->e.r, item_name[i], t, sm->v[i] >= base ? (double)(sm->v[i] - base) : 0) != 0;
	}
	for (unsigned k = 0; k < 3; k++)
		m->e.bad += store_run_sample(m->e.r, wm[k], t, (double)sm->wmark[k]) != 0;
	if (sm->have[I_nr_dirty] && sm->have[I_nr_writeback]) {
		m->e.bad += store_run_sample(m->e.r, "writeback.nr_dirty", t, (double)sm->v[I_nr_dirty]) != 0;
		m->e.bad += store_run_sample(m->e.r, "writeback.nr_writeback", t, (double)sm->v[I_nr_writeback]) != 0;
		m->e.bad += store_run_sample(m->e.r, "writeback.dirty", t,
					     (double)sm->v[I_nr_dirty] + (double)sm->v[I_nr_writeback]) != 0;
	}
	if (sm->have[I_nr_dirty_threshold])
		m->e.bad += store_run_sample(m->e.r, "writeback.thresh", t, (double)sm->v[I_nr_dirty_threshold]) != 0;
	if (sm->have[I_nr_dirty_background_threshold])
		m->e.bad += store_run_sample(m->e.r, "writeback.bg_thresh", t,
					     (double)sm->v[I_nr_dirty_background_threshold]) != 0;
}

void linux_sample_series(struct linux_emit *m, const struct linux_sections *s)
{
	const struct linux_section *sec = linux_section_find(s, SECTION);
	struct sample first = { 0 }, cur = { 0 };
	bool have_first = false, in = false;
	unsigned bad = 0;
	if (!sec)
		return;
	/* a sample ends where the next begins, or at the section's end */
	for (const char *p = sec->data;; p = strchr(p, '\n') + 1) {
		bool end = !p[0] || !strchr(p, '\n');
		if (end || !strncmp(p, UPTIME, strlen(UPTIME))) {
			if (in && cur.ok) {
				if (!have_first) {
					first = cur;
					have_first = true;
				}
				if (cur.uptime >= first.uptime)
					sample_emit(m, &cur, &first);
				else
					bad++;
			} else if (in) {
				bad++;
			}
			if (end)
				break;
			char *e;
			memset(&cur, 0, sizeof(cur));
			cur.uptime = strtod(p + strlen(UPTIME), &e);
			cur.ok = e != p + strlen(UPTIME) && isfinite(cur.uptime) && cur.uptime >= 0;
			in = true;
			continue;
		}
		if (!in)
			continue;
		if (!strncmp(p, VMSTAT, strlen(VMSTAT)))
			cur.ok &= vmstat_line(&cur, p + strlen(VMSTAT));
		else if (!strncmp(p, ZONEINFO, strlen(ZONEINFO)))
			cur.ok &= zoneinfo_line(&cur, p + strlen(ZONEINFO));
	}
	if (bad)
		linux_section_bad(m, SECTION, "%u samples ill-formed or out of order (left out)", bad);
}
