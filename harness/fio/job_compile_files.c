/*
 * A job's files: filename=, directory=, nrfiles=, filesize=, create_on_open= and
 * file_service_type=, as fio names and sizes files (init.c add_job, make_filename;
 * filesetup.c add_file, setup_files; io_u.c get_next_file). A job names one raw disk
 * (/dev/vdX), one file on a disk's mount (/mnt/vdX/PATH), or a directory on a mount
 * where fio's names go: directory/NAME for filename=NAME, else nrfiles files named
 * $jobname.$jobnum.$filenum (fio's default filename_format). Sizes are the guest's to
 * work out, as fio's setup_files does, since only the guest knows a file's size.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fio/job_compile_internal.h"

/* The guest has no working directory: every file hangs off a disk's mount. */
#define MNT_FORMS "/mnt/vdX[/DIR] (a disk with --disk ...,fs=ext3)"

/*
 * A path under a disk's mount point: components without . or .. (the guest walks it as
 * it is); empty only where allowed (directory= at the mount itself).
 */
/* A path into a job's path[], the rest zeros: a run's inputs hash the workload's bytes,
 * and a stack buffer's leftovers past the NUL would make each compile differ. */
static void path_set(char dst[VMS_WL_PATH_LEN], const char *src)
{
	size_t n = strnlen(src, VMS_WL_PATH_LEN - 1);
	memset(dst, 0, VMS_WL_PATH_LEN);
	memcpy(dst, src, n);
}

static int path_check(struct compile *c, const struct fio_option *o, const char *path, bool dir)
{
	if (!*path && !dir)
		return bad_value(c, o, "a file under the mount point is needed: /mnt/vdX/NAME");
	if (strlen(path) >= VMS_WL_PATH_LEN)
		return bad_value(c, o, "the path under the mount point is longer than %d bytes", VMS_WL_PATH_LEN - 1);
	for (const char *p = path; *p;) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (!len || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return bad_value(c, o, "empty, '.' or '..' path components are not supported");
		if (len > 255)
			return bad_value(c, o, "a file name is longer than 255 bytes");
		p += len + (e != NULL);
		if (e && !*p && !dir)
			return bad_value(c, o, "the path ends in '/': name a file");
	}
	return 0;
}

/* /dev/vdX or /mnt/vdX's X, as a disk the guest has. */
static int disk_check(struct compile *c, const struct fio_option *o, char x, uint32_t *disk)
{
	unsigned d = (unsigned)(x - 'a');

	if (d >= c->nr_disks) {
		if (!c->nr_disks)
			return bad_value(c, o, "no such disk: the guest has no disks (add --disk)");
		if (c->nr_disks == 1)
			return bad_value(c, o, "no such disk: the guest has 1 disk (/dev/vda)");
		return bad_value(c, o, "no such disk: the guest has %u disks (/dev/vda../dev/vd%c)", c->nr_disks,
				 (char)('a' + c->nr_disks - 1));
	}
	*disk = d;
	return 0;
}

/* "/mnt/vdX" or "/mnt/vdX/...": where the rest starts (after the '/'), else NULL. */
static const char *mnt_rest(const char *v)
{
	if (strncmp(v, "/mnt/vd", 7) || v[7] < 'a' || v[7] > 'z' || (v[8] && v[8] != '/'))
		return NULL;
	return v[8] ? v + 9 : v + 8;
}

int opt_filename(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	const char *v = o->value, *rest;

	if (strchr(v, ':'))
		return bad_value(c, o, "several files per job are not supported; give one /dev/vdX or /mnt/vdX/FILE "
				       "(several files: directory=/mnt/vdX with nrfiles=)");
	jo->filename_rel = false;
	if (v[0] != '/') { /* fio puts it under directory=, which may come later */
		if (path_check(c, o, v, false))
			return -1;
		snprintf(jo->j.path, sizeof(jo->j.path), "%s", v);
		jo->filename_o = o;
		jo->filename_rel = true;
		return 0;
	}
	if ((rest = mnt_rest(v))) {
		if (path_check(c, o, rest, false))
			return -1;
		snprintf(jo->j.path, sizeof(jo->j.path), "%s", rest);
	} else if (strncmp(v, "/dev/vd", 7) || v[7] < 'a' || v[7] > 'z' || v[8]) {
		return bad_value(c, o, "expected a raw disk (/dev/vda, /dev/vdb, ...) or a file on a disk's file system "
				       "(/mnt/vda/FILE, with --disk ...,fs=ext3)");
	} else {
		jo->j.path[0] = '\0';
	}
	if (disk_check(c, o, v[7], &jo->j.disk))
		return -1;
	jo->filename_o = o;
	return 0;
}

