/* Placing vCPU threads on host CPUs (see placement.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "vmm/placement.h"

const char *vm_pin_mode_name(enum vm_pin_mode m)
{
	static const char *const names[] = { "none", "compact", "scatter", "list", "io" };
	return (unsigned)m < sizeof(names) / sizeof(names[0]) ? names[m] : "?";
}

static int list_parse(const char *text, struct vm_pin *p, char *err, size_t errlen)
{
	const char *s = text;
	p->nr = 0;
	for (;;) {
		char *end;
		if (!isdigit((unsigned char)*s))
			return errorf(err, errlen, "'%s': expected none, compact, scatter, io or a list of host CPUs (0,2,4-5)",
				      text);
		long a = strtol(s, &end, 10), b = a;
		if (*end == '-') {
			s = end + 1;
			if (!isdigit((unsigned char)*s))
				return errorf(err, errlen, "'%s': a range is FIRST-LAST", text);
			b = strtol(s, &end, 10);
		}
		if (a >= HOST_CPUS_MAX || b >= HOST_CPUS_MAX)
			return errorf(err, errlen, "host CPU %ld: Linux numbers CPUs below %d", b > a ? b : a, HOST_CPUS_MAX);
		if (b < a)
			return errorf(err, errlen, "'%ld-%ld': the range runs backwards", a, b);
		for (long c = a; c <= b; c++) {
			if (p->nr >= VMS_MAX_CPUS)
				return errorf(err, errlen, "'%s': more than %d host CPUs (one per vCPU)", text, VMS_MAX_CPUS);
			p->cpus[p->nr++] = (int)c;
		}
		if (!*end)
			return 0;
		if (*end != ',')
			return errorf(err, errlen, "'%s': expected host CPU numbers separated by commas", text);
		s = end + 1;
	}
}

int vm_pin_parse(const char *text, struct vm_pin *p, char *err, size_t errlen)
{
	struct vm_pin r = { 0 };
	if (!strcmp(text, "none"))
		r.mode = VM_PIN_NONE;
	else if (!strcmp(text, "compact"))
		r.mode = VM_PIN_COMPACT;
	else if (!strcmp(text, "scatter"))
		r.mode = VM_PIN_SCATTER;
	else if (!strcmp(text, "io"))
		r.mode = VM_PIN_IO;
	else {
		r.mode = VM_PIN_LIST;
		if (list_parse(text, &r, err, errlen))
			return -1;
	}
	*p = r;
	return 0;
}

const char *vm_pin_format(const struct vm_pin *p, char *buf, size_t len)
{
	if (p->mode != VM_PIN_LIST) {
		snprintf(buf, len, "%s", vm_pin_mode_name(p->mode));
		return buf;
	}
	size_t off = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < p->nr && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%d", i ? "," : "", p->cpus[i]);
	return buf;
}

static int by_pkg_core_cpu(const void *a, const void *b)
{
	const struct host_cpu *x = a, *y = b;
	if (x->pkg != y->pkg)
		return x->pkg < y->pkg ? -1 : 1;
	if (x->core != y->core)
		return x->core < y->core ? -1 : 1;
	return x->cpu < y->cpu ? -1 : x->cpu > y->cpu;
}

/* scatter: key (sibling, core's rank in its package, package): first threads of each
 * package's first core, of each package's second core, ..., then second threads */
struct scatter_key {
	unsigned smt, rank;
	int pkg, cpu;
};

static int by_scatter_key(const void *a, const void *b)
{
	const struct scatter_key *x = a, *y = b;
	if (x->smt != y->smt)
		return x->smt < y->smt ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->pkg != y->pkg)
		return x->pkg < y->pkg ? -1 : 1;
	return x->cpu < y->cpu ? -1 : x->cpu > y->cpu;
}

static int scatter_order(const struct host_cpu *sorted, unsigned n, int *order)
{
	struct scatter_key *k = malloc(n * sizeof(*k));
	if (!k)
		return -1;
	unsigned rank = 0;
	for (unsigned i = 0; i < n; i++) {
		if (i && sorted[i].pkg != sorted[i - 1].pkg)
			rank = 0;
		else if (i && sorted[i].core != sorted[i - 1].core)
			rank++;
		k[i] = (struct scatter_key){ sorted[i].smt, rank, sorted[i].pkg, sorted[i].cpu };
	}
	qsort(k, n, sizeof(*k), by_scatter_key);
	for (unsigned i = 0; i < n; i++)
		order[i] = k[i].cpu;
	free(k);
	return 0;
}

int placement_plan(const struct host_cpus *h, const struct vm_pin *p, unsigned nr_vcpus, const cpu_set_t *avoid,
		   int *host_cpu, bool *overcommit, char *err, size_t errlen)
{
	*overcommit = false;
	for (unsigned i = 0; i < nr_vcpus; i++)
		host_cpu[i] = -1;
	if (p->mode == VM_PIN_NONE) {
		*overcommit = nr_vcpus > h->n;
		return 0;
	}
	if (p->mode == VM_PIN_LIST) {
		if (p->nr != nr_vcpus)
			return errorf(err, errlen, "%u host CPU%s for %u vCPUs: give one per vCPU", p->nr, p->nr == 1 ? "" : "s",
				      nr_vcpus);
		for (unsigned i = 0; i < nr_vcpus; i++) {
			if (!host_cpus_find(h, p->cpus[i])) {
				char d[512];
				return errorf(err, errlen, "host CPU %d is not one this process may run on (%s)", p->cpus[i],
					      host_cpus_describe(h, d, sizeof(d)));
			}
			host_cpu[i] = p->cpus[i];
		}
	} else {
		struct host_cpu *sorted = malloc(h->n * sizeof(*sorted));
		int *order = malloc(h->n * sizeof(*order));
		if (!sorted || !order) {
			free(sorted);
			free(order);
			return errorf(err, errlen, "out of memory");
		}
		memcpy(sorted, h->cpus, h->n * sizeof(*sorted));
		qsort(sorted, h->n, sizeof(*sorted), by_pkg_core_cpu);
		unsigned n = h->n;
		if (p->mode == VM_PIN_IO) { /* compact, without the interrupts' CPUs while any is left */
			unsigned k = 0;
			for (unsigned i = 0; i < n; i++)
				if (!avoid || sorted[i].cpu >= CPU_SETSIZE || !CPU_ISSET(sorted[i].cpu, avoid))
					order[k++] = sorted[i].cpu;
			if (!k) /* every CPU takes some (or they are unknown): all of them */
				for (unsigned i = 0; i < n; i++)
					order[k++] = sorted[i].cpu;
			n = k;
		} else if (p->mode == VM_PIN_COMPACT)
			for (unsigned i = 0; i < n; i++)
				order[i] = sorted[i].cpu;
		else if (scatter_order(sorted, n, order)) {
			free(sorted);
			free(order);
			return errorf(err, errlen, "out of memory");
		}
		for (unsigned i = 0; i < nr_vcpus; i++)
			host_cpu[i] = order[i % n];
		free(sorted);
		free(order);
	}
	for (unsigned i = 0; i < nr_vcpus; i++)
		for (unsigned j = 0; j < i; j++)
			*overcommit |= host_cpu[i] == host_cpu[j];
	return 0;
}
