/* A sweep's runs shared out among shards; see shard.h. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sweep/preflight.h"
#include "sweep/shard.h"
#include "util/error.h"

int sweep_shard_parse(const char *text, struct sweep_shard *out, char *err, size_t errlen)
{
	char *end;
	unsigned long i, n;

	if (*text < '0' || *text > '9')
		goto bad;
	i = strtoul(text, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		goto bad;
	n = strtoul(end + 1, &end, 10);
	if (*end)
		goto bad;
	if (n < 1 || n > SWEEP_SHARDS_MAX)
		return errorf(err, errlen, "--shard %s: N must be 1..%d", text, SWEEP_SHARDS_MAX);
	if (i >= n)
		return errorf(err, errlen, "--shard %s: I must be below N (shards are numbered from 0, as Slurm's"
					   " array tasks of --array=0-%lu)",
			      text, n - 1);
	*out = (struct sweep_shard){ (unsigned)i, (unsigned)n };
	return 0;
bad:
	return errorf(err, errlen, "--shard %s: expected I/N, shard I of N counted from 0 (e.g. 0/4)", text);
}

/* The shards as a binary min-heap on (load, index): ties go to the lower index, so the
 * assignment is the same wherever it is computed. */
struct shard_heap {
	double *load;
	unsigned *k; /* heap of shard indexes */
	unsigned n;
};

static bool shard_less(const struct shard_heap *h, unsigned a, unsigned b)
{
	return h->load[a] < h->load[b] || (h->load[a] == h->load[b] && a < b);
}

/* The top's load grew: sift it down. */
static void shard_heap_down(struct shard_heap *h)
{
	for (unsigned i = 0;;) {
		unsigned l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && shard_less(h, h->k[l], h->k[m]))
			m = l;
		if (r < h->n && shard_less(h, h->k[r], h->k[m]))
			m = r;
		if (m == i)
			return;
		unsigned t = h->k[i];
		h->k[i] = h->k[m];
		h->k[m] = t;
		i = m;
	}
}

int sweep_shard_assign(const struct sweep_config *c, const struct sweep_plan *p, const void *const *wl, unsigned count,
		       unsigned *shard_of, double *loads, char *err, size_t errlen)
{
	bool by_point = c->auto_repeat.on;
	struct shard_heap h = { calloc(count, sizeof(double)), malloc(count * sizeof(unsigned)), count };
	unsigned *point_shard = by_point ? malloc((p->nr_points + 1) * sizeof(*point_shard)) : NULL;

	if (!h.load || !h.k || (by_point && !point_shard)) {
		free(h.load);
		free(h.k);
		free(point_shard);
		return errorf(err, errlen, "out of memory");
	}
	for (unsigned k = 0; k < count; k++)
		h.k[k] = k; /* all loads 0: in index order, a heap already */
	for (size_t i = 0; by_point && i < p->nr_points; i++)
		point_shard[i] = count; /* not yet given */
	for (size_t r = 0; r < p->nr_runs; r++) {
		size_t point = p->runs[r].point;
		if (by_point && point_shard[point] < count) {
			shard_of[r] = point_shard[point];
			continue;
		}
		bool bound;
		double s = sweep_point_seconds(c, p, point, wl ? wl[point] : NULL, &bound) + SWEEP_RUN_OVERHEAD_S;
		if (by_point)
			s *= c->auto_repeat.max; /* at most; a point's runs stay together */
		unsigned best = h.k[0];
		h.load[best] += s;
		shard_heap_down(&h);
		shard_of[r] = best;
		if (by_point)
			point_shard[point] = best;
	}
	if (loads)
		memcpy(loads, h.load, count * sizeof(*loads));
	free(h.load);
	free(h.k);
	free(point_shard);
	return 0;
}
