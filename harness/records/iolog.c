/* fio's log samples as the host takes them from the samples ring: checked against the
 * workload (a job that writes logs, entries of the kind its log_avg_msec says, lengths
 * that hold them), kept within the run's samples budget, and complete when the guest
 * says done (each job's END record). */
#include <stdlib.h>
#include <string.h>

#include "records/iolog.h"
#include "util/array.h"
#include "util/error.h"
#include "vmm/vm.h"

#define LOG_FLAGS (VMS_JOB_LAT_LOG | VMS_JOB_BW_LOG | VMS_JOB_IOPS_LOG)

static const struct iolog_records no_records;

const struct iolog_records *iolog_records(const struct vm_result *res)
{
	const struct iolog_records *r = record_family_data(res, RECORD_FAMILY_iolog);
	return r ? r : &no_records;
}

static bool job_logs(const struct vms_job *j)
{
	return j->ioengine != VMS_IOENGINE_MEM && (j->flags & LOG_FLAGS);
}

static int iolog_take(struct vm_result *res, const struct vms_workload *wl, uint32_t type, const void *payload,
		      uint32_t len, char *err, size_t errlen)
{
	struct vms_rec_fio_log h;
	struct iolog_records *r;

	(void)type;
	memcpy(&h, payload, sizeof(h));
	if (!wl || h.job >= wl->nr_jobs)
		return errorf(err, errlen, "fio log record for job %u of %u", h.job, wl ? wl->nr_jobs : 0);
	const struct vms_job *j = &wl->jobs[h.job];
	if (!job_logs(j))
		return errorf(err, errlen, "fio log record for job %u ('%.*s'), which writes no log", h.job, VMS_WL_NAME_LEN,
			      j->name);
	r = record_family_data_get(res, RECORD_FAMILY_iolog, sizeof(*r));
	if (!r || (!r->jobs && !(r->jobs = calloc(wl->nr_jobs, sizeof(*r->jobs)))))
		return errorf(err, errlen, "out of host memory");
	r->nr_jobs = wl->nr_jobs;
	struct iolog_job *lj = &r->jobs[h.job];
	if (lj->ended)
		return errorf(err, errlen, "fio log record for job %u after its last", h.job);
	if (h.kind == VMS_FIO_LOG_END) {
		if (h.nr || len != sizeof(h))
			return errorf(err, errlen, "fio log end record for job %u with %u entries", h.job, h.nr);
		lj->ended = true;
		lj->guest_dropped = h.dropped;
		return 0;
	}
	bool avg = j->log_avg_msec != 0;
	if (h.kind != (avg ? VMS_FIO_LOG_AVG : VMS_FIO_LOG_IO))
		return errorf(err, errlen, "fio log record of kind %u for job %u, whose log_avg_msec is %u", h.kind, h.job,
			      j->log_avg_msec);
	size_t esz = avg ? sizeof(struct vms_fio_log_avg) : sizeof(struct vms_fio_log_io);
	if ((uint64_t)len != sizeof(h) + (uint64_t)h.nr * esz)
		return errorf(err, errlen, "fio log record of %u bytes does not hold its %u entries", len, h.nr);
	const uint8_t *e = (const uint8_t *)payload + sizeof(h);
	for (uint32_t i = 0; i < h.nr; i++, e += esz) {
		if (avg) {
			struct vms_fio_log_avg a;
			memcpy(&a, e, sizeof(a));
			if (a.type >= VMS_FIO_LOG_TYPES || a.dir > 1)
				return errorf(err, errlen, "fio log entry of type %u, direction %u (job %u)", a.type, a.dir,
					      h.job);
		}
		if (!vm_result_sample_keep(res, esz)) {
			lj->host_dropped++;
			continue;
		}
		void **arr = avg ? (void **)&lj->avg : (void **)&lj->io;
		if (array_grow(arr, &lj->cap, lj->nr + 1, esz))
			return errorf(err, errlen, "out of host memory for fio log samples");
		memcpy((uint8_t *)*arr + lj->nr * esz, e, esz);
		lj->nr++;
	}
	return 0;
}

static int iolog_check_done(const struct vm_result *res, const struct vms_workload *wl, char *why, size_t len)
{
	const struct iolog_records *r = iolog_records(res);

	for (unsigned i = 0; wl && i < wl->nr_jobs; i++)
		if (job_logs(&wl->jobs[i]) && (!r->jobs || !r->jobs[i].ended))
			return errorf(why, len, "guest said done without the end of job %u's log samples", i);
	return 0;
}

static void iolog_free(void *data)
{
	struct iolog_records *r = data;

	for (unsigned i = 0; r->jobs && i < r->nr_jobs; i++) {
		free(r->jobs[i].io);
		free(r->jobs[i].avg);
	}
	free(r->jobs);
}

static const struct metric_doc iolog_metric_docs[] = { { NULL, NULL } };

const struct record_family_ops iolog_records_ops = {
	.name = "iolog",
	.take = iolog_take,
	.check_done = iolog_check_done,
	.free = iolog_free,
	.metric_docs = iolog_metric_docs,
};
