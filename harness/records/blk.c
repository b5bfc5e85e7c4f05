/*
 * The block layer's records: per disk, how its completions were found (by the
 * interrupt, an idle CPU's poll, a waiting submitter's poll), the CPU time the polling
 * took, and the kicks (guest/block/blk-poll.c). What a completion mode costs and buys
 * is read here: blk_completion=hybrid should find most completions by polling and
 * spend a few microseconds of CPU per I/O doing so.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "records/family.h"
#include "store/store_internal.h"
#include "util/clamp.h"
#include "util/error.h"
#include "util/json_out.h"
#include "util/knob.h"
#include "vmm/vm.h"

struct blk_records {
	struct vms_rec_blk disks[VMS_MAX_DISKS];
	bool seen[VMS_MAX_DISKS];
	unsigned nr;
};

static const struct blk_records no_records;

static const struct blk_records *blk_records(const struct vm_result *res)
{
	const struct blk_records *b = record_family_data(res, RECORD_FAMILY_blk);
	return b ? b : &no_records;
}

static const char *const found_names[VMS_BLK_FOUND_NR] = { "irq", "idle_poll", "submitter_poll" };

static int blk_take(struct vm_result *res, const struct vms_workload *wl, uint32_t type, const void *payload,
		    uint32_t len, char *err, size_t errlen)
{
	struct vms_rec_blk r;
	struct blk_records *b;
	uint64_t found = 0;

	(void)wl;
	(void)len; /* records_parse checked it against the type */
	if (type != VMS_REC_BLK)
		return errorf(err, errlen, "record type %u is not the block layer's", type);
	memcpy(&r, payload, sizeof(r));
	if (r.disk >= VMS_MAX_DISKS)
		return errorf(err, errlen, "block queue record for disk %u, at most %u disks", r.disk, VMS_MAX_DISKS);
	if (!knob_value_word(VMS_KNOB_blk_completion, r.completion))
		return errorf(err, errlen, "block queue record of disk %u: completion mode %u", r.disk, r.completion);
	/* the guest resolves auto: it reports none or cfq (a word for the JSON and the text) */
	if (r.iosched != VMS_IOSCHED_NONE && r.iosched != VMS_IOSCHED_CFQ)
		return errorf(err, errlen, "block queue record of disk %u: I/O scheduler %u", r.disk, r.iosched);
	for (unsigned f = 0; f < VMS_BLK_FOUND_NR; f++) {
		if (r.found[f] > r.completed - found || found > r.completed)
			return errorf(err, errlen, "block queue record of disk %u: more completions found than the %llu made",
				      r.disk, (unsigned long long)r.completed);
		found += r.found[f];
	}
	/* Each completion is found by exactly one of the three (guest/block/blk-poll.c). */
	if (found != r.completed)
		return errorf(err, errlen, "block queue record of disk %u: %llu completions, %llu found", r.disk,
			      (unsigned long long)r.completed, (unsigned long long)found);
	if (!(b = record_family_data_get(res, RECORD_FAMILY_blk, sizeof(*b))))
		return errorf(err, errlen, "out of host memory");
	if (b->seen[r.disk])
		return errorf(err, errlen, "block queue record for disk %u a second time", r.disk);
	b->seen[r.disk] = true;
	b->disks[r.disk] = r;
	b->nr++;
	return 0;
}

static void disk_name(unsigned disk, char *buf, size_t len)
{
	snprintf(buf, len, "vd%c", 'a' + disk);
}

/* CPU time spent polling per request completed, ns; NaN without requests. */
static double poll_ns_per_io(const struct vms_rec_blk *r)
{
	return r->completed ? ((double)r->idle_poll_ns + (double)r->submitter_poll_ns) / (double)r->completed : NAN;
}

#define BLK_FIELD(name, member) EMIT_FIELD_AS(struct vms_rec_blk, member, name)
static const struct emit_field blk_fields[] = {
	BLK_FIELD("completions", completed),
	BLK_FIELD("completions_irq", found[VMS_BLK_FOUND_IRQ]),
	BLK_FIELD("completions_idle_poll", found[VMS_BLK_FOUND_IDLE_POLL]),
	BLK_FIELD("completions_submitter_poll", found[VMS_BLK_FOUND_SUBMITTER_POLL]),
	BLK_FIELD("idle_poll_ns", idle_poll_ns),
	BLK_FIELD("submitter_poll_ns", submitter_poll_ns),
	BLK_FIELD("poll_windows", poll_windows),
	BLK_FIELD("poll_windows_expired", poll_windows_expired),
	BLK_FIELD("kicks", kicks),
	BLK_FIELD("kicks_suppressed", kicks_suppressed),
};

