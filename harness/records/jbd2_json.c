/*
 * The journal's part of `vmsweep boot --json`: "journal", one object per mounted
 * journal (the record's fields, the commit times as fio's clat_ns, the bytes by kind,
 * and the figures derived from them under the metrics' names), and "journal_fsync",
 * one object per fsyncing job. The guest's counters are clamped to JSON's signed
 * integers (util/clamp.h); a figure without a divisor is null.
 */
#include <jansson.h>
#include <math.h>

#include "records/jbd2.h"
#include "util/clamp.h"
#include "util/json_out.h"
#include "vmm/vm.h"

#define U(v) ((json_int_t)clamp_u64_ll(v)) /* a guest's counter as a JSON integer */

static const double fio_percentiles[] = { 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99 };

static json_t *real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* As fio's clat_ns: N, max, mean, and "percentile" when there were commits. */
static json_t *commit_json(const struct vms_rec_jbd2 *r)
{
	json_t *o = json_pack("{s:I, s:I, s:o}", "N", U(r->transactions), "max", U(r->commit_ns_max), "mean",
			      real_or_null(jbd2_per_transaction(r, r->commit_ns_sum)));
	if (r->transactions) {
		json_t *p = json_object();
		for (size_t i = 0; i < sizeof(fio_percentiles) / sizeof(fio_percentiles[0]); i++) {
			char key[32];
			snprintf(key, sizeof(key), "%f", fio_percentiles[i]);
			p = json_put(p, key, json_integer(U(jbd2_commit_percentile(r, fio_percentiles[i]))));
		}
		o = json_put(o, "percentile", p);
	}
	return o;
}

static json_t *disk_json(const struct vms_rec_jbd2 *r, const char *disk)
{
	double n = (double)r->transactions;
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "disk", disk, "data_mode", jbd2_mode_name(r->data_mode),
			      "barrier", U(r->barrier), "commit_interval_s", U(r->commit_interval_s), "journal_blocks",
			      U(r->journal_blocks), "max_transaction_blocks", U(r->max_transaction_blocks));
	static const struct {
		const char *name;
		size_t off;
	} counts[] = {
#define F(m) { #m, offsetof(struct vms_rec_jbd2, m) }
		F(transactions),  F(commits_forced), F(handles),     F(blocks),	      F(blocks_logged),
		F(checkpoints),	  F(wait_ns_sum),    F(request_delay_ns_sum),	      F(run_ns_sum),
		F(lock_ns_sum),	  F(flush_ns_sum),   F(logging_ns_sum), F(commit_ns_sum),
#undef F
	};
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		o = json_put(o, counts[i].name, json_integer(U(*(const uint64_t *)((const char *)r + counts[i].off))));
	o = json_put(o, "commit_ns", commit_json(r));
	o = json_put(o, "bytes",
		     json_pack("{s:I, s:I, s:I, s:I}", "data", U(r->data_bytes), "metadata", U(r->metadata_bytes), "journal",
			       U(r->journal_bytes), "workload", U(r->file_bytes_written)));
	/* derived, as the metrics name them */
	o = json_put(o, "write_amplification", real_or_null(jbd2_write_amplification(r)));
	o = json_put(o, "handles_per_transaction", real_or_null(jbd2_per_transaction(r, r->handles)));
	o = json_put(o, "blocks_per_transaction", real_or_null(jbd2_per_transaction(r, r->blocks)));
	o = json_put(o, "logged_blocks_per_transaction", real_or_null(jbd2_per_transaction(r, r->blocks_logged)));
	o = json_put(o, "commit_ms_avg", real_or_null((double)r->commit_ns_sum / n * 1e-6));
	o = json_put(o, "wait_ms_avg", real_or_null((double)r->wait_ns_sum / n * 1e-6));
	o = json_put(o, "request_delay_ms_avg",
		     real_or_null((double)r->request_delay_ns_sum / (double)r->commits_forced * 1e-6));
	o = json_put(o, "run_ms_avg", real_or_null((double)r->run_ns_sum / n * 1e-6));
	o = json_put(o, "lock_ms_avg", real_or_null((double)r->lock_ns_sum / n * 1e-6));
	o = json_put(o, "flush_ms_avg", real_or_null((double)r->flush_ns_sum / n * 1e-6));
	o = json_put(o, "logging_ms_avg", real_or_null((double)r->logging_ns_sum / n * 1e-6));
	return o;
}

static json_t *fsync_json(const struct vms_rec_jbd2_fsync *f, const struct vms_workload *wl)
{
	char name[VMS_WL_NAME_LEN + 1];
	double n = (double)f->fsyncs; /* > 0: taken so */

	/* f->job < wl->nr_jobs: taken so */
	snprintf(name, sizeof(name), "%.*s", VMS_WL_NAME_LEN, wl ? wl->jobs[f->job].name : "");
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f}", "jobname", name, "job", U(f->job), "fsyncs",
			 U(f->fsyncs), "data_ns", U(f->data_ns_sum), "commit_wait_ns", U(f->commit_wait_ns_sum),
			 "commit_io_ns", U(f->commit_io_ns_sum), "data_ms_avg", (double)f->data_ns_sum / n * 1e-6,
			 "commit_wait_ms_avg", (double)f->commit_wait_ns_sum / n * 1e-6, "commit_io_ms_avg",
			 (double)f->commit_io_ns_sum / n * 1e-6);
}

void jbd2_json(struct json_out *out, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct jbd2_records *b = jbd2_records(res);

	if (b->nr) {
		json_out_array_begin(out, "journal");
		for (unsigned i = 0; i < VMS_MAX_DISKS; i++) {
			char disk[8];
			if (!b->seen[i])
				continue;
			jbd2_disk_name(i, disk, sizeof(disk));
			json_out_array_add(out, disk_json(&b->disks[i], disk));
		}
		json_out_array_end(out);
	}
	if (b->nr_fsyncs) {
		json_out_array_begin(out, "journal_fsync");
		for (size_t i = 0; i < b->nr_fsyncs; i++)
			json_out_array_add(out, fsync_json(&b->fsyncs[i], wl));
		json_out_array_end(out);
	}
}
