/*
 * random_distribution=: fio's non-uniform offset generators (options.c
 * str_random_distribution_cb, filesetup.c __init_rand_distribution, lib/zipf.c,
 * lib/gauss.c). The host does what needs floating point once per job: zipf's
 * zeta(n) sum (up to 10 million powers, fio's ZIPF_MAX_GEN), eta and the exponent, the
 * draws below which zipf gives 1 or 2, pareto's exponent, the normal distribution's
 * spread in ranges, and a :center's offset. The guest draws with them per I/O
 * (include/vmsweep/rand_dist.h). zoned and zoned_abs are refused.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fio/job_compile_internal.h"
#include "util/suggest.h"

#define FIO_DEF_ZIPF 1.1 /* fio.h: zipf without a theta */
#define FIO_DEF_PARETO 0.2 /* fio.h: pareto without h */
#define ZIPF_MAX_GEN 10000000ull /* lib/zipf.c: zeta(n) is summed over at most this many terms */
#define FRAND32_MAX 4294967295.0 /* lib/rand.h: the largest 32-bit draw */

static bool float_parse(const char *s, double *out)
{
	char *end;

	if (!*s)
		return false;
	*out = strtod(s, &end);
	return !*end && isfinite(*out);
}

int opt_random_distribution(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	static const char *const names[] = { "random", "zipf", "pareto", "normal", "zoned", "zoned_abs" };
	const char *v = o->value, *colon = strchr(v, ':');
	size_t len = colon ? (size_t)(colon - v) : strlen(v);
	double val = 0, center = -1;

	if (len == 6 && !strncmp(v, "random", 6)) {
		if (colon)
			return bad_value(c, o, "random takes no parameter");
		jo->j.rand_dist = VMS_RAND_UNIFORM;
		jo->dist_o = NULL;
		return 0;
	}
	if ((len == 5 && !strncmp(v, "zoned", 5)) || (len == 9 && !strncmp(v, "zoned_abs", 9)))
		return bad_value(c, o, "not supported by vmsweep (random, zipf:theta, pareto:h, normal:sigma, each with "
				 "an optional :center)");
	if (len == 4 && !strncmp(v, "zipf", 4)) {
		jo->j.rand_dist = VMS_RAND_ZIPF;
		val = FIO_DEF_ZIPF;
	} else if (len == 6 && !strncmp(v, "pareto", 6)) {
		jo->j.rand_dist = VMS_RAND_PARETO;
		val = FIO_DEF_PARETO;
	} else if (len == 6 && !strncmp(v, "normal", 6)) {
		jo->j.rand_dist = VMS_RAND_NORMAL;
		val = 0.0;
	} else {
		char word[32];
		snprintf(word, sizeof(word), "%.*s", (int)(len < 31 ? len : 31), v);
		const char *near = name_suggest(word, names, ARRAY_SIZE(names));
		if (near)
			return bad_value(c, o, "expected random, zipf, pareto or normal (did you mean '%s'?)", near);
		return bad_value(c, o, "expected random, zipf:theta, pareto:h or normal:sigma");
	}
	if (colon) {
		char buf[64];
		const char *second = strchr(colon + 1, ':');
		size_t n = second ? (size_t)(second - colon - 1) : strlen(colon + 1);
		if (n >= sizeof(buf))
			return bad_value(c, o, "'%s' is not a number", colon + 1);
		memcpy(buf, colon + 1, n);
		buf[n] = '\0';
		if (!float_parse(buf, &val))
			return bad_value(c, o, "'%s' is not a number", buf);
		if (second && (!float_parse(second + 1, &center) || center < 0.0 || center > 1.0))
			return bad_value(c, o, "the center '%s' is not a number from 0 to 1", second + 1);
	}
	switch (jo->j.rand_dist) {
	case VMS_RAND_ZIPF:
		if (val == 1.0)
			return bad_value(c, o, "zipf's theta must be other than 1.0, as in fio");
		break;
	case VMS_RAND_PARETO:
		if (val <= 0.0 || val >= 1.0)
			return bad_value(c, o, "pareto's h must lie between 0 and 1 (exclusive), as in fio");
		break;
	default:
		if (val < 0.0 || val >= 100.0)
			return bad_value(c, o, "normal's deviation must be from 0 to below 100 (percent), as in fio");
		break;
	}
	jo->dist_val = val;
	jo->dist_center = center;
	jo->dist_o = o;
	return 0;
}

/* The smallest r of a 32-bit draw for which (r / FRAND32_MAX) * zetan >= limit, as fio
 * compares in double (lib/zipf.c zipf_next); 2^32 when none is. */
static uint64_t draw_threshold(double zetan, double limit)
{
	uint64_t lo = 0, hi = 1ull << 32; /* the answer lies in [lo, hi] */

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if ((double)mid / FRAND32_MAX * zetan >= limit)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static uint64_t double_bits(double d)
{
	uint64_t b;
	memcpy(&b, &d, sizeof(b));
	return b;
}

/* The guest's parameters for region bytes of j (already resolved: bs[], bssplit). */
void dist_resolve(const struct job_opts *jo, struct vms_job *j, uint64_t region)
{
	uint64_t range = bssplit_min(j, 0) < bssplit_min(j, 1) ? bssplit_min(j, 0) : bssplit_min(j, 1);
	uint64_t n = (region + range - 1) / range;
	double val = jo->dist_val, center = jo->dist_center;

	j->dist_nranges = n;
	j->dist_arg[0] = double_bits(val);
	j->dist_arg[1] = double_bits(center);
	j->dist_flags = center != -1 ? VMS_DIST_CENTER : 0;
	j->dist_rand_off = 0;
	memset(j->dist_param, 0, sizeof(j->dist_param));
	switch (j->rand_dist) {
	case VMS_RAND_ZIPF: {
		double zetan = 0, zeta2 = pow(1.0, val) + pow(0.5, val);
		uint64_t to_gen = n < ZIPF_MAX_GEN ? n : ZIPF_MAX_GEN;
		for (uint64_t i = 0; i < to_gen; i++)
			zetan += pow(1.0 / (double)(i + 1), val);
		double alpha = 1.0 / (1.0 - val);
		double eta = (1.0 - pow(2.0 / (double)n, 1.0 - val)) / (1.0 - zeta2 / zetan);
		j->dist_param[0] = draw_threshold(zetan, 1.0);
		j->dist_param[1] = draw_threshold(zetan, 1.0 + pow(0.5, val));
		j->dist_param[2] = double_bits(eta);
		j->dist_param[3] = double_bits(alpha);
		if (center != -1)
			j->dist_rand_off = (uint64_t)((double)n * center);
		break;
	}
	case VMS_RAND_PARETO:
		j->dist_param[2] = double_bits(log(val) / log(1.0 - val));
		if (center != -1)
			j->dist_rand_off = (uint64_t)((double)n * center);
		break;
	case VMS_RAND_NORMAL:
		if (val != 0.0) {
			/* lib/gauss.c: an unsigned int, at most half the ranges */
			uint64_t dev = (uint64_t)ceil((double)(n * val) / 100.0);
			j->dist_param[0] = dev > n / 2 ? n / 2 : dev;
		}
		/* fio's rand_off is an unsigned int: a center below 0.5 wraps, as it does there */
		if (center != -1)
			j->dist_rand_off = (uint32_t)(int64_t)((double)n * (center - 0.5));
		break;
	default:
		break;
	}
}
