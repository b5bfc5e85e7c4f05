/*
 * fio's log files from the guest's samples, line for line as fio 3.33's flush_samples
 * writes them: "time, value, ddir, bs, prio" (prio 0: vmsweep has no I/O priorities), or
 * with log_offset=1 "time, value, ddir, bs, offset, prio"; times in ms since the job's
 * start after ramp, latencies in ns. Per I/O (log_avg_msec=0): lat is slat + clat, bw
 * bytes * 10^6 / clat ns (fio's add_bw_sample), iops 1, and slat lines, at the I/O's
 * submission and in that order, only for async engines (fio's io_u_queued): a sync
 * engine's NAME_slat.N.log is empty, as fio leaves it. Averaged entries (log_avg_msec)
 * carry bs 0 and offset 0, as fio's __add_stat_to_log writes them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "records/iolog.h"
#include "util/error.h"
#include "vmm/vm.h"

static const char *const type_names[VMS_FIO_LOG_TYPES] = {
	[VMS_FIO_LOG_LAT] = "lat", [VMS_FIO_LOG_CLAT] = "clat", [VMS_FIO_LOG_SLAT] = "slat",
	[VMS_FIO_LOG_BW] = "bw",   [VMS_FIO_LOG_IOPS] = "iops",
};

size_t iolog_files_list(const struct vms_workload *wl, struct iolog_file **out)
{
	/* init.c add_job: lat, slat, clat for write_lat_log, then bw, then iops */
	static const struct {
		uint32_t flag;
		enum vms_log_kind name;
		enum vms_fio_log_type type;
	} order[] = {
		{ VMS_JOB_LAT_LOG, VMS_LOG_LAT, VMS_FIO_LOG_LAT },   { VMS_JOB_LAT_LOG, VMS_LOG_LAT, VMS_FIO_LOG_SLAT },
		{ VMS_JOB_LAT_LOG, VMS_LOG_LAT, VMS_FIO_LOG_CLAT },  { VMS_JOB_BW_LOG, VMS_LOG_BW, VMS_FIO_LOG_BW },
		{ VMS_JOB_IOPS_LOG, VMS_LOG_IOPS, VMS_FIO_LOG_IOPS },
	};
	size_t n = 0;

	*out = NULL;
	for (uint32_t i = 0; wl && i < wl->nr_jobs; i++)
		for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
			n += wl->jobs[i].ioengine != VMS_IOENGINE_MEM && (wl->jobs[i].flags & order[k].flag);
	if (!n || !(*out = calloc(n, sizeof(**out))))
		return 0;
	n = 0;
	for (uint32_t i = 0; i < wl->nr_jobs; i++) {
		const struct vms_job *j = &wl->jobs[i];
		for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
			if (j->ioengine == VMS_IOENGINE_MEM || !(j->flags & order[k].flag))
				continue;
			struct iolog_file *f = &(*out)[n++];
			/* fio's gen_log_name with per_job_logs: NAME_type.N.log, N its thread_number */
			snprintf(f->name, sizeof(f->name), "%.*s_%s.%u.log", VMS_WL_LOG_NAME_LEN, j->log_name[order[k].name],
				 type_names[order[k].type], i + 1);
			f->job = i;
			f->type = order[k].type;
		}
	}
	return n;
}

static int line(FILE *f, bool offsets, uint64_t time_ms, uint64_t value, unsigned dir, uint64_t bs, uint64_t offset)
{
	if (offsets)
		return fprintf(f, "%" PRIu64 ", %" PRId64 ", %u, %" PRIu64 ", %" PRIu64 ", 0\n", time_ms, (int64_t)value, dir,
			       bs, offset);
	return fprintf(f, "%" PRIu64 ", %" PRId64 ", %u, %" PRIu64 ", 0\n", time_ms, (int64_t)value, dir, bs);
}

static const struct vms_fio_log_io *slat_sort_base;

/* By submission time; equal times in completion order (the index breaks the tie). */
static int slat_cmp(const void *a, const void *b)
{
	uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
	uint32_t ta = slat_sort_base[ia].issue_ms, tb = slat_sort_base[ib].issue_ms;

	return ta != tb ? (ta < tb ? -1 : 1) : (ia > ib) - (ia < ib);
}

