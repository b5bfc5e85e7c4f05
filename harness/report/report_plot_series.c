/*
 * The time series of one run (the first done run that has any): one figure per kind
 * of series, one curve per CPU, so cpu.0.nr_running and cpu.1.nr_running share a
 * figure. The memory manager's series share figures by what they compare: free pages
 * against the watermarks, the LRU lists, reclaim, swap; writeback's too: dirty pages
 * against the dirty thresholds (Linux's global_dirty_state picture), and per disk its
 * share, its rate limits and bandwidth, one curve each. Other series get a figure each.
 * With lines ([report] lines, --lines), the dirty pages also of one run per line (the
 * first done run with series of each value), so that the eras can be set side by side.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/plot_internal.h"
#include "store/query.h"
#include "store/store.h"
#include "util/error.h"

#define SERIES_GROUPS_MAX 32 /* the CPUs' 3, mm's 11, writeback's 5, and room */
#define SERIES_RUNS_MAX 8 /* runs whose dirty pages are drawn, one per line */

struct series {
	char name[STORE_NAME_MAX];
	const char *group; /* its figure: "nr_running" of cpu.N.nr_running (in name), "free_pages" */
	const char *what; /* the figure's y axis */
	bool logy; /* levels that span decades: free pages start at all of RAM and end near min */
	char title[STORE_NAME_MAX]; /* its curve: "cpu.0", "wmark_min" */
	unsigned rank; /* curves are drawn by rank, then as they come: the levels first, the lines after */
	bool line; /* a threshold: drawn thin and dashed under the levels it is compared with */
	size_t start, n; /* in the samples */
};

/* The memory manager's series (store.h) and the figure each goes to. */
static const struct {
	const char *series, *group, *what;
	bool logy;
} mm_groups[] = {
	{ "nr_free_pages", "free_pages", "free pages and watermarks (pages)", true },
	{ "wmark_min", "free_pages", "free pages and watermarks (pages)", true },
	{ "wmark_low", "free_pages", "free pages and watermarks (pages)", true },
	{ "wmark_high", "free_pages", "free pages and watermarks (pages)", true },
	{ "nr_active_anon", "lru", "LRU lists (pages)", false },
	{ "nr_inactive_anon", "lru", "LRU lists (pages)", false },
	{ "nr_active_file", "lru", "LRU lists (pages)", false },
	{ "nr_inactive_file", "lru", "LRU lists (pages)", false },
	{ "pgscan_kswapd", "reclaim", "pages scanned and reclaimed since boot", false },
	{ "pgscan_direct", "reclaim", "pages scanned and reclaimed since boot", false },
	{ "pgsteal_kswapd", "reclaim", "pages scanned and reclaimed since boot", false },
	{ "pgsteal_direct", "reclaim", "pages scanned and reclaimed since boot", false },
	{ "pswpin", "swap", "pages swapped since boot", false },
	{ "pswpout", "swap", "pages swapped since boot", false },
	{ "allocstall", "allocstall", "allocations that entered direct reclaim, since boot", false },
	{ "in_direct_reclaim", "reclaimers", "tasks reclaiming", false },
	{ "kswapd_running", "reclaimers", "tasks reclaiming", false },
};

/* Writeback's series (records/wb_metrics.c): writeback.<what> for the whole guest, and
 * writeback.<disk>.<what> (per_disk), one curve per disk and field. */
