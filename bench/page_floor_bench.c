/*
 * The host's floor for the guest's page allocation throughput: the host kernel
 * allocating, zeroing and mapping anonymous pages on first touch, and freeing
 * them again (MADV_DONTNEED), region after region: what a memory job of
 * mem_access=churn does in the guest. Prints pages/s for one thread and for one
 * thread per CPU, the median of the repetitions, as "key value" lines for
 * bench/mm_bench.sh.
 *
 * usage: page_floor_bench [--mib N] [--seconds S] [--reps R]
 */

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/clock.h"

struct churn_arg {
	size_t bytes;
	double seconds;
	int cpu;
	double pages_per_s;
};

static void *churn(void *p)
{
	struct churn_arg *a = p;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(a->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	char *region = mmap(NULL, a->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED) {
		perror("page_floor_bench: mmap");
		exit(1);
	}
	long page = sysconf(_SC_PAGESIZE);
	unsigned long pages = 0;
	double t0 = clock_now_s(), t;
	do {
		for (size_t off = 0; off < a->bytes; off += (size_t)page)
			region[off] += 1; /* first touch: the kernel allocates and zeroes a page */
		pages += a->bytes / (size_t)page;
		madvise(region, a->bytes, MADV_DONTNEED); /* and frees them */
		t = clock_now_s();
	} while (t - t0 < a->seconds);
	a->pages_per_s = (double)pages / (t - t0);
	munmap(region, a->bytes);
	return NULL;
}

static double run(int threads, size_t bytes, double seconds)
{
	pthread_t tid[256];
	struct churn_arg args[256];
	double total = 0;

	for (int i = 0; i < threads; i++) {
		args[i] = (struct churn_arg){ .bytes = bytes, .seconds = seconds, .cpu = i };
		pthread_create(&tid[i], NULL, churn, &args[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		total += args[i].pages_per_s;
	}
	return total;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	size_t mib = 16;
	double seconds = 1;
	int reps = 5;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--mib"))
			mib = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--reps"))
			reps = atoi(argv[i + 1]);
		else {
			fprintf(stderr, "usage: %s [--mib N] [--seconds S] [--reps R]\n", argv[0]);
			return 2;
		}
	}
	if (reps < 1 || reps > 99 || !mib || seconds <= 0) {
		fprintf(stderr, "page_floor_bench: bad --mib, --seconds or --reps\n");
		return 2;
	}
	int cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus > 256)
		cpus = 256;
	int counts[2] = { 1, cpus };
	const char *names[2] = { "host_pages_per_s_1cpu", "host_pages_per_s_allcpu" };
	for (int k = 0; k < 2; k++) {
		double v[99];
		for (int r = 0; r < reps; r++)
			v[r] = run(counts[k], mib << 20, seconds);
		qsort(v, (size_t)reps, sizeof(v[0]), cmp_double);
		printf("%s %.0f\n", names[k], v[reps / 2]);
	}
	return 0;
}
