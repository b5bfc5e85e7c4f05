/* Noise sentinels: see noise.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sweep/noise.h"

static double mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* A dependent chain of multiplies and adds: about 1 ms here, the same work every time. */
static double calibration_once(void)
{
	volatile unsigned long long sink;
	unsigned long long x = 88172645463325252ull;
	double t0 = mono_ns();
	for (unsigned i = 0; i < 400000; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	sink = x;
	(void)sink;
	return mono_ns() - t0;
}

double noise_calibrate(void)
{
	double t[5];
	for (int i = 0; i < 5; i++)
		t[i] = calibration_once();
	qsort(t, 5, sizeof(t[0]), cmp_double);
	return t[2];
}

/* The "cpu " line of /proc/stat: user nice system idle iowait irq softirq steal. */
static bool proc_stat(unsigned long long *busy, unsigned long long *total, unsigned long long *steal)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7])
		  : 0;
	if (f)
		fclose(f);
	if (n < 8)
		return false;
	*total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
	*busy = *total - v[3] - v[4];
	*steal = v[7];
	return true;
}

/* utime + stime of this process (fields 14 and 15 of /proc/self/stat), every thread. */
static bool self_jiffies(unsigned long long *j)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	unsigned long long ut, st;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return false;
	*j = ut + st;
	return true;
}

/* The mean of the CPUs' current clocks, MHz: cpufreq where the host has it, else what
 * /proc/cpuinfo says (the current clock on x86 since 4.13, a fixed one in many VMs). */
static double cpu_mhz(void)
{
	double sum = 0;
	unsigned n = 0;
	char path[96];
	for (unsigned cpu = 0; cpu < 4096; cpu++) {
		unsigned long khz;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/cpufreq/scaling_cur_freq", cpu);
		FILE *f = fopen(path, "r");
		if (!f)
			break;
		if (fscanf(f, "%lu", &khz) == 1 && khz) {
			sum += (double)khz / 1000;
			n++;
		}
		fclose(f);
	}
	if (!n) {
		char line[256];
		double mhz;
		FILE *f = fopen("/proc/cpuinfo", "r");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "cpu MHz : %lf", &mhz) == 1 && mhz > 0) {
				sum += mhz;
				n++;
			}
		if (f)
			fclose(f);
	}
	return n ? sum / n : NAN;
}

void noise_baseline_take(struct noise_baseline *b)
{
	b->calibration_ns = fmin(noise_calibrate(), fmin(noise_calibrate(), noise_calibrate()));
	b->cpu_mhz = cpu_mhz();
}

void noise_sample_take(struct noise_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->calibration_ns = noise_calibrate();
	s->cpu_mhz = cpu_mhz();
	s->wall = mono_ns();
	s->ok = proc_stat(&s->busy, &s->total, &s->steal) && self_jiffies(&s->self);
}

static double load1(void)
{
	double l = NAN;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f && fscanf(f, "%lf", &l) != 1)
		l = NAN;
	if (f)
		fclose(f);
	return l;
}

void noise_run_compute(const struct noise_sample *a, const struct noise_sample *b, const struct noise_baseline *base,
		       bool others_known, struct noise_run *out)
{
	double baseline_ns = base->calibration_ns;
	out->others_cpu = out->steal = out->calibration = NAN;
	out->cpu_mhz = fmin(a->cpu_mhz, b->cpu_mhz); /* fmin: a NAN side gives the other */
	out->cpu_freq_drop = base->cpu_mhz > 0 && out->cpu_mhz > 0 ? 1 - out->cpu_mhz / base->cpu_mhz : NAN;
	out->load1 = load1();
	if (a->ok && b->ok && b->total > a->total) {
		double total = (double)(b->total - a->total), busy = (double)(b->busy - a->busy),
		       self = (double)(b->self - a->self);
		if (others_known)
			out->others_cpu = fmax(0, busy - self) / total;
		out->steal = (double)(b->steal - a->steal) / total;
	}
	if (baseline_ns > 0)
		out->calibration = fmax(a->calibration_ns, b->calibration_ns) / baseline_ns - 1;
}

bool noise_run_noisy(const struct noise_limits *l, const struct noise_run *r, char *why, size_t len)
{
	if (l->others_cpu > 0 && r->others_cpu > l->others_cpu) {
		snprintf(why, len, "other processes took %.0f %% of the host's CPU time (noise_others_cpu %.0f %%)",
			 100 * r->others_cpu, 100 * l->others_cpu);
		return true;
	}
	if (l->steal > 0 && r->steal > l->steal) {
		snprintf(why, len, "steal %.1f %% (noise_steal %.1f %%)", 100 * r->steal, 100 * l->steal);
		return true;
	}
	if (l->calibration > 0 && r->calibration > l->calibration) {
		snprintf(why, len, "the calibration loop ran %.0f %% slower than at the sweep's start (noise_calibration %.0f %%)",
			 100 * r->calibration, 100 * l->calibration);
		return true;
	}
	if (l->cpu_freq > 0 && r->cpu_freq_drop > l->cpu_freq) {
		snprintf(why, len, "the CPUs ran at %.0f MHz, %.0f %% below their clock at the sweep's start (noise_cpu_freq %.0f %%)",
			 r->cpu_mhz, 100 * r->cpu_freq_drop, 100 * l->cpu_freq);
		return true;
	}
	return false;
}
