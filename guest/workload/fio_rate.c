/*
 * Rate limits, as fio's rate= and rate_iops= (fio's backend.c usec_for_io, io_u.c
 * rate_ddir). Each direction has a schedule, by rate_process:
 * - linear (fio's default): the I/O that follows B bytes of the direction is due at
 *   the schedule's start plus B over the rate (rate_iops=N is N * bs bytes a second).
 * - poisson: each I/O is due an exponential gap, of mean one period (a second over the
 *   rate in I/Os, of the direction's smallest block size), after the one before it was
 *   due: a Poisson process of arrivals, as fio draws it (in whole microseconds).
 * Either way an I/O issued late moves no later one, so the time lost is made up by
 * issuing what is due at once, up to the iodepth. An earlier version scheduled each I/O
 * a period after the previous one was issued: every late I/O was lost for good, and
 * rate_iops=10000 gave 7503 IOPS (4384 polled) where fio gives 9995.
 */
#include <asm/tsc.h>
#include <kernel/kernel.h>
#include <kernel/preempt.h>
#include <kernel/sched.h>
#include <kernel/timer.h>
#include <lib/random.h>
#include <vmsweep/rand_dist.h>
#include "fio.h"

#define USEC_PER_SEC 1000000ul

/* Each direction's own draws (fio's poisson_state), from the job's seed; once, as fio:
 * the end of ramp_time restarts the schedule, not the draws. */
void fio_rate_setup(struct fio_job_run *run)
{
	run->poisson_state[0] = (run->rand_state ^ 0x510e527fade682d1ull) * 0x9e3779b97f4a7c15ull | 1;
	run->poisson_state[1] = (run->rand_state ^ 0x9b05688c2b3e6c1full) * 0x9e3779b97f4a7c15ull | 1;
}

/* The schedule starts at the job's start, and again once ramp_time is over (fio's reset_all_stats). */
void fio_rate_start(struct fio_job_run *run, u64 now)
{
	const struct vms_job *j = run->job;

	run->rate_start_ns = now;
	for (int d = 0; d < 2; d++) {
		run->rate_bps[d] = j->rate_bps[d] ? j->rate_bps[d] : j->rate_iops[d] * fio_min_bs(j, d); /* fio's __setup_rate: min_bs */
		run->rate_issued[d] = 0;
		run->last_usec[d] = 0;
		run->next_issue_ns[d] = 0;
	}
}

/*
 * fio's poisson gap in microseconds: period * -ln(u), u in (0, 1], the period 10^6 / iops
 * in whole microseconds, iops the rate in I/Os of the direction's smallest block size
 * (fio's min_bs). Above 10^6 IOPS the period is 0, no pacing, as in fio; below one I/O
 * a second, where fio divides by zero, it is the rate's own.
 */
static u64 fio_poisson_gap_us(struct fio_job_run *run, int dir)
{
	u64 bps = run->rate_bps[dir], min_bs = fio_min_bs(run->job, dir), iops = bps / min_bs;
	u64 period_us = iops ? USEC_PER_SEC / iops : (u64)((unsigned __int128)min_bs * USEC_PER_SEC / bps);
	u32 r = (u32)(xorshift64_star(&run->poisson_state[dir]) >> 32);
	u64 gap;

	/* the x87 logarithm: no other task may use the x87 before it is done (rand_dist.h) */
	preempt_disable();
	gap = vms_x87_neg_log_scaled(r, period_us);
	preempt_enable();
	return gap;
}

void fio_rate_account(struct fio_job_run *run, int dir, u64 bytes)
{
	u64 bps = run->rate_bps[dir];

	if (!bps)
		return;
	if (run->job->flags & VMS_JOB_RATE_POISSON) {
		run->last_usec[dir] += fio_poisson_gap_us(run, dir);
		run->next_issue_ns[dir] = run->rate_start_ns + run->last_usec[dir] * NSEC_PER_USEC;
		return;
	}
	run->rate_issued[dir] += bytes;
	/* 128 bits: bytes * 10^9 overflows 64 after 18 GB */
	run->next_issue_ns[dir] = run->rate_start_ns + (u64)((unsigned __int128)run->rate_issued[dir] * NSEC_PER_SEC / bps);
}

/*
 * The direction to issue, as fio's rate_ddir: dir if its I/O is due; in a mixed job,
 * else the other direction if that one's is due (and the job does it at all); else
 * *due is set to the earlier of the two and that direction returned.
 */
int fio_rate_ddir(struct fio_job_run *run, int dir, u64 now, u64 *due)
{
	const struct vms_job *j = run->job;
	int odir = dir ^ 1;
	bool mixed = j->rw == VMS_RW_READWRITE || j->rw == VMS_RW_RANDRW;
	bool odir_used = odir == 0 ? j->rwmixread > 0 : j->rwmixread < 100;

	*due = 0;
	if (run->next_issue_ns[dir] <= now)
		return dir;
	if (mixed && odir_used) {
		if (run->next_issue_ns[odir] <= now)
			return odir;
		if (run->next_issue_ns[odir] < run->next_issue_ns[dir])
			dir = odir;
	}
	*due = run->next_issue_ns[dir];
	return dir;
}

/*
 * Until due, as fio's usec_sleep. Timers run on the periodic tick and fire up to a
 * tick after their time, so only what lies more than a tick ahead is slept; the rest
 * is spun, yielding the CPU to any other task. (There is no finer timer: the guest
 * keeps one periodic tick because each LAPIC deadline would cost a trap to CPL 0.)
 */
void fio_sleep_until(u64 due)
{
	u64 tick = HZ ? NSEC_PER_SEC / HZ : 0;

	for (;;) {
		u64 now = ktime_get_ns();
		if (now >= due)
			return;
		if (tick && due - now > tick) {
			set_current_state(TASK_UNINTERRUPTIBLE);
			schedule_timeout(due - now - tick);
		} else {
			yield();
		}
	}
}
