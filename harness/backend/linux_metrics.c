/*
 * A Linux guest's sections as vmsweep's metric set (linux_metrics.h): the memory
 * manager's (vmstat.*, zone.*, mm.*), the disks' (disk.*) and the linux.* names here;
 * fio's in linux_metrics_fio.c, the journal's and the scheduler's in
 * linux_metrics_proc.c. Which Linux number each name comes from:
 *
 *   vmstat.<item>    /proc/vmstat. Our events ("event" in vmsweep/vmstat.h) count from
 *                    our guest's boot, which does next to nothing before the workload;
 *                    Linux's boot (unpacking the initramfs, udev, mkfs'd mounts) does a
 *                    lot. So an event is vmstat.after - vmstat.before: the job's own, what
 *                    ours means in practice. A gauge (nr_free_pages, nr_dirty_threshold,
 *                    ...) is vmstat.after, the level at the end as ours. Spelt otherwise:
 *                      pgalloc       = sum of pgalloc_<zone>      (per zone since 2.6)
 *                      allocstall    = sum of allocstall_<zone>   (per zone since 4.8)
 *                      nr_slab       = nr_slab_reclaimable + nr_slab_unreclaimable
 *                      nr_swap_free  = meminfo's SwapFree / 4 KiB
 *                    Not mapped: wakeup_kswapd_woke (a tracepoint in Linux, no counter),
 *                    nr_kernel_pages (no one Linux counter is the same).
 *   zone.<Z>.*       zoneinfo.after (else .before): managed, min/low/high less boost (our
 *                    model has no boosting: its watermarks are Linux's _watermark[]), and
 *                    "pages free" (after only). Zones of no managed pages are left out.
 *                    Stored under Linux's names, as the model names its zones (x86-64's
 *                    DMA below 16 MiB, DMA32 the rest): a guest under 4 GiB has
 *                    zone.DMA and zone.DMA32 on both backends (Linux's empty Normal is
 *                    left out); above 4 GiB Linux also has zone.Normal, which the
 *                    model's DMA32 includes.
 *   mm.min_free_kbytes, mm.watermark_scale_factor, mm.swappiness   sysctl.vm
 *   mm.swap_pages    meminfo's SwapTotal / 4 KiB
 *   mm.pages_in_use  the zones' managed pages less vmstat.after's nr_free_pages
 *   disk.<vdX>.{reads,writes,flushes,bytes_read,bytes_written}   /proc/diskstats (since
 *                    boot, as ours count since the VM's creation; taken after the final
 *                    sync and umount): completed reads, writes and flushes and the
 *                    sectors' bytes
 *   mem.<job>.*      the `mem` section (vmsweep-memjob's blocks): linux_metrics_mem.c
 *   the time series  the `vmstat.samples` section: linux_metrics_series.c
 *   journal.<vdX>.write_amplification, bytes_workload   diskstats and fio.json:
 *                    linux_metrics_wa.c
 *   linux.*          what only a Linux run has (linux_metric_docs below)
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vmsweep/vmstat.h>

#include "backend/linux_metrics_internal.h"
#include "util/error.h"
#include "util/vmstat_names.h"

#define PAGE_KB 4 /* x86-64's page, in KiB */

void linux_section_bad(struct linux_emit *m, const char *name, const char *fmt, ...)
{
	for (unsigned i = 0; i < m->bad_sections && i < LINUX_SECTIONS_MAX; i++)
		if (!strcmp(m->bad[i], name))
			return; /* a section counts once; its first fault is said */
	if (m->bad_sections < LINUX_SECTIONS_MAX)
		m->bad[m->bad_sections] = name;
	if (!m->bad_sections++ && m->err && m->errlen) {
		int n = snprintf(m->err, m->errlen, "%s: ", name);
		if (n >= 0 && (size_t)n < m->errlen) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(m->err + n, m->errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
}

bool proc_u64(const char **p, uint64_t *v)
{
	const char *q = *p;
	uint64_t x = 0;
	while (*q == ' ' || *q == '\t')
		q++;
	if (*q < '0' || *q > '9')
		return false;
	for (; *q >= '0' && *q <= '9'; q++) {
		unsigned d = (unsigned)(*q - '0');
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*p = q;
	*v = x;
	return true;
}

int proc_kv(const struct linux_section *s, const char *key, uint64_t *v)
{
	size_t k = strlen(key);
	if (!s)
		return 0;
	for (const char *p = s->data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncmp(p, "vm.", 3) && strncmp(key, "vm.", 3)) /* sysctl -a's spelling */
			p += 3;
		if (strncmp(p, key, k) || (p[k] != ' ' && p[k] != '\t' && p[k] != ':' && p[k] != '='))
			continue;
		const char *q = p + k;
		while (*q == ' ' || *q == '\t' || *q == ':' || *q == '=')
			q++;
		if (!proc_u64(&q, v) || (*q && *q != '\n' && *q != ' ' && *q != '\t'))
			return -1;
		return 1;
	}
	return 0;
}

/* The sum over the lines whose key starts with prefix ("pgalloc_"): 1, 0 none, -1. */
static int proc_kv_prefix_sum(const struct linux_section *s, const char *prefix, uint64_t *v)
{
	size_t k = strlen(prefix);
	int found = 0;
	*v = 0;
	for (const char *p = s->data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, prefix, k))
			continue;
		const char *q = p + k;
		uint64_t x;
		while (*q && *q != ' ' && *q != '\n')
			q++;
		if (!proc_u64(&q, &x) || (*q && *q != '\n'))
			return -1;
		*v = *v > UINT64_MAX - x ? UINT64_MAX : *v + x;
		found = 1;
	}
	return found;
}