#define WB_DIRTY "dirty pages and the dirty thresholds (pages)"
#define WB_SHARE "each disk's dirty and writeback pages against its share of the threshold (pages)"
#define WB_RATELIMIT "each disk's dirty rate limit (pages/s)"
#define WB_BW "each disk's write bandwidth and dirty rate (pages/s)"
static const struct {
	const char *series, *group, *what;
	bool per_disk, line;
} wb_groups[] = {
	{ "dirty", "dirty", WB_DIRTY, false, false }, /* nr_dirty + nr_writeback, what the lines apply to */
	{ "nr_dirty", "dirty", WB_DIRTY, false, false },
	{ "nr_writeback", "dirty", WB_DIRTY, false, false },
	{ "bg_thresh", "dirty", WB_DIRTY, false, true },
	{ "freerun", "dirty", WB_DIRTY, false, true },
	{ "setpoint", "dirty", WB_DIRTY, false, true },
	{ "thresh", "dirty", WB_DIRTY, false, true },
	{ "limit", "dirty", WB_DIRTY, false, true },
	{ "nr_pdflush_threads", "pdflush", "pdflush threads", false, false },
	{ "wb_dirty", "wb_dirty", WB_SHARE, true, false },
	{ "wb_thresh", "wb_dirty", WB_SHARE, true, true },
	{ "dirty_ratelimit", "dirty_ratelimit", WB_RATELIMIT, true, false },
	{ "balanced_dirty_ratelimit", "dirty_ratelimit", WB_RATELIMIT, true, false },
	{ "write_bw", "write_bw", WB_BW, true, false },
	{ "avg_write_bw", "write_bw", WB_BW, true, false },
	{ "dirty_rate", "write_bw", WB_BW, true, false },
};
#define WB_RANKS (sizeof(wb_groups) / sizeof(wb_groups[0]) + 1)

/* Its figure, and the rest of its name as the curve's title ("setpoint", "vda.write_bw"). */
static bool series_classify_wb(struct series *s)
{
	if (strncmp(s->name, "writeback.", 10))
		return false;
	const char *rest = s->name + 10, *dot = strrchr(rest, '.');
	for (size_t i = 0; i < sizeof(wb_groups) / sizeof(wb_groups[0]); i++)
		if (!strcmp(dot ? dot + 1 : rest, wb_groups[i].series) && wb_groups[i].per_disk == (dot != NULL)) {
			s->group = wb_groups[i].group;
			s->what = wb_groups[i].what;
			s->rank = (unsigned)i + 1;
			s->line = wb_groups[i].line;
			snprintf(s->title, sizeof(s->title), "%s", rest);
			return true;
		}
	return false;
}

struct samples {
	struct series *s;
	size_t nr_series;
	double *t_ms, *v;
	size_t n, cap;
};

/* Its figure, y axis and curve title, from its name. */
static void series_classify(struct series *s)
{
	snprintf(s->title, sizeof(s->title), "%s", s->name);
	s->group = s->what = s->name;
	for (size_t i = 0; i < sizeof(mm_groups) / sizeof(mm_groups[0]); i++)
		if (!strcmp(s->name, mm_groups[i].series)) {
			s->group = mm_groups[i].group;
			s->what = mm_groups[i].what;
			s->logy = mm_groups[i].logy;
			return;
		}
	if (series_classify_wb(s))
		return;
	if (strncmp(s->name, "cpu.", 4) || !isdigit((unsigned char)s->name[4]))
		return;
	const char *p = s->name + 4;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p != '.' || !p[1])
		return;
	s->group = s->what = p + 1;
	snprintf(s->title, sizeof(s->title), "%.*s", (int)(p - s->name), s->name); /* cpu.0 */
}

/* Appends a sample, and a series when it is the first of its name (they come by name). */
static int sample_add(void *arg, const char *name, int64_t t_ns, double value, char *err, size_t errlen)
{
	struct samples *sm = arg;
	if (isnan(value)) /* none stored */
		return 0;
	if (!sm->nr_series || strcmp(sm->s[sm->nr_series - 1].name, name)) {
		struct series *more = realloc(sm->s, (sm->nr_series + 1) * sizeof(*more));
		if (!more)
			return errorf(err, errlen, "out of memory");
		sm->s = more;
		struct series *s = &sm->s[sm->nr_series++];
		memset(s, 0, sizeof(*s)); /* logy too: only the memory manager's series set it (make asan) */
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->start = sm->n;
	}
	if (sm->n == sm->cap) {
		size_t cap = sm->cap ? 2 * sm->cap : 1024;
		double *t = realloc(sm->t_ms, cap * sizeof(*t)), *v = t ? realloc(sm->v, cap * sizeof(*v)) : NULL;
		if (t)
			sm->t_ms = t;
		if (!v)
			return errorf(err, errlen, "out of memory");
		sm->v = v;
		sm->cap = cap;
	}
	sm->t_ms[sm->n] = (double)t_ns / 1e6;
	sm->v[sm->n++] = value;
	sm->s[sm->nr_series - 1].n++;
	return 0;
}

