/* The fio jobs' records: taken (one per disk job, checked against the workload), the
 * jobs that failed, and the metrics they are stored under. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fio/fio_error.h"
#include "fio/fio_json.h"
#include "records/fio.h"
#include "util/error.h"
#include "util/json_out.h"
#include "vmm/vm.h"

static const struct fio_records no_records;

const struct fio_records *fio_records(const struct vm_result *res)
{
	const struct fio_records *fr = record_family_data(res, RECORD_FAMILY_fio);
	return fr ? fr : &no_records;
}

struct fio_records *fio_records_get(struct vm_result *res)
{
	return record_family_data_get(res, RECORD_FAMILY_fio, sizeof(struct fio_records));
}

/* A disk's counts for disk_util: once per disk, and only of a disk an fio job used. */
static int fio_disk_take(struct vm_result *res, const struct vms_workload *wl, const void *payload, char *err,
			 size_t errlen)
{
	struct vms_rec_fio_disk d;
	struct fio_records *fr;
	bool used = false;

	memcpy(&d, payload, sizeof(d));
	for (unsigned i = 0; wl && d.disk < VMS_MAX_DISKS && i < wl->nr_jobs; i++)
		used |= vms_job_on_disk(&wl->jobs[i]) && wl->jobs[i].disk == d.disk;
	if (!used)
		return errorf(err, errlen, "fio disk record for disk %u, which no fio job uses", d.disk);
	if (!(fr = fio_records_get(res)))
		return errorf(err, errlen, "out of host memory");
	if (fr->disk_seen[d.disk])
		return errorf(err, errlen, "fio disk record for disk %u a second time", d.disk);
	fr->disk_seen[d.disk] = 1;
	fr->disks[fr->nr_disks++] = d;
	return 0;
}

static int fio_take(struct vm_result *res, const struct vms_workload *wl, uint32_t type, const void *payload,
		    uint32_t len, char *err, size_t errlen)
{
	struct vms_rec_fio_job j;
	struct fio_records *fr;

	(void)len; /* records_parse checked it against the type */
	if (type == VMS_REC_FIO_DISK)
		return fio_disk_take(res, wl, payload, err, errlen);
	memcpy(&j, payload, sizeof(j));
	if (!wl || j.job >= wl->nr_jobs)
		return errorf(err, errlen, "fio record for job %u of %u", j.job, wl ? wl->nr_jobs : 0);
	if (wl->jobs[j.job].ioengine == VMS_IOENGINE_MEM)
		return errorf(err, errlen, "fio record for job %u ('%.*s'), a memory job", j.job, VMS_WL_NAME_LEN,
			      wl->jobs[j.job].name);
	if (!(fr = fio_records_get(res)) || (!fr->jobs && !(fr->jobs = calloc(wl->nr_jobs, sizeof(*fr->jobs)))))
		return errorf(err, errlen, "out of host memory");
	if (fr->seen[j.job])
		return errorf(err, errlen, "fio record for job %u a second time", j.job);
	fr->seen[j.job] = 1;
	fr->jobs[j.job] = j;
	fr->nr_jobs++;
	return 0;
}

static int fio_check_done(const struct vm_result *res, const struct vms_workload *wl, char *why, size_t len)
{
	unsigned want = 0;

	for (unsigned i = 0; wl && i < wl->nr_jobs; i++)
		want += wl->jobs[i].ioengine != VMS_IOENGINE_MEM;
	if (wl && fio_records(res)->nr_jobs != want)
		return errorf(why, len, "guest said done with results for %u of %u fio jobs", fio_records(res)->nr_jobs,
			      want);
	return 0;
}

static void fio_free(void *data)
{
	free(((struct fio_records *)data)->jobs);
}

/* A job that failed fails the command, as fio exits 1; the JSON keeps its error. */
static unsigned fio_failures(FILE *err, const struct vm_result *res, const struct vms_workload *wl)
{
	const struct fio_records *fr = fio_records(res);

	for (unsigned i = 0; wl && fr->jobs && i < wl->nr_jobs; i++)
		if (fr->jobs[i].error) {
			char why[256];
			fprintf(err, "vmsweep boot: fio job '%.*s' failed: error %u (%s)\n", VMS_WL_NAME_LEN, wl->jobs[i].name,
				fr->jobs[i].error, fio_error_describe(&wl->jobs[i], &fr->jobs[i], why, sizeof(why)));
			return 1; /* the first says why; fio's JSON has them all */
		}
	return 0;
}

void fio_records_json_set(struct vm_result *res, const struct fio_json_opts *opts, unsigned flags)
{
	struct fio_records *fr = record_family_data(res, RECORD_FAMILY_fio);

	if (fr) {
		fr->opts = opts;
		fr->json_flags = flags;
	}
}

json_t *fio_records_json(const struct vm_result *res, const struct vms_workload *wl)
{
	const struct fio_records *fr = fio_records(res);
	struct fio_json_in in = { .wl = wl, .jobs = fr->jobs, .nr_jobs = wl && fr->jobs && fr->nr_jobs ? wl->nr_jobs : 0,
				  .disks = fr->disks, .nr_disks = fr->nr_disks, .opts = fr->opts,
				  .flags = fr->json_flags };
	return fio_json_build(&in);
}

/* `vmsweep boot --json`: "fio", the jobs in fio's own JSON layout. */
static void fio_boot_json(struct json_out *out, const struct vm_result *res, const struct vms_workload *wl)
{
	if (wl && fio_records(res)->nr_jobs)
		json_out_member(out, "fio", fio_records_json(res, wl));
}

const struct metric_doc fio_metric_docs[] = {
	{ "fio.*.error", "the job's first error (an errno: 5 EIO, 84 a verify mismatch), 0 if none" },
	{ "fio.*.task.cpu_ns", "the job's tasks' time on a CPU over the job (vmsweep's, not fio's: sum_exec_ns, numjobs clones added up)" },
	{ "fio.*.task.migrations", "moves of the job's tasks to another vCPU (nr_migrations)" },
	{ "fio.*.task.wakeups", "wake-ups of the job's tasks: each sleep they blocked in ended in one" },
	{ "fio.*.syncs", "fsync/fdatasync flushes the job issued (when it synced)" },
	{ "fio.*.sync_lat_mean_ns", "mean time of those flushes, ns" },
	{ "fio.*.read.ios", "<job>'s reads (for each direction the job does: read, write)" },
	{ "fio.*.write.ios", "<job>'s writes" },
	{ "fio.*.io_bytes", "bytes moved in the direction" },
	{ "fio.*.iops", "I/Os per second of the direction's runtime" },
	{ "fio.*.bw_bytes", "bytes per second" },
	{ "fio.*.clat_mean_ns", "mean completion latency, ns (when the direction did I/O)" },
	{ "fio.*.clat_p[0-9]*_ns", "completion latency percentiles p50, p90, p99, p999 from fio's buckets" },
	{ "fio.*.clat_max_ns", "longest completion latency, ns" },
	{ NULL, NULL },
};

const struct record_family_ops fio_records_ops = {
	.name = "fio",
	.take = fio_take,
	.check_done = fio_check_done,
	.free = fio_free,
	.metrics = fio_metrics,
	.metric_docs = fio_metric_docs,
	.json = fio_boot_json,
	.failures = fio_failures,
};
