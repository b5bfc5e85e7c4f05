/*
 * The journal's part of a run's metric set: per mounted journal (journal.<vdX>.*) the
 * counts and averages of /proc/fs/jbd2/DEV/info, the commit time's percentiles from
 * its histogram (kept as journal.<vdX>.commit_ns for the report), the disk's bytes by
 * kind and the write amplification; per fsyncing job (journal.fsync.<job>.*, merged by
 * report name as fio merges a section's clones) the fsyncs' time split.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "records/jbd2.h"
#include "store/store_internal.h"
#include "util/clamp.h"
#include "util/hist_stats.h"
#include "vmm/vm.h"

#define MS 1e6 /* ns */

#define JBD2_FIELD(name, member) EMIT_FIELD_AS(struct vms_rec_jbd2, member, name)
static const struct emit_field jbd2_fields[] = {
	JBD2_FIELD("transactions", transactions),
	JBD2_FIELD("commits_forced", commits_forced),
	JBD2_FIELD("handles", handles),
	JBD2_FIELD("blocks", blocks),
	JBD2_FIELD("blocks_logged", blocks_logged),
	JBD2_FIELD("checkpoints", checkpoints),
	JBD2_FIELD("bytes_data", data_bytes),
	JBD2_FIELD("bytes_metadata", metadata_bytes),
	JBD2_FIELD("bytes_journal", journal_bytes),
	JBD2_FIELD("bytes_workload", file_bytes_written),
};

static void disk_metrics(struct emit *e, const struct vms_rec_jbd2 *r, const char *disk)
{
	char p[32];
	double n = (double)r->transactions;

	snprintf(p, sizeof(p), "journal.%s.", disk);
	emit_fields(e, p, r, jbd2_fields, sizeof(jbd2_fields) / sizeof(jbd2_fields[0]));
	emit_put(e, r->journal_blocks, "%sjournal_blocks", p);
	if (r->file_bytes_written)
		emit_put(e, jbd2_write_amplification(r), "%swrite_amplification", p);
	if (!r->transactions)
		return;
	emit_put(e, (double)r->commit_ns_sum / n / MS, "%scommit_ms_avg", p);
	emit_put(e, (double)r->commit_ns_max / MS, "%scommit_ms_max", p);
	static const struct {
		double p;
		const char *name;
	} pcts[] = { { 50, "p50" }, { 90, "p90" }, { 99, "p99" }, { 99.9, "p999" } };
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		emit_put(e, (double)jbd2_commit_percentile(r, pcts[i].p) / MS, "%scommit_%s_ms", p, pcts[i].name);
	emit_put(e, (double)r->wait_ns_sum / n / MS, "%swait_ms_avg", p);
	emit_put(e, (double)r->run_ns_sum / n / MS, "%srun_ms_avg", p);
	emit_put(e, (double)r->lock_ns_sum / n / MS, "%slock_ms_avg", p);
	emit_put(e, (double)r->flush_ns_sum / n / MS, "%sflush_ms_avg", p);
	emit_put(e, (double)r->logging_ns_sum / n / MS, "%slogging_ms_avg", p);
	if (r->commits_forced)
		emit_put(e, (double)r->request_delay_ns_sum / (double)r->commits_forced / MS, "%srequest_delay_ms_avg", p);
	emit_put(e, jbd2_per_transaction(r, r->handles), "%shandles_per_transaction", p);
	emit_put(e, jbd2_per_transaction(r, r->blocks), "%sblocks_per_transaction", p);
	emit_put(e, jbd2_per_transaction(r, r->blocks_logged), "%slogged_blocks_per_transaction", p);
	char name[STORE_NAME_MAX];
	snprintf(name, sizeof(name), "journal.%s.commit_ns", disk);
	struct store_hist *h = store_run_hist(e->r, name);
	if (!h) {
		e->bad++;
		return;
	}
	hist_merge(h->counts, r->commit_buckets, VMS_HIST_NR);
}

/* One report entry: a job, its section's clones, or its group (group_reporting). */
struct fsync_entry {
	char name[VMS_WL_NAME_LEN + 1];
	uint64_t fsyncs, data_ns, commit_wait_ns, commit_io_ns;
};
_Static_assert(offsetof(struct fsync_entry, name) == 0, "job_entry_find reads the name first");

