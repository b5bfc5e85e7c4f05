/* The checks `plan` and `run` share, before the first boot. */
#include <stdio.h>

#include "cmd/sweep_checks.h"
#include "report/report.h"
#include "util/error.h"

int sweep_checks(const struct sweep_config *c, const struct sweep_plan *p, unsigned jobs, const void *const *wl,
		 const char *prefix, struct sweep_estimate *est, char *err, size_t errlen)
{
	char why[1024];
	for (size_t i = 0; i < c->nr_metrics; i++)
		if (report_metric_name_check(c->metrics[i], why, sizeof(why)))
			return errorf(err, errlen, "%s: [report] metrics: %s", c->path, why);
	for (size_t i = 0; i < c->auto_repeat.nr_metrics; i++)
		if (report_metric_name_check(c->auto_repeat.metrics[i], why, sizeof(why)))
			return errorf(err, errlen, "%s:%u: [sweep] ci_metric: %s", c->path, c->auto_repeat.metrics_line, why);
	return sweep_preflight(c, p, jobs, wl, stderr, prefix, est, err, errlen);
}
