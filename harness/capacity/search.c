/* The bisection of capacity_search; see search.h. */
#include <math.h>
#include <string.h>

#include "capacity/search.h"

void capacity_search_init(struct capacity_search *s, const struct capacity_range *range)
{
	memset(s, 0, sizeof(*s));
	s->range = *range;
}

bool capacity_range_narrow(const struct capacity_range *r, int64_t lo, int64_t hi)
{
	if (hi - lo <= 1)
		return true; /* loads are integers */
	if (r->rel > 0)
		return (double)hi <= (double)lo * (1 + r->rel);
	return hi - lo <= r->step;
}

/* Strictly between lo and hi: the bracket always shrinks. */
static int64_t middle(const struct capacity_range *r, int64_t lo, int64_t hi)
{
	int64_t m = r->rel > 0 ? (int64_t)llround(sqrt((double)lo * (double)hi)) : lo + (hi - lo) / 2;
	if (m <= lo)
		m = lo + 1;
	if (m >= hi)
		m = hi - 1;
	return m;
}

enum capacity_status capacity_search_status(const struct capacity_search *s)
{
	if (s->have_fail && s->fail <= s->range.min)
		return CAPACITY_BELOW;
	if (s->have_pass && s->pass >= s->range.max)
		return CAPACITY_ABOVE;
	if (s->have_pass && s->have_fail && capacity_range_narrow(&s->range, s->pass, s->fail))
		return CAPACITY_FOUND;
	return CAPACITY_SEARCHING;
}

int64_t capacity_search_next(const struct capacity_search *s)
{
	if (capacity_search_status(s) != CAPACITY_SEARCHING || s->nr_probes >= CAPACITY_PROBES_MAX)
		return -1;
	int64_t lo = s->have_pass ? s->pass : s->range.min, hi = s->have_fail ? s->fail : s->range.max;
	if (!capacity_range_narrow(&s->range, lo, hi))
		return middle(&s->range, lo, hi);
	/* narrow, but an end of it is the range's, never probed */
	return !s->have_pass ? s->range.min : s->range.max;
}

void capacity_search_record(struct capacity_search *s, int64_t load, bool passed)
{
	for (size_t i = 0; i < s->nr_probes && !s->nonmonotone; i++)
		if (passed ? !s->probes[i].passed && s->probes[i].load <= load
			   : s->probes[i].passed && s->probes[i].load >= load) {
			s->nonmonotone = true;
			s->contra_load = load;
			s->contra_other = s->probes[i].load;
		}
	if (s->nr_probes < CAPACITY_PROBES_MAX) {
		s->probes[s->nr_probes].load = load;
		s->probes[s->nr_probes++].passed = passed;
	}
	/* F: the smallest failing load; L: the largest pass below it (a pass at or above F
	 * says nothing of the loads below F) */
	s->have_fail = s->have_pass = false;
	for (size_t i = 0; i < s->nr_probes; i++)
		if (!s->probes[i].passed && (!s->have_fail || s->probes[i].load < s->fail)) {
			s->fail = s->probes[i].load;
			s->have_fail = true;
		}
	for (size_t i = 0; i < s->nr_probes; i++)
		if (s->probes[i].passed && (!s->have_fail || s->probes[i].load < s->fail) &&
		    (!s->have_pass || s->probes[i].load > s->pass)) {
			s->pass = s->probes[i].load;
			s->have_pass = true;
		}
}

const char *capacity_status_name(enum capacity_status st)
{
	switch (st) {
	case CAPACITY_SEARCHING: return "searching";
	case CAPACITY_FOUND: return "found";
	case CAPACITY_BELOW: return "below range";
	case CAPACITY_ABOVE: return "above range";
	}
	return "?";
}
