/*
 * Where an fio job's next I/O goes and how large it is, as fio 3.33's io_u.c
 * (get_next_offset, get_next_buflen, mark_random_map) and lib/zipf.c, lib/gauss.c:
 *
 * - Sequential jobs go on from the last I/O; a time_based job starts over at the
 *   region's start when the next block no longer fits, another job is done then.
 * - Random jobs draw a block of the direction's smallest size (fio's min_bs), by
 *   random_distribution: uniform (with the random map, unless norandommap: each block
 *   once a pass, the drawn one or the next free after it), or zipf, pareto, normal
 *   (never a random map, as fio), scattered over the region by fio's hash.
 * - The size is bs=, or drawn by bssplit='s shares as get_next_buflen does: a size that
 *   does not fit before the region's end is drawn again. With the random map, a size
 *   that would cover blocks already done this pass is cut before the first of them.
 * Offsets and sizes draw from their own generators, so a job without bssplit= or
 * random_distribution= draws the offsets it always did. Each I/O first asks for its
 * file (fio_file.c); a file whose region holds no further block is done and the next
 * one asked for (fio's set_io_u_file).
 */
#include <kernel/kernel.h>
#include <kernel/preempt.h>
#include <lib/random.h>
#include <lib/string.h>
#include <vmsweep/rand_dist.h>
#include "fio.h"

#define RESTART_TRIES 64 /* a time_based job's restarts before it gives up on files that hold no block */
#define BUFLEN_TRIES 100000 /* fio draws until a size fits; a split whose fitting sizes have no share would not end */

u64 fio_min_bs(const struct vms_job *j, int dir)
{
	u64 m = j->bs[dir];

	for (u32 i = 0; i < j->bssplit_nr[dir]; i++)
		if (j->bssplit[dir][i].bs < m)
			m = j->bssplit[dir][i].bs;
	return m;
}

static u32 rand32(u64 *state)
{
	return (u32)(xorshift64_star(state) >> 32);
}

static bool fio_is_random(const struct fio_job_run *run)
{
	u32 rw = run->job->rw;
	return rw == VMS_RW_RANDREAD || rw == VMS_RW_RANDWRITE || rw == VMS_RW_RANDRW;
}

void fio_offset_setup(struct fio_job_run *run, unsigned index)
{
	const struct vms_job *j = run->job;

	run->bs_state = (run->rand_state ^ 0x6a09e667f3bcc908ull) * 0x9e3779b97f4a7c15ull | 1;
	/* fio seeds the distribution from the file's name and the job's number with
	 * randrepeat (not from randseed), else from the job's random seeds */
	if (j->flags & VMS_JOB_RANDREPEAT)
		run->dist_state = ((u64)(j->disk + 1) * 0xbb67ae8584caa73bull) ^ ((u64)(index + 1) * 0x3c6ef372fe94f82bull);
	else
		run->dist_state = run->rand_state * 0xa54ff53a5f1d36f1ull;
	run->dist_state |= 1;
	run->dist_rand_off = j->dist_rand_off;
	/* lib/zipf.c shared_rand_init: an offset drawn first, unless a center fixes it */
	if ((j->rand_dist == VMS_RAND_ZIPF || j->rand_dist == VMS_RAND_PARETO) && !(j->dist_flags & VMS_DIST_CENTER))
		run->dist_rand_off = rand32(&run->dist_state);
}

/* The range of the job's non-uniform distribution drawn next. */
static u64 fio_dist_next(struct fio_job_run *run)
{
	const struct vms_job *j = run->job;
	u64 rank;

	if (j->rand_dist == VMS_RAND_NORMAL) {
		u32 r[VMS_GAUSS_ITERS + 1];
		for (int i = 0; i < VMS_GAUSS_ITERS; i++)
			r[i] = rand32(&run->dist_state);
		r[VMS_GAUSS_ITERS] = j->dist_param[0] ? rand32(&run->dist_state) : 0;
		rank = vms_gauss_rank(j, r);
	} else {
		u32 r = rand32(&run->dist_state);
		/* the x87 power: no other task may use the x87 before it is done (rand_dist.h) */
		preempt_disable();
		rank = j->rand_dist == VMS_RAND_ZIPF ? vms_zipf_rank(j, r) : vms_pareto_rank(j, r);
		preempt_enable();
	}
	return vms_dist_range(j, rank, run->dist_rand_off);
}

/* The next block of this pass: the drawn one if free, else the next free after it (fio's axmap_next_free). */
static u64 randommap_pick(struct fio_file *f, u64 block)
{
	if (f->blocks_used == f->nr_blocks) { /* a new pass */
		memset(f->randommap, 0, ALIGN(f->nr_blocks, 64) / 8);
		f->blocks_used = 0;
	}
	for (;;) {
		u64 w = block / 64, bit = block % 64;
		u64 free_bits = ~f->randommap[w] & (~0ull << bit);
		if (w == (f->nr_blocks - 1) / 64 && f->nr_blocks % 64)
			free_bits &= (1ull << (f->nr_blocks % 64)) - 1;
		if (free_bits) {
			block = w * 64 + (u64)__builtin_ctzll(free_bits);
			f->randommap[w] |= 1ull << (block % 64);
			f->blocks_used++;
			return block;
		}
		block = (w + 1) * 64 >= f->nr_blocks ? 0 : (w + 1) * 64;
	}
}

