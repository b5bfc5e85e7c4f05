/*
 * The Linux guest's memory jobs (section `mem`: vmsweep-memjob's result blocks, format
 * in linux-guest/README.md) as our mem.<job>.* metrics and histograms: each block
 * becomes the record our own guest hands over (struct vms_rec_mem_job), and
 * records/mm_metrics.c merges and names them as it does ours. The blocks are the
 * guest's word: a block is taken whole or not at all (a number that is not one, a
 * histogram that disagrees with its count, a job that is not a memory job, a block
 * twice, no `end`), so that no half-read job is stored.
 *
 * A block whose accesses were classed without perf ("classify rusage") is left out:
 * its allocations could not be split into fast, kswapd and direct.
 */
#include <stdlib.h>
#include <string.h>
#include <vmsweep/hist.h>
#include <vmsweep/vmstat.h>
#include <vmsweep/workload.h>

#include "backend/linux_metrics_internal.h"
#include "records/mm.h"
#include "util/vmstat_names.h"

#define SECTION "mem"

/* The rest of the line after "key " when the line is that key's; NULL otherwise. */
static const char *line_key(const char *p, const char *key)
{
	size_t k = strlen(key);
	return !strncmp(p, key, k) && p[k] == ' ' ? p + k + 1 : NULL;
}

static bool line_end(const char *q)
{
	return !*q || *q == '\n';
}

/* "class NAME SAMPLES MIN MAX SUM IDX:COUNT...": true when well-formed and consistent. */
static bool class_read(const char *q, struct vms_rec_mem_job *r)
{
	unsigned c = 0;
	while (c < VMS_MEM_LAT_NR) {
		const char *n = mem_lat_class_name(c);
		size_t l = strlen(n);
		if (!strncmp(q, n, l) && q[l] == ' ') {
			q += l;
			break;
		}
		c++;
	}
	if (c == VMS_MEM_LAT_NR)
		return false;
	struct vms_mem_lat_hist *h = &r->lat[c];
	uint64_t in_buckets = 0;
	if (h->samples || !proc_u64(&q, &h->samples) || !proc_u64(&q, &h->min_ns) || !proc_u64(&q, &h->max_ns) ||
	    !proc_u64(&q, &h->sum_ns))
		return false;
	while (!line_end(q)) {
		uint64_t idx, count;
		if (!proc_u64(&q, &idx) || *q++ != ':' || !proc_u64(&q, &count) || idx >= VMS_HIST_NR ||
		    count > UINT32_MAX - h->buckets[idx])
			return false;
		h->buckets[idx] += (uint32_t)count;
		in_buckets += count;
	}
	/* percentiles walk the buckets, means divide by samples: the two must agree */
	return in_buckets == h->samples && (!h->samples || (h->min_ns <= h->max_ns && h->max_ns <= h->sum_ns));
}

/* One block from p (its "memjob K" line) into recs; where the next line after its `end`
 * starts, or NULL (*why says what was wrong). */
static const char *block_read(const char *p, struct vms_rec_mem_job *recs, const struct vms_workload *wl,
			      const char **why)
{
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
#define F(m) { #m, offsetof(struct vms_rec_mem_job, m) }
		F(start_ns), F(end_ns), F(pages_allocated), F(pages_freed), F(accesses), F(swapins),
#undef F
		{ "rss_max_pages", offsetof(struct vms_rec_mem_job, rss_max) },
	};
	struct vms_rec_mem_job *r = calloc(1, sizeof(*r));
	const char *q = line_key(p, "memjob");
	uint64_t k, v;
	bool perf = false;

	*why = "out of memory";
	if (!r)
		return NULL;
	*why = "a block does not start with \"memjob K\"";
	if (!q || !proc_u64(&q, &k) || !line_end(q))
		goto bad;
	*why = "a block of a job that is not a memory job, or twice";
	if (k >= wl->nr_jobs || k >= VMS_WL_MAX_JOBS || wl->jobs[k].ioengine != VMS_IOENGINE_MEM || recs[k].job == k)
		goto bad;
	r->job = (uint32_t)k;
	*why = "an ill-formed line";
	for (p = strchr(p, '\n'); p && *++p; p = strchr(p, '\n')) {
		if (!strncmp(p, "end", 3) && line_end(p + 3)) {
			*why = "\"classify rusage\": the allocations are not split by reclaim (no perf in the guest)";
			if (!perf)
				goto bad;
			recs[k] = *r;
			free(r);
			const char *nl = strchr(p, '\n');
			return nl ? nl + 1 : p + strlen(p);
		}
		if (line_key(p, "memjob"))
			break; /* the next block: this one had no end */
		if ((q = line_key(p, "classify"))) {
			perf = !strncmp(q, "perf", 4) && line_end(q + 4);
			continue;
		}
		if ((q = line_key(p, "class"))) {
			if (!class_read(q, r))
				goto bad;
			continue;
		}
		if ((q = line_key(p, "error"))) {
			if (!proc_u64(&q, &v) || !line_end(q) || v > UINT32_MAX)
				goto bad;
			r->error = (uint32_t)v;
			continue;
		}
		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
			if ((q = line_key(p, fields[f].key))) {
				if (!proc_u64(&q, (uint64_t *)((char *)r + fields[f].off)) || !line_end(q))
					goto bad;
				break;
			}
		/* other keys (unattributed, ...) are for people reading the section */
	}
	*why = "a block with no \"end\" (the program was killed while writing?)";
bad:
	free(r);
	return NULL;
}

void linux_mem_metrics(struct linux_emit *m, const struct linux_sections *s, const struct vms_workload *wl)
{
	const struct linux_section *sec = linux_section_find(s, SECTION);
	if (!sec || !wl || !wl->nr_jobs)
		return;
	unsigned nj = wl->nr_jobs < VMS_WL_MAX_JOBS ? wl->nr_jobs : VMS_WL_MAX_JOBS;
	struct vms_rec_mem_job *recs = calloc(nj, sizeof(*recs));
	if (!recs) {
		m->e.bad++;
		return;
	}
	for (unsigned i = 0; i < nj; i++)
		recs[i].job = UINT32_MAX;
	const char *p = sec->data;
	while (p && *p) {
		const char *why, *next;
		if (!(next = block_read(p, recs, wl, &why))) {
			linux_section_bad(m, SECTION, "%s", why);
			/* on to the next block */
			for (next = strchr(p, '\n'); next && strncmp(next + 1, "memjob ", 7); next = strchr(next + 1, '\n'))
				;
			next = next ? next + 1 : NULL;
		}
		p = next;
	}
	mm_mem_job_metrics(&m->e, recs, wl);
	free(recs);
}
