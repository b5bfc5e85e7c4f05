/*
 * The noise sentinels' arithmetic (sweep/noise.c) on samples whose answer is known:
 * other processes' share of the CPU time, steal, the calibration's slowdown and the
 * clock's drop; the bounds that make a run noisy and the reason they give; an
 * unreadable clock or /proc leaving its sentinel unknown (NAN) and never noisy. And the
 * host's own clock, read as a user would read it.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sweep/noise.h"

static struct noise_sample sample(unsigned long long busy, unsigned long long total, unsigned long long steal,
				  unsigned long long self, double cal_ns, double mhz)
{
	return (struct noise_sample){ .busy = busy, .total = total, .steal = steal, .self = self,
				      .calibration_ns = cal_ns, .cpu_mhz = mhz, .ok = true };
}

static void test_sentinels(void **state)
{
	(void)state;
	struct noise_baseline base = { .calibration_ns = 1e6, .cpu_mhz = 3000 };
	/* 1000 jiffies: 600 busy, of which 200 ours, 50 stolen; calibration 1.25 ms at worst;
	 * the clock 2400 MHz at worst */
	struct noise_sample a = sample(1000, 10000, 10, 500, 1.1e6, 3000), b = sample(1600, 11000, 60, 700, 1.25e6, 2400);
	struct noise_run r;
	char why[256];

	noise_run_compute(&a, &b, &base, true, &r);
	assert_true(fabs(r.others_cpu - 0.4) < 1e-12);
	assert_true(fabs(r.steal - 0.05) < 1e-12);
	assert_true(fabs(r.calibration - 0.25) < 1e-12);
	assert_true(fabs(r.cpu_mhz - 2400) < 1e-9);
	assert_true(fabs(r.cpu_freq_drop - 0.2) < 1e-12);

	struct noise_limits none = { 0 }, freq = { .cpu_freq = 0.1 }, loose = { .cpu_freq = 0.25, .calibration = 0.3 };
	assert_false(noise_limits_any(&none));
	assert_true(noise_limits_any(&freq));
	assert_true(noise_run_noisy(&freq, &r, why, sizeof(why)));
	assert_string_equal(why, "the CPUs ran at 2400 MHz, 20 % below their clock at the sweep's start (noise_cpu_freq 10 %)");
	assert_false(noise_run_noisy(&loose, &r, why, sizeof(why)));

	/* the run's children outside this process (libvirt's QEMU): others unknown */
	noise_run_compute(&a, &b, &base, false, &r);
	assert_true(isnan(r.others_cpu));
	/* no clock anywhere: unknown, never noisy; one side unreadable: the other's */
	a.cpu_mhz = b.cpu_mhz = NAN;
	noise_run_compute(&a, &b, &base, true, &r);
	assert_true(isnan(r.cpu_mhz) && isnan(r.cpu_freq_drop));
	assert_false(noise_run_noisy(&freq, &r, why, sizeof(why)));
	b.cpu_mhz = 2850;
	noise_run_compute(&a, &b, &base, true, &r);
	assert_true(fabs(r.cpu_freq_drop - 0.05) < 1e-12);
	/* /proc unreadable: the CPU shares unknown */
	a.ok = false;
	noise_run_compute(&a, &b, &base, true, &r);
	assert_true(isnan(r.others_cpu) && isnan(r.steal));
}

/* The host's clock: the baseline reads what /proc/cpuinfo (or cpufreq) says. */
static void test_host_clock(void **state)
{
	(void)state;
	struct noise_baseline b;
	char line[256];
	double mhz, sum = 0;
	unsigned n = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "cpu MHz : %lf", &mhz) == 1)
			sum += mhz, n++;
	if (f)
		fclose(f);
	noise_baseline_take(&b);
	assert_true(b.calibration_ns > 0);
	if (n && access("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", R_OK))
		assert_true(fabs(b.cpu_mhz - sum / n) < 0.01 * sum / n + 1);
	else if (!n)
		assert_true(isnan(b.cpu_mhz) || b.cpu_mhz > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sentinels),
		cmocka_unit_test(test_host_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
