/*
 * Which store metrics a name asked for stands for, and their per-point statistics.
 *
 * A name is first taken as it is ("wakeup_ns.p99"). Otherwise it is matched by words, so
 * that [report] sections can use short names: names are split at '.' and '_', a unit
 * word (ns, us, ms) is set aside, and the name's words must be the last words of the
 * store metric's. "work_loops" is then cpu.work_loops, "write_iops" every
 * fio.<job>.write.iops, and "wakeup_p99_us" is wakeup_ns.p99 divided by 1000;
 * "allocstall" is vmstat.allocstall, "swapin_p99_us" every memory job's
 * mem.<job>.swapin_ns.p99 in us.
 */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "store/query.h"
#include "util/error.h"
#include "util/suggest.h"

#define WORDS_MAX 16
#define WORD_MAX 32

struct words {
	char w[WORDS_MAX][WORD_MAX];
	size_t n;
	double unit; /* seconds per unit, 0 when the name has none */
};

static double unit_of(const char *w)
{
	return !strcmp(w, "ns") ? 1e-9 : !strcmp(w, "us") ? 1e-6 : !strcmp(w, "ms") ? 1e-3 : 0;
}

/* -1 for a name with too many or too long words: it matches only as it is. */
static int words_split(const char *name, struct words *out)
{
	memset(out, 0, sizeof(*out));
	for (const char *p = name; *p;) {
		size_t len = strcspn(p, "._");
		if (len >= WORD_MAX)
			return -1;
		if (len) {
			char w[WORD_MAX];
			memcpy(w, p, len);
			w[len] = '\0';
			double u = unit_of(w);
			if (u)
				out->unit = u;
			else if (out->n == WORDS_MAX)
				return -1;
			else
				memcpy(out->w[out->n++], w, len + 1);
		}
		p += len;
		p += *p != '\0';
	}
	return out->n ? 0 : -1;
}

/* The factor from the store's unit to the asked one, or 0 when they do not match. */
static double words_match(const struct words *q, const struct words *s)
{
	if (q->n > s->n)
		return 0;
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->w[i], s->w[s->n - q->n + i]))
			return 0;
	if (!q->unit)
		return 1;
	return s->unit ? s->unit / q->unit : 0;
}

/* words_match where the store's words are fnmatch patterns (a metric table's). */
static bool words_match_pattern(const struct words *q, const struct words *s)
{
	if (q->n > s->n || (q->unit && !s->unit))
		return false;
	for (size_t i = 0; i < q->n; i++)
		if (fnmatch(s->w[s->n - q->n + i], q->w[i], 0))
			return false;
	return true;
}

int report_metric_name_check(const char *name, char *err, size_t errlen)
{
	const char *patterns[512], *tails[512], *lasts[512];
	char tail_buf[512][64];
	size_t n = metric_docs_patterns(patterns, 512);
	struct words q, s;
	bool words = !words_split(name, &q);

	for (size_t i = 0; i < n; i++) {
		if (!fnmatch(patterns[i], name, 0) || (words && !words_split(patterns[i], &s) && words_match_pattern(&q, &s)))
			return 0;
		/* The short form people write: what follows the pattern's last wildcard. */
		const char *star = strrchr(patterns[i], '*');
		const char *t = star && star[1] == '.' ? star + 2 : patterns[i];
		snprintf(tail_buf[i], sizeof(tail_buf[i]), "%s", t);
		for (char *c = tail_buf[i]; *c; c++)
			*c = *c == '.' ? '_' : *c;
		tails[i] = tail_buf[i];
		/* Its last word group, for a name a level down ("written_by_fsync" of
		 * disk.*.writeback.written_by_fsync): NULL when that is a wildcard. */
		const char *dot = strrchr(patterns[i], '.');
		lasts[i] = dot && dot > (star ? star : patterns[i]) ? dot + 1 : NULL;
	}
	const char *hint = name_suggest(name, tails, n);
	if (!hint)
		hint = name_suggest(name, lasts, n);
	if (!hint)
		hint = name_suggest(name, patterns, n);
	return errorf(err, errlen, "metric '%s' matches no metric a run records%s%s%s (vmsweep export --list-metrics"
				   " lists them)",
		      name, hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
}

static int metric_push(struct report *r, const char *label, const char *source, double scale, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->nr_metrics; i++)
		if (!strcmp(r->metrics[i].source, source) && r->metrics[i].scale == scale)
			return 0;
	struct report_metric *m = realloc(r->metrics, (r->nr_metrics + 1) * sizeof(*m));
	if (!m)
		return errorf(err, errlen, "out of memory");
	r->metrics = m;
	m = &r->metrics[r->nr_metrics];
	memset(m, 0, sizeof(*m));
	m->label = strdup(label);
	m->source = strdup(source);
	m->scale = scale;
	m->nonnegative = scale > 0 && report_metric_nonnegative(source);
	r->nr_metrics++;
	if (!m->label || !m->source)
		return errorf(err, errlen, "out of memory");
	return 0;
}

