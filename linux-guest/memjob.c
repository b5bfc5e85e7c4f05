/*
 * vmsweep-memjob: one memory job (ioengine=mem, workloads/README.md) on the Linux guest,
 * run by the guest's fio through its exec engine (harness/cmd/baseline_memjob.c writes
 * the job), so that startdelay, groups and stonewall stay fio's. It does what our
 * guest's workload/memjob.c does, on the same sizes and timing: anonymous memory touched
 * page by page (seq), at random in a working set after one pass (random), or allocated
 * and freed again (churn); a page's first touch writes it, later accesses read it with
 * probability --rwmixread percent (the same draws as ours); every access timed and
 * filed by where its time went, in the
 * same classes and histogram buckets (vmsweep/hist.h). Its result block (the format is
 * in linux-guest/README.md) goes to --out, which init sends in the `mem` section.
 *
 * How an access is classed, from the task's own counters (a perf event group bound to
 * this task, read after each access that took longer than --check-ns):
 *   swapin  a major fault (the page came back from swap), or a minor fault on a page
 *           this job touched before and did not free: it was swapped out and found
 *           in the swap cache (swap readahead's pages), as our do_swap_page counts it;
 *           with --rwmixread also the write-protect fault of a write to a page a read
 *           swapped in (6.1 maps it read-only), which our guest does not take
 *   direct  a minor fault during which the task entered direct reclaim
 *           (tracepoint vmscan:mm_vmscan_direct_reclaim_begin)
 *   kswapd  a minor fault during which the task woke kswapd or was throttled
 *           (vmscan:mm_vmscan_wakeup_kswapd, vmscan:mm_vmscan_throttled)
 *   fast    any other minor fault: an allocation on the fast path
 *   hit     no fault
 * Without perf (no tracefs, an old kernel) getrusage's fault counts class swapin, fast
 * and hit only ("classify rusage"); the host then leaves the allocation split out.
 * Static, libc only: it runs from the initramfs, beside busybox.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <vmsweep/hist.h>

#define PAGE 4096ul

enum cls { C_FAST, C_KSWAPD, C_DIRECT, C_HIT, C_SWAPIN, C_NR }; /* vmsweep/vmstat.h's order */
static const char *const cls_name[C_NR] = { "fast", "kswapd", "direct", "hit", "swapin" };

struct lat {
	uint64_t samples, min, max, sum;
	uint32_t buckets[VMS_HIST_NR];
};

/* the task's counters: perf's group, in this order, or getrusage's two */
enum { K_MINFLT, K_MAJFLT, K_DIRECT, K_KSWAPD, K_THROTTLED, K_NR };

static struct {
	unsigned job;
	uint64_t size, ws, runtime_ns, ramp_ns, think_ns, seed, check_ns;
	int access; /* 0 seq, 1 random, 2 churn */
	uint64_t rwmixread; /* percent of accesses after the first touch that read */
	const char *out;
} opt = { .access = 0 };

static struct {
	uint64_t start_ns, end_ns, measure_ns, deadline_ns;
	uint64_t allocated, freed, accesses, swapins, unattributed;
	uint32_t error;
	struct lat lat[C_NR];
} res;

static volatile sig_atomic_t stop; /* fio's SIGTERM at the end of the exec job's runtime */
static int perf_fd = -1; /* the group's leader */
static unsigned perf_n; /* events in the group */
static uint64_t last[K_NR];
static uint64_t rand_state;
static unsigned char *touched; /* a byte per page: touched since the region was (re)made */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* workload/memjob.c's generator (lib/random.h), so that the random pages are the same */
static uint64_t xorshift64_star(void)
{
	uint64_t x = rand_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rand_state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* A tracepoint's id (tracefs, mounted by init; mounted here if it is not) or -1. */
static long tracepoint_id(const char *event)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[256];
	for (int attempt = 0; attempt < 2; attempt++) {
		for (size_t r = 0; r < sizeof(roots) / sizeof(roots[0]); r++) {
			snprintf(path, sizeof(path), "%s/events/vmscan/%s/id", roots[r], event);
			FILE *f = fopen(path, "r");
			long id = -1;
			if (!f)
				continue;
			if (fscanf(f, "%ld", &id) != 1)
				id = -1;
			fclose(f);
			return id;
		}
		mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	}
	return -1;
}