/* The CFQ model's, for a disk that had it (iosched cfq). */
static const struct emit_field cfq_fields[] = {
	BLK_FIELD("cfq_sync_dispatched", cfq_sync_dispatched),
	BLK_FIELD("cfq_async_dispatched", cfq_async_dispatched),
	BLK_FIELD("cfq_async_held", cfq_async_held),
};

/* Writeback throttling's, for a disk that had it (wbt_lat_usec not 0). */
static const struct emit_field wbt_fields[] = {
	BLK_FIELD("wbt_throttled", wbt_throttled),
	BLK_FIELD("wbt_throttled_ns", wbt_throttled_ns),
	BLK_FIELD("wbt_windows", wbt_windows),
};

static void blk_metrics(struct emit *e, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct blk_records *b = blk_records(res);

	(void)wl;
	for (unsigned i = 0; i < VMS_MAX_DISKS; i++) {
		if (!b->seen[i])
			continue;
		char name[8], prefix[32];
		disk_name(i, name, sizeof(name));
		snprintf(prefix, sizeof(prefix), "disk.%s.", name);
		emit_fields(e, prefix, &b->disks[i], blk_fields, sizeof(blk_fields) / sizeof(blk_fields[0]));
		emit_put(e, poll_ns_per_io(&b->disks[i]), "disk.%s.poll_ns_per_io", name);
		const struct vms_rec_blk *r = &b->disks[i];
		if (r->iosched == VMS_IOSCHED_CFQ)
			emit_fields(e, prefix, r, cfq_fields, sizeof(cfq_fields) / sizeof(cfq_fields[0]));
		if (!r->wbt_lat_ns)
			continue;
		emit_fields(e, prefix, r, wbt_fields, sizeof(wbt_fields) / sizeof(wbt_fields[0]));
		emit_put(e, (double)r->wbt_max_depth, "disk.%s.wbt_max_depth", name);
		emit_put(e, (double)r->wbt_scale_step_min, "disk.%s.wbt_scale_step_min", name);
		emit_put(e, (double)r->wbt_scale_step_max, "disk.%s.wbt_scale_step_max", name);
	}
}

static const struct metric_doc blk_metric_docs[] = {
	{ "disk.*.completions", "requests the guest's block layer completed on the disk" },
	{ "disk.*.completions_irq", "of those, found by the completion interrupt" },
	{ "disk.*.completions_idle_poll", "found by an idle CPU polling its queues (blk_completion=hybrid)" },
	{ "disk.*.completions_submitter_poll", "found by a waiting submitter polling (poll; hybrid within its window; fio's hipri)" },
	{ "disk.*.idle_poll_ns", "guest CPU time idle CPUs spent polling the disk's queues" },
	{ "disk.*.submitter_poll_ns", "guest CPU time submitters spent polling the disk's queues" },
	{ "disk.*.poll_ns_per_io", "(idle_poll_ns + submitter_poll_ns) / completions: what the polling cost per I/O" },
	{ "disk.*.poll_windows", "hybrid polls of the disk's queues (an idle CPU's, or a waiting submitter's)" },
	{ "disk.*.poll_windows_expired", "hybrid polls that ran out of their window: the CPU slept or halted with I/O in flight" },
	{ "disk.*.kicks", "notifications the guest sent the device" },
	{ "disk.*.kicks_suppressed", "notifications not sent: the device said it was polling" },
	{ "disk.*.cfq_sync_dispatched", "iosched cfq: sync requests (reads, flushes, REQ_SYNC writes) sent to the disk" },
	{ "disk.*.cfq_async_dispatched", "iosched cfq: async requests (writeback's writes) sent to the disk" },
	{ "disk.*.cfq_async_held", "iosched cfq: times an async request was kept back, for sync I/O in flight or the async depth" },
	{ "disk.*.wbt_throttled", "writeback throttling (wbt_lat_usec): writes that waited for the disk to have room for them" },
	{ "disk.*.wbt_throttled_ns", "the time those writes waited, added up" },
	{ "disk.*.wbt_windows", "writeback throttling's monitoring windows (100 ms / sqrt(step + 1)) that ended" },
	{ "disk.*.wbt_max_depth", "writes in flight writeback throttling allowed at the end (REQ_SYNC's; normal half, background a quarter)" },
	{ "disk.*.wbt_scale_step_min", "the lowest scale step: below 0, writes only and the depth grown past 16 (up to 3/4 of the queue)" },
	{ "disk.*.wbt_scale_step_max", "the highest scale step: above 0, reads were slower than the target and the depth halved that many times" },
	{ NULL, NULL },
};

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void blk_text(FILE *out, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct blk_records *b = blk_records(res);

	(void)wl;
	for (unsigned i = 0; i < VMS_MAX_DISKS; i++) {
		const struct vms_rec_blk *r = &b->disks[i];
		char name[8];
		if (!b->seen[i] || !r->completed)
			continue;
		disk_name(i, name, sizeof(name));
		fprintf(out,
			"%s: %s completions: %llu, found by interrupt %.1f%%, idle poll %.1f%%, submitter poll %.1f%%; "
			"polling %.2f us per I/O; %llu hybrid polls, %llu ran out of their window; %llu kicks (%llu suppressed)\n",
			name, knob_value_word(VMS_KNOB_blk_completion, r->completion), (unsigned long long)r->completed,
			pct(r->found[VMS_BLK_FOUND_IRQ], r->completed), pct(r->found[VMS_BLK_FOUND_IDLE_POLL], r->completed),
			pct(r->found[VMS_BLK_FOUND_SUBMITTER_POLL], r->completed), poll_ns_per_io(r) / 1000.0,
			(unsigned long long)r->poll_windows, (unsigned long long)r->poll_windows_expired,
			(unsigned long long)r->kicks, (unsigned long long)r->kicks_suppressed);
		if (r->iosched == VMS_IOSCHED_CFQ)
			fprintf(out, "%s: iosched cfq: %llu sync and %llu async requests dispatched; async held back %llu times\n",
				name, (unsigned long long)r->cfq_sync_dispatched, (unsigned long long)r->cfq_async_dispatched,
				(unsigned long long)r->cfq_async_held);
		if (r->wbt_lat_ns)
			fprintf(out,
				"%s: writeback throttling at %.0f ms: %llu writes waited %.3f s in all; depth %u at the end "
				"(scale step %d, from %d to %d over %llu windows)\n",
				name, (double)r->wbt_lat_ns / 1e6, (unsigned long long)r->wbt_throttled,
				(double)r->wbt_throttled_ns / 1e9, r->wbt_max_depth, r->wbt_scale_step, r->wbt_scale_step_min,
				r->wbt_scale_step_max, (unsigned long long)r->wbt_windows);
	}
}

