/*
 * The journal's part of `vmsweep boot`'s summary: per mounted journal the lines of
 * Linux's /proc/fs/jbd2/DEV/info (fs/jbd2/journal.c's jbd2_seq_info_show: the same
 * words and units, integer division as there, so that what reads that file reads
 * these), then the commit times' percentiles and the bytes by kind; per fsyncing job
 * where its fsyncs' time went.
 */
#include "records/jbd2.h"
#include "vmm/vm.h"

#define MIB (1024.0 * 1024.0)

/* jbd2_seq_info_show's "%ums": a sum over transactions, per transaction, in whole ms. */
static unsigned long long avg_ms(uint64_t sum_ns, uint64_t n)
{
	return n ? (unsigned long long)(sum_ns / n / 1000000) : 0;
}

static void disk_text(FILE *out, const struct vms_rec_jbd2 *r, const char *disk)
{
	uint64_t n = r->transactions;

	fprintf(out, "journal %s (data=%s, barrier=%u, commit=%u s, %u blocks):\n", disk, jbd2_mode_name(r->data_mode),
		r->barrier, r->commit_interval_s, r->journal_blocks);
	fprintf(out, "  %llu transactions (%llu requested), each up to %u blocks\n", (unsigned long long)n,
		(unsigned long long)r->commits_forced, r->max_transaction_blocks);
	if (n) {
		fprintf(out, "  average: \n");
		fprintf(out, "    %llums waiting for transaction\n", avg_ms(r->wait_ns_sum, n));
		fprintf(out, "    %llums request delay\n", avg_ms(r->request_delay_ns_sum, r->commits_forced));
		fprintf(out, "    %llums running transaction\n", avg_ms(r->run_ns_sum, n));
		fprintf(out, "    %llums transaction was being locked\n", avg_ms(r->lock_ns_sum, n));
		fprintf(out, "    %llums flushing data (in ordered mode)\n", avg_ms(r->flush_ns_sum, n));
		fprintf(out, "    %llums logging transaction\n", avg_ms(r->logging_ns_sum, n));
		fprintf(out, "    %lluus average transaction commit time\n", (unsigned long long)(r->commit_ns_sum / n / 1000));
		fprintf(out, "    %llu handles per transaction\n", (unsigned long long)(r->handles / n));
		fprintf(out, "    %llu blocks per transaction\n", (unsigned long long)(r->blocks / n));
		fprintf(out, "    %llu logged blocks per transaction\n", (unsigned long long)(r->blocks_logged / n));
		fprintf(out, "  commit time: p50 %.3f ms, p99 %.3f ms, max %.3f ms; %llu checkpoints\n",
			(double)jbd2_commit_percentile(r, 50) * 1e-6, (double)jbd2_commit_percentile(r, 99) * 1e-6,
			(double)r->commit_ns_max * 1e-6, (unsigned long long)r->checkpoints);
	}
	fprintf(out, "  bytes: %.2f MiB written into files; to the disk %.2f MiB data, %.2f MiB metadata, %.2f MiB journal",
		(double)r->file_bytes_written / MIB, (double)r->data_bytes / MIB, (double)r->metadata_bytes / MIB,
		(double)r->journal_bytes / MIB);
	if (r->file_bytes_written)
		fprintf(out, ": write amplification %.2f", jbd2_write_amplification(r));
	fputc('\n', out);
}

static void fsync_text(FILE *out, const struct vms_rec_jbd2_fsync *f, const struct vms_workload *wl)
{
	double n = (double)f->fsyncs; /* > 0: taken so */

	/* f->job < wl->nr_jobs: taken so */
	fprintf(out,
		"  '%.*s' (job %u): %llu fsyncs, each %.3f ms writing its data, %.3f ms waiting for the commit, %.3f ms "
		"in the commit's I/O\n",
		VMS_WL_NAME_LEN, wl ? wl->jobs[f->job].name : "?", f->job, (unsigned long long)f->fsyncs,
		(double)f->data_ns_sum / n * 1e-6, (double)f->commit_wait_ns_sum / n * 1e-6,
		(double)f->commit_io_ns_sum / n * 1e-6);
}

void jbd2_text(FILE *out, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct jbd2_records *b = jbd2_records(res);

	for (unsigned i = 0; i < VMS_MAX_DISKS; i++) {
		char disk[8];
		if (!b->seen[i])
			continue;
		jbd2_disk_name(i, disk, sizeof(disk));
		disk_text(out, &b->disks[i], disk);
	}
	if (b->nr_fsyncs)
		fputs("journal fsyncs:\n", out);
	for (size_t i = 0; i < b->nr_fsyncs; i++)
		fsync_text(out, &b->fsyncs[i], wl);
}
