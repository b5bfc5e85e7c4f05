/*
 * The host CPUs a run may use: those of the calling thread's affinity (a sweep's
 * worker has its own slice), with their package, core and SMT sibling index from
 * /sys/devices/system/cpu/cpuN/topology, for placing vCPU threads (vmm/placement.h).
 */
#ifndef VMM_HOST_CPUS_H
#define VMM_HOST_CPUS_H
#include <sched.h>
#include <stddef.h>

#define HOST_CPUS_MAX 1024 /* CPU_SETSIZE */

struct host_cpu {
	int cpu, pkg, core; /* core: core_id, unique within its package */
	unsigned smt; /* its place among its core's allowed siblings, 0 first */
};

struct host_cpus {
	unsigned n; /* allowed CPUs, by CPU number */
	struct host_cpu cpus[HOST_CPUS_MAX];
	unsigned nr_pkgs, nr_cores, max_smt; /* packages and cores with an allowed CPU; siblings of the fullest core */
};

/* Reads the CPUs of allowed (NULL: the calling thread's affinity) under sysfs_root
 * (NULL: /sys/devices/system/cpu; "": none, when only the count matters). A CPU
 * without topology files is a package and a core of its own. 0, or -1 with err. */
int host_cpus_read(struct host_cpus *h, const cpu_set_t *allowed, const char *sysfs_root, char *err, size_t errlen);
/* The entry of host CPU cpu, or NULL when it is not allowed. */
const struct host_cpu *host_cpus_find(const struct host_cpus *h, int cpu);
/* "2 CPUs (0-1): 1 package, 2 cores, 1 thread per core", for people and the manifest. */
const char *host_cpus_describe(const struct host_cpus *h, char *buf, size_t len);
/* A CPU list as Linux writes one ("0-3,6"). */
const char *cpu_list_format(const int *cpus, size_t n, char *buf, size_t len);
#endif
