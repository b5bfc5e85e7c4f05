/*
 * Setting up an fio job: its disk region, buffers, random generator and random map
 * (fio's default: every block once per pass; norandommap: with replacement).
 */
#include <fs/ext3.h>
#include <kernel/boot.h>
#include <kernel/errno.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <lib/string.h>
#include <lib/vsprintf.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <lib/random.h>
#include "fio.h"

#define FIO_FILE_PATH_LEN (16 + VMS_WL_PATH_LEN)

#define RANDOMMAP_MAX_BYTES (16u << 20)

u64 fio_rand(struct fio_job_run *run)
{
	return xorshift64_star(&run->rand_state);
}

void fio_workload_check(void)
{
	const struct vms_workload *wl = (const void *)boot_params->workload_addr;
	u64 size = boot_params->workload_size;

	if (size < sizeof(*wl) || wl->magic != VMS_WL_MAGIC || wl->version != VMS_WL_VERSION || !wl->nr_jobs ||
	    wl->nr_jobs > VMS_WL_MAX_JOBS || size < sizeof(*wl) + wl->nr_jobs * sizeof(struct vms_job))
		panic("fio: the workload the host wrote is malformed (%lu bytes)", size);
	for (unsigned i = 0; i < wl->nr_jobs; i++) {
		const struct vms_job *j = &wl->jobs[i];
		/* fio refuses a CPU the machine lacks ("CPU N too large"); a sweep may run one
		 * job file on guests of several sizes, so the guest is where that is known */
		if (nr_cpu_ids < 64 && (j->cpus_allowed >> nr_cpu_ids))
			panic("fio: job '%.*s': cpus_allowed: CPU %d too large (max=%u): the guest has %u vCPUs",
			      VMS_WL_NAME_LEN, j->name, 63 - __builtin_clzll(j->cpus_allowed), nr_cpu_ids - 1, nr_cpu_ids);
		if (j->ioengine == VMS_IOENGINE_MEM) {
			if (!j->size || j->size % 4096 || j->mem_access > VMS_MEM_CHURN || j->mem_working_set > j->size)
				panic("fio: memory job %u: bad size, mem_access or mem_working_set", i);
			continue;
		}
		if (j->disk >= nr_disks || !disks[j->disk])
			panic("fio: job %u uses disk %u, the guest has %u", i, j->disk, nr_disks);
		if (!j->iodepth || j->iodepth > 1024 || j->ioengine > VMS_IOENGINE_ASYNC || j->rw > VMS_RW_RANDRW || j->rwmixread > 100)
			panic("fio: job %u: bad iodepth, rw or rwmixread", i);
		bool verify_known = j->verify == VMS_VERIFY_NONE || j->verify == VMS_VERIFY_MD5 || j->verify == VMS_VERIFY_CRC32C ||
				    j->verify == VMS_VERIFY_PATTERN_HDR || j->verify == VMS_VERIFY_PATTERN || j->verify == VMS_VERIFY_NULL;
		if (j->pattern_len > VMS_WL_PATTERN_MAX || !verify_known ||
		    ((j->verify == VMS_VERIFY_PATTERN || j->verify == VMS_VERIFY_PATTERN_HDR) && !j->pattern_len))
			panic("fio: job %u: bad verify or pattern", i);
		for (int d = 0; d < 2; d++) {
			if (!j->bs[d] || j->bs[d] % 512 || j->bs[d] > (16u << 20) || j->bssplit_nr[d] > VMS_WL_BSSPLIT_MAX)
				panic("fio: job %u: bad block size", i);
			for (u32 k = 0; k < j->bssplit_nr[d]; k++)
				if (!j->bssplit[d][k].bs || j->bssplit[d][k].bs % 512 || j->bssplit[d][k].bs > j->bs[d] ||
				    j->bssplit[d][k].perc > 100)
					panic("fio: job %u: bad bssplit", i);
		}
		if (j->rand_dist > VMS_RAND_NORMAL || (j->rand_dist != VMS_RAND_UNIFORM && !j->dist_nranges))
			panic("fio: job %u: bad random_distribution", i);
		if (j->offset % 512 || j->size % 512 || j->offset >= disks[j->disk]->capacity ||
		    j->size > disks[j->disk]->capacity - j->offset)
			panic("fio: job %u: region outside %s", i, disks[j->disk]->disk_name);
	}
}

