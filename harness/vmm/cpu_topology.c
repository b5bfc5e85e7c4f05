/* The guest's CPU topology: parsing, x2APIC IDs and CPUID leaves (see cpu_topology.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vmsweep/abi.h>

#include "util/error.h"
#include "vmm/cpu_topology.h"

/* Leaf 0xB/0x1F level types (ECX[15:8]). */
#define LEVEL_INVALID 0
#define LEVEL_SMT 1
#define LEVEL_CORE 2

/* Leaf 4 cache types (EAX[4:0]). */
#define CACHE_DATA 1
#define CACHE_INSTRUCTION 2
#define CACHE_UNIFIED 3

static unsigned order_base_2(unsigned n)
{
	unsigned b = 0;
	while ((1u << b) < n)
		b++;
	return b;
}

static int count_parse(const char *what, const char *s, size_t len, unsigned *out, char *err, size_t errlen)
{
	char buf[16];
	char *end;
	if (!len || len >= sizeof(buf) || !isdigit((unsigned char)s[0]))
		return errorf(err, errlen, "%s '%.*s': expected a whole number", what, (int)len, s);
	memcpy(buf, s, len);
	buf[len] = 0;
	unsigned long v = strtoul(buf, &end, 10);
	if (*end)
		return errorf(err, errlen, "%s '%s': expected a whole number", what, buf);
	if (v < 1 || v > VMS_MAX_CPUS)
		return errorf(err, errlen, "%s %lu: out of range 1..%d", what, v, VMS_MAX_CPUS);
	*out = (unsigned)v;
	return 0;
}

static int parse_sxcxt(const char *text, struct cpu_topology *t, char *err, size_t errlen)
{
	static const char *const what[] = { "sockets", "cores", "threads" };
	unsigned *field[] = { &t->sockets, &t->cores, &t->threads };
	const char *p = text;
	for (int i = 0; i < 3; i++) {
		size_t n = strcspn(p, "xX");
		if ((i < 2 && !p[n]) || (i == 2 && p[n]))
			return errorf(err, errlen, "'%s': expected SOCKETSxCORESxTHREADS (such as 2x2x1) or "
				      "sockets=S,cores=C,threads=T", text);
		if (count_parse(what[i], p, n, field[i], err, errlen))
			return -1;
		p += n + (i < 2);
	}
	return 0;
}

static int parse_keys(const char *text, struct cpu_topology *t, char *err, size_t errlen)
{
	const char *p = text;
	*t = (struct cpu_topology){ 0 };
	while (*p) {
		size_t n = strcspn(p, ","), k = strcspn(p, "=");
		unsigned *dst = NULL;
		if (k >= n)
			return errorf(err, errlen, "'%.*s': expected sockets=S, cores=C or threads=T", (int)n, p);
		if (k == 7 && !strncmp(p, "sockets", 7))
			dst = &t->sockets;
		else if (k == 5 && !strncmp(p, "cores", 5))
			dst = &t->cores;
		else if (k == 7 && !strncmp(p, "threads", 7))
			dst = &t->threads;
		else
			return errorf(err, errlen, "'%.*s': unknown key (sockets, cores, threads)", (int)k, p);
		if (*dst)
			return errorf(err, errlen, "%.*s given twice", (int)k, p);
		char what[8];
		snprintf(what, sizeof(what), "%.*s", (int)k, p);
		if (count_parse(what, p + k + 1, n - k - 1, dst, err, errlen))
			return -1;
		p += n;
		if (*p == ',' && !*++p)
			return errorf(err, errlen, "'%s': ends with a comma", text);
	}
	t->sockets = t->sockets ? t->sockets : 1;
	t->cores = t->cores ? t->cores : 1;
	t->threads = t->threads ? t->threads : 1;
	return 0;
}

int cpu_topology_parse(const char *text, struct cpu_topology *t, char *err, size_t errlen)
{
	struct cpu_topology r = { 0 };
	if (!text || !*text)
		return errorf(err, errlen, "empty: expected sockets=S,cores=C,threads=T or SxCxT");
	int bad = strchr(text, '=') ? parse_keys(text, &r, err, errlen) : parse_sxcxt(text, &r, err, errlen);
	if (bad)
		return -1;
	unsigned n = r.sockets * r.cores * r.threads; /* each <= 64: no overflow */
	if (n > VMS_MAX_CPUS)
		return errorf(err, errlen, "%u sockets x %u cores x %u threads = %u vCPUs: at most %d", r.sockets, r.cores,
			      r.threads, n, VMS_MAX_CPUS);
	*t = r;
	return 0;
}

struct cpu_topology cpu_topology_flat(unsigned nr_cpus)
{
	return (struct cpu_topology){ .sockets = 1, .cores = nr_cpus, .threads = 1 };
}

const char *cpu_topology_format(const struct cpu_topology *t, char *buf, size_t len)
{
	snprintf(buf, len, "%ux%ux%u", t->sockets, t->cores, t->threads);
	return buf;
}

int64_t cpu_topology_pack(const struct cpu_topology *t)
{
	return (int64_t)t->sockets << 16 | (int64_t)t->cores << 8 | (int64_t)t->threads;
}

