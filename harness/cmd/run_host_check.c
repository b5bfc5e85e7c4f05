/*
 * Before a shard's first run: whether this machine can run it at all. A batch system may
 * place a task on a node without KVM (or without access to it), with fewer CPUs than
 * the runs at a time need, or busy with another job's work, which would slow and scatter
 * every run; each is a clear failure of the task, naming the node, not a sweep of
 * failed or distorted runs.
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/run.h"
#include "util/error.h"
#include "vmm/kvm.h"

#define IDLE_SAMPLES 4 /* of 0.25 s: the best of them, so that a moment's burst is forgiven */

/* The idle share of each CPU in set over one 0.25 s, summed: idle CPUs. */
static double idle_cpus(const cpu_set_t *set)
{
	enum { MAX = CPU_SETSIZE };
	static unsigned long long idle[2][MAX], total[2][MAX];
	memset(idle, 0, sizeof(idle));
	memset(total, 0, sizeof(total));
	for (int pass = 0; pass < 2; pass++) {
		char line[512];
		FILE *f = fopen("/proc/stat", "r");
		while (f && fgets(line, sizeof(line), f)) {
			int cpu;
			unsigned long long v[8] = { 0 };
			if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1], &v[2], &v[3],
				   &v[4], &v[5], &v[6], &v[7]) < 5 || cpu < 0 || cpu >= MAX)
				continue;
			idle[pass][cpu] = v[3] + v[4];
			for (int k = 0; k < 8; k++)
				total[pass][cpu] += v[k];
		}
		if (f)
			fclose(f);
		if (!pass)
			nanosleep(&(struct timespec){ 0, 250000000 }, NULL);
	}
	double sum = 0;
	for (int c = 0; c < MAX; c++)
		if (CPU_ISSET(c, set) && total[1][c] > total[0][c])
			sum += (double)(idle[1][c] - idle[0][c]) / (double)(total[1][c] - total[0][c]);
	return sum;
}

int run_shard_host_check(unsigned jobs, char *err, size_t errlen)
{
	char host[256] = "this host", kerr[512];
	cpu_set_t set;

	gethostname(host, sizeof(host) - 1);
	if (!kvm_host_get(kerr, sizeof(kerr)))
		return errorf(err, errlen, "node %s cannot run guests: %s", host, kerr);
	if (sched_getaffinity(0, sizeof(set), &set))
		return 0; /* cannot tell: the runs will show it */
	unsigned cpus = (unsigned)CPU_COUNT(&set);
	if (cpus < jobs)
		return errorf(err, errlen, "node %s: this task may use %u CPU%s, too few for %u runs at a time (ask the"
					   " batch system for %u CPUs per task, or run fewer at a time)",
			      host, cpus, cpus == 1 ? "" : "s", jobs, jobs);
	double best = 0;
	for (int i = 0; i < IDLE_SAMPLES && best < 0.5 * jobs; i++) {
		double idle = idle_cpus(&set);
		best = idle > best ? idle : best;
	}
	if (best < 0.5 * jobs)
		return errorf(err, errlen, "node %s: at most %.1f of the %u CPUs this task may use were idle (over %d"
					   " samples of 0.25 s), less than half a CPU for each of %u runs at a time: the node"
					   " is busy with other work, which would slow and scatter every run (Slurm's"
					   " --exclusive keeps a node to one job)",
			      host, best, cpus, IDLE_SAMPLES, jobs);
	return 0;
}