#define U(v) ((json_int_t)clamp_u64_ll(v))

static void blk_json(struct json_out *out, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct blk_records *b = blk_records(res);

	(void)wl;
	if (!b->nr)
		return;
	json_out_array_begin(out, "block");
	for (unsigned i = 0; i < VMS_MAX_DISKS; i++) {
		const struct vms_rec_blk *r = &b->disks[i];
		char name[8];
		if (!b->seen[i])
			continue;
		disk_name(i, name, sizeof(name));
		json_t *found = json_object();
		for (unsigned f = 0; f < VMS_BLK_FOUND_NR; f++)
			found = json_put(found, found_names[f], json_integer(U(r->found[f])));
		double per_io = poll_ns_per_io(r);
		json_t *wbt = !r->wbt_lat_ns ? json_null()
					     : json_pack("{s:I, s:I, s:I, s:I, s:i, s:i, s:i, s:i}", "lat_ns", U(r->wbt_lat_ns),
							 "throttled", U(r->wbt_throttled), "throttled_ns",
							 U(r->wbt_throttled_ns), "windows", U(r->wbt_windows), "max_depth",
							 (int)r->wbt_max_depth, "scale_step", r->wbt_scale_step,
							 "scale_step_min", r->wbt_scale_step_min, "scale_step_max",
							 r->wbt_scale_step_max);
		json_t *cfq = r->iosched != VMS_IOSCHED_CFQ
				      ? json_null()
				      : json_pack("{s:I, s:I, s:I}", "sync_dispatched", U(r->cfq_sync_dispatched),
						  "async_dispatched", U(r->cfq_async_dispatched), "async_held",
						  U(r->cfq_async_held));
		json_out_array_add(out, json_pack("{s:s, s:s, s:I, s:o, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:o, s:s, s:o}", "disk", name,
						  "completion", knob_value_word(VMS_KNOB_blk_completion, r->completion),
						  "completions", U(r->completed), "found", found, "idle_poll_ns",
						  U(r->idle_poll_ns), "submitter_poll_ns", U(r->submitter_poll_ns),
						  "poll_ns_per_io", per_io == per_io ? json_real(per_io) : json_null(),
						  "poll_windows", U(r->poll_windows), "poll_windows_expired",
						  U(r->poll_windows_expired), "kicks", U(r->kicks), "kicks_suppressed",
						  U(r->kicks_suppressed), "wbt", wbt, "iosched",
						  knob_value_word(VMS_KNOB_iosched, r->iosched), "cfq", cfq));
	}
	json_out_array_end(out);
}

const struct record_family_ops blk_records_ops = {
	.name = "blk",
	.take = blk_take,
	.metrics = blk_metrics,
	.metric_docs = blk_metric_docs,
	.text = blk_text,
	.json = blk_json,
};
