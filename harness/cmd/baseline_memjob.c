/*
 * A memory job (ioengine=mem, vmsweep's own engine) for the Linux guest's fio: fio has
 * no such engine, so the job becomes an exec job that runs vmsweep-memjob
 * (linux-guest/memjob.c) with the compiled job's numbers. fio keeps what it is good at:
 * startdelay, the group, stonewall, cpus_allowed (the child inherits the job's CPUs).
 *
 * fio's exec engine ends its job at runtime, not when the program exits (it never
 * waits for it): so the program keeps its own clock and exits at its deadline, and the
 * exec job runs EXEC_MARGIN longer, so that fio's SIGTERM (sent once runtime has passed,
 * then grace_time seconds before SIGKILL) finds it done. A job without a runtime (one
 * pass) has no end fio could wait for, and is refused.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cmd/baseline.h"
#include "util/error.h"

#define EXEC_MARGIN_NS UINT64_C(250000000)
#define MEMJOB_PROGRAM "/bin/vmsweep-memjob" /* on the initramfs (linux-guest/build.sh) */
#define MEMJOB_DIR "/run/vmsweep-mem" /* init sends what is there as the section `mem` */

/* workload/memjob.c's seeding, so that the guest's and Linux's random pages are the same */
static uint64_t mem_seed(const struct vms_job *j, uint64_t run_seed)
{
	uint64_t s = (j->randseed ? j->randseed : 0x89abcdefull) ^ ((uint64_t)j->clone * 0x9e3779b97f4a7c15ull);
	if (!(j->flags & VMS_JOB_RANDREPEAT))
		s ^= run_seed * 0xbf58476d1ce4e5b9ull;
	return s ? s : 1;
}

int baseline_mem_job_write(FILE *f, unsigned idx, const struct vms_job *j, bool new_group, uint64_t run_seed,
			   char *err, size_t errlen)
{
	static const char *const access[] = { [VMS_MEM_SEQ] = "seq", [VMS_MEM_RANDOM] = "random",
					      [VMS_MEM_CHURN] = "churn" };
	char t[32];

	if (!j->runtime_ns)
		return errorf(err, errlen, "job '%s': a memory job without runtime= cannot run on Linux: fio's exec "
			      "engine ends a job at its runtime, never when its program exits", j->name);
	if (j->mem_access >= sizeof(access) / sizeof(access[0]))
		return errorf(err, errlen, "job '%s': unknown mem_access", j->name);
	if (j->rwmixread > 100 || (j->rwmixread && j->mem_access == VMS_MEM_CHURN))
		return errorf(err, errlen, "job '%s': rwmixread=%" PRIu32 " is not a percentage of a seq or random job's "
			      "accesses", j->name, j->rwmixread);
	baseline_job_header_write(f, idx, j);
	fputs("ioengine=exec\nprogram=" MEMJOB_PROGRAM "\n", f);
	fprintf(f, "arguments=--job %u --size %" PRIu64 " --access %s", idx, j->size, access[j->mem_access]);
	if (j->mem_access == VMS_MEM_RANDOM && j->mem_working_set)
		fprintf(f, " --ws %" PRIu64, j->mem_working_set);
	if (j->rwmixread)
		fprintf(f, " --rwmixread %" PRIu32, j->rwmixread);
	fprintf(f, " --runtime %" PRIu64, j->runtime_ns);
	if (j->ramp_ns)
		fprintf(f, " --ramp %" PRIu64, j->ramp_ns);
	if (j->thinktime_ns)
		fprintf(f, " --think %" PRIu64, j->thinktime_ns);
	fprintf(f, " --seed %" PRIu64 " --out " MEMJOB_DIR "/%u\n", mem_seed(j, run_seed), idx);
	/* the program's ramp and runtime are fio's runtime; thinktime is the program's, as
	 * the exec engine takes fio's thinktime for its own polling */
	fprintf(f, "runtime=%s\ntime_based\n", baseline_time_format(j->ramp_ns + j->runtime_ns + EXEC_MARGIN_NS, t, sizeof(t)));
	fputs("grace_time=1\n", f); /* seconds: for a program late at its deadline (a swap storm) */
	fputs("std_redirect=0\n", f); /* the program prints nothing on stdout; its errors reach fio.stderr */
	if (j->startdelay_ns)
		fprintf(f, "startdelay=%s\n", baseline_time_format(j->startdelay_ns, t, sizeof(t)));
	baseline_cpus_allowed_write(f, j->cpus_allowed);
	baseline_job_group_write(f, j, new_group);
	return 0;
}
