/*
 * A disk job's options taken together, when its section ends: filename= given,
 * direct or buffered (fio's default), not the swap disk, an engine that takes the iodepth, rate or rate_iops,
 * verify= and its patterns, and a region inside the disk that holds a block. The options
 * come from the job, [global] or an included file, so each error points at the
 * option that breaks the check, wherever it was set.
 */
#include <stdint.h>
#include <string.h>

#include "fio/job_compile_internal.h"
#include "util/parse.h"

/* The block size that must fit the region: the larger of the directions the job uses
 * (with bssplit=, of their smallest sizes: fio's min_bs, which fio checks size= against;
 * the larger sizes are drawn only where they fit). */
static uint64_t job_bs_max(const struct vms_job *j)
{
	uint64_t r = bssplit_min(j, 0), w = bssplit_min(j, 1);

	switch (j->rw) {
	case VMS_RW_READ:
	case VMS_RW_RANDREAD:
		return r;
	case VMS_RW_WRITE:
	case VMS_RW_RANDWRITE:
		return w;
	default:
		return r > w ? r : w;
	}
}

static bool job_writes(const struct vms_job *j)
{
	return j->rw != VMS_RW_READ && j->rw != VMS_RW_RANDREAD;
}

static void pattern_set(struct vms_job *j, const uint8_t *p, uint32_t len)
{
	memcpy(j->pattern, p, len);
	j->pattern_len = len;
}

/*
 * verify= and the patterns, as fio resolves them: verify_pattern= without verify= is
 * fio's verify with a header and the pattern; a job that verifies writes its
 * verify_pattern (else random data), one that does not its buffer_pattern (else its
 * verify_pattern, as fio fills its buffers with it).
 */
static int job_verify_check(struct compile *c, const struct fio_section *s, struct job_opts *jo)
{
	struct vms_job *j = &jo->j;

	if (!jo->verify_o && jo->verify_pattern_len)
		j->verify = VMS_VERIFY_PATTERN_HDR;
	if (j->verify != VMS_VERIFY_NONE)
		pattern_set(j, jo->verify_pattern, jo->verify_pattern_len);
	else if (jo->buffer_pattern_len)
		pattern_set(j, jo->buffer_pattern, jo->buffer_pattern_len);
	else
		pattern_set(j, jo->verify_pattern, jo->verify_pattern_len);
	if (j->verify == VMS_VERIFY_PATTERN && !j->pattern_len)
		return compile_fail_at(c, jo->verify_o->file, jo->verify_o->line,
				       "verify=pattern: needs verify_pattern= (job '%s')", s->name);
	if (jo->verify_only_o && j->verify == VMS_VERIFY_NONE)
		return compile_fail_at(c, jo->verify_only_o->file, jo->verify_only_o->line,
				       "option 'verify_only': the job has no verify= to check with (job '%s')", s->name);
	/* The guest logs a write job's blocks by their index at the write size; rw=readwrite
	 * moves one offset by both sizes, so its writes would straddle those blocks. */
	if (j->verify != VMS_VERIFY_NONE && j->rw == VMS_RW_READWRITE && j->bs[0] != j->bs[1])
		return compile_fail_at(c, jo->bs_o->file, jo->bs_o->line,
				       "bs=%s: verify= with rw=readwrite needs one block size for reads and writes in "
				       "vmsweep (job '%s')", jo->bs_o->value, s->name);
	return 0;
}

