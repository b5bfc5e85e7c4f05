/*
 * `vmsweep run --shard I/N`: the shard's share of the plan (sweep/shard.h), recorded in
 * the shard store's manifest so that a resume, `vmsweep merge` and `vmsweep status` know
 * which runs are its own; and, before the first boot, whether this machine can run them
 * at all: a batch system may place a task on a node without KVM or one that is busy.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/run.h"
#include "sweep/shard.h"
#include "util/error.h"
#include "util/id_ranges.h"
#include "vmm/kvm.h"

static int ids_compare(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* The shard's own run ids, as ranges, malloc'd. */
static char *shard_runs_text(const struct sweep_ctx *ctx, const unsigned *shard_of)
{
	size_t n = 0, *ids = malloc((ctx->plan->nr_runs + 1) * sizeof(*ids));
	if (!ids)
		return NULL;
	for (size_t r = 0; r < ctx->plan->nr_runs; r++)
		if (shard_of[r] == ctx->shard.index)
			ids[n++] = ctx->run_ids[r];
	qsort(ids, n, sizeof(*ids), ids_compare);
	char *text = id_ranges_format(ids, n);
	free(ids);
	return text;
}

/* A shard store made earlier must be the same shard of the same cut. */
static int shard_check_recorded(struct sweep_ctx *ctx, const char *runs, bool *usage, char *err, size_t errlen)
{
	char *was = NULL, *was_runs = NULL, now[32];
	int r = 0;
	snprintf(now, sizeof(now), "%u/%u", ctx->shard.index, ctx->shard.count);
	if (store_manifest_get(ctx->store, "shard", &was, err, errlen) ||
	    store_manifest_get(ctx->store, "shard.runs", &was_runs, err, errlen)) {
		r = -1;
	} else if (was && strcmp(was, now)) {
		*usage = true;
		r = errorf(err, errlen, "%s holds shard %s of its sweep, not %s", ctx->dir, was, now);
	} else if (was_runs && strcmp(was_runs, runs)) {
		*usage = true;
		r = errorf(err, errlen, "%s: shard %s's runs were %.200s%s; this config gives it %.200s%s (the config's"
					" runtimes changed?): a shard keeps the runs it was given",
			   ctx->dir, now, was_runs, strlen(was_runs) > 200 ? "..." : "", runs, strlen(runs) > 200 ? "..." : "");
	}
	free(was);
	free(was_runs);
	return r;
}

int run_shard_adopt(struct sweep_ctx *ctx, char *err, size_t errlen)
{
	char *was = NULL;
	if (store_manifest_get(ctx->store, "shard", &was, err, errlen))
		return -1;
	int r = 0;
	if (was) {
		r = sweep_shard_parse(was, &ctx->shard, err, errlen);
		if (!r)
			fprintf(stderr, "vmsweep run: %s is shard %s of its sweep: running that shard's runs\n", ctx->dir, was);
	}
	free(was);
	return r;
}

int run_shard_select(struct sweep_ctx *ctx, bool *usage, char *err, size_t errlen)
{
	const struct sweep_plan *plan = ctx->plan;
	unsigned *shard_of = malloc((plan->nr_runs + 1) * sizeof(*shard_of));
	char *runs = NULL, text[32];
	int r = -1;

	*usage = false;
	if (!shard_of)
		return errorf(err, errlen, "out of memory");
	if (sweep_shard_assign(ctx->cfg, plan, (const void *const *)ctx->workloads, ctx->shard.count, shard_of, err,
			       errlen))
		goto out;
	if (!(runs = shard_runs_text(ctx, shard_of))) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	if (shard_check_recorded(ctx, runs, usage, err, errlen))
		goto out;
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	snprintf(text, sizeof(text), "%u/%u", ctx->shard.index, ctx->shard.count);
	if (store_manifest_set(ctx->store, "shard", text, err, errlen) ||
	    store_manifest_set(ctx->store, "hostname", host, err, errlen) ||
	    store_manifest_set(ctx->store, "shard.runs", runs, err, errlen))
		goto out;
	/* The pending runs, in plan order, keep only the shard's: its own order is the plan's. */
	size_t kept = 0;
	ctx->shard_runs = 0;
	for (size_t r2 = 0; r2 < plan->nr_runs; r2++)
		ctx->shard_runs += shard_of[r2] == ctx->shard.index;
	for (size_t i = 0; i < ctx->nr_pending; i++)
		if (shard_of[ctx->pending[i]] == ctx->shard.index)
			ctx->pending[kept++] = ctx->pending[i];
	ctx->nr_pending = kept;
	r = 0;
out:
	free(runs);
	free(shard_of);
	return r;
}

/* The CPUs' idle time over a quarter second, in CPUs, of those in set. */
static double idle_cpus(const cpu_set_t *set)
{
	unsigned long long idle[2][CPU_SETSIZE / 8], total[2][CPU_SETSIZE / 8];
	int max = CPU_SETSIZE / 8;
	memset(idle, 0, sizeof(idle));
	memset(total, 0, sizeof(total));
	for (int pass = 0; pass < 2; pass++) {
		char line[512];
		FILE *f = fopen("/proc/stat", "r");
		while (f && fgets(line, sizeof(line), f)) {
			int cpu;
			unsigned long long v[8] = { 0 };
			if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1], &v[2], &v[3],
				   &v[4], &v[5], &v[6], &v[7]) < 5 || cpu < 0 || cpu >= max)
				continue;
			idle[pass][cpu] = v[3] + v[4];
			for (int k = 0; k < 8; k++)
				total[pass][cpu] += v[k];
		}
		if (f)
			fclose(f);
		if (!pass)
			nanosleep(&(struct timespec){ 0, 250000000 }, NULL);
	}
	double sum = 0;
	for (int c = 0; c < max; c++)
		if (CPU_ISSET(c, set) && total[1][c] > total[0][c])
			sum += (double)(idle[1][c] - idle[0][c]) / (double)(total[1][c] - total[0][c]);
	return sum;
}

int run_shard_host_check(unsigned jobs, char *err, size_t errlen)
{
	char host[256] = "this host", kerr[512];
	cpu_set_t set;

	gethostname(host, sizeof(host) - 1);
	if (!kvm_host_get(kerr, sizeof(kerr)))
		return errorf(err, errlen, "node %s cannot run guests: %s", host, kerr);
	if (sched_getaffinity(0, sizeof(set), &set))
		return 0; /* cannot tell: the runs will show it */
	unsigned cpus = (unsigned)CPU_COUNT(&set);
	if (cpus < jobs)
		return errorf(err, errlen, "node %s: this task may use %u CPU%s, too few for %u runs at a time (ask the"
					   " batch system for %u CPUs per task, or run fewer at a time)",
			      host, cpus, cpus == 1 ? "" : "s", jobs, jobs);
	double idle = idle_cpus(&set);
	if (idle < 0.5 * jobs)
		return errorf(err, errlen, "node %s: only %.1f of the %u CPUs this task may use are idle (measured over"
					   " 0.25 s): the node is busy with other work, which would slow and scatter every"
					   " run (Slurm's --exclusive keeps a node to one job)",
			      host, idle, cpus);
	return 0;
}