enum { KIND_gauge, KIND_event };
static const unsigned char vmstat_kind[VMS_NR_VMSTAT] = {
#define VMSTAT_KIND(name, kind, help) [VMS_VM_##name] = KIND_##kind,
	VMS_VMSTAT_ITEMS(VMSTAT_KIND)
#undef VMSTAT_KIND
};

/* Our item from one /proc/vmstat snapshot: 1, 0 Linux has no such number, -1 ill-formed. */
static int vmstat_item(const struct linux_section *vs, const struct linux_section *meminfo, unsigned item,
		       uint64_t *v)
{
	uint64_t a, b;
	int ra, rb;
	switch (item) {
	case VMS_VM_pgalloc: return proc_kv_prefix_sum(vs, "pgalloc_", v);
	case VMS_VM_allocstall: return proc_kv_prefix_sum(vs, "allocstall_", v);
	case VMS_VM_nr_slab:
		ra = proc_kv(vs, "nr_slab_reclaimable", &a);
		rb = proc_kv(vs, "nr_slab_unreclaimable", &b);
		if (ra < 0 || rb < 0)
			return -1;
		*v = a + b; /* page counts: no wrap */
		return ra && rb;
	case VMS_VM_nr_swap_free:
		if ((ra = proc_kv(meminfo, "SwapFree", &a)) > 0)
			*v = a / PAGE_KB;
		return ra;
	case VMS_VM_wakeup_kswapd_woke:
	case VMS_VM_nr_kernel_pages: return 0;
	default: return proc_kv(vs, vmstat_item_name(item), v);
	}
}

static void vmstat_metrics(struct linux_emit *m, const struct linux_sections *s)
{
	const struct linux_section *before = linux_section_find(s, "vmstat.before"),
				   *after = linux_section_find(s, "vmstat.after"),
				   *meminfo = linux_section_find(s, "meminfo");
	if (!after)
		return;
	for (unsigned i = 0; i < VMS_NR_VMSTAT; i++) {
		uint64_t a, b = 0;
		int ra = vmstat_item(after, meminfo, i, &a), rb = 1;
		if (vmstat_kind[i] == KIND_event) {
			if (!before)
				continue; /* a count since Linux's boot is not what ours means */
			rb = vmstat_item(before, meminfo, i, &b);
		}
		if (ra < 0 || rb < 0) {
			linux_section_bad(m, ra < 0 ? "vmstat.after" : "vmstat.before", "%s: not a number",
					  vmstat_item_name(i));
			continue;
		}
		if (!ra || !rb)
			continue;
		if (a < b) { /* an event counter went back: one of the snapshots is wrong */
			linux_section_bad(m, "vmstat.after", "%s went back from %llu to %llu", vmstat_item_name(i),
					  (unsigned long long)b, (unsigned long long)a);
			continue;
		}
		emit_put(&m->e, (double)(a - b), "vmstat.%s", vmstat_item_name(i));
	}
}

/* One zone of /proc/zoneinfo's node 0. */
struct zone_info {
	char name[16];
	uint64_t free, boost, min, low, high, managed;
	bool have_free, have_wmarks, have_managed;
};
#define MAX_ZONES 8

