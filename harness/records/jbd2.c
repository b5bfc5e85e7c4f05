/*
 * The journal's records as the host takes them from the results ring (guest
 * fs/jbd2/report.c at each unmount, fs/ext3/fsync.c through workload/fio.c per job).
 * Everything in them is the guest's word: each field is checked against what the
 * guest's journal can produce, and each refusal names the record and the field.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "records/jbd2.h"
#include "util/array.h"
#include "util/error.h"
#include "util/hist_stats.h"
#include "util/knob.h"
#include "vmm/vm.h"

_Static_assert(VMS_HIST_NR_ABI == VMS_HIST_NR, "commit_buckets are fio's buckets");
_Static_assert(VMS_MAX_DISKS <= 26, "vda..vdz");

#define JBD2_BLOCK 4096u /* the guest's journal and page cache write whole 4 KiB blocks */

static const struct jbd2_records no_records;

const struct jbd2_records *jbd2_records(const struct vm_result *res)
{
	const struct jbd2_records *b = record_family_data(res, RECORD_FAMILY_jbd2);
	return b ? b : &no_records;
}

struct jbd2_records *jbd2_records_get(struct vm_result *res)
{
	return record_family_data_get(res, RECORD_FAMILY_jbd2, sizeof(struct jbd2_records));
}

void jbd2_disk_name(unsigned i, char *buf, size_t len)
{
	snprintf(buf, len, "vd%c", 'a' + (i < 26 ? i : 25));
}

const char *jbd2_mode_name(uint32_t data_mode)
{
	const char *w = knob_value_word(VMS_KNOB_journal_mode, data_mode);
	return w ? w : "?";
}

double jbd2_per_transaction(const struct vms_rec_jbd2 *r, uint64_t sum)
{
	return r->transactions ? (double)sum / (double)r->transactions : NAN;
}

double jbd2_write_amplification(const struct vms_rec_jbd2 *r)
{
	double disk = (double)r->data_bytes + (double)r->metadata_bytes + (double)r->journal_bytes;
	return r->file_bytes_written ? disk / (double)r->file_bytes_written : NAN;
}

uint64_t jbd2_commit_percentile(const struct vms_rec_jbd2 *r, double p)
{
	return hist_percentile(r->commit_buckets, VMS_HIST_NR, p);
}

/* The mount's settings: the knobs' ranges, the log's length and a quarter of it. */
static int jbd2_settings_check(const struct vms_rec_jbd2 *r, char *err, size_t errlen)
{
	const struct knob_desc *commit = &knob_table[VMS_KNOB_commit];

	if (!knob_value_word(VMS_KNOB_journal_mode, r->data_mode))
		return errorf(err, errlen, "journal record of disk %u: data_mode %u is no journal_mode", r->disk, r->data_mode);
	if (r->barrier > 1)
		return errorf(err, errlen, "journal record of disk %u: barrier %u, not 0 or 1", r->disk, r->barrier);
	if (r->commit_interval_s < commit->min || r->commit_interval_s > commit->max)
		return errorf(err, errlen, "journal record of disk %u: commit_interval_s %u outside the commit knob's %lld..%lld",
			      r->disk, r->commit_interval_s, (long long)commit->min, (long long)commit->max);
	/* jbd2_journal_init: a transaction may fill a quarter of the log (past its superblock) */
	if (!r->journal_blocks || !r->max_transaction_blocks || r->max_transaction_blocks > r->journal_blocks / 4)
		return errorf(err, errlen,
			      "journal record of disk %u: max_transaction_blocks %u, not within a quarter of the %u "
			      "journal_blocks",
			      r->disk, r->max_transaction_blocks, r->journal_blocks);
	return 0;
}

