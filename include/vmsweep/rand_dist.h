/*
 * fio's non-uniform offset generators (random_distribution=zipf, pareto, normal), as fio
 * 3.33's lib/zipf.c and lib/gauss.c draw them, from a job's parameters that the host
 * computed (harness/fio/job_compile_dist.c: everything done once that needs floating
 * point), and rate_process=poisson's gaps (backend.c usec_for_io). The guest draws with
 * these (guest/workload/fio_offset.c, fio_rate.c); the host's unit tests check them
 * against libm and fio's formulas. Each takes fio's 32-bit draws as arguments, so the
 * caller owns the random stream.
 *
 * Per draw, zipf and pareto need one power, pow(x, a) with a real exponent, and poisson
 * one logarithm. The guest is built without floating point (-mgeneral-regs-only: its
 * kernel saves no FPU state when it switches tasks), so they are taken here with a few
 * x87 instructions in extended precision (fyl2x, f2xm1, fscale), starting from fninit
 * and leaving the x87 stack empty. A guest caller keeps preemption off around them, so
 * that no other task's x87 use can come in between; nothing else in the guest touches
 * the x87. The results are fio's up to their last bits (its pow is double precision,
 * its logf single), which moves an integer part by one at most at the rare boundaries.
 */
#ifndef VMSWEEP_RAND_DIST_H
#define VMSWEEP_RAND_DIST_H
#include <stdint.h>

#include "vmsweep/workload.h"

#define VMS_GOLDEN_RATIO_64 0x61C8864680B583EBull /* fio's hash.h */
#define VMS_FRAND32_MAX_BITS 0x41EFFFFFFFE00000ull /* 4294967295.0 as a double: fio's FRAND32_MAX */
#define VMS_GAUSS_ITERS 12 /* lib/gauss.c */

/* fio's __hash_u64: scatters the ranks over the ranges (zipf_next, pareto_next, gauss_next). */
static inline uint64_t vms_hash_u64(uint64_t v)
{
	return v * VMS_GOLDEN_RATIO_64;
}

/*
 * trunc(scale * pow(u * m - m + 1, alpha)) with u = r / FRAND32_MAX (zipf: m = eta), or
 * trunc(scale * pow(u, alpha)) without the affine step (pareto); m, alpha and scale are
 * IEEE doubles' bits. A power that is not a finite number gives 0.
 */
static inline uint64_t vms_x87_pow_scaled(uint32_t r, uint64_t m, int affine, uint64_t alpha, uint64_t scale)
{
	static const uint64_t frand32_max = VMS_FRAND32_MAX_BITS;
	int64_t r64 = r, out;

	if (affine)
		__asm__ volatile("fninit\n\t"
				 "fildll %[r]\n\t" /* r */
				 "fdivl %[max]\n\t" /* u */
				 "fmull %[m]\n\t" /* u*m */
				 "fsubl %[m]\n\t" /* u*m - m */
				 "fld1\n\t"
				 "faddp\n\t" /* x = u*m - m + 1 */
				 "fldl %[alpha]\n\t"
				 "fxch %%st(1)\n\t" /* x, alpha */
				 "fyl2x\n\t" /* t = alpha * log2(x) */
				 "fld %%st(0)\n\t"
				 "frndint\n\t" /* i = round(t), t */
				 "fxch %%st(1)\n\t"
				 "fsub %%st(1), %%st\n\t" /* f = t - i, i */
				 "f2xm1\n\t"
				 "fld1\n\t"
				 "faddp\n\t" /* 2^f, i */
				 "fscale\n\t" /* 2^t, i */
				 "fstp %%st(1)\n\t"
				 "fmull %[scale]\n\t"
				 "fisttpll %[out]\n\t" /* truncated, as C's conversion */
				 : [out] "=m"(out)
				 : [r] "m"(r64), [max] "m"(frand32_max), [m] "m"(m), [alpha] "m"(alpha), [scale] "m"(scale)
				 : "memory");
	else
		__asm__ volatile("fninit\n\t"
				 "fildll %[r]\n\t"
				 "fdivl %[max]\n\t" /* x = u */
				 "fldl %[alpha]\n\t"
				 "fxch %%st(1)\n\t"
				 "fyl2x\n\t"
				 "fld %%st(0)\n\t"
				 "frndint\n\t"
				 "fxch %%st(1)\n\t"
				 "fsub %%st(1), %%st\n\t"
				 "f2xm1\n\t"
				 "fld1\n\t"
				 "faddp\n\t"
				 "fscale\n\t"
				 "fstp %%st(1)\n\t"
				 "fmull %[scale]\n\t"
				 "fisttpll %[out]\n\t"
				 : [out] "=m"(out)
				 : [r] "m"(r64), [max] "m"(frand32_max), [alpha] "m"(alpha), [scale] "m"(scale)
				 : "memory");
	/* x87's "integer indefinite" for a NaN or an overflow, and any negative result */
	return out < 0 ? 0 : (uint64_t)out;
}

