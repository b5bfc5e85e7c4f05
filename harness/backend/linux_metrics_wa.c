/*
 * The journal's price on a Linux run, under our names (records/jbd2_metrics.c):
 *   journal.<vdX>.bytes_workload       the write io_bytes (fio.json) of the jobs whose
 *                                      files are on vdX (wl: nr_files > 0, that disk)
 *   journal.<vdX>.write_amplification  bytes that reached the disk over those:
 *                                      (sectors written in `diskstats`, taken after
 *                                      sync and umount, less `diskstats.before`, taken
 *                                      just before fio) x 512 / bytes_workload
 * Ours counts the data, metadata and journal blocks the run wrote; the umount's sync
 * makes Linux's the same: the last commit and the checkpoint are in. Without wl (the
 * jobs' disks unknown) or without either snapshot, nothing is emitted.
 */
#include <jansson.h>
#include <string.h>
#include <vmsweep/abi.h>
#include <vmsweep/workload.h>

#include "backend/linux_metrics_internal.h"

/* Sectors written to /dev/vd<'a'+d> in a diskstats section: 1, 0 no such line, -1 ill-formed. */
static int sectors_written(const struct linux_section *ds, unsigned d, uint64_t *v)
{
	char want[8];
	snprintf(want, sizeof(want), "vd%c", 'a' + d);
	for (const char *p = ds->data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned major, minor;
		char name[8];
		int used = 0;
		uint64_t f[7];
		if (sscanf(p, " %u %u %7s%n", &major, &minor, name, &used) != 3 || used <= 0 || strcmp(name, want))
			continue;
		const char *q = p + used;
		for (unsigned i = 0; i < 7; i++)
			if (!proc_u64(&q, &f[i]))
				return -1;
		*v = f[6];
		return 1;
	}
	return 0;
}

/* The wl job reported under name (its first): the one whose files tell the disk. */
static const struct vms_job *job_named(const struct vms_workload *wl, const char *name)
{
	for (unsigned k = 0; k < wl->nr_jobs && k < VMS_WL_MAX_JOBS; k++)
		if (!strncmp(wl->jobs[k].name, name, VMS_WL_NAME_LEN) && strlen(name) <= VMS_WL_NAME_LEN)
			return &wl->jobs[k];
	return NULL;
}

void linux_write_amplification(struct linux_emit *m, const struct linux_sections *s, const struct vms_workload *wl)
{
	const struct linux_section *before = linux_section_find(s, "diskstats.before"),
				   *after = linux_section_find(s, "diskstats"), *fj = linux_section_find(s, "fio.json");
	uint64_t workload[VMS_MAX_DISKS] = { 0 };
	if (!wl || !before || !after || !fj)
		return;
	const char *p = fj->data; /* as linux_metrics_fio.c: the JSON starts at a line's '{' */
	while (*p && *p != '{')
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p);
	json_t *root = json_loadb(p, fj->len - (size_t)(p - fj->data), JSON_DISABLE_EOF_CHECK, NULL);
	const json_t *jobs = json_object_get(root, "jobs"), *job;
	size_t i;
	if (!json_is_array(jobs)) { /* linux_metrics_fio.c says why */
		json_decref(root);
		return;
	}
	json_array_foreach(jobs, i, job) {
		const char *name = json_string_value(json_object_get(job, "jobname"));
		const json_t *bytes = json_object_get(json_object_get(job, "write"), "io_bytes");
		const struct vms_job *j = name ? job_named(wl, name) : NULL;
		if (!j || !j->nr_files || j->ioengine == VMS_IOENGINE_MEM || j->disk >= VMS_MAX_DISKS)
			continue;
		if (!json_is_integer(bytes) || json_integer_value(bytes) < 0) {
			linux_section_bad(m, "fio.json", "job %s: no write io_bytes", name);
			continue;
		}
		workload[j->disk] += (uint64_t)json_integer_value(bytes);
	}
	json_decref(root);
	for (unsigned d = 0; d < VMS_MAX_DISKS; d++) {
		uint64_t a = 0, b = 0;
		int ra, rb;
		if (!workload[d])
			continue;
		ra = sectors_written(after, d, &a);
		rb = sectors_written(before, d, &b);
		if (ra < 0 || rb < 0 || (ra > 0 && rb > 0 && a < b)) {
			linux_section_bad(m, ra < 0 || a < b ? "diskstats" : "diskstats.before", "vd%c: ill-formed or went back",
					  'a' + d);
			continue;
		}
		if (!ra || !rb)
			continue;
		emit_put(&m->e, (double)workload[d], "journal.vd%c.bytes_workload", 'a' + d);
		emit_put(&m->e, (double)(a - b) * 512 / (double)workload[d], "journal.vd%c.write_amplification", 'a' + d);
	}
}