int fio_pick_dir(struct fio_job_run *run)
{
	switch (run->job->rw) {
	case VMS_RW_READ:
	case VMS_RW_RANDREAD:
		return 0;
	case VMS_RW_WRITE:
	case VMS_RW_RANDWRITE:
		return 1;
	default:
		return fio_rand(run) % 100 < run->job->rwmixread ? 0 : 1;
	}
}

/* buffer_pattern / verify_pattern, repeated over the buffer as fio does. */
void fio_fill_pattern(struct fio_job_run *run, void *buf, u64 len)
{
	const struct vms_job *j = run->job;
	u8 *p = buf;
	for (u64 i = 0; i < len; i++)
		p[i] = j->pattern[i % j->pattern_len];
}

/* The job's file as the guest names it: /mnt/vdX/PATH. */
static void fio_file_path(const struct fio_job_run *run, char path[FIO_FILE_PATH_LEN])
{
	snprintf(path, FIO_FILE_PATH_LEN, "/mnt/%s/%s", run->disk->disk_name, run->job->path);
}

/*
 * fio's file setup: open the job's file on the disk's mount, creating it when absent
 * (in an existing directory), and make it offset + size long as fio's extend_file
 * does: a job that reads gets the missing part laid out (written, as "Laying out IO
 * file"), a job that only writes a sparse extension (ftruncate). Failures fail the
 * job with the errno and the reason on the console.
 */
