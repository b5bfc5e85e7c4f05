/* A sweep's plan printed: the expanded runs, as `vmsweep plan` shows them. */
#ifndef SWEEP_PLAN_PRINT_H
#define SWEEP_PLAN_PRINT_H
#include <stdio.h>

#include "sweep/config.h"
#include "sweep/grid.h"

/* The plan as a table (run, point, rep, seed, each parameter) with the counts. */
void sweep_plan_print(FILE *f, const struct sweep_config *c, const struct sweep_plan *p);

/* The same as JSON; 0, or -1 when out of memory. */
int sweep_plan_print_json(FILE *f, const struct sweep_config *c, const struct sweep_plan *p);

/* A parameter value as written in configs: memory as "256M" or "1G", the rest as integers. */
const char *sweep_value_format(const struct sweep_param *prm, int64_t v, char *buf, size_t len);

#endif
