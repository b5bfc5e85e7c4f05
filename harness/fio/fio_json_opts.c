/* fio's "global options" and "job options" from the job file's text (fio_json_opts.h);
 * values through guest_text_json, so a byte that is not UTF-8 cannot fail the document. */
#include <stdlib.h>
#include <string.h>

#include "fio/fio_json_opts.h"
#include "util/error.h"
#include "util/guest_text.h"
#include "util/json_out.h"

/* fio 3.33 options.c: the options with an alias, by the alias. */
static const char *const aliases[][2] = {
	{ "readwrite", "rw" },
	{ "iodepth_batch_submit", "iodepth_batch" },
	{ "iodepth_batch_complete", "iodepth_batch_complete_min" },
	{ "io_limit", "io_size" },
	{ "fill_fs", "fill_device" },
	{ "fileoffset", "offset" },
	{ "blocksize", "bs" },
	{ "blockalign", "ba" },
	{ "blocksize_range", "bsrange" },
	{ "blocksize_unaligned", "bs_unaligned" },
	{ "nr_files", "nrfiles" },
	{ "timeout", "runtime" },
	{ "iomem", "mem" },
	{ "mem_align", "iomem_align" },
	{ "ratemin", "rate_min" },
	{ "ratecycle", "rate_cycle" },
	{ "wait_for_previous", "stonewall" },
	{ "disable_bw", "disable_bw_measurement" },
	{ "ss", "steadystate" },
	{ "ss_dur", "steadystate_duration" },
	{ "ss_ramp", "steadystate_ramp_time" },
};

const char *fio_json_opt_name(const char *key)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(key, aliases[i][0]))
			return aliases[i][1];
	return key;
}

/* fio sorts a section's options by priority before parsing them, and lists them as it
 * parses (parse.c sort_options, a stable sort in glibc): these first, filename last. */
static int opt_prio(const char *key)
{
	const char *name = fio_json_opt_name(key);
	if (!strcmp(name, "filename") || !strcmp(name, "filename_format"))
		return -1;
	/* the engine's own options are parsed once it is loaded, after the others */
	if (!strcmp(name, "cpuload") || !strcmp(name, "cpuchunks") || !strcmp(name, "cpumode") ||
	    !strcmp(name, "exit_on_io_done"))
		return -1;
	if (!strcmp(name, "lockfile") || !strcmp(name, "cpus_allowed_policy") || !strcmp(name, "kb_base") ||
	    !strcmp(name, "unit_base"))
		return 1;
	return 0;
}

static int list_add(struct fio_json_optlist *l, const struct fio_option *o)
{
	l->present = true;
	if (!o->value) /* a bare flag: fio lists it without a value, and its JSON leaves it out */
		return 0;
	const struct fio_option **v = realloc(l->opts, (l->nr + 1) * sizeof(*v));
	if (!v)
		return -1;
	l->opts = v;
	l->opts[l->nr++] = o;
	return 0;
}

static int list_sort(struct fio_json_optlist *l)
{
	/* stable: an insertion sort by priority, highest first */
	for (size_t i = 1; i < l->nr; i++) {
		const struct fio_option *o = l->opts[i];
		size_t j = i;
		while (j > 0 && opt_prio(l->opts[j - 1]->key) < opt_prio(o->key)) {
			l->opts[j] = l->opts[j - 1];
			j--;
		}
		l->opts[j] = o;
	}
	return 0;
}

static const char *last_value(const struct fio_section *s, const char *name)
{
	const char *v = NULL;
	for (size_t i = 0; s && i < s->nr_opts; i++)
		if (s->opts[i].value && !strcmp(fio_json_opt_name(s->opts[i].key), name))
			v = s->opts[i].value;
	return v;
}

/* A job section's name as the compiler names its jobs: name=, else the section's. */
static int section_matches(const struct fio_section *s, const char *global_name, const char *job_name)
{
	const char *name = last_value(s, "name");
	if (!name)
		name = global_name ? global_name : s->name;
	return !strncmp(name, job_name, VMS_WL_NAME_LEN - 1);
}