/* Without a commit, nothing a commit adds up can be there. */
static int jbd2_no_commits_check(const struct vms_rec_jbd2 *r, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		size_t off;
	} sums[] = {
#define F(m) { #m, offsetof(struct vms_rec_jbd2, m) }
		F(commits_forced), F(handles),	     F(blocks),		 F(blocks_logged),   F(wait_ns_sum),
		F(request_delay_ns_sum), F(run_ns_sum), F(lock_ns_sum), F(flush_ns_sum), F(logging_ns_sum),
		F(commit_ns_sum), F(commit_ns_max), F(checkpoints),
#undef F
	};
	for (size_t i = 0; i < sizeof(sums) / sizeof(sums[0]); i++) {
		uint64_t v;
		memcpy(&v, (const char *)r + sums[i].off, sizeof(v));
		if (v)
			return errorf(err, errlen, "journal record of disk %u: no transactions, %s %llu", r->disk,
				      sums[i].name, (unsigned long long)v);
	}
	return 0;
}

/*
 * What the commits add up to: the histogram holds each commit, the longest lies in its
 * highest bucket and the sum between it and transactions times it; the phases make up
 * the commit exactly (they are differences of the same timestamps); a transaction has a
 * handle at least, logs what it holds, and is requested or checkpointed once at most.
 */
static int jbd2_commits_check(const struct vms_rec_jbd2 *r, char *err, size_t errlen)
{
	uint64_t in_hist = hist_total(r->commit_buckets, VMS_HIST_NR);
	unsigned top = VMS_HIST_NR;
	unsigned d = r->disk;

	if (in_hist != r->transactions)
		return errorf(err, errlen, "journal record of disk %u: transactions %llu, %llu in commit_buckets", d,
			      (unsigned long long)r->transactions, (unsigned long long)in_hist);
	if (!r->transactions)
		return jbd2_no_commits_check(r, err, errlen);
	if (r->commits_forced > r->transactions)
		return errorf(err, errlen, "journal record of disk %u: commits_forced %llu of %llu transactions", d,
			      (unsigned long long)r->commits_forced, (unsigned long long)r->transactions);
	if (r->checkpoints > r->transactions)
		return errorf(err, errlen, "journal record of disk %u: checkpoints %llu, more than the %llu transactions", d,
			      (unsigned long long)r->checkpoints, (unsigned long long)r->transactions);
	if (r->handles < r->transactions)
		return errorf(err, errlen, "journal record of disk %u: handles %llu, fewer than the %llu transactions", d,
			      (unsigned long long)r->handles, (unsigned long long)r->transactions);
	if (r->blocks_logged < r->blocks)
		return errorf(err, errlen, "journal record of disk %u: blocks_logged %llu, fewer than the %llu blocks", d,
			      (unsigned long long)r->blocks_logged, (unsigned long long)r->blocks);
	if (!r->commits_forced && r->request_delay_ns_sum)
		return errorf(err, errlen, "journal record of disk %u: no commits requested, request_delay_ns_sum %llu", d,
			      (unsigned long long)r->request_delay_ns_sum);
	while (top > 0 && !r->commit_buckets[top - 1])
		top--;
	if (vms_hist_index(r->commit_ns_max) != top - 1)
		return errorf(err, errlen,
			      "journal record of disk %u: commit_ns_max %llu is not in the highest bucket of commit_buckets",
			      d, (unsigned long long)r->commit_ns_max);
	if (r->commit_ns_sum < r->commit_ns_max ||
	    (unsigned __int128)r->commit_ns_sum > (unsigned __int128)r->commit_ns_max * r->transactions)
		return errorf(err, errlen,
			      "journal record of disk %u: commit_ns_sum %llu outside [commit_ns_max, transactions x "
			      "commit_ns_max]",
			      d, (unsigned long long)r->commit_ns_sum);
	unsigned __int128 phases = (unsigned __int128)r->lock_ns_sum + r->flush_ns_sum + r->logging_ns_sum;
	if (phases != r->commit_ns_sum)
		return errorf(err, errlen,
			      "journal record of disk %u: lock_ns_sum + flush_ns_sum + logging_ns_sum is not commit_ns_sum "
			      "%llu",
			      d, (unsigned long long)r->commit_ns_sum);
	return 0;
}

