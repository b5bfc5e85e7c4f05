/*
 * ioengine=cpuio, fio's CPU burner (engines/cpu.c; the guest's is
 * guest/workload/fio_cpuio.c): its options cpuload=, cpuchunks=, cpumode= and
 * exit_on_io_done=, and the check when such a job ends, which keeps only what a cpuio
 * job uses. Which other options a cpuio job may set is decided in job_compile.c's table.
 */
#include <string.h>

#include "fio/job_compile_internal.h"
#include "util/parse.h"
#include "util/suggest.h"

#define CPUCHUNKS_DEFAULT 50000 /* fio's default cpuchunks, us */
#define CPUCHUNKS_MAX 60000000 /* a minute: a longer burn is no use between looks at runtime */

/* fio's cpuload: a percentage of one CPU; fio makes 0 an error and more than 100 into
 * 100, which a job file would not say: refused here. */
int opt_cpuload(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	int64_t v;

	if (parse_int_range(o->value, 0, INT64_MAX, &v, NULL, 0))
		return bad_value(c, o, "expected the percentage of one CPU the job uses, a whole number 1 to 100");
	if (v < 1)
		return bad_value(c, o, "expected the percentage of one CPU the job uses, 1 to 100 (fio fails a job "
				       "with 0: \"cpu thread needs rate\")");
	if (v > 100)
		return bad_value(c, o, "more than 100: the percentage of one CPU the job uses is 1 to 100 (fio would "
				       "make it 100)");
	jo->j.cpuload = (uint32_t)v;
	jo->cpuload_o = o;
	return 0;
}

/* fio's cpuchunks: the microseconds of one burn cycle, a plain number (fio would read
 * a suffix such as 10k as a multiplier, not as a time) */
int opt_cpuchunks(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	int64_t v;

	if (parse_int_range(o->value, 1, CPUCHUNKS_MAX, &v, NULL, 0))
		return bad_value(c, o, "expected the microseconds of a burn cycle as a whole number, 1 to %d (fio's "
				       "default is %d)", CPUCHUNKS_MAX, CPUCHUNKS_DEFAULT);
	jo->j.cpuchunks_us = (uint32_t)v;
	return 0;
}

int opt_cpumode(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	static const char *const modes[] = { [VMS_CPU_NOOP] = "noop", [VMS_CPU_QSORT] = "qsort" };

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(o->value, modes[i])) {
			jo->j.cpumode = (uint32_t)i;
			return 0;
		}
	}
	const char *near = name_suggest(o->value, modes, ARRAY_SIZE(modes));
	if (near)
		return bad_value(c, o, "expected noop or qsort (did you mean '%s'?)", near);
	return bad_value(c, o, "expected noop or qsort");
}

int opt_exit_on_io_done(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	bool v = false;

	if (flag_value(c, o, &v))
		return -1;
	jo->j.flags = v ? jo->j.flags | VMS_JOB_EXIT_ON_IO_DONE : jo->j.flags & ~VMS_JOB_EXIT_ON_IO_DONE;
	return 0;
}

void job_cpu_defaults(struct job_opts *jo)
{
	jo->j.cpuchunks_us = CPUCHUNKS_DEFAULT;
}

/* cpuload= and runtime= given (fio fails a job without the one and runs one without the
 * other forever); the rest cleared, so the guest gets nothing a cpuio job does not use. */
int job_cpu_check(struct compile *c, const struct fio_section *s, struct job_opts *jo)
{
	const uint32_t keep = VMS_JOB_TIME_BASED | VMS_JOB_GROUP_REPORTING | VMS_JOB_STONEWALL | VMS_JOB_EXIT_ON_IO_DONE;
	struct vms_job *j = &jo->j;

	if (!jo->cpuload_o)
		return compile_fail_at(c, s->file, s->line,
				       "job '%s': option 'cpuload': missing (ioengine=cpuio needs cpuload=, the "
				       "percentage of one CPU the job uses)", s->name);
	if (!j->runtime_ns)
		return compile_fail_at(c, s->file, s->line,
				       "job '%s': option 'runtime': missing (an ioengine=cpuio job runs until its "
				       "runtime= is over; fio's would run forever without one)", s->name);
	struct vms_job m = { .ioengine = VMS_IOENGINE_CPU, .iodepth = 1, .flags = j->flags & keep,
			     .runtime_ns = j->runtime_ns, .ramp_ns = j->ramp_ns, .startdelay_ns = j->startdelay_ns,
			     .cpus_allowed = j->cpus_allowed, .cpuload = j->cpuload, .cpuchunks_us = j->cpuchunks_us,
			     .cpumode = j->cpumode };
	memcpy(m.name, j->name, sizeof(m.name));
	*j = m;
	return 0;
}