struct cpu_topology cpu_topology_unpack(int64_t v)
{
	return (struct cpu_topology){ .sockets = (unsigned)(v >> 16 & 0xff), .cores = (unsigned)(v >> 8 & 0xff),
				      .threads = (unsigned)(v & 0xff) };
}

unsigned cpu_topology_thread_bits(const struct cpu_topology *t)
{
	return order_base_2(t->threads);
}

unsigned cpu_topology_core_bits(const struct cpu_topology *t)
{
	return order_base_2(t->cores);
}

uint32_t cpu_topology_apic_id(const struct cpu_topology *t, unsigned cpu)
{
	unsigned tb = cpu_topology_thread_bits(t), cb = cpu_topology_core_bits(t);
	unsigned thread = cpu % t->threads, core = cpu / t->threads % t->cores, pkg = cpu / (t->threads * t->cores);
	return (uint32_t)pkg << (tb + cb) | (uint32_t)core << tb | thread;
}

uint32_t cpu_topology_apic_id_limit(const struct cpu_topology *t)
{
	unsigned n = cpu_topology_nr_cpus(t);
	return n ? cpu_topology_apic_id(t, n - 1) + 1 : 0;
}

/* Leaf 4, one cache: Intel SDM vol. 2A, CPUID leaf 04H. EAX[25:14] and EAX[31:26] hold the
 * maximum number of addressable IDs minus one (powers of two, as Intel parts and QEMU
 * report them): Linux shifts the APIC ID right by order_base_2(EAX[25:14] + 1) for the
 * cache's ID, which for 2^bits is exactly the bits below the sharing level. */
static struct cpuid_leaf cache_leaf(unsigned index, unsigned type, unsigned level, unsigned share_bits,
				    unsigned core_bits, unsigned ways, unsigned sets)
{
	const unsigned line = 64, partitions = 1;
	struct cpuid_leaf l = { .function = 4, .index = index, .indexed = true };
	l.eax = type | level << 5 | 1u << 8 /* self-initializing */ | ((1u << share_bits) - 1) << 14 |
		((1u << core_bits) - 1) << 26;
	l.ebx = (line - 1) | (partitions - 1) << 12 | (ways - 1) << 22;
	l.ecx = sets - 1;
	l.edx = 0;
	return l;
}

size_t cpu_topology_leaves(const struct cpu_topology *t, unsigned cpu, struct cpuid_leaf *out)
{
	unsigned tb = cpu_topology_thread_bits(t), cb = cpu_topology_core_bits(t);
	uint32_t apic = cpu_topology_apic_id(t, cpu);
	size_t n = 0;

	/* L1d 32 KiB 8-way, L1i 32 KiB 8-way, L2 1 MiB 16-way per core; L3 2 MiB per core, 16-way, per package */
	out[n++] = cache_leaf(0, CACHE_DATA, 1, tb, cb, 8, 64);
	out[n++] = cache_leaf(1, CACHE_INSTRUCTION, 1, tb, cb, 8, 64);
	out[n++] = cache_leaf(2, CACHE_UNIFIED, 2, tb, cb, 16, 1024);
	unsigned l3_sets = 2048 * t->cores; /* 2 MiB / (64 B x 16 ways) per core */
	out[n++] = cache_leaf(3, CACHE_UNIFIED, 3, tb + cb, cb, 16, l3_sets);
	out[n++] = (struct cpuid_leaf){ .function = 4, .index = 4, .indexed = true }; /* type 0: no more caches */

	/* 0xB and 0x1F alike (no die level): SMT, core, then the invalid level that ends the list */
	static const uint32_t functions[] = { 0xb, 0x1f };
	for (size_t f = 0; f < 2; f++) {
		uint32_t fn = functions[f];
		out[n++] = (struct cpuid_leaf){ fn, 0, true, tb, t->threads, LEVEL_SMT << 8 | 0, apic };
		out[n++] = (struct cpuid_leaf){ fn, 1, true, tb + cb, t->cores * t->threads, LEVEL_CORE << 8 | 1, apic };
		out[n++] = (struct cpuid_leaf){ fn, 2, true, 0, 0, LEVEL_INVALID << 8 | 2, apic };
	}
	return n;
}

void cpu_topology_leaf1(const struct cpu_topology *t, unsigned cpu, struct cpuid_leaf *l)
{
	unsigned per_pkg = 1u << (cpu_topology_thread_bits(t) + cpu_topology_core_bits(t));
	uint32_t apic = cpu_topology_apic_id(t, cpu);

	l->ebx = (l->ebx & 0x0000ffffu) | (per_pkg > 255 ? 255u : per_pkg) << 16 | (apic & 0xff) << 24;
	if (per_pkg > 1)
		l->edx |= 1u << 28; /* HTT: EBX[23:16] is valid */
	else
		l->edx &= ~(1u << 28);
	l->ecx |= 1u << 21; /* x2APIC */
}

bool cpu_topology_owns(uint32_t function)
{
	return function == 4 || function == 0xb || function == 0x1f;
}