static int io_line(FILE *f, bool offsets, enum vms_fio_log_type type, const struct vms_fio_log_io *e)
{
	uint64_t bs = e->bs_dir & ~VMS_FIO_LOG_DIR_WRITE, value;
	unsigned dir = (e->bs_dir & VMS_FIO_LOG_DIR_WRITE) ? 1 : 0;

	switch (type) {
	case VMS_FIO_LOG_LAT:
		value = e->clat_ns + e->slat_ns;
		break;
	case VMS_FIO_LOG_CLAT:
		value = e->clat_ns;
		break;
	case VMS_FIO_LOG_SLAT:
		return line(f, offsets, e->issue_ms, e->slat_ns, dir, bs, e->offset);
	case VMS_FIO_LOG_BW:
		value = e->clat_ns ? bs * 1000000 / e->clat_ns : 0;
		break;
	default:
		value = 1;
		break;
	}
	return line(f, offsets, e->time_ms, value, dir, bs, e->offset);
}

int iolog_file_write(FILE *f, const struct vm_result *res, const struct vms_workload *wl, const struct iolog_file *lf)
{
	const struct iolog_records *r = iolog_records(res);
	const struct vms_job *j = &wl->jobs[lf->job];
	bool offsets = j->flags & VMS_JOB_LOG_OFFSET;

	if (!r->jobs || lf->job >= r->nr_jobs)
		return 0;
	const struct iolog_job *lj = &r->jobs[lf->job];
	for (size_t i = 0; lj->avg && i < lj->nr; i++)
		if (lj->avg[i].type == lf->type &&
		    line(f, offsets, lj->avg[i].time_ms, lj->avg[i].value, lj->avg[i].dir, 0, 0) < 0)
			return -1;
	if (!lj->io)
		return 0;
	if (lf->type != VMS_FIO_LOG_SLAT) {
		for (size_t i = 0; i < lj->nr; i++)
			if (io_line(f, offsets, lf->type, &lj->io[i]) < 0)
				return -1;
		return 0;
	}
	if (j->ioengine != VMS_IOENGINE_ASYNC) /* fio measures slat for async engines only */
		return 0;
	uint32_t *order = malloc(lj->nr * sizeof(*order));
	if (!order) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < lj->nr; i++)
		order[i] = (uint32_t)i;
	slat_sort_base = lj->io;
	qsort(order, lj->nr, sizeof(*order), slat_cmp);
	int ret = 0;
	for (size_t i = 0; i < lj->nr && !ret; i++)
		if (io_line(f, offsets, VMS_FIO_LOG_SLAT, &lj->io[order[i]]) < 0)
			ret = -1;
	free(order);
	return ret;
}

/* What is not in a job's logs, said once per job. */
static void missing_warn(FILE *warn, const char *prefix, const struct vms_job *j, const struct iolog_job *lj)
{
	if (lj->host_dropped)
		fprintf(warn, "%sjob '%.*s': %" PRIu64 " log samples beyond the host's samples budget of %u MiB a run "
			"(VM_SAMPLES_BUDGET) are not in its logs, which stop there; log_avg_msec= averages them into "
			"far fewer\n", prefix, VMS_WL_NAME_LEN, j->name, lj->host_dropped, VM_SAMPLES_BUDGET >> 20);
	if (lj->guest_dropped)
		fprintf(warn, "%sjob '%.*s': %" PRIu64 " log samples were lost in the guest (its buffer was full) and are "
			"not in its logs\n", prefix, VMS_WL_NAME_LEN, j->name, lj->guest_dropped);
}

int iolog_files_write(const struct vm_result *res, const struct vms_workload *wl, FILE *warn, const char *prefix,
		      char *err, size_t errlen)
{
	struct iolog_file *files;
	size_t n = iolog_files_list(wl, &files);
	const struct iolog_records *r = iolog_records(res);
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++) {
		FILE *f = fopen(files[i].name, "w");
		if (!f) {
			ret = errorf(err, errlen, "fio log %s: %s", files[i].name, strerror(errno));
			break;
		}
		if (iolog_file_write(f, res, wl, &files[i]) < 0)
			ret = errorf(err, errlen, "fio log %s: %s", files[i].name, strerror(errno));
		if (fclose(f) != 0 && !ret)
			ret = errorf(err, errlen, "fio log %s: %s", files[i].name, strerror(errno));
	}
	for (unsigned k = 0; warn && r->jobs && k < r->nr_jobs && k < wl->nr_jobs; k++)
		missing_warn(warn, prefix, &wl->jobs[k], &r->jobs[k]);
	free(files);
	return ret;
}
