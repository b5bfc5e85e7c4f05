/*
 * fio's CPU affinity: cpus_allowed= (a list, "0-1,3"), cpumask= (a bit mask) and
 * cpus_allowed_policy= (shared: every job of the section gets the whole set; split:
 * each job one CPU of it, round-robin by the job's number, as fio's fio_cpus_split
 * with td->thread_number - 1). The guest pins the job's thread to what is left; a
 * CPU the guest does not have is its error (fio's "CPU N too large"), since a sweep
 * may give the same job file guests of several sizes.
 */
#include <stdlib.h>
#include <string.h>

#include "fio/job_compile_internal.h"

#define VMS_CPUS_MAX 64 /* a vms_job's mask: vmsweep's limit of vCPUs */

static int cpu_number(struct compile *c, const struct fio_option *o, const char *s, size_t len, unsigned *out)
{
	unsigned v = 0;

	if (!len)
		return bad_value(c, o, "an empty CPU number (expected a list such as 0-3,6)");
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return bad_value(c, o, "'%.*s' is not a CPU number (expected a list such as 0-3,6)", (int)len,
					 s);
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v >= VMS_CPUS_MAX)
			return bad_value(c, o, "CPU %.*s: vmsweep's guests have at most %d vCPUs (0..%d)", (int)len, s,
					 VMS_CPUS_MAX, VMS_CPUS_MAX - 1);
	}
	*out = v;
	return 0;
}

/* "0-3,6": CPUs and inclusive ranges, comma-separated. */
int opt_cpus_allowed(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	uint64_t mask = 0;

	for (const char *p = o->value;;) {
		size_t len = strcspn(p, ",");
		const char *dash = memchr(p, '-', len);
		unsigned lo, hi;

		if (cpu_number(c, o, p, dash ? (size_t)(dash - p) : len, &lo))
			return -1;
		hi = lo;
		if (dash && cpu_number(c, o, dash + 1, len - (size_t)(dash + 1 - p), &hi))
			return -1;
		if (hi < lo)
			return bad_value(c, o, "the range %u-%u runs backwards", lo, hi);
		for (unsigned i = lo; i <= hi; i++)
			mask |= 1ull << i;
		if (!p[len])
			break;
		p += len + 1;
	}
	jo->j.cpus_allowed = mask;
	jo->cpus_o = o;
	return 0;
}

/* fio's cpumask=: a bit per CPU, in an int. */
int opt_cpumask(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	int64_t v;

	if (int_parse(c, o, o->value, 1, UINT32_MAX, &v))
		return -1;
	jo->j.cpus_allowed = (uint64_t)v;
	jo->cpus_o = o;
	return 0;
}

int opt_cpus_allowed_policy(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	if (!strcmp(o->value, "shared"))
		jo->cpus_split = false;
	else if (!strcmp(o->value, "split"))
		jo->cpus_split = true;
	else
		return bad_value(c, o, "expected shared or split");
	return 0;
}

/* fio_cpus_split: the job numbered index (from 0, over the whole file) keeps the
 * (index mod count)-th CPU of the set. */
uint64_t cpus_split(uint64_t mask, unsigned index)
{
	unsigned n = (unsigned)__builtin_popcountll(mask);

	if (!n)
		return 0;
	for (index %= n; index--;)
		mask &= mask - 1;
	return mask & -mask;
}
