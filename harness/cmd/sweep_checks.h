/* What `plan` and `run` check before a sweep's first boot: sweep_preflight, and that
 * each [report] metric can match what the runs record. */
#ifndef CMD_SWEEP_CHECKS_H
#define CMD_SWEEP_CHECKS_H
#include <stddef.h>

#include "sweep/preflight.h"

int sweep_checks(const struct sweep_config *c, const struct sweep_plan *p, unsigned jobs, const void *const *wl,
		 const char *prefix, struct sweep_estimate *est, char *err, size_t errlen);
#endif
