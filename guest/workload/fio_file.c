/*
 * An fio job's files, as fio's filesetup.c and io_u.c keep them: the raw disk as the
 * job's one file, or up to VMS_WL_MAX_FILES files on the disk's ext3 mount.
 *
 * - Setup (fio's setup_files, before the job's group starts): the directories on the
 *   way made (create_work_dirs); each file opened, created when absent; each file's
 *   region (fio's file_offset and io_size) from filesize=, else size= split over the
 *   files (the first ones a block larger when it does not divide), else the file's own
 *   size; the job's size= then its total, capped at the files' sum. A file shorter than
 *   its region is laid out: written for a job that reads ("Laying out IO file"), a
 *   sparse extension for one that only writes. With create_on_open a file is neither
 *   created nor laid out here: the job's open creates it when it first uses it, and
 *   its writes make it grow.
 * - Service (fio's get_next_file): each I/O asks for a file; roundrobin moves on after
 *   file_service_nr I/Os, sequential stays with a file until it is done, random draws
 *   one. A file is done when its region holds no further block (fio_offset.c); the job
 *   is done when all are, unless time_based, which starts them all over.
 */
#include <fs/ext3.h>
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <lib/random.h>
#include <lib/string.h>
#include <lib/vsprintf.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include "fio.h"

#define FIO_FILE_PATH_LEN (16 + VMS_WL_PATH_LEN)

/* File f's name as the guest walks it: /mnt/vdX/PATH, or /mnt/vdX/PREFIX + its number. */
static void fio_file_path(const struct fio_job_run *run, const struct fio_file *f, char path[FIO_FILE_PATH_LEN])
{
	if (run->job->flags & VMS_JOB_FILENUM)
		snprintf(path, FIO_FILE_PATH_LEN, "/mnt/%s/%s%u", run->disk->disk_name, run->job->path, f->index);
	else
		snprintf(path, FIO_FILE_PATH_LEN, "/mnt/%s/%s", run->disk->disk_name, run->job->path);
}

/* fio's create_work_dirs: the directories on the way to path, made when missing. */
static int fio_file_mkdirs(const struct fio_job_run *run, char *path)
{
	for (char *p = path + 6 + strlen(run->disk->disk_name); (p = strchr(p, '/')); p++) {
		*p = '\0';
		int e = ext3_mkdir(path);
		*p = '/';
		if (e && e != -EEXIST) {
			printk("fio: job %s: mkdir on the way to %s: error %d\n", run->job->name, path, e);
			return e;
		}
	}
	return 0;
}

/* open(2) of the file, O_CREAT: a regular file, or the job fails with why on the console. */
static int fio_file_open(struct fio_job_run *run, struct fio_file *f, bool create)
{
	char path[FIO_FILE_PATH_LEN];
	int err = 0;

	fio_file_path(run, f, path);
	f->ei = create ? ext3_open_create(path, &err) : ext3_path_lookup(path, &err);
	if (!f->ei) {
		if (!create && err == -ENOENT) /* create_on_open: made at the job's open */
			return 0;
		printk("fio: job %s: %s: cannot open (error %d)\n", run->job->name, path, err);
		return err ? err : -ENOENT;
	}
	if ((f->ei->mode & S_IFMT) != S_IFREG) {
		printk("fio: job %s: %s: not a regular file\n", run->job->name, path);
		return -EISDIR;
	}
	f->mapping = &f->ei->mapping;
	return 0;
}

/* fio's extend_file: a job that reads gets the file written out to need, one that only
 * writes a sparse extension (ftruncate). */