static int samples_read(const struct plot_ctx *c, size_t run, struct samples *sm, char *err, size_t errlen)
{
	if (store_series_read(c->r->store, run, sample_add, sm, err, errlen))
		return -1;
	/* Now that the array stays put: group may point into name. */
	for (size_t i = 0; i < sm->nr_series; i++)
		series_classify(&sm->s[i]);
	return 0;
}

/* "run 3 (point 1: tasks_per_cpu=2 vcpus=1, repetition 0)" */
static void run_label(const struct report *r, size_t run, char *buf, size_t len)
{
	char params[512] = "";
	long point = -1, rep = -1;
	size_t pt;
	unsigned rp;
	/* A run it cannot place is labelled with -1s rather than failing the figure. */
	if (store_run_get(r->store, run, &pt, &rp, NULL, 0) == 1) {
		point = (long)pt;
		rep = (long)rp;
	}
	for (size_t p = 0; p < r->nr_points; p++)
		if ((long)r->points[p].id == point)
			report_point_label(r, p, -1, params, sizeof(params));
	snprintf(buf, len, "run %zu (point %ld%s%s, repetition %ld)", run, point, *params ? ": " : "", params, rep);
}

/* suffix: "" for the one run, else the line it stands for ("writeback_model=bdi"). */
static int plot_group(const struct plot_ctx *c, const struct samples *sm, const char *group, const char *run,
		      const char *suffix, char *err, size_t errlen)
{
	const char *what = group;
	bool logy = false;
	char name[200], path[4096], *buf = NULL, caption[1024], what_name[300];
	size_t len, curves = 0;
	double tlo = INFINITY, thi = -INFINITY, vlo = INFINITY, vhi = -INFINITY;
	snprintf(what_name, sizeof(what_name), "%s%s%s", group, *suffix ? "-" : "", suffix);
	plot_name(name, sizeof(name), "series", what_name);
	FILE *d = plot_data_open(c, name, path, sizeof(path), err, errlen), *b = d ? plot_body_open(&buf, &len) : NULL;
	if (!b) {
		if (d) {
			fclose(d);
			errorf(err, errlen, "out of memory");
		}
		return -1;
	}
	for (size_t i = 0; i < sm->nr_series; i++)
		if (!strcmp(sm->s[i].group, group)) {
			what = sm->s[i].what;
			logy = sm->s[i].logy;
			break;
		}
	fputs("set title ", b);
	gnuplot_quote(b, run);
	fputs(" . ': ' . ", b);
	gnuplot_quote(b, what);
	fputs("\nset xlabel 'time since CPU 0''s first instruction (ms)'\nset ylabel ", b);
	gnuplot_quote(b, what);
	fputs("\nset key outside right top\n", b);
	for (size_t i = 0; i < sm->nr_series; i++) {
		if (strcmp(sm->s[i].group, group))
			continue;
		for (size_t k = sm->s[i].start; k < sm->s[i].start + sm->s[i].n; k++) {
			tlo = fmin(tlo, sm->t_ms[k]);
			thi = fmax(thi, sm->t_ms[k]);
			vlo = fmin(vlo, sm->v[k]);
			vhi = fmax(vhi, sm->v[k]);
		}
	}
	plot_range(b, "x", tlo, thi, false);
	logy = logy && vlo > 0 && vhi / vlo >= 10;
	if (logy)
		fputs("set logscale y\n", b);
	plot_range(b, "y", vlo, vhi, logy);
	for (unsigned rank = 0; rank < WB_RANKS; rank++)
		for (size_t i = 0; i < sm->nr_series; i++) {
			const struct series *s = &sm->s[i];
			if (strcmp(s->group, group) || s->rank != rank)
				continue;
			for (size_t k = s->start; k < s->start + s->n; k++)
				fprintf(d, "%.9g %.12g\n", sm->t_ms[k], sm->v[k]);
			fputs("\n\n", d);
			if (curves)
				fputs(", ''", b);
			else {
				fputs("plot ", b);
				gnuplot_quote(b, path);
			}
			fprintf(b, " index %zu using 1:2 with steps %s title ", curves, s->line ? "lw 1 dt 2" : "lw 2");
			gnuplot_quote(b, s->title);
			curves++;
		}
	fputc('\n', b);
	if (plot_data_close(d, path, err, errlen)) {
		fclose(b);
		free(buf);
		return -1;
	}
	snprintf(caption, sizeof(caption), "%s of %s, as the guest sampled it (sample_ms).", what, run);
	return plot_draw(c, name, b, &buf, caption, err, errlen);
}

