/*
 * fio's cpuio engine (engines/cpu.c of fio 3.33): a job that uses cpuload percent of
 * a CPU instead of doing I/O. Each cycle burns cpuchunks us (cpumode=noop: the
 * compute loop until the clock says so, as fio's usec_spin) or sorts (cpumode=qsort:
 * fio's four sorts of 256 Ki numbers, the cycle then being their time, as fio adjusts
 * it), then sleeps cycle * (100 - cpuload) / cpuload, fio's thinktime after each
 * "I/O". fio counts each cycle as a read of no data: read.total_ios the cycles, their
 * clat and lat the cycle's time, a runtime of 0 (no bytes), and usr_cpu the task's.
 *
 * The burn runs at CPL 3 like the rest of the guest kernel, so at native speed; the
 * sleep is on the tick's timers (it ends at the first tick after it is due).
 * Unlike fio, a noop cycle or a sleep never runs past the job's runtime (a sort runs whole).
 */
#include <asm/tsc.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/timer.h>
#include <lib/sort.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include <vmsweep/compute_loop.h>
#include "fio.h"

#define CPUIO_BATCH 1024 /* compute-loop iterations between looks at the clock (about a microsecond) */
#define QSORT_SIZE (256u << 10) /* fio's qsort_size: 32-bit numbers sorted a cycle */

/* fio's mwc32: Marsaglia's multiply-with-carry, the sort's data */
static u32 mwc32(u32 *w, u32 *z)
{
	*z = 36969 * (*z & 65535) + (*z >> 16);
	*w = 18000 * (*w & 65535) + (*w >> 16);
	return (*z << 16) + *w;
}

/* fio's stress_qsort_cmp_1, _2 and _3 */
static int cmp_up(const void *p1, const void *p2)
{
	int32_t a = *(const int32_t *)p1, b = *(const int32_t *)p2;
	return a > b ? 1 : a < b ? -1 : 0;
}

static int cmp_down(const void *p1, const void *p2)
{
	return cmp_up(p2, p1);
}

static int cmp_byte(const void *p1, const void *p2)
{
	return *(const int8_t *)p1 - *(const int8_t *)p2;
}

void fio_cpuio_setup(struct fio_job_run *run, const struct vms_job *j, unsigned index)
{
	memset(run, 0, sizeof(*run));
	run->job = j;
	run->rec.job = index;
	init_waitqueue_head(&run->wq);
	spin_lock_init(&run->stat_lock);
	run->cpucycle_ns = (u64)j->cpuchunks_us * NSEC_PER_USEC;
	if (j->cpumode != VMS_CPU_QSORT)
		return;
	u32 w = 521288629u, z = 362436069u; /* fio's qsort_init: the same data each time */
	run->qsort_data = alloc_pages_exact(QSORT_SIZE * sizeof(int32_t));
	if (!run->qsort_data)
		panic("fio: no memory for cpumode=qsort's %u KiB (job %s)", QSORT_SIZE * 4 / 1024, j->name);
	for (u32 i = 0; i < QSORT_SIZE; i++)
		run->qsort_data[i] = (int32_t)mwc32(&w, &z);
}

void fio_cpuio_teardown(struct fio_job_run *run)
{
	if (run->qsort_data)
		free_pages_exact(run->qsort_data, QSORT_SIZE * sizeof(int32_t));
}

/* fio's do_qsort: up, down, by byte, down again */
static void cpuio_qsort(struct fio_job_run *run)
{
	sort(run->qsort_data, QSORT_SIZE, sizeof(int32_t), cmp_up);
	sort(run->qsort_data, QSORT_SIZE, sizeof(int32_t), cmp_down);
	sort(run->qsort_data, QSORT_SIZE * sizeof(int32_t), 1, cmp_byte);
	sort(run->qsort_data, QSORT_SIZE, sizeof(int32_t), cmp_down);
}

/* fio's usec_spin, with counted work: the loop's result is kept, so none of it is dropped. */
static void cpuio_spin(struct fio_job_run *run, u64 until)
{
	u64 x = run->cpu_sink;

	while (ktime_get_ns() < until) {
		x = vms_compute_loop(CPUIO_BATCH, x);
		run->rec.cpu_loops += CPUIO_BATCH;
	}
	WRITE_ONCE(run->cpu_sink, x);
}

/* fio's usec_sleep: asleep until due (the timer fires on the first tick after it). */
static void cpuio_sleep_until(u64 due)
{
	for (u64 now = ktime_get_ns(); now < due; now = ktime_get_ns()) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule_timeout(due - now);
	}
}

/* fio's cpuio queue: exit_on_io_done ends the job once every disk job is done (with
 * none at all, fio's "only cpuio threads", it runs on). */
static bool cpuio_io_done(const struct vms_job *j)
{
	return (j->flags & VMS_JOB_EXIT_ON_IO_DONE) && fio_disk_jobs && !READ_ONCE(fio_disk_jobs_left);
}

int fio_cpuio_thread(void *data)
{
	struct fio_job_run *run = data;
	const struct vms_job *j = run->job;

	if (j->cpus_allowed) /* fio_setaffinity, as the disk jobs do */
		set_cpus_allowed(current, j->cpus_allowed);
	if (j->startdelay_ns)
		msleep((unsigned)max(j->startdelay_ns / NSEC_PER_MSEC, 1ul));
	fio_stats_start(run);
	run->rec.start_ns = ktime_get_ns();
	run->ramping = j->ramp_ns != 0;
	run->measure_start_ns = run->rec.start_ns + j->ramp_ns;
	u64 end = run->measure_start_ns + j->runtime_ns; /* the compiler insists on a runtime, as fio needs one */
	for (u64 now = run->rec.start_ns; now < end && !cpuio_io_done(j); now = ktime_get_ns()) {
		if (run->ramping && now >= run->measure_start_ns)
			WRITE_ONCE(run->ramping, false);
		if (j->cpumode == VMS_CPU_QSORT) {
			cpuio_qsort(run);
			run->cpucycle_ns = ktime_get_ns() - now;
		} else {
			cpuio_spin(run, min(now + run->cpucycle_ns, end));
		}
		u64 done = ktime_get_ns();
		fio_stats_cycle_done(run, now, done);
		/* fio's thinktime = cpucycle * (100 - cpuload) / cpuload, after each cycle */
		u64 think = run->cpucycle_ns * (100 - j->cpuload) / j->cpuload;
		if (think)
			cpuio_sleep_until(min(done + think, end));
	}
	run->rec.end_ns = ktime_get_ns();
	for (int d = 0; d < 2; d++) /* no bytes: fio's update_runtime leaves 0 */
		run->rec.dir[d].runtime_ns = 0;
	fio_stats_finish(run);
	complete(run->done);
	return 0;
}
