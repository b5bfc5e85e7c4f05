/*
 * ioengine=mem jobs, vmsweep's extension (workloads/README.md): a job that holds
 * anonymous memory of size= and touches it (mem_access=, reads and writes as
 * rwmixread= says) instead of doing I/O. Their
 * own options, and the check when such a job ends, which also clears every disk field
 * so the guest gets nothing a memory job does not use. Which options a memory job may
 * set at all is decided with the others, in job_compile.c's table.
 */
#include <string.h>

#include "fio/job_compile_internal.h"
#include "util/parse.h"
#include "util/suggest.h"

#define PAGE 4096ull /* the unit of ioengine=mem's memory */

/* mem_access= values, indexed by VMS_MEM_*. */
static const char *const mem_access_names[] = { [VMS_MEM_SEQ] = "seq", [VMS_MEM_RANDOM] = "random",
						[VMS_MEM_CHURN] = "churn" };

int opt_mem_access(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(mem_access_names); i++) {
		if (strcmp(o->value, mem_access_names[i]) == 0) {
			jo->j.mem_access = (uint32_t)i;
			return 0;
		}
	}
	const char *near = name_suggest(o->value, mem_access_names, ARRAY_SIZE(mem_access_names));
	if (near)
		return bad_value(c, o, "expected seq, random or churn (did you mean '%s'?)", near);
	return bad_value(c, o, "expected seq, random or churn");
}

/* A size, or N% of the job's size (resolved when the job ends: size may come later). */
int opt_mem_working_set(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	size_t n = strlen(o->value);

	if (n && o->value[n - 1] == '%') {
		char num[32];
		int64_t pct;
		if (n - 1 >= sizeof(num))
			return bad_value(c, o, "expected a size or a percentage of size= such as 50%%");
		memcpy(num, o->value, n - 1);
		num[n - 1] = '\0';
		if (parse_int_range(num, 1, 100, &pct, NULL, 0))
			return bad_value(c, o, "expected a whole percentage of size=, 1%% to 100%%");
		jo->ws_percent = (uint32_t)pct;
		jo->j.mem_working_set = 0;
	} else {
		if (size_parse(c, o, "", o->value, &jo->j.mem_working_set))
			return -1;
		jo->ws_percent = 0;
	}
	jo->ws_o = o;
	return 0;
}

/* size= in whole pages (rounded up), the working set resolved, and the disk fields
 * cleared: what the guest gets holds nothing a memory job does not use. */
int job_mem_check(struct compile *c, const struct fio_section *s, struct job_opts *jo)
{
	const uint32_t keep = VMS_JOB_TIME_BASED | VMS_JOB_RANDREPEAT | VMS_JOB_GROUP_REPORTING | VMS_JOB_STONEWALL;
	const struct fio_option *so = jo->size_o, *wo = jo->ws_o;
	struct vms_job *j = &jo->j;
	char b1[32], b2[32];

	if (!so)
		return compile_fail_at(c, s->file, s->line,
				       "job '%s': option 'size': missing (ioengine=mem needs size=, the job's "
				       "anonymous memory)", s->name);
	if (j->size < PAGE)
		return compile_fail_at(c, so->file, so->line, "size=%s: less than one 4 KiB page (job '%s')", so->value,
				       s->name);
	if (j->size > UINT64_MAX - (PAGE - 1))
		return compile_fail_at(c, so->file, so->line, "size=%s: too large (job '%s')", so->value, s->name);
	j->size = (j->size + PAGE - 1) / PAGE * PAGE;

	bool own_ws = wo && wo >= s->opts && wo < s->opts + s->nr_opts;
	if (wo && j->mem_access != VMS_MEM_RANDOM) {
		if (own_ws)
			return compile_fail_at(c, wo->file, wo->line,
					       "mem_working_set=%s: only meaningful with mem_access=random (job '%s' "
					       "has mem_access=%s)", wo->value, s->name,
					       mem_access_names[j->mem_access]);
		wo = NULL; /* inherited from [global]: for the random jobs */
	}
	uint64_t ws = 0;
	if (wo) {
		/* N% of size without overflow, rounded up to pages as size is */
		ws = jo->ws_percent ? j->size / 100 * jo->ws_percent + (j->size % 100 * jo->ws_percent + 99) / 100
				    : j->mem_working_set;
		if (ws > UINT64_MAX - (PAGE - 1))
			return compile_fail_at(c, wo->file, wo->line, "mem_working_set=%s: too large (job '%s')",
					       wo->value, s->name);
		ws = (ws + PAGE - 1) / PAGE * PAGE;
		if (ws < PAGE)
			return compile_fail_at(c, wo->file, wo->line,
					       "mem_working_set=%s: less than one 4 KiB page (job '%s')", wo->value,
					       s->name);
		if (ws > j->size)
			return compile_fail_at(c, wo->file, wo->line,
					       "mem_working_set=%s: %s is more than size=%s (%s) (job '%s')", wo->value,
					       format_size(ws, b1, sizeof(b1)), so->value,
					       format_size(j->size, b2, sizeof(b2)), s->name);
	}
	/*
	 * rwmixread=/rwmixwrite=: of the accesses after a page's first touch (which writes),
	 * this percent read. Unset, a memory job writes only (fio's default of 50 is for
	 * rw=readwrite). churn touches fresh pages every pass: nothing to read.
	 */
	const struct fio_option *ro = jo->rwmix_o;
	uint32_t rwmixread = ro ? j->rwmixread : 0;
	if (ro && j->mem_access == VMS_MEM_CHURN) {
		if (ro >= s->opts && ro < s->opts + s->nr_opts)
			return compile_fail_at(c, ro->file, ro->line,
					       "%s=%s: a churn job touches fresh pages only, it has nothing to read "
					       "back (job '%s': use mem_access=seq or random)", ro->key, ro->value, s->name);
		rwmixread = 0; /* inherited from [global]: for the other jobs */
	}
	struct vms_job m = { .ioengine = VMS_IOENGINE_MEM, .rwmixread = rwmixread, .iodepth = 1, .flags = j->flags & keep, .size = j->size,
			     .runtime_ns = j->runtime_ns, .ramp_ns = j->ramp_ns,
			     .startdelay_ns = j->startdelay_ns, .thinktime_ns = j->thinktime_ns,
			     .randseed = j->randseed, .mem_access = j->mem_access, .mem_working_set = ws,
			     .cpus_allowed = j->cpus_allowed };
	memcpy(m.name, j->name, sizeof(m.name));
	*j = m;
	return 0;
}