/* The zones of node 0, in order; how many. Ill-formed numbers are counted in *bad. */
static unsigned zoneinfo_read(const struct linux_section *zi, struct zone_info *z, unsigned *bad)
{
	unsigned n = 0;
	struct zone_info *cur = NULL;
	unsigned have = 0; /* bits: min low high boost */
	for (const char *p = zi->data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned node;
		char name[16];
		int used = 0;
		if (sscanf(p, "Node %u, zone %15s%n", &node, name, &used) == 2 && used > 0) {
			if (cur)
				cur->have_wmarks = have == 15;
			cur = NULL;
			have = 0;
			if (node != 0 || n == MAX_ZONES)
				continue;
			cur = &z[n++];
			memset(cur, 0, sizeof(*cur));
			memcpy(cur->name, name, sizeof(name));
			continue;
		}
		if (!cur)
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		static const struct {
			const char *key;
			size_t off;
			unsigned bit;
		} keys[] = {
			{ "pages free", offsetof(struct zone_info, free), 16 },
			{ "min", offsetof(struct zone_info, min), 1 },
			{ "low", offsetof(struct zone_info, low), 2 },
			{ "high", offsetof(struct zone_info, high), 4 },
			{ "boost", offsetof(struct zone_info, boost), 8 },
			{ "managed", offsetof(struct zone_info, managed), 32 },
		};
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t kl = strlen(keys[k].key);
			if (strncmp(p, keys[k].key, kl) || (p[kl] != ' ' && p[kl] != '\t'))
				continue;
			const char *q = p + kl;
			if (!proc_u64(&q, (uint64_t *)((char *)cur + keys[k].off)) || (*q && *q != '\n')) {
				(*bad)++;
				break;
			}
			if (keys[k].bit == 16)
				cur->have_free = true;
			else if (keys[k].bit == 32)
				cur->have_managed = true;
			else
				have |= keys[k].bit;
			break;
		}
	}
	if (cur)
		cur->have_wmarks = have == 15;
	return n;
}

static void zone_metrics(struct linux_emit *m, const struct linux_sections *s)
{
	const struct linux_section *after = linux_section_find(s, "zoneinfo.after"),
				   *zi = after ? after : linux_section_find(s, "zoneinfo.before"),
				   *vm = linux_section_find(s, "vmstat.after");
	struct zone_info z[MAX_ZONES];
	unsigned bad = 0, n;
	uint64_t managed_sum = 0, nr_free;

	if (!zi)
		return;
	n = zoneinfo_read(zi, z, &bad);
	if (bad)
		linux_section_bad(m, zi->name, "%u ill-formed numbers", bad);
	for (unsigned i = 0; i < n; i++) {
		const struct zone_info *c = &z[i];
		if (!c->have_managed || !c->managed)
			continue;
		const char *ours = c->name;
		bool valid = true;
		for (const char *q = ours; *q; q++)
			valid &= (*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9');
		if (!valid) {
			linux_section_bad(m, zi->name, "zone name not of [A-Za-z0-9]");
			continue;
		}
		managed_sum += c->managed; /* page counts: no wrap */
		emit_put(&m->e, (double)c->managed, "zone.%s.managed_pages", ours);
		if (c->have_wmarks) {
			/* zoneinfo shows each watermark with the boost added (min_wmark_pages()) */
			emit_put(&m->e, (double)(c->min > c->boost ? c->min - c->boost : 0), "zone.%s.wmark_min", ours);
			emit_put(&m->e, (double)(c->low > c->boost ? c->low - c->boost : 0), "zone.%s.wmark_low", ours);
			emit_put(&m->e, (double)(c->high > c->boost ? c->high - c->boost : 0), "zone.%s.wmark_high", ours);
		}
		if (after && c->have_free)
			emit_put(&m->e, (double)c->free, "zone.%s.nr_free", ours);
	}
	if (after && managed_sum && proc_kv(vm, "nr_free_pages", &nr_free) > 0 && nr_free <= managed_sum)
		emit_put(&m->e, (double)(managed_sum - nr_free), "mm.pages_in_use");
}

static void mm_metrics(struct linux_emit *m, const struct linux_sections *s)
{
	static const char *const sysctls[] = { "min_free_kbytes", "watermark_scale_factor", "swappiness" };
	const struct linux_section *sc = linux_section_find(s, "sysctl.vm"), *mi = linux_section_find(s, "meminfo");
	uint64_t v;
	for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		int r = proc_kv(sc, sysctls[i], &v);
		if (r > 0)
			emit_put(&m->e, (double)v, "mm.%s", sysctls[i]);
		else if (r < 0)
			linux_section_bad(m, "sysctl.vm", "%s: not a number", sysctls[i]);
	}
	int r = proc_kv(mi, "SwapTotal", &v);
	if (r > 0)
		emit_put(&m->e, (double)(v / PAGE_KB), "mm.swap_pages");
	r = r < 0 ? r : proc_kv(mi, "MemTotal", &v);
	if (r > 0)
		emit_put(&m->e, (double)v, "linux.mem_total_kb");
	if (r < 0)
		linux_section_bad(m, "meminfo", "not \"Key: N kB\" lines");
}