static void fsync_metrics(struct emit *e, const struct jbd2_records *b, const struct vms_workload *wl)
{
	if (!wl || !b->nr_fsyncs || !wl->nr_jobs)
		return;
	unsigned ne = 0;
	struct fsync_entry *ent = calloc(b->nr_fsyncs, sizeof(*ent));
	if (!ent) {
		e->bad++;
		return;
	}
	for (size_t i = 0; i < b->nr_fsyncs; i++) {
		const struct vms_rec_jbd2_fsync *r = &b->fsyncs[i]; /* r->job < wl->nr_jobs: taken so */
		unsigned x = job_entry_find(wl, r->job, ent, sizeof(*ent), ne);
		ne += x == ne;
		ent[x].fsyncs = add_sat_u64(ent[x].fsyncs, r->fsyncs);
		ent[x].data_ns = add_sat_u64(ent[x].data_ns, r->data_ns_sum);
		ent[x].commit_wait_ns = add_sat_u64(ent[x].commit_wait_ns, r->commit_wait_ns_sum);
		ent[x].commit_io_ns = add_sat_u64(ent[x].commit_io_ns, r->commit_io_ns_sum);
	}
	for (unsigned x = 0; x < ne; x++) {
		double n = (double)ent[x].fsyncs; /* > 0: taken so */
		emit_put(e, n, "journal.fsync.%s.fsyncs", ent[x].name);
		emit_put(e, (double)ent[x].data_ns / n / MS, "journal.fsync.%s.data_ms_avg", ent[x].name);
		emit_put(e, (double)ent[x].commit_wait_ns / n / MS, "journal.fsync.%s.commit_wait_ms_avg", ent[x].name);
		emit_put(e, (double)ent[x].commit_io_ns / n / MS, "journal.fsync.%s.commit_io_ms_avg", ent[x].name);
	}
	free(ent);
}

void jbd2_metrics(struct emit *e, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct jbd2_records *b = jbd2_records(res);

	for (unsigned i = 0; i < VMS_MAX_DISKS; i++) {
		char disk[8];
		if (!b->seen[i])
			continue;
		jbd2_disk_name(i, disk, sizeof(disk));
		disk_metrics(e, &b->disks[i], disk);
	}
	fsync_metrics(e, b, wl);
}

const struct metric_doc jbd2_metric_docs[] = {
	{ "journal.fsync.*.fsyncs", "fsyncs of a job's files on a journaled ext3 (per job, as fio reports it)" },
	{ "journal.fsync.*.data_ms_avg", "per fsync: writing the file's dirty pages and waiting for them, ms" },
	{ "journal.fsync.*.commit_wait_ms_avg", "per fsync: waiting for its transaction's commit apart from the commit's own I/O (other handles, a checkpoint, data=ordered's data of every file), ms" },
	{ "journal.fsync.*.commit_io_ms_avg", "per fsync: the commit's own I/O it waited on (log and commit blocks), ms" },
	{ "journal.*.transactions", "transactions the disk's journal committed (per disk: vda, vdb, ...; /proc/fs/jbd2's \"transactions\")" },
	{ "journal.*.commits_forced", "of those, requested: by fsync, O_SYNC or a full transaction, not kjournald's timer (/proc's \"requested\")" },
	{ "journal.*.handles", "handles over all transactions" },
	{ "journal.*.blocks", "blocks in the transactions (metadata; data=journal's file pages too)" },
	{ "journal.*.blocks_logged", "log blocks the commits wrote: those, descriptors, revoke and commit blocks" },
	{ "journal.*.checkpoints", "times the log ran short and was emptied by writing everything home" },
	{ "journal.*.bytes_data", "bytes of files' pages written to the disk" },
	{ "journal.*.bytes_metadata", "bytes of metadata written to the disk at home (checkpoints, writeback)" },
	{ "journal.*.bytes_journal", "bytes written to the journal: its blocks and its superblock" },
	{ "journal.*.bytes_workload", "bytes the workload wrote into files (buffered writes)" },
	{ "journal.*.journal_blocks", "the log's length, 4 KiB blocks" },
	{ "journal.*.write_amplification", "(bytes_data + bytes_metadata + bytes_journal) / bytes_workload: bytes that reached the disk per byte written" },
	{ "journal.*.commit_ms_avg", "mean commit time, ms (/proc's average transaction commit time)" },
	{ "journal.*.commit_ms_max", "longest commit, ms" },
	{ "journal.*.commit_p[0-9]*_ms", "commit time percentiles p50, p90, p99, p999 from fio's buckets, ms" },
	{ "journal.*.wait_ms_avg", "per transaction, the longest a handle waited for it to begin, ms (/proc's waiting for transaction)" },
	{ "journal.*.request_delay_ms_avg", "per requested transaction, from the request to its commit's start, ms (/proc's request delay)" },
	{ "journal.*.run_ms_avg", "per transaction, its first handle to its commit's start, ms (/proc's running transaction)" },
	{ "journal.*.lock_ms_avg", "per commit, new handles held off: open handles finishing, log space, copies, ms (/proc's transaction was being locked)" },
	{ "journal.*.flush_ms_avg", "per commit, writing its ordered data home, ms (/proc's flushing data)" },
	{ "journal.*.logging_ms_avg", "per commit, writing its log and commit blocks, ms (/proc's logging transaction)" },
	{ "journal.*.handles_per_transaction", "handles / transactions" },
	{ "journal.*.blocks_per_transaction", "blocks / transactions" },
	{ "journal.*.logged_blocks_per_transaction", "blocks_logged / transactions" },
	{ NULL, NULL },
};
