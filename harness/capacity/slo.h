/*
 * A service-level objective for `vmsweep capacity`: conditions on a run's metrics,
 * "fio.w.write.clat_p99_ns < 10ms and fio.w.write.iops > 0.9k", and the test that says
 * whether a probe's runs meet it.
 *
 * The test, per condition METRIC < VALUE: the probe's n runs give n values of the
 * metric (one per run); with their mean m, sample standard deviation s and
 * t = the (1 - a) quantile of Student's t with n - 1 degrees of freedom, the one-sided
 * bounds on the mean are m + t s / sqrt(n) (upper) and m - t s / sqrt(n) (lower).
 * The condition holds (pass) when the upper bound is below VALUE, is broken (fail)
 * when the lower bound is at or above it, and is inconclusive otherwise (for >, the
 * mirror). With k conditions a = (1 - confidence) / k (Bonferroni), so that the whole
 * SLO holds with the stated confidence. Fewer than 2 values are inconclusive, unless
 * they are equal: then s = 0 and the bounds are the mean.
 */
#ifndef CAPACITY_SLO_H
#define CAPACITY_SLO_H
#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

#define SLO_MAX_CONDS 8

enum slo_op { SLO_BELOW, SLO_ABOVE };
enum slo_verdict { SLO_PASS, SLO_FAIL, SLO_UNSURE };

struct slo_cond {
	char metric[STORE_NAME_MAX]; /* as written: a store name, or one without fio.<job>. */
	enum slo_op op;
	double value; /* in the metric's unit: ns for times, units multiplied out */
	char text[128]; /* the condition as written, trimmed: for messages */
};

struct slo {
	struct slo_cond conds[SLO_MAX_CONDS];
	size_t n;
};

/*
 * Parses "METRIC < VALUE [and METRIC > VALUE ...]". VALUE: a number with an optional
 * unit: ns, us, ms, s (the metric must be a time, its name ending in _ns or holding
 * "_ns."; stored in ns), k, M, G (10^3, 10^6, 10^9), Ki, Mi, Gi (2^10 ..), % (the
 * number as it is, for the metrics in percent). The metric must be one a run can
 * carry (the metric tables), written whole or without its "fio.<job>." prefix; the
 * histogram spelling "write.clat_ns.p99" stands for "write.clat_p99_ns". -1 with err
 * naming the condition and the cause.
 */
int slo_parse(const char *text, struct slo *s, char *err, size_t errlen);

/* The SLO written back with the canonical metric names: "a < 10ms and b > 900". */
void slo_format(const struct slo *s, char *buf, size_t len);
/* A value of c's metric as slo_format writes it (times with a unit). */
void slo_value_format(const struct slo_cond *c, double v, char *buf, size_t len);

/* What the test made of one condition at one probe. */
struct slo_check {
	size_t n;
	double mean, sd; /* sd NAN when n < 2 */
	double bound; /* the side that decides: the upper bound for <, the lower for > */
	double other; /* the other bound: fail when it is past the value */
	enum slo_verdict verdict;
};

/* The test above for c over values[n] (NaNs skipped), alpha = 1 - the condition's own
 * confidence (slo_alpha). */
void slo_cond_check(const struct slo_cond *c, const double *values, size_t n, double alpha, struct slo_check *out);

/* The per-condition alpha for the SLO's confidence (0.95): Bonferroni over its conditions. */
double slo_alpha(const struct slo *s, double confidence);

/* The probe's verdict from its conditions': fail if any fails, pass if all pass. */
enum slo_verdict slo_combine(const struct slo_check *checks, size_t n);

const char *slo_verdict_name(enum slo_verdict v);

/*
 * The store's name of c's metric among names[n] (what the runs recorded): the name
 * itself, else the one name "fio.<job>.<metric>". -1 with err when none or several
 * (naming them: give the job).
 */
int slo_metric_resolve(const struct slo_cond *c, char *const *names, size_t n, char *out, size_t outlen, char *err,
		       size_t errlen);
#endif
