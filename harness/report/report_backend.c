/*
 * The model against Linux (issue #18): a sweep whose `backend` parameter has both kvm
 * (our guest kernel) and libvirt (Debian's Linux on the same job) stores both under the
 * same metric names, so a point of one backend has a twin in the other, with every
 * other parameter equal. The report pairs them here, once, and the tables
 * (report_tables_backend.c) and figures (report_plot.c) use the pairs and the ratios.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "report/report.h"
#include "util/error.h"

int report_backend_param(const struct report *r)
{
	int k = report_param_find(r, "backend");
	bool kvm = false, libvirt = false;
	for (size_t p = 0; k >= 0 && p < r->nr_points; p++) {
		kvm |= r->points[p].values[k] == BACKEND_KVM;
		libvirt |= r->points[p].values[k] == BACKEND_LIBVIRT;
	}
	return kvm && libvirt ? k : -1;
}

bool report_point_on_libvirt(const struct report *r, int backend, size_t p)
{
	return backend >= 0 && r->points[p].values[backend] == BACKEND_LIBVIRT;
}

/* The point of the other backend with p's other values and done runs, or -1. */
static long twin_find(const struct report *r, int backend, size_t p)
{
	const int64_t *v = r->points[p].values;
	int64_t other = v[backend] == BACKEND_KVM ? BACKEND_LIBVIRT : BACKEND_KVM;
	if (v[backend] != BACKEND_KVM && v[backend] != BACKEND_LIBVIRT)
		return -1;
	for (size_t q = 0; q < r->nr_points; q++) {
		const int64_t *w = r->points[q].values;
		size_t k = 0;
		if (w[backend] != other || !r->points[q].nr_done)
			continue;
		while (k < r->nr_params && ((int)k == backend || w[k] == v[k]))
			k++;
		if (k == r->nr_params)
			return (long)q;
	}
	return -1;
}

int report_backends_pair(struct report *r, char *err, size_t errlen)
{
	int backend = report_backend_param(r);
	free(r->pairs);
	r->pairs = NULL;
	r->nr_pairs = r->nr_unpaired = 0;
	if (backend < 0)
		return 0;
	/* At most one pair per kvm point: points are unique by their values. */
	if (!(r->pairs = calloc(r->nr_points, sizeof(*r->pairs))))
		return errorf(err, errlen, "out of memory");
	for (size_t row = 0; row < r->nr_points; row++) {
		size_t p = r->shown ? r->shown[row] : row;
		if (!r->points[p].nr_done)
			continue; /* nothing to compare; the points table says why */
		long q = twin_find(r, backend, p);
		if (q < 0)
			r->nr_unpaired++;
		else if (r->points[p].values[backend] == BACKEND_KVM)
			r->pairs[r->nr_pairs++] = (struct report_pair){ p, (size_t)q };
	}
	return 0;
}

void report_ratio_compute(const struct sample_stats *kvm, const struct sample_stats *libvirt, struct report_ratio *out)
{
	out->kvm = kvm->n ? kvm->median : NAN;
	out->libvirt = libvirt->n ? libvirt->median : NAN;
	/* A zero median (a counter that never moved) gives no ratio worth a mean: 0 or inf. */
	bool defined = !isnan(out->kvm) && !isnan(out->libvirt) && out->kvm != 0 && out->libvirt != 0;
	out->ratio = defined ? out->kvm / out->libvirt : NAN;
	out->apart = kvm->n && libvirt->n && !isnan(kvm->min) && !isnan(libvirt->min) &&
		     (kvm->max < libvirt->min || libvirt->max < kvm->min);
}

void report_geomean_add(struct report_geomean *g, double ratio)
{
	if (!isfinite(ratio) || ratio <= 0)
		return;
	g->log_sum += log(ratio);
	g->n++;
}

double report_geomean_value(const struct report_geomean *g)
{
	return g->n ? exp(g->log_sum / (double)g->n) : NAN;
}

bool report_backend_tcg(const struct report *r)
{
	/* run_backends.c writes "qemu (TCG: why)" or "kvm (KVM)"; an older or hand-made
	 * store may lack it, and then nothing is claimed. */
	const char *type = report_manifest_value(r, "libvirt.domain_type");
	return type && strstr(type, "TCG");
}
