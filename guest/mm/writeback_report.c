/*
 * What writeback reports: every sample_ms the global dirty state and each disk's
 * estimates (the data of Linux's global_dirty_state and bdi_dirty_ratelimit
 * tracepoints), and at the end the run's sums: who wrote how many pages, the flusher
 * work done, congestion, and the pdflush pool's life.
 */
#include <asm/tsc.h>
#include <kernel/blkdev.h>
#include <kernel/boot.h>
#include <kernel/kernel.h>
#include <kernel/results.h>
#include <lib/string.h>
#include <mm/writeback.h>

static u64 next_sample_ns;

u64 writeback_next_sample_ns(void)
{
	return knob(sample_ms) && bdi_count() ? next_sample_ns : UINT64_MAX;
}

void writeback_sample_tick(void)
{
	u64 period = (u64)knob(sample_ms) * NSEC_PER_MSEC, now = ktime_get_ns();

	if (!period || now < next_sample_ns || !bdi_count())
		return;
	next_sample_ns = now + period;
	struct vms_rec_wb_sample s = { .tsc = rdtsc() };
	struct dirty_limits dl;
	global_dirty_limits(&dl);
	s.nr_dirty = global_nr_dirty();
	s.nr_writeback = global_nr_writeback();
	s.bg_thresh = dl.bg_thresh;
	s.thresh = dl.thresh;
	s.freerun = dl.freerun;
	s.setpoint = dl.setpoint;
	s.limit = dl.limit;
	s.nr_pdflush_threads = knob(writeback_model) == VMS_WB_PDFLUSH ? pdflush_nr_threads() : 0;
	s.nr_disks = min(bdi_count(), (unsigned)VMS_MAX_DISKS);
	for (unsigned i = 0; i < s.nr_disks; i++) {
		struct backing_dev_info *bdi = bdi_of(i);
		struct bdi_writeback *wb = &bdi->wb;
		struct vms_wb_disk_sample *d = &s.disks[i];
		d->wb_dirty = (u64)(wb_stat(wb, WB_RECLAIMABLE) + wb_stat(wb, WB_WRITEBACK));
		d->wb_thresh = wb_calc_thresh(wb, dl.thresh);
		d->dirty_ratelimit = READ_ONCE(wb->bw.dirty_ratelimit);
		d->balanced_dirty_ratelimit = READ_ONCE(wb->bw.balanced_dirty_ratelimit);
		d->write_bw = READ_ONCE(wb->bw.write_bandwidth);
		d->avg_write_bw = READ_ONCE(wb->bw.avg_write_bandwidth);
		d->dirty_rate = READ_ONCE(wb->bw.dirty_rate);
		d->congested = bdi_write_congested(bdi);
		d->writeback_running = writeback_in_progress(wb);
	}
	samples_record(VMS_REC_WB_SAMPLE, &s, sizeof(s));
}

void writeback_report(void)
{
	struct vms_rec_wb r = { .model = (u32)knob(writeback_model) };
	struct dirty_limits dl;

	if (!bdi_count())
		return;
	global_dirty_limits(&dl);
	r.dirty_ratio = knob(dirty_bytes) ? 0 : dirty_ratio_resolved();
	r.dirty_background_ratio = knob(dirty_background_bytes) ? 0 : dirty_background_ratio_resolved();
	r.dirty_bytes = (u64)knob(dirty_bytes);
	r.dirty_background_bytes = (u64)knob(dirty_background_bytes);
	r.dirtyable_at_end = dl.dirtyable;
	r.thresh_at_end = dl.thresh;
	r.bg_thresh_at_end = dl.bg_thresh;
	r.ratelimit_pages = ratelimit_pages;
	if (knob(writeback_model) == VMS_WB_PDFLUSH)
		pdflush_report(&r);
	r.nr_disks = min(bdi_count(), (unsigned)VMS_MAX_DISKS);
	u64 now = ktime_get_ns();
	for (unsigned i = 0; i < r.nr_disks; i++) {
		struct backing_dev_info *bdi = bdi_of(i);
		struct bdi_writeback *wb = &bdi->wb;
		memcpy(r.disks[i].name, bdi->disk->disk_name, sizeof(r.disks[i].name));
		r.disks[i].dirtied = (u64)wb_stat(wb, WB_DIRTIED);
		r.disks[i].written = (u64)wb_stat(wb, WB_WRITTEN);
		for (int k = 0; k < VMS_WB_BY_NR; k++)
			r.disks[i].written_by[k] = READ_ONCE(bdi->written_by[k]);
		for (int k = 0; k < WB_REASON_NR; k++)
			r.disks[i].works[k] = READ_ONCE(bdi->works[k]);
		r.disks[i].congestion_waits = READ_ONCE(bdi->congestion_waits);
		r.disks[i].congested_ns = READ_ONCE(bdi->congested_ns) +
					  (bdi_write_congested(bdi) ? now - READ_ONCE(bdi->congested_since_ns) : 0);
		r.disks[i].flusher_busy_ns = READ_ONCE(bdi->flusher_busy_ns);
	}
	results_record(VMS_REC_WB, &r, sizeof(r));
}