/* /proc/diskstats (the vdX lines): completed reads, their sectors, writes, their
 * sectors; completed flushes (the 16th number after the name, since 5.5). */
static void disk_metrics(struct linux_emit *m, const struct linux_sections *s)
{
	const struct linux_section *ds = linux_section_find(s, "diskstats");
	if (!ds)
		return;
	for (const char *p = ds->data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned major, minor;
		char name[8];
		int used = 0;
		uint64_t f[16];
		if (sscanf(p, " %u %u %7s%n", &major, &minor, name, &used) != 3 || used <= 0)
			continue;
		if (name[0] != 'v' || name[1] != 'd' || name[2] < 'a' || name[2] > 'z' || name[3])
			continue; /* a partition, a loop device, ...: not one of ours */
		const char *q = p + used;
		unsigned nf = 0;
		while (nf < 16 && proc_u64(&q, &f[nf]))
			nf++;
		if (nf < 11) {
			linux_section_bad(m, "diskstats", "%s: %u fields", name, nf);
			continue;
		}
		emit_put(&m->e, (double)f[0], "disk.%s.reads", name);
		emit_put(&m->e, (double)f[4], "disk.%s.writes", name);
		if (nf >= 16)
			emit_put(&m->e, (double)f[15], "disk.%s.flushes", name);
		emit_put(&m->e, (double)f[2] * 512, "disk.%s.bytes_read", name);
		emit_put(&m->e, (double)f[6] * 512, "disk.%s.bytes_written", name);
	}
}

/* /proc/uptime at init's start: "SECONDS IDLE". */
static void boot_metrics(struct linux_emit *m, const struct linux_sections *s)
{
	const struct linux_section *up = linux_section_find(s, "boot-uptime"), *fio = linux_section_find(s, "fio.json");
	if (up) {
		char *end;
		double v = strtod(up->data, &end);
		if (end == up->data || !isfinite(v) || v < 0 || (*end && *end != ' ' && *end != '\n'))
			linux_section_bad(m, "boot-uptime", "not /proc/uptime's \"SECONDS IDLE\"");
		else
			emit_put(&m->e, v, "linux.boot_s");
	}
	if (fio)
		emit_put(&m->e, fio->rc, "linux.fio_rc");
	if (s->done)
		emit_put(&m->e, s->done_rc, "linux.done_rc");
}

int linux_metrics(const struct linux_sections *s, const struct vms_workload *wl, struct store_run *rec, char *err,
		  size_t errlen)
{
	struct linux_emit m = { .e = { rec, 0 }, .err = err, .errlen = errlen };

	if (err && errlen)
		err[0] = 0;
	boot_metrics(&m, s);
	linux_fio_metrics(&m, s, wl);
	vmstat_metrics(&m, s);
	zone_metrics(&m, s);
	mm_metrics(&m, s);
	disk_metrics(&m, s);
	linux_jbd2_metrics(&m, s);
	linux_sched_metrics(&m, s);
	linux_mem_metrics(&m, s, wl);
	linux_sample_series(&m, s);
	linux_write_amplification(&m, s, wl);
	if (m.e.bad)
		return errorf(err, errlen, "out of memory");
	return (int)m.bad_sections;
}

const struct metric_doc linux_metric_docs[] = {
	{ "linux.boot_s", "Linux runs: seconds from the kernel's start to init's (/proc/uptime)" },
	{ "linux.run_s", "Linux runs: seconds from the domain's start to its end (boot, job, results), on the host's clock" },
	{ "linux.fio_rc", "Linux runs: fio's exit status" },
	{ "linux.done_rc", "Linux runs: the guest's init's exit status at the end (vmsweep-done)" },
	{ "linux.mem_total_kb", "Linux runs: MemTotal, KiB (/proc/meminfo)" },
	{ "linux.journal.*.max_transaction_blocks", "Linux runs: the most blocks a transaction may have (/proc/fs/jbd2's \"each up to\")" },
	{ NULL, NULL },
};
