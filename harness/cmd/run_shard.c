/*
 * `vmsweep run --shard I/N`: the shard's share of the plan (sweep/shard.h), checked
 * before anything is written to the shard's store and then recorded in its manifest, so
 * that a resume, `vmsweep merge` and `vmsweep status` know which runs are its own. A task
 * of a job array may start hours after `vmsweep submit`: --plan-digest (what submit
 * passes) refuses a config, job file or build changed since, which would otherwise run a
 * plan the sweep's other shards do not share.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/run.h"
#include "sweep/shard.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/id_ranges.h"

static int ids_compare(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

void run_plan_digest(const struct sweep_ctx *ctx, char out[17])
{
	const struct sweep_config *c = ctx->cfg;
	const struct sweep_plan *p = ctx->plan;
	uint64_t h = FNV1A64_INIT;
	/* the config's text too (merge compares it): a timeout or a ci changes no run's inputs */
	FILE *f = fopen(c->path, "r");
	char buf[4096];
	size_t n;
	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		h = fnv1a64_update(h, buf, n);
	if (f)
		fclose(f);
	for (size_t k = 0; k < c->nr_params; k++)
		h = fnv1a64_update(h, c->params[k].name, strlen(c->params[k].name) + 1);
	for (size_t i = 0; i < p->nr_points; i++) {
		h = fnv1a64_update(h, sweep_plan_point(p, i), p->nr_params * sizeof(int64_t));
		h = fnv1a64_update(h, ctx->inputs[i], strlen(ctx->inputs[i]) + 1);
	}
	for (size_t r = 0; r < p->nr_runs; r++) {
		uint64_t v[3] = { p->runs[r].point, p->runs[r].rep, p->runs[r].seed };
		h = fnv1a64_update(h, v, sizeof(v));
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* The directory is DIR/shards/<n> of a sweep run in shards (a store there). */
static bool looks_like_shard_dir(const char *dir)
{
	char copy[4096], parent[4096], *base, *end;
	struct stat st;
	snprintf(copy, sizeof(copy), "%s", dir);
	base = basename(copy);
	strtoul(base, &end, 10);
	if (*base < '0' || *base > '9' || *end)
		return false;
	snprintf(copy, sizeof(copy), "%s", dir);
	snprintf(parent, sizeof(parent), "%s/../%s", dirname(copy), STORE_FILE); /* DIR/shards/.. */
	snprintf(copy, sizeof(copy), "%s", dir);
	return !strcmp(basename(dirname(copy)), "shards") && stat(parent, &st) == 0;
}

/* A shard's runs on their own disk images (sweep/run_disks.c): a block device cannot be copied. */
static int shard_disks_check(const struct sweep_config *c, char *err, size_t errlen)
{
	for (unsigned d = 0; d < c->nr_disks; d++) {
		struct stat st;
		if (!c->disks[d].fs && stat(c->disks[d].path, &st) == 0 && S_ISBLK(st.st_mode))
			return errorf(err, errlen, "%s: disk %s is a block device: shards that share a node would write it at"
						   " once, and it cannot be copied for each (run the sweep whole, or use image files)",
				      c->path, c->disks[d].path);
	}
	return 0;
}

/* The shard's own run ids as ranges into ctx->shard_text; shard_of[] its assignment. An
 * empty store numbers the plan's runs in plan order (store_plan_write). */
static int shard_runs(struct sweep_ctx *ctx, bool empty, const unsigned *shard_of, char *err, size_t errlen)
{
	size_t n = 0, *ids = malloc((ctx->plan->nr_runs + 1) * sizeof(*ids));
	if (!ids)
		return errorf(err, errlen, "out of memory");
	for (size_t r = 0; r < ctx->plan->nr_runs; r++)
		if (shard_of[r] == ctx->shard.index)
			ids[n++] = empty ? r : ctx->run_ids[r];
	qsort(ids, n, sizeof(*ids), ids_compare);
	ctx->shard_runs = n;
	ctx->shard_text = id_ranges_format(ids, n);
	free(ids);
	return ctx->shard_text ? 0 : errorf(err, errlen, "out of memory");
}

int run_shard_prepare(struct sweep_ctx *ctx, size_t nr_new, bool *usage, char *err, size_t errlen)
{
	char *was = NULL, *was_runs = NULL, *was_digest = NULL, now[32], digest[17];
	bool empty = nr_new == ctx->plan->nr_runs;
	int r = -1;

	if (store_manifest_get(ctx->store, "shard", &was, err, errlen) ||
	    store_manifest_get(ctx->store, "shard.runs", &was_runs, err, errlen) ||
	    store_manifest_get(ctx->store, "plan.digest", &was_digest, err, errlen))
		goto out;
	*usage = true;
	if (!ctx->shard.count && was) {
		if (sweep_shard_parse(was, &ctx->shard, err, errlen))
			goto out;
		fprintf(stderr, "vmsweep run: %s is shard %s of its sweep: running that shard's runs\n", ctx->dir, was);
	} else if (!ctx->shard.count) {
		if (ctx->plan_digest) {
			errorf(err, errlen, "--plan-digest checks a shard's plan: give the shard too (--shard I/N)");
			goto out;
		}
		if (empty || !looks_like_shard_dir(ctx->dir)) {
			r = 0; /* a sweep run whole */
			goto out;
		}
		errorf(err, errlen, "%s is a shard's directory of a sweep run in shards: give the shard (--shard I/N)",
		       ctx->dir);
		goto out;
	}
	snprintf(now, sizeof(now), "%u/%u", ctx->shard.index, ctx->shard.count);
	if (was && strcmp(was, now)) {
		errorf(err, errlen, "%s holds shard %s of its sweep, not %s", ctx->dir, was, now);
		goto out;
	}
	if (!empty && nr_new) {
		errorf(err, errlen, "%s: this config adds %zu runs to the shard's plan: a sweep run in shards cannot grow"
				    " (submit the larger sweep anew)", ctx->dir, nr_new);
		goto out;
	}
	run_plan_digest(ctx, digest);
	const char *want = ctx->plan_digest ? ctx->plan_digest : was_digest;
	if (want && strcmp(want, digest)) {
		errorf(err, errlen, "%s: this config and build give another plan (digest %s) than the sweep's (%s): the"
				    " config, a job file or vmsweep itself changed since the sweep was %s; restore them,"
				    " or submit the sweep anew",
		       ctx->dir, digest, want, ctx->plan_digest ? "submitted" : "begun");
		goto out;
	}
	if (shard_disks_check(ctx->cfg, err, errlen))
		goto out;
	unsigned *shard_of = malloc((ctx->plan->nr_runs + 1) * sizeof(*shard_of));
	if (!shard_of) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	if (sweep_shard_assign(ctx->cfg, ctx->plan, (const void *const *)ctx->workloads, ctx->shard.count, shard_of, NULL,
			       err, errlen) ||
	    shard_runs(ctx, empty, shard_of, err, errlen)) {
		free(shard_of);
		goto out;
	}
	ctx->shard_of = shard_of;
	if (was_runs && strcmp(was_runs, ctx->shard_text)) {
		errorf(err, errlen, "%s: shard %s's runs were %.200s%s; this config gives it %.200s%s: a shard keeps the"
				    " runs it was given", ctx->dir, now, was_runs, strlen(was_runs) > 200 ? "..." : "",
		       ctx->shard_text, strlen(ctx->shard_text) > 200 ? "..." : "");
		goto out;
	}
	memcpy(ctx->digest, digest, sizeof(digest));
	*usage = false;
	r = 0;
out:
	if (r)
		*usage = *usage && !strstr(err, "out of memory");
	else
		*usage = false;
	free(was);
	free(was_runs);
	free(was_digest);
	return r;
}

/* hostname: every host the shard ran on, in order ("node3, node7" after a resume elsewhere). */
static int shard_hosts_note(struct store *s, char *err, size_t errlen)
{
	char host[256] = "", *was = NULL, *now = NULL;
	gethostname(host, sizeof(host) - 1);
	if (store_manifest_get(s, "hostname", &was, err, errlen))
		return -1;
	/* known when ", host, " is in ", was, " */
	char *list = NULL, *item = NULL;
	int r = asprintf(&list, ", %s, ", was ? was : "") < 0 || asprintf(&item, ", %s, ", host) < 0 ?
			errorf(err, errlen, "out of memory") : 0;
	if (!r && !strstr(list, item))
		r = asprintf(&now, "%s%s%s", was ? was : "", was ? ", " : "", host) < 0 ?
			    errorf(err, errlen, "out of memory") :
			    store_manifest_set(s, "hostname", now, err, errlen);
	free(list);
	free(item);
	free(was);
	free(now);
	return r;
}

int run_shard_record(struct sweep_ctx *ctx, char *err, size_t errlen)
{
	char text[32];
	if (!ctx->shard.count)
		return 0;
	snprintf(text, sizeof(text), "%u/%u", ctx->shard.index, ctx->shard.count);
	if (store_manifest_set(ctx->store, "shard", text, err, errlen) ||
	    store_manifest_set(ctx->store, "shard.runs", ctx->shard_text, err, errlen) ||
	    store_manifest_set(ctx->store, "plan.digest", ctx->digest, err, errlen) ||
	    shard_hosts_note(ctx->store, err, errlen) || store_journal_rollback(ctx->store, err, errlen))
		return -1;
	/* The pending runs, in plan order, keep only the shard's: its own order is the plan's. */
	size_t kept = 0;
	for (size_t i = 0; i < ctx->nr_pending; i++)
		if (ctx->shard_of[ctx->pending[i]] == ctx->shard.index)
			ctx->pending[kept++] = ctx->pending[i];
	ctx->nr_pending = kept;
	return 0;
}