/* fio's directory=: where the job's files go. One directory (fio's "a:b" spreads clones over several). */
int opt_directory(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	const char *rest = mnt_rest(o->value);
	char dir[VMS_WL_PATH_LEN];

	if (strchr(o->value, ':'))
		return bad_value(c, o, "several directories are not supported by vmsweep; give one " MNT_FORMS);
	if (!rest)
		return bad_value(c, o, "not on a disk's mount point: vmsweep's files live on the guest's disks, "
				       MNT_FORMS);
	if (path_check(c, o, rest, true) || disk_check(c, o, o->value[7], &jo->dir_disk))
		return -1;
	snprintf(dir, sizeof(dir), "%s", rest);
	size_t len = strlen(dir);
	while (len && dir[len - 1] == '/') /* fio adds its own '/' */
		dir[--len] = '\0';
	memcpy(jo->dir_path, dir, sizeof(dir));
	jo->directory_o = o;
	return 0;
}

int opt_nrfiles(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	int64_t v;

	if (int_parse(c, o, o->value, 1, INT32_MAX, &v))
		return -1;
	if (v > VMS_WL_MAX_FILES)
		return bad_value(c, o, "more than vmsweep's limit of %d files per job", VMS_WL_MAX_FILES);
	jo->nrfiles = (uint32_t)v;
	jo->nrfiles_o = o;
	return 0;
}

int opt_filesize(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	if (strchr(o->value + 1, '-') || strchr(o->value, ':'))
		return bad_value(c, o, "a range (fio's random file sizes) is not supported by vmsweep; give one size");
	if (size_parse(c, o, "", o->value, &jo->j.file_size))
		return -1;
	if (!jo->j.file_size)
		return bad_value(c, o, "must be at least 1 byte");
	jo->filesize_o = o;
	return 0;
}

int opt_create_on_open(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	bool v = false;

	if (bool_parse(c, o, &v))
		return -1;
	jo->j.flags = v ? jo->j.flags | VMS_JOB_CREATE_ON_OPEN : jo->j.flags & ~VMS_JOB_CREATE_ON_OPEN;
	return 0;
}

/* fio's str_fst_cb: roundrobin, sequential or random, the first and last with :N (I/Os per pick). */
int opt_file_service_type(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	static const struct {
		const char *name;
		enum vms_file_service fs;
	} types[] = { { "roundrobin", VMS_FSERVICE_RR }, { "sequential", VMS_FSERVICE_SEQ },
		      { "random", VMS_FSERVICE_RANDOM } };
	const char *colon = strchr(o->value, ':');
	size_t len = colon ? (size_t)(colon - o->value) : strlen(o->value);

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		if (strlen(types[i].name) != len || strncmp(o->value, types[i].name, len))
			continue;
		int64_t nr = 1;
		if (colon && int_parse(c, o, colon + 1, 1, INT32_MAX, &nr))
			return -1;
		jo->j.file_service = types[i].fs;
		jo->j.file_service_nr = (uint32_t)nr;
		return 0;
	}
	if ((len == 4 && !strncmp(o->value, "zipf", 4)) || (len == 6 && !strncmp(o->value, "pareto", 6)) ||
	    (len == 6 && !strncmp(o->value, "normal", 6)) || (len == 5 && !strncmp(o->value, "gauss", 5)))
		return bad_value(c, o, "not supported by vmsweep (roundrobin[:N], sequential or random[:N])");
	return bad_value(c, o, "expected roundrobin[:N], sequential or random[:N]");
}

/*
 * The job's files once its section is done (fio's add_job and add_file): filename=
 * under directory= when both are given, else fio's names in directory= (the clones'
 * names follow in job_files_name), else filename= alone. nrfiles= counts only where
 * fio's names are made: with filename=, fio keeps as many files as it names.
 */
