/*
 * Which way a metric is better, from its name: throughput up, time and trouble down.
 * A metric of neither kind (a count such as vmstat.pgscan_kswapd or fio's ios, a gauge)
 * has no good direction: compare says it changed, and such a change fails nothing.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "compare/compare.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static bool in(const char *word, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(word, list[i]))
			return true;
	return false;
}

/* A statistic of a latency family ("wakeup_ns.p99", "mem.hog.access_hit_ns.mean"). */
static bool time_statistic(const char *family_end, const char *last)
{
	static const char *const stats[] = { "mean", "min", "max", "p50", "p90", "p99", "p999", "p9999", "median" };
	return (ends_with(family_end, "_ns") || ends_with(family_end, "_us") || ends_with(family_end, "_ms")) &&
	       in(last, stats, sizeof(stats) / sizeof(stats[0]));
}

int compare_metric_better(const char *name)
{
	static const char *const higher[] = { "iops", "bw", "bw_bytes", "work_loops", "loops" };
	static const char *const lower[] = { "error",	   "allocstall", "pgmajfault", "oom_kill", "pswpin",
					     "pswpout",	   "wall_ms",	 "write_amplification" };
	const char *dot = strrchr(name, '.'), *last = dot ? dot + 1 : name;
	char family[256] = "";

	if (dot && (size_t)(dot - name) < sizeof(family)) {
		memcpy(family, name, (size_t)(dot - name));
		family[dot - name] = '\0';
	}
	if (in(last, higher, sizeof(higher) / sizeof(higher[0])) || ends_with(last, "_per_s"))
		return +1;
	if (in(last, lower, sizeof(lower) / sizeof(lower[0])) || time_statistic(family, last))
		return -1;
	/* fio's clat_p99_ns, writeback's pause_max_ns, boot_us.done: a time */
	if (ends_with(last, "_ns") || ends_with(last, "_us") || ends_with(family, "boot_us"))
		return strstr(last, "busy") || strstr(last, "idle") ? 0 : -1;
	return 0;
}
