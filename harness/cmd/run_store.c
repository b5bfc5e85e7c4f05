/*
 * The store a `vmsweep run` fills: the plan written or grown, the runs already recorded
 * checked against what the config gives now, the manifest (what a re-run needs), and
 * the list of runs left to do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/run.h"
#include "sweep/plan_print.h"
#include "sweep/point_workload.h"
#include "util/build_info.h"
#include "util/error.h"
#include "util/host_disk.h"
#include "vmm/elf_load.h"
#include "vmm/vm.h"

/* A file's text, malloc'd; NULL with err. */
static char *file_text(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL, buf[4096];
	size_t len = 0, n;
	if (!f) {
		errorf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	FILE *m = open_memstream(&text, &len);
	while (m && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	if (m)
		fclose(m);
	fclose(f);
	if (!text)
		errorf(err, errlen, "out of memory");
	return text;
}

static int manifest_file(struct store *s, const char *key, const char *path, char *err, size_t errlen)
{
	char *text = file_text(path, err, errlen);
	int r = text ? store_manifest_set(s, key, text, err, errlen) : -1;
	free(text);
	return r;
}

/* The guest kernel's build id: which kernel produced these numbers. */
void run_guest_build_id(const char *kernel, char out[41])
{
	uint8_t *elf = NULL;
	size_t elf_size = 0;
	struct elf_image img;
	char why[256];
	snprintf(out, 41, "unknown");
	if (elf_read_file(kernel, &elf, &elf_size, why, sizeof(why)) == 0 &&
	    elf_parse(elf, elf_size, VMS_MAX_MEM, &img, why, sizeof(why)) == 0) {
		snprintf(out, 41, "%s", img.build_id);
		elf_image_free(&img);
	}
	free(elf);
}

/* "point 3 (bs=4096, memory=128M), repetition 2" of a plan run. */
static void run_describe(const struct sweep_ctx *ctx, size_t run, char *buf, size_t len)
{
	const struct sweep_run *r = &ctx->plan->runs[run];
	const int64_t *vals = sweep_plan_point(ctx->plan, r->point);
	size_t off = (size_t)snprintf(buf, len, "(");
	for (size_t k = 0; k < ctx->cfg->nr_params && off < len; k++) {
		char v[64];
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", k ? ", " : "", ctx->cfg->params[k].name,
					sweep_value_format(&ctx->cfg->params[k], vals[k], v, sizeof(v)));
	}
	if (off < len)
		snprintf(buf + off, len - off, "%srepetition %u)", ctx->cfg->nr_params ? ", " : "", r->rep + 1);
}

/* "PATH:LINE: 'was' there, 'is' here": a job file's first line that differs from the
 * text the manifest kept. false when it cannot tell (no text kept, or none differs). */
static bool job_change(struct store *s, size_t i, const char *path, char *buf, size_t len)
{
	char key[32], e[256], *was = NULL, *now = file_text(path, e, sizeof(e));
	bool found = false;
	snprintf(key, sizeof(key), "job.%zu", i);
	if (now && store_manifest_get(s, key, &was, e, sizeof(e)) == 0 && was) {
		const char *a = was, *b = now;
		for (unsigned line = 1; (*a || *b) && !found; line++) {
			size_t na = strcspn(a, "\n"), nb = strcspn(b, "\n");
			if (na != nb || memcmp(a, b, na)) {
				snprintf(buf, len, "%s:%u: '%.*s' there, '%.*s' here", path, line, (int)(na > 80 ? 80 : na), a,
					 (int)(nb > 80 ? 80 : nb), b);
				found = true;
			}
			a += na + (a[na] == '\n');
			b += nb + (b[nb] == '\n');
		}
	}
	free(was);
	free(now);
	return found;
}

struct inputs_check {
	struct sweep_ctx *ctx;
	size_t *plan_of, nr_ids; /* store id -> plan run (SIZE_MAX: none) */
	size_t nr_changed, nr_unknown;
	size_t first_id, first_run; /* the first run that differs, */
	char *first_inputs; /* and what it was made with */
};

/* Called under the store's lock: it notes, the message is made after. */
static int inputs_check_one(void *arg, size_t run_id, const char *inputs)
{
	struct inputs_check *c = arg;
	if (run_id >= c->nr_ids || c->plan_of[run_id] == SIZE_MAX)
		return 0; /* store_plan_match already refused a plan without it */
	if (!inputs) {
		c->nr_unknown++; /* recorded by a vmsweep that did not store them */
		return 0;
	}
	size_t run = c->plan_of[run_id];
	if (!strcmp(inputs, c->ctx->inputs[c->ctx->plan->runs[run].point]))
		return 0;
	if (!c->nr_changed++) {
		c->first_id = run_id;
		c->first_run = run;
		if (!(c->first_inputs = strdup(inputs)))
			return -1;
	}
	return 0;
}

/* "run 3 (x=1, repetition 2) was made with other inputs: memory: A there, B here"; a
 * job file's change as its first changed line rather than as digests. */
static void inputs_change_describe(const struct inputs_check *c, char *buf, size_t len)
{
	const char *now = c->ctx->inputs[c->ctx->plan->runs[c->first_run].point];
	char what[1024], where[512], job[512] = "", ignore[256] = "";
	size_t off = 0;
	const char *jobs[SWEEP_VALUES_MAX], *path = sweep_point_job(c->ctx->cfg, c->ctx->plan,
								     c->ctx->plan->runs[c->first_run].point);
	size_t nr_jobs = sweep_job_files(c->ctx->cfg, jobs, SWEEP_VALUES_MAX);
	run_inputs_diff(c->first_inputs, now, NULL, what, sizeof(what));
	for (size_t i = 0; path && strstr(what, "job: ") && i < nr_jobs && off < sizeof(job); i++) {
		char line[400];
		if (strcmp(jobs[i], path) || !job_change(c->ctx->store, i, path, line, sizeof(line)))
			continue;
		off += (size_t)snprintf(job + off, sizeof(job) - off, "%s", line);
		snprintf(ignore, sizeof(ignore), "job workload");
	}
	if (job[0] && !run_inputs_diff(c->first_inputs, now, ignore, what, sizeof(what)))
		what[0] = 0;
	run_describe(c->ctx, c->first_run, where, sizeof(where));
	snprintf(buf, len, "run %zu %s was made with other inputs: %s%s%s", c->first_id, where, job,
		 job[0] && what[0] ? "; " : "", what);
}

/* Every recorded run against what the config gives its point now. */
static int inputs_check(struct sweep_ctx *ctx, const char *dir, bool *usage, char *err, size_t errlen)
{
	struct inputs_check c = { .ctx = ctx };
	int r = -1;

	for (size_t i = 0; i < ctx->plan->nr_runs; i++)
		if (ctx->run_ids[i] != STORE_RUN_NEW && ctx->run_ids[i] + 1 > c.nr_ids)
			c.nr_ids = ctx->run_ids[i] + 1;
	c.plan_of = malloc((c.nr_ids + 1) * sizeof(*c.plan_of));
	if (!c.plan_of)
		return errorf(err, errlen, "out of memory");
	memset(c.plan_of, 0xff, (c.nr_ids + 1) * sizeof(*c.plan_of));
	for (size_t i = 0; i < ctx->plan->nr_runs; i++)
		if (ctx->run_ids[i] != STORE_RUN_NEW)
			c.plan_of[ctx->run_ids[i]] = i;
	err[0] = 0;
	if (store_recorded_inputs(ctx->store, inputs_check_one, &c, err, errlen)) {
		if (!err[0])
			errorf(err, errlen, "out of memory");
		goto out;
	}
	if (c.nr_unknown)
		fprintf(stderr, "vmsweep run: warning: %zu recorded run%s of %s carry no record of what made them (an"
				" older vmsweep): they cannot be checked against this config\n",
			c.nr_unknown, c.nr_unknown == 1 ? "" : "s", dir);
	if (!c.nr_changed)
		goto done;
	char change[2048];
	inputs_change_describe(&c, change, sizeof(change));
	if (!ctx->force) {
		*usage = true;
		errorf(err, errlen,
		       "%s: %s%s. A sweep directory holds one experiment: resume with what the sweep began with,"
		       " start a new directory, or add --force to go on anyway (recorded in the manifest)",
		       dir, change, c.nr_changed > 1 ? " (and other recorded runs)" : "");
		goto out;
	}
	char key[64], stamp[32], *text = NULL;
	time_t now = time(NULL);
	struct tm tm;
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	snprintf(key, sizeof(key), "forced.%s", stamp);
	if (asprintf(&text, "%zu recorded runs differ; %s", c.nr_changed, change) < 0) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	fprintf(stderr, "vmsweep run: --force: %s\n", text);
	r = store_manifest_set(ctx->store, key, text, err, errlen);
	free(text);
	if (r)
		goto out;
done:
	r = 0;
out:
	free(c.first_inputs);
	free(c.plan_of);
	return r;
}

/* What a re-run needs: the config and job files themselves, the builds, the host. */
/* repeat = auto's target, for the report's Repetitions section (report_repeat.c). */
static int manifest_repeat(struct store *s, const struct sweep_repeat *ar, char *err, size_t errlen)
{
	char buf[4096];
	size_t used = 0;

	if (!ar->on)
		return store_manifest_set(s, "repeat.auto", "no", err, errlen);
	snprintf(buf, sizeof(buf), "%u..%u runs", ar->min, ar->max);
	if (store_manifest_set(s, "repeat.auto", buf, err, errlen))
		return -1;
	snprintf(buf, sizeof(buf), "%.17g", ar->ci);
	if (store_manifest_set(s, "repeat.ci", buf, err, errlen))
		return -1;
	buf[0] = 0;
	for (size_t i = 0; i < ar->nr_metrics && used < sizeof(buf); i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? "," : "", ar->metrics[i]);
	return store_manifest_set(s, "repeat.ci_metric", buf, err, errlen);
}

static int manifest_write(struct sweep_ctx *ctx, char *err, size_t errlen)
{
	const struct sweep_config *cfg = ctx->cfg;
	struct store *s = ctx->store;
	char buf[4200], path[4096];

	if (manifest_file(s, "config", cfg->path, err, errlen))
		return -1;
	if (!realpath(cfg->path, path))
		snprintf(path, sizeof(path), "%s", cfg->path);
	if (store_manifest_set(s, "config_path", path, err, errlen))
		return -1;
	const char *jobs[SWEEP_VALUES_MAX];
	size_t nr_jobs = sweep_job_files(cfg, jobs, SWEEP_VALUES_MAX);
	for (size_t i = 0; i < nr_jobs; i++) {
		char key[64];
		char real[4096];
		snprintf(key, sizeof(key), "job_file.%zu", i);
		if (store_manifest_set(s, key, realpath(jobs[i], real) ? real : jobs[i], err, errlen))
			return -1;
		snprintf(key, sizeof(key), "job.%zu", i);
		if (manifest_file(s, key, jobs[i], err, errlen))
			return -1;
	}
	for (unsigned d = 0; d < cfg->nr_disks; d++) {
		char key[64];
		snprintf(key, sizeof(key), "disk.%u.host", d);
		if (store_manifest_set(s, key, host_disk_describe(cfg->disks[d].path, buf, sizeof(buf)), err, errlen))
			return -1;
		if (cfg->disks[d].fs) {
			snprintf(key, sizeof(key), "disk.%u.fs", d);
			snprintf(buf, sizeof(buf), "%s%s%s", disk_fs_name(cfg->disks[d].fs), cfg->disks[d].has_mkfs ? " mkfs=" : "",
				 cfg->disks[d].has_mkfs ? cfg->disks[d].mkfs : "");
			if (store_manifest_set(s, key, buf, err, errlen))
				return -1;
		}
		/* The device model with its defaults filled in, the capacity from the image. */
		struct disk_model m = cfg->disks[d].model;
		char why[256];
		if (!disk_model_active(&m))
			continue;
		if (disk_model_resolve(&m, disk_image_bytes(&cfg->disks[d]), why, sizeof(why)))
			m.capacity = 0; /* refused when the run opens the disk: "image" here */
		snprintf(key, sizeof(key), "disk.%u.model", d);
		if (store_manifest_set(s, key, disk_model_text(&m, buf, sizeof(buf)), err, errlen))
			return -1;
	}
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)cfg->seed);
	if (store_manifest_set(s, "seed", buf, err, errlen) || manifest_repeat(s, &cfg->auto_repeat, err, errlen))
		return -1;
	snprintf(buf, sizeof(buf), "%u", ctx->nr_workers);
	if (store_manifest_set(s, "jobs", buf, err, errlen) ||
	    store_manifest_set(s, "vmsweep_version", build_version(), err, errlen) ||
	    store_manifest_set(s, "harness_build_id", ctx->build.harness_build_id, err, errlen) ||
	    store_manifest_set(s, "guest_build_id", ctx->build.guest_build_id, err, errlen) ||
	    store_manifest_set(s, "kernel_path", ctx->kernel, err, errlen))
		return -1;
	return store_manifest_host(s, err, errlen);
}

