/*
 * Setting up an fio job: its files (fio_file.c), buffers, random generator and a random
 * map per file (fio's default: every block once per pass; norandommap: with replacement).
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
		if (j->ioengine == VMS_IOENGINE_CPU) { /* fio's cpuio: needs cpuload, and a runtime to end */
			if (!j->cpuload || j->cpuload > 100 || !j->cpuchunks_us || j->cpumode > VMS_CPU_QSORT || !j->runtime_ns)
				panic("fio: cpuio job %u: bad cpuload, cpuchunks, cpumode or runtime", i);
			continue;
		}
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
		if (j->path[0]) { /* a file job: its region is the file's, checked at open */
			bool named = false;
			for (unsigned k = 0; k < VMS_WL_PATH_LEN && !named; k++)
				named = !j->path[k];
			if (!named || !j->nr_files || j->nr_files > VMS_WL_MAX_FILES ||
			    (j->nr_files > 1 && !(j->flags & VMS_JOB_FILENUM)) || j->file_service > VMS_FSERVICE_RANDOM ||
			    !j->file_service_nr || (j->flags & VMS_JOB_DIRECT) || j->size % 512 ||
			    (j->file_size && j->offset >= j->file_size))
				panic("fio: job %u: bad files (path, nr_files, file_service, filesize)", i);
			continue;
		}
		if (j->nr_files || j->file_size || (j->flags & (VMS_JOB_FILENUM | VMS_JOB_UNLINK)))
			panic("fio: job %u: file options on the raw disk %s", i, disks[j->disk]->disk_name);
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

void fio_job_setup(struct fio_job_run *run, const struct vms_job *j, unsigned index)
{
	memset(run, 0, sizeof(*run));
	run->job = j;
	run->rec.job = index;
	run->disk = disks[j->disk];
	run->buffered = !(j->flags & VMS_JOB_DIRECT);
	run->block_size = min(fio_min_bs(j, 0), fio_min_bs(j, 1));
	run->open_error = fio_files_setup(run);
	/* Buffered I/O completes in the submitting task (as a buffered io_submit does): one at a time. */
	run->depth = j->ioengine == VMS_IOENGINE_SYNC || run->buffered ? 1 : j->iodepth;
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
	/* fio: a non-uniform distribution excludes the random map; each file has its own */
	bool random = j->rw == VMS_RW_RANDREAD || j->rw == VMS_RW_RANDWRITE || j->rw == VMS_RW_RANDRW;
	run->randommapped = random && !(j->flags & VMS_JOB_NORANDOMMAP) && j->rand_dist == VMS_RAND_UNIFORM;
	for (unsigned i = 0; i < run->nr_files; i++) {
		struct fio_file *f = &run->files[i];
		f->nr_blocks = f->region_len / run->block_size;
		if (run->randommapped && f->nr_blocks && ALIGN(f->nr_blocks, 64) / 8 <= RANDOMMAP_MAX_BYTES)
			f->randommap = alloc_pages_exact(ALIGN(f->nr_blocks, 64) / 8);
	}
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
	fio_vlog_teardown(run);
	fio_log_teardown(run);
	fio_files_teardown(run);
}