static int perf_open(uint32_t type, uint64_t config, int group)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = type;
	a.config = config;
	a.read_format = PERF_FORMAT_GROUP;
	a.sample_period = 0;
	return (int)syscall(SYS_perf_event_open, &a, 0 /* this task */, -1 /* any CPU */, group, 0);
}

/* The group: the fault counters and the reclaim tracepoints. false: perf is not there. */
static bool perf_setup(void)
{
	static const char *const tps[] = { "mm_vmscan_direct_reclaim_begin", "mm_vmscan_wakeup_kswapd",
					   "mm_vmscan_throttled" };
	perf_fd = perf_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN, -1);
	if (perf_fd < 0)
		return false;
	if (perf_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ, perf_fd) < 0)
		goto fail;
	perf_n = 2;
	for (size_t i = 0; i < sizeof(tps) / sizeof(tps[0]); i++) {
		long id = tracepoint_id(tps[i]);
		if (id < 0 || perf_open(PERF_TYPE_TRACEPOINT, (uint64_t)id, perf_fd) < 0) {
			if (i < 2)
				goto fail; /* direct reclaim and kswapd's wake-up are what the classes need */
			break; /* mm_vmscan_throttled is 5.16's */
		}
		perf_n++;
	}
	return true;
fail:
	close(perf_fd); /* closing the leader leaves its members useless: they only leak an fd */
	perf_fd = -1;
	return false;
}

static void counters_read(uint64_t *v)
{
	if (perf_fd >= 0) {
		uint64_t buf[1 + K_NR] = { 0 };
		if (read(perf_fd, buf, sizeof(buf)) < (ssize_t)sizeof(uint64_t))
			return;
		for (unsigned i = 0; i < K_NR; i++)
			v[i] = i < buf[0] ? buf[1 + i] : 0;
		return;
	}
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	v[K_MINFLT] = (uint64_t)ru.ru_minflt;
	v[K_MAJFLT] = (uint64_t)ru.ru_majflt;
}

static void lat_add(struct lat *l, uint64_t ns)
{
	if (!l->samples || ns < l->min)
		l->min = ns;
	if (ns > l->max)
		l->max = ns;
	l->samples++;
	l->sum += ns;
	l->buckets[vms_hist_index(ns)]++;
}

static bool expired(uint64_t t)
{
	return stop || (res.deadline_ns && t >= res.deadline_ns);
}

static void think(uint64_t from)
{
	if (!opt.think_ns)
		return;
	if (opt.think_ns >= 1000000) {
		struct timespec ts = { (time_t)(opt.think_ns / 1000000000ull), (long)(opt.think_ns % 1000000000ull) };
		nanosleep(&ts, NULL);
	}
	while (now_ns() < from + opt.think_ns && !stop)
		;
}

/* workload/memjob.c's mem_rw_write: whether an access after the first touch writes. */
static bool rw_write(void)
{
	if (opt.rwmixread == 0 || opt.rwmixread >= 100)
		return opt.rwmixread == 0;
	return xorshift64_star() % 100 >= opt.rwmixread;
}

/* One timed access (a write, or a read) of page idx; false when the job must stop. */
static bool touch(volatile char *mem, uint64_t idx, bool write)
{
	uint64_t t0 = now_ns();
	if (write)
		mem[idx * PAGE] = (char)res.accesses;
	else
		(void)mem[idx * PAGE];
	uint64_t t1 = now_ns();
	enum cls c = C_HIT;
	bool again = touched[idx]; /* a fault on it now finds it swapped out */
	touched[idx] = 1;

	res.accesses++;
	if (!opt.check_ns || t1 - t0 >= opt.check_ns) {
		uint64_t v[K_NR] = { 0 };
		counters_read(v);
		if (v[K_MAJFLT] > last[K_MAJFLT] || (again && v[K_MINFLT] > last[K_MINFLT]))
			c = C_SWAPIN;
		else if (v[K_MINFLT] > last[K_MINFLT])
			c = v[K_DIRECT] > last[K_DIRECT]					? C_DIRECT
			    : v[K_KSWAPD] > last[K_KSWAPD] || v[K_THROTTLED] > last[K_THROTTLED] ? C_KSWAPD
												 : C_FAST;
		/* more than one fault in one access: a fault of an unchecked access came first */
		res.unattributed += (v[K_MAJFLT] - last[K_MAJFLT]) + (v[K_MINFLT] - last[K_MINFLT]) > 1;
		memcpy(last, v, sizeof(last));
	}
	if (c == C_SWAPIN)
		res.swapins++;
	else if (c != C_HIT)
		res.allocated++;
	if (t0 >= res.measure_ns)
		lat_add(&res.lat[c], t1 - t0);
	think(t1);
	return !expired(t1);
}