/* ctx->pending: the plan's runs whose store id is still planned, in plan order. */
static int pending_list(struct sweep_ctx *ctx, char *err, size_t errlen)
{
	size_t *ids = NULL, n = 0;
	if (store_runs_pending(ctx->store, &ids, &n, err, errlen))
		return -1;
	ctx->pending = malloc((n + 1) * sizeof(*ctx->pending));
	if (!ctx->pending) {
		free(ids);
		return errorf(err, errlen, "out of memory");
	}
	/* ids is sorted: a binary search for each plan run's id */
	for (size_t i = 0; i < ctx->plan->nr_runs; i++) {
		size_t lo = 0, hi = n, id = ctx->run_ids[i];
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (ids[mid] < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && ids[lo] == id)
			ctx->pending[ctx->nr_pending++] = i;
	}
	free(ids);
	return 0;
}

int run_store_setup(struct sweep_ctx *ctx, const char *dir, bool *usage, char *err, size_t errlen)
{
	const struct sweep_config *cfg = ctx->cfg;
	const struct sweep_plan *plan = ctx->plan;
	const char **names = calloc(cfg->nr_params + 1, sizeof(*names));
	struct store_plan_run *runs = calloc(plan->nr_runs + 1, sizeof(*runs));
	size_t nr_new = 0;
	int r = -1;

	*usage = false;
	ctx->run_ids = calloc(plan->nr_runs + 1, sizeof(*ctx->run_ids));
	ctx->inputs = calloc(plan->nr_points + 1, sizeof(*ctx->inputs));
	if (!names || !runs || !ctx->run_ids || !ctx->inputs) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	build_id_self(ctx->build.harness_build_id);
	run_guest_build_id(ctx->kernel, ctx->build.guest_build_id);
	for (size_t i = 0; i < plan->nr_points; i++)
		if (!(ctx->inputs[i] = sweep_point_inputs(cfg, plan, i, &ctx->build, ctx->workloads[i],
							  ctx->workload_sizes[i], err, errlen)))
			goto out;
	for (size_t i = 0; i < cfg->nr_params; i++)
		names[i] = cfg->params[i].name;
	for (size_t i = 0; i < plan->nr_runs; i++)
		runs[i] = (struct store_plan_run){ plan->runs[i].point, plan->runs[i].rep, plan->runs[i].seed };
	struct store_plan sp = { cfg->nr_params, names, plan->nr_points, plan->values, plan->nr_runs, runs };

	if (store_open(dir, true, &ctx->store, err, errlen))
		goto out;
	/* Check before anything is written, so that a refused resume leaves the store as it was. */
	if (store_plan_match(ctx->store, &sp, ctx->run_ids, &nr_new, err, errlen)) {
		*usage = true;
		goto out;
	}
	if (run_shard_prepare(ctx, nr_new, usage, err, errlen))
		goto out;
	if (inputs_check(ctx, dir, usage, err, errlen) || store_plan_write(ctx->store, &sp, ctx->run_ids, err, errlen))
		goto out;
	if (nr_new && nr_new < plan->nr_runs && !ctx->grows)
		fprintf(stderr, "vmsweep run: the sweep grew: %zu new run%s added to the %zu in %s\n", nr_new,
			nr_new == 1 ? "" : "s", plan->nr_runs - nr_new, dir);
	if (manifest_write(ctx, err, errlen) || store_runs_unskip(ctx->store, err, errlen) ||
	    pending_list(ctx, err, errlen) || run_shard_record(ctx, err, errlen))
		goto out;
	r = 0;
out:
	free(names);
	free(runs);
	return r;
}

void run_store_free(struct sweep_ctx *ctx)
{
	for (size_t i = 0; ctx->inputs && i < ctx->plan->nr_points; i++)
		free(ctx->inputs[i]);
	free(ctx->inputs);
	free(ctx->run_ids);
	free(ctx->pending);
	free(ctx->shard_text);
	free(ctx->shard_of);
	ctx->shard_text = NULL;
	ctx->shard_of = NULL;
	if (ctx->store)
		store_close(ctx->store);
	ctx->inputs = NULL;
	ctx->run_ids = ctx->pending = NULL;
	ctx->store = NULL;
}

int run_store_config_path(const char *dir, char **path, char *err, size_t errlen)
{
	struct store *s = NULL;
	*path = NULL;
	if (store_open(dir, false, &s, err, errlen))
		return -1;
	int r = store_manifest_get(s, "config_path", path, err, errlen);
	store_close(s);
	if (!r && !*path)
		r = errorf(err, errlen, "%s: its manifest names no config: give it, vmsweep run CONFIG --resume %s", dir,
			   dir);
	return r;
}
