/* A point's job file and its fio.<option> parameters, compiled. */
#include <stdlib.h>
#include <string.h>

#include "fio/fio_json_opts.h"
#include "fio/job_compile.h"
#include "fio/sweep_options.h"
#include "sweep/point_workload.h"
#include "util/error.h"

const char *sweep_point_job(const struct sweep_config *c, const struct sweep_plan *p, size_t point)
{
	int job = sweep_config_param_find(c, "job");
	if (job >= 0) {
		int64_t v = sweep_plan_point(p, point)[job];
		return v >= 0 && (size_t)v < c->params[job].nr_values ? c->params[job].job_paths[v] : NULL;
	}
	return c->nr_job_files ? c->job_files[0].path : NULL;
}

size_t sweep_job_files(const struct sweep_config *c, const char **paths, size_t max)
{
	int job = sweep_config_param_find(c, "job");
	size_t n = job >= 0 ? c->params[job].nr_values : c->nr_job_files;
	for (size_t i = 0; i < n && i < max; i++)
		paths[i] = job >= 0 ? c->params[job].job_paths[i] : c->job_files[i].path;
	return n;
}

/* The point's fio.<option> parameters as options of every job section. */
struct point_overrides {
	struct fio_option ov[16];
	char keys[16][32], texts[16][64];
	size_t n;
};

static void point_overrides_get(const struct sweep_config *c, const struct sweep_plan *p, size_t point,
				struct point_overrides *o)
{
	const int64_t *vals = sweep_plan_point(p, point);

	o->n = 0;
	for (size_t i = 0; i < c->nr_params && o->n < 16; i++) {
		const struct sweep_param *prm = &c->params[i];
		if (prm->kind != SWEEP_PARAM_FIO)
			continue;
		snprintf(o->keys[o->n], sizeof(o->keys[o->n]), "%s", fio_sweep_option_name(prm->knob));
		fio_sweep_value_text(prm->knob, vals[i], o->texts[o->n], sizeof(o->texts[o->n]));
		o->ov[o->n] = (struct fio_option){ .key = o->keys[o->n], .value = o->texts[o->n], .file = c->path,
						   .line = prm->line };
		o->n++;
	}
}

int sweep_point_workload(const struct sweep_config *c, const struct sweep_plan *p, size_t point,
			 struct vms_workload **wl, size_t *size, char *err, size_t errlen)
{
	const char *path = sweep_point_job(c, p, point);
	struct point_overrides o;

	*wl = NULL;
	*size = 0;
	if (!path)
		return 0;
	point_overrides_get(c, p, point, &o);
	return sweep_job_compile(c, path, o.ov, o.n, wl, size, err, errlen);
}

int sweep_point_json_opts(const struct sweep_config *c, const struct sweep_plan *p, size_t point,
			  const struct vms_workload *wl, struct fio_json_opts **opts, char *err, size_t errlen)
{
	const char *path = sweep_point_job(c, p, point);
	struct point_overrides o;

	*opts = NULL;
	if (!path || !wl)
		return 0;
	point_overrides_get(c, p, point, &o);
	return fio_json_opts_read(path, o.ov, o.n, wl, opts, err, errlen);
}

int sweep_workloads_compile(const struct sweep_config *c, const struct sweep_plan *p, struct vms_workload ***wls,
			    size_t **sizes, char *err, size_t errlen)
{
	*wls = calloc(p->nr_points + 1, sizeof(**wls));
	*sizes = calloc(p->nr_points + 1, sizeof(**sizes));
	if (!*wls || !*sizes) {
		sweep_workloads_free(*wls, *sizes, 0);
		*wls = NULL, *sizes = NULL;
		return errorf(err, errlen, "out of memory");
	}
	for (size_t i = 0; i < p->nr_points; i++)
		if (sweep_point_workload(c, p, i, &(*wls)[i], &(*sizes)[i], err, errlen))
			return -1;
	return 0;
}

void sweep_workloads_free(struct vms_workload **wls, size_t *sizes, size_t nr_points)
{
	for (size_t i = 0; wls && i < nr_points; i++)
		free(wls[i]);
	free(wls);
	free(sizes);
}