static int fio_file_open(struct fio_job_run *run, const struct vms_job *j)
{
	char path[FIO_FILE_PATH_LEN];
	int err = 0;

	fio_file_path(run, path);
	/* fio's create_work_dirs: the directories on the way are made when missing */
	for (char *p = path + 6 + strlen(run->disk->disk_name); (p = strchr(p, '/')); p++) {
		*p = '\0';
		int e = ext3_mkdir(path);
		*p = '/';
		if (e && e != -EEXIST) {
			printk("fio: job %s: mkdir on the way to %s: error %d\n", j->name, path, e);
			return e;
		}
	}
	struct ext3_inode_info *ei = ext3_open_create(path, &err);
	if (!ei) {
		printk("fio: job %s: %s: cannot open (error %d)\n", j->name, path, err);
		return err ? err : -ENOENT;
	}
	run->file = ei;
	if ((ei->mode & S_IFMT) != S_IFREG) {
		printk("fio: job %s: %s: not a regular file\n", j->name, path);
		return -EISDIR;
	}
	u64 size = j->size ? j->size : ei->size > j->offset ? ei->size - j->offset : 0;
	if (!size) {
		printk("fio: job %s: %s: the file is empty: give size=\n", j->name, path);
		return -EINVAL;
	}
	u64 need = j->offset + size;
	bool reads = j->rw != VMS_RW_WRITE && j->rw != VMS_RW_RANDWRITE;
	if (ei->size < need && !reads) {
		err = ext3_extend(ei, need);
	} else if (ei->size < need) {
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
	if (err) {
		printk("fio: job %s: %s: cannot make it %lu bytes (error %d)\n", j->name, path, need, err);
		return err;
	}
	run->mapping = &ei->mapping;
	run->region_len = size;
	return 0;
}

void fio_file_unlink(struct fio_job_run *run)
{
	char path[FIO_FILE_PATH_LEN];
	fio_file_path(run, path);
	int err = ext3_unlink(path);
	if (err) {
		printk("fio: job %s: unlink %s: error %d\n", run->job->name, path, err);
		if (!run->rec.error)
			run->rec.error = (u32)-err;
	}
}

void fio_job_setup(struct fio_job_run *run, const struct vms_job *j, unsigned index)
{
	memset(run, 0, sizeof(*run));
	run->job = j;
	run->rec.job = index;
	run->disk = disks[j->disk];
	run->region_start = j->offset;
	run->region_len = j->size ? j->size : run->disk->capacity - j->offset;
	if (j->path[0] && (run->open_error = fio_file_open(run, j)))
		run->region_len = max(j->bs[0], j->bs[1]); /* a region the setup below can work with; nothing runs */
	run->io_size = run->region_len;
	/* Buffered I/O completes in the submitting task (as a buffered io_submit does): one at a time. */
	run->depth = j->ioengine == VMS_IOENGINE_SYNC || !(j->flags & VMS_JOB_DIRECT) ? 1 : j->iodepth;
	if (!(j->flags & VMS_JOB_DIRECT) && !run->mapping && !(run->mapping = bdev_mapping(run->disk)))
		panic("fio: no memory for the page cache of %s (job %s)", run->disk->disk_name, j->name);
	run->rand_state = (j->randseed ? j->randseed : 0x89abcdefull) ^ ((u64)j->clone * 0x9e3779b97f4a7c15ull);
	if (!(j->flags & VMS_JOB_RANDREPEAT))
		run->rand_state ^= boot_params->seed * 0xbf58476d1ce4e5b9ull;
	if (!run->rand_state)
		run->rand_state = 1;
	init_waitqueue_head(&run->wq);
	spin_lock_init(&run->stat_lock);

	run->buf_size = max(j->bs[0], j->bs[1]);
	run->ios = kzalloc(run->depth * sizeof(*run->ios));
	if (!run->ios)
		panic("fio: no memory for job %s", j->name);
	for (unsigned i = 0; i < run->depth; i++) {
		run->ios[i].run = run;
		run->ios[i].buf = alloc_pages_exact(run->buf_size); /* page-aligned: O_DIRECT on the host */
		if (!run->ios[i].buf)
			panic("fio: no memory for %u buffers of %lu bytes (job %s)", run->depth, run->buf_size, j->name);
		if (j->pattern_len)
			fio_fill_pattern(run, run->ios[i].buf, run->buf_size);
		else
			memset(run->ios[i].buf, 0xa5 ^ (int)i, run->buf_size);
	}
	run->block_size = min(fio_min_bs(j, 0), fio_min_bs(j, 1));
	run->nr_blocks = run->region_len / run->block_size;
	/* fio: a non-uniform distribution excludes the random map */
	bool random = j->rw == VMS_RW_RANDREAD || j->rw == VMS_RW_RANDWRITE || j->rw == VMS_RW_RANDRW;
	if (random && !(j->flags & VMS_JOB_NORANDOMMAP) && j->rand_dist == VMS_RAND_UNIFORM && run->nr_blocks &&
	    ALIGN(run->nr_blocks, 64) / 8 <= RANDOMMAP_MAX_BYTES)
		run->randommap = alloc_pages_exact(ALIGN(run->nr_blocks, 64) / 8);
	fio_offset_setup(run, index);
	fio_rate_setup(run);
	fio_log_setup(run);
	/* the same seeds in a later boot (verify_only) as long as the offsets repeat too */
	run->vseed_base = run->rand_state;
	fio_vlog_setup(run);
}

void fio_job_teardown(struct fio_job_run *run)
{
	for (unsigned i = 0; i < run->depth; i++)
		free_pages_exact(run->ios[i].buf, run->buf_size);
	kfree(run->ios);
	if (run->randommap)
		free_pages_exact(run->randommap, ALIGN(run->nr_blocks, 64) / 8);
	fio_vlog_teardown(run);
	fio_log_teardown(run);
	if (run->file)
		ext3_iput(run->file);
}