static void body(volatile char *mem, uint64_t pages)
{
	bool timed = res.deadline_ns != 0;
	switch (opt.access) {
	case 0:
		for (bool first = true; first || timed; first = false)
			for (uint64_t i = 0; i < pages; i++)
				if (!touch(mem, i, first || rw_write()))
					return;
		break;
	case 1: {
		uint64_t ws = opt.ws ? (opt.ws + PAGE - 1) / PAGE : pages;
		ws = ws ? (ws < pages ? ws : pages) : 1;
		for (uint64_t i = 0; i < pages; i++) /* commit the whole region first */
			if (!touch(mem, i, true))
				return;
		for (uint64_t n = 0; timed || n < pages; n++) {
			uint64_t idx = xorshift64_star() % ws;
			if (!touch(mem, idx, rw_write()))
				return;
		}
		break;
	}
	case 2:
		do {
			for (uint64_t i = 0; i < pages; i++)
				if (!touch(mem, i, true))
					return;
			madvise((void *)mem, pages * PAGE, MADV_DONTNEED); /* frees them: the next touch allocates */
			memset(touched, 0, pages);
			res.freed += pages;
		} while (timed && !expired(now_ns()));
		break;
	}
}

/* The region's pages in memory now (mincore): what exit would free. */
static uint64_t region_resident(void *mem, uint64_t pages)
{
	unsigned char *vec = malloc(pages);
	uint64_t n = 0;
	if (vec && !mincore(mem, pages * PAGE, vec))
		for (uint64_t i = 0; i < pages; i++)
			n += vec[i] & 1;
	free(vec);
	return n;
}

static uint64_t resident_pages(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%lu %lu", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident;
}

static int result_write(const char *classify, uint64_t rss_max)
{
	size_t cap = 64 + 64 * 16 + C_NR * (128 + VMS_HIST_NR * 24), n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return -1;
#define OUT(...) (n += (size_t)snprintf(buf + n, cap - n, __VA_ARGS__))
	OUT("memjob %u\nclassify %s\n", opt.job, classify);
	OUT("start_ns %" PRIu64 "\nend_ns %" PRIu64 "\nerror %" PRIu32 "\n", res.start_ns, res.end_ns, res.error);
	OUT("pages_allocated %" PRIu64 "\npages_freed %" PRIu64 "\naccesses %" PRIu64 "\n", res.allocated, res.freed,
	    res.accesses);
	OUT("swapins %" PRIu64 "\nrss_max_pages %" PRIu64 "\nunattributed %" PRIu64 "\n", res.swapins, rss_max,
	    res.unattributed);
	for (int c = 0; c < C_NR; c++) {
		const struct lat *l = &res.lat[c];
		OUT("class %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64, cls_name[c], l->samples, l->min, l->max,
		    l->sum);
		for (unsigned b = 0; b < VMS_HIST_NR; b++)
			if (l->buckets[b])
				OUT(" %u:%" PRIu32, b, l->buckets[b]);
		OUT("\n");
	}
	OUT("end\n");
#undef OUT
	/* a temporary name, then rename: init never sends half a block */
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", opt.out);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ok = fd >= 0 && write(fd, buf, n) == (ssize_t)n;
	if (fd >= 0)
		ok &= close(fd) == 0;
	ok = ok && rename(tmp, opt.out) == 0;
	free(buf);
	return ok ? 0 : -1;
}

static int usage(const char *why)
{
	fprintf(stderr,
		"vmsweep-memjob: %s\nusage: vmsweep-memjob --job K --size BYTES --access seq|random|churn "
		"[--ws BYTES] [--rwmixread PERCENT] [--runtime NS] [--ramp NS] [--think NS] [--seed N] [--check-ns NS] --out FILE\n",
		why);
	return 2;
}

