/*
 * The verify log of a write job (fio's io pieces, iolog.c log_io_piece): which blocks
 * the write phase wrote and with which write, so that the verify phase reads each back
 * once and knows what its header must say. fio keeps the writes of a random job with a
 * random map in the order written, and sorts the others by offset with a later write
 * of a block replacing the earlier (its rb tree); so does this log, as a table of the
 * latest write of each block (at the write size) and, for the first kind, the blocks in
 * the order first written. Both tables are 4 bytes per block of the region, whatever
 * the runtime, where fio's pieces grow with every write. A job's files follow each
 * other in the tables, in their order (fio's tree sorts by file, then offset).
 */
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include "fio.h"

#define VLOG_MAX_BLOCKS (64u << 20) /* 256 MiB of tables each: beyond any guest's memory */

static bool fio_is_write(const struct vms_job *j)
{
	return j->rw != VMS_RW_READ && j->rw != VMS_RW_RANDREAD;
}

/* The job reads back what it wrote (fio's do_verify after the write phase). */
bool fio_verify_phase_wanted(const struct vms_job *j)
{
	return j->verify != VMS_VERIFY_NONE && (j->flags & VMS_JOB_DO_VERIFY) && fio_is_write(j);
}

void fio_vlog_setup(struct fio_job_run *run)
{
	const struct vms_job *j = run->job;
	bool random = j->rw == VMS_RW_RANDWRITE || j->rw == VMS_RW_RANDRW;

	if (!fio_verify_phase_wanted(j))
		return;
	run->vlog_nr_blocks = 0;
	for (unsigned i = 0; i < run->nr_files; i++) {
		run->files[i].vlog_base = run->vlog_nr_blocks;
		run->vlog_nr_blocks += run->files[i].region_len / j->bs[1];
	}
	if (run->vlog_nr_blocks > VLOG_MAX_BLOCKS)
		panic("fio: job %s verifies %lu blocks, more than vmsweep's limit of %u: a smaller size= or a larger bs=",
		      j->name, run->vlog_nr_blocks, VLOG_MAX_BLOCKS);
	run->vlog_seq = alloc_pages_exact(run->vlog_nr_blocks * sizeof(u32));
	/* a random map makes each block's first write of a pass its only one */
	bool ordered = random && run->randommapped && j->bs[1] == run->block_size;
	if (ordered)
		run->vlog_order = alloc_pages_exact(run->vlog_nr_blocks * sizeof(u32));
	if (!run->vlog_seq || (ordered && !run->vlog_order))
		panic("fio: no memory for the verify log of job %s (%lu KiB): give the guest more --memory or the "
		      "job a smaller size=", j->name, run->vlog_nr_blocks * sizeof(u32) * 2 / 1024);
}

void fio_vlog_teardown(struct fio_job_run *run)
{
	if (run->vlog_seq)
		free_pages_exact(run->vlog_seq, run->vlog_nr_blocks * sizeof(u32));
	if (run->vlog_order)
		free_pages_exact(run->vlog_order, run->vlog_nr_blocks * sizeof(u32));
}

/* A new write phase (time_based: write, verify, again): nothing written yet. */
void fio_vlog_reset(struct fio_job_run *run)
{
	if (run->vlog_seq)
		memset(run->vlog_seq, 0, run->vlog_nr_blocks * sizeof(u32));
	run->vlog_len = run->vlog_pos = 0;
	run->vlog_done = false;
}

/* Write number seq (from 0) of the job went to offset of file f. */
void fio_vlog_add(struct fio_job_run *run, const struct fio_file *f, u64 offset, u64 seq)
{
	u64 fb = (offset - f->region_start) / run->job->bs[1], b = f->vlog_base + fb;

	if (!run->vlog_seq || fb >= f->region_len / run->job->bs[1])
		return;
	if (run->vlog_order && !run->vlog_seq[b])
		run->vlog_order[run->vlog_len++] = (u32)b;
	run->vlog_seq[b] = (u32)(seq + 1);
}

/* The next block to read back: its file, offset and write number; false when all are issued. */
bool fio_vlog_next(struct fio_job_run *run, struct fio_file **f, u64 *offset, u64 *seq)
{
	u64 bs = run->job->bs[1];

	while (run->vlog_seq) {
		u64 b;
		if (run->vlog_order) {
			if (run->vlog_pos >= run->vlog_len)
				break;
			b = run->vlog_order[run->vlog_pos++];
		} else {
			if (run->vlog_pos >= run->vlog_nr_blocks)
				break;
			b = run->vlog_pos++;
		}
		if (run->vlog_seq[b]) {
			unsigned i = run->nr_files - 1;
			while (i && run->files[i].vlog_base > b) /* the file whose blocks hold b */
				i--;
			*f = &run->files[i];
			*offset = (*f)->region_start + (b - (*f)->vlog_base) * bs;
			*seq = run->vlog_seq[b] - 1;
			return true;
		}
	}
	run->vlog_done = true;
	return false;
}