/* The bytes: whole blocks, and the log's at least what the commits logged. */
static int jbd2_bytes_check(const struct vms_rec_jbd2 *r, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		size_t off;
	} bytes[] = {
		{ "data_bytes", offsetof(struct vms_rec_jbd2, data_bytes) },
		{ "metadata_bytes", offsetof(struct vms_rec_jbd2, metadata_bytes) },
		{ "journal_bytes", offsetof(struct vms_rec_jbd2, journal_bytes) },
	};
	for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) {
		uint64_t v;
		memcpy(&v, (const char *)r + bytes[i].off, sizeof(v));
		if (v % JBD2_BLOCK)
			return errorf(err, errlen, "journal record of disk %u: %s %llu is not whole 4 KiB blocks", r->disk,
				      bytes[i].name, (unsigned long long)v);
	}
	if ((unsigned __int128)r->blocks_logged * JBD2_BLOCK > r->journal_bytes)
		return errorf(err, errlen, "journal record of disk %u: journal_bytes %llu, less than the %llu blocks_logged",
			      r->disk, (unsigned long long)r->journal_bytes, (unsigned long long)r->blocks_logged);
	return 0;
}

/* The payload is records_parse's aligned copy: read in place, it is 7.6 KB. */
static int jbd2_disk_take(struct jbd2_records *b, const struct vms_rec_jbd2 *r, char *err, size_t errlen)
{
	if (r->disk >= VMS_MAX_DISKS)
		return errorf(err, errlen, "journal record for disk %u, at most %u disks", r->disk, VMS_MAX_DISKS);
	if (jbd2_settings_check(r, err, errlen) || jbd2_commits_check(r, err, errlen) || jbd2_bytes_check(r, err, errlen))
		return -1;
	if (b->seen[r->disk])
		return errorf(err, errlen, "journal record for disk %u a second time (one per unmount)", r->disk);
	b->disks[r->disk] = *r;
	b->seen[r->disk] = true;
	b->nr++;
	return 0;
}

/* An fsync record is a job's that writes files (guest workload/fio.c gives only those one). */
static int jbd2_fsync_take(struct jbd2_records *b, const struct vms_workload *wl, const struct vms_rec_jbd2_fsync *r,
			   char *err, size_t errlen)
{
	if (!wl || r->job >= wl->nr_jobs || r->job >= VMS_WL_MAX_JOBS)
		return errorf(err, errlen, "journal fsync record: job %u of %u", r->job, wl ? wl->nr_jobs : 0);
	const struct vms_job *j = &wl->jobs[r->job];
	bool writes = j->rw != VMS_RW_READ && j->rw != VMS_RW_RANDREAD;
	if (j->ioengine == VMS_IOENGINE_MEM || !j->path[0] || !writes)
		return errorf(err, errlen, "journal fsync record: job %u ('%.*s') writes no file", r->job, VMS_WL_NAME_LEN,
			      j->name);
	if (!r->fsyncs)
		return errorf(err, errlen, "journal fsync record of job %u: no fsyncs (the guest sends none then)", r->job);
	if (b->fsync_seen[r->job])
		return errorf(err, errlen, "journal fsync record for job %u a second time", r->job);
	if (array_grow((void **)&b->fsyncs, &b->cap_fsyncs, b->nr_fsyncs + 1, sizeof(*r)))
		return errorf(err, errlen, "out of host memory");
	b->fsyncs[b->nr_fsyncs++] = *r;
	b->fsync_seen[r->job] = 1;
	return 0;
}

static int jbd2_take(struct vm_result *res, const struct vms_workload *wl, uint32_t type, const void *payload,
		     uint32_t len, char *err, size_t errlen)
{
	struct jbd2_records *b = jbd2_records_get(res);

	(void)len; /* records_parse checked it against the type */
	if (!b)
		return errorf(err, errlen, "out of host memory");
	switch (type) {
	case VMS_REC_JBD2: return jbd2_disk_take(b, payload, err, errlen);
	case VMS_REC_JBD2_FSYNC: return jbd2_fsync_take(b, wl, payload, err, errlen);
	default: return errorf(err, errlen, "record type %u is not the journal's", type);
	}
}

static void jbd2_free(void *data)
{
	struct jbd2_records *b = data;
	free(b->fsyncs);
}

const struct record_family_ops jbd2_records_ops = {
	.name = "jbd2",
	.take = jbd2_take,
	.free = jbd2_free,
	.metrics = jbd2_metrics,
	.metric_docs = jbd2_metric_docs,
	.text = jbd2_text,
	.json = jbd2_json,
};
