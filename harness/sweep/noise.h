/*
 * Noise sentinels around each run of a sweep: what else the host did while the run ran
 * (other processes' share of the host's CPU time, the hypervisor's steal), how fast a
 * short calibration loop ran before and after it against the sweep's own baseline, and the
 * CPUs' clock (cpufreq's scaling_cur_freq, else /proc/cpuinfo's "cpu MHz") against the
 * clock at the sweep's start. A run
 * whose sentinels are outside the [sweep] bounds is noisy: run again, up to noise_retries
 * times, and recorded as noisy if it still is (metrics noise.*).
 */
#ifndef VMSWEEP_SWEEP_NOISE_H
#define VMSWEEP_SWEEP_NOISE_H
#include <stdbool.h>
#include <stddef.h>

/* Bounds from [sweep]; a bound of 0 is not checked. */
struct noise_limits {
	double others_cpu; /* fraction of the host's CPU time (0.10) */
	double steal; /* fraction (0.05) */
	double calibration; /* slowdown over the baseline (0.10: 10 % slower) */
	double cpu_freq; /* the CPUs' clock this far below the baseline's (0.05) */
	unsigned retries; /* runs again at most this many times */
};

static inline bool noise_limits_any(const struct noise_limits *l)
{
	return l->others_cpu > 0 || l->steal > 0 || l->calibration > 0 || l->cpu_freq > 0;
}

/* The host at one moment: /proc/stat's CPU jiffies, this process's CPU time, the clock,
 * and the calibration loop's time (ns; the median of a few). */
struct noise_sample {
	double wall;
	unsigned long long busy, total, steal; /* jiffies, all CPUs */
	unsigned long long self; /* jiffies of this process, every thread */
	double calibration_ns;
	double cpu_mhz; /* the mean over the CPUs; NAN where unreadable */
	bool ok; /* /proc was readable */
};

/* The quiet host a sweep starts on: the fastest of 3 calibrations, and the CPUs' clock. */
struct noise_baseline {
	double calibration_ns, cpu_mhz;
};
void noise_baseline_take(struct noise_baseline *b);

/* A run's sentinels: NAN where unknown. */
struct noise_run {
	double others_cpu, steal, calibration, load1;
	double cpu_mhz; /* the lower of the two samples' clocks */
	double cpu_freq_drop; /* 1 - cpu_mhz / the baseline's */
};

/* The calibration loop alone: ns for a fixed amount of integer work (the median of 5). */
double noise_calibrate(void);
void noise_sample_take(struct noise_sample *s);
/*
 * Between a and b: other processes' share of the host's CPU time (busy jiffies not this
 * process's, over all CPUs' jiffies; not known when children outside this process ran
 * the run: others_known false), steal's share, the calibration's slowdown (the slower
 * of a's and b's against the baseline's, less 1), and the clock's drop (the lower of a's
 * and b's against the baseline's).
 */
void noise_run_compute(const struct noise_sample *a, const struct noise_sample *b, const struct noise_baseline *base,
		       bool others_known, struct noise_run *out);
/* Whether out of bounds; why says which sentinel and by how much. */
bool noise_run_noisy(const struct noise_limits *l, const struct noise_run *r, char *why, size_t len);
#endif
