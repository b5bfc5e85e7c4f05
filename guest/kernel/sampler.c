/* Per-CPU time series through the samples ring, every sample_ms from the tick. */
#include <asm/tsc.h>
#include <kernel/boot.h>
#include <kernel/percpu.h>
#include <kernel/results.h>
#include <kernel/sampler.h>
#include <mm/writeback.h>
#include <mm/vmstat.h>

void sample_tick(struct cpu *c)
{
	u64 period = (u64)knob(sample_ms) * NSEC_PER_MSEC;
	u64 now = ktime_get_ns();

	if (c->id == 0) {
		vmstat_sample_tick();
		writeback_tick();
		writeback_sample_tick();
	}

	if (!period || now < c->next_sample_ns)
		return;
	c->next_sample_ns = now + period;
	struct vms_rec_sample s = {
		.tsc = rdtsc(),
		.cpu = c->id,
		.nr_switches = c->nr_switches,
		.nr_ticks = c->nr_ticks,
		.nr_running = c->rq.nr_queued + (c->rq.curr != c->rq.idle),
	};
	samples_record(VMS_REC_SAMPLE, &s, sizeof(s));
}