int job_disk_check(struct compile *c, const struct fio_section *s, struct job_opts *jo)
{
	struct vms_job *j = &jo->j;
	char b1[32], b2[32], b3[32];

	if (job_files_check(c, s, jo))
		return -1;
	/* where the job's disk was named: filename=, or directory= */
	const struct fio_option *where = jo->directory_o ? jo->directory_o : jo->filename_o;
	if (c->disks && (c->disks[j->disk].flags & VMS_DISK_SWAP))
		return compile_fail_at(c, where->file, where->line, "%s=%s: that disk is the guest's swap device (job '%s')",
				       where->key, where->value, s->name);
	if (j->path[0] && c->disks && !(c->disks[j->disk].flags & VMS_DISK_FS_EXT3))
		return compile_fail_at(c, where->file, where->line,
				       "%s=%s: /dev/vd%c has no file system to mount (give it one: --disk "
				       "PATH,fs=ext3) (job '%s')", where->key, where->value, 'a' + j->disk, s->name);
	/* the guest mounts it: a raw writer would write under its file system */
	if (!j->path[0] && c->disks && (c->disks[j->disk].flags & VMS_DISK_FS_EXT3) && j->rw != VMS_RW_READ &&
	    j->rw != VMS_RW_RANDREAD)
		return compile_fail_at(c, where->file, where->line,
				       "%s=%s: that disk holds the guest's ext3, mounted at /mnt/vd%c: a raw writer would "
				       "write under it (name a file: filename=/mnt/vd%c/FILE) (job '%s')",
				       where->key, where->value, 'a' + j->disk, 'a' + j->disk, s->name);
	if (!j->path[0] && (j->flags & VMS_JOB_UNLINK))
		return compile_fail_at(c, jo->filename_o->file, jo->filename_o->line,
				       "option 'unlink': only for a file (filename=/mnt/vdX/FILE), not the raw disk %s "
				       "(job '%s')", jo->filename_o->value, s->name);
	if (j->path[0] && jo->direct > 0)
		return compile_fail_at(c, where->file, where->line,
				       "%s=%s: direct=1 on a file is not supported yet: the guest's file I/O "
				       "goes through its page cache (job '%s')", where->key, where->value, s->name);
	if (j->size % SECTOR)
		return compile_fail_at(c, jo->size_o->file, jo->size_o->line, "size=%s: not a multiple of 512",
				       jo->size_o->value);
	if (j->ioengine == VMS_IOENGINE_SYNC && j->iodepth > 1) {
		const struct fio_option *o = jo->iodepth_o;
		return compile_fail_at(c, o->file, o->line,
				       "iodepth=%s: ioengine=%s has one I/O in flight at a time%s: use ioengine=libaio "
				       "or io_uring (job '%s')", o->value,
				       jo->ioengine_o ? jo->ioengine_o->value : "psync",
				       jo->ioengine_o ? "" : " (fio's default engine)", s->name);
	}
	if (jo->hipri_o && !(jo->ioengine_o && (!strcmp(jo->ioengine_o->value, "io_uring") ||
						  !strcmp(jo->ioengine_o->value, "pvsync2")))) {
		const struct fio_option *o = jo->hipri_o;
		return compile_fail_at(c, o->file, o->line,
				       "option 'hipri': an option of ioengine=io_uring and pvsync2 in fio, not of %s%s "
				       "(job '%s')", jo->ioengine_o ? jo->ioengine_o->value : "psync",
				       jo->ioengine_o ? "" : ", fio's default engine", s->name);
	}
	if ((j->rate_bps[0] || j->rate_bps[1]) && (j->rate_iops[0] || j->rate_iops[1]))
		return compile_fail_at(c, s->file, s->line,
				       "job '%s': option 'rate_iops': rate and rate_iops are mutually exclusive, as "
				       "in fio", s->name);
	if (job_verify_check(c, s, jo))
		return -1;
	/* the verify log keeps one block size of writes (guest/workload/fio_vlog.c), and a
	 * read-only job checks blocks of its one read size */
	if (j->verify != VMS_VERIFY_NONE && jo->bssplit_o && (job_writes(j) ? j->bssplit_nr[1] : j->bssplit_nr[0]))
		return compile_fail_at(c, jo->bssplit_o->file, jo->bssplit_o->line,
				       "bssplit=%s: verify= with several %s sizes is not supported by vmsweep (its "
				       "verify log holds one block size) (job '%s')", jo->bssplit_o->value,
				       job_writes(j) ? "write" : "read", s->name);
	bssplit_resolve(j);

	/* a file's size is the guest's to know: its offset and size are checked there */
	uint64_t disk_size = c->disks && !j->path[0] ? c->disks[j->disk].size : 0;
	const char *dev = where->value;
	if (disk_size) {
		if (j->offset >= disk_size) {
			const struct fio_option *o = jo->offset_o;
			return compile_fail_at(c, o->file, o->line,
					       "offset=%s: at or beyond the end of %s (%s) (job '%s')", o->value, dev,
					       format_size(disk_size, b1, sizeof(b1)), s->name);
		}
		if (j->size > disk_size - j->offset) {
			const struct fio_option *o = jo->size_o;
			return compile_fail_at(c, o->file, o->line,
					       "size=%s: offset %s + size %s is beyond the end of %s (%s) (job '%s')",
					       o->value, format_size(j->offset, b1, sizeof(b1)),
					       format_size(j->size, b2, sizeof(b2)), dev,
					       format_size(disk_size, b3, sizeof(b3)), s->name);
		}
	}
	/* a file's region: fio's io_size, size= over the files or filesize= less the offset */
	uint64_t region = j->file_size ? j->file_size - j->offset : j->size ? j->size : disk_size ? disk_size - j->offset : 0;
	uint64_t bs = job_bs_max(j);
	if (region && region < bs) {
		const struct fio_option *o = j->file_size ? jo->filesize_o : j->size ? jo->size_o : jo->offset_o ? jo->offset_o :
					     jo->bssplit_o ? jo->bssplit_o : jo->bs_o;
		if (!o)
			return compile_fail_at(c, s->file, s->line,
					       "job '%s': %s (%s) is smaller than the block size (%s)", s->name, dev,
					       format_size(region, b1, sizeof(b1)), format_size(bs, b2, sizeof(b2)));
		return compile_fail_at(c, o->file, o->line,
				       "%s=%s: the job's region (%s) is smaller than the block size (%s) "
				       "(job '%s')",
				       o->key, o->value, format_size(region, b1, sizeof(b1)),
				       format_size(bs, b2, sizeof(b2)), s->name);
	}
	if (!region && jo->dist_o && (j->rw == VMS_RW_RANDREAD || j->rw == VMS_RW_RANDWRITE || j->rw == VMS_RW_RANDRW))
		return compile_fail_at(c, jo->dist_o->file, jo->dist_o->line,
				       "random_distribution=%s: the size of the job's region is not known (no size= and "
				       "the size of %s unknown): give size= (job '%s')", jo->dist_o->value, dev, s->name);
	if (jo->direct > 0) /* unset is fio's default, buffered: through the guest's page cache */
		j->flags |= VMS_JOB_DIRECT;
	return 0;
}