int report_metric_add(struct report *r, const char *name, bool *matched, char *err, size_t errlen)
{
	struct words q, s;
	size_t hits = 0;
	*matched = false;
	for (size_t i = 0; i < r->nr_present; i++)
		if (!strcmp(r->present[i], name)) {
			*matched = true;
			return metric_push(r, name, name, 1, err, errlen);
		}
	if (words_split(name, &q))
		return 0;
	for (size_t i = 0; i < r->nr_present; i++)
		hits += !words_split(r->present[i], &s) && words_match(&q, &s) != 0;
	for (size_t i = 0; i < r->nr_present; i++) {
		double scale;
		if (words_split(r->present[i], &s) || !(scale = words_match(&q, &s)))
			continue;
		char label[2 * STORE_NAME_MAX + 4];
		/* One match keeps the name asked for; several need the store's to tell apart. */
		if (hits == 1)
			snprintf(label, sizeof(label), "%s", name);
		else
			snprintf(label, sizeof(label), "%s (%s)", name, r->present[i]);
		if (metric_push(r, label, r->present[i], scale, err, errlen))
			return -1;
		*matched = true;
	}
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

int report_metrics_default(struct report *r, char *err, size_t errlen)
{
	static const char *const fixed[] = { "wakeup_ns.p99", "boot_us.done", "vmstat.allocstall", "vmstat.pgscan_kswapd",
					     "vmstat.pgscan_direct", "vmstat.pswpout" };
	bool matched;
	for (size_t k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
		for (size_t i = 0; i < r->nr_present; i++)
			if (!strcmp(r->present[i], fixed[k]) && report_metric_add(r, fixed[k], &matched, err, errlen))
				return -1;
	for (size_t i = 0; i < r->nr_present; i++) {
		const char *n = r->present[i];
		if (!strncmp(n, "fio.", 4) && (ends_with(n, ".iops") || ends_with(n, ".clat_p99_ns")) &&
		    report_metric_add(r, n, &matched, err, errlen))
			return -1;
		/* Memory jobs: their pace, and each latency class's p99. */
		if (!strncmp(n, "mem.", 4) && (ends_with(n, ".accesses_per_s") || ends_with(n, "_ns.p99")) &&
		    report_metric_add(r, n, &matched, err, errlen))
			return -1;
		/* Buffered writers: how long balance_dirty_pages held them, typically and at worst. */
		if (!strncmp(n, "writeback.", 10) &&
		    (ends_with(n, ".pause_p50_ns") || ends_with(n, ".pause_p99_ns") || ends_with(n, ".pause_max_ns")) &&
		    report_metric_add(r, n, &matched, err, errlen))
			return -1;
	}
	/* A store with none of these (a new kind of workload) still gets a figure. */
	if (!r->nr_metrics && r->nr_present)
		return report_metric_add(r, r->present[0], &matched, err, errlen);
	return 0;
}

void report_metric_missing(const struct report *r, const char *name, char *err, size_t errlen)
{
	size_t off = 0;
	const char *hint = name_suggest(name, (const char *const *)r->present, r->nr_present);
	if (!r->nr_present) {
		errorf(err, errlen, "metric '%s' is not in the store: it holds no metric (did every run fail?)", name);
		return;
	}
	off += (size_t)snprintf(err, errlen, "metric '%s' is not in the store", name);
	if (hint && off < errlen)
		off += (size_t)snprintf(err + off, errlen - off, " (did you mean '%s'?)", hint);
	if (off < errlen)
		off += (size_t)snprintf(err + off, errlen - off, "; present:");
	for (size_t i = 0; i < r->nr_present && i < 12 && off < errlen; i++)
		off += (size_t)snprintf(err + off, errlen - off, "%s %s", i ? "," : "", r->present[i]);
	if (off < errlen)
		snprintf(err + off, errlen - off, "%s (%zu in all)", r->nr_present > 12 ? ", ..." : "", r->nr_present);
}

void report_metric_source(const struct report_metric *m, char *buf, size_t len)
{
	if (m->scale == 1)
		snprintf(buf, len, "%s", strcmp(m->label, m->source) ? m->source : "");
	else if (m->scale < 1)
		snprintf(buf, len, "%s / %g", m->source, 1 / m->scale);
	else
		snprintf(buf, len, "%s x %g", m->source, m->scale);
}

/* Metrics that can be below zero, as fnmatch patterns. Every metric a run carries today
 * is a count, a time, a rate, a size, a percentage, an errno or an era's number
 * (`vmsweep export --list-metrics`): none can. A signed one (a difference, a drift) goes
 * here, so that its interval is printed as computed. */
static const char *const signed_metrics[] = { NULL };

bool report_metric_nonnegative(const char *name)
{
	for (const char *const *p = signed_metrics; *p; p++)
		if (!fnmatch(*p, name, 0))
			return false;
	return true;
}

/* One metric's values on their way to per-point statistics. */
struct metric_acc {
	const struct report *r;
	struct report_metric *m;
	double *vals; /* of the point being read */
	size_t n, cap;
	size_t p; /* the next point to close */
};

/* Closes the points before point id `point` (all of them with SIZE_MAX). Points are in
 * id order, as the values come: each point's values are one run of them. */
static void acc_close(struct metric_acc *a, size_t point)
{
	while (a->p < a->r->nr_points && a->r->points[a->p].id < point) {
		stats_compute(a->vals, a->n, &a->m->st[a->p]);
		if (a->m->nonnegative)
			stats_ci_clip(&a->m->st[a->p]);
		a->p++;
		a->n = 0;
	}
}

static int acc_add(void *arg, size_t point, double value, char *err, size_t errlen)
{
	struct metric_acc *a = arg;
	acc_close(a, point);
	if (a->n == a->cap) {
		double *more = realloc(a->vals, (a->cap = a->cap ? 2 * a->cap : 16) * sizeof(*more));
		if (!more)
			return errorf(err, errlen, "out of memory");
		a->vals = more;
	}
	a->vals[a->n++] = isnan(value) ? NAN : value * a->m->scale;
	return 0;
}

static int metric_compute(struct report *r, struct report_metric *m, char *err, size_t errlen)
{
	struct metric_acc a = { .r = r, .m = m };
	if (!(m->st = calloc(r->nr_points, sizeof(*m->st))))
		return errorf(err, errlen, "out of memory");
	int ret = store_metric_values_read(r->store, m->source, acc_add, &a, err, errlen);
	if (!ret)
		acc_close(&a, SIZE_MAX);
	free(a.vals);
	return ret;
}

int report_metric_stats(struct report *r, const char *source, struct sample_stats **st, char *err, size_t errlen)
{
	struct report_metric m = { .source = (char *)source, .scale = 1 };
	int ret = metric_compute(r, &m, err, errlen);
	*st = m.st;
	return ret;
}

int report_metrics_compute(struct report *r, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->nr_metrics; i++)
		if (metric_compute(r, &r->metrics[i], err, errlen))
			return -1;
	return 0;
}
