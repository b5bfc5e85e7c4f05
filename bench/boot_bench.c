/*
 * make bench, part 1: the guest's boot life cycle and compute speed against the
 * physical floor measured in the same run, interleaved (A B A B ...) because these
 * machines are noisy, reported as medians and ratios.
 *
 *  - life cycle: create the VM, boot N vCPUs, run an empty workload, read the
 *    results, tear down; floor: bare KVM_CREATE_VM + 1 vCPU + a one-instruction
 *    guest + close (bench/floor.c);
 *  - compute: the same loop (include/vmsweep/compute_loop.h) in the guest and here;
 *  - tick cost: the guest loop with HZ=1000 against no tick at all.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vmsweep/compute_loop.h>

#include "floor.h"
#include "util/clock.h"
#include "util/knob.h"
#include "util/parse.h"
#include "vmm/vm.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static char kernel_path[4096];
static struct vm_result result;

static void config_init(struct vm_config *c, unsigned vcpus, uint64_t mem, bool prefault, unsigned hz)
{
	memset(c, 0, sizeof(*c));
	c->mem_size = mem;
	c->nr_cpus = vcpus;
	c->prefault = prefault;
	c->kernel_path = kernel_path;
	c->hz = hz;
	c->timeout_ns = 30ull * 1000000000ull;
	c->seed = 1;
	knob_defaults(c->knobs);
	c->knobs[VMS_KNOB_duration_ms] = 0;
}

/* Seconds for one whole vm_run, or < 0 if the guest did not finish. */
static double guest_run(const struct vm_config *c)
{
	char err[512];
	double t0 = clock_now_s();
	int r = vm_run(c, &result, err, sizeof(err));
	double t = clock_now_s() - t0;
	if (r != 0 || result.status != VM_DONE) {
		fprintf(stderr, "boot_bench: guest run failed: %s\n", r ? err : result.reason);
		vm_result_free(&result);
		return -1;
	}
	vm_result_free(&result);
	return t;
}

static int bench_lifecycle(int runs, uint64_t mem, unsigned vcpus, double *floor_ms, double *ours_ms, double *ours_pf_ms)
{
	double *f = calloc((size_t)runs, sizeof(double)), *o = calloc((size_t)runs, sizeof(double)),
	       *p = calloc((size_t)runs, sizeof(double));
	struct vm_config c, cpf;
	config_init(&c, vcpus, mem, false, VM_DEFAULT_HZ);
	config_init(&cpf, vcpus, mem, true, VM_DEFAULT_HZ);

	for (int i = 0; i < runs; i++) {
		f[i] = floor_lifecycle(mem);
		o[i] = guest_run(&c);
		p[i] = guest_run(&cpf);
		if (f[i] < 0 || o[i] < 0 || p[i] < 0)
			return -1;
	}
	*floor_ms = median(f, runs) * 1e3;
	*ours_ms = median(o, runs) * 1e3;
	*ours_pf_ms = median(p, runs) * 1e3;
	free(f);
	free(o);
	free(p);
	return 0;
}

static volatile uint64_t sink;

/* Guest ns for the loop at hz, or < 0. */
static double guest_compute_ns(uint64_t iters, unsigned hz)
{
	char err[512];
	struct vm_config c;
	config_init(&c, 1, 64ull << 20, true, hz);
	c.knobs[VMS_KNOB_compute_iters] = (int64_t)iters;
	c.knobs[VMS_KNOB_watchdog_thresh] = 0;
	if (vm_run(&c, &result, err, sizeof(err)) != 0 || result.status != VM_DONE || !result.have_compute) {
		fprintf(stderr, "boot_bench: compute run failed: %s\n", result.reason[0] ? result.reason : err);
		return -1;
	}
	double ns = (double)result.compute.ns;
	sink = result.compute.result;
	vm_result_free(&result);
	return ns;
}

static double host_compute_ns(uint64_t iters)
{
	double t0 = clock_now_s();
	sink = vms_compute_loop(iters, 1);
	return (clock_now_s() - t0) * 1e9;
}

int main(int argc, char **argv)
{
	int runs = 21, compute_runs = 7;
	uint64_t mem = 64ull << 20, iters = 200000000ull;
	char err[256];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--memory") && i + 1 < argc && parse_size(argv[++i], &mem, err, sizeof(err)) == 0)
			;
		else if (!strcmp(argv[i], "--lifecycle-only") && i + 1 < argc) {
			/* for bench/sweep_bench.sh: the median pre-faulted life cycle in ms, alone */
			int n = atoi(argv[++i]);
			double *v = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
			struct vm_config c;
			vm_default_kernel_path(kernel_path, sizeof(kernel_path));
			config_init(&c, 1, mem, true, VM_DEFAULT_HZ);
			for (int k = 0; k < n; k++)
				if ((v[k] = guest_run(&c)) < 0)
					return 1;
			printf("%.3f\n", median(v, n) * 1e3);
			free(v);
			return 0;
		} else if (!strcmp(argv[i], "--quick"))
			runs = 5, compute_runs = 3, iters = 50000000ull;
		else {
			fprintf(stderr, "usage: boot_bench [--runs N] [--memory SIZE] [--quick]\n");
			return 2;
		}
	}
	vm_default_kernel_path(kernel_path, sizeof(kernel_path));

	printf("## Boot life cycle (median of %d, interleaved; %llu MiB guest)\n\n", runs, (unsigned long long)(mem >> 20));
	printf("| vCPUs | floor: bare KVM VM | vmsweep boot | ratio | vmsweep boot, RAM pre-faulted | ratio |\n");
	printf("|---|---|---|---|---|---|\n");
	for (unsigned vcpus = 1; vcpus <= 2; vcpus++) {
		double f, o, p;
		if (bench_lifecycle(runs, mem, vcpus, &f, &o, &p) != 0)
			return 1;
		printf("| %u | %.2f ms | %.2f ms | %.2fx | %.2f ms | %.2fx |\n", vcpus, f, o, o / f, p, p / f);
		fflush(stdout);
	}

	double *h = calloc((size_t)compute_runs, sizeof(double)), *d = calloc((size_t)compute_runs, sizeof(double)),
	       *k = calloc((size_t)compute_runs, sizeof(double)), *n = calloc((size_t)compute_runs, sizeof(double));
	for (int i = 0; i < compute_runs; i++) {
		h[i] = host_compute_ns(iters);
		d[i] = guest_compute_ns(iters, VM_DEFAULT_HZ);
		k[i] = guest_compute_ns(iters, 1000);
		n[i] = guest_compute_ns(iters, 0);
		if (d[i] < 0 || k[i] < 0 || n[i] < 0)
			return 1;
	}
	double hm = median(h, compute_runs), dm = median(d, compute_runs), km = median(k, compute_runs),
	       nm = median(n, compute_runs);
	printf("\n## Compute speed (%llu iterations, median of %d, interleaved)\n\n", (unsigned long long)iters,
	       compute_runs);
	printf("| host | guest, HZ=%d (default) | guest/host speed | guest, no tick | guest/host, no tick | guest, HZ=1000 | tick cost at HZ=1000 |\n",
	       VM_DEFAULT_HZ);
	printf("|---|---|---|---|---|---|---|\n");
	printf("| %.1f ms | %.1f ms | %.3f | %.1f ms | %.3f | %.1f ms | %.2f %% |\n", hm / 1e6, dm / 1e6, hm / dm,
	       nm / 1e6, hm / nm, km / 1e6, 100.0 * (km - nm) / nm);
	free(h);
	free(d);
	free(k);
	free(n);
	return 0;
}