int fio_json_opts_read(const char *path, const struct fio_option *ov, size_t nov, const struct vms_workload *wl,
		       struct fio_json_opts **out, char *err, size_t errlen)
{
	struct fio_json_opts *o = calloc(1, sizeof(*o));

	*out = NULL;
	if (!o)
		return errorf(err, errlen, "out of memory");
	if (fio_job_file_read(path, &o->jf, err, errlen)) {
		free(o);
		return -1;
	}
	o->nr_jobs = wl ? wl->nr_jobs : 0;
	o->job = calloc(o->nr_jobs + 1, sizeof(*o->job));
	o->desc = calloc(o->nr_jobs + 1, sizeof(*o->desc));
	o->extra = calloc(nov + 1, sizeof(*o->extra));
	if (!o->job || !o->desc || !o->extra)
		goto nomem;
	for (size_t i = 0; i < nov; i++) {
		o->extra[i] = ov[i];
		o->extra[i].key = strdup(ov[i].key);
		o->extra[i].value = ov[i].value ? strdup(ov[i].value) : NULL;
		o->nr_extra++;
		if (!o->extra[i].key || (ov[i].value && !o->extra[i].value))
			goto nomem;
	}
	const char *global_name = NULL, *global_desc = NULL;
	unsigned k = 0; /* the next job of the workload to place */
	for (size_t i = 0; i < o->jf.nr_sections; i++) {
		const struct fio_section *s = &o->jf.sections[i];
		if (!strcmp(s->name, "global")) {
			for (size_t j = 0; j < s->nr_opts; j++)
				if (list_add(&o->global, &s->opts[j]))
					goto nomem;
			global_name = last_value(s, "name") ? last_value(s, "name") : global_name;
			global_desc = last_value(s, "description") ? last_value(s, "description") : global_desc;
			continue;
		}
		/* memory jobs are in the workload too; a section the compiler left out is skipped */
		if (k >= o->nr_jobs || !section_matches(s, global_name, wl->jobs[k].name))
			continue;
		struct fio_json_optlist l = { 0 };
		for (size_t j = 0; j < s->nr_opts; j++)
			if (list_add(&l, &s->opts[j]))
				goto nomem_l;
		for (size_t j = 0; j < o->nr_extra; j++)
			if (list_add(&l, &o->extra[j]))
				goto nomem_l;
		list_sort(&l);
		const char *desc = last_value(s, "description") ? last_value(s, "description") : global_desc;
		/* the job and its clones, which fio gives copies of the section's list */
		unsigned first = k;
		do {
			o->job[k] = l;
			o->job[k].opts = NULL;
			if (l.nr && !(o->job[k].opts = malloc(l.nr * sizeof(*l.opts))))
				goto nomem_l;
			if (l.nr)
				memcpy(o->job[k].opts, l.opts, l.nr * sizeof(*l.opts));
			o->desc[k] = desc;
			k++;
		} while (k < o->nr_jobs && wl->jobs[k].clone > wl->jobs[first].clone);
		free(l.opts);
		continue;
nomem_l:
		free(l.opts);
		goto nomem;
	}
	list_sort(&o->global);
	*out = o;
	return 0;
nomem:
	fio_json_opts_free(o);
	return errorf(err, errlen, "out of memory");
}

void fio_json_opts_free(struct fio_json_opts *o)
{
	if (!o)
		return;
	for (unsigned i = 0; o->job && i < o->nr_jobs; i++)
		free(o->job[i].opts);
	free(o->job);
	free(o->desc);
	free(o->global.opts);
	for (size_t i = 0; i < o->nr_extra; i++) {
		free(o->extra[i].key);
		free(o->extra[i].value);
	}
	free(o->extra);
	fio_job_file_free(&o->jf);
	free(o);
}

json_t *fio_json_optlist_json(const struct fio_json_optlist *l)
{
	json_t *obj = json_object();
	for (size_t i = 0; obj && i < l->nr; i++)
		obj = json_put(obj, fio_json_opt_name(l->opts[i]->key), guest_text_json(l->opts[i]->value, strlen(l->opts[i]->value)));
	return obj;
}
