/* Reads of never-written blocks come from holes (the host returns zeros without touching
 * the device), so a QD1 read CDF of a fresh image is bimodal: warn, and point at prefill. */
#include <stdbool.h>

#include "fio/sparse_reads.h"

static bool job_reads(const struct vms_job *j)
{
	if (!vms_job_on_disk(j))
		return false;
	return j->rw == VMS_RW_READ || j->rw == VMS_RW_RANDREAD ||
	       ((j->rw == VMS_RW_READWRITE || j->rw == VMS_RW_RANDRW) && j->rwmixread > 0);
}

unsigned sparse_reads_warn(const struct vms_workload *wl, const struct disk_config *disks, unsigned nr_disks,
			   FILE *f, const char *prefix)
{
	unsigned warned = 0;
	for (unsigned d = 0; wl && d < nr_disks; d++) {
		const struct vms_job *reader = NULL;
		for (uint32_t i = 0; i < wl->nr_jobs && !reader; i++)
			if (wl->jobs[i].disk == d && job_reads(&wl->jobs[i]))
				reader = &wl->jobs[i];
		if (!reader || disks[d].prefill || disks[d].swap || !disk_is_sparse(&disks[d]))
			continue;
		fprintf(f,
			"%swarning: job '%s' reads /dev/vd%c (%s), a sparse image: blocks never written are holes, and"
			" reading them measures the host's page of zeros, not the disk; add ,prefill to the disk"
			" (written through once)\n",
			prefix, reader->name, 'a' + d, disks[d].path);
		warned++;
	}
	return warned;
}
