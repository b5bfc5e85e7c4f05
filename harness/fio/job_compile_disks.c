/* Compiling a job file for a guest's disks as the commands configure them, with a
 * sweep's fio options set over the file's own. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fio/job_compile.h"

static void disk_info_fill(const struct disk_config *disks, unsigned nr_disks, struct fio_disk_info *info)
{
	for (unsigned i = 0; i < nr_disks; i++) {
		info[i].size = disk_image_bytes(&disks[i]);
		info[i].flags = (disks[i].swap ? VMS_DISK_SWAP : 0) | /* fio jobs may not use the swap disk */
				(disks[i].fs == DISK_FS_EXT3 ? VMS_DISK_FS_EXT3 : 0); /* files on its mount */
	}
}

int fio_compile_for_disks(const char *path, const struct disk_config *disks, unsigned nr_disks,
			  struct vms_workload **out, size_t *out_size, char *err, size_t errlen)
{
	return fio_compile_for_disks_with(path, disks, nr_disks, NULL, 0, out, out_size, err, errlen);
}

/* Appends the overrides to every job section: after the section's own options, so they
 * win as a later line of the section would. The options are borrowed, not copied. */
static int overrides_append(struct fio_job_file *jf, const struct fio_option *ov, size_t nr_ov, char *err,
			    size_t errlen)
{
	for (size_t s = 0; s < jf->nr_sections; s++) {
		struct fio_section *sec = &jf->sections[s];
		if (!strcmp(sec->name, "global"))
			continue;
		struct fio_option *opts = realloc(sec->opts, (sec->nr_opts + nr_ov) * sizeof(*opts));
		if (!opts)
			return errorf(err, errlen, "out of memory");
		for (size_t i = 0; i < nr_ov; i++) {
			struct fio_option *o = &opts[sec->nr_opts + i];
			*o = ov[i];
			o->key = strdup(ov[i].key);
			o->value = ov[i].value ? strdup(ov[i].value) : NULL;
			if (!o->key || (ov[i].value && !o->value)) {
				sec->opts = opts;
				sec->nr_opts += i + 1; /* freed with the file */
				return errorf(err, errlen, "out of memory");
			}
		}
		sec->opts = opts;
		sec->nr_opts += nr_ov;
	}
	return 0;
}

/* fio's --section: the job sections not named go, unread, as fio skips them
 * (init.c skip_this_section); every name must be a section of the file. */
static int sections_keep(struct fio_job_file *jf, const char *const *names, size_t nr, char *err, size_t errlen)
{
	for (size_t k = 0; k < nr; k++) {
		bool found = false;
		for (size_t s = 0; s < jf->nr_sections && !found; s++)
			found = !strcmp(jf->sections[s].name, names[k]) && strcmp(names[k], "global");
		if (!found)
			return errorf(err, errlen, "section %s: %s has no job section [%s]", names[k],
				      jf->nr_files ? jf->files[0] : "the job file", names[k]);
	}
	size_t kept = 0;
	for (size_t s = 0; s < jf->nr_sections; s++) {
		struct fio_section *sec = &jf->sections[s];
		bool keep = !strcmp(sec->name, "global");
		for (size_t k = 0; k < nr && !keep; k++)
			keep = !strcmp(sec->name, names[k]);
		if (keep) {
			jf->sections[kept++] = *sec;
			continue;
		}
		for (size_t i = 0; i < sec->nr_opts; i++) {
			free(sec->opts[i].key);
			free(sec->opts[i].value);
		}
		free(sec->opts);
		free(sec->name);
	}
	jf->nr_sections = kept;
	return 0;
}

int fio_compile_for_disks_sel(const char *path, const struct disk_config *disks, unsigned nr_disks,
			      const struct fio_compile_sel *sel, struct vms_workload **out, size_t *out_size, char *err,
			      size_t errlen)
{
	struct fio_disk_info info[VMS_MAX_DISKS] = { { 0 } };
	struct fio_job_file jf;

	*out = NULL;
	if (nr_disks > VMS_MAX_DISKS)
		return errorf(err, errlen, "%u disks, at most %u", nr_disks, VMS_MAX_DISKS);
	disk_info_fill(disks, nr_disks, info);
	if (!sel || (!sel->nr_overrides && !sel->nr_sections))
		return fio_compile_file(path, info, nr_disks, out, out_size, err, errlen);
	int r = fio_job_file_read(path, &jf, err, errlen);
	if (!r && sel->nr_sections)
		r = sections_keep(&jf, sel->sections, sel->nr_sections, err, errlen);
	if (!r && sel->nr_overrides)
		r = overrides_append(&jf, sel->overrides, sel->nr_overrides, err, errlen);
	if (!r)
		r = fio_compile(&jf, info, nr_disks, out, out_size, err, errlen);
	fio_job_file_free(&jf);
	return r;
}

int fio_compile_for_disks_with(const char *path, const struct disk_config *disks, unsigned nr_disks,
			       const struct fio_option *overrides, size_t nr_overrides, struct vms_workload **out,
			       size_t *out_size, char *err, size_t errlen)
{
	struct fio_compile_sel sel = { .overrides = overrides, .nr_overrides = nr_overrides };
	return fio_compile_for_disks_sel(path, disks, nr_disks, &sel, out, out_size, err, errlen);
}