int job_files_check(struct compile *c, const struct fio_section *s, struct job_opts *jo)
{
	struct vms_job *j = &jo->j;
	const struct fio_option *fo = jo->filename_o, *dir = jo->directory_o;

	if (!fo && !dir)
		return compile_fail_at(c, s->file, s->line,
				       "job '%s': option 'filename': missing (vmsweep needs filename=/dev/vdX, "
				       "filename=/mnt/vdX/FILE or directory=/mnt/vdX)", s->name);
	if (fo && !jo->filename_rel && dir)
		return compile_fail_at(c, fo->file, fo->line,
				       "filename=%s: fio puts filename= under directory=%s (%s:%u): give a name relative "
				       "to it (job '%s')", fo->value, dir->value, dir->file, dir->line, s->name);
	if (fo && jo->filename_rel && !dir)
		return compile_fail_at(c, fo->file, fo->line,
				       "filename=%s: a relative name needs directory=/mnt/vdX[/DIR] (the guest has no "
				       "working directory) (job '%s')", fo->value, s->name);
	j->flags &= ~VMS_JOB_FILENUM;
	if (dir) {
		char path[2 * VMS_WL_PATH_LEN + 2];
		j->disk = jo->dir_disk;
		if (fo) {
			snprintf(path, sizeof(path), "%s%s%s", jo->dir_path, jo->dir_path[0] ? "/" : "", j->path);
			if (strlen(path) >= VMS_WL_PATH_LEN)
				return compile_fail_at(c, fo->file, fo->line,
						       "filename=%s: under directory=%s the path is longer than vmsweep's "
						       "%d bytes (job '%s')", fo->value, dir->value, VMS_WL_PATH_LEN - 1,
						       s->name);
			path_set(j->path, path);
		} else {
			/* each clone's names are made in job_files_name; a file job's path is never empty */
			j->flags |= VMS_JOB_FILENUM;
			snprintf(j->path, sizeof(j->path), "%.100s%s%.20s.", jo->dir_path, jo->dir_path[0] ? "/" : "", s->name);
		}
	}
	j->nr_files = dir && !fo ? jo->nrfiles : j->path[0] ? 1 : 0;
	if (!j->nr_files && jo->filesize_o)
		return compile_fail_at(c, jo->filesize_o->file, jo->filesize_o->line,
				       "filesize=%s: for files on a mount (filename=/mnt/vdX/FILE or directory=), not "
				       "the raw disk %s: its region is offset= and size= (job '%s')",
				       jo->filesize_o->value, fo->value, s->name);
	if (j->file_size && j->offset >= j->file_size) {
		const struct fio_option *o = jo->offset_o ? jo->offset_o : jo->filesize_o;
		return compile_fail_at(c, o->file, o->line,
				       "%s=%s: offset %" PRIu64 " is at or beyond filesize=%s: nothing of the file is left "
				       "for the job (job '%s')", o->key, o->value, j->offset, jo->filesize_o->value,
				       s->name);
	}
	if (j->nr_files > 1 && jo->dist_o && j->rand_dist != VMS_RAND_UNIFORM)
		return compile_fail_at(c, jo->dist_o->file, jo->dist_o->line,
				       "random_distribution=%s: with several files per job (nrfiles=%u) is not supported "
				       "by vmsweep (job '%s')", jo->dist_o->value, j->nr_files, s->name);
	return 0;
}

/* Clone d's file names as fio makes them: directory/$jobname.$jobnum.$filenum, jobnum
 * the clone's number (fio's job_add_num, which offset_increment counts by too). */
int job_files_name(struct compile *c, const struct fio_section *s, const struct job_opts *jo, struct vms_job *d)
{
	char path[2 * VMS_WL_PATH_LEN + 64];
	const struct fio_option *o = jo->directory_o;

	if (!(d->flags & VMS_JOB_FILENUM))
		return 0;
	snprintf(path, sizeof(path), "%s%s%s.%u.", jo->dir_path, jo->dir_path[0] ? "/" : "", s->name, d->clone);
	/* the longest name, with the last file's number, must fit the guest's path */
	if (strlen(path) + snprintf(NULL, 0, "%u", d->nr_files - 1) >= VMS_WL_PATH_LEN)
		return compile_fail_at(c, o->file, o->line,
				       "directory=%s: the files' names (%s...) are longer than vmsweep's %d bytes under the "
				       "mount (job '%s')", o->value, path, VMS_WL_PATH_LEN - 1, s->name);
	const char *name = path + strlen(jo->dir_path) + (jo->dir_path[0] ? 1 : 0);
	if (strchr(name, '/') || strlen(name) + 2 > 255)
		return compile_fail_at(c, s->file, s->line,
				       "job '%s': fio names its files after the job (%s0): a job name with '/' or longer "
				       "than 250 bytes makes no file name; rename the section", s->name, name);
	path_set(d->path, path);
	return 0;
}