static int fio_file_layout(struct fio_job_run *run, struct fio_file *f, u64 need)
{
	const struct vms_job *j = run->job;
	struct ext3_inode_info *ei = f->ei;
	char path[FIO_FILE_PATH_LEN];
	int err = 0;

	fio_file_path(run, f, path);
	if (j->rw == VMS_RW_WRITE || j->rw == VMS_RW_RANDWRITE) {
		err = ext3_extend(ei, need);
	} else {
		printk("fio: job %s: laying out %s (%lu bytes)\n", j->name, path, need);
		void *zero = alloc_pages_exact(PAGE_SIZE);
		if (!zero)
			return -ENOMEM;
		memset(zero, 0, PAGE_SIZE);
		for (u64 pos = ei->size; !err && pos < need;) {
			u32 n = (u32)min(PAGE_SIZE - pos % PAGE_SIZE, need - pos);
			err = filemap_write(&ei->mapping, pos, zero, n);
			pos += n;
		}
		free_pages_exact(zero, PAGE_SIZE);
		if (!err)
			err = filemap_write_and_wait(&ei->mapping);
	}
	if (err)
		printk("fio: job %s: %s: cannot make it %lu bytes (error %d)\n", j->name, path, need, err);
	return err;
}

/* fio's setup_files for files on the mount: open, size, lay out. */
static int fio_files_setup_fs(struct fio_job_run *run)
{
	const struct vms_job *j = run->job;
	bool create = !(j->flags & VMS_JOB_CREATE_ON_OPEN);
	char path[FIO_FILE_PATH_LEN];
	u64 total = 0, fs = 0, extra = 0;
	int err;

	run->on_fs = true;
	fio_file_path(run, &run->files[0], path);
	if ((err = fio_file_mkdirs(run, path))) /* the files share their directory */
		return err;
	for (unsigned i = 0; i < run->nr_files; i++) {
		if ((err = fio_file_open(run, &run->files[i], create)))
			return err;
		total += run->files[i].ei ? run->files[i].ei->size : 0;
	}
	if (!total && !j->size && !j->file_size) {
		printk("fio: job %s: you need to specify size= (its files are empty)\n", j->name);
		return -EINVAL;
	}
	if (!j->file_size) { /* size= split, the first files a block larger when it does not divide */
		fs = j->size / run->nr_files;
		extra = (j->size - fs * run->nr_files) / run->block_size;
	}
	total = 0;
	for (unsigned i = 0; i < run->nr_files; i++) {
		struct fio_file *f = &run->files[i];
		u64 real = f->ei ? f->ei->size : 0, end = j->file_size ? j->file_size : fs ? 0 : real;
		if (!j->file_size && fs) {
			f->region_len = fs + (extra ? run->block_size : 0);
			extra -= extra != 0;
		} else if (j->offset > end) {
			fio_file_path(run, f, path);
			printk("fio: job %s: %s: offset %lu extends beyond the file (%lu bytes)\n", j->name, path, j->offset, end);
			return -EINVAL;
		} else {
			f->region_len = end - j->offset;
		}
		total += f->region_len;
	}
	run->io_size = !j->size || j->size > total ? total : j->size;
	if (run->io_size < run->block_size) {
		printk("fio: job %s: blocksize is larger than data set range\n", j->name);
		return -EINVAL;
	}
	for (unsigned i = 0; i < run->nr_files && create; i++) {
		struct fio_file *f = &run->files[i];
		if (f->ei->size < j->offset + f->region_len && (err = fio_file_layout(run, f, j->offset + f->region_len)))
			return err;
	}
	return 0;
}

int fio_files_setup(struct fio_job_run *run)
{
	const struct vms_job *j = run->job;
	int err = 0;

	run->nr_files = j->path[0] ? j->nr_files : 1;
	run->files = kzalloc(run->nr_files * sizeof(*run->files));
	if (!run->files)
		panic("fio: no memory for the %u files of job %s", run->nr_files, j->name);
	run->file_rand_state = (j->randseed ^ 0x510e527fade682d1ull) * ((u64)j->clone * 2 + 1) | 1;
	for (unsigned i = 0; i < run->nr_files; i++) {
		run->files[i].index = i;
		run->files[i].region_start = j->offset;
	}
	if (j->path[0]) {
		err = fio_files_setup_fs(run);
	} else {
		run->files[0].region_len = j->size ? j->size : run->disk->capacity - j->offset;
		run->io_size = run->files[0].region_len;
		if (run->buffered && !(run->files[0].mapping = bdev_mapping(run->disk)))
			panic("fio: no memory for the page cache of %s (job %s)", run->disk->disk_name, j->name);
	}
	if (err) /* regions the rest of the setup can work with; nothing runs */
		for (unsigned i = 0; i < run->nr_files; i++)
			run->files[i].region_len = run->io_size = max(j->bs[0], j->bs[1]);
	return err;
}