static bool num(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		return false;
	*v = x;
	return true;
}

int main(int argc, char **argv)
{
	uint64_t job = 0;
	bool have_job = false;
	for (int i = 1; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t *dst = !strcmp(k, "--size")	   ? &opt.size
				: !strcmp(k, "--ws")	   ? &opt.ws
				: !strcmp(k, "--rwmixread") ? &opt.rwmixread
				: !strcmp(k, "--runtime")  ? &opt.runtime_ns
				: !strcmp(k, "--ramp")	   ? &opt.ramp_ns
				: !strcmp(k, "--think")	   ? &opt.think_ns
				: !strcmp(k, "--seed")	   ? &opt.seed
				: !strcmp(k, "--check-ns") ? &opt.check_ns
				: !strcmp(k, "--job")	   ? &job
							   : NULL;
		if (!v)
			return usage("an option without its value");
		i++;
		if (dst) {
			if (!num(v, dst))
				return usage("not a number");
			have_job |= dst == &job;
		} else if (!strcmp(k, "--access")) {
			opt.access = !strcmp(v, "seq") ? 0 : !strcmp(v, "random") ? 1 : !strcmp(v, "churn") ? 2 : -1;
			if (opt.access < 0)
				return usage("--access: seq, random or churn");
		} else if (!strcmp(k, "--out")) {
			opt.out = v;
		} else {
			return usage("unknown option");
		}
	}
	if (!have_job || !opt.out || opt.size < PAGE || job > UINT32_MAX)
		return usage("--job, --size (at least 4096) and --out are needed");
	if (opt.rwmixread > 100)
		return usage("--rwmixread: a percentage, 0 to 100");
	if (opt.rwmixread && opt.access == 2)
		return usage("--rwmixread: a churn job touches fresh pages only, it has nothing to read back");
	opt.job = (unsigned)job;
	rand_state = opt.seed ? opt.seed : 1;

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	const char *classify = perf_setup() ? "perf" : "rusage";
	/* fault in the results' own pages now: a fault outside an access's window would be
	 * counted at the next check, as that access's */
	for (volatile char *p = (volatile char *)&res; p < (volatile char *)(&res + 1); p += PAGE)
		*p = 0;
	((volatile char *)(&res + 1))[-1] = 0; /* its last page, which the steps may miss */
	/* a block now that says ENOMEM, replaced at the end: a program the OOM killer ends
	 * leaves it, as our guest records a job the OOM killer ended (error 12) */
	res.error = ENOMEM;
	if (result_write(classify, 0)) {
		fprintf(stderr, "vmsweep-memjob: %s: %s\n", opt.out, strerror(errno));
		return 1;
	}
	res.error = 0;
	uint64_t pages = (opt.size + PAGE - 1) / PAGE, rss0 = resident_pages();
	res.start_ns = now_ns();
	res.measure_ns = res.start_ns + opt.ramp_ns;
	if (opt.runtime_ns)
		res.deadline_ns = res.start_ns + opt.ramp_ns + opt.runtime_ns;
	void *mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	touched = calloc(pages, 1);
	if (mem == MAP_FAILED || !touched) {
		res.error = ENOMEM;
	} else {
		madvise(mem, pages * PAGE, MADV_NOHUGEPAGE); /* 4 KiB pages, each its own fault, as our model's */
		counters_read(last);
		body(mem, pages);
		res.freed += region_resident(mem, pages);
	}
	res.end_ns = now_ns();
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	/* the process's most resident pages (KiB), less those before the region: the binary's
	 * pages it faulted in since count too, and Linux syncs a task's RSS counters every 64
	 * faults, so this is capped at the region's size */
	uint64_t hiwater = (uint64_t)ru.ru_maxrss / 4, rss_max = hiwater > rss0 ? hiwater - rss0 : 0;
	/* the block first: freeing a region much of which is on swap takes long under TCG,
	 * and fio's SIGKILL (grace_time after its runtime) must not find the block unwritten */
	if (result_write(classify, rss_max < pages ? rss_max : pages)) {
		fprintf(stderr, "vmsweep-memjob: %s: %s\n", opt.out, strerror(errno));
		return 1;
	}
	if (mem != MAP_FAILED)
		munmap(mem, pages * PAGE);
	return 0;
}
