/*
 * A Linux guest's results (its sections, backend/linux_sections.h) as vmsweep's metric
 * set: the same names our own guest's runs use (store.h, the record families' tables),
 * so that a Linux run and a model run of one sweep point sit in the same tables, and a
 * few linux.* names for what only a Linux run has. Where Linux measures the same thing
 * differently the metric follows our meaning (vmstat events over the job, fio's
 * percentiles from its json+ buckets with our estimator); what has no equivalent is left
 * out rather than approximated. linux_metrics.c lists each name with its source.
 */
#ifndef VMSWEEP_BACKEND_LINUX_METRICS_H
#define VMSWEEP_BACKEND_LINUX_METRICS_H
#include <stddef.h>

#include "backend/linux_sections.h"
#include "records/family.h"

struct store_run;
struct vms_workload;

/*
 * Appends the metrics (and fio's clat histograms) of the sections in s to rec. wl, the
 * compiled job file, tells each fio entry's directions and disk; NULL: fio's own JSON
 * ("job options") tells them. Every number is the guest's word: a malformed one is
 * left out, never stored as a wrong one.
 * Returns 0 when every section it reads was well-formed; n > 0 when n of them were not
 * (their metrics, or the ill-formed part of them, are left out; err says the first,
 * e.g. "fio.json: not JSON: ..."); -1 when out of memory (rec holds what was appended).
 */
int linux_metrics(const struct linux_sections *s, const struct vms_workload *wl, struct store_run *rec, char *err,
		  size_t errlen);

/* The linux.* names (metric_docs.c includes them in the store's tables). */
extern const struct metric_doc linux_metric_docs[];
#endif