/*
 * trunc(scale * -ln(u)) with u = (r + 1) / 2^32: rate_process=poisson's gap, as fio's
 * usec_for_io draws it (period * -logf(__rand_0_1())), scale below 2^63. u is in (0, 1],
 * as fio's __rand_0_1: a draw of 0 gives 32 ln 2 = 22.18 periods, not an infinity, and
 * the largest gives 0. ln(u) is ln 2 * log2(u) (fldln2, fyl2x).
 */
static inline uint64_t vms_x87_neg_log_scaled(uint32_t r, uint64_t scale)
{
	static const uint64_t two_32 = 0x41F0000000000000ull; /* 2^32 as a double: fio's FRAND32_MAX_PLUS_ONE */
	int64_t r1 = (int64_t)r + 1, s = (int64_t)scale, out;

	__asm__ volatile("fninit\n\t"
			 "fldln2\n\t" /* ln 2 */
			 "fildll %[r1]\n\t"
			 "fdivl %[two_32]\n\t" /* u, ln 2 */
			 "fyl2x\n\t" /* ln(u) */
			 "fchs\n\t"
			 "fildll %[s]\n\t"
			 "fmulp\n\t" /* scale * -ln(u) */
			 "fisttpll %[out]\n\t"
			 : [out] "=m"(out)
			 : [r1] "m"(r1), [two_32] "m"(two_32), [s] "m"(s)
			 : "memory");
	return out < 0 ? 0 : (uint64_t)out;
}

/* n as a double's bits, as fio's n * pow(...) converts it. */
static inline uint64_t vms_u64_double_bits(uint64_t n)
{
	/* exact below 2^53, which any count of ranges is */
	uint64_t bits = 0;
	if (n) {
		int e = 63 - __builtin_clzll(n);
		uint64_t mant = e >= 52 ? n >> (e - 52) : n << (52 - e);
		bits = ((uint64_t)(1023 + e) << 52) | (mant & ((1ull << 52) - 1));
	}
	return bits;
}

/* lib/zipf.c zipf_next before the hash: the rank drawn (0 the most popular), from draw r. */
static inline uint64_t vms_zipf_rank(const struct vms_job *j, uint32_t r)
{
	uint64_t val;

	if (r < j->dist_param[0])
		val = 1;
	else if (r < j->dist_param[1])
		val = 2;
	else
		val = 1 + vms_x87_pow_scaled(r, j->dist_param[2], 1, j->dist_param[3], vms_u64_double_bits(j->dist_nranges));
	return val - 1;
}

/* lib/zipf.c pareto_next before the hash. */
static inline uint64_t vms_pareto_rank(const struct vms_job *j, uint32_t r)
{
	if (!r) /* pow(0, h) is 0; log2(0) is not a number the x87 can go on with */
		return 0;
	return vms_x87_pow_scaled(r, 0, 0, j->dist_param[2], vms_u64_double_bits(j->dist_nranges - 1));
}

/* lib/gauss.c gauss_next before the hash, from VMS_GAUSS_ITERS + 1 draws. */
static inline uint64_t vms_gauss_rank(const struct vms_job *j, const uint32_t r[VMS_GAUSS_ITERS + 1])
{
	uint64_t n = j->dist_nranges, sum = 0;
	uint32_t stddev = (uint32_t)j->dist_param[0];

	for (int i = 0; i < VMS_GAUSS_ITERS; i++)
		sum += r[i] % (n + 1);
	sum = (sum + VMS_GAUSS_ITERS - 1) / VMS_GAUSS_ITERS;
	if (stddev) {
		/* gauss_dev: stddev * (r / 2^32) truncated, less half the deviation, as an int */
		int vr = (int)(((uint64_t)stddev * r[VMS_GAUSS_ITERS]) >> 32);
		int dev = (int)((uint32_t)vr - stddev / 2);
		while ((uint64_t)((int64_t)dev + (int64_t)sum) >= n && dev)
			dev /= 2;
		sum += (uint64_t)(int64_t)dev;
	}
	return sum;
}

/* The range of a rank: fio's (hash(rank) + rand_off) % nranges. */
static inline uint64_t vms_dist_range(const struct vms_job *j, uint64_t rank, uint64_t rand_off)
{
	return (vms_hash_u64(rank) + rand_off) % j->dist_nranges;
}
#endif
