/*
 * write_lat_log=, write_bw_log=, write_iops_log= (fio's options.c str_write_*_log_cb,
 * init.c add_job): the option alone or with NAME; the host writes NAME_lat.N.log,
 * NAME_clat.N.log, NAME_slat.N.log (write_lat_log), NAME_bw.N.log and NAME_iops.N.log,
 * N the job's number in the file from 1, clones counted (fio's thread_number), NAME the
 * job's name when none is given (fio's make_log_name). The lines are made from the
 * samples the guest sends (guest/workload/fio_log.c, harness/records/iolog*.c).
 */
#include <stdio.h>
#include <string.h>

#include "fio/job_compile_internal.h"

static int log_opt(struct compile *c, struct job_opts *jo, const struct fio_option *o, enum vms_log_kind k)
{
	static const uint32_t flags[VMS_LOG_KINDS] = { VMS_JOB_LAT_LOG, VMS_JOB_BW_LOG, VMS_JOB_IOPS_LOG };
	const char *v = o->value ? o->value : "";

	/* fio takes any value as the name: "1" would name the files 1_lat.1.log */
	if (!strcmp(v, "0") || !strcmp(v, "1"))
		return bad_value(c, o, "fio takes '%s' as the logs' name (%s_%s.1.log), not as off or on: give the option "
				 "alone, or a name", v, v, k == VMS_LOG_LAT ? "lat" : k == VMS_LOG_BW ? "bw" : "iops");
	if (strlen(v) >= VMS_WL_LOG_NAME_LEN)
		return bad_value(c, o, "a name longer than %d characters", VMS_WL_LOG_NAME_LEN - 1);
	snprintf(jo->log_name[k], sizeof(jo->log_name[k]), "%s", v);
	jo->j.flags |= flags[k];
	jo->log_o[k] = o;
	return 0;
}

int opt_write_lat_log(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	return log_opt(c, jo, o, VMS_LOG_LAT);
}

int opt_write_bw_log(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	return log_opt(c, jo, o, VMS_LOG_BW);
}

int opt_write_iops_log(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	return log_opt(c, jo, o, VMS_LOG_IOPS);
}

void log_names_resolve(const struct job_opts *jo, struct vms_job *j)
{
	static const uint32_t flags[VMS_LOG_KINDS] = { VMS_JOB_LAT_LOG, VMS_JOB_BW_LOG, VMS_JOB_IOPS_LOG };

	for (int k = 0; k < VMS_LOG_KINDS; k++) {
		if (!jo->log_o[k] || !(j->flags & flags[k])) /* a memory job's inherited ones are not its */
			continue;
		/* the job's name fits: it is shorter than VMS_WL_NAME_LEN */
		snprintf(j->log_name[k], sizeof(j->log_name[k]), "%s", jo->log_name[k][0] ? jo->log_name[k] : j->name);
	}
}
