/* The host CPUs a run may use, and their topology from sysfs (see host_cpus.h). */
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "vmm/host_cpus.h"

static int read_int(const char *root, int cpu, const char *file, int fallback)
{
	char path[512];
	if (!*root)
		return fallback;
	snprintf(path, sizeof(path), "%s/cpu%d/topology/%s", root, cpu, file);
	FILE *f = fopen(path, "r");
	int v;
	if (!f)
		return fallback;
	if (fscanf(f, "%d", &v) != 1)
		v = fallback;
	fclose(f);
	return v;
}

int host_cpus_read(struct host_cpus *h, const cpu_set_t *allowed, const char *sysfs_root, char *err, size_t errlen)
{
	cpu_set_t own;
	const char *root = sysfs_root ? sysfs_root : "/sys/devices/system/cpu";

	memset(h, 0, sizeof(*h));
	if (!allowed) {
		int r = pthread_getaffinity_np(pthread_self(), sizeof(own), &own);
		if (r)
			return errorf(err, errlen, "sched_getaffinity: %s", strerror(r));
		allowed = &own;
	}
	for (int c = 0; c < HOST_CPUS_MAX; c++) {
		if (!CPU_ISSET(c, allowed))
			continue;
		/* no topology files: a package and a core of its own (-1 - c keeps them apart) */
		struct host_cpu *hc = &h->cpus[h->n++];
		hc->cpu = c;
		hc->pkg = read_int(root, c, "physical_package_id", -1 - c);
		hc->core = read_int(root, c, "core_id", -1 - c);
	}
	if (!h->n)
		return errorf(err, errlen, "this process may run on no host CPU");
	/* siblings, packages and cores, by counting the earlier CPUs of the same kind */
	for (unsigned i = 0; i < h->n; i++) {
		struct host_cpu *hc = &h->cpus[i];
		bool new_pkg = true, new_core = true;
		for (unsigned j = 0; j < i; j++) {
			if (h->cpus[j].pkg != hc->pkg)
				continue;
			new_pkg = false;
			if (h->cpus[j].core == hc->core) {
				new_core = false;
				hc->smt++;
			}
		}
		h->nr_pkgs += new_pkg;
		h->nr_cores += new_core;
		h->max_smt = hc->smt + 1 > h->max_smt ? hc->smt + 1 : h->max_smt;
	}
	return 0;
}

const struct host_cpu *host_cpus_find(const struct host_cpus *h, int cpu)
{
	for (unsigned i = 0; i < h->n; i++)
		if (h->cpus[i].cpu == cpu)
			return &h->cpus[i];
	return NULL;
}

const char *cpu_list_format(const int *cpus, size_t n, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && off < len;) {
		size_t j = i;
		while (j + 1 < n && cpus[j + 1] == cpus[j] + 1)
			j++;
		if (j > i)
			off += (size_t)snprintf(buf + off, len - off, "%s%d-%d", off ? "," : "", cpus[i], cpus[j]);
		else
			off += (size_t)snprintf(buf + off, len - off, "%s%d", off ? "," : "", cpus[i]);
		i = j + 1;
	}
	return buf;
}

const char *host_cpus_describe(const struct host_cpus *h, char *buf, size_t len)
{
	int list[HOST_CPUS_MAX];
	char l[256];
	for (unsigned i = 0; i < h->n; i++)
		list[i] = h->cpus[i].cpu;
	snprintf(buf, len, "%u CPU%s (%s): %u package%s, %u core%s, up to %u thread%s per core", h->n, h->n == 1 ? "" : "s",
		 cpu_list_format(list, h->n, l, sizeof(l)), h->nr_pkgs, h->nr_pkgs == 1 ? "" : "s", h->nr_cores,
		 h->nr_cores == 1 ? "" : "s", h->max_smt, h->max_smt == 1 ? "" : "s");
	return buf;
}