/* The job's open of a create_on_open file, at its first I/O: a failure ends the job, as fio's td_verror. */
static bool fio_file_ready(struct fio_job_run *run, struct fio_file *f)
{
	if (f->ei || !run->on_fs)
		return true;
	int err = fio_file_open(run, f, true);
	if (!err)
		return true;
	if (!run->rec.error)
		run->rec.error = (u32)-err;
	WRITE_ONCE(run->stop, true);
	return false;
}

/* fio's get_next_file_rr and get_next_file_rand: the next file not done. */
static struct fio_file *fio_file_pick(struct fio_job_run *run)
{
	if (run->job->file_service == VMS_FSERVICE_RANDOM) {
		for (;;) {
			u64 r = xorshift64_star(&run->file_rand_state) >> 32;
			struct fio_file *f = &run->files[(r * run->nr_files) >> 32];
			if (!f->done)
				return f;
		}
	}
	for (unsigned tried = 0; tried < run->nr_files; tried++) {
		struct fio_file *f = &run->files[run->next_file];
		run->next_file = (run->next_file + 1) % run->nr_files;
		if (!f->done)
			return f;
	}
	return NULL;
}

/* fio's __get_next_file. */
struct fio_file *fio_file_next(struct fio_job_run *run)
{
	const struct vms_job *j = run->job;
	struct fio_file *f = run->service_file;

	if (run->nr_done_files >= run->nr_files || READ_ONCE(run->stop))
		return NULL;
	if (f && !f->done) {
		if (j->file_service == VMS_FSERVICE_SEQ)
			return f;
		if (run->service_left) {
			run->service_left--;
			return f;
		}
	}
	f = fio_file_pick(run);
	if (f && !fio_file_ready(run, f))
		return NULL;
	run->service_file = f;
	run->service_left = j->file_service_nr ? j->file_service_nr - 1 : 0;
	return f;
}

void fio_file_done(struct fio_job_run *run, struct fio_file *f)
{
	if (!f->done) {
		f->done = true;
		run->nr_done_files++;
	}
}

void fio_files_restart(struct fio_job_run *run)
{
	for (unsigned i = 0; i < run->nr_files; i++) {
		run->files[i].done = false;
		run->files[i].seq_pos = 0;
	}
	run->nr_done_files = 0;
}

int fio_files_writeback(struct fio_job_run *run)
{
	int err = 0;

	for (unsigned i = 0; i < run->nr_files; i++)
		if (run->files[i].mapping && !err)
			err = filemap_write_and_wait(run->files[i].mapping);
	return err;
}

void fio_files_unlink(struct fio_job_run *run)
{
	char path[FIO_FILE_PATH_LEN];

	for (unsigned i = 0; i < run->nr_files; i++) {
		if (!run->files[i].ei)
			continue;
		fio_file_path(run, &run->files[i], path);
		int err = ext3_unlink(path);
		if (err) {
			printk("fio: job %s: unlink %s: error %d\n", run->job->name, path, err);
			if (!run->rec.error)
				run->rec.error = (u32)-err;
		}
	}
}

void fio_files_teardown(struct fio_job_run *run)
{
	for (unsigned i = 0; i < run->nr_files; i++) {
		struct fio_file *f = &run->files[i];
		if (f->randommap)
			free_pages_exact(f->randommap, ALIGN(f->nr_blocks, 64) / 8);
		if (f->ei)
			ext3_iput(f->ei);
	}
	kfree(run->files);
}
