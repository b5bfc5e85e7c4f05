/*
 * The search for the largest load that meets an SLO, at one point of the other
 * parameters: a bisection on the load, each probe's verdict from its runs (slo.h).
 *
 * It assumes that a load that meets the SLO is met by every smaller one (monotonicity):
 * then the probes bracket the answer, the largest passing load L below the smallest
 * failing load F, and bisecting the bracket narrows it. With a relative resolution r
 * the bracket is cut at its geometric mean and is done when F <= L (1 + r); with an
 * absolute step at its middle, done when F - L <= step. The ends of the range are
 * probed last, and only when needed: the smallest load when no probe passed (does
 * anything pass?), the largest when none failed (is the range wide enough?). A probe
 * whose verdict contradicts an earlier one (a pass above a failing load, or a fail
 * below a passing one: possible when stored probes are taken again) is noted, and the
 * bracket keeps the evidence nearest the answer's side: L the largest pass below F.
 */
#ifndef CAPACITY_SEARCH_H
#define CAPACITY_SEARCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct capacity_range {
	int64_t min, max; /* the loads searched, min < max, both > 0 */
	double rel; /* resolution relative to the load (0.05), or 0: */
	int64_t step; /* an absolute one, in the load's unit */
};

enum capacity_status {
	CAPACITY_SEARCHING,
	CAPACITY_FOUND, /* L and F bracket the answer within the resolution */
	CAPACITY_BELOW, /* even the range's smallest load fails */
	CAPACITY_ABOVE, /* even its largest passes: the answer is >= max */
};

#define CAPACITY_PROBES_MAX 64 /* a bisection of 1..2^62 at 1 % takes about 12 */

struct capacity_search {
	struct capacity_range range;
	bool have_pass, have_fail;
	int64_t pass, fail; /* L and F, when have_: F the smallest failing load, L the largest
			     * passing one below F */
	struct {
		int64_t load;
		bool passed;
	} probes[CAPACITY_PROBES_MAX];
	size_t nr_probes;
	bool nonmonotone; /* a verdict contradicted an earlier one */
	int64_t contra_load, contra_other; /* the first such pair: this load's verdict against that one's */
};

void capacity_search_init(struct capacity_search *s, const struct capacity_range *range);
/* The load to probe next, or -1 when the search is over (capacity_search_status, or
 * CAPACITY_PROBES_MAX probes). */
int64_t capacity_search_next(const struct capacity_search *s);
void capacity_search_record(struct capacity_search *s, int64_t load, bool passed);
enum capacity_status capacity_search_status(const struct capacity_search *s);
const char *capacity_status_name(enum capacity_status st);
/* Whether [lo, hi] is as narrow as the resolution asks. */
bool capacity_range_narrow(const struct capacity_range *r, int64_t lo, int64_t hi);
#endif