/* fio's mark_random_map after the first block: the blocks after it that len covers, up
 * to the first one already done; len cut there. */
static u64 randommap_mark(struct fio_job_run *run, struct fio_file *f, u64 block, u64 len)
{
	u64 nr = (len + run->block_size - 1) / run->block_size, done = 1;

	for (u64 b = block + 1; done < nr && b < f->nr_blocks; b++, done++) {
		if (f->randommap[b / 64] & (1ull << (b % 64)))
			break;
		f->randommap[b / 64] |= 1ull << (b % 64);
		f->blocks_used++;
	}
	return min(len, done * run->block_size);
}

/* fio's get_next_buflen for an I/O at offset (within the region): 0 when not even the smallest size fits. */
static u64 fio_next_buflen(struct fio_job_run *run, const struct fio_file *f, int dir, u64 offset)
{
	const struct vms_job *j = run->job;
	u64 minbs = fio_min_bs(j, dir), maxbs = j->bs[dir];
	const u64 frand_max = 0xffffffffull;

	if (minbs == maxbs)
		return minbs;
	if (offset + minbs > f->region_len)
		return 0;
	for (unsigned tries = 0; tries < BUFLEN_TRIES; tries++) {
		u64 r = rand32(&run->bs_state), perc = 0, buflen = minbs;
		for (u32 i = 0; i < j->bssplit_nr[dir]; i++) {
			const struct vms_bssplit *b = &j->bssplit[dir][i];
			if (!b->perc)
				continue;
			buflen = b->bs;
			perc += b->perc;
			if (r / perc <= frand_max / 100 && offset + buflen <= f->region_len)
				break;
		}
		if (!(minbs & (minbs - 1)))
			buflen &= ~(minbs - 1);
		else
			buflen -= buflen % minbs;
		buflen = min(buflen, maxbs);
		if (offset + buflen <= f->region_len)
			return buflen;
	}
	return minbs;
}

/* The offset within the region of the next I/O of dir; -1 when the region holds no more. */
static int fio_next_start(struct fio_job_run *run, struct fio_file *f, int dir, u64 *off, u64 *map_block)
{
	const struct vms_job *j = run->job;
	u64 ba = fio_min_bs(j, dir);

	*map_block = ~0ull;
	if (!fio_is_random(run)) {
		*off = f->seq_pos;
		return 0;
	}
	if (j->rand_dist != VMS_RAND_UNIFORM) {
		*off = fio_dist_next(run) * ba;
		/* fio's get_next_offset: a range beyond the region ends the job */
		return *off >= f->region_len ? -1 : 0;
	}
	u64 blocks = f->region_len / ba;
	if (!blocks)
		return -1;
	/* every block done this pass: the file is done, as fio's get_next_rand_block, unless
	 * time_based, which starts a new pass (fio_file_reset) */
	if (f->randommap && ba == run->block_size && f->blocks_used == f->nr_blocks &&
	    !(j->flags & VMS_JOB_TIME_BASED))
		return -1;
	u64 b = fio_rand(run) % blocks;
	if (f->randommap && ba == run->block_size) {
		b = randommap_pick(f, b);
		*map_block = b;
	}
	*off = b * ba;
	return 0;
}

/* The next block of file f: its offset within the region and size; -1 when none fits. */
static int fio_file_block(struct fio_job_run *run, struct fio_file *f, int dir, u64 *offset, u64 *len)
{
	u64 off, map_block, bs;

	if (fio_next_start(run, f, dir, &off, &map_block) || !(bs = fio_next_buflen(run, f, dir, off)) ||
	    (!fio_is_random(run) && off + bs > f->region_len))
		return -1;
	if (map_block != ~0ull)
		bs = randommap_mark(run, f, map_block, bs);
	if (!fio_is_random(run))
		f->seq_pos = off + bs;
	*offset = off;
	*len = bs;
	return 0;
}

int fio_next_block(struct fio_job_run *run, int dir, struct fio_file **file, u64 *offset, u64 *len)
{
	const struct vms_job *j = run->job;
	u64 off, bs;

	for (;;) {
		struct fio_file *f = fio_file_next(run);
		if (!f) {
			/* a job that is not time_based is done when its files are, as fio's do_io; a
			 * time_based one starts them over (fio's next do_io) and draws again */
			if ((j->flags & VMS_JOB_TIME_BASED) && !READ_ONCE(run->stop) && run->restarts++ < RESTART_TRIES) {
				fio_files_restart(run);
				continue;
			}
			run->io_done = true;
			return -1;
		}
		if (fio_file_block(run, f, dir, &off, &bs) == 0) {
			run->restarts = 0;
			/* a distribution's last range may reach past the region (fio allows it up to the
			 * disk's end): never past the disk */
			if (!run->on_fs && f->region_start + off + bs > run->disk->capacity) {
				run->io_done = true;
				return -1;
			}
			*file = f;
			*offset = f->region_start + off;
			*len = bs;
			return 0;
		}
		fio_file_done(run, f);
	}
}
