/*
 * Per-CPU time series through the samples ring, every sample_ms from the tick; and the
 * tick's global work (Linux's do_timer duty), on tick_do_timer_cpu: the memory
 * manager's and writeback's samples, and writeback's deadlines.
 */
#include <asm/tsc.h>
#include <kernel/boot.h>
#include <kernel/percpu.h>
#include <kernel/results.h>
#include <kernel/sampler.h>
#include <kernel/tick.h>
#include <mm/backing-dev.h>
#include <mm/writeback.h>
#include <mm/vmstat.h>

void sample_tick(struct cpu *c)
{
	u64 period = (u64)knob(sample_ms) * NSEC_PER_MSEC;
	u64 now = ktime_get_ns();

	if (READ_ONCE(tick_do_timer_cpu) == (int)c->id) {
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

/* A CPU with its tick stopped still samples every period: the host expects each CPU's series. */
u64 sample_next_event(struct cpu *c)
{
	return knob(sample_ms) ? c->next_sample_ns : UINT64_MAX;
}

u64 do_timer_next_event(void)
{
	return min(vmstat_next_sample_ns(), writeback_next_event());
}
