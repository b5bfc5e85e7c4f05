/*
 * repeat = auto (sweep/config_repeat.c): before a point's run past min_repeat, whether
 * the point still needs it. It does while some ci_metric's 95 % interval (Student's t,
 * over the point's done runs) is wider than ci of its mean; a run it does not need is
 * recorded as 'skipped' with the evidence as its cause, so that a resume does not run
 * it and the report can say how many runs each point took.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/run.h"
#include "report/stats.h"
#include "store/query.h"

/* 1: some metric is not yet narrow enough (or has too few values); 0: all are; -1 error. */
static int point_settled_check(struct sweep_ctx *ctx, size_t run, char *why, size_t len, char *err, size_t errlen)
{
	const struct sweep_repeat *ar = &ctx->cfg->auto_repeat;
	size_t used = 0;

	why[0] = 0;
	for (size_t m = 0; m < ar->nr_metrics; m++) {
		double *v;
		size_t n;
		struct sample_stats s;
		if (store_point_values_of_run(ctx->store, ctx->run_ids[run], ar->metrics[m], &v, &n, err, errlen))
			return -1;
		stats_compute(v, n, &s);
		free(v);
		if (s.n < ar->min || isnan(s.ci95_lo))
			return 1;
		double rel = stats_ci95_rel_half(&s);
		if (!(rel <= ar->ci))
			return 1;
		used += (size_t)snprintf(why + used, used < len ? len - used : 0, "%s%s ±%.2g %% of the mean",
					 m ? ", " : "", ar->metrics[m], 100 * rel);
		if (m + 1 == ar->nr_metrics)
			snprintf(why + used, used < len ? len - used : 0,
				 " (95 %% interval) after %zu runs: within ci %.3g %%", s.n, 100 * ar->ci);
	}
	return 0;
}

int run_repeat_needed(struct sweep_ctx *ctx, size_t run, char *why, size_t len, char *err, size_t errlen)
{
	const struct sweep_repeat *ar = &ctx->cfg->auto_repeat;

	if (!ar->on || ctx->plan->runs[run].rep < ar->min)
		return 1;
	return point_settled_check(ctx, run, why, len, err, errlen);
}