/* The figures of one run's series: every group, or only `only`. */
static int plot_run(const struct plot_ctx *c, size_t run_id, const char *only, const char *suffix, char *err,
		    size_t errlen)
{
	struct samples sm = { 0 };
	char run[600];
	const char *groups[SERIES_GROUPS_MAX];
	size_t nr_groups = 0;
	int ret = -1;
	if (samples_read(c, run_id, &sm, err, errlen))
		goto out;
	run_label(c->r, run_id, run, sizeof(run));
	for (size_t i = 0; i < sm.nr_series && nr_groups < SERIES_GROUPS_MAX; i++) {
		size_t g = 0;
		const char *group = sm.s[i].group;
		if (only && strcmp(group, only))
			continue;
		while (g < nr_groups && strcmp(groups[g], group))
			g++;
		if (g == nr_groups)
			groups[nr_groups++] = group;
	}
	for (size_t g = 0; g < nr_groups; g++)
		if (plot_group(c, &sm, groups[g], run, suffix, err, errlen))
			goto out;
	ret = 0;
out:
	free(sm.s);
	free(sm.t_ms);
	free(sm.v);
	return ret;
}

/* One run per value of the lines parameter: the first done run with series of each. */
struct line_runs {
	const struct report *r;
	size_t run[SERIES_RUNS_MAX];
	int64_t value[SERIES_RUNS_MAX];
	size_t n;
};

static int line_run_add(void *arg, size_t run, size_t point, char *err, size_t errlen)
{
	struct line_runs *l = arg;
	const struct report *r = l->r;
	(void)err;
	(void)errlen;
	for (size_t p = 0; p < r->nr_points; p++) {
		if (r->points[p].id != point)
			continue;
		int64_t v = r->points[p].values[r->lines];
		for (size_t i = 0; i < l->n; i++)
			if (l->value[i] == v)
				return 0;
		if (l->n < SERIES_RUNS_MAX) {
			l->run[l->n] = run;
			l->value[l->n++] = v;
		}
		return 0;
	}
	return 0;
}

int plot_series(const struct plot_ctx *c, char *err, size_t errlen)
{
	const struct report *r = c->r;
	if (r->series_run < 0)
		return 0;
	if (plot_run(c, (size_t)r->series_run, NULL, "", err, errlen))
		return -1;
	if (r->lines < 0)
		return 0;
	struct line_runs l = { .r = r };
	if (store_series_runs_list(r->store, line_run_add, &l, err, errlen))
		return -1;
	if (l.n < 2)
		return 0;
	/* in the order of the lines' values, as the other figures' keys */
	for (size_t i = 1; i < l.n; i++)
		for (size_t k = i; k && l.value[k - 1] > l.value[k]; k--) {
			int64_t v = l.value[k];
			size_t run = l.run[k];
			l.value[k] = l.value[k - 1];
			l.run[k] = l.run[k - 1];
			l.value[k - 1] = v;
			l.run[k - 1] = run;
		}
	for (size_t i = 0; i < l.n; i++) {
		char value[64], suffix[STORE_NAME_MAX + 80];
		report_value_format(r, (size_t)r->lines, l.value[i], value, sizeof(value));
		snprintf(suffix, sizeof(suffix), "%s=%s", r->params[r->lines], value);
		if (plot_run(c, l.run[i], "dirty", suffix, err, errlen))
			return -1;
	}
	return 0;
}