int job_clone_place(struct compile *c, const struct fio_section *s, const struct job_opts *jo, struct vms_job *d)
{
	const struct fio_option *o = jo->offset_increment_o;
	uint64_t disk_size = c->disks && !d->path[0] ? c->disks[d->disk].size : 0;
	const char *dev = jo->filename_o ? jo->filename_o->value : jo->directory_o->value;
	char b1[32], b2[32], b3[32];

	if (d->clone && jo->offset_increment) {
		/* job_disk_check placed clone 0; the others move by offset_increment each */
		if (jo->offset_increment > (UINT64_MAX - d->offset) / d->clone)
			return compile_fail_at(c, o->file, o->line, "offset_increment=%s: clone %u's offset overflows (job '%s')",
					       o->value, d->clone, s->name);
		d->offset += (uint64_t)d->clone * jo->offset_increment;
		if (disk_size && d->offset >= disk_size)
			return compile_fail_at(c, o->file, o->line,
					       "offset_increment=%s: clone %u starts at %s, at or beyond the end of %s (%s) "
					       "(job '%s')", o->value, d->clone, format_size(d->offset, b1, sizeof(b1)), dev,
					       format_size(disk_size, b2, sizeof(b2)), s->name);
		if (disk_size && d->size > disk_size - d->offset)
			return compile_fail_at(c, o->file, o->line,
					       "offset_increment=%s: clone %u's region (offset %s + size %s) is beyond the end "
					       "of %s (%s) (job '%s')", o->value, d->clone,
					       format_size(d->offset, b1, sizeof(b1)), format_size(d->size, b2, sizeof(b2)),
					       dev, format_size(disk_size, b3, sizeof(b3)), s->name);
		uint64_t region = d->size ? d->size : disk_size ? disk_size - d->offset : 0;
		if (region && region < job_bs_max(d))
			return compile_fail_at(c, o->file, o->line,
					       "offset_increment=%s: clone %u's region (%s) is smaller than the block size "
					       "(%s) (job '%s')", o->value, d->clone, format_size(region, b1, sizeof(b1)),
					       format_size(job_bs_max(d), b2, sizeof(b2)), s->name);
	}
	/* as fio, a sequential job draws no random offsets: the distribution changes nothing there */
	bool random = d->rw == VMS_RW_RANDREAD || d->rw == VMS_RW_RANDWRITE || d->rw == VMS_RW_RANDRW;
	if (!random)
		d->rand_dist = VMS_RAND_UNIFORM;
	if (o && d->file_size && d->offset >= d->file_size)
		return compile_fail_at(c, o->file, o->line,
				       "offset_increment=%s: clone %u starts at %s, at or beyond filesize=%s (job '%s')",
				       o->value, d->clone, format_size(d->offset, b1, sizeof(b1)), jo->filesize_o->value, s->name);
	if (d->rand_dist != VMS_RAND_UNIFORM)
		dist_resolve(jo, d, d->file_size ? d->file_size - d->offset : d->size ? d->size : disk_size - d->offset);
	return 0;
}
